//! PEP 440 version specifiers, as `packaging.specifiers.Specifier` and `SpecifierSet`.
//!
//! `packaging` validates each specifier with one regex and then keeps the version text as
//! written (only stripped): `str(Specifier(">= 1.0A1"))` is `>=1.0A1`. The regex is emulated
//! by [`match_specifier`]; the version is parsed only when a set of two or more has to be
//! sorted and de-duplicated for display.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use super::lexer::Cursor;
use super::RequirementError;
use crate::project::version::{is_py_space, py_strip, Version};

/// A specifier's comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `~=`
    Compatible,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<=`
    LessEqual,
    /// `>=`
    GreaterEqual,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `===`
    ArbitraryEqual,
}

impl Operator {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Compatible => "~=",
            Operator::Equal => "==",
            Operator::NotEqual => "!=",
            Operator::LessEqual => "<=",
            Operator::GreaterEqual => ">=",
            Operator::Less => "<",
            Operator::Greater => ">",
            Operator::ArbitraryEqual => "===",
        }
    }

    /// The operator at the start of `s`, longest first.
    fn prefix_of(s: &str) -> Option<Operator> {
        const ALL: [Operator; 8] = [
            Operator::ArbitraryEqual,
            Operator::Compatible,
            Operator::Equal,
            Operator::NotEqual,
            Operator::LessEqual,
            Operator::GreaterEqual,
            Operator::Less,
            Operator::Greater,
        ];
        ALL.into_iter().find(|op| s.starts_with(op.as_str()))
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One version specifier such as `>=1.0` or `==2.*`.
#[derive(Clone, Debug)]
pub struct Specifier {
    op: Operator,
    version: String,
    span: Range<usize>,
}

impl Specifier {
    /// The operator.
    pub fn operator(&self) -> Operator {
        self.op
    }

    /// The version text as written, without surrounding whitespace (`1.0.*` keeps its
    /// wildcard; for `===` it is arbitrary text).
    pub fn version_text(&self) -> &str {
        &self.version
    }

    /// Whether this is a prefix match (`==1.0.*`, `!=1.0.*`).
    pub fn is_wildcard(&self) -> bool {
        self.op != Operator::ArbitraryEqual && self.version.ends_with(".*")
    }

    /// The version, parsed; `None` for `===` and for wildcards (use the text), and for the
    /// few texts `packaging`'s specifier regex lets through but its `Version` refuses
    /// (`~=1.0.po\u{17f}t1`, numbers past Python's 4300-digit limit).
    pub fn version(&self) -> Option<Version> {
        if self.op == Operator::ArbitraryEqual || self.is_wildcard() {
            return None;
        }
        Version::parse(&self.version).ok()
    }

    /// Where this specifier is in the string it was parsed from.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// `packaging`'s `Specifier._canonical_spec`, which decides equality: the operator and
    /// the normalised version (trailing zeros dropped except for `~=`, where they count).
    fn canonical(&self) -> Result<(Operator, String), RequirementError> {
        if self.op == Operator::ArbitraryEqual || self.version.ends_with(".*") {
            return Ok((self.op, self.version.clone()));
        }
        let version = Version::parse(&self.version).map_err(|e| RequirementError {
            message: format!(
                "cannot compare specifier '{self}' with the others in its set: {}",
                e.message
            ),
            offset: self.span.start,
            end: self.span.end,
        })?;
        Ok((self.op, version.canonical(self.op != Operator::Compatible)))
    }
}

impl fmt::Display for Specifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.op, self.version)
    }
}

/// A comma-separated list of specifiers, such as `requires-python`.
///
/// `Display` matches `str(packaging.specifiers.SpecifierSet(s))`: a single specifier as
/// written, several sorted by their text with equivalent ones (`==1.0`, `==1.0.0`) dropped.
#[derive(Clone, Debug, Default)]
pub struct SpecifierSet {
    /// In the order written.
    specs: Vec<Specifier>,
    /// The display order, worked out at parse time because it can fail.
    display: Vec<usize>,
}

impl SpecifierSet {
    /// Parses a specifier set as `packaging.specifiers.SpecifierSet(s)` does: split at
    /// commas, whitespace around each part ignored, empty parts skipped.
    pub fn parse(s: &str) -> Result<SpecifierSet, RequirementError> {
        let offsets: Vec<usize> = (0..=s.len()).collect();
        Self::parse_mapped(s, &offsets)
    }

    /// Parses `s`, reporting positions through `offsets` (one per byte of `s`, plus one for
    /// its end): a requirement's specifier text is its tokens glued together without the
    /// whitespace between them, and errors must point into the requirement.
    pub(crate) fn parse_mapped(
        s: &str,
        offsets: &[usize],
    ) -> Result<SpecifierSet, RequirementError> {
        let at = |i: usize| offsets.get(i).copied().unwrap_or(0);
        let mut specs = Vec::new();
        let mut start = 0;
        for part in s.split(',') {
            let (lead, text) = py_strip(part);
            let begin = start + lead;
            start += part.len() + 1;
            if text.is_empty() {
                continue;
            }
            let end = begin + text.len();
            // Map the last byte rather than the end: in a glued requirement specifier the
            // end may fall on whitespace that was skipped.
            let span = at(begin)..at(end - 1) + 1;
            let (op, version) =
                parse_specifier(text).map_err(|(message, rel)| RequirementError {
                    message,
                    offset: at(begin + rel),
                    end: span.end,
                })?;
            specs.push(Specifier {
                op,
                version: version.to_owned(),
                span,
            });
        }
        let display = display_order(&specs)?;
        Ok(SpecifierSet { specs, display })
    }

    /// The specifiers, in the order written (duplicates kept).
    pub fn iter(&self) -> impl Iterator<Item = &Specifier> {
        self.specs.iter()
    }

    /// The number of specifiers written.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether there are no specifiers (any version matches).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}

impl fmt::Display for SpecifierSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &index) in self.display.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if let Some(spec) = self.specs.get(index) {
                spec.fmt(f)?;
            }
        }
        Ok(())
    }
}

/// `packaging` keeps one specifier as is, but sorts two or more by their text and drops
/// any that equals (canonically) one before it; that needs every version to parse.
fn display_order(specs: &[Specifier]) -> Result<Vec<usize>, RequirementError> {
    if specs.len() <= 1 {
        return Ok((0..specs.len()).collect());
    }
    let texts: Vec<String> = specs.iter().map(Specifier::to_string).collect();
    let canon = specs
        .iter()
        .map(Specifier::canonical)
        .collect::<Result<Vec<_>, _>>()?;
    let mut order: Vec<usize> = (0..specs.len()).collect();
    // Stable, like Python's `sorted`, and by code point, which UTF-8 byte order preserves.
    order.sort_by(|&a, &b| texts[a].cmp(&texts[b]));
    let mut seen = HashSet::with_capacity(order.len());
    Ok(order
        .into_iter()
        .filter(|&index| seen.insert(&canon[index]))
        .collect())
}

/// Validates one specifier (already stripped, non-empty) as `Specifier.__init__` does:
/// the operator and the version text, or a message and the byte offset of the problem.
fn parse_specifier(text: &str) -> Result<(Operator, &str), (String, usize)> {
    let mut cursor = Cursor::new(text);
    match match_specifier(&mut cursor) {
        Ok(()) if cursor.at_end() => {}
        Ok(()) => return Err(trailing_message(text, cursor.pos)),
        Err(e) => return Err(e),
    }
    let op = Operator::prefix_of(text)
        .ok_or_else(|| ("expected a version specifier operator".to_owned(), 0))?;
    let (_, version) = py_strip(&text[op.as_str().len()..]);
    Ok((op, version))
}

/// Explains what follows a specifier that the regex did not take.
fn trailing_message(text: &str, pos: usize) -> (String, usize) {
    let rest = &text[pos..];
    let op = Operator::prefix_of(text).unwrap_or(Operator::Equal);
    let message = if rest.starts_with(".*") {
        match op {
            Operator::Equal | Operator::NotEqual => {
                ".* suffix cannot be used with pre-release, post-release, dev or local versions"
                    .to_owned()
            }
            _ => ".* suffix can only be used with `==` or `!=` operators".to_owned(),
        }
    } else if rest.starts_with('+') && op != Operator::ArbitraryEqual {
        "local version label can only be used with `==` or `!=` operators".to_owned()
    } else {
        let c = rest.chars().next().unwrap_or(' ');
        format!("unexpected {c:?} in version specifier")
    };
    (message, pos)
}

const PRE_WORDS: &[&str] = &["alpha", "beta", "preview", "pre", "a", "b", "c", "rc"];
const POST_WORDS: &[&str] = &["post", "rev", "r"];

/// Case-insensitive matching of an ASCII pattern letter. `packaging` leaves parts of its
/// `~=` pattern outside `(?a:...)`, where Python's Unicode case folding also lets `ı`/`İ`
/// stand for `i` and `ſ` for `s`.
fn letter_matches(pattern: u8, c: char, unicode: bool) -> bool {
    if c.is_ascii() {
        return (c as u8).eq_ignore_ascii_case(&pattern);
    }
    unicode
        && match pattern {
            b'i' => matches!(c, '\u{130}' | '\u{131}'),
            b's' => c == '\u{17f}',
            _ => false,
        }
}

/// The length in bytes of `word` at the start of `s`, if it is there.
fn word_len(s: &str, word: &str, unicode: bool) -> Option<usize> {
    let mut chars = s.char_indices();
    for w in word.bytes() {
        let (_, c) = chars.next()?;
        if !letter_matches(w, c, unicode) {
            return None;
        }
    }
    Some(chars.next().map_or(s.len(), |(i, _)| i))
}

fn first_word(s: &str, words: &[&str], unicode: bool) -> Option<usize> {
    words.iter().find_map(|w| word_len(s, w, unicode))
}

fn eat_digits(c: &mut Cursor<'_>) -> usize {
    let n = c.rest().bytes().take_while(u8::is_ascii_digit).count();
    c.pos += n;
    n
}

fn eat_sep(c: &mut Cursor<'_>) -> bool {
    matches!(c.rest().bytes().next(), Some(b'-' | b'_' | b'.')) && {
        c.pos += 1;
        true
    }
}

fn starts_with_digit(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// `[-_\.]? WORD [-_\.]? [0-9]*`, all or nothing.
fn lettered(c: &mut Cursor<'_>, words: &[&str], unicode: bool) {
    let start = c.pos;
    eat_sep(c);
    match first_word(c.rest(), words, unicode) {
        Some(len) => {
            c.pos += len;
            eat_sep(c);
            eat_digits(c);
        }
        None => c.pos = start,
    }
}

/// Emulates `re.match(Specifier._specifier_regex_str, s, pos)` (the `SPECIFIER` token):
/// on success the cursor is left at the end of the match. Every optional part of that
/// pattern is greedy and no later part can use what an earlier one took, so the first
/// path the regex engine tries is the one it returns, for `match` and `fullmatch` alike.
pub(crate) fn match_specifier(c: &mut Cursor<'_>) -> Result<(), (String, usize)> {
    let start = c.pos;
    let Some(op) = Operator::prefix_of(c.rest()) else {
        return Err((
            format!(
                "expected a version specifier operator (one of ~= == != <= >= < > ===), found {}",
                c.found()
            ),
            start,
        ));
    };
    c.pos += op.as_str().len();
    c.skip_py_space();
    if op == Operator::ArbitraryEqual {
        // Anything up to whitespace, `;` or `)`.
        let n = c
            .rest()
            .find(|ch: char| is_py_space(ch) || ch == ';' || ch == ')')
            .unwrap_or(c.rest().len());
        c.pos += n;
        return Ok(());
    }
    let unicode = op == Operator::Compatible;
    if c.rest().starts_with(['v', 'V']) {
        c.pos += 1;
    }
    let epoch_start = c.pos;
    if eat_digits(c) == 0 || !c.eat("!") {
        c.pos = epoch_start;
    }
    if eat_digits(c) == 0 {
        return Err((
            format!("expected a version after '{op}', found {}", c.found()),
            c.pos,
        ));
    }
    let mut dotted = 0;
    while c.rest().starts_with('.') && starts_with_digit(&c.rest()[1..]) {
        c.pos += 1;
        eat_digits(c);
        dotted += 1;
    }
    if op == Operator::Compatible && dotted == 0 {
        return Err((
            "~= needs a version with at least two release numbers, such as '~=1.0'".to_owned(),
            start,
        ));
    }
    if matches!(op, Operator::Equal | Operator::NotEqual) && c.eat(".*") {
        return Ok(());
    }
    lettered(c, PRE_WORDS, unicode);
    if c.rest().starts_with('-') && starts_with_digit(&c.rest()[1..]) {
        c.pos += 1;
        eat_digits(c);
    } else {
        lettered(c, POST_WORDS, unicode);
    }
    lettered(c, &["dev"], unicode);
    if matches!(op, Operator::Equal | Operator::NotEqual)
        && c.rest().starts_with('+')
        && c.rest()[1..].starts_with(|ch: char| ch.is_ascii_alphanumeric())
    {
        c.pos += 1;
        loop {
            let n = c
                .rest()
                .bytes()
                .take_while(u8::is_ascii_alphanumeric)
                .count();
            c.pos += n;
            let rest = c.rest().as_bytes();
            if rest.len() >= 2
                && matches!(rest[0], b'-' | b'_' | b'.')
                && rest[1].is_ascii_alphanumeric()
            {
                c.pos += 1;
            } else {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SpecifierSet;

    fn norm(s: &str) -> String {
        SpecifierSet::parse(s)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {}", e.message))
    }

    #[test]
    fn displays_like_packaging() {
        assert_eq!(norm(""), "");
        assert_eq!(norm(" >= 1.0A1 "), ">=1.0A1");
        assert_eq!(norm(">=1,,<2"), "<2,>=1");
        assert_eq!(norm("==1.0.0,==1.0"), "==1.0");
        assert_eq!(norm("~=1.0,~=1.0.0"), "~=1.0,~=1.0.0");
        assert_eq!(norm("==="), "===");
        assert!(norm(">=1.0.*").starts_with("error"));
        assert!(norm("~=1").starts_with("error"));
        assert!(norm("~=1.0.po\u{17f}t1,>=1").starts_with("error"));
        assert_eq!(norm("~=1.0.po\u{17f}t1"), "~=1.0.po\u{17f}t1");
    }

    #[test]
    fn large_sets_stay_linear() {
        let many = (0..50_000)
            .map(|i| format!(">={i}"))
            .collect::<Vec<_>>()
            .join(",");
        let set = SpecifierSet::parse(&many).unwrap();
        assert_eq!(set.len(), 50_000);
        assert!(set.to_string().starts_with(">=0,>=1,>=10,"));
        let same = vec!["==1.0"; 50_000].join(",");
        assert_eq!(norm(&same), "==1.0");
    }
}
