//! pyproject.toml as a tree of values that remember where they came from.
//!
//! `toml::de::DeTable` borrows the text and sorts keys; we copy it into an owned tree
//! ([`Node`]) that keeps every value's byte span and every key's span, so later stages
//! can point at the exact line and column of a culprit, and can recover source order.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// A TOML value with its byte span in the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(String),
    Float(String),
    Boolean(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

/// A table's entries in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

impl Value {
    /// The TOML type name, for "expected a string, found an integer" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a datetime",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&Table> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// A parsed pyproject.toml: its path, text and root table.
#[derive(Clone, Debug)]
pub struct PyProject {
    pub path: PathBuf,
    pub text: String,
    pub root: Table,
}

impl PyProject {
    /// Reads and parses `path`. TOML syntax errors come back with their position.
    pub fn load(path: &Path) -> Result<PyProject, Diagnostics> {
        let bytes =
            std::fs::read(path).map_err(|e| crate::diagnostic::io_error("read", path, &e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            Diagnostic::error("pyproject.toml is not valid UTF-8")
                .in_file(path)
                .at("(file)", offset..offset + 1)
        })?;
        PyProject::parse(path, text)
    }

    /// Parses `text` as the content of `path` (the path is used for messages only).
    pub fn parse(path: &Path, text: String) -> Result<PyProject, Diagnostics> {
        let (parsed, errors) = DeTable::parse_recoverable(&text);
        if !errors.is_empty() {
            let mut diagnostics = Diagnostics::new();
            for err in errors {
                let span = err.span().unwrap_or(0..0);
                let message = err.message().trim().to_string();
                diagnostics.push(
                    Diagnostic::error(format!("invalid TOML: {message}"))
                        .in_file(path)
                        .at("(syntax)", span),
                );
            }
            return Err(diagnostics);
        }
        let root = convert_table(parsed.get_ref());
        Ok(PyProject {
            path: path.to_path_buf(),
            text,
            root,
        })
    }

    /// An error pointing at `span` under `key` in this file.
    pub fn error(&self, key: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).in_file(&self.path).at(key, span)
    }

    /// A warning pointing at `span` under `key` in this file.
    pub fn warning(&self, key: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(message)
            .in_file(&self.path)
            .at(key, span)
    }
}

fn convert_table(table: &DeTable<'_>) -> Table {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_span: key.span(),
            node: convert_value(value.get_ref(), value.span()),
        })
        .collect();
    // DeTable orders keys lexically; messages and flit-compatible iteration want the
    // order the user wrote.
    entries.sort_by_key(|e| e.key_span.start);
    Table { entries }
}

fn convert_value(value: &DeValue<'_>, span: Range<usize>) -> Node {
    let value = match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::Integer(i.as_str().to_string()),
        DeValue::Float(f) => Value::Float(f.as_str().to_string()),
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| convert_value(item.get_ref(), item.span()))
                .collect(),
        ),
        DeValue::Table(t) => Value::Table(convert_table(t)),
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_source_order() {
        let text = "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"a\", \"b\"]\n";
        let doc = PyProject::parse(Path::new("pyproject.toml"), text.to_string()).unwrap();
        let project = doc.root.get("project").unwrap().value.as_table().unwrap();
        let keys: Vec<_> = project.keys().collect();
        assert_eq!(keys, ["name", "version", "dependencies"]);
        let deps = project
            .get("dependencies")
            .unwrap()
            .value
            .as_array()
            .unwrap();
        assert_eq!(&text[deps[1].span.clone()], "\"b\"");
    }

    #[test]
    fn syntax_error_has_position() {
        let err = PyProject::parse(Path::new("p.toml"), "[project\nname=1".into()).unwrap_err();
        assert!(err.has_errors());
        assert!(err.items[0].location.span.is_some());
    }
}
