//! SPDX license expressions (PEP 639 `License-Expression`).
//!
//! Two normalisers, because the profiles disagree on purpose:
//!
//! - [`canonicalize`] is `packaging.licenses.canonicalize_license_expression` from
//!   packaging 26.3, the reference that PyPI and the packaging specs use. It is
//!   reproduced token for token, including its odd corners (see below).
//! - [`flit_canonicalize`] is flit_core 4.2.0's `normalise_compound_license_expr`,
//!   for the `flit-4.2.0` profile, which must accept, reject and write exactly what
//!   flit does.
//!
//! Both are checked against `tests/vectors/licenses.tsv`, which
//! `tools/generate_data.py` makes by running the Python originals.
//!
//! # packaging's behaviour, kept
//!
//! - Tokens are split on Python's `str.split()` whitespace (which includes
//!   U+001C..U+001F and Unicode spaces) and around parentheses; operators are
//!   case-insensitive and written uppercase; ids get the SPDX list's case.
//! - Redundant parentheses are kept; no space is written after `(` or before `)`.
//! - `+` may follow any licence id, including ids that already end in `+`
//!   (`GPL-2.0++` is accepted), but not a `LicenseRef-` or an exception.
//! - `LicenseRef-<idstring>` keeps the idstring's case, but when the same ref
//!   appears in several spellings (`LicenseRef-a OR licenseref-A`), every occurrence
//!   takes the spelling of the last one. The idstring is checked after lowercasing,
//!   so the Kelvin sign (U+212A, lowercase `k`) passes. `DocumentRef-` and
//!   `AdditionRef-` are not supported: they are unknown licences.
//! - `WITH` must sit between a licence id and an exception id: `(MIT) WITH X` is an
//!   error.
//! - packaging checks the grammar by compiling the expression as Python, so
//!   CPython 3.11's parser limits apply: more than 200 nested parentheses is a
//!   syntax error, and slightly fewer levels of operands of `AND`/`OR` inside
//!   parentheses exhaust the parser's stack (a `MemoryError` in Python; an error
//!   here).
//!
//! # flit_core 4.2.0 differs from packaging
//!
//! - Operators must be uppercase: `mit or apache-2.0` is an error
//!   ("operators must be uppercase, not 'or'").
//! - Only the ASCII space separates tokens; a tab, newline or no-break space
//!   becomes part of a token, which then is an unknown id.
//! - Its licence table is an older SPDX list without deprecated ids: `GPL-2.0`,
//!   `GPL-2.0+`, `LGPL-2.1`, `wxWindows`... and a few newer ids (`CryptoSwift`,
//!   `HDF5`, `Polyparse-exception`...) are unknown to it. (`GPL-2.0++` fails with
//!   them.)
//! - `WITH` may follow a `)`: `(MIT) WITH Classpath-exception-2.0` is accepted.
//! - Each `LicenseRef-` keeps its own spelling, and its idstring is checked as
//!   written (so the Kelvin sign is rejected).
//! - No nesting limit.
//! - It reports the first problem from the left; packaging reports grammar
//!   problems before unknown ids.
//! - `FLIT_ALLOW_INVALID` (pass an invalid expression through unchanged, with a
//!   warning) is the caller's business: [`flit_canonicalize`] never reads the
//!   environment.

mod spdx_data;

use std::collections::HashMap;
use std::fmt;

use super::version::is_py_space;

pub use spdx_data::{FLIT_CORE_VERSION, SPDX_LIST_VERSION};

/// A valid licence expression in packaging's normal form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseExpression {
    /// The expression as `canonicalize_license_expression` returns it.
    pub normalized: String,
    /// Ids the SPDX list deprecates, as they appear in `normalized` (with any `+`),
    /// each once, in order of appearance. Valid, but worth a warning.
    pub deprecated_ids: Vec<String>,
}

/// Why an expression was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseError {
    /// What is wrong, naming the offending token and what was expected there.
    pub message: String,
    /// Byte offset of the offending token in the input, when there is one.
    pub offset: Option<usize>,
}

impl LicenseError {
    fn new(message: String, offset: Option<usize>) -> Self {
        LicenseError { message, offset }
    }
}

impl fmt::Display for LicenseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LicenseError {}

/// Validates and normalises `expr` exactly as packaging 26.3's
/// `canonicalize_license_expression` does (SPDX list [`SPDX_LIST_VERSION`]).
///
/// Error messages start with packaging's own category ("Invalid license
/// expression", "Unknown license", "Unknown license exception", "Invalid
/// licenseref") and then say which token is at fault and what was expected.
pub fn canonicalize(expr: &str) -> Result<LicenseExpression, LicenseError> {
    if expr.is_empty() {
        return Err(LicenseError::new(
            "Invalid license expression: the expression is empty".into(),
            None,
        ));
    }
    let tokens = tokenize(expr, is_py_space);
    check_grammar(&tokens)?;

    // packaging maps every spelling of a ref to the spelling of its last
    // occurrence (a dict keyed by the lowercased token), before anything is checked.
    let mut ref_spelling: HashMap<String, &str> = HashMap::new();
    for tok in &tokens {
        if let Some(key) = py_lower_key(tok.text) {
            if has_licenseref_prefix(tok.text) {
                if let Some(rest) = tok.text.get(LICENSEREF.len()..) {
                    ref_spelling.insert(key, rest);
                }
            }
        }
    }

    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut deprecated_ids: Vec<String> = Vec::new();
    let mut after_license = false;
    let mut prev_with = false;
    for (i, tok) in tokens.iter().enumerate() {
        match tok.kind {
            Kind::With => {
                if !after_license {
                    let what = match i.checked_sub(1).and_then(|p| tokens.get(p)) {
                        Some(p) if prev_with || p.kind == Kind::Term => {
                            format!("the exception '{}'", p.text)
                        }
                        Some(p) => format!("'{}'", p.text),
                        None => "the start".into(),
                    };
                    return Err(syntax(
                        tok,
                        &format!("'WITH' must follow a license ID, not {what}"),
                    ));
                }
                match tokens.get(i + 1) {
                    Some(next) if next.kind == Kind::Term => {}
                    Some(next) => {
                        return Err(syntax(
                            next,
                            &format!(
                                "'WITH' must be followed by a license exception ID, not '{}'",
                                next.text
                            ),
                        ))
                    }
                    None => {
                        return Err(syntax(
                            tok,
                            "'WITH' at the end, where a license exception ID should follow",
                        ))
                    }
                }
                out.push("WITH".into());
                after_license = false;
                prev_with = true;
                continue;
            }
            Kind::And | Kind::Or | Kind::Open | Kind::Close => {
                let text = match tok.kind {
                    Kind::And => "AND",
                    Kind::Or => "OR",
                    Kind::Open => "(",
                    _ => ")",
                };
                out.push(text.into());
                after_license = false;
                prev_with = false;
                continue;
            }
            Kind::Term => {}
        }

        if prev_with {
            let entry = py_lower_key(tok.text).and_then(|k| lookup(spdx_data::EXCEPTIONS, &k));
            let Some((id, flags)) = entry else {
                return Err(unknown_exception(tok));
            };
            if flags & spdx_data::DEPRECATED != 0 {
                push_unique(&mut deprecated_ids, id);
            }
            out.push(id.into());
            after_license = false;
            prev_with = false;
            continue;
        }

        let (base, plus) = match tok.text.strip_suffix('+') {
            Some(base) => (base, "+"),
            None => (tok.text, ""),
        };
        if has_licenseref_prefix(base) {
            let key = py_lower_key(base);
            let idstring_ok = key
                .as_deref()
                .and_then(|k| k.get(LICENSEREF.len()..))
                .is_some_and(|id| {
                    !id.is_empty()
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                });
            let spelling = key.and_then(|k| ref_spelling.get(&k).copied());
            match spelling {
                Some(rest) if idstring_ok && plus.is_empty() => {
                    out.push(format!("LicenseRef-{rest}"));
                }
                _ => return Err(invalid_licenseref(tok, !plus.is_empty())),
            }
        } else {
            let entry = py_lower_key(base).and_then(|k| lookup(spdx_data::LICENSES, &k));
            let Some((id, flags)) = entry else {
                return Err(unknown_license(tok, base));
            };
            let written = format!("{id}{plus}");
            if flags & spdx_data::DEPRECATED != 0 {
                push_unique(&mut deprecated_ids, &written);
            }
            out.push(written);
        }
        after_license = true;
        prev_with = false;
    }

    Ok(LicenseExpression {
        normalized: join_tokens(&out),
        deprecated_ids,
    })
}

/// Validates and normalises `expr` exactly as flit_core 4.2.0's
/// `normalise_compound_license_expr` does, with flit's own (older) SPDX table.
///
/// Messages are flit's: the reason for a grammar error ("operators must be
/// uppercase, not 'or'"), or flit's sentence about the unknown id.
pub fn flit_canonicalize(expr: &str) -> Result<String, LicenseError> {
    if expr.chars().all(is_py_space) {
        return Err(LicenseError::new(
            "The SPDX license expression must not be empty".into(),
            None,
        ));
    }
    let tokens = tokenize(expr, |c| c == ' ');

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Part {
        Op,
        With,
        Open,
        Close,
        License,
        Exception,
    }
    let flit_err = |tok: &Token<'_>, reason: String| LicenseError::new(reason, Some(tok.start));

    let mut parts: Vec<Part> = Vec::with_capacity(tokens.len());
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut open: usize = 0;
    for tok in &tokens {
        let last = parts.last().copied();
        let after_operator = matches!(last, Some(Part::Op | Part::With | Part::Open));
        match tok.text {
            "WITH" => {
                if last.is_none() || after_operator || last == Some(Part::Exception) {
                    return Err(flit_err(
                        tok,
                        "a license ID is missing before 'WITH'".into(),
                    ));
                }
                parts.push(Part::With);
                out.push(" WITH ".into());
            }
            "AND" | "OR" => {
                if last.is_none() || after_operator {
                    return Err(flit_err(
                        tok,
                        format!("a license ID is missing before '{}'", tok.text),
                    ));
                }
                parts.push(Part::Op);
                out.push(format!(" {} ", tok.text));
            }
            t if is_operator_word(t) => {
                return Err(flit_err(
                    tok,
                    format!("operators must be uppercase, not '{t}'"),
                ));
            }
            "(" => {
                if !matches!(last, None | Some(Part::Op | Part::Open)) {
                    return Err(flit_err(
                        tok,
                        "'(' must follow either AND, OR, or '('".into(),
                    ));
                }
                open += 1;
                parts.push(Part::Open);
                out.push("(".into());
            }
            ")" => {
                if last.is_none() || after_operator {
                    return Err(flit_err(tok, "a license ID is missing before ')'".into()));
                }
                let Some(depth) = open.checked_sub(1) else {
                    return Err(flit_err(tok, "unbalanced brackets".into()));
                };
                open = depth;
                parts.push(Part::Close);
                out.push(")".into());
            }
            text => {
                if last.is_some() && !after_operator {
                    return Err(flit_err(
                        tok,
                        "a license or exception ID must follow AND, OR, WITH, or '('".into(),
                    ));
                }
                if last == Some(Part::With) {
                    let id = py_lower_key(text)
                        .and_then(|k| lookup(spdx_data::EXCEPTIONS, &k))
                        .filter(|(_, flags)| flags & spdx_data::FLIT != 0);
                    let Some((id, _)) = id else {
                        return Err(flit_err(
                            tok,
                            format!(
                                "{} is not a recognised SPDX license exception ID",
                                py_repr(text)
                            ),
                        ));
                    };
                    parts.push(Part::Exception);
                    out.push(id.into());
                } else {
                    out.push(flit_simple_expression(tok)?);
                    parts.push(Part::License);
                }
            }
        }
    }

    if open != 0 {
        return Err(LicenseError::new("unbalanced brackets".into(), None));
    }
    if let Some(Part::Op | Part::With) = parts.last() {
        let op = out.last().map_or("", |s| s.trim());
        return Err(LicenseError::new(
            format!("a license ID or expression should follow '{op}'"),
            tokens.last().map(|t| t.start),
        ));
    }
    Ok(out.concat())
}

/// flit's `normalise_simple_license_expr`: one id, a `+` form or a `LicenseRef-`.
fn flit_simple_expression(tok: &Token<'_>) -> Result<String, LicenseError> {
    let text = tok.text;
    if has_licenseref_prefix(text) {
        // flit checks the idstring as written, unlike packaging.
        let rest = text.get(LICENSEREF.len()..).unwrap_or("");
        if !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Ok(format!("LicenseRef-{rest}"));
        }
        return Err(LicenseError::new(
            "LicenseRef- license expression can only contain ASCII letters & digits, - and ."
                .into(),
            Some(tok.start),
        ));
    }
    let (base, plus) = match text.strip_suffix('+') {
        Some(base) => (base, "+"),
        None => (text, ""),
    };
    py_lower_key(base)
        .and_then(|k| lookup(spdx_data::LICENSES, &k))
        .filter(|(_, flags)| flags & spdx_data::FLIT != 0)
        .map(|(id, _)| format!("{id}{plus}"))
        .ok_or_else(|| {
            LicenseError::new(
                format!("{} is not a recognised SPDX license ID", py_repr(text)),
                Some(tok.start),
            )
        })
}

const LICENSEREF: &str = "licenseref-";

/// CPython's tokenizer refuses a 201st open parenthesis.
const PY_MAX_PAREN_DEPTH: usize = 200;

/// CPython 3.11's PEG parser raises `MemoryError` once its recursion passes 6,000
/// rule calls. Measured in units of one `and`/`or` operand position, an operand
/// costs 14 per enclosing parenthesis plus 1 for each enclosing position (its own
/// included) that is a non-first operand of `or` (or `WITH`, which packaging
/// turns into `or`) and 1 for each that is a non-first operand of `and`; the
/// parser fails when some operand reaches 2,988. Checked against CPython 3.11.7
/// on thousands of shapes at the boundary.
const PY_COST_PER_PAREN: usize = 14;
const PY_STACK_BUDGET: usize = 2988;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    And,
    Or,
    With,
    Open,
    Close,
    Term,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
}

/// Splits on `is_space` runs and around each parenthesis (packaging pads them
/// with spaces, flit splits on them), classifying operator words
/// case-insensitively. Only ASCII letters lowercase to `and`/`or`/`with`, so
/// the ASCII comparison matches Python's `str.lower()` here.
fn tokenize<'a>(expr: &'a str, is_space: impl Fn(char) -> bool) -> Vec<Token<'a>> {
    fn push<'a>(tokens: &mut Vec<Token<'a>>, expr: &'a str, from: usize, to: usize) {
        if let Some(text) = expr.get(from..to) {
            tokens.push(Token {
                kind: classify(text),
                text,
                start: from,
            });
        }
    }
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in expr.char_indices() {
        if c == '(' || c == ')' || is_space(c) {
            if let Some(from) = start.take() {
                push(&mut tokens, expr, from, i);
            }
            if c == '(' || c == ')' {
                push(&mut tokens, expr, i, i + 1);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(from) = start {
        push(&mut tokens, expr, from, expr.len());
    }
    tokens
}

fn classify(text: &str) -> Kind {
    match text {
        "(" => Kind::Open,
        ")" => Kind::Close,
        t if t.eq_ignore_ascii_case("and") => Kind::And,
        t if t.eq_ignore_ascii_case("or") => Kind::Or,
        t if t.eq_ignore_ascii_case("with") => Kind::With,
        _ => Kind::Term,
    }
}

fn is_operator_word(text: &str) -> bool {
    matches!(classify(text), Kind::And | Kind::Or | Kind::With)
}

/// Python's `text.lower()` when that is ASCII, else `None`. Every table key is
/// ASCII, so a token whose lowercase is not can match nothing. Besides ASCII,
/// only the Kelvin sign lowercases to ASCII (`k`), in Python and Unicode alike.
fn py_lower_key(text: &str) -> Option<String> {
    text.chars()
        .map(|c| match c {
            '\u{212a}' => Some('k'),
            c if c.is_ascii() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Whether `text.lower().startswith("licenseref-")` in Python. No non-ASCII
/// character lowercases to any of these letters, so an ASCII comparison is exact.
fn has_licenseref_prefix(text: &str) -> bool {
    text.get(..LICENSEREF.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(LICENSEREF))
}

/// Binary search in a table sorted by lowercased id.
fn lookup(table: &'static [(&'static str, u8)], key: &str) -> Option<(&'static str, u8)> {
    table
        .binary_search_by(|(id, _)| id.bytes().map(|b| b.to_ascii_lowercase()).cmp(key.bytes()))
        .ok()
        .and_then(|i| table.get(i).copied())
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|d| d == id) {
        list.push(id.to_string());
    }
}

/// packaging's output: tokens joined by single spaces, except inside parentheses.
fn join_tokens(pieces: &[String]) -> String {
    let mut s = String::new();
    let mut prev: Option<&str> = None;
    for piece in pieces {
        if let Some(p) = prev {
            if p != "(" && piece != ")" {
                s.push(' ');
            }
        }
        s.push_str(piece);
        prev = Some(piece);
    }
    s
}

/// The grammar packaging enforces by compiling the expression as Python (with
/// `WITH` as `or`, ids as `False`) after rejecting `(` that would make a call and
/// `()` that would make a tuple: operands and binary operators alternate, and
/// parentheses balance. Also CPython's nesting limits (see the constants).
fn check_grammar(tokens: &[Token<'_>]) -> Result<(), LicenseError> {
    if tokens.is_empty() {
        return Err(LicenseError::new(
            "Invalid license expression: the expression is only whitespace".into(),
            Some(0),
        ));
    }

    // Per open parenthesis: the parser cost above it, and whether the group sits
    // after an `or` and after an `and` within its parent.
    struct Level<'t, 'a> {
        open: &'t Token<'a>,
        cost: usize,
        after_or: bool,
        after_and: bool,
    }
    let mut levels: Vec<Level<'_, '_>> = Vec::new();
    let mut cost = 0usize;
    let mut after_or = false;
    let mut after_and = false;
    let mut prev: Option<&Token<'_>> = None;
    let expect_operand = |prev: Option<&Token<'_>>| {
        prev.is_none_or(|p| matches!(p.kind, Kind::And | Kind::Or | Kind::With | Kind::Open))
    };

    for tok in tokens {
        let want_operand = expect_operand(prev);
        match tok.kind {
            Kind::Term | Kind::Open if !want_operand => {
                let prev_text = prev.map_or("", |p| p.text);
                return Err(syntax(
                    tok,
                    &format!(
                        "'{}' after '{prev_text}', where AND, OR, WITH or ')' was expected",
                        tok.text
                    ),
                ));
            }
            Kind::And | Kind::Or | Kind::With | Kind::Close if want_operand => {
                let what = match prev {
                    Some(p) if p.kind == Kind::Open && tok.kind == Kind::Close => {
                        return Err(syntax(tok, "empty parentheses '()'"));
                    }
                    Some(p) => format!("'{}' after '{}'", tok.text, p.text),
                    None => format!("'{}' at the start", tok.text),
                };
                return Err(syntax(
                    tok,
                    &format!("{what}, where a license ID or '(' was expected"),
                ));
            }
            Kind::Term => {
                let here = levels.len() * PY_COST_PER_PAREN
                    + cost
                    + usize::from(after_or)
                    + usize::from(after_and);
                if here >= PY_STACK_BUDGET {
                    return Err(syntax(
                        tok,
                        &format!(
                            "'{}' is nested too deeply (under {} parentheses) for CPython's \
                             parser, which packaging uses to check the expression",
                            tok.text,
                            levels.len()
                        ),
                    ));
                }
            }
            Kind::Open => {
                if levels.len() >= PY_MAX_PAREN_DEPTH {
                    return Err(syntax(
                        tok,
                        &format!(
                            "parentheses nested more than {PY_MAX_PAREN_DEPTH} deep, \
                             which CPython's parser refuses"
                        ),
                    ));
                }
                levels.push(Level {
                    open: tok,
                    cost,
                    after_or,
                    after_and,
                });
                cost += usize::from(after_or) + usize::from(after_and);
                after_or = false;
                after_and = false;
            }
            Kind::Close => {
                let Some(level) = levels.pop() else {
                    return Err(syntax(tok, "')' without a matching '('"));
                };
                cost = level.cost;
                after_or = level.after_or;
                after_and = level.after_and;
            }
            Kind::And => after_and = true,
            Kind::Or | Kind::With => {
                after_or = true;
                after_and = false;
            }
        }
        prev = Some(tok);
    }

    if let Some(last) = prev {
        if expect_operand(prev) {
            return Err(syntax(
                last,
                &format!(
                    "the expression ends after '{}', where a license ID or '(' was expected",
                    last.text
                ),
            ));
        }
    }
    if let Some(level) = levels.last() {
        return Err(syntax(level.open, "'(' is never closed"));
    }
    Ok(())
}

fn syntax(tok: &Token<'_>, detail: &str) -> LicenseError {
    LicenseError::new(
        format!("Invalid license expression: {detail}"),
        Some(tok.start),
    )
}

fn unknown_license(tok: &Token<'_>, base: &str) -> LicenseError {
    let hint = if py_lower_key(base)
        .and_then(|k| lookup(spdx_data::EXCEPTIONS, &k))
        .is_some()
    {
        "it is a license exception, which goes after 'WITH'".to_string()
    } else {
        format!(
            "not an SPDX license ID (SPDX license list {SPDX_LIST_VERSION}); \
             use 'LicenseRef-<name>' for other licenses"
        )
    };
    LicenseError::new(
        format!("Unknown license '{}': {hint}", tok.text),
        Some(tok.start),
    )
}

fn unknown_exception(tok: &Token<'_>) -> LicenseError {
    let hint = if py_lower_key(tok.text.strip_suffix('+').unwrap_or(tok.text))
        .and_then(|k| lookup(spdx_data::LICENSES, &k))
        .is_some()
    {
        "it is a license, and only a license exception may follow 'WITH'".to_string()
    } else if tok.text.ends_with('+') {
        "a license exception takes no '+'".to_string()
    } else {
        format!("not an SPDX license exception ID (SPDX license list {SPDX_LIST_VERSION})")
    };
    LicenseError::new(
        format!(
            "Unknown license exception '{}' after 'WITH': {hint}",
            tok.text
        ),
        Some(tok.start),
    )
}

fn invalid_licenseref(tok: &Token<'_>, plus: bool) -> LicenseError {
    let detail = if plus {
        "a LicenseRef takes no '+'"
    } else {
        "after 'LicenseRef-' there must be one or more ASCII letters, digits, '.' or '-'"
    };
    LicenseError::new(
        format!("Invalid licenseref '{}': {detail}", tok.text),
        Some(tok.start),
    )
}

/// Python's `repr()` of a string, for flit's messages. Exact for ASCII and for
/// the characters licence tokens plausibly contain; other unprintable characters
/// are escaped where Python would, as far as a table-free check can tell.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => {
                let n = c as u32;
                let escaped = if n < 0x100 {
                    format!("\\x{n:02x}")
                } else if n < 0x10000 {
                    format!("\\u{n:04x}")
                } else {
                    format!("\\U{n:08x}")
                };
                out.push_str(&escaped);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for the characters that matter here: controls,
/// separators other than the space, and the common invisible format characters.
fn py_printable(c: char) -> bool {
    !(c.is_control()
        || (c != ' ' && is_py_space(c))
        || c == '\u{ad}'
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        canonicalize(s)
            .map(|e| e.normalized)
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn normal_forms() {
        assert_eq!(norm("mit"), "MIT");
        assert_eq!(
            norm("mit and (apache-2.0 or bsd-2-clause)"),
            "MIT AND (Apache-2.0 OR BSD-2-Clause)"
        );
        assert_eq!(norm(" ( (MIT) )or\t0bsd "), "((MIT)) OR 0BSD");
        assert_eq!(
            norm("LicenseRef-Foo OR licenseref-FOO"),
            "LicenseRef-FOO OR LicenseRef-FOO"
        );
        assert_eq!(norm("gpl-2.0++"), "GPL-2.0++");
    }

    #[test]
    fn deprecated_ids_are_reported_once() {
        let e = canonicalize("GPL-2.0 OR gpl-2.0 OR GPL-2.0+ OR MIT WITH nokia-qt-exception-1.1")
            .unwrap();
        assert_eq!(
            e.deprecated_ids,
            ["GPL-2.0", "GPL-2.0+", "Nokia-Qt-exception-1.1"]
        );
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = canonicalize("MIT OR Foo").unwrap_err();
        assert_eq!(e.offset, Some(7));
        assert!(
            e.message.starts_with("Unknown license 'Foo'"),
            "{}",
            e.message
        );
        let e = canonicalize("MIT OR").unwrap_err();
        assert_eq!(e.offset, Some(4));
        assert!(e.message.contains("ends after 'OR'"), "{}", e.message);
        let e = canonicalize("MIT WITH MIT").unwrap_err();
        assert!(e.message.contains("it is a license"), "{}", e.message);
        let e = canonicalize("(MIT").unwrap_err();
        assert_eq!(e.offset, Some(0));
    }

    #[test]
    fn flit_messages() {
        assert_eq!(
            flit_canonicalize("mit OR apache-2.0").unwrap(),
            "MIT OR Apache-2.0"
        );
        let e = flit_canonicalize("mit or apache-2.0").unwrap_err();
        assert_eq!(e.message, "operators must be uppercase, not 'or'");
        assert_eq!(e.offset, Some(4));
        let e = flit_canonicalize("Foo").unwrap_err();
        assert_eq!(e.message, "'Foo' is not a recognised SPDX license ID");
        assert_eq!(
            flit_canonicalize("(MIT) WITH LLVM-exception").unwrap(),
            "(MIT) WITH LLVM-exception"
        );
    }

    #[test]
    fn repr_matches_python_for_common_cases() {
        assert_eq!(py_repr("Foo"), "'Foo'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\tb\u{0}\u{a0}é"), "'a\\tb\\x00\\xa0é'");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "(",
            ")",
            "+",
            "\u{212a}",
            "LicenseRef-\u{212a}",
            "licenseref-",
            "LicenseRef-é",
            "WITH",
            "\u{0}",
            "((((",
            "))))",
            "é(é)é",
            "MIT WITH",
            "a\u{2028}b",
        ];
        for s in samples {
            let _ = canonicalize(s);
            let _ = flit_canonicalize(s);
        }
        let deep = format!("{}MIT{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(canonicalize(&deep).is_err());
        assert_eq!(flit_canonicalize(&deep).map(|s| s.len()), Ok(deep.len()));
        let long = vec!["MIT"; 50_000].join(" OR ");
        assert_eq!(canonicalize(&long).map(|e| e.normalized), Ok(long.clone()));
    }
}
