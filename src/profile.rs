//! Output profiles: which backend's bytes we write.
//!
//! `native` is forge's own behaviour; `flit-X.Y.Z` reproduces that flit_core release's
//! bytes. A profile is data — a handful of knobs read by the stages — never a copy of
//! code. The differences are listed in README.md, section Profiles.

use std::fmt;

use crate::project::pysource::VersionRule;

/// How the wheel and sdist get their timestamps when `SOURCE_DATE_EPOCH` is unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsetEpoch {
    /// flit: files from disk keep their mtimes (local time in the zip, float PAX mtimes
    /// in the tar); generated files get 2016-01-01 00:00:00.
    FileMtimes,
    /// forge: one fixed timestamp for every member, so builds are reproducible anyway.
    Fixed(i64),
}

/// Piece size of the native sdist's parallel gzip: large enough that the pieces' extra
/// block headers and sync markers cost under 0.1% of the size, small enough that a
/// typical sdist (a few hundred KiB of tar) still spreads over the cores.
pub const NATIVE_GZIP_PIECE: usize = 256 * 1024;

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
    /// `Some(n)`: the sdist's gzip body is deflated in n-byte pieces on all cores (see
    /// `archive::pieces`); `None`: one stream, as CPython's `GzipFile` writes it.
    pub gzip_pieces: Option<usize>,
    /// How `Import-Name`/`Import-Namespace` lines are written (none before flit 4).
    pub import_name_lines: ImportNameLines,
    /// Which `[...]` of a requirement get their extras normalised.
    pub bracket_extras: BracketExtras,
    /// RECORD's line format.
    pub record: RecordStyle,
    /// License files picked up when `license-files` is not set.
    pub license_globs: &'static [&'static str],
    /// Which SPDX expressions `license = "..."` accepts.
    pub license_expr: LicenseExprSupport,
    /// flit ≥ 3.9 names the sdist and its folder with the normalised name (PEP 625);
    /// before, `<Name as written>-<version>`.
    pub sdist_name_normalized: bool,
    /// flit ≥ 3.9 gives generated wheel entries the regular-file type (0x81a40000);
    /// before, permission bits only (0x01a40000).
    pub generated_file_type: bool,
    /// flit ≥ 3.9 dates the gzip header 2016-01-01 when `SOURCE_DATE_EPOCH` is unset or
    /// 0; before, the build time (unset) or 0.
    pub gzip_mtime_fixed: bool,
    /// flit ≥ 3.8: `~=3.9` and `==3.*` mean py3 only, `> = 3` does not (#593); before,
    /// only `>`/`>=` followed by 3-9 did.
    pub py2_rule_current: bool,
    /// flit ≥ 3.8 maps a `-` in the project name to `_` for the module.
    pub hyphen_to_underscore: bool,
    /// flit ≥ 3.8: `**` in `[tool.flit.sdist]` patterns, and `__pycache__`/`.pyc` always
    /// excluded from the sdist.
    pub sdist_doublestar: bool,
    /// flit ≥ 3.7 lowercases the wheel and `.dist-info` names (#498); before, the
    /// case of `Name` is kept (`Upper_Case_Name-1.0-py3-none-any.whl`).
    pub wheel_name_lowercase: bool,
    /// `[tool.flit.external-data]` (flit ≥ 3.7; an unknown table before).
    pub external_data: bool,
    /// Which assignments to `__version__` are read without importing the module.
    pub version_rule: VersionRule,
    /// flit ≥ 3.9 also reads `__version__.py`, `_version.py` and `version.py`.
    pub version_files: bool,
    /// Where license files go (PEP 639 from flit 3.11).
    pub license_layout: LicenseLayout,
    /// PEP 685 extra normalisation (flit 3.10+): `Provides-Extra`, `extra == "..."` and
    /// their order use normalised names; before, the names as written, sorted as written.
    pub normalize_extras: bool,
    /// flit 4 maps the name `foo-bar-stubs` to the folder `foo_bar-stubs`; 3.x looks
    /// for `foo_bar_stubs` and so cannot build stub-only packages.
    pub stub_packages: bool,
    /// Which pyproject.toml tables hold the metadata.
    pub config_formats: ConfigFormats,
    /// flit ≤ 3.2 writes the sdist's PKG-INFO from a 7-line `Metadata-Version: 1.1`
    /// template (the literal `None` for a missing value); later, a copy of METADATA.
    pub pkg_info_template: bool,
    /// flit ≤ 3.1 writes `Home-page: UNKNOWN` and `License: UNKNOWN` when absent.
    pub unknown_placeholders: bool,
    /// flit ≥ 3.2 folds multi-line values with an 8-space continuation; before, the
    /// line breaks went into the header raw.
    pub fold_multiline: bool,
    /// flit ≥ 3.11 writes the old format's `License:` after Description-Content-Type
    /// (raw, and only when non-empty); before, after Home-page.
    pub license_after_content_type: bool,
    /// flit ≥ 3.2 matches the readme's extension case-insensitively (`README.MD`).
    pub readme_suffix_any_case: bool,
    /// flit ≤ 3.3 crashes building a wheel when SOURCE_DATE_EPOCH is before 1980; later
    /// releases clamp the zip dates to 1980-01-01.
    pub pre1980_epoch_error: bool,
    /// flit ≥ 3.5: a dotted module name is a package inside namespace packages.
    pub namespace_modules: bool,
    /// flit 3.0 escapes the wheel and `.dist-info` names with `[^\w\d.]+` → `_`
    /// (dots kept, `+` of a local version too); later, runs of `-_.` become `_`.
    pub wheel_name_keeps_dots: bool,
    /// flit ≥ 3.4 has the PEP 660 hooks.
    pub editable_hooks: bool,
    /// flit ≤ 3.1 crashes (IsADirectoryError) when a folder matches `COPYING*` or
    /// `LICENSE*`; 3.2 skips folders.
    pub license_dir_crashes: bool,
}

/// Where a release reads metadata from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigFormats {
    /// flit 3.0–3.1: only `[tool.flit.metadata]` (a `[project]` table is ignored).
    OldOnly,
    /// flit 3.2–3.12: `[project]` or `[tool.flit.metadata]`, never both.
    Both,
    /// flit 4 and native: `[project]` only; the old tables are refused.
    ProjectOnly,
}

/// How a release writes the import-name lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportNameLines {
    /// flit 3.x: Metadata 2.5 did not exist; never written.
    Never,
    /// flit 4.0.1 (a bug): `Import-Name: x` with no line end, so the next field (or the
    /// readme's blank separator line) runs on.
    NoLineEnd,
    /// One line each, newline-terminated.
    Lines,
}

/// Where license files go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LicenseLayout {
    /// flit ≤ 3.10: top-level `COPYING*` then `LICENSE*` files copied flat into the
    /// `.dist-info` folder; no `License-File`; `license-files` ignored (with a warning);
    /// only a `license = {file = ...}` goes into the sdist.
    Flat,
    /// PEP 639: `.dist-info/licenses/<path>`, `License-File:` lines, and the files in the
    /// sdist.
    Pep639,
}

/// flit normalises the extras of `Requires-Dist` requirements (PEP 685) from 3.10 on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BracketExtras {
    /// flit 3.10–4.1: the first `[...]` anywhere in the string (even in a URL or a
    /// marker) is normalised, and the result replaces *every* `[...]` of the string
    /// (`re.sub(r'\[([^]]*)\]', ...)`).
    FirstAnywhereReplaceAll,
    /// flit 4.2 and native: only the bracket right after the project name.
    AfterName,
    /// flit ≤ 3.9: requirements are written as given.
    Verbatim,
}

/// RECORD rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStyle {
    /// flit 3.x: `path,sha256=...,size\n`, never quoted.
    PlainLf,
    /// flit 4.x and native: Python's `csv.writer`, CRLF and quoting.
    CsvCrlf,
}

/// License expressions a release accepts in `license = "..."`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LicenseExprSupport {
    /// flit ≤ 3.10: `license` must be a table.
    TableOnly,
    /// flit 3.11: one SPDX id (or LicenseRef).
    SingleId,
    /// flit 3.12–4.0: AND, OR and parentheses, no WITH.
    AndOr,
    /// flit 4.1+ and native: the full SPDX grammar.
    Full,
}

/// flit ≤ 3.10: top-level files only, copied flat (see [`LicenseLayout::Flat`]).
pub const LICENSE_GLOBS_3_0: &[&str] = &["COPYING*", "LICENSE*"];
/// The default license globs of flit 3.11–3.12 (PEP 639).
pub const LICENSE_GLOBS_3_11: &[&str] = &["COPYING*", "LICEN[CS]E*"];
/// flit 4.0+ (and native) add NOTICE and AUTHORS.
pub const LICENSE_GLOBS_4: &[&str] = &["COPYING*", "LICEN[CS]E*", "NOTICE*", "AUTHORS*"];

/// One flit_core release: the knobs measured in conformance/flit-versions.md §4 that
/// change bytes for `[project]` (PEP 621) projects. Releases with identical knobs
/// still get their own row, for their `Generator:` line.
struct FlitRelease {
    version: &'static str,
    metadata_version: &'static str,
    import_name_lines: ImportNameLines,
    bracket_extras: BracketExtras,
    record: RecordStyle,
    license_globs: &'static [&'static str],
    license_expr: LicenseExprSupport,
    stub_packages: bool,
    license_layout: LicenseLayout,
    normalize_extras: bool,
    sdist_name_normalized: bool,
    generated_file_type: bool,
    gzip_mtime_fixed: bool,
    py2_rule_current: bool,
    hyphen_to_underscore: bool,
    sdist_doublestar: bool,
    wheel_name_lowercase: bool,
    external_data: bool,
    /// The knobs of ≤ 3.4 (and the old format's), flit-versions.md §2.2 A–E.
    legacy: Legacy,
    /// How `__version__` is read without importing the module.
    ast: AstReading,
}

/// How a release reads `__version__` from the source (flit-versions.md §2.2 D); when it
/// finds none, flit imports the module (and `get_requires_*` returns the dependencies).
#[derive(Clone, Copy)]
struct AstReading {
    rule: VersionRule,
    /// `__version__.py`, `_version.py` and `version.py` are read before `__init__.py`.
    version_files: bool,
}

/// ≤ 3.7: `__init__.py` only, `__version__ = "str"` with one target (`ast.Str`).
const AST_3_0: AstReading = AstReading {
    rule: VersionRule {
        chained: false,
        annotated: false,
        any_constant: false,
    },
    version_files: false,
};
/// 3.8: chained assignments too (#474).
const AST_3_8: AstReading = AstReading {
    rule: VersionRule {
        chained: true,
        ..AST_3_0.rule
    },
    ..AST_3_0
};
/// 3.9: the version files (#630).
const AST_3_9: AstReading = AstReading {
    version_files: true,
    ..AST_3_8
};
/// 3.11: any constant (`ast.Constant`), not only a string.
const AST_3_11: AstReading = AstReading {
    rule: VersionRule {
        any_constant: true,
        ..AST_3_9.rule
    },
    ..AST_3_9
};
/// 3.12: annotated assignments (#728); what native reads too.
const AST_3_12: AstReading = AstReading {
    rule: VersionRule::NEWEST,
    ..AST_3_11
};

/// Knobs that change only among the oldest releases, grouped so that each row names
/// the era it belongs to.
#[derive(Clone, Copy)]
struct Legacy {
    config_formats: ConfigFormats,
    pkg_info_template: bool,
    unknown_placeholders: bool,
    fold_multiline: bool,
    license_after_content_type: bool,
    readme_suffix_any_case: bool,
    pre1980_epoch_error: bool,
    namespace_modules: bool,
    wheel_name_keeps_dots: bool,
    editable_hooks: bool,
    license_dir_crashes: bool,
}

/// 3.0.0: pytoml, old format only, 1.1 PKG-INFO, `UNKNOWN`, raw multi-line values,
/// case-sensitive readme extension, wheel names keep dots.
const L3_0: Legacy = Legacy {
    config_formats: ConfigFormats::OldOnly,
    pkg_info_template: true,
    unknown_placeholders: true,
    fold_multiline: false,
    license_after_content_type: false,
    readme_suffix_any_case: false,
    pre1980_epoch_error: true,
    namespace_modules: false,
    wheel_name_keeps_dots: true,
    editable_hooks: false,
    license_dir_crashes: true,
};
/// 3.1.0: wheel names `[-_.]+` → `_` (#395).
const L3_1: Legacy = Legacy {
    wheel_name_keeps_dots: false,
    ..L3_0
};
/// 3.2.0: `[project]` (#393), no `UNKNOWN`, folded values (#402), any-case readme
/// extension, license folders skipped (#401).
const L3_2: Legacy = Legacy {
    config_formats: ConfigFormats::Both,
    unknown_placeholders: false,
    fold_multiline: true,
    readme_suffix_any_case: true,
    license_dir_crashes: false,
    ..L3_1
};
/// 3.3.0: PKG-INFO = METADATA (#410).
const L3_3: Legacy = Legacy {
    pkg_info_template: false,
    ..L3_2
};
/// 3.4.0: pre-1980 epochs clamped (#448), PEP 660 hooks (#400).
const L3_4: Legacy = Legacy {
    pre1980_epoch_error: false,
    editable_hooks: true,
    ..L3_3
};
/// 3.5.0: namespace packages (#468).
const L3_5: Legacy = Legacy {
    namespace_modules: true,
    ..L3_4
};
/// 3.11.0: the old format's `License:` moves below Description-Content-Type.
const L3_11: Legacy = Legacy {
    license_after_content_type: true,
    ..L3_5
};
/// 4.0: `[project]` only (#771).
const L4: Legacy = Legacy {
    config_formats: ConfigFormats::ProjectOnly,
    ..L3_11
};

use BracketExtras::Verbatim;
use BracketExtras::{AfterName, FirstAnywhereReplaceAll as FirstAll};
use ImportNameLines::{Lines, Never, NoLineEnd};
use LicenseExprSupport::{AndOr, Full, SingleId, TableOnly};
use LicenseLayout::{Flat, Pep639};
use RecordStyle::{CsvCrlf, PlainLf};

#[rustfmt::skip]
const FLIT_RELEASES: &[FlitRelease] = &[
    FlitRelease { version: "3.0.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_0, ast: AST_3_0 },
    FlitRelease { version: "3.1.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_1, ast: AST_3_0 },
    FlitRelease { version: "3.2.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_2, ast: AST_3_0 },
    FlitRelease { version: "3.3.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_3, ast: AST_3_0 },
    FlitRelease { version: "3.4.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_4, ast: AST_3_0 },
    FlitRelease { version: "3.5.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_5, ast: AST_3_0 },
    FlitRelease { version: "3.5.1", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_5, ast: AST_3_0 },
    FlitRelease { version: "3.6.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: false, external_data: false, legacy: L3_5, ast: AST_3_0 },
    FlitRelease { version: "3.7.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_0 },
    FlitRelease { version: "3.7.1", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: false, hyphen_to_underscore: false, sdist_doublestar: false, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_0 },
    FlitRelease { version: "3.8.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: false, generated_file_type: false, gzip_mtime_fixed: false, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_8 },
    FlitRelease { version: "3.9.0", metadata_version: "2.1", import_name_lines: Never, bracket_extras: Verbatim, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: false, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_9 },
    FlitRelease { version: "3.10.0", metadata_version: "2.3", import_name_lines: Never, bracket_extras: FirstAll, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_9 },
    FlitRelease { version: "3.10.1", metadata_version: "2.3", import_name_lines: Never, bracket_extras: FirstAll, record: PlainLf, license_globs: LICENSE_GLOBS_3_0, license_expr: TableOnly, stub_packages: false, license_layout: Flat, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_5, ast: AST_3_9 },
    FlitRelease { version: "3.11.0", metadata_version: "2.4", import_name_lines: Never, bracket_extras: FirstAll, record: PlainLf, license_globs: LICENSE_GLOBS_3_11, license_expr: SingleId, stub_packages: false, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_11, ast: AST_3_11 },
    FlitRelease { version: "3.12.0", metadata_version: "2.4", import_name_lines: Never, bracket_extras: FirstAll, record: PlainLf, license_globs: LICENSE_GLOBS_3_11, license_expr: AndOr, stub_packages: false, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L3_11, ast: AST_3_12 },
    FlitRelease { version: "4.0.1", metadata_version: "2.5", import_name_lines: NoLineEnd, bracket_extras: FirstAll, record: CsvCrlf, license_globs: LICENSE_GLOBS_4, license_expr: AndOr, stub_packages: true, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L4, ast: AST_3_12 },
    FlitRelease { version: "4.0.2", metadata_version: "2.5", import_name_lines: Lines, bracket_extras: FirstAll, record: CsvCrlf, license_globs: LICENSE_GLOBS_4, license_expr: AndOr, stub_packages: true, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L4, ast: AST_3_12 },
    FlitRelease { version: "4.1.0", metadata_version: "2.5", import_name_lines: Lines, bracket_extras: FirstAll, record: CsvCrlf, license_globs: LICENSE_GLOBS_4, license_expr: Full, stub_packages: true, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L4, ast: AST_3_12 },
    FlitRelease { version: "4.2.0", metadata_version: "2.5", import_name_lines: Lines, bracket_extras: AfterName, record: CsvCrlf, license_globs: LICENSE_GLOBS_4, license_expr: Full, stub_packages: true, license_layout: Pep639, normalize_extras: true, sdist_name_normalized: true, generated_file_type: true, gzip_mtime_fixed: true, py2_rule_current: true, hyphen_to_underscore: true, sdist_doublestar: true, wheel_name_lowercase: true, external_data: true, legacy: L4, ast: AST_3_12 },
];

/// The newest supported flit release, which `flit` alone selects.
pub const NEWEST_FLIT: &str = "4.2.0";

/// Seconds since the epoch of 2016-01-01 00:00:00 UTC: flit's timestamp for generated
/// files, and the one native uses for everything when `SOURCE_DATE_EPOCH` is unset.
pub const FIXED_EPOCH: i64 = 1_451_606_400;

/// Every profile name `by_name` accepts, for messages.
pub fn names() -> Vec<String> {
    let mut out = vec!["native".to_string(), "flit".to_string()];
    out.extend(FLIT_RELEASES.iter().map(|r| format!("flit-{}", r.version)));
    out
}

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
            // Level 6 in pieces: the sdist is compressed on every core, the bytes stay the
            // same on any machine, and level 6 takes 2.5 times less CPU than level 9 for
            // a gzip 1.5% larger (botocore: 2.0 vs 5.1 s, 15.92 vs 15.68 MB; the pieces
            // themselves add 0.07%). CPython 3.15 made 6 gzip's default for that reason.
            gzip_level: 6,
            gzip_pieces: Some(NATIVE_GZIP_PIECE),
            import_name_lines: ImportNameLines::Lines,
            bracket_extras: BracketExtras::AfterName,
            record: RecordStyle::CsvCrlf,
            license_globs: LICENSE_GLOBS_4,
            license_expr: LicenseExprSupport::Full,
            stub_packages: true,
            license_layout: LicenseLayout::Pep639,
            normalize_extras: true,
            sdist_name_normalized: true,
            generated_file_type: true,
            gzip_mtime_fixed: true,
            py2_rule_current: true,
            hyphen_to_underscore: true,
            sdist_doublestar: true,
            wheel_name_lowercase: true,
            external_data: true,
            version_rule: VersionRule::NEWEST,
            version_files: true,
            config_formats: ConfigFormats::ProjectOnly,
            pkg_info_template: false,
            unknown_placeholders: false,
            fold_multiline: true,
            license_after_content_type: true,
            readme_suffix_any_case: true,
            pre1980_epoch_error: false,
            namespace_modules: true,
            wheel_name_keeps_dots: false,
            editable_hooks: true,
            license_dir_crashes: false,
        }
    }

    /// The profile of flit_core `version` (one of the table's releases), or None.
    pub fn flit(version: &str) -> Option<Profile> {
        let r = FLIT_RELEASES.iter().find(|r| r.version == version)?;
        Some(Profile {
            name: format!("flit-{version}"),
            generator: format!("flit {version}"),
            fixed_metadata_version: Some(r.metadata_version),
            implicit_import_names: true,
            unset_epoch: UnsetEpoch::FileMtimes,
            lenient_epoch: true,
            unknown_readme_suffix_is_error: false,
            sdist_keeps_symlinks: true,
            writes_license_text: false,
            import_fallback: true,
            wheel_level: 6,
            gzip_level: 9,
            gzip_pieces: None,
            import_name_lines: r.import_name_lines,
            bracket_extras: r.bracket_extras,
            record: r.record,
            license_globs: r.license_globs,
            license_expr: r.license_expr,
            stub_packages: r.stub_packages,
            license_layout: r.license_layout,
            normalize_extras: r.normalize_extras,
            sdist_name_normalized: r.sdist_name_normalized,
            generated_file_type: r.generated_file_type,
            gzip_mtime_fixed: r.gzip_mtime_fixed,
            py2_rule_current: r.py2_rule_current,
            hyphen_to_underscore: r.hyphen_to_underscore,
            sdist_doublestar: r.sdist_doublestar,
            wheel_name_lowercase: r.wheel_name_lowercase,
            external_data: r.external_data,
            version_rule: r.ast.rule,
            version_files: r.ast.version_files,
            config_formats: r.legacy.config_formats,
            pkg_info_template: r.legacy.pkg_info_template,
            unknown_placeholders: r.legacy.unknown_placeholders,
            fold_multiline: r.legacy.fold_multiline,
            license_after_content_type: r.legacy.license_after_content_type,
            readme_suffix_any_case: r.legacy.readme_suffix_any_case,
            pre1980_epoch_error: r.legacy.pre1980_epoch_error,
            namespace_modules: r.legacy.namespace_modules,
            wheel_name_keeps_dots: r.legacy.wheel_name_keeps_dots,
            editable_hooks: r.legacy.editable_hooks,
            license_dir_crashes: r.legacy.license_dir_crashes,
        })
    }

    /// The newest flit release's profile (`flit`).
    pub fn flit_newest() -> Profile {
        Profile::flit(NEWEST_FLIT).unwrap_or_else(Profile::native)
    }

    /// The flit version a profile reproduces, if any.
    pub fn flit_version(&self) -> Option<&str> {
        self.name.strip_prefix("flit-")
    }

    /// Looks a profile up by name (`native`, `flit-4.2.0`, or `flit` for the newest).
    pub fn by_name(name: &str) -> Result<Profile, String> {
        match name {
            "native" => Ok(Profile::native()),
            "flit" => Ok(Profile::flit_newest()),
            other => other
                .strip_prefix("flit-")
                .and_then(Profile::flit)
                .ok_or_else(|| {
                    format!(
                        "unknown profile {other:?}; known profiles: {}",
                        names().join(", ")
                    )
                }),
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
