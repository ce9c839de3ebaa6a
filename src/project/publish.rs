//! PyPI's upload rules that can only be checked on what forge would write: the
//! rendered METADATA and the file names. Every rule on the input itself is in the
//! `Checker` (with a location in pyproject.toml); these are the last line of defence, so
//! a failure here is a forge bug as much as a project problem.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::metadata;
use crate::profile::Profile;
use crate::project::{requirement, version, Project};

/// The newest Metadata-Version PyPI accepts.
const PYPI_MAX_METADATA: (u32, u32) = (2, 5);

/// Fields that may appear once.
const SINGLE_USE: &[&str] = &[
    "Metadata-Version",
    "Name",
    "Version",
    "Summary",
    "Description-Content-Type",
    "Keywords",
    "Author",
    "Author-email",
    "Maintainer",
    "Maintainer-email",
    "License",
    "License-Expression",
    "Requires-Python",
];

/// Lints the METADATA forge would write for `project`, and its file names.
pub fn lint(project: &Project, profile: &Profile) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let pyproject = project.root.join("pyproject.toml");
    let mut bug = |message: String| {
        diags.push(
            Diagnostic::error(format!("{message}; PyPI would reject the upload"))
                .in_file(&pyproject)
                .with_help(
                    "this is a forge_backend bug: please report it with your pyproject.toml",
                ),
        )
    };
    let text = metadata::core_metadata(project, profile);
    let headers = text.split("\n\n").next().unwrap_or("");
    let mut seen: Vec<&str> = Vec::new();
    for line in headers.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((field, _)) = line.split_once(": ") else {
            bug(format!(
                "METADATA line {line:?} is not a `Field: value` header"
            ));
            continue;
        };
        if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            bug(format!("METADATA field name {field:?} is malformed"));
        }
        if SINGLE_USE.contains(&field) && seen.contains(&field) {
            bug(format!("METADATA has `{field}` twice"));
        }
        seen.push(field);
    }
    if seen.contains(&"License") && seen.contains(&"License-Expression") {
        bug("METADATA has both License and License-Expression".into());
    }
    let mv = headers
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Metadata-Version: "))
        .and_then(|v| v.split_once('.'))
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match mv {
        Some(v) if v <= PYPI_MAX_METADATA => {}
        Some((a, b)) => bug(format!(
            "Metadata-Version {a}.{b} is newer than PyPI accepts (2.5)"
        )),
        None => bug("METADATA does not start with a Metadata-Version".into()),
    }
    for file in &project.license_files {
        if !project.root.join(file).is_file() {
            diags.push(
                Diagnostic::error(format!(
                    "license file {file} is listed in License-File but is not a file in the project"
                ))
                .in_file(&pyproject),
            );
        }
    }
    // PyPI wants exactly `{escaped name}-{normalised version}`; recompute it from the
    // rules rather than trusting the code that writes the archives.
    let escaped = requirement::canonicalize_name(&project.name).replace('-', "_");
    let normal = version::Version::parse(&project.version)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let expected = format!("{escaped}-{normal}");
    if project.dist_name() != expected {
        diags.push(
            Diagnostic::error(format!(
                "the archives would be named {}.tar.gz and {}-…whl, but PyPI expects {expected}",
                project.dist_name(),
                project.dist_name()
            ))
            .in_file(&pyproject),
        );
    }
    diags
}
