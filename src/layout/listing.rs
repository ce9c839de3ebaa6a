//! Folder listings read ahead on several threads. A walk costs an `openat`, an `fstat`,
//! two `getdents` and a `close` per folder: 7.5 ms for the ~900 folders of botocore's
//! package on one thread. The walks themselves stay sequential, so their order and
//! their diagnostics are what they were; they take each listing from here instead of
//! reading it.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

/// One entry of a folder listing.
pub(super) struct Entry {
    pub(super) path: PathBuf,
    pub(super) name: OsString,
    /// From the listing itself (`d_type`); None when it could not be had.
    pub(super) file_type: Option<FileType>,
}

impl Entry {
    /// Whether the entry is a folder, symlinks followed (as `os.walk` counts them): the
    /// listing says so, and only a symlink or an entry of unknown type needs a `stat`.
    pub(super) fn is_dir(&self) -> bool {
        match self.file_type {
            Some(t) if !t.is_symlink() => t.is_dir(),
            _ => self.path.is_dir(),
        }
    }
}

/// A folder's entries in the order the listing gives them, or why it could not be read.
pub(super) type Listing = io::Result<Vec<io::Result<Entry>>>;

/// Whether a walk enters a subfolder, by its name and path.
pub(super) type Descend<'a> = &'a (dyn Fn(&str, &Path) -> bool + Sync);

/// Listings of a folder and of the subfolders below it that a walk will enter.
pub(super) struct Listings {
    read: HashMap<PathBuf, Listing>,
}

impl Listings {
    /// Lists `dir` and, on up to `threads` threads, every folder below it reached through
    /// folders (not symlinks) that `descend` accepts. Listing a folder the walk then
    /// skips, or missing one it enters, costs time only: `take` lists what is missing.
    pub(super) fn read_ahead(dir: &Path, threads: usize, descend: Descend<'_>) -> Listings {
        let mut read = HashMap::new();
        let mut pending = vec![dir.to_path_buf()];
        // Alone until there are two folders to list at once: most packages have a
        // handful of folders, fewer than a thread costs to start.
        while pending.len() == 1 {
            let Some(dir) = pending.pop() else { break };
            let listing = read_listing(&dir);
            pending = subfolders(&listing, descend);
            read.insert(dir, listing);
        }
        if pending.is_empty() || threads <= 1 {
            return Listings { read };
        }
        let queue = Mutex::new(Queue { pending, busy: 0 });
        let wake = Condvar::new();
        let lock = || queue.lock().unwrap_or_else(PoisonError::into_inner);
        let work = || {
            let mut mine = Vec::new();
            let mut q = lock();
            loop {
                if let Some(dir) = q.pending.pop() {
                    q.busy += 1;
                    drop(q);
                    let listing = read_listing(&dir);
                    let below = subfolders(&listing, descend);
                    mine.push((dir, listing));
                    q = lock();
                    q.busy -= 1;
                    // Waiting threads only need waking for new work, or to stop.
                    if !below.is_empty() || (q.busy == 0 && q.pending.is_empty()) {
                        q.pending.extend(below);
                        wake.notify_all();
                    }
                } else if q.busy == 0 {
                    return mine;
                } else {
                    q = wake.wait(q).unwrap_or_else(PoisonError::into_inner);
                }
            }
        };
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (0..threads - 1).map(|_| scope.spawn(work)).collect();
            read.extend(work());
            for helper in helpers {
                match helper.join() {
                    Ok(found) => read.extend(found),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        Listings { read }
    }

    /// The listing of `dir`: the one read ahead, else read now.
    pub(super) fn take(&mut self, dir: &Path) -> Listing {
        self.read.remove(dir).unwrap_or_else(|| read_listing(dir))
    }
}

struct Queue {
    pending: Vec<PathBuf>,
    /// Threads listing a folder now (they may add more).
    busy: usize,
}

fn read_listing(dir: &Path) -> Listing {
    std::fs::read_dir(dir).map(|entries| {
        entries
            .map(|entry| {
                entry.map(|e| Entry {
                    path: e.path(),
                    name: e.file_name(),
                    file_type: e.file_type().ok(),
                })
            })
            .collect()
    })
}

/// The folders (not symlinks) in a listing that `descend` accepts.
fn subfolders(listing: &Listing, descend: Descend<'_>) -> Vec<PathBuf> {
    let Ok(entries) = listing else {
        return Vec::new();
    };
    entries
        .iter()
        .flatten()
        .filter(|e| e.file_type.is_some_and(|t| t.is_dir()))
        .filter(|e| e.name.to_str().is_some_and(|name| descend(name, &e.path)))
        .map(|e| e.path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(listing: Listing) -> Vec<String> {
        let mut names: Vec<String> = listing
            .unwrap()
            .into_iter()
            .map(|e| e.unwrap().name.into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// Whatever the threads, every folder the walk enters is read ahead, with the
    /// entries a fresh listing gives; skipped and symlinked folders are not.
    #[test]
    fn reads_ahead_what_the_walk_enters() {
        let root = std::env::temp_dir().join(format!("forge-listing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut entered = vec![root.clone()];
        for i in 0..12 {
            let a = root.join(format!("a{i}"));
            for j in 0..i % 4 {
                let b = a.join(format!("b{j}"));
                std::fs::create_dir_all(b.join("__pycache__")).unwrap();
                std::fs::write(b.join("m.py"), "").unwrap();
                entered.push(b);
            }
            std::fs::create_dir_all(&a).unwrap();
            std::fs::write(a.join("x.py"), "").unwrap();
            entered.push(a);
        }
        std::os::unix::fs::symlink(root.join("a3"), root.join("link")).unwrap();
        let descend = |name: &str, _: &Path| name != "__pycache__";
        for threads in [1, 2, 4] {
            let mut listings = Listings::read_ahead(&root, threads, &descend);
            let mut read: Vec<&PathBuf> = listings.read.keys().collect();
            read.sort();
            let mut want: Vec<&PathBuf> = entered.iter().collect();
            want.sort();
            if threads > 1 {
                assert_eq!(read, want, "threads {threads}");
            }
            for dir in &entered {
                assert_eq!(
                    names(listings.take(dir)),
                    names(read_listing(dir)),
                    "{}",
                    dir.display()
                );
            }
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
