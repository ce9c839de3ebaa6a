//! Errors and warnings as the user sees them: file, key path, line and column, the
//! offending line with a caret under the culprit, and what would be valid.
//!
//! Every stage reports problems as [`Diagnostic`]s and collects independent ones into
//! [`Diagnostics`], so one run shows all of them instead of the first only.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem is: a file, and optionally a key path and a byte span in that file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<PathBuf>,
    /// Dotted TOML key path, e.g. `project.dependencies[2]`.
    pub key: Option<String>,
    /// Byte range in the file's text.
    pub span: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: Location::default(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.location.file = Some(file.into());
        self
    }

    pub fn at(mut self, key: impl Into<String>, span: Range<usize>) -> Self {
        self.location.key = Some(key.into());
        self.location.span = Some(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic; `text` is the content of `location.file`, when known, so
    /// the offending line can be quoted.
    pub fn render(&self, text: Option<&str>) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{label}: {}\n", self.message));
        let position = match (&self.location.span, text) {
            (Some(span), Some(text)) => Some(line_and_column(text, span.start)),
            _ => None,
        };
        // rustc's layout: the arrow, bars and help line up with the line-number gutter.
        let pad = " ".repeat(position.map_or(1, |(row, _)| row.to_string().len()));
        if let Some(file) = &self.location.file {
            let mut line = format!("{pad}--> {}", file.display());
            if let Some((row, col)) = position {
                line.push_str(&format!(":{row}:{col}"));
            }
            if let Some(key) = &self.location.key {
                // Pseudo-keys such as `(syntax)` come with their own parentheses.
                if key.starts_with('(') {
                    line.push_str(&format!(" {key}"));
                } else {
                    line.push_str(&format!(" ({key})"));
                }
            }
            out.push_str(&line);
            out.push('\n');
        } else if let Some(key) = &self.location.key {
            out.push_str(&format!("{pad}--> {key}\n"));
        }
        if let (Some(span), Some(text), Some((row, _))) = (&self.location.span, text, position) {
            // Spans come from many places; never trust them to be on char boundaries.
            let start = floor_char_boundary(text, span.start.min(text.len()));
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let source_line = text[line_start..line_end].trim_end_matches('\r');
            let gutter = row.to_string();
            // Carets cover the span on its first line; they count characters, and the
            // indent copies the line's tabs, so they line up in a terminal.
            let end =
                floor_char_boundary(text, span.end.min(line_start + source_line.len())).max(start);
            let carets = text[start..end].chars().count().max(1);
            let indent: String = text[line_start..start]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("{pad} |\n"));
            out.push_str(&format!("{gutter} | {source_line}\n"));
            out.push_str(&format!("{pad} | {indent}{}\n", "^".repeat(carets)));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.location.file.as_deref().and_then(read_lossy);
        f.write_str(self.render(text.as_deref()).trim_end())
    }
}

/// A file's text for quoting. Invalid UTF-8 is replaced rather than refused, so the
/// error about it can still show the line (offsets up to the first bad byte hold).
fn read_lossy(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (row, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A set of problems found by one run. Errors make the run fail; warnings never do.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Renders everything, reading each named file once for the quoted lines.
    pub fn render(&self) -> String {
        let mut cache: Vec<(PathBuf, Option<String>)> = Vec::new();
        let mut out = String::new();
        for d in &self.items {
            let text = d.location.file.as_deref().and_then(|path| {
                if let Some((_, t)) = cache.iter().find(|(p, _)| p == path) {
                    return t.clone();
                }
                let t = read_lossy(path);
                cache.push((path.to_path_buf(), t.clone()));
                t
            });
            out.push_str(&d.render(text.as_deref()));
            out.push('\n');
        }
        out
    }

    /// Ok(()) when there is no error; otherwise self as the error.
    pub fn into_result(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

/// Convenience for I/O failures on a path.
pub fn io_error(action: &str, path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot {action} {}: {err}", path.display())).in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let text = "[project]\nname = \"x\"\nversion = \"1.0.0.x\"\n";
        let start = text.find("\"1.0").unwrap();
        let d = Diagnostic::error("invalid version")
            .in_file("pyproject.toml")
            .at("project.version", start..start + 9)
            .with_help("use a PEP 440 version such as \"1.0.0\"");
        let out = d.render(Some(text));
        assert!(
            out.contains("pyproject.toml:3:11 (project.version)"),
            "{out}"
        );
        assert!(out.contains("3 | version = \"1.0.0.x\""), "{out}");
        assert!(out.contains("  |           ^^^^^^^^^\n"), "{out}");
        assert!(out.contains("= help: use a PEP 440"), "{out}");
    }

    #[test]
    fn line_and_column_counts_characters() {
        assert_eq!(line_and_column("ab\ncäd", 6), (2, 3));
        assert_eq!(line_and_column("", 0), (1, 1));
    }
}
