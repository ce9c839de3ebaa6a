//! Which files go where: the module's files, external data and license files in the
//! wheel; the sdist's selection with `[tool.flit.sdist]` include/exclude.
//!
//! Walk order is flit's (`os.walk` top-down): at each level the folder's files sorted by
//! code point, then each subfolder in sorted order. Symlinked folders are not entered
//! (as `os.walk` does not); symlinked files are followed in wheels. Nothing may resolve
//! outside the project.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

mod listing;

use listing::Listings;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Profile;
use crate::project::{is_within, Project};

/// A file to copy into an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveFile {
    /// Absolute path on disk.
    pub source: PathBuf,
    /// Path inside the archive (wheel: from its root; sdist: project-relative).
    pub archive_path: String,
    /// For sdists under profiles that keep links: the link's target as stored.
    pub symlink_target: Option<String>,
}

/// The wheel's files in flit's order, split where generated files go in between.
#[derive(Clone, Debug, Default)]
pub struct WheelLayout {
    /// The module's files (an editable wheel replaces them with a `.pth`).
    pub module: Vec<ArchiveFile>,
    /// External data, under `<dist>.data/data/`.
    pub data: Vec<ArchiveFile>,
    /// `<dist-info>/licenses/...`, written after entry_points.txt.
    pub licenses: Vec<ArchiveFile>,
}

pub fn wheel_layout(project: &Project) -> Result<WheelLayout, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut layout = WheelLayout::default();
    let dist = project.dist_name();
    match module_files(project) {
        Ok(files) => {
            let rels = relative_all(&files, &project.module.source_dir, &mut diags);
            layout.module = files
                .into_iter()
                .zip(rels)
                .map(|(p, r)| regular(p, r))
                .collect();
        }
        Err(d) => diags.extend(d),
    }
    if let Some(dir) = &project.data_dir {
        match data_files(project) {
            Ok(files) => {
                let rels = relative_all(&files, &project.root.join(dir), &mut diags);
                layout.data = files
                    .into_iter()
                    .zip(rels)
                    .map(|(p, r)| regular(p, format!("{dist}.data/data/{r}")))
                    .collect();
            }
            Err(d) => diags.extend(d),
        }
    }
    for file in &project.license_files {
        layout.licenses.push(regular(
            project.root.join(file),
            format!("{dist}.dist-info/licenses/{file}"),
        ));
    }
    diags.into_result().map(|_| layout)
}

fn regular(source: PathBuf, archive_path: String) -> ArchiveFile {
    ArchiveFile {
        source,
        archive_path,
        symlink_target: None,
    }
}

/// The module's files (absolute paths), skipping `__pycache__` and `*.pyc`.
pub fn module_files(project: &Project) -> Result<Vec<PathBuf>, Diagnostics> {
    let module = &project.module;
    let bounds = Bounds::new(&project.root);
    if !module.is_package {
        check_within(&module.path, None, &bounds)?;
        return Ok(vec![module.path.clone()]);
    }
    let keep = |name: &str| name != "__pycache__" && !name.ends_with(".pyc");
    walk(&module.path, &bounds, &|name, _| keep(name), &keep)
}

/// The external-data folder's files (absolute paths), skipping `__pycache__` folders.
pub fn data_files(project: &Project) -> Result<Vec<PathBuf>, Diagnostics> {
    match &project.data_dir {
        Some(dir) => walk(
            &project.root.join(dir),
            &Bounds::new(&project.root),
            &|name, _| name != "__pycache__",
            &|_| true,
        ),
        None => Ok(Vec::new()),
    }
}

/// Each path relative to `base`; failures go to `diags` (so the result can be shorter).
fn relative_all(paths: &[PathBuf], base: &Path, diags: &mut Diagnostics) -> Vec<String> {
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        match relative_str(p, base) {
            Ok(rel) => out.push(rel),
            Err(d) => diags.push(*d),
        }
    }
    out
}

type DirFilter<'a> = listing::Descend<'a>;
type FileFilter<'a> = &'a dyn Fn(&str) -> bool;

/// `os.walk` order: files sorted, then subfolders sorted, depth first. Every file must
/// resolve inside `project_root`; file names must be UTF-8.
fn walk(
    dir: &Path,
    bounds: &Bounds,
    keep_dir: DirFilter<'_>,
    keep_file: FileFilter<'_>,
) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    let mut listings = Listings::read_ahead(dir, crate::build::thread_count(), keep_dir);
    walk_into(
        dir,
        bounds,
        (keep_dir, keep_file),
        &mut listings,
        &mut out,
        &mut diags,
    );
    diags.into_result().map(|_| out)
}

fn walk_into(
    dir: &Path,
    bounds: &Bounds,
    (keep_dir, keep_file): (DirFilter<'_>, FileFilter<'_>),
    listings: &mut Listings,
    out: &mut Vec<PathBuf>,
    diags: &mut Diagnostics,
) {
    let entries = match listings.take(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(crate::diagnostic::io_error("read folder", dir, &e));
            return;
        }
    };
    let mut files: Vec<(String, PathBuf, bool)> = Vec::new();
    let mut dirs: Vec<(String, PathBuf, bool)> = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(crate::diagnostic::io_error("read folder", dir, &e));
                continue;
            }
        };
        let Some(name) = entry.name.to_str().map(str::to_string) else {
            diags.push(
                Diagnostic::error(format!(
                    "file name {:?} is not valid UTF-8; rename it",
                    entry.name
                ))
                .in_file(&entry.path),
            );
            continue;
        };
        // A control character (a newline above all) breaks RECORD and METADATA lines,
        // and PyPI refuses archive members holding one.
        if name.chars().any(char::is_control) {
            diags.push(
                Diagnostic::error(format!(
                    "file name {name:?} contains a control character; rename it"
                ))
                .in_file(&entry.path),
            );
            continue;
        }
        // Like os.walk, a symlink to a folder counts as a folder (and is not entered).
        let is_symlink = entry.file_type.is_none_or(|t| t.is_symlink());
        if entry.is_dir() {
            dirs.push((name, entry.path, is_symlink));
        } else {
            files.push((name, entry.path, is_symlink));
        }
    }
    files.sort();
    dirs.sort();
    for (name, path, is_symlink) in files {
        if !keep_file(&name) {
            continue;
        }
        if let Err(d) = check_within(&path, Some(is_symlink), bounds) {
            diags.extend(d);
            continue;
        }
        out.push(path);
    }
    for (name, path, is_symlink) in dirs {
        if is_symlink || !keep_dir(&name, &path) {
            continue;
        }
        bounds.note_listed_dir(&path);
        walk_into(&path, bounds, (keep_dir, keep_file), listings, out, diags);
    }
}

/// `is_symlink`: whether `path` is a symlink, when a folder listing already said so.
fn check_within(path: &Path, is_symlink: Option<bool>, bounds: &Bounds) -> Result<(), Diagnostics> {
    // A listed entry that is not a link exists; only links can be broken.
    if is_symlink != Some(false) && !path.exists() {
        return Err(
            Diagnostic::error(format!("{} is a broken symlink", path.display()))
                .in_file(path)
                .into(),
        );
    }
    if !bounds.contains(path, is_symlink) {
        let target = std::fs::canonicalize(path)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return Err(Diagnostic::error(format!(
            "refusing to package {}: it resolves to {target}, outside the project directory",
            path.display()
        ))
        .in_file(path)
        .with_help("copy the file into the project instead of linking to it")
        .into());
    }
    Ok(())
}

/// `project::is_within` for many paths under one root. A tree of N files in D folders
/// costs about N + D `lstat`s instead of N `realpath`s (each a `readlink` per path
/// component): the root is resolved once, and a path that is not itself a symlink
/// resolves to its resolved folder plus its name, folders included.
struct Bounds {
    root: Option<PathBuf>,
    /// Folders' resolutions (None when they have none), keyed by the folder's path as
    /// given: hashing its bytes is several times cheaper than hashing a `Path` by
    /// components, and a folder spelled two ways is only resolved twice.
    resolved_dirs: RefCell<HashMap<OsString, Option<ResolvedDir>>>,
}

#[derive(Clone)]
struct ResolvedDir {
    path: PathBuf,
    /// Whether `path` is the root or under it, so that a file's check is a look-up.
    inside: bool,
}

impl Bounds {
    fn new(root: &Path) -> Bounds {
        Bounds {
            root: root.canonicalize().ok(),
            resolved_dirs: RefCell::new(HashMap::new()),
        }
    }

    /// Whether `path` resolves (symlinks included) to the root or something under it.
    /// `is_symlink`, when known from a folder listing, spares the `lstat`.
    fn contains(&self, path: &Path, is_symlink: Option<bool>) -> bool {
        let Some(root) = &self.root else {
            return false;
        };
        let is_symlink = is_symlink.unwrap_or_else(|| lstat_says_symlink(path));
        match Self::split(path, is_symlink) {
            Some((parent, name)) => self.with_dir(parent, |dir| match dir {
                // A name added to a path inside the root stays inside.
                Some(dir) => dir.inside || dir.path.join(name).starts_with(root),
                None => false,
            }),
            None => path.canonicalize().is_ok_and(|p| p.starts_with(root)),
        }
    }

    /// Records that `dir`, which its parent's listing showed to be a folder and not a
    /// symlink, resolves to the parent's resolution plus its name (no `lstat` needed).
    fn note_listed_dir(&self, dir: &Path) {
        if !self.resolved_dirs.borrow().contains_key(dir.as_os_str()) {
            let resolved = self.resolve(dir, false);
            self.remember(dir, resolved);
        }
    }

    /// A path that is not a symlink resolves to its folder's resolution plus its name:
    /// the folder and the name. None for a symlink, and for a path ending in `..` (which
    /// has no name) or without a folder; realpath resolves those.
    fn split(path: &Path, is_symlink: bool) -> Option<(&Path, &OsStr)> {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if !is_symlink && !parent.as_os_str().is_empty() => {
                Some((parent, name))
            }
            _ => None,
        }
    }

    /// Where `path` resolves (see `split`).
    fn resolve(&self, path: &Path, is_symlink: bool) -> Option<PathBuf> {
        match Self::split(path, is_symlink) {
            Some((parent, name)) => self.with_dir(parent, |dir| dir.map(|dir| dir.path.join(name))),
            None => path.canonicalize().ok(),
        }
    }

    /// `f` of the folder's resolution, resolved and remembered if it is new.
    fn with_dir<R>(&self, dir: &Path, f: impl FnOnce(Option<&ResolvedDir>) -> R) -> R {
        if let Some(known) = self.resolved_dirs.borrow().get(dir.as_os_str()) {
            return f(known.as_ref());
        }
        let resolved = self.resolve(dir, lstat_says_symlink(dir));
        f(self.remember(dir, resolved).as_ref())
    }

    fn remember(&self, dir: &Path, resolved: Option<PathBuf>) -> Option<ResolvedDir> {
        let resolved = resolved.map(|path| ResolvedDir {
            inside: self
                .root
                .as_ref()
                .is_some_and(|root| path.starts_with(root)),
            path,
        });
        self.resolved_dirs
            .borrow_mut()
            .insert(dir.as_os_str().to_owned(), resolved.clone());
        resolved
    }
}

/// Whether `path` is a symlink, or cannot be looked at (then realpath decides).
fn lstat_says_symlink(path: &Path) -> bool {
    path.symlink_metadata()
        .map_or(true, |m| m.file_type().is_symlink())
}

/// `path` relative to `base`, `/`-separated.
fn relative_str(path: &Path, base: &Path) -> Result<String, Box<Diagnostic>> {
    let rel = path.strip_prefix(base).map_err(|_| {
        Diagnostic::error(format!(
            "{} is not under {}",
            path.display(),
            base.display()
        ))
    })?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    if let Some(bad) = parts
        .iter()
        .flatten()
        .find(|p| p.chars().any(char::is_control))
    {
        return Err(Box::new(
            Diagnostic::error(format!(
                "file name {bad:?} contains a control character; rename it"
            ))
            .in_file(path),
        ));
    }
    parts.map(|p| p.join("/")).ok_or_else(|| {
        Box::new(
            Diagnostic::error(format!(
                "file name {} is not valid UTF-8; rename it",
                path.display()
            ))
            .in_file(path),
        )
    })
}

/// Expands a `license-files` pattern as `pathlib.Path.glob` does (dotfiles match,
/// `**` recurses), keeping regular files inside the project. Project-relative results.
pub fn license_glob(root: &Path, pattern: &str) -> Result<Vec<String>, String> {
    if pattern.starts_with('/') || pattern.starts_with('\\') {
        return Err(format!(
            "license-files pattern {pattern:?} must be relative, not start with '/'"
        ));
    }
    if pattern.contains("..") {
        return Err(format!(
            "license-files pattern {pattern:?} must not contain '..'"
        ));
    }
    if pattern.is_empty()
        || !pattern
            .chars()
            .all(|c| c.is_alphanumeric() || "_-./*?[] ".contains(c))
    {
        return Err(format!(
            "license-files pattern {pattern:?} has characters other than letters, digits, \
             '_', '-', '.', '/', '*', '?', '[', ']' and space"
        ));
    }
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let invalid =
        |e: glob::PatternError| format!("invalid license-files pattern {pattern:?}: {}", e.msg);
    let paths: Vec<PathBuf> = if pattern.contains('/') {
        let full = format!(
            "{}/{}",
            glob::Pattern::escape(&root.to_string_lossy()),
            pattern
        );
        glob::glob_with(&full, options)
            .map_err(invalid)?
            .map(|p| p.map_err(|e| format!("cannot read {}: {}", e.path().display(), e.error())))
            .collect::<Result<_, _>>()?
    } else {
        // One path component (every default glob): match the root's entries directly.
        // The glob crate would stat every ancestor folder of the root, twice per pattern.
        let matcher = glob::Pattern::new(pattern).map_err(invalid)?;
        let entries =
            std::fs::read_dir(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
        entries
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| matcher.matches_with(n, options))
            })
            .map(|e| e.path())
            .collect()
    };
    let mut out = BTreeSet::new();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        if !is_within(&path, root) {
            return Err(format!(
                "license file {} (matched by {pattern:?}) points outside the project directory",
                path.display()
            ));
        }
        out.insert(relative_str(&path, root).map_err(|d| d.message.clone())?);
    }
    Ok(out.into_iter().collect())
}

/// Files of the sdist, project-relative, in archive order (sorted), PKG-INFO excluded.
pub fn sdist_files(project: &Project, profile: &Profile) -> Result<Vec<ArchiveFile>, Diagnostics> {
    let root = &project.root;
    let mut diags = Diagnostics::new();
    let mut selected: BTreeSet<String> = BTreeSet::new();
    for found in [module_files(project), data_files(project)] {
        match found {
            Ok(files) => selected.extend(relative_all(&files, root, &mut diags)),
            Err(d) => diags.extend(d),
        }
    }
    selected.extend(project.referenced_files.iter().cloned());

    if let Some(patterns) = &project.sdist_patterns {
        let includes = FilePatterns::expand(root, &patterns.include);
        let excludes = FilePatterns::expand(root, &patterns.exclude);
        selected.retain(|f| !excludes.matches_file(f));
        for f in &includes.files {
            if !excludes.matches_file(f) {
                selected.insert(f.clone());
            }
        }
        for d in &includes.dirs {
            let mut found = Vec::new();
            walk_unsorted(root, &root.join(d), &excludes, &mut found, &mut diags);
            selected.extend(found);
        }
        let mut crucial: Vec<String> = project.referenced_files.clone();
        if !project.module.is_stub_package() {
            if let Ok(rel) = relative_str(&project.module.main_file(), root) {
                crucial.push(rel);
            }
        }
        let missing: Vec<&String> = crucial.iter().filter(|f| !selected.contains(*f)).collect();
        if !missing.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "crucial files were excluded from the sdist: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .in_file(root.join("pyproject.toml"))
                .with_help("narrow the [tool.flit.sdist] exclude patterns"),
            );
        }
    }

    let bounds = Bounds::new(root);
    let mut out = Vec::new();
    let selected: Vec<String> = selected.into_iter().collect();
    let looked_at = crate::build::parallel_map(&selected, crate::build::thread_count(), |rel| {
        let source = root.join(rel);
        let meta = std::fs::symlink_metadata(&source);
        (source, meta)
    });
    for (rel, (source, meta)) in selected.into_iter().zip(looked_at) {
        let meta = match meta {
            Ok(m) => m,
            Err(e) => {
                diags.push(crate::diagnostic::io_error("read", &source, &e));
                continue;
            }
        };
        let mut symlink_target = None;
        if meta.file_type().is_symlink() {
            let target = match std::fs::read_link(&source) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(crate::diagnostic::io_error("read link", &source, &e));
                    continue;
                }
            };
            let Some(target) = target.to_str().map(str::to_string) else {
                diags.push(
                    Diagnostic::error(format!("symlink target of {rel} is not valid UTF-8"))
                        .in_file(&source),
                );
                continue;
            };
            if symlink_escapes(&rel, &target) || !bounds.contains(&source, Some(true)) {
                diags.push(
                    Diagnostic::error(format!(
                        "refusing to build the sdist: symlink {rel} points outside the project (target: {target})"
                    ))
                    .in_file(&source),
                );
                continue;
            }
            if profile.sdist_keeps_symlinks {
                symlink_target = Some(target);
            }
        } else if !bounds.contains(&source, Some(false)) {
            diags.push(
                Diagnostic::error(format!(
                    "refusing to package {rel}: it resolves outside the project directory"
                ))
                .in_file(&source),
            );
            continue;
        }
        let is_file = if meta.file_type().is_symlink() {
            source.is_file()
        } else {
            meta.is_file()
        };
        if symlink_target.is_none() && !is_file {
            diags.push(Diagnostic::error(format!("{rel} is not a regular file")).in_file(&source));
            continue;
        }
        out.push(ArchiveFile {
            source,
            archive_path: rel,
            symlink_target,
        });
    }
    diags.into_result().map(|_| out)
}

/// flit's check: an absolute target, or `..` climbing above the archive root.
fn symlink_escapes(rel: &str, target: &str) -> bool {
    if crate::project::is_absish(target) {
        return true;
    }
    let parent = rel.rsplit_once('/').map_or("", |(p, _)| p);
    let joined = if parent.is_empty() {
        target.to_string()
    } else {
        format!("{parent}/{target}")
    };
    let norm = crate::project::normpath(&joined);
    norm == ".." || norm.starts_with("../")
}

/// `os.walk` of an included folder, pruning excluded folders; order is irrelevant
/// because the sdist sorts its members.
fn walk_unsorted(
    root: &Path,
    dir: &Path,
    excludes: &FilePatterns,
    out: &mut Vec<String>,
    diags: &mut Diagnostics,
) {
    let descend = |_: &str, path: &Path| {
        relative_str(path, root).is_ok_and(|rel| !excludes.matches_dir(&rel))
    };
    let mut listings = Listings::read_ahead(dir, crate::build::thread_count(), &descend);
    walk_unsorted_into(root, dir, excludes, &mut listings, out, diags);
}

fn walk_unsorted_into(
    root: &Path,
    dir: &Path,
    excludes: &FilePatterns,
    listings: &mut Listings,
    out: &mut Vec<String>,
    diags: &mut Diagnostics,
) {
    let Ok(entries) = listings.take(dir) else {
        return;
    };
    for entry in entries.into_iter().flatten() {
        let rel = match relative_str(&entry.path, root) {
            Ok(r) => r,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let is_symlink = entry.file_type.is_some_and(|t| t.is_symlink());
        if entry.is_dir() {
            if !is_symlink && !excludes.matches_dir(&rel) {
                walk_unsorted_into(root, &entry.path, excludes, listings, out, diags);
            }
        } else if !excludes.matches_file(&rel) {
            out.push(rel);
        }
    }
}

/// `[tool.flit.sdist]` patterns expanded like Python's `glob(recursive=True)`.
struct FilePatterns {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

impl FilePatterns {
    fn expand(root: &Path, patterns: &[String]) -> FilePatterns {
        let mut files = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            // Python's glob skips dotfiles unless the pattern segment starts with '.'.
            require_literal_leading_dot: true,
        };
        for pattern in patterns {
            let full = format!(
                "{}/{}",
                glob::Pattern::escape(&root.to_string_lossy()),
                python_glob_to_rust(pattern)
            );
            let Ok(paths) = glob::glob_with(&full, options) else {
                continue;
            };
            for path in paths.flatten() {
                let Ok(rel) = relative_str(&path, root) else {
                    continue;
                };
                if rel.is_empty() {
                    continue;
                }
                if path.is_dir() {
                    dirs.insert(rel);
                } else {
                    files.insert(rel);
                }
            }
        }
        FilePatterns { files, dirs }
    }

    fn matches_file(&self, rel: &str) -> bool {
        self.files.contains(rel) || self.under_dir(rel)
    }

    fn matches_dir(&self, rel: &str) -> bool {
        self.dirs.contains(rel) || self.under_dir(rel)
    }

    fn under_dir(&self, rel: &str) -> bool {
        self.dirs.iter().any(|d| {
            rel.len() > d.len() && rel.starts_with(d.as_str()) && rel.as_bytes()[d.len()] == b'/'
        })
    }
}

/// Python's glob treats `**` as recursive only when it is a whole path segment;
/// elsewhere it is just `*`. The glob crate rejects such a `**`, so rewrite it.
fn python_glob_to_rust(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| {
            if seg == "**" {
                seg.to_string()
            } else {
                let mut s = seg.to_string();
                while s.contains("**") {
                    s = s.replace("**", "*");
                }
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_star_inside_a_segment_is_a_single_star() {
        assert_eq!(python_glob_to_rust("**.pyc"), "*.pyc");
        assert_eq!(python_glob_to_rust("**/__pycache__"), "**/__pycache__");
    }

    /// `Bounds` resolves folders from their parents; a symlink anywhere on the way (the
    /// project reached through a linked folder, a linked subfolder) must still be
    /// followed, whether the walk noted the folders or they are looked up on demand.
    #[cfg(unix)]
    #[test]
    fn bounds_follow_symlinked_folders() {
        use std::os::unix::fs::symlink;
        let tmp = std::env::temp_dir().join(format!("forge-bounds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("real/proj/pkg")).unwrap();
        std::fs::create_dir_all(tmp.join("outside")).unwrap();
        std::fs::write(tmp.join("real/proj/pkg/mod.py"), "").unwrap();
        std::fs::write(tmp.join("outside/x.py"), "").unwrap();
        symlink(tmp.join("real"), tmp.join("link")).unwrap();
        symlink(tmp.join("outside"), tmp.join("real/proj/pkg/out")).unwrap();
        let root = tmp.join("link/proj");
        for noted in [false, true] {
            let bounds = Bounds::new(&root);
            if noted {
                bounds.note_listed_dir(&root.join("pkg"));
            }
            assert!(
                bounds.contains(&root.join("pkg/mod.py"), Some(false)),
                "noted {noted}"
            );
            assert!(
                bounds.contains(&root.join("pkg/mod.py"), None),
                "noted {noted}"
            );
            assert!(
                !bounds.contains(&root.join("pkg/out/x.py"), Some(false)),
                "noted {noted}"
            );
            assert!(
                !bounds.contains(&root.join("pkg/out/x.py"), None),
                "noted {noted}"
            );
            assert!(
                !bounds.contains(&root.join("pkg/../../../outside/x.py"), None),
                "noted {noted}"
            );
        }
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn symlink_escape_rules() {
        assert!(symlink_escapes("a/link", "../../x"));
        assert!(!symlink_escapes("a/link", "../x"));
        assert!(symlink_escapes("link", "/etc/passwd"));
        assert!(!symlink_escapes("docs/x", "y/z"));
    }
}
