//! PEP 440 versions, parsed and normalised exactly as `packaging.version.Version` 26.3 does.
//!
//! `packaging` matches one regular expression (with possessive quantifiers) against the
//! whole string. There is no regex crate here, so the parser below walks the same pattern
//! by hand; because every quantifier in it is possessive or cannot usefully backtrack, a
//! single greedy left-to-right pass accepts exactly the same strings.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// CPython refuses `int()` on strings of more digits than this (the default of
/// `sys.get_int_max_str_digits()`), so `packaging` raises on such a version and we reject it.
pub(crate) const MAX_INT_DIGITS: usize = 4300;

/// Python's `str.isspace()`: the set `\s` matches in a `str` pattern and `str.strip()` removes.
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `s.strip()`: the stripped text and the byte offset where it starts in `s`.
pub(crate) fn py_strip(s: &str) -> (usize, &str) {
    let head = s.trim_start_matches(is_py_space);
    (s.len() - head.len(), head.trim_end_matches(is_py_space))
}

/// A non-negative integer of any size (`packaging` uses Python ints), kept as its decimal
/// digits without leading zeros so that normalisation never overflows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// `digits` must be ASCII digits; `None` past Python's int conversion limit.
    fn from_ascii_digits(digits: &str) -> Option<Number> {
        if digits.len() > MAX_INT_DIGITS {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        Some(Number(
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
        ))
    }

    fn zero() -> Number {
        Number("0".to_owned())
    }

    /// The decimal digits, without leading zeros (`"0"` for zero).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value, if it fits in a `u64`.
    pub fn to_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == "0"
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number(n.to_string())
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        // Without leading zeros, a longer digit string is a larger number.
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of a pre-release, after normalisation (`alpha` → `a`, `c`/`pre`/`preview` → `rc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreRelease {
    /// `a`
    Alpha,
    /// `b`
    Beta,
    /// `rc`
    ReleaseCandidate,
}

impl PreRelease {
    /// The normalised spelling: `a`, `b` or `rc`.
    pub fn as_str(self) -> &'static str {
        match self {
            PreRelease::Alpha => "a",
            PreRelease::Beta => "b",
            PreRelease::ReleaseCandidate => "rc",
        }
    }
}

/// One dot-separated part of a local version label.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LocalSegment {
    /// An all-digit part, compared numerically.
    Number(Number),
    /// Any other part, lowercased.
    Text(String),
}

impl Ord for LocalSegment {
    /// PEP 440: text parts sort before numeric ones.
    fn cmp(&self, other: &LocalSegment) -> Ordering {
        match (self, other) {
            (LocalSegment::Number(a), LocalSegment::Number(b)) => a.cmp(b),
            (LocalSegment::Text(a), LocalSegment::Text(b)) => a.cmp(b),
            (LocalSegment::Text(_), LocalSegment::Number(_)) => Ordering::Less,
            (LocalSegment::Number(_), LocalSegment::Text(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for LocalSegment {
    fn partial_cmp(&self, other: &LocalSegment) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for LocalSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalSegment::Number(n) => n.fmt(f),
            LocalSegment::Text(t) => f.write_str(t),
        }
    }
}

/// Why a string is not a version, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError {
    /// What was expected and what was found.
    pub message: String,
    /// Byte offset in the input of the first character that could not be accepted.
    pub offset: usize,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VersionError {}

/// A PEP 440 version.
///
/// `Display` gives the normal form, identical to `str(packaging.version.Version(s))`.
/// Equality, ordering and hashing follow PEP 440 (so `1.0 == 1.0.0`); compare the
/// `to_string()` forms to compare spellings.
#[derive(Clone, Debug)]
pub struct Version {
    epoch: Number,
    release: Vec<Number>,
    pre: Option<(PreRelease, Number)>,
    post: Option<Number>,
    dev: Option<Number>,
    local: Option<Vec<LocalSegment>>,
}

impl Version {
    /// Parses `input` as `packaging.version.Version(input)` would: case-insensitive,
    /// surrounding whitespace and a leading `v` allowed, every PEP 440 alternative spelling.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let (start, body) = py_strip(input);
        Parser {
            input,
            pos: start,
            end: start + body.len(),
            stage: Stage::Start,
        }
        .version()
    }

    /// The epoch (`N!`), zero when absent.
    pub fn epoch(&self) -> &Number {
        &self.epoch
    }

    /// The release numbers, as written (trailing zeros kept).
    pub fn release(&self) -> &[Number] {
        &self.release
    }

    /// The pre-release kind and number, if any.
    pub fn pre(&self) -> Option<(PreRelease, &Number)> {
        self.pre.as_ref().map(|(kind, n)| (*kind, n))
    }

    /// The post-release number, if any.
    pub fn post(&self) -> Option<&Number> {
        self.post.as_ref()
    }

    /// The development release number, if any.
    pub fn dev(&self) -> Option<&Number> {
        self.dev.as_ref()
    }

    /// The local label's parts, if any.
    pub fn local(&self) -> Option<&[LocalSegment]> {
        self.local.as_deref()
    }

    /// Whether there is a local label (`+...`); PyPI refuses such versions.
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// `packaging`'s `is_prerelease`: a pre-release or a development release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// Whether there is a post-release segment.
    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    /// Whether there is a development release segment.
    pub fn is_devrelease(&self) -> bool {
        self.dev.is_some()
    }

    /// The normal form without the local label (`packaging`'s `public`).
    pub fn public(&self) -> String {
        let mut s = String::new();
        self.write_public(&mut s);
        s
    }

    /// Epoch and release only (`packaging`'s `base_version`).
    pub fn base_version(&self) -> String {
        let mut s = String::new();
        self.write_base(&mut s, false);
        s
    }

    fn write_base(&self, out: &mut String, trim_zeros: bool) {
        if !self.epoch.is_zero() {
            out.push_str(self.epoch.as_str());
            out.push('!');
        }
        let release = if trim_zeros {
            trimmed_release(&self.release, 1)
        } else {
            &self.release
        };
        for (i, n) in release.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(n.as_str());
        }
    }

    fn write_public(&self, out: &mut String) {
        self.write_base(out, false);
        self.write_suffix(out);
    }

    fn write_suffix(&self, out: &mut String) {
        if let Some((kind, n)) = &self.pre {
            out.push_str(kind.as_str());
            out.push_str(n.as_str());
        }
        if let Some(n) = &self.post {
            out.push_str(".post");
            out.push_str(n.as_str());
        }
        if let Some(n) = &self.dev {
            out.push_str(".dev");
            out.push_str(n.as_str());
        }
    }

    fn write_local(&self, out: &mut String) {
        if let Some(local) = &self.local {
            out.push('+');
            for (i, seg) in local.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                match seg {
                    LocalSegment::Number(n) => out.push_str(n.as_str()),
                    LocalSegment::Text(t) => out.push_str(t),
                }
            }
        }
    }

    /// `packaging.utils.canonicalize_version`: the normal form, with trailing zeros of the
    /// release dropped (down to one number) when `strip_trailing_zero` is set.
    pub fn canonical(&self, strip_trailing_zero: bool) -> String {
        let mut s = String::new();
        self.write_base(&mut s, strip_trailing_zero);
        self.write_suffix(&mut s);
        self.write_local(&mut s);
        s
    }

    /// The PEP 440 sort key of everything but the local label, as in `packaging._cmpkey`.
    fn suffix_key(&self) -> [(i8, &str); 3] {
        let pre = match (&self.pre, &self.post, &self.dev) {
            // A bare dev release sorts before every pre-release of the same release.
            (None, None, Some(_)) => (-1, "0"),
            (None, _, _) => (3, "0"),
            (Some((kind, n)), _, _) => (*kind as i8, n.as_str()),
        };
        let post = match &self.post {
            None => (0, "0"),
            Some(n) => (1, n.as_str()),
        };
        let dev = match &self.dev {
            None => (1, "0"),
            Some(n) => (0, n.as_str()),
        };
        [pre, post, dev]
    }
}

/// Release without trailing zeros, keeping at least `keep` numbers.
fn trimmed_release(release: &[Number], keep: usize) -> &[Number] {
    let mut end = release.len();
    while end > keep && release[end - 1].is_zero() {
        end -= 1;
    }
    &release[..end]
}

fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| trimmed_release(&self.release, 0).cmp(trimmed_release(&other.release, 0)))
            .then_with(|| {
                let (a, b) = (self.suffix_key(), other.suffix_key());
                a.iter()
                    .zip(b.iter())
                    .map(|((ra, na), (rb, nb))| ra.cmp(rb).then_with(|| cmp_digits(na, nb)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Only what `cmp` looks at, so that equal versions hash alike.
        self.epoch.hash(state);
        trimmed_release(&self.release, 0).hash(state);
        self.suffix_key().hash(state);
        self.local.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_public(&mut s);
        self.write_local(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Version, VersionError> {
        Version::parse(s)
    }
}

/// How far the parse got, to say what could have come next when it stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Release,
    Pre,
    Post,
    Dev,
    Local,
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    /// End of the text once trailing whitespace is set aside.
    end: usize,
    stage: Stage,
}

const SEPARATORS: &[u8] = b"._-";
const PRE_WORDS: &[(&str, PreRelease)] = &[
    ("alpha", PreRelease::Alpha),
    ("a", PreRelease::Alpha),
    ("beta", PreRelease::Beta),
    ("b", PreRelease::Beta),
    ("preview", PreRelease::ReleaseCandidate),
    ("pre", PreRelease::ReleaseCandidate),
    ("c", PreRelease::ReleaseCandidate),
    ("rc", PreRelease::ReleaseCandidate),
];
const POST_WORDS: &[(&str, ())] = &[("post", ()), ("rev", ()), ("r", ())];
const DEV_WORDS: &[(&str, ())] = &[("dev", ())];

impl Parser<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        if at < self.end {
            self.input.as_bytes().get(at).copied()
        } else {
            None
        }
    }

    fn is_digit(&self, at: usize) -> bool {
        self.byte(at).is_some_and(|b| b.is_ascii_digit())
    }

    fn is_alnum(&self, at: usize) -> bool {
        self.byte(at).is_some_and(|b| b.is_ascii_alphanumeric())
    }

    fn is_sep(&self, at: usize) -> bool {
        self.byte(at).is_some_and(|b| SEPARATORS.contains(&b))
    }

    /// Length of the run of ASCII digits at `at`.
    fn digits_at(&self, at: usize) -> usize {
        let mut end = at;
        while self.is_digit(end) {
            end += 1;
        }
        end - at
    }

    /// Reads the digits at `self.pos` (there must be some) into a number.
    fn number(&mut self) -> Result<Number, VersionError> {
        let len = self.digits_at(self.pos);
        let digits = &self.input[self.pos..self.pos + len];
        let n = Number::from_ascii_digits(digits).ok_or_else(|| VersionError {
            message: format!(
                "number has {len} digits, more than Python's limit of {MAX_INT_DIGITS} for \
                 integer conversion"
            ),
            offset: self.pos,
        })?;
        self.pos += len;
        Ok(n)
    }

    /// Digits at `self.pos` if there are any, else zero (PEP 440's implicit numbers).
    fn optional_number(&mut self) -> Result<Number, VersionError> {
        if self.is_digit(self.pos) {
            self.number()
        } else {
            Ok(Number::zero())
        }
    }

    /// The first of `words` (in order) spelled case-insensitively at `at`.
    fn word_at<T: Copy>(&self, at: usize, words: &[(&str, T)]) -> Option<(usize, T)> {
        let rest = self.input.as_bytes().get(at..self.end)?;
        words.iter().find_map(|(word, value)| {
            let w = word.as_bytes();
            (rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w))
                .then_some((w.len(), *value))
        })
    }

    /// `[._-]? WORD [._-]? [0-9]*`, all or nothing: the shape of pre, post and dev segments.
    fn lettered<T: Copy>(
        &mut self,
        words: &[(&str, T)],
    ) -> Result<Option<(T, Number)>, VersionError> {
        let start = self.pos;
        let at = if self.is_sep(start) { start + 1 } else { start };
        let Some((len, value)) = self.word_at(at, words) else {
            return Ok(None);
        };
        self.pos = at + len;
        if self.is_sep(self.pos) {
            self.pos += 1;
        }
        Ok(Some((value, self.optional_number()?)))
    }

    fn version(mut self) -> Result<Version, VersionError> {
        if matches!(self.byte(self.pos), Some(b'v' | b'V')) {
            self.pos += 1;
        }

        let mut epoch = Number::zero();
        let epoch_digits = self.digits_at(self.pos);
        if epoch_digits > 0 && self.byte(self.pos + epoch_digits) == Some(b'!') {
            epoch = self.number()?;
            self.pos += 1;
        }

        if !self.is_digit(self.pos) {
            return Err(self.unexpected());
        }
        let mut release = vec![self.number()?];
        while self.byte(self.pos) == Some(b'.') && self.is_digit(self.pos + 1) {
            self.pos += 1;
            release.push(self.number()?);
        }
        self.stage = Stage::Release;

        let pre = self.lettered(PRE_WORDS)?;
        if pre.is_some() {
            self.stage = Stage::Pre;
        }

        let post = if self.byte(self.pos) == Some(b'-') && self.is_digit(self.pos + 1) {
            self.pos += 1;
            Some(self.number()?)
        } else {
            self.lettered(POST_WORDS)?.map(|((), n)| n)
        };
        if post.is_some() {
            self.stage = Stage::Post;
        }

        let dev = self.lettered(DEV_WORDS)?.map(|((), n)| n);
        if dev.is_some() {
            self.stage = Stage::Dev;
        }

        let mut local = None;
        if self.byte(self.pos) == Some(b'+') && self.is_alnum(self.pos + 1) {
            self.pos += 1;
            self.stage = Stage::Local;
            let mut segments = Vec::new();
            loop {
                let start = self.pos;
                while self.is_alnum(self.pos) {
                    self.pos += 1;
                }
                let part = &self.input[start..self.pos];
                segments.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                    self.pos = start;
                    LocalSegment::Number(self.number()?)
                } else {
                    LocalSegment::Text(part.to_ascii_lowercase())
                });
                if self.is_sep(self.pos) && self.is_alnum(self.pos + 1) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            local = Some(segments);
        }

        if self.pos != self.end {
            return Err(self.unexpected());
        }
        Ok(Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// The error for whatever stopped the parse at `self.pos`.
    fn unexpected(&self) -> VersionError {
        let found = match self.input[self.pos..self.end].chars().next() {
            Some(c) => format!("{c:?}"),
            None => "the end".to_owned(),
        };
        let dangling = self.is_sep(self.pos) || self.byte(self.pos) == Some(b'+');
        let message = match self.stage {
            Stage::Start if self.pos == self.end && self.pos == py_strip(self.input).0 => {
                "expected a version such as '1.0', found an empty string".to_owned()
            }
            Stage::Start => format!("expected a release number such as '1.0', found {found}"),
            Stage::Local if dangling => {
                format!("expected a letter or digit after {found} in the local version label")
            }
            _ if self.byte(self.pos) == Some(b'+') => {
                "expected a letter or digit to start the local version label after '+'".to_owned()
            }
            stage => {
                let next = match stage {
                    Stage::Start | Stage::Release => {
                        "more of the release ('.N'), a pre-release ('aN', 'bN', 'rcN'), a \
                         post-release ('.postN'), a dev release ('.devN'), a local label \
                         ('+label') or the end"
                    }
                    Stage::Pre => {
                        "a post-release ('.postN'), a dev release ('.devN'), a local label \
                         ('+label') or the end"
                    }
                    Stage::Post => "a dev release ('.devN'), a local label ('+label') or the end",
                    Stage::Dev => "a local label ('+label') or the end",
                    Stage::Local => "more of the local label or the end",
                };
                let what = if dangling && !self.is_alnum(self.pos + 1) {
                    format!("a separator ({found}) must be followed by a letter or digit")
                } else {
                    format!("unexpected {found}")
                };
                format!("invalid version: {what}; expected {next}")
            }
        };
        VersionError {
            message,
            offset: self.pos,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Version::parse(s)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn normalises_like_packaging() {
        assert_eq!(norm("1.0-rc1"), "1.0rc1");
        assert_eq!(norm("1.0alpha1"), "1.0a1");
        assert_eq!(norm("1.0.dev"), "1.0.dev0");
        assert_eq!(norm("1.0-1"), "1.0.post1");
        assert_eq!(norm("1.0.r1"), "1.0.post1");
        assert_eq!(norm("01.02"), "1.2");
        assert_eq!(norm(" v1.0 "), "1.0");
        assert_eq!(norm("1.0+Ab_c-d"), "1.0+ab.c.d");
        assert_eq!(norm("1!2.0"), "1!2.0");
        assert_eq!(norm("0!2.0"), "2.0");
        assert_eq!(norm("1.0+01.a"), "1.0+1.a");
        assert_eq!(norm("99999999999999999999999"), "99999999999999999999999");
    }

    #[test]
    fn rejects_with_offsets() {
        let e = Version::parse("1.0foo").unwrap_err();
        assert_eq!(e.offset, 3);
        assert_eq!(Version::parse("").unwrap_err().offset, 0);
        assert_eq!(Version::parse("  x").unwrap_err().offset, 2);
        assert!(Version::parse(&"1".repeat(MAX_INT_DIGITS + 1)).is_err());
        assert!(Version::parse(&"1".repeat(MAX_INT_DIGITS)).is_ok());
    }

    #[test]
    fn orders_like_pep_440() {
        let sorted = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a1.post1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+1",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for pair in sorted.windows(2) {
            let (a, b) = (
                Version::parse(pair[0]).unwrap(),
                Version::parse(pair[1]).unwrap(),
            );
            assert!(a < b, "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(
            Version::parse("1.0").unwrap(),
            Version::parse("1.0.0").unwrap()
        );
    }
}
