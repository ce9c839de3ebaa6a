//! PEP 508 dependency specifiers, parsed and printed exactly as
//! `packaging.requirements.Requirement` 26.3 does, with the specifier sets and markers
//! they contain, and the PEP 503/685 name helpers.
//!
//! The parser follows `packaging._parser`'s recursive descent token for token, so that
//! the same strings are accepted, including its quirks (a `===` specifier swallows commas,
//! a URL runs to the next space or tab, marker strings are Python literals).

mod lexer;
mod marker;
mod pystr;
mod specifier;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use lexer::Cursor;
pub use marker::{
    BoolOp, Marker, MarkerAtom, MarkerItem, MarkerList, MarkerOperator, MarkerValue, MarkerVariable,
};
pub use specifier::{Operator, Specifier, SpecifierSet};

/// Why a requirement, specifier set or marker did not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementError {
    /// What was expected and what was found.
    pub message: String,
    /// Byte offset in the input of the culprit, for a caret.
    pub offset: usize,
    /// End of the culprit (at least `offset`), for underlining a range.
    pub end: usize,
}

impl fmt::Display for RequirementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequirementError {}

/// An extra named in a requirement's brackets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extra {
    /// As written.
    pub name: String,
    /// PEP 685 normal form, for comparisons.
    pub normalized: String,
    /// Where it is in the requirement string.
    pub span: Range<usize>,
}

/// Where the parts of a requirement are in the string it was parsed from, so that they
/// can be quoted verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequirementSpans {
    /// The project name.
    pub name: Range<usize>,
    /// The extras, brackets included.
    pub extras: Option<Range<usize>>,
    /// The version specifiers, parentheses included in the legacy `name (>=1)` form; `None`
    /// when nothing was written.
    pub specifier: Option<Range<usize>>,
    /// The URL after `@`.
    pub url: Option<Range<usize>>,
    /// The marker expression after `;`, without surrounding whitespace.
    pub marker: Option<Range<usize>>,
}

/// A PEP 508 dependency specifier.
///
/// `Display` matches `str(packaging.requirements.Requirement(s))`: name as written, extras
/// de-duplicated and sorted as written, the specifier set's and marker's normal forms.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// The project name as written. `packaging` only checks it is an identifier token, which
    /// lets through a few names that are not valid project names (`foo_`); see
    /// [`is_valid_name`].
    pub name: String,
    /// The extras, in the order written (repeats kept).
    pub extras: Vec<Extra>,
    /// The version specifiers (empty with a URL).
    pub specifier: SpecifierSet,
    /// The URL of a direct reference (`name @ url`), as written.
    pub url: Option<String>,
    /// The environment marker.
    pub marker: Option<Marker>,
    /// Where each part was written.
    pub spans: RequirementSpans,
}

impl Requirement {
    /// Parses `s` as `packaging.requirements.Requirement(s)` does.
    pub fn parse(s: &str) -> Result<Requirement, RequirementError> {
        Parser {
            c: Cursor::new(s),
            spans: RequirementSpans::default(),
        }
        .requirement()
    }

    /// The name in PEP 503 normal form.
    pub fn canonical_name(&self) -> String {
        canonicalize_name(&self.name)
    }

    /// The extras in PEP 685 normal form, sorted, without repeats.
    pub fn normalized_extras(&self) -> Vec<String> {
        let mut extras: Vec<String> = self.extras.iter().map(|e| e.normalized.clone()).collect();
        extras.sort();
        extras.dedup();
        extras
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.extras.is_empty() {
            let mut names: Vec<&str> = self.extras.iter().map(|e| e.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            write!(f, "[{}]", names.join(","))?;
        }
        self.specifier.fmt(f)?;
        if let Some(url) = &self.url {
            write!(f, " @ {url}")?;
            if self.marker.is_some() {
                // Without it the `;` would become part of the URL when read back.
                f.write_str(" ")?;
            }
        }
        if let Some(marker) = &self.marker {
            write!(f, "; {marker}")?;
        }
        Ok(())
    }
}

impl FromStr for Requirement {
    type Err = RequirementError;

    fn from_str(s: &str) -> Result<Requirement, RequirementError> {
        Requirement::parse(s)
    }
}

impl FromStr for SpecifierSet {
    type Err = RequirementError;

    fn from_str(s: &str) -> Result<SpecifierSet, RequirementError> {
        SpecifierSet::parse(s)
    }
}

impl FromStr for Marker {
    type Err = RequirementError;

    fn from_str(s: &str) -> Result<Marker, RequirementError> {
        Marker::parse(s)
    }
}

/// PEP 503 normal form of a project (or extra) name: lowercase, each run of `-`, `_`
/// and `.` replaced by one `-`; as `packaging.utils.canonicalize_name`, which does not
/// check validity.
pub fn canonicalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// PEP 685 normal form of an extra name; the same rule as project names.
pub fn normalize_extra(name: &str) -> String {
    canonicalize_name(name)
}

/// Whether `name` is a valid project name (core metadata `Name`): ASCII letters and digits,
/// with `.`, `_` and `-` allowed inside.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        }
        _ => false,
    }
}

/// Whether `name` is a valid extra name; PEP 685 requires the same form as project names.
pub fn is_valid_extra(name: &str) -> bool {
    is_valid_name(name)
}

struct Parser<'a> {
    c: Cursor<'a>,
    spans: RequirementSpans,
}

impl Parser<'_> {
    /// `WS? IDENTIFIER WS? extras WS? details END`
    fn requirement(mut self) -> Result<Requirement, RequirementError> {
        self.c.eat_ws();
        let name_start = self.c.pos;
        let Some(name_end) = self.c.identifier_end() else {
            return Err(self
                .c
                .expected("a project name at the start of the requirement"));
        };
        self.c.pos = name_end;
        self.spans.name = name_start..name_end;
        self.c.eat_ws();
        let extras = self.extras()?;
        self.c.eat_ws();

        let (specifier, url, marker) = if self.c.eat("@") {
            self.url_details()?
        } else {
            self.specifier_details()?
        };
        if !self.c.at_end() {
            return Err(self.c.expected("the end of the requirement"));
        }
        Ok(Requirement {
            name: self.c.src[name_start..name_end].to_owned(),
            extras,
            specifier,
            url,
            marker,
            spans: self.spans,
        })
    }

    /// `('[' WS? (IDENTIFIER (WS? ',' WS? IDENTIFIER)*)? WS? ']')?`
    fn extras(&mut self) -> Result<Vec<Extra>, RequirementError> {
        let c = &mut self.c;
        let mut extras = Vec::new();
        let open = c.pos;
        if !c.eat("[") {
            return Ok(extras);
        }
        c.eat_ws();
        let mut next = c.identifier_end();
        while let Some(end) = next {
            let name = &c.src[c.pos..end];
            extras.push(Extra {
                name: name.to_owned(),
                normalized: normalize_extra(name),
                span: c.pos..end,
            });
            c.pos = end;
            c.eat_ws();
            if c.identifier_end().is_some() {
                return Err(c.expected("a comma between extra names"));
            }
            if !c.eat(",") {
                break;
            }
            c.eat_ws();
            next = c.identifier_end();
            if next.is_none() {
                return Err(c.expected("an extra name after the comma"));
            }
        }
        c.eat_ws();
        if !c.eat("]") {
            let what = if extras.is_empty() {
                "an extra name or ']'"
            } else {
                "',' or ']' to close the extras"
            };
            return Err(c.expected(what));
        }
        self.spans.extras = Some(open..c.pos);
        Ok(extras)
    }

    /// `'@' WS? URL (WS (';' marker)?)?`, the `@` already read.
    fn url_details(
        &mut self,
    ) -> Result<(SpecifierSet, Option<String>, Option<Marker>), RequirementError> {
        let c = &mut self.c;
        c.eat_ws();
        let start = c.pos;
        let len = c.rest().find([' ', '\t']).unwrap_or(c.rest().len());
        if len == 0 {
            return Err(c.expected("a URL after '@'"));
        }
        c.pos += len;
        self.spans.url = Some(start..c.pos);
        let url = Some(c.src[start..c.pos].to_owned());
        // The URL runs to a space or tab, so `a @ url;marker` is all URL: the marker needs
        // whitespace before its semicolon.
        c.eat_ws();
        if !c.at_end()
            && !c.rest().starts_with(';')
            && url.as_deref().is_some_and(|u| u.ends_with(';'))
        {
            return Err(c.expected(
                "the end: the ';' right after the URL was read as part of the URL, so a \
                 marker needs whitespace before its ';'",
            ));
        }
        let marker = if c.at_end() {
            None
        } else {
            Some(self.marker("';' and a marker after the URL and whitespace, or the end")?)
        };
        Ok((SpecifierSet::default(), url, marker))
    }

    /// `('(' WS? specifiers WS? ')' | WS? specifiers WS?) WS? (';' marker)?`
    fn specifier_details(
        &mut self,
    ) -> Result<(SpecifierSet, Option<String>, Option<Marker>), RequirementError> {
        let c = &mut self.c;
        let start = c.pos;
        let paren = c.eat("(");
        c.eat_ws();
        let (text, offsets, last_end) = specifier_tokens(c)?;
        c.eat_ws();
        if paren {
            if !c.eat(")") {
                return Err(c.expected(&format!(
                    "',' and a version specifier, or ')' to close the '(' at byte {start}"
                )));
            }
            self.spans.specifier = Some(start..c.pos);
        } else if !text.is_empty() {
            self.spans.specifier = Some(start..last_end);
        }
        let specifier = SpecifierSet::parse_mapped(&text, &offsets)?;
        let c = &mut self.c;
        c.eat_ws();
        if c.at_end() {
            return Ok((specifier, None, None));
        }
        if !text.is_empty() && specifier::match_specifier(&mut c.clone()).is_ok() {
            return Err(c.expected("a comma between version specifiers"));
        }
        if text.is_empty() && !paren {
            // Say what is wrong with a specifier rather than that a `;` was expected.
            if let Err((message, at)) = specifier::match_specifier(&mut c.clone()) {
                if message.starts_with("expected a version after") || message.starts_with("~=") {
                    return Err(RequirementError {
                        message,
                        offset: at,
                        end: c.pos,
                    });
                }
            }
        }
        let what = if text.is_empty() {
            "a version specifier, or ';' and a marker, or the end"
        } else {
            "',' and a version specifier, or ';' and a marker, or the end"
        };
        let marker = self.marker(what)?;
        Ok((specifier, None, Some(marker)))
    }

    /// `';' marker WS?`, or an error saying `what` was expected.
    fn marker(&mut self, what: &str) -> Result<Marker, RequirementError> {
        let c = &mut self.c;
        if !c.eat(";") {
            return Err(c.expected(what));
        }
        c.eat_ws();
        let start = c.pos;
        let marker = marker::parse_marker(c)?;
        let end = start + c.src[start..c.pos].trim_end_matches([' ', '\t']).len();
        self.spans.marker = Some(start..end);
        Ok(marker)
    }
}

/// `(SPECIFIER (WS? ',' WS? SPECIFIER)*)?`: the tokens glued as `packaging` glues them
/// (whitespace between tokens dropped, inside them kept), the source offset of each byte
/// of that text (plus its end), and the end of the last token in the source.
fn specifier_tokens(c: &mut Cursor<'_>) -> Result<(String, Vec<usize>, usize), RequirementError> {
    let mut text = String::new();
    let mut offsets = Vec::new();
    let mut last_end = c.pos;
    loop {
        let start = c.pos;
        let mut probe = *c;
        if specifier::match_specifier(&mut probe).is_err() {
            break;
        }
        c.pos = probe.pos;
        text.push_str(&c.src[start..c.pos]);
        offsets.extend(start..c.pos);
        last_end = c.pos;
        if c.rest().starts_with(".*") {
            let op = &c.src[start..];
            let message =
                if (op.starts_with("==") && !op.starts_with("===")) || op.starts_with("!=") {
                    ".* suffix cannot be used with pre-release, post-release, dev or local versions"
                } else {
                    ".* suffix can only be used with `==` or `!=` operators"
                };
            return Err(RequirementError {
                message: message.to_owned(),
                offset: c.pos,
                end: c.pos + 2,
            });
        }
        let rest = c.rest().as_bytes();
        if rest.first() == Some(&b'+')
            && rest
                .get(1)
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(c.error("local version label can only be used with `==` or `!=` operators"));
        }
        c.eat_ws();
        let comma = c.pos;
        if !c.eat(",") {
            break;
        }
        text.push(',');
        offsets.push(comma);
        last_end = c.pos;
        c.eat_ws();
        if let Err((message, at)) = specifier::match_specifier(&mut c.clone()) {
            // A trailing comma is allowed; an operator with a bad version after it is not.
            if message.starts_with("expected a version after") || message.starts_with("~=") {
                return Err(RequirementError {
                    message,
                    offset: at,
                    end: c.pos,
                });
            }
        }
    }
    offsets.push(last_end);
    Ok((text, offsets, last_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Requirement::parse(s)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {}", e.message))
    }

    #[test]
    fn displays_like_packaging() {
        assert_eq!(norm("a (>=1 , <2)"), "a<2,>=1");
        assert_eq!(norm("a[B,b,B]"), "a[B,b]");
        assert_eq!(norm("a>=1,"), "a>=1");
        assert_eq!(norm("foo_>=1"), "foo_>=1");
        assert_eq!(norm("a===1,>=2"), "a===1,>=2");
        assert_eq!(norm("a @ u ; os_name=='a'"), r#"a @ u ; os_name == "a""#);
        assert_eq!(
            norm("a @ http://x;python_version>'3'"),
            "a @ http://x;python_version>'3'"
        );
        assert_eq!(
            norm("A.B-C_D[X_Y]>=1.0;extra=='Foo_Bar'"),
            r#"A.B-C_D[X_Y]>=1.0; extra == "foo-bar""#
        );
        for bad in [
            "a>=1,,",
            "a~=1",
            "a>=1.0.*",
            "a==1.0+local.*",
            "a @ url; m",
            "a\n",
            "a===1,2",
        ] {
            assert!(norm(bad).starts_with("error"), "{bad}");
        }
        let e = Requirement::parse("a @ https://x/a.whl; os_name == 'nt'").unwrap_err();
        assert!(
            e.message.contains("whitespace before its ';'"),
            "{}",
            e.message
        );
        assert_eq!(e.offset, 21);
    }

    #[test]
    fn records_spans() {
        let s = " name [ x , y ] ( >=1 , <2 ) ; os_name == 'a' ";
        let r = Requirement::parse(s).unwrap();
        let at = |span: &Range<usize>| &s[span.clone()];
        assert_eq!(at(&r.spans.name), "name");
        assert_eq!(at(r.spans.extras.as_ref().unwrap()), "[ x , y ]");
        assert_eq!(at(r.spans.specifier.as_ref().unwrap()), "( >=1 , <2 )");
        assert_eq!(at(r.spans.marker.as_ref().unwrap()), "os_name == 'a'");
        assert_eq!(at(&r.extras[1].span), "y");
        let spans: Vec<&str> = r.specifier.iter().map(|s| at(&s.span())).collect();
        assert_eq!(spans, [">=1", "<2"]);
        let r = Requirement::parse("a>= 1,").unwrap();
        assert_eq!(r.spans.specifier, Some(1..6));
        let r = Requirement::parse("a @ file:///x ").unwrap();
        assert_eq!(r.spans.url, Some(4..13));
    }

    #[test]
    fn names() {
        assert!(is_valid_name("A.b_c-1"));
        assert!(!is_valid_name("a-"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a\n"));
        assert_eq!(canonicalize_name("Foo.._-Bar"), "foo-bar");
        assert_eq!(normalize_extra("Dev_Tools"), "dev-tools");
    }
}
