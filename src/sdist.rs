//! Writes the sdist: a gzip'd PAX tar whose members sit under `<dist>/`, sorted by
//! path, with PKG-INFO last — as flit_core's `build_sdist` does.

use std::fs::File;
use std::io;
use std::path::Path;

use crate::archive::gzip::GzipWriter;
use crate::archive::tar::{TarHeader, TarMtime, TarWriter};
use crate::build::{self, AtomicFile, BuildOptions};
use crate::diagnostic::Diagnostics;
use crate::layout;
use crate::metadata;
use crate::profile::{UnsetEpoch, FIXED_EPOCH};
use crate::project::Project;

pub fn filename(project: &Project, profile: &crate::profile::Profile) -> String {
    format!("{}.tar.gz", base_name(project, profile))
}

/// `<name>-<version>`: normalised (PEP 625) from flit 3.9, the name as written before.
fn base_name(project: &Project, profile: &crate::profile::Profile) -> String {
    if profile.sdist_name_normalized {
        project.dist_name()
    } else {
        format!("{}-{}", project.name, project.version)
    }
}

/// Builds the sdist into `outdir`; returns its file name.
pub fn build(
    project: &Project,
    options: &BuildOptions,
    outdir: &Path,
) -> Result<String, Diagnostics> {
    let epoch = options.sdist_epoch.clone()?;
    let files = layout::sdist_files(project, &options.profile)?;
    let dist = base_name(project, &options.profile);
    let name = filename(project, &options.profile);
    let target = outdir.join(&name);
    let io_err =
        |e: io::Error| -> Diagnostics { crate::diagnostic::io_error("write", &target, &e).into() };

    // flit: gzip mtime = SOURCE_DATE_EPOCH, or 2016-01-01 when it is unset or 0.
    // flit ≤ 3.8: the epoch as given (0 too), else the build time.
    let gzip_mtime = match (
        options.gzip_mtime_override,
        epoch,
        options.profile.gzip_mtime_fixed,
    ) {
        (Some(m), _, _) => m,
        (None, Some(e), false) => e as u32,
        (None, None, false) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as u32),
        (None, Some(e), true) if e != 0 => e as u32,
        (None, _, true) => FIXED_EPOCH as u32,
    };
    // Every member's mtime: the epoch when set; else flit keeps file mtimes and native
    // uses one fixed time.
    let fixed_member_time = match (epoch, options.profile.unset_epoch) {
        (Some(e), _) => Some(e),
        (None, UnsetEpoch::Fixed(t)) => Some(t),
        (None, UnsetEpoch::FileMtimes) => None,
    };

    let mut out = AtomicFile::create(&target).map_err(io_err)?;
    let gzip_name = format!("{dist}.tar");
    let gz = match options.profile.gzip_pieces {
        Some(piece) => GzipWriter::in_pieces(
            out.take_file(),
            &gzip_name,
            gzip_mtime,
            options.gzip_level(),
            piece,
            build::thread_count(),
        ),
        None => GzipWriter::new(
            out.take_file(),
            &gzip_name,
            gzip_mtime,
            options.gzip_level(),
        ),
    }
    .map_err(io_err)?;
    let mut tar = TarWriter::with_flavor(gz, options.runtime.tar_flavor);
    for f in &files {
        let member = format!("{dist}/{}", f.archive_path);
        let meta = match &f.symlink_target {
            Some(_) => std::fs::symlink_metadata(&f.source),
            None => std::fs::metadata(&f.source),
        }
        .map_err(|e| crate::diagnostic::io_error("read", &f.source, &e))?;
        let recovered = options
            .tar_mtime_overrides
            .as_ref()
            .and_then(|m| m.get(&f.archive_path));
        let mtime = match (fixed_member_time, recovered) {
            (Some(t), _) => TarMtime::Int(t),
            (None, Some(&(secs, nanos))) => TarMtime::Float { secs, nanos },
            (None, None) => {
                let (secs, nanos) = build::file_mtime(&meta);
                TarMtime::Float { secs, nanos }
            }
        };
        let header = TarHeader {
            path: member,
            mode: build::normalize_mode(build::file_mode(&meta)),
            mtime,
        };
        match &f.symlink_target {
            Some(target_path) => tar.add_symlink(&header, target_path).map_err(io_err)?,
            None => {
                let file = File::open(&f.source)
                    .map_err(|e| crate::diagnostic::io_error("read", &f.source, &e))?;
                tar.add_file(&header, meta.len(), file)
                    .map_err(|e| crate::diagnostic::io_error("add", &f.source, &e))?;
            }
        }
    }
    let pkg_info = if options.profile.pkg_info_template {
        metadata::pkg_info_template(project)
    } else {
        metadata::core_metadata(project, &options.profile)
    };
    // flit's PKG-INFO is a fresh TarInfo: mtime 0 whatever the epoch. Native gives it the
    // same time as every other member.
    let pkg_info_time = if options.profile.is_native() {
        fixed_member_time.unwrap_or(FIXED_EPOCH)
    } else {
        0
    };
    let header = TarHeader {
        path: format!("{dist}/PKG-INFO"),
        mode: 0o644,
        mtime: TarMtime::Int(pkg_info_time),
    };
    tar.add_file(&header, pkg_info.len() as u64, pkg_info.as_bytes())
        .map_err(io_err)?;
    let gz = tar.finish().map_err(io_err)?;
    let file = gz.finish().map_err(io_err)?;
    out.commit(file).map_err(io_err)?;
    Ok(name)
}
