//! A tokenizer that follows CPython's `Parser/tokenizer.c` (3.12 and later for f-strings).
//!
//! It produces the tokens the statement recogniser needs (names, numbers, strings with their
//! body spans, operators, NEWLINE/INDENT/DEDENT) and rejects what CPython's tokenizer rejects.
//! f-strings and t-strings are scanned for their extent only, with nested replacement fields
//! and quotes as PEP 701 allows; their value is never needed because they are never constants.

use super::{literal, Fail};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Name(String),
    /// A number literal's source text.
    Number(String),
    Str(StrLit),
    /// An f-string or t-string (a `JoinedStr`/`TemplateStr`, never a constant).
    FStr,
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
}

/// A plain (not f-) string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StrLit {
    pub bytes: bool,
    pub raw: bool,
    /// Character span of the text between the quotes.
    pub body: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub tok: Tok,
    /// Character index where the token starts.
    pub start: usize,
}

pub(super) struct Lexed {
    pub tokens: Vec<Token>,
    /// Character spans of comments, in order (the `#` up to the end of the line).
    pub comments: Vec<(usize, usize)>,
}

/// CPython's MAXLEVEL: nesting of brackets.
const MAX_BRACKETS: usize = 200;
/// CPython's MAXINDENT: the indentation stack holds at most 100 levels, 0 included.
const MAX_INDENT: usize = 100;
/// CPython's MAXFSTRINGLEVEL; also what keeps our recursion bounded.
const MAX_FSTRING_NESTING: usize = 150;

pub(super) fn tokenize(chars: &[char]) -> Result<Lexed, Fail> {
    Lexer {
        s: chars,
        pos: 0,
        tokens: Vec::new(),
        comments: Vec::new(),
        brackets: Vec::new(),
        indents: vec![(0, 0)],
    }
    .run()
}

struct Lexer<'a> {
    s: &'a [char],
    pos: usize,
    tokens: Vec<Token>,
    comments: Vec<(usize, usize)>,
    /// Open brackets and where they are.
    brackets: Vec<(char, usize)>,
    /// Indentation stack: (column with tabs to 8, column with tabs to 1), as CPython keeps
    /// both to reject indentation whose meaning depends on the tab size.
    indents: Vec<(usize, usize)>,
}

/// The string prefix letters seen.
#[derive(Debug, Default, Clone, Copy)]
struct Prefix {
    bytes: bool,
    raw: bool,
    unicode: bool,
    /// `f` or `t` (PEP 750 template strings scan the same way).
    formatted: bool,
}

enum LineStart {
    Blank,
    Code,
    Eof,
}

/// How the text part of an f-string ended.
enum TextEnd {
    Quote,
    /// At (not past) the `}` that closes a format spec.
    Brace,
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

/// Non-ASCII characters we route to identifiers although no identifier may contain them.
/// Without Unicode's XID tables we cannot reject every invalid one, but these are the ones
/// that sneak into source unseen (no-break and other spaces, zero-width marks, a stray BOM).
fn is_invisible(c: char) -> bool {
    (!c.is_ascii() && super::is_py_space(c))
        || matches!(
            c,
            '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}'
        )
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.pos + k).copied()
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token { tok, start });
    }

    fn run(mut self) -> Result<Lexed, Fail> {
        let mut at_bol = true;
        loop {
            if at_bol {
                at_bol = false;
                match self.line_start()? {
                    LineStart::Blank => {
                        at_bol = true;
                        continue;
                    }
                    LineStart::Eof => break,
                    LineStart::Code => {}
                }
            }
            while matches!(self.peek(), Some(' ' | '\t' | '\x0c')) {
                self.pos += 1;
            }
            let Some(c) = self.peek() else { break };
            let start = self.pos;
            match c {
                '#' => self.comment(),
                '\n' => {
                    self.pos += 1;
                    if self.brackets.is_empty() {
                        self.push(Tok::Newline, start);
                        at_bol = true;
                    }
                }
                '\\' => self.continuation()?,
                '"' | '\'' => {
                    let tok = self.string(Prefix::default(), 0)?;
                    self.push(tok, start);
                }
                '0'..='9' => self.number()?,
                '.' if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number()?,
                c if is_id_start(c) => {
                    let tok = self.name_or_string(0)?;
                    self.push(tok, start);
                }
                _ => self.operator()?,
            }
        }
        if let Some(&(open, at)) = self.brackets.last() {
            return Err(Fail::syntax(at, format!("'{open}' was never closed")));
        }
        let end = self.s.len();
        if self
            .tokens
            .last()
            .is_some_and(|t| !matches!(t.tok, Tok::Newline))
        {
            self.push(Tok::Newline, end);
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.push(Tok::Dedent, end);
        }
        Ok(Lexed {
            tokens: self.tokens,
            comments: self.comments,
        })
    }

    /// Measures indentation at the start of a line (outside brackets) and emits INDENT/DEDENT.
    fn line_start(&mut self) -> Result<LineStart, Fail> {
        let (mut col, mut altcol) = (0usize, 0usize);
        // A backslash continuation inside the indentation: the column where the first one
        // appears wins, except that CPython treats column 0 as "none seen".
        let mut cont_col = 0usize;
        loop {
            match self.peek() {
                Some(' ') => {
                    col += 1;
                    altcol += 1;
                }
                Some('\t') => {
                    col = (col / 8 + 1) * 8;
                    altcol += 1;
                }
                Some('\x0c') => {
                    col = 0;
                    altcol = 0;
                }
                Some('\\') => {
                    if cont_col == 0 {
                        cont_col = col;
                    }
                    self.continuation()?;
                    continue;
                }
                _ => break,
            }
            self.pos += 1;
        }
        match self.peek() {
            None => return Ok(LineStart::Eof),
            Some('#') => {
                self.comment();
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
                return Ok(LineStart::Blank);
            }
            Some('\n') => {
                self.pos += 1;
                return Ok(LineStart::Blank);
            }
            Some(_) => {}
        }
        if cont_col != 0 {
            col = cont_col;
            altcol = cont_col;
        }
        let start = self.pos;
        let tab_error =
            || Fail::syntax(start, "inconsistent use of tabs and spaces in indentation");
        let (top, alttop) = self.indents[self.indents.len() - 1];
        if col == top {
            if altcol != alttop {
                return Err(tab_error());
            }
        } else if col > top {
            if self.indents.len() >= MAX_INDENT {
                return Err(Fail::syntax(start, "too many levels of indentation"));
            }
            if altcol <= alttop {
                return Err(tab_error());
            }
            self.indents.push((col, altcol));
            self.push(Tok::Indent, start);
        } else {
            while self.indents.len() > 1 && col < self.indents[self.indents.len() - 1].0 {
                self.indents.pop();
                self.push(Tok::Dedent, start);
            }
            let (top, alttop) = self.indents[self.indents.len() - 1];
            if col != top {
                return Err(Fail::syntax(
                    start,
                    "unindent does not match any outer indentation level",
                ));
            }
            if altcol != alttop {
                return Err(tab_error());
            }
        }
        Ok(LineStart::Code)
    }

    fn comment(&mut self) {
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '\n') {
            self.pos += 1;
        }
        self.comments.push((start, self.pos));
    }

    /// A backslash outside strings: it must end the line, and something must follow.
    fn continuation(&mut self) -> Result<(), Fail> {
        let at = self.pos;
        if self.peek_at(1) != Some('\n') {
            return Err(Fail::syntax(
                at,
                "unexpected character after line continuation character",
            ));
        }
        self.pos += 2;
        if self.peek().is_none() {
            return Err(Fail::syntax(at, "unexpected EOF while parsing"));
        }
        Ok(())
    }

    /// A name, or a string if the name is a valid prefix directly followed by a quote.
    fn name_or_string(&mut self, depth: usize) -> Result<Tok, Fail> {
        let start = self.pos;
        let mut p = Prefix::default();
        let mut i = self.pos;
        // CPython's prefix state machine: b, r, u, f/t in the combinations Python allows.
        while let Some(c) = self.s.get(i).copied() {
            let ok = match c.to_ascii_lowercase() {
                'b' if !(p.bytes || p.unicode || p.formatted) => {
                    p.bytes = true;
                    true
                }
                'u' if !(p.bytes || p.unicode || p.raw || p.formatted) => {
                    p.unicode = true;
                    true
                }
                'r' if !(p.raw || p.unicode) => {
                    p.raw = true;
                    true
                }
                'f' | 't' if !(p.formatted || p.bytes || p.unicode) => {
                    p.formatted = true;
                    true
                }
                _ => false,
            };
            if !ok {
                break;
            }
            i += 1;
            if matches!(self.s.get(i), Some('"' | '\'')) {
                self.pos = i;
                return self.string(p, depth);
            }
        }
        while self.peek().is_some_and(is_id_char) {
            if self.peek().is_some_and(is_invisible) {
                let c = self.s[self.pos];
                return Err(Fail::syntax(
                    self.pos,
                    format!("invalid non-printable character U+{:04X}", u32::from(c)),
                ));
            }
            self.pos += 1;
        }
        Ok(Tok::Name(self.s[start..self.pos].iter().collect()))
    }

    /// A string literal starting at the opening quote.
    fn string(&mut self, prefix: Prefix, depth: usize) -> Result<Tok, Fail> {
        let start = self.pos;
        let quote = self.s[self.pos];
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        if prefix.formatted {
            if depth >= MAX_FSTRING_NESTING {
                return Err(Fail::syntax(start, "too many nested f-strings"));
            }
            return match self.fstring_text(quote, triple, prefix.raw, false, depth + 1)? {
                TextEnd::Quote => Ok(Tok::FStr),
                // Only a format spec stops at a brace; kept as an error rather than a panic.
                TextEnd::Brace => Err(Fail::syntax(start, "f-string: single '}' is not allowed")),
            };
        }
        let body_start = self.pos;
        let unterminated = |what: &str| Fail::syntax(start, format!("unterminated {what}"));
        let body_end = loop {
            let Some(c) = self.peek() else {
                return Err(unterminated(if triple {
                    "triple-quoted string literal"
                } else {
                    "string literal"
                }));
            };
            self.pos += 1;
            match c {
                '\\' => {
                    if self.peek().is_none() {
                        return Err(unterminated("string literal"));
                    }
                    self.pos += 1;
                }
                '\n' if !triple => return Err(unterminated("string literal")),
                c if c == quote => {
                    if !triple {
                        break self.pos - 1;
                    }
                    if self.peek() == Some(quote) && self.peek_at(1) == Some(quote) {
                        self.pos += 2;
                        break self.pos - 3;
                    }
                }
                _ => {}
            }
        };
        let lit = StrLit {
            bytes: prefix.bytes,
            raw: prefix.raw,
            body: (body_start, body_end),
        };
        // CPython decodes every literal while parsing, so a bad escape anywhere is an error.
        literal::validate(self.s, &lit)?;
        Ok(Tok::Str(lit))
    }

    /// The literal text of an f-string (or of a format spec when `in_spec`).
    fn fstring_text(
        &mut self,
        quote: char,
        triple: bool,
        raw: bool,
        in_spec: bool,
        depth: usize,
    ) -> Result<TextEnd, Fail> {
        let start = self.pos;
        loop {
            let Some(c) = self.peek() else {
                return Err(Fail::syntax(start, "unterminated f-string literal"));
            };
            if c == quote {
                if !triple {
                    self.pos += 1;
                    return Ok(TextEnd::Quote);
                }
                if self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote) {
                    self.pos += 3;
                    return Ok(TextEnd::Quote);
                }
                self.pos += 1;
                continue;
            }
            match c {
                '\n' if !triple => {
                    return Err(Fail::syntax(start, "unterminated f-string literal"));
                }
                '{' => {
                    if !in_spec && self.peek_at(1) == Some('{') {
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        self.fstring_field(quote, triple, raw, depth)?;
                    }
                }
                '}' => {
                    if in_spec {
                        return Ok(TextEnd::Brace);
                    }
                    if self.peek_at(1) != Some('}') {
                        return Err(Fail::syntax(
                            self.pos,
                            "f-string: single '}' is not allowed",
                        ));
                    }
                    self.pos += 2;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        // A backslash does not escape a brace: the brace keeps its meaning.
                        Some('{' | '}') | None => {}
                        Some('N') if !raw && self.peek_at(1) == Some('{') => {
                            self.pos += 2;
                            while self
                                .peek()
                                .is_some_and(|c| !matches!(c, '}' | '{' | '\n') && c != quote)
                            {
                                self.pos += 1;
                            }
                            if self.peek() == Some('}') {
                                self.pos += 1;
                            }
                        }
                        Some(_) => self.pos += 1,
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    /// A replacement field, after its `{`, up to and including its `}`.
    fn fstring_field(
        &mut self,
        quote: char,
        triple: bool,
        raw: bool,
        depth: usize,
    ) -> Result<(), Fail> {
        let open = self.pos - 1;
        let mut stack: Vec<char> = Vec::new();
        let expecting = || Fail::syntax(open, "f-string: expecting '}'");
        loop {
            let Some(c) = self.peek() else {
                return Err(expecting());
            };
            match c {
                ' ' | '\t' | '\x0c' | '\n' => self.pos += 1,
                '\\' => self.continuation()?,
                '#' => self.comment(),
                '"' | '\'' => {
                    self.string(Prefix::default(), depth)?;
                }
                c if is_id_start(c) => {
                    self.name_or_string(depth)?;
                }
                '(' | '[' | '{' => {
                    if stack.len() + self.brackets.len() >= MAX_BRACKETS {
                        return Err(Fail::syntax(self.pos, "too many nested parentheses"));
                    }
                    stack.push(c);
                    self.pos += 1;
                }
                ')' | ']' => {
                    let want = if c == ')' { '(' } else { '[' };
                    if stack.pop() != Some(want) {
                        return Err(Fail::syntax(self.pos, format!("f-string: unmatched '{c}'")));
                    }
                    self.pos += 1;
                }
                '}' => {
                    self.pos += 1;
                    match stack.pop() {
                        None => return Ok(()),
                        Some('{') => {}
                        Some(_) => {
                            return Err(Fail::syntax(self.pos - 1, "f-string: unmatched '}'"));
                        }
                    }
                }
                ':' if stack.is_empty() => {
                    self.pos += 1;
                    match self.fstring_text(quote, triple, raw, true, depth)? {
                        TextEnd::Brace => {
                            self.pos += 1;
                            return Ok(());
                        }
                        TextEnd::Quote => return Err(expecting()),
                    }
                }
                '!' if self.peek_at(1) == Some('=') => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    /// A number, following CPython's rules for digits, underscores and what may follow.
    fn number(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let c0 = self.s[self.pos];
        self.pos += 1;
        if c0 == '.' {
            self.fraction()?;
        } else if c0 == '0' {
            match self.peek() {
                Some('x' | 'X') => {
                    self.pos += 1;
                    self.radix_digits(16, "hexadecimal")?;
                }
                Some('o' | 'O') => {
                    self.pos += 1;
                    self.radix_digits(8, "octal")?;
                }
                Some('b' | 'B') => {
                    self.pos += 1;
                    self.radix_digits(2, "binary")?;
                }
                _ => {
                    // Zeros (with underscores); any other digit makes it an old-style octal,
                    // which is an error unless it turns out to be a float or imaginary.
                    loop {
                        if self.peek() == Some('_') {
                            self.pos += 1;
                            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                                return Err(Fail::syntax(self.pos, "invalid decimal literal"));
                            }
                        }
                        if self.peek() != Some('0') {
                            break;
                        }
                        self.pos += 1;
                    }
                    let nonzero = self.peek().is_some_and(|c| c.is_ascii_digit());
                    if nonzero {
                        self.decimal_tail()?;
                    }
                    match self.peek() {
                        Some('.') => {
                            self.pos += 1;
                            self.fraction()?;
                        }
                        Some('e' | 'E' | 'j' | 'J') => self.exponent_or_imaginary()?,
                        _ if nonzero => {
                            return Err(Fail::syntax(
                                start,
                                "leading zeros in decimal integer literals are not permitted; \
                                 use an 0o prefix for octal integers",
                            ));
                        }
                        _ => self.end_of_number("decimal")?,
                    }
                }
            }
        } else {
            self.pos -= 1;
            self.decimal_tail()?;
            if self.peek() == Some('.') {
                self.pos += 1;
                self.fraction()?;
            } else {
                self.exponent_or_imaginary()?;
            }
        }
        let text = self.s[start..self.pos].iter().collect();
        self.push(Tok::Number(text), start);
        Ok(())
    }

    /// Digits with single underscores between them; starts at a digit.
    fn decimal_tail(&mut self) -> Result<(), Fail> {
        loop {
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.peek() != Some('_') {
                return Ok(());
            }
            self.pos += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(Fail::syntax(self.pos, "invalid decimal literal"));
            }
        }
    }

    /// After the `.` of a float.
    fn fraction(&mut self) -> Result<(), Fail> {
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.decimal_tail()?;
        }
        self.exponent_or_imaginary()
    }

    fn exponent_or_imaginary(&mut self) -> Result<(), Fail> {
        if matches!(self.peek(), Some('e' | 'E')) {
            let e = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
                if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(Fail::syntax(self.pos, "invalid decimal literal"));
                }
            } else if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                // `1else` is a number followed by a keyword; `1e` alone is an error.
                self.pos = e;
                return self.end_of_number("decimal");
            }
            self.decimal_tail()?;
        }
        if matches!(self.peek(), Some('j' | 'J')) {
            self.pos += 1;
            return self.end_of_number("imaginary");
        }
        self.end_of_number("decimal")
    }

    fn radix_digits(&mut self, radix: u32, kind: &str) -> Result<(), Fail> {
        loop {
            if self.peek() == Some('_') {
                self.pos += 1;
            }
            match self.peek() {
                Some(c) if c.is_digit(radix) => {}
                Some(c) if c.is_ascii_digit() => {
                    return Err(Fail::syntax(
                        self.pos,
                        format!("invalid digit '{c}' in {kind} literal"),
                    ));
                }
                _ => return Err(Fail::syntax(self.pos, format!("invalid {kind} literal"))),
            }
            while self.peek().is_some_and(|c| c.is_digit(radix)) {
                self.pos += 1;
            }
            if self.peek() != Some('_') {
                break;
            }
        }
        if let Some(c) = self.peek().filter(|c| c.is_ascii_digit()) {
            return Err(Fail::syntax(
                self.pos,
                format!("invalid digit '{c}' in {kind} literal"),
            ));
        }
        self.end_of_number(kind)
    }

    /// CPython's `verify_end_of_number`: a number may touch one of the keywords that can
    /// follow it in valid code (a deprecated spelling), but no other identifier character.
    fn end_of_number(&mut self, kind: &str) -> Result<(), Fail> {
        let follows = |s: &str| {
            s.chars()
                .enumerate()
                .all(|(k, c)| self.peek_at(1 + k) == Some(c))
        };
        let keyword = match self.peek() {
            Some('a') => follows("nd"),
            Some('e') => follows("lse"),
            Some('f') => follows("or"),
            Some('i') => matches!(self.peek_at(1), Some('f' | 'n' | 's')),
            Some('o') => follows("r"),
            Some('n') => follows("ot"),
            _ => false,
        };
        if !keyword && self.peek().is_some_and(is_id_char) {
            return Err(Fail::syntax(self.pos, format!("invalid {kind} literal")));
        }
        Ok(())
    }

    fn operator(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let c = self.s[self.pos];
        match c {
            '(' | '[' | '{' => {
                if self.brackets.len() >= MAX_BRACKETS {
                    return Err(Fail::syntax(start, "too many nested parentheses"));
                }
                self.brackets.push((c, start));
            }
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match self.brackets.pop() {
                    None => return Err(Fail::syntax(start, format!("unmatched '{c}'"))),
                    Some((open, _)) if open != want => {
                        return Err(Fail::syntax(
                            start,
                            format!(
                                "closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
        let next: String = self.s[self.pos..(self.pos + 3).min(self.s.len())]
            .iter()
            .collect();
        let op = OPERATORS
            .iter()
            .find(|op| next.starts_with(**op))
            .copied()
            .ok_or_else(|| {
                let what = if c.is_ascii_graphic() {
                    format!("invalid character '{c}'")
                } else {
                    format!("invalid non-printable character U+{:04X}", u32::from(c))
                };
                Fail::syntax(start, what)
            })?;
        self.pos += op.chars().count();
        self.push(Tok::Op(op), start);
        Ok(())
    }
}

/// Longest first, so that the first prefix match is the longest token.
const OPERATORS: &[&str] = &[
    "**=", "...", "//=", "<<=", ">>=", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "<>", "==", ">=", ">>", "@=", "^=", "|=", "%", "&", "(", ")", "*", "+", ",",
    "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
];
