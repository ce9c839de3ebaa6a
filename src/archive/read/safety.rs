//! Checks that an archive's member list can be extracted without writing outside the
//! destination, whatever order and file system the extractor uses. Shared by the tar and
//! zip readers; works on paths as the archive states them (`/`-separated).
//!
//! Paths are judged lexically, so anything whose meaning depends on the file system is
//! refused: absolute paths, drive letters, backslashes, `.`/`..`/empty components, members
//! under a symlink member, and link targets that leave the link's top-level folder or pass
//! through another symlink. Letter case is compared exactly; two paths differing only in
//! case are not reported (they collide on case-insensitive file systems only).

use std::collections::{HashMap, HashSet};
use std::fmt;

/// What kind of file an archive member would create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind<'a> {
    /// A regular file.
    File,
    /// A folder.
    Directory,
    /// A symbolic link; the target is relative to the link's folder.
    Symlink { target: &'a str },
    /// A hard link; the target is an archive path of an earlier member.
    Hardlink { target: &'a str },
    /// Devices, FIFOs and anything else that is not a file, folder or link.
    Special,
}

/// One member as the safety checks see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The member path, without a directory entry's trailing `/`.
    pub path: &'a str,
    /// What extracting it would create.
    pub kind: EntryKind<'a>,
}

/// Why a path cannot be used as a relative archive path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// The path is empty.
    Empty,
    /// A NUL character (C-based extractors would cut the path there).
    Nul,
    /// A backslash (a separator on Windows).
    Backslash,
    /// A leading `/`.
    Absolute,
    /// A leading `X:` (a drive on Windows).
    DriveLetter,
    /// An empty component (`a//b`, a trailing `/`).
    EmptyComponent,
    /// A `.` component.
    CurrentDir,
    /// A `..` component.
    ParentDir,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathProblem::Empty => "is empty",
            PathProblem::Nul => "contains NUL",
            PathProblem::Backslash => "contains a backslash",
            PathProblem::Absolute => "is absolute",
            PathProblem::DriveLetter => "starts with a drive letter",
            PathProblem::EmptyComponent => "has an empty component",
            PathProblem::CurrentDir => "has a '.' component",
            PathProblem::ParentDir => "has a '..' component",
        })
    }
}

/// A reason a member is unsafe to extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The member path itself is unusable.
    Path(PathProblem),
    /// The same path appears more than once.
    Duplicate,
    /// A folder of this path is a file or link member.
    UnderNonDirectory { parent: String },
    /// A folder of this path is a symlink member: extraction would write through it.
    ThroughSymlink { link: String },
    /// A link target that is malformed (absolute, `\`, NUL, empty, ...).
    BadLinkTarget(PathProblem),
    /// A symlink target resolving outside the link's top-level folder.
    SymlinkEscapes { target: String },
    /// A link target that goes through a symlink member, so its meaning depends on the
    /// file system.
    LinkThroughSymlink { target: String, link: String },
    /// A hard link whose target is not an earlier regular-file member.
    HardlinkTargetMissing { target: String },
    /// Devices, FIFOs and other special files.
    Special,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Path(p) => write!(f, "path {p}"),
            Problem::Duplicate => write!(f, "appears more than once"),
            Problem::UnderNonDirectory { parent } => {
                write!(f, "lies under {parent:?}, which is not a folder")
            }
            Problem::ThroughSymlink { link } => write!(f, "lies under the symlink {link:?}"),
            Problem::BadLinkTarget(p) => write!(f, "link target {p}"),
            Problem::SymlinkEscapes { target } => {
                write!(f, "symlink target {target:?} leaves its top-level folder")
            }
            Problem::LinkThroughSymlink { target, link } => {
                write!(
                    f,
                    "link target {target:?} goes through the symlink {link:?}"
                )
            }
            Problem::HardlinkTargetMissing { target } => write!(
                f,
                "hard link target {target:?} is not an earlier regular file"
            ),
            Problem::Special => write!(f, "is a device, FIFO or other special file"),
        }
    }
}

/// An unsafe member and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The member path concerned.
    pub path: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {}", self.path, self.problem)
    }
}

/// Checks one member path: relative, `/`-separated, no empty, `.` or `..` components, no
/// NUL, backslash or drive letter.
pub fn check_path(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if path.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(PathProblem::DriveLetter);
    }
    for component in path.split('/') {
        match component {
            "" => return Err(PathProblem::EmptyComponent),
            "." => return Err(PathProblem::CurrentDir),
            ".." => return Err(PathProblem::ParentDir),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a whole member list (in archive order) and returns every problem found; an
/// empty list means the members can be extracted safely into an empty folder.
pub fn check_entries(entries: &[Entry<'_>]) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut kinds: HashMap<&str, EntryKind<'_>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut earlier_files = HashSet::new();
    let mut report = |path: &str, problem| {
        issues.push(Issue {
            path: path.to_string(),
            problem,
        })
    };
    for entry in entries {
        if let Err(p) = check_path(entry.path) {
            report(entry.path, Problem::Path(p));
            continue;
        }
        if !seen.insert(entry.path) {
            report(entry.path, Problem::Duplicate);
            continue;
        }
        kinds.insert(entry.path, entry.kind);
    }
    for entry in entries {
        if check_path(entry.path).is_err() {
            continue;
        }
        for parent in parents(entry.path) {
            match kinds.get(parent) {
                Some(EntryKind::Symlink { .. }) => {
                    report(
                        entry.path,
                        Problem::ThroughSymlink {
                            link: parent.to_string(),
                        },
                    );
                    break;
                }
                Some(EntryKind::Directory) | None => {}
                Some(_) => {
                    report(
                        entry.path,
                        Problem::UnderNonDirectory {
                            parent: parent.to_string(),
                        },
                    );
                    break;
                }
            }
        }
        match entry.kind {
            EntryKind::File => {
                earlier_files.insert(entry.path);
            }
            EntryKind::Directory => {}
            EntryKind::Special => report(entry.path, Problem::Special),
            EntryKind::Symlink { target } => {
                if let Err(problem) = check_symlink(entry.path, target, &kinds) {
                    report(entry.path, problem);
                }
            }
            EntryKind::Hardlink { target } => {
                if let Err(p) = check_link_text(target) {
                    report(entry.path, Problem::BadLinkTarget(p));
                } else if let Err(p) = check_path(target) {
                    report(entry.path, Problem::BadLinkTarget(p));
                } else if let Some(link) = parents(target)
                    .find(|p| matches!(kinds.get(p), Some(EntryKind::Symlink { .. })))
                {
                    report(
                        entry.path,
                        Problem::LinkThroughSymlink {
                            target: target.to_string(),
                            link: link.to_string(),
                        },
                    );
                } else if !earlier_files.contains(target) {
                    report(
                        entry.path,
                        Problem::HardlinkTargetMissing {
                            target: target.to_string(),
                        },
                    );
                }
            }
        }
    }
    issues
}

/// The proper prefixes (`a`, `a/b` of `a/b/c`) of a path.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn check_link_text(target: &str) -> Result<(), PathProblem> {
    if target.is_empty() {
        return Err(PathProblem::Empty);
    }
    if target.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if target.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if target.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    let bytes = target.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(PathProblem::DriveLetter);
    }
    Ok(())
}

/// Resolves a symlink target lexically from the link's folder; it must stay inside the
/// link's top-level folder and must not pass through another symlink member (the file
/// system, not the text, would then decide where it points).
fn check_symlink(
    path: &str,
    target: &str,
    kinds: &HashMap<&str, EntryKind<'_>>,
) -> Result<(), Problem> {
    check_link_text(target).map_err(Problem::BadLinkTarget)?;
    let mut resolved: Vec<&str> = path.split('/').collect();
    resolved.pop();
    let top = path.split('/').next().unwrap_or("");
    let components: Vec<&str> = target.split('/').collect();
    let last = components.len().saturating_sub(1);
    for (i, component) in components.iter().enumerate() {
        match *component {
            "" | "." => continue,
            ".." => {
                resolved.pop();
                if resolved.is_empty() {
                    return Err(Problem::SymlinkEscapes {
                        target: target.to_string(),
                    });
                }
            }
            name => resolved.push(name),
        }
        // Any folder the target passes through (everything but its last component) must
        // be a real folder, not a symlink.
        if i < last && *component != ".." {
            let so_far = resolved.join("/");
            if matches!(kinds.get(so_far.as_str()), Some(EntryKind::Symlink { .. })) {
                return Err(Problem::LinkThroughSymlink {
                    target: target.to_string(),
                    link: so_far,
                });
            }
        }
    }
    if resolved.first() != Some(&top) {
        return Err(Problem::SymlinkEscapes {
            target: target.to_string(),
        });
    }
    Ok(())
}

/// Why [`single_top_level`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopLevelProblem {
    /// No members.
    Empty,
    /// A member directly at the top (a file, not inside a folder).
    NotInFolder { path: String },
    /// Members under two different top-level folders.
    Several { first: String, second: String },
}

impl fmt::Display for TopLevelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopLevelProblem::Empty => write!(f, "the archive has no members"),
            TopLevelProblem::NotInFolder { path } => {
                write!(f, "{path:?} is not inside a top-level folder")
            }
            TopLevelProblem::Several { first, second } => {
                write!(f, "members under both {first:?} and {second:?}")
            }
        }
    }
}

/// The one top-level folder every member lives under (an sdist's `name-version/`).
///
/// Each entry must be that folder itself (a directory entry) or lie under it.
pub fn single_top_level<'a>(entries: &[Entry<'a>]) -> Result<&'a str, TopLevelProblem> {
    let mut top: Option<&'a str> = None;
    for entry in entries {
        let (first, rest) = match entry.path.split_once('/') {
            Some((first, rest)) => (first, Some(rest)),
            None => (entry.path, None),
        };
        if rest.is_none() && entry.kind != EntryKind::Directory {
            return Err(TopLevelProblem::NotInFolder {
                path: entry.path.to_string(),
            });
        }
        match top {
            None => top = Some(first),
            Some(t) if t == first => {}
            Some(t) => {
                return Err(TopLevelProblem::Several {
                    first: t.to_string(),
                    second: first.to_string(),
                })
            }
        }
    }
    top.ok_or(TopLevelProblem::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Entry<'_> {
        Entry {
            path,
            kind: EntryKind::File,
        }
    }

    fn symlink<'a>(path: &'a str, target: &'a str) -> Entry<'a> {
        Entry {
            path,
            kind: EntryKind::Symlink { target },
        }
    }

    fn problems(entries: &[Entry<'_>]) -> Vec<Problem> {
        check_entries(entries)
            .into_iter()
            .map(|i| i.problem)
            .collect()
    }

    #[test]
    fn paths() {
        assert_eq!(check_path("a/b.py"), Ok(()));
        assert_eq!(check_path("a/..b/c..d"), Ok(()));
        assert_eq!(check_path(""), Err(PathProblem::Empty));
        assert_eq!(check_path("/etc/passwd"), Err(PathProblem::Absolute));
        assert_eq!(check_path("C:/x"), Err(PathProblem::DriveLetter));
        assert_eq!(check_path("a\\b"), Err(PathProblem::Backslash));
        assert_eq!(check_path("a/../../b"), Err(PathProblem::ParentDir));
        assert_eq!(check_path("a/./b"), Err(PathProblem::CurrentDir));
        assert_eq!(check_path("a//b"), Err(PathProblem::EmptyComponent));
        assert_eq!(check_path("a/"), Err(PathProblem::EmptyComponent));
        assert_eq!(check_path("a\0b"), Err(PathProblem::Nul));
    }

    #[test]
    fn links() {
        assert!(problems(&[file("p/a"), symlink("p/l", "a")]).is_empty());
        assert!(problems(&[symlink("p/d/l", "../a")]).is_empty());
        assert!(problems(&[symlink("p/l", ".")]).is_empty());
        assert_eq!(
            problems(&[symlink("p/l", "../x")]),
            [Problem::SymlinkEscapes {
                target: "../x".into()
            }]
        );
        assert_eq!(
            problems(&[symlink("p/l", "../../etc")]),
            [Problem::SymlinkEscapes {
                target: "../../etc".into()
            }]
        );
        assert_eq!(
            problems(&[symlink("p/l", "/etc")]),
            [Problem::BadLinkTarget(PathProblem::Absolute)]
        );
        // l1 -> . ; l2 -> l1/.. would be p/ lexically but is p's parent on disk.
        assert_eq!(
            problems(&[symlink("p/l1", "."), symlink("p/l2", "l1/../..")]),
            [Problem::LinkThroughSymlink {
                target: "l1/../..".into(),
                link: "p/l1".into()
            }]
        );
        assert_eq!(
            problems(&[symlink("p/l", "sub"), file("p/l/x")]),
            [Problem::ThroughSymlink { link: "p/l".into() }]
        );
        let hard = Entry {
            path: "p/h",
            kind: EntryKind::Hardlink { target: "p/a" },
        };
        assert_eq!(
            problems(&[hard, file("p/a")]),
            [Problem::HardlinkTargetMissing {
                target: "p/a".into()
            }]
        );
        assert!(problems(&[file("p/a"), hard]).is_empty());
    }

    #[test]
    fn duplicates_conflicts_and_top_level() {
        assert_eq!(problems(&[file("p/a"), file("p/a")]), [Problem::Duplicate]);
        assert_eq!(
            problems(&[file("p/a"), file("p/a/b")]),
            [Problem::UnderNonDirectory {
                parent: "p/a".into()
            }]
        );
        let dir = Entry {
            path: "p",
            kind: EntryKind::Directory,
        };
        assert_eq!(
            single_top_level(&[dir, file("p/a"), file("p/b/c")]),
            Ok("p")
        );
        assert_eq!(
            single_top_level(&[file("p/a"), file("q/a")]),
            Err(TopLevelProblem::Several {
                first: "p".into(),
                second: "q".into()
            })
        );
        assert_eq!(
            single_top_level(&[file("a")]),
            Err(TopLevelProblem::NotInFolder { path: "a".into() })
        );
        assert_eq!(single_top_level(&[]), Err(TopLevelProblem::Empty));
    }
}
