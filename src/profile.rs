//! Output profiles: which backend's bytes we write.
//!
//! `native` is forge's own behaviour; `flit-X.Y.Z` reproduces that flit_core release's
//! bytes. A profile is data — a handful of knobs read by the stages — never a copy of
//! code. The differences are listed in docs/profiles.md.

use std::fmt;

/// How the wheel and sdist get their timestamps when `SOURCE_DATE_EPOCH` is unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsetEpoch {
    /// flit: files from disk keep their mtimes (local time in the zip, float PAX mtimes
    /// in the tar); generated files get 2016-01-01 00:00:00.
    FileMtimes,
    /// forge: one fixed timestamp for every member, so builds are reproducible anyway.
    Fixed(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The `Generator:` line of WHEEL.
    pub generator: String,
    /// flit writes 2.5 whatever fields are present; native writes the lowest version
    /// that has every emitted field (core metadata spec), never below 2.2 (sdist spec).
    pub fixed_metadata_version: Option<&'static str>,
    /// flit 4.x fills `Import-Name`/`Import-Namespace` from the module even when the
    /// project neither declares them nor lists them in `dynamic`; the pyproject spec
    /// says a backend cannot fill in a key that is not dynamic.
    pub implicit_import_names: bool,
    pub unset_epoch: UnsetEpoch,
    /// flit ignores a `SOURCE_DATE_EPOCH` that is not an integer in the wheel (and
    /// crashes in the sdist); native refuses it with a clear error.
    pub lenient_epoch: bool,
    /// flit only warns about a readme with an unknown extension (and writes no
    /// content type); the pyproject spec says tools MUST raise an error.
    pub unknown_readme_suffix_is_error: bool,
    /// flit stores symlinks in sdists; the sdist spec forbids links, so native stores
    /// the target's content as a regular file.
    pub sdist_keeps_symlinks: bool,
    /// flit drops `license = {text = ...}`; native writes it as `License:`.
    pub writes_license_text: bool,
    /// flit imports the module when the source has no literal docstring/`__version__`;
    /// the shim reproduces that for flit profiles. Native never runs project code.
    pub import_fallback: bool,
    /// Raw-deflate levels of the wheel's zip and of the sdist's gzip.
    pub wheel_level: u8,
    pub gzip_level: u8,
}

/// Seconds since the epoch of 2016-01-01 00:00:00 UTC: flit's timestamp for generated
/// files, and the one native uses for everything when `SOURCE_DATE_EPOCH` is unset.
pub const FIXED_EPOCH: i64 = 1_451_606_400;

pub const NAMES: &[&str] = &["native", "flit-4.2.0", "flit"];

impl Profile {
    pub fn native() -> Profile {
        Profile {
            name: "native".into(),
            generator: format!("forge_backend {}", env!("CARGO_PKG_VERSION")),
            fixed_metadata_version: None,
            implicit_import_names: false,
            unset_epoch: UnsetEpoch::Fixed(FIXED_EPOCH),
            lenient_epoch: false,
            unknown_readme_suffix_is_error: true,
            sdist_keeps_symlinks: false,
            writes_license_text: true,
            import_fallback: false,
            wheel_level: 6,
            gzip_level: 9,
        }
    }

    pub fn flit(version: &str) -> Profile {
        Profile {
            name: format!("flit-{version}"),
            generator: format!("flit {version}"),
            fixed_metadata_version: Some("2.5"),
            implicit_import_names: true,
            unset_epoch: UnsetEpoch::FileMtimes,
            lenient_epoch: true,
            unknown_readme_suffix_is_error: false,
            sdist_keeps_symlinks: true,
            writes_license_text: false,
            import_fallback: true,
            wheel_level: 6,
            gzip_level: 9,
        }
    }

    /// Looks a profile up by name (`native`, `flit-4.2.0`, or `flit` for the newest).
    pub fn by_name(name: &str) -> Result<Profile, String> {
        match name {
            "native" => Ok(Profile::native()),
            "flit" | "flit-4.2.0" => Ok(Profile::flit("4.2.0")),
            other => Err(format!(
                "unknown profile {other:?}; known profiles: {}",
                NAMES.join(", ")
            )),
        }
    }

    pub fn is_native(&self) -> bool {
        self.name == "native"
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
