//! Rules of older flit_core releases that differ from 4.2's, selected by the profile's
//! knobs (conformance/flit-versions.md). Kept apart from the `[project]` validation so
//! each rule is one small function.

use std::path::Path;

use super::license::LicenseError;
use super::requirement::normalize_extra;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::layout::ArchiveFile;
use crate::profile::{LicenseExprSupport, Profile};
use crate::pyproject::{Table, Value};

/// Refuses a canonical license expression that `profile`'s flit release did not
/// accept: 3.11 took a single id, 3.12–4.0 had no `WITH`.
pub fn license_expr_supported(expr: String, profile: &Profile) -> Result<String, LicenseError> {
    let release = profile.flit_version().unwrap_or("this release");
    match profile.license_expr {
        LicenseExprSupport::Full => Ok(expr),
        LicenseExprSupport::TableOnly => Err(LicenseError {
            message: format!(
                "flit {release} takes the license only as a table: {{file = \"...\"}} or {{text = \"...\"}}"
            ),
            offset: None,
        }),
        LicenseExprSupport::SingleId if expr.contains([' ', '(', ')']) => Err(LicenseError {
            message: format!(
                "flit {release} accepts only a single SPDX license id here, not a compound expression"
            ),
            offset: None,
        }),
        LicenseExprSupport::AndOr if expr.split(' ').any(|t| t == "WITH") => Err(LicenseError {
            message: format!("flit {release} does not accept WITH in license expressions"),
            offset: expr.find(" WITH ").map(|i| i + 1),
        }),
        _ => Ok(expr),
    }
}

/// `license = {file = "..."}`'s path, normalised: what flit ≤ 3.10 adds to the sdist.
pub fn license_table_file(project: &Table) -> Option<String> {
    let Value::Table(t) = &project.get("license")?.value else {
        return None;
    };
    match &t.get("file")?.value {
        Value::String(f) => Some(super::normpath(f)),
        _ => None,
    }
}

/// The wheel's license files under flit ≤ 3.10: for `COPYING*` then `LICENSE*`, the
/// top-level regular files matching it, sorted, copied flat into `dist_info`. flit ≤ 3.1
/// crashed on a matching folder, so those profiles refuse one.
pub fn flat_license_files(
    root: &Path,
    dist_info: &str,
    profile: &Profile,
) -> Result<Vec<ArchiveFile>, Diagnostics> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir(root) else {
        return Ok(out);
    };
    let mut names: Vec<(String, bool)> = dir
        .filter_map(Result::ok)
        .filter_map(|e| {
            let is_file = e.path().is_file();
            e.file_name().into_string().ok().map(|n| (n, is_file))
        })
        .collect();
    names.sort();
    for base in ["COPYING", "LICENSE"] {
        for (name, is_file) in names.iter().filter(|(n, _)| n.starts_with(base)) {
            if !is_file {
                if profile.license_dir_crashes && root.join(name).is_dir() {
                    return Err(Diagnostic::error(format!(
                        "{name}/ is a folder matching {base}*, and flit {} fails on it \
                         (IsADirectoryError) when it copies license files into the wheel",
                        profile.flit_version().unwrap_or("")
                    ))
                    .in_file(root.join(name))
                    .with_help("rename the folder, or use flit-3.2.0 or later, which skips folders")
                    .into());
                }
                continue;
            }
            out.push(ArchiveFile {
                source: root.join(name),
                archive_path: format!("{dist_info}/{name}"),
                symlink_target: None,
            });
        }
    }
    Ok(out)
}

/// flit ≤ 3.7's py2 rule: py3 only if some comma-separated part of requires-python
/// matches `^\s*(>\s*(=\s*)?)?[3-9]`.
pub fn legacy_supports_py2(requires_python: Option<&str>) -> bool {
    let Some(rp) = requires_python else {
        return true;
    };
    !rp.split(',').any(|part| {
        let mut s = part.trim_start();
        if let Some(rest) = s.strip_prefix('>') {
            s = rest.trim_start();
            if let Some(rest) = s.strip_prefix('=') {
                s = rest.trim_start();
            }
        }
        s.chars().next().is_some_and(|c| ('3'..='9').contains(&c))
    })
}

/// flit 3.10–4.1's `_normalise_requires_dist`: the first `\[([^]]*)\]` anywhere in the
/// requirement is split at commas, each extra normalised and re-joined with `, `, and
/// that bracket then replaces *every* match of the same pattern in the string (so a
/// bracketed IPv6 host in a URL is rewritten too — reproduced, not endorsed).
pub fn normalize_first_bracket_everywhere(req: &str) -> String {
    let Some(first) = next_bracket(req, 0) else {
        return req.to_string();
    };
    let inner = &req[first.0 + 1..first.1 - 1];
    let extras: Vec<String> = inner
        .split(',')
        .map(|e| normalize_extra(e.trim()))
        .collect();
    let replacement = format!("[{}]", extras.join(", "));
    let mut out = String::with_capacity(req.len());
    let mut pos = 0;
    while let Some((start, end)) = next_bracket(req, pos) {
        out.push_str(&req[pos..start]);
        out.push_str(&replacement);
        pos = end;
    }
    out.push_str(&req[pos..]);
    out
}

/// The next match of `\[[^]]*\]` at or after `from`: (start, end) byte offsets.
fn next_bracket(s: &str, from: usize) -> Option<(usize, usize)> {
    let open = from + s.get(from..)?.find('[')?;
    let close = open + s[open..].find(']')?;
    Some((open, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bracket_replaces_all() {
        // Measured with flit 3.10–4.1 (conformance/flit-versions.md §2.1).
        assert_eq!(
            normalize_first_bracket_everywhere("Thing[Extra_A] @ http://[FE80::1]/x"),
            "Thing[extra-a] @ http://[extra-a]/x"
        );
        assert_eq!(
            normalize_first_bracket_everywhere("plain @ http://[FE80::2]/y"),
            "plain @ http://[fe80::2]/y"
        );
        assert_eq!(
            normalize_first_bracket_everywhere("requests[Socks,Security_Extra] >=2.0"),
            "requests[socks, security-extra] >=2.0"
        );
        assert_eq!(normalize_first_bracket_everywhere("a >=1"), "a >=1");
        assert_eq!(normalize_first_bracket_everywhere("a [b"), "a [b");
    }

    #[test]
    fn legacy_py2_rule() {
        // Measured (flit-versions.md §2.1 D): none, <4, ~=3.9, ==3.*, > = 3, >=3.6.
        let cases = [
            (None, true),
            (Some("<4"), true),
            (Some("~=3.9"), true),
            (Some("==3.*"), true),
            (Some("> = 3"), false),
            (Some(">=3.6"), false),
        ];
        for (rp, py2) in cases {
            assert_eq!(legacy_supports_py2(rp), py2, "{rp:?}");
        }
    }

    #[test]
    fn license_support_per_release() {
        let p = |v| Profile::flit(v).unwrap();
        assert!(license_expr_supported("MIT OR Apache-2.0".into(), &p("3.11.0")).is_err());
        assert!(license_expr_supported("MIT".into(), &p("3.11.0")).is_ok());
        let with = "GPL-2.0-or-later WITH Classpath-exception-2.0".to_string();
        assert!(license_expr_supported(with.clone(), &p("4.0.2")).is_err());
        assert!(license_expr_supported(with, &p("4.1.0")).is_ok());
    }
}
