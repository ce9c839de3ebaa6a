//! `[tool.forge-backend]`: forge's own settings, for what flit cannot express.
//!
//! ```toml
//! [tool.forge-backend]
//! source-dir = "python"            # also look for the module here (besides ".", "src")
//! scripts = ["bin/mytool"]         # executables for <dist>.data/scripts/ (mode 755)
//! wheel-tag = "py3-none-linux_x86_64"  # instead of py3-none-any / py2.py3-none-any
//! ```
//!
//! A CLI tool written in Rust, Go or C can ship its prebuilt executable this way; forge
//! uses it to package itself. The config settings `script=PATH` and `wheel-tag=TAG`
//! (`-C ...`) add to / override these at build time.

use std::path::PathBuf;

use crate::pyproject::{Node, Value};

/// Parsed `[tool.forge-backend]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForgeTable {
    pub source_dir: Option<String>,
    /// Absolute paths of executables to install as scripts.
    pub scripts: Vec<PathBuf>,
    pub wheel_tag: Option<String>,
}

/// An error: key path, span, message.
pub type TableError = (String, std::ops::Range<usize>, String);

pub fn parse(root: &std::path::Path, node: &Node) -> Result<ForgeTable, Vec<TableError>> {
    let mut errors = Vec::new();
    let mut table = ForgeTable::default();
    let Value::Table(t) = &node.value else {
        return Err(vec![(
            "tool.forge-backend".into(),
            node.span.clone(),
            format!(
                "`tool.forge-backend` must be a table, not {}",
                node.value.type_name()
            ),
        )]);
    };
    for e in &t.entries {
        let key = format!("tool.forge-backend.{}", e.key);
        match (e.key.as_str(), &e.node.value) {
            ("source-dir", Value::String(dir)) => match inside(root, dir) {
                Ok(path) if path.is_dir() => table.source_dir = Some(dir.clone()),
                Ok(_) => errors.push((key, e.node.span.clone(), format!("{dir} is not a folder"))),
                Err(m) => errors.push((key, e.node.span.clone(), m)),
            },
            ("scripts", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let item_key = format!("{key}[{i}]");
                    match &item.value {
                        Value::String(p) => match inside(root, p) {
                            Ok(path) if path.is_file() => table.scripts.push(path),
                            Ok(_) => errors.push((item_key, item.span.clone(), format!("{p} is not a file"))),
                            Err(m) => errors.push((item_key, item.span.clone(), m)),
                        },
                        other => errors.push((
                            item_key,
                            item.span.clone(),
                            format!("a script must be a string path, not {}", other.type_name()),
                        )),
                    }
                }
            }
            ("wheel-tag", Value::String(tag)) => match check_wheel_tag(tag) {
                Ok(()) => table.wheel_tag = Some(tag.clone()),
                Err(m) => errors.push((key, e.node.span.clone(), m)),
            },
            ("source-dir" | "wheel-tag", other) => errors.push((
                key,
                e.node.span.clone(),
                format!("must be a string, not {}", other.type_name()),
            )),
            ("scripts", other) => errors.push((
                key,
                e.node.span.clone(),
                format!("must be an array of paths, not {}", other.type_name()),
            )),
            (other, _) => errors.push((
                key,
                e.key_span.clone(),
                format!("unknown key `{other}` in [tool.forge-backend]; known: source-dir, scripts, wheel-tag"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors)
    }
}

/// A project-relative path that must stay inside the project.
fn inside(root: &std::path::Path, rel: &str) -> Result<PathBuf, String> {
    if super::is_absish(rel) {
        return Err(format!("{rel:?} must be a relative path"));
    }
    let path = root.join(rel);
    if !path.exists() {
        return Err(format!("{rel} does not exist"));
    }
    if !super::is_within(&path, root) {
        return Err(format!("{rel} points outside the project directory"));
    }
    Ok(path)
}

/// `python-abi-platform`, each part one or more `.`-separated tags of `[A-Za-z0-9_]`.
pub fn check_wheel_tag(tag: &str) -> Result<(), String> {
    let parts: Vec<&str> = tag.split('-').collect();
    let ok = parts.len() == 3
        && parts.iter().all(|p| {
            p.split('.')
                .all(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid wheel tag {tag:?}; expected PYTHON-ABI-PLATFORM such as py3-none-linux_x86_64"
        ))
    }
}

/// Every `Tag:` line a compressed tag set stands for, in the order of its parts.
pub fn expand_wheel_tag(tag: &str) -> Vec<String> {
    let parts: Vec<Vec<&str>> = tag.split('-').map(|p| p.split('.').collect()).collect();
    let mut out = Vec::new();
    if let [py, abi, plat] = parts.as_slice() {
        for p in py {
            for a in abi {
                for pl in plat {
                    out.push(format!("{p}-{a}-{pl}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_tags() {
        assert!(check_wheel_tag("py3-none-linux_x86_64").is_ok());
        assert!(check_wheel_tag("py3-none-manylinux_2_17_x86_64.musllinux_1_2_x86_64").is_ok());
        assert!(check_wheel_tag("py3-none").is_err());
        assert!(check_wheel_tag("py3-none-linux x86").is_err());
        assert_eq!(
            expand_wheel_tag("py2.py3-none-any"),
            ["py2-none-any", "py3-none-any"]
        );
        assert_eq!(expand_wheel_tag("py3-none-a.b").len(), 2);
    }
}
