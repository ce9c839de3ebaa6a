//! Renders the generated files: METADATA (= sdist PKG-INFO), WHEEL, entry_points.txt
//! and RECORD, byte for byte as flit_core 4.x writes them.

use crate::profile::{ImportNameLines, Profile, RecordStyle};
use crate::project::{License, Project};

/// The core metadata file (METADATA in wheels, PKG-INFO in sdists). UTF-8, LF.
pub fn core_metadata(project: &Project, profile: &Profile) -> String {
    let mut out = String::new();
    let metadata_version = profile
        .fixed_metadata_version
        .unwrap_or_else(|| lowest_metadata_version(project, profile));
    out.push_str(&format!("Metadata-Version: {metadata_version}\n"));
    out.push_str(&format!("Name: {}\n", project.name));
    out.push_str(&format!("Version: {}\n", project.version));
    let content_type = project.readme.as_ref().and_then(|r| r.content_type.clone());
    // flit ≤ 3.1 wrote line breaks raw; later releases fold them.
    let value = |v: &str| {
        if profile.fold_multiline {
            fold(v)
        } else {
            v.to_string()
        }
    };
    // flit ≤ 3.1 always wrote these three, `UNKNOWN` standing in for a missing or
    // empty value.
    let placeholder = |field: &str, v: &Option<String>| -> Option<String> {
        match v {
            Some(v) if !(profile.unknown_placeholders && v.is_empty()) => {
                Some(format!("{field}: {}\n", value(v)))
            }
            _ if profile.unknown_placeholders => Some(format!("{field}: UNKNOWN\n")),
            _ => None,
        }
    };
    out.extend(placeholder("Summary", &project.summary));
    out.extend(placeholder("Home-page", &project.home_page));
    if !profile.license_after_content_type {
        out.extend(placeholder("License", &project.license_field));
    }
    let optional = [
        ("Keywords", &project.keywords),
        ("Author", &project.author),
        ("Author-email", &project.author_email),
        ("Maintainer", &project.maintainer),
        ("Maintainer-email", &project.maintainer_email),
        ("Requires-Python", &project.requires_python),
        ("Description-Content-Type", &content_type),
    ];
    for (field, v) in optional {
        if let Some(v) = v {
            out.push_str(&format!("{field}: {}\n", value(v)));
        }
    }
    match &project.license {
        License::Expression(e) => out.push_str(&format!("License-Expression: {e}\n")),
        License::Text(t) if profile.writes_license_text => {
            out.push_str(&format!("License: {}\n", fold(t)))
        }
        _ => {}
    }
    // flit ≥ 3.11 writes the old format's license text here, unfolded, when non-empty.
    match &project.license_field {
        Some(t) if profile.license_after_content_type && !t.is_empty() => {
            out.push_str(&format!("License: {t}\n"))
        }
        _ => {}
    }
    let lists: [(&str, &Vec<String>); 5] = [
        ("Classifier", &project.classifiers),
        ("License-File", &project.license_files),
        ("Requires-Dist", &project.requires_dist),
        ("Project-URL", &project.project_urls),
        ("Provides-Extra", &project.provides_extra),
    ];
    for (field, values) in lists {
        for v in values {
            out.push_str(&format!("{field}: {v}\n"));
        }
    }
    let import_lists = [
        ("Import-Name", &project.import_names),
        ("Import-Namespace", &project.import_namespaces),
    ];
    for (field, values) in import_lists {
        for v in values {
            match profile.import_name_lines {
                ImportNameLines::Never => {}
                ImportNameLines::NoLineEnd => out.push_str(&format!("{field}: {v}")),
                ImportNameLines::Lines => out.push_str(&format!("{field}: {v}\n")),
            }
        }
    }
    if let Some(readme) = &project.readme {
        out.push('\n');
        out.push_str(&readme.text);
        out.push('\n');
    }
    out
}

/// flit ≤ 3.2's sdist PKG-INFO: a fixed `Metadata-Version: 1.1` template filled with
/// `str.format`, so a missing value is the literal `None` and line breaks stay raw.
pub fn pkg_info_template(project: &Project) -> String {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "None".to_string());
    format!(
        "Metadata-Version: 1.1\nName: {}\nVersion: {}\nSummary: {}\nHome-page: {}\nAuthor: {}\nAuthor-email: {}\n",
        project.name,
        project.version,
        or_none(&project.summary),
        or_none(&project.home_page),
        or_none(&project.author),
        or_none(&project.author_email),
    )
}

/// The lowest core-metadata version that has every field we emit, and at least 2.2 (the
/// sdist spec's minimum for PKG-INFO).
fn lowest_metadata_version(project: &Project, profile: &Profile) -> &'static str {
    if !project.import_names.is_empty() || !project.import_namespaces.is_empty() {
        "2.5"
    } else if matches!(project.license, License::Expression(_)) || !project.license_files.is_empty()
    {
        "2.4"
    } else {
        let _ = profile;
        "2.2"
    }
}

/// flit re-joins multi-line values after `str.splitlines()` with a newline and eight
/// spaces (an RFC 822 continuation).
fn fold(value: &str) -> String {
    python_splitlines(value).join("\n        ")
}

/// Python's `str.splitlines()`: every line boundary Python knows, no trailing empty item.
pub fn python_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(_, '\n')) = chars.peek() {
                    chars.next();
                    end += 1;
                }
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// The WHEEL file for the (possibly compressed) tag set `tag`: one `Tag:` line per tag.
pub fn wheel_file(tag: &str, profile: &Profile) -> String {
    let mut out = format!(
        "Wheel-Version: 1.0\nGenerator: {}\nRoot-Is-Purelib: true\n",
        profile.generator
    );
    for t in crate::project::forge_table::expand_wheel_tag(tag) {
        out.push_str(&format!("Tag: {t}\n"));
    }
    out
}

/// entry_points.txt, or None when there are no entry points.
pub fn entry_points(project: &Project) -> Option<String> {
    if project.entry_points.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (group, entries) in &project.entry_points {
        out.push_str(&format!("[{group}]\n"));
        for (name, value) in entries {
            out.push_str(&format!("{name}={value}\n"));
        }
        out.push('\n');
    }
    Some(out)
}

/// One RECORD row's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordEntry {
    pub path: String,
    pub sha256: [u8; 32],
    pub size: u64,
}

/// RECORD as Python's `csv.writer` (excel dialect) writes it: CRLF line ends, fields
/// quoted only when they hold `,`, `"`, CR or LF.
/// flit 3.x wrote the rows itself: LF, never quoted.
pub fn record(entries: &[RecordEntry], dist_info: &str, style: RecordStyle) -> String {
    let mut out: String = entries.iter().map(|e| record_line(e, style)).collect();
    out.push_str(&record_last_line(dist_info, style));
    out
}

/// One file's RECORD line (see [`record`]).
pub fn record_line(entry: &RecordEntry, style: RecordStyle) -> String {
    use base64::Engine;
    let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(entry.sha256);
    let (path, eol) = record_field(&entry.path, style);
    format!("{path},sha256={digest},{}{eol}", entry.size)
}

/// The line RECORD ends with: its own, without hash or size.
pub fn record_last_line(dist_info: &str, style: RecordStyle) -> String {
    let (path, eol) = record_field(&format!("{dist_info}/RECORD"), style);
    format!("{path},,{eol}")
}

/// A path as a RECORD field, and the line end, in `style`.
fn record_field(path: &str, style: RecordStyle) -> (String, &'static str) {
    match style {
        RecordStyle::CsvCrlf => (csv_field(path), "\r\n"),
        RecordStyle::PlainLf => (path.to_string(), "\n"),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_like_python() {
        assert_eq!(python_splitlines("a\r\nb\rc\n"), ["a", "b", "c"]);
        assert_eq!(python_splitlines("a\n\nb"), ["a", "", "b"]);
        assert_eq!(python_splitlines(""), Vec::<&str>::new());
        assert_eq!(python_splitlines("x\u{2028}y"), ["x", "y"]);
    }

    #[test]
    fn record_quotes_like_csv() {
        let rows = [RecordEntry {
            path: "p/a,b.txt".into(),
            sha256: [0; 32],
            size: 3,
        }];
        let r = record(&rows, "p-1.dist-info", RecordStyle::CsvCrlf);
        assert!(r.starts_with("\"p/a,b.txt\",sha256="));
        assert!(r.ends_with("p-1.dist-info/RECORD,,\r\n"));
    }
}
