//! Editable wheels (PEP 660) the way flit makes them: the normal wheel's layout with
//! the module's files replaced by `<module>.pth`, which holds the absolute, resolved
//! source root (the project folder or its `src/`) without a trailing newline.

use std::path::Path;

use crate::build::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::project::Project;

/// The `.pth` file's name and content.
pub fn pth_file(project: &Project) -> Result<(String, String), Diagnostics> {
    let source_dir = &project.module.source_dir;
    let root = source_dir
        .canonicalize()
        .map_err(|e| crate::diagnostic::io_error("resolve", source_dir, &e))?;
    let root = root.to_str().ok_or_else(|| {
        Diagnostic::error(format!(
            "the source path {} is not valid UTF-8",
            root.display()
        ))
    })?;
    Ok((format!("{}.pth", project.module.name), root.to_string()))
}

/// Builds the editable wheel into `outdir`; returns its file name.
pub fn build(
    project: &Project,
    options: &BuildOptions,
    outdir: &Path,
    metadata_dir: Option<&Path>,
) -> Result<String, Diagnostics> {
    supported(&options.profile)?;
    crate::wheel::build(project, options, outdir, metadata_dir, true)
}

/// flit ≤ 3.3 has no PEP 660 hooks; frontends then fall back or fail, so the profile
/// must not quietly build what that release could not.
pub fn supported(profile: &crate::profile::Profile) -> Result<(), Diagnostics> {
    if profile.editable_hooks {
        return Ok(());
    }
    Err(crate::diagnostic::Diagnostic::error(format!(
        "flit {} has no editable builds (build_editable and \
         prepare_metadata_for_build_editable came in flit 3.4)",
        profile.flit_version().unwrap_or("")
    ))
    .with_help("use --profile flit-3.4.0 or later for editable installs")
    .into())
}
