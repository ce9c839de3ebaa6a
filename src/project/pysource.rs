//! Reads `__version__` and the module docstring from Python source without executing it.
//!
//! flit_core 4.x (`common.get_docstring_and_version_via_ast`) calls `ast.parse` on the raw
//! bytes of each version file and then looks only at the module body:
//!
//! * the version is the value of the first top-level `Assign`/`AnnAssign` whose value is an
//!   `ast.Constant` and one of whose targets is the plain name `__version__`;
//! * the docstring is `ast.get_docstring(tree)`, i.e. the first statement when it is a `str`
//!   constant expression, passed through `inspect.cleandoc`.
//!
//! We reproduce that by tokenising like CPython's tokenizer (encoding detection, indentation,
//! brackets, every string and number form, PEP 701 f-strings) and recognising only the few
//! statement shapes that matter; everything else is "some other statement". No Python is
//! executed and no full parser is needed.
//!
//! What is and is not detected as a syntax error: everything the tokenizer rejects (bad
//! indentation, unterminated strings, unbalanced brackets, malformed numbers and escapes,
//! undecodable source), empty or misplaced statements, blocks that are missing or unexpected,
//! and invalid assignment targets. Errors deeper in expressions (`x = 1 +`, `def f(:`,
//! Python 2 `print "x"`) and inside f-string replacement fields are not detected; such files
//! still yield whatever the recognised statements say. Identifiers are not checked against
//! Unicode's XID tables either.
//!
//! Target Python: checked against CPython 3.11, 3.12 and 3.13 (tests/pysource_differential.rs).
//! The tokenizer accepts PEP 701 f-strings and PEP 750 t-strings, which older versions reject;
//! 3.8–3.10 differ from us only on invalid-or-not corners (indentation after a backslash at
//! the start of a line, `(*a) = x`). `inspect.cleandoc` follows 3.8–3.12 (see [`cleandoc`]).

mod decode;
mod lexer;
mod literal;
mod nfkc;
mod stmt;

use std::fmt;

use super::version::is_py_space;

/// A Python literal constant (`ast.Constant`) as found on the right of `__version__ =`.
///
/// Numbers keep their source text (`0x_1F`, `1_0.5e3j`), since converting them is the caller's
/// business and Python's integers are unbounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constant {
    /// A `str` literal, possibly implicitly concatenated, fully decoded.
    Str(String),
    /// A `bytes` literal, possibly implicitly concatenated, fully decoded.
    Bytes(Vec<u8>),
    /// An `int` literal, as written.
    Int(String),
    /// A `float` literal, as written.
    Float(String),
    /// An imaginary literal such as `1j`, as written.
    Complex(String),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// `...`.
    Ellipsis,
}

impl Constant {
    /// Python's name for the constant's type, as in flit's
    /// `__version__ must be a string, not <class 'float'>.`
    pub fn python_type_name(&self) -> &'static str {
        match self {
            Constant::Str(_) => "str",
            Constant::Bytes(_) => "bytes",
            Constant::Int(_) => "int",
            Constant::Float(_) => "float",
            Constant::Complex(_) => "complex",
            Constant::Bool(_) => "bool",
            Constant::None => "NoneType",
            Constant::Ellipsis => "ellipsis",
        }
    }

    /// Python truthiness. flit treats a falsy version (`""`, `0`, `None`, `False`, `0.0`,
    /// `b""`, ...) as "no version found" and falls back to importing the module, and only
    /// then complains about a non-`str` type.
    pub fn is_truthy(&self) -> bool {
        match self {
            Constant::Str(s) => !s.is_empty(),
            Constant::Bytes(b) => !b.is_empty(),
            Constant::Int(text) => literal::int_is_nonzero(text),
            Constant::Float(text) => literal::float_is_nonzero(text),
            Constant::Complex(text) => literal::float_is_nonzero(text.trim_end_matches(['j', 'J'])),
            Constant::Bool(b) => *b,
            Constant::None => false,
            Constant::Ellipsis => true,
        }
    }
}

/// What `ast` says about one source file.
///
/// The whole-file result of [`read_module_facts`] fails when `ast.parse` would. Each field is a
/// `Result` of its own because a field can need something we deliberately do not carry (the
/// Unicode name database for `\N{...}`, lone surrogates) while the other field is fine; such a
/// field is an error of kind [`PySourceErrorKind::Unsupported`], never a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFacts {
    /// `ast.get_docstring(tree)` (with `clean=True`): `None` when the first statement is not a
    /// `str` constant.
    pub docstring: Result<Option<String>, PySourceError>,
    /// The value of the first top-level `__version__ = <constant>` (or `__version__: T =
    /// <constant>`, or a chained assignment with `__version__` among its targets), whatever its
    /// type; `None` when there is none.
    pub version: Result<Option<Constant>, PySourceError>,
}

/// Why a source file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PySourceErrorKind {
    /// Python's `ast.parse` would fail too (`SyntaxError`, or `ValueError` for NUL bytes).
    Syntax,
    /// Python might accept this, but we cannot compute the answer without executing or
    /// carrying more data (an encoding other than UTF-8/Latin-1/ASCII/cp1252, a `\N{...}`
    /// escape, a lone surrogate).
    Unsupported,
}

/// An error with a 1-based line and column (in characters of the decoded source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PySourceError {
    /// Whether Python would fail as well.
    pub kind: PySourceErrorKind,
    /// A human-readable message, close to CPython's where there is one.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for PySourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for PySourceError {}

/// Which top-level assignments to `__version__` count, as flit's AST reading changed:
/// plain `__version__ = "1"` always; the others from the release named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionRule {
    /// `a = __version__ = "1"` (flit ≥ 3.8).
    pub chained: bool,
    /// `__version__: str = "1"` (flit ≥ 3.12).
    pub annotated: bool,
    /// Any constant, not only a `str` (flit ≥ 3.11 tests `ast.Constant`, before `ast.Str`).
    pub any_constant: bool,
}

impl VersionRule {
    /// flit ≥ 3.12 and the native profile.
    pub const NEWEST: VersionRule = VersionRule {
        chained: true,
        annotated: true,
        any_constant: true,
    };
}

/// Parses `source` (the bytes of a `.py` file) the way `ast.parse` would and returns its
/// docstring and `__version__` constant.
pub fn read_module_facts(source: &[u8]) -> Result<ModuleFacts, PySourceError> {
    read_module_facts_for(source, VersionRule::NEWEST)
}

/// `read_module_facts`, counting only the `__version__` assignments `rule` accepts.
pub fn read_module_facts_for(
    source: &[u8],
    rule: VersionRule,
) -> Result<ModuleFacts, PySourceError> {
    let decoded = decode::decode(source)?;
    let chars = &decoded.chars;
    let locate = Locator::new(chars);
    let lexed = lexer::tokenize(chars).map_err(|f| locate.error(f))?;
    decode::check_invalid_bytes(&decoded, &lexed.comments).map_err(|f| locate.error(f))?;
    let found = stmt::analyse(&lexed.tokens, rule).map_err(|f| locate.error(f))?;

    let docstring = match found.docstring {
        None => Ok(None),
        Some(parts) => stmt::string_value(chars, &parts)
            .map(|text| Some(cleandoc(&text)))
            .map_err(|f| locate.error(f)),
    };
    let version = match found.version {
        None => Ok(None),
        Some(value) => stmt::constant_value(chars, &value)
            .map(Some)
            .map_err(|f| locate.error(f)),
    };
    Ok(ModuleFacts { docstring, version })
}

/// `inspect.cleandoc` as in CPython 3.8–3.12: expand tabs, strip the first line's leading
/// whitespace and the common indentation of the others, drop leading and trailing blank lines.
///
/// CPython 3.13 changed `lstrip()` to `lstrip(' ')` here, so it keeps leading form feeds and
/// other non-space whitespace that this version strips. flit's summary (`lstrip()` of the
/// docstring, then its first line) comes out the same either way unless the docstring is
/// whitespace only.
pub fn cleandoc(doc: &str) -> String {
    let expanded = expand_tabs(doc);
    let mut lines: Vec<&[char]> = expanded.split(|&c| c == '\n').collect();
    let margin = lines[1..]
        .iter()
        .filter_map(|line| {
            let indent = line.iter().take_while(|&&c| is_py_space(c)).count();
            (indent < line.len()).then_some(indent)
        })
        .min();
    let first = lines[0];
    lines[0] = &first[first.iter().take_while(|&&c| is_py_space(c)).count()..];
    if let Some(margin) = margin {
        for line in &mut lines[1..] {
            *line = &line[margin.min(line.len())..];
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let leading = lines.iter().take_while(|l| l.is_empty()).count();
    let mut out = String::with_capacity(doc.len());
    for (i, line) in lines[leading..].iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.extend(line.iter());
    }
    out
}

/// flit's summary line: `docstring.lstrip().splitlines()[0]`, or `None` where flit raises
/// `NoDocstringError` (`not docstring.strip()`). Trailing whitespace is kept, as flit keeps it.
///
/// Python's whitespace and line boundaries are wider than `\n` and spaces: `\x0b`, `\x0c`,
/// `\x1c`..`\x1e`, `\x85`, U+2028 and U+2029 end a line too.
pub fn summary(docstring: &str) -> Option<&str> {
    let text = docstring.trim_start_matches(is_py_space);
    if text.is_empty() {
        return None;
    }
    let end = text
        .find([
            '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}',
        ])
        .unwrap_or(text.len());
    Some(&text[..end])
}

/// `str.expandtabs()` with the default tab size of 8; the column restarts after `\n` and `\r`.
fn expand_tabs(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut column = 0usize;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', n));
                column += n;
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// An error found while scanning, positioned by character index in the decoded source.
#[derive(Debug)]
struct Fail {
    kind: PySourceErrorKind,
    message: String,
    pos: usize,
}

impl Fail {
    fn syntax(pos: usize, message: impl Into<String>) -> Fail {
        Fail {
            kind: PySourceErrorKind::Syntax,
            message: message.into(),
            pos,
        }
    }

    fn unsupported(pos: usize, message: impl Into<String>) -> Fail {
        Fail {
            kind: PySourceErrorKind::Unsupported,
            message: message.into(),
            pos,
        }
    }
}

/// Turns character indices into 1-based line and column numbers.
struct Locator {
    line_starts: Vec<usize>,
}

impl Locator {
    fn new(chars: &[char]) -> Locator {
        let mut line_starts = vec![0];
        line_starts.extend(
            chars
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == '\n')
                .map(|(i, _)| i + 1),
        );
        Locator { line_starts }
    }

    fn error(&self, fail: Fail) -> PySourceError {
        let line = self.line_starts.partition_point(|&s| s <= fail.pos).max(1);
        PySourceError {
            kind: fail.kind,
            message: fail.message,
            line,
            column: fail.pos - self.line_starts[line - 1] + 1,
        }
    }
}

#[cfg(test)]
mod tests;
