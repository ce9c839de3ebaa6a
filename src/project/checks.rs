//! Validation rules that need no document: each says whether a value is valid and,
//! when it is not, why and at which byte of the value, so the caller can point a caret
//! at the culprit.

use std::ops::Range;

/// A rule violation inside one string value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    /// Byte range of the culprit within the value, when one character or part is at
    /// fault.
    pub at: Option<Range<usize>>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            at: None,
        }
    }

    pub fn at(message: impl Into<String>, at: Range<usize>) -> Problem {
        Problem {
            message: message.into(),
            at: Some(at),
        }
    }
}

/// A character that must not appear in a one-line metadata header or an INI line: any
/// control character but tab, and the Unicode line and paragraph separators (Python's
/// `str.splitlines()` breaks there, and the email parser at CR and LF).
pub fn is_line_breaking(c: char) -> bool {
    (c.is_control() && c != '\t') || c == '\u{2028}' || c == '\u{2029}'
}

/// The first character that makes `s` unfit for a one-line field.
pub fn single_line(s: &str) -> Result<(), Problem> {
    match s.char_indices().find(|(_, c)| is_line_breaking(*c)) {
        None => Ok(()),
        Some((i, c)) => Err(Problem::at(
            format!("contains {}", describe_char(c)),
            i..i + c.len_utf8(),
        )),
    }
}

/// "a line break (\n)", "the control character U+0007", ...
pub fn describe_char(c: char) -> String {
    match c {
        '\n' => "a line break (\\n)".into(),
        '\r' => "a carriage return (\\r)".into(),
        '\u{2028}' | '\u{2029}' | '\u{85}' | '\x0b' | '\x0c' => {
            format!("a line break (U+{:04X})", c as u32)
        }
        c => format!("the control character U+{:04X}", c as u32),
    }
}

/// A pragmatic RFC 5322 addr-spec check: one `@`, a dot-atom local part and a domain of
/// letter/digit/hyphen labels. Python's `email.headerregistry.Address` (which flit uses
/// to format it) and PyPI accept these; quoted local parts and IP literals are refused.
pub fn email(email: &str) -> Result<(), Problem> {
    single_line(email)?;
    if let Some(i) = email.find([' ', '\t']) {
        return Err(Problem::at("contains a space", i..i + 1));
    }
    let Some(at) = email.find('@') else {
        return Err(Problem::new("has no `@`"));
    };
    if let Some(second) = email[at + 1..].find('@') {
        let i = at + 1 + second;
        return Err(Problem::at("has more than one `@`", i..i + 1));
    }
    let (local, domain) = (&email[..at], &email[at + 1..]);
    const ATEXT: &str = "!#$%&'*+-/=?^_`{|}~";
    if local.is_empty() {
        return Err(Problem::at("has nothing before the `@`", at..at + 1));
    }
    let mut pos: usize = 0;
    for atom in local.split('.') {
        if atom.is_empty() {
            return Err(Problem::at(
                "has an empty part (`..`, or a dot at the start or end) before the `@`",
                pos.saturating_sub(1)..pos.max(1),
            ));
        }
        if let Some((i, c)) = atom
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || ATEXT.contains(*c)))
        {
            return Err(Problem::at(
                format!("has {c:?} before the `@`, which an address cannot hold unquoted"),
                pos + i..pos + i + c.len_utf8(),
            ));
        }
        pos += atom.len() + 1;
    }
    if domain.is_empty() {
        return Err(Problem::at("has no domain after the `@`", at..at + 1));
    }
    let mut pos = at + 1;
    for label in domain.split('.') {
        let bad = label.is_empty()
            || label.starts_with('-')
            || label.ends_with('-')
            || !label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if bad {
            return Err(Problem::at(
                format!("has an invalid domain {domain:?} (labels of letters, digits and inner hyphens, separated by dots)"),
                pos..(pos + label.len()).max(pos + 1).min(email.len()),
            ));
        }
        pos += label.len() + 1;
    }
    Ok(())
}

/// A project or extra name (core metadata `Name`, PEP 685): ASCII letters and digits,
/// with `.`, `_` and `-` inside.
pub fn name(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(Problem::new("is empty"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if let Some((i, c)) = name.char_indices().find(|(_, c)| !allowed(*c)) {
        let what = if c.is_whitespace() || c.is_control() {
            describe_space(c)
        } else {
            format!("{c:?}")
        };
        return Err(Problem::at(
            format!("contains {what}; only ASCII letters, digits, `.`, `_` and `-` are allowed"),
            i..i + c.len_utf8(),
        ));
    }
    let last = name.len() - 1;
    if !name.as_bytes()[0].is_ascii_alphanumeric() {
        return Err(Problem::at("must start with a letter or digit", 0..1));
    }
    if !name.as_bytes()[last].is_ascii_alphanumeric() {
        return Err(Problem::at(
            "must end with a letter or digit",
            last..last + 1,
        ));
    }
    Ok(())
}

fn describe_space(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if is_line_breaking(c) => describe_char(c),
        c => format!("the space character U+{:04X}", c as u32),
    }
}

/// The glob-patterns spec for `license-files`: relative, no `..`, and only alphanumerics,
/// `_ - . / * ? [ ]` and spaces. (Whether it matches is checked against the tree.)
pub fn license_files_pattern(p: &str) -> Result<(), Problem> {
    if p.is_empty() {
        return Err(Problem::new("is empty"));
    }
    if p.starts_with(['/', '\\']) || (p.len() >= 2 && p.as_bytes()[1] == b':') {
        return Err(Problem::at(
            "is absolute; it must be relative to the project",
            0..1,
        ));
    }
    if let Some(i) = p.find("..") {
        return Err(Problem::at(
            "contains `..`; it cannot leave the project",
            i..i + 2,
        ));
    }
    if let Some((i, c)) = p
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || "_-./*?[] ".contains(*c)))
    {
        let what = if is_line_breaking(c) {
            describe_char(c)
        } else {
            format!("{c:?}")
        };
        return Err(Problem::at(
            format!("contains {what}, which glob patterns cannot use"),
            i..i + c.len_utf8(),
        ));
    }
    let opens = p.matches('[').count();
    if opens != p.matches(']').count() {
        let i = p.rfind(['[', ']']).unwrap_or(0);
        return Err(Problem::at("has an unmatched bracket", i..i + 1));
    }
    Ok(())
}

/// Domains `email_validator` (PyPI's check) refuses: no dot, or a special-use name.
pub fn email_is_deliverable(email: &str) -> Result<(), Problem> {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    if !domain.contains('.') {
        return Err(Problem::new(format!(
            "the domain {domain:?} has no dot; PyPI only accepts addresses with a public domain"
        )));
    }
    let last = domain.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    const SPECIAL: &[&str] = &["arpa", "invalid", "local", "localhost", "onion", "test"];
    if SPECIAL.contains(&last.as_str()) {
        return Err(Problem::new(format!(
            "`.{last}` is a special-use domain; PyPI only accepts addresses with a public domain"
        )));
    }
    if last.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new(format!(
            "the domain {domain:?} ends in a number; PyPI only accepts addresses with a public domain"
        )));
    }
    Ok(())
}

/// Python's `str.isidentifier()`, approximated by Unicode alphabetic/alphanumeric classes.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

pub fn is_dotted_identifier(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

/// An entry point's object reference: `module` or `module:attr.attr`, each part an
/// identifier (the entry-points spec). A trailing `[extras]` is deprecated but allowed;
/// `Ok(true)` says one was found.
pub fn object_reference(s: &str) -> Result<bool, Problem> {
    single_line(s)?;
    let (body, has_extras) = match s.find('[') {
        Some(i) => {
            let rest = s[i..].trim_end();
            if !rest.ends_with(']') || rest[1..rest.len() - 1].contains(['[', ']']) {
                return Err(Problem::at("has an unclosed or stray `[`", i..i + 1));
            }
            (&s[..i], true)
        }
        None => (s, false),
    };
    let (module, attr, colon) = match body.find(':') {
        Some(i) => (&body[..i], Some(&body[i + 1..]), i),
        None => (body, None, body.len()),
    };
    let module_start = module.len() - module.trim_start().len();
    let module = module.trim();
    if module.is_empty() {
        return Err(Problem::new("has no module before the `:`"));
    }
    if let Some(bad) = first_bad_dotted(module) {
        return Err(Problem::at(
            format!("{module:?} is not a dotted module path"),
            module_start + bad.start..module_start + bad.end,
        ));
    }
    if let Some(attr) = attr {
        let start = colon + 1 + (attr.len() - attr.trim_start().len());
        let attr = attr.trim();
        if attr.is_empty() {
            return Err(Problem::at("has nothing after the `:`", colon..colon + 1));
        }
        if let Some(bad) = first_bad_dotted(attr) {
            return Err(Problem::at(
                format!("{attr:?} is not a dotted attribute path"),
                start + bad.start..start + bad.end,
            ));
        }
    }
    Ok(has_extras)
}

/// The range of the first dotted part of `s` that is not an identifier.
fn first_bad_dotted(s: &str) -> Option<Range<usize>> {
    let mut pos = 0;
    for part in s.split('.') {
        if !is_identifier(part) {
            return Some(pos..(pos + part.len()).max(pos + 1).min(s.len().max(1)));
        }
        pos += part.len() + 1;
    }
    None
}

/// The name of a console or GUI script becomes a file name in the installer's scripts
/// folder, so it must be one plain file name.
pub fn script_name(name: &str) -> Result<(), Problem> {
    if let Some(i) = name.find(['/', '\\']) {
        return Err(Problem::at(
            "contains a path separator; installers turn the name into a file name",
            i..i + 1,
        ));
    }
    if name == "." || name == ".." {
        return Err(Problem::new("is not a usable file name"));
    }
    Ok(())
}

/// The entry-points spec's name rule, plus one line.
pub fn entry_point_name(name: &str) -> Result<(), Problem> {
    single_line(name)?;
    if name.is_empty() {
        return Err(Problem::new("is empty"));
    }
    if name.starts_with('[') {
        return Err(Problem::at("starts with `[`", 0..1));
    }
    if let Some(i) = name.find('=') {
        return Err(Problem::at("contains `=`", i..i + 1));
    }
    if name.trim() != name {
        return Err(Problem::new("has leading or trailing whitespace"));
    }
    Ok(())
}

/// A readme `content-type`: one of the three types PyPI renders, and only the
/// parameters it understands (`charset=UTF-8`; `variant=GFM|CommonMark` for Markdown).
pub fn readme_content_type(ct: &str) -> Result<(), Problem> {
    single_line(ct)?;
    let mut parts = ct.split(';');
    let base_raw = parts.next().unwrap_or("");
    let base = base_raw.trim();
    let base_start = base_raw.len() - base_raw.trim_start().len();
    if !["text/markdown", "text/x-rst", "text/plain"].contains(&base) {
        return Err(Problem::at(
            format!("{base:?} is not a readme content type forge or PyPI understands (text/markdown, text/x-rst or text/plain)"),
            base_start..(base_start + base.len()).max(base_start + 1).min(ct.len().max(1)),
        ));
    }
    let mut pos = base_raw.len() + 1;
    for param in parts {
        let start = pos + (param.len() - param.trim_start().len());
        let span = start..(start + param.trim().len()).max(start + 1).min(ct.len());
        pos += param.len() + 1;
        let Some((key, value)) = param.split_once('=') else {
            return Err(Problem::at(
                format!("parameter {:?} has no `=value`", param.trim()),
                span,
            ));
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim().trim_matches('"');
        match key.as_str() {
            "charset" => {
                if !value.eq_ignore_ascii_case("utf-8") {
                    return Err(Problem::at(
                        format!("charset {value:?} is not supported: readmes are read as UTF-8"),
                        span,
                    ));
                }
            }
            "variant" if base == "text/markdown" => {
                if value != "GFM" && value != "CommonMark" {
                    return Err(Problem::at(
                        format!("Markdown variant {value:?} is unknown (GFM or CommonMark)"),
                        span,
                    ));
                }
            }
            _ => {
                return Err(Problem::at(
                    format!("parameter {key:?} is not allowed for {base} (only charset, and variant for Markdown)"),
                    span,
                ))
            }
        }
    }
    Ok(())
}

/// An `http(s)://host...` URL, the only kind PyPI accepts for project URLs.
pub fn is_web_url(url: &str) -> bool {
    let rest = if url.len() >= 8 && url[..8].eq_ignore_ascii_case("https://") {
        &url[8..]
    } else if url.len() >= 7 && url[..7].eq_ignore_ascii_case("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty() && !host.starts_with(':')
}

/// Maps a byte range of a TOML string's decoded content to the source text spelling it,
/// so a caret can sit under the culprit character even behind escapes or in multi-line
/// strings. Falls back to the whole literal when the literal cannot be walked or does
/// not decode to `content`.
pub fn content_span(
    text: &str,
    literal: &Range<usize>,
    content: &str,
    at: Range<usize>,
) -> Range<usize> {
    let Some(lit) = text.get(literal.clone()) else {
        return literal.clone();
    };
    match content_offsets(lit, content.len()) {
        Some(map) => {
            let start = map[at.start.min(content.len())];
            let end = map[at.end.clamp(at.start, content.len())].max(start + 1);
            literal.start + start..(literal.start + end).min(literal.end)
        }
        None => literal.clone(),
    }
}

/// For each byte of the decoded content (plus the end), its offset in the literal.
fn content_offsets(lit: &str, content_len: usize) -> Option<Vec<usize>> {
    let (q, basic, multi) = if lit.starts_with("\"\"\"") {
        (3, true, true)
    } else if lit.starts_with("'''") {
        (3, false, true)
    } else if lit.starts_with('"') {
        (1, true, false)
    } else if lit.starts_with('\'') {
        (1, false, false)
    } else if lit.len() == content_len {
        // A bare key: spelled as it reads.
        return Some((0..=content_len).collect());
    } else {
        return None;
    };
    if lit.len() < 2 * q {
        return None;
    }
    let body = &lit[q..lit.len() - q];
    let b = body.as_bytes();
    let mut i = 0;
    if multi {
        if body.starts_with("\r\n") {
            i = 2;
        } else if body.starts_with('\n') {
            i = 1;
        }
    }
    let mut map = Vec::with_capacity(content_len + 1);
    while i < b.len() {
        if basic && b[i] == b'\\' {
            let next = *b.get(i + 1)?;
            match next {
                b'b' | b't' | b'n' | b'f' | b'r' | b'"' | b'\\' | b'e' => {
                    map.push(q + i);
                    i += 2;
                }
                b'x' | b'u' | b'U' => {
                    let digits = match next {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = body.get(i + 2..i + 2 + digits)?;
                    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                    for _ in 0..c.len_utf8() {
                        map.push(q + i);
                    }
                    i += 2 + digits;
                }
                b' ' | b'\t' | b'\r' | b'\n' if multi => {
                    i += 1;
                    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                        i += 1;
                    }
                }
                _ => return None,
            }
        } else {
            let c = body[i..].chars().next()?;
            for k in 0..c.len_utf8() {
                map.push(q + i + k);
            }
            i += c.len_utf8();
        }
    }
    map.push(q + body.len());
    (map.len() == content_len + 1).then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caret(text: &str, content: &str, at: Range<usize>) -> String {
        let lit = 0..text.len();
        text[content_span(text, &lit, content, at)].to_string()
    }

    #[test]
    fn content_spans_walk_escapes() {
        assert_eq!(caret("\"a>=>1\"", "a>=>1", 3..4), ">");
        assert_eq!(caret("'a>=>1'", "a>=>1", 3..4), ">");
        assert_eq!(caret("\"\\u00e9x!\"", "éx!", 3..4), "!");
        assert_eq!(caret("\"\\tx\"", "\tx", 0..1), "\\t");
        assert_eq!(caret("\"\"\"\nab\\\n   cd\"\"\"", "abcd", 2..3), "c");
        assert_eq!(caret("'''\nab\ncd'''", "ab\ncd", 3..4), "c");
        // The literal does not decode to the content: fall back to all of it.
        assert_eq!(caret("\"abc\"", "xyzw", 1..2), "\"abc\"");
        // At the end: one character past the last.
        assert_eq!(caret("\"ab\"", "ab", 2..2), "\"");
    }

    #[test]
    fn emails() {
        assert!(email("jane@example.org").is_ok());
        assert!(email("j.o+x@sub.example.org").is_ok());
        assert!(email("jane").is_err());
        assert!(email("jane@").is_err());
        assert!(email("@x.org").is_err());
        assert!(email("a..b@x.org").is_err());
        assert!(email("a b@x.org").is_err());
        assert!(email("a@-x.org").is_err());
        assert!(email("a@x..org").is_err());
        assert!(email("a@x.org\n").is_err());
        assert!(email_is_deliverable("a@localhost").is_err());
        assert!(email_is_deliverable("a@x.test").is_err());
        assert!(email_is_deliverable("a@x.org").is_ok());
    }

    #[test]
    fn object_references() {
        assert_eq!(object_reference("pkg.mod:main"), Ok(false));
        assert_eq!(object_reference("pkg.mod"), Ok(false));
        assert_eq!(object_reference("pkg : Cls.meth"), Ok(false));
        assert_eq!(object_reference("pkg:main [extra]"), Ok(true));
        assert!(object_reference("pkg:").is_err());
        assert!(object_reference(":main").is_err());
        assert!(object_reference("pkg-x:main").is_err());
        assert!(object_reference("pkg:main()").is_err());
        assert!(object_reference("pkg:main [x").is_err());
        assert_eq!(
            object_reference("pkg:a.1b").unwrap_err().at,
            Some(6..8),
            "the caret goes under the bad part"
        );
    }

    #[test]
    fn content_types() {
        assert!(readme_content_type("text/markdown").is_ok());
        assert!(readme_content_type("text/markdown; charset=UTF-8; variant=GFM").is_ok());
        assert!(readme_content_type("text/x-rst; charset=utf-8").is_ok());
        assert!(readme_content_type("text/html").is_err());
        assert!(readme_content_type("text/plain; charset=latin-1").is_err());
        assert!(readme_content_type("text/plain; variant=GFM").is_err());
        assert!(readme_content_type("text/markdown; variant=Markdown").is_err());
        assert!(readme_content_type("text/markdown\nX: y").is_err());
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://example.org/x"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("ftp://example.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("example.org"));
    }

    #[test]
    fn single_lines() {
        assert!(single_line("a\tb").is_ok());
        assert_eq!(single_line("ab\ncd").unwrap_err().at, Some(2..3));
        assert!(single_line("a\u{2028}b").is_err());
        assert!(single_line("a\u{85}b").is_err());
    }
}
