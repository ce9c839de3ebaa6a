//! What every build shares: options (profile, `SOURCE_DATE_EPOCH`), file-mode
//! normalisation, timestamps per profile, and atomic output files.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::{Profile, UnsetEpoch};
use crate::timestamp::{self, CivilTime};

/// Settings of one build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub profile: Profile,
    /// `SOURCE_DATE_EPOCH` as the wheel uses it (None: unset, or ignored by flit).
    pub wheel_epoch: Option<i64>,
    /// `SOURCE_DATE_EPOCH` as the sdist uses it; an error that only an sdist build
    /// reports (flit builds wheels fine with a value its sdist code crashes on).
    pub sdist_epoch: Result<Option<i64>, Diagnostics>,
    /// Config setting `wheel-tag`: overrides the project's tag.
    pub wheel_tag: Option<String>,
    /// Config settings `script=PATH`: executables added to `<dist>.data/scripts/`.
    pub extra_scripts: Vec<PathBuf>,
    /// The CPython that the reproduced flit ran on: tar header details and gzip level.
    pub runtime: Runtime,
    /// `verify` only: each wheel entry's date as the published wheel has it (by archive
    /// path), so a build made without `SOURCE_DATE_EPOCH` in any time zone can be
    /// reproduced without touching the source files' mtimes.
    pub zip_time_overrides: Option<std::collections::BTreeMap<String, CivilTime>>,
    /// `verify` only: the published sdist's PAX float mtimes by path below the top
    /// folder. Needed for symlinks, whose own mtime cannot be set on the unpacked copy.
    pub tar_mtime_overrides: Option<std::collections::BTreeMap<String, (i64, u32)>>,
    /// `verify` only: the published gzip header's mtime, for releases that wrote the
    /// build time there.
    pub gzip_mtime_override: Option<u32>,
}

/// CPython-side knobs that combine with any profile (conformance/flit-versions.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runtime {
    /// `tarfile`'s header details.
    pub tar_flavor: crate::archive::tar::TarFlavor,
    /// `gzip`'s default level when it differs from the profile's (6 from CPython 3.15).
    pub gzip_level: Option<u8>,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            tar_flavor: crate::archive::tar::TarFlavor::CURRENT,
            gzip_level: None,
        }
    }
}

impl Runtime {
    /// The runtime of CPython `3.minor[.micro]` (micro unknown: the newest of that minor).
    pub fn for_python(text: &str) -> Result<Runtime, String> {
        let bad = || format!("invalid Python version {text:?}; write e.g. 3.12 or 3.9.7");
        let mut parts = text.split('.');
        let (Some("3"), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(bad());
        };
        let minor: u32 = minor.parse().map_err(|_| bad())?;
        let micro: u32 = match parts.next() {
            Some(m) => m.parse().map_err(|_| bad())?,
            None => u32::MAX,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Runtime {
            tar_flavor: crate::archive::tar::TarFlavor::for_cpython_3(minor, micro),
            // python/cpython#131470: gzip and tarfile default to level 6 from 3.15.
            gzip_level: (minor >= 15).then_some(6),
        })
    }
}

impl BuildOptions {
    /// Reads `SOURCE_DATE_EPOCH` from the environment under `profile`'s rules.
    pub fn from_env(profile: Profile) -> Result<BuildOptions, Diagnostics> {
        let raw = std::env::var("SOURCE_DATE_EPOCH").ok();
        BuildOptions::with_epoch(profile, raw.as_deref())
    }

    pub fn with_epoch(profile: Profile, raw: Option<&str>) -> Result<BuildOptions, Diagnostics> {
        let parsed = raw.map(timestamp::parse_python_int);
        let bad = |why: &str| -> Diagnostics {
            Diagnostic::error(format!(
                "SOURCE_DATE_EPOCH={:?} {why}",
                raw.unwrap_or_default()
            ))
            .with_help("set it to a whole number of seconds since 1970, e.g. SOURCE_DATE_EPOCH=1700000000, or unset it")
            .into()
        };
        // The largest epoch both a gzip header (32 bits) and a zip date (year 2107) hold.
        const MAX_EPOCH: i64 = 4_354_819_199;
        if profile.lenient_epoch {
            // flit: the wheel ignores what int() rejects; the sdist treats "" as unset
            // and crashes on anything else int() rejects.
            let wheel_epoch = parsed.flatten();
            let sdist_epoch = match (raw, parsed.flatten()) {
                (None, _) => Ok(None),
                (Some(""), _) => Ok(None),
                (Some(_), Some(v)) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(Some(v)),
                (Some(_), Some(_)) => Err(bad("does not fit a gzip header")),
                (Some(_), None) => Err(bad("is not an integer")),
            };
            return Ok(BuildOptions::plain(
                profile,
                wheel_epoch.filter(|v| *v <= MAX_EPOCH),
                sdist_epoch,
            ));
        }
        let epoch = match (raw, parsed) {
            (None, _) => None,
            (Some(r), _) if r.trim().is_empty() => None,
            (Some(_), Some(Some(v))) if (0..=MAX_EPOCH).contains(&v) => Some(v),
            (Some(_), Some(Some(_))) => return Err(bad("is out of range (0 to 4354819199)")),
            _ => return Err(bad("is not an integer")),
        };
        Ok(BuildOptions::plain(profile, epoch, Ok(epoch)))
    }

    /// Options with the given epochs and nothing else set.
    fn plain(
        profile: Profile,
        wheel_epoch: Option<i64>,
        sdist_epoch: Result<Option<i64>, Diagnostics>,
    ) -> BuildOptions {
        BuildOptions {
            profile,
            wheel_epoch,
            sdist_epoch,
            wheel_tag: None,
            extra_scripts: Vec::new(),
            runtime: Runtime::default(),
            zip_time_overrides: None,
            tar_mtime_overrides: None,
            gzip_mtime_override: None,
        }
    }

    /// flit ≤ 3.3 cannot date zip entries before 1980 and fails the wheel build
    /// (`ValueError: ZIP does not support timestamps before 1980`).
    pub fn check_wheel_epoch(&self) -> Result<(), Diagnostics> {
        const Y1980: i64 = 315_532_800;
        match self.wheel_epoch {
            Some(e) if self.profile.pre1980_epoch_error && e < Y1980 => Err(Diagnostic::error(
                format!(
                    "SOURCE_DATE_EPOCH={e} is before 1980, and {} cannot build a wheel with it",
                    self.profile.generator
                ),
            )
            .with_help("set SOURCE_DATE_EPOCH to 315532800 (1980-01-01) or later; flit 3.4+ clamps earlier dates")
            .into()),
            _ => Ok(()),
        }
    }

    /// The date `verify` recovered for the wheel entry `name`, if any.
    pub fn zip_time_override(&self, name: &str) -> Option<CivilTime> {
        self.zip_time_overrides.as_ref()?.get(name).copied()
    }

    /// The sdist's gzip level: the runtime's default if it has its own, else the profile's.
    pub fn gzip_level(&self) -> u8 {
        self.runtime.gzip_level.unwrap_or(self.profile.gzip_level)
    }

    /// Zip time of a file copied from disk with modification time `mtime`.
    pub fn zip_time_for_file(&self, path: &Path, mtime: i64) -> Result<CivilTime, Diagnostics> {
        if let Some(e) = self.wheel_epoch {
            return Ok(CivilTime::from_unix(e).clamp_to_1980());
        }
        match self.profile.unset_epoch {
            UnsetEpoch::Fixed(t) => Ok(CivilTime::from_unix(t)),
            UnsetEpoch::FileMtimes => {
                let t = timestamp::local_time(mtime);
                if t.year < 1980 {
                    return Err(Diagnostic::error(format!(
                        "{} was modified before 1980, which a zip file cannot store",
                        path.display()
                    ))
                    .in_file(path)
                    .with_help("set SOURCE_DATE_EPOCH, or touch the file")
                    .into());
                }
                Ok(t)
            }
        }
    }

    /// Zip time of a generated file (METADATA, RECORD, ...).
    pub fn zip_time_generated(&self) -> CivilTime {
        match (self.wheel_epoch, self.profile.unset_epoch) {
            (Some(e), _) => CivilTime::from_unix(e).clamp_to_1980(),
            (None, UnsetEpoch::Fixed(t)) => CivilTime::from_unix(t),
            (None, UnsetEpoch::FileMtimes) => CivilTime::from_unix(crate::profile::FIXED_EPOCH),
        }
    }
}

/// flit's 644/755 rule: `(mode | 0o644) & !0o133`, plus 0o111 if the owner could execute.
pub fn normalize_mode(st_mode: u32) -> u32 {
    let mut mode = (st_mode | 0o644) & !0o133;
    if st_mode & 0o100 != 0 {
        mode |= 0o111;
    }
    mode & 0o7777
}

#[cfg(unix)]
pub fn file_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
pub fn file_mode(meta: &std::fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

/// Modification time as (seconds, nanoseconds).
#[cfg(unix)]
pub fn file_mtime(meta: &std::fs::Metadata) -> (i64, u32) {
    use std::os::unix::fs::MetadataExt;
    (meta.mtime(), meta.mtime_nsec() as u32)
}

#[cfg(not(unix))]
pub fn file_mtime(meta: &std::fs::Metadata) -> (i64, u32) {
    match meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
    {
        Some(d) => (d.as_secs() as i64, d.subsec_nanos()),
        None => (0, 0),
    }
}

/// An output file written under a temporary name in its final folder and renamed into
/// place only when complete: an error or a kill never leaves a partial artifact.
pub struct AtomicFile {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.{}.part", std::process::id()));
        let file = File::options()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&temp)
            .or_else(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    std::fs::remove_file(&temp)?;
                    File::options()
                        .write(true)
                        .read(true)
                        .create_new(true)
                        .open(&temp)
                } else {
                    Err(e)
                }
            })?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
            file: Some(file),
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("file is open until commit")
    }

    pub fn take_file(&mut self) -> OutputFile {
        OutputFile {
            file: self.file.take().expect("file is open until commit"),
            unflushed: 0,
            flusher: None,
        }
    }

    /// Flushes, sets mode 644 and renames into place.
    pub fn commit(mut self, mut out: OutputFile) -> io::Result<()> {
        out.flush()?;
        out.stop_flusher();
        // Without it, a crash soon after the rename can leave the final name holding a
        // partial file on filesystems that delay allocation. With the flusher it costs
        // botocore's 16 MB wheel 2.3-3.5 ms here (7-12 ms without), click's under 1 ms.
        out.file.sync_all()?;
        drop(out);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.temp, std::fs::Permissions::from_mode(0o644))?;
        }
        std::fs::rename(&self.temp, &self.target)?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            self.file.take();
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The artifact being written. Each time it has grown by `WRITE_BEHIND` bytes, a helper
/// thread (started on the first occasion, so small artifacts never start one) writes
/// what is there to disk, while the build goes on, so that the fsync before the rename
/// has little left to do.
pub struct OutputFile {
    file: File,
    /// Bytes written since the helper was last asked to flush.
    unflushed: u64,
    flusher: Option<Flusher>,
}

struct Flusher {
    /// Shared with the helper: whether a flush is wanted, whether to stop.
    asked: std::sync::Arc<(Mutex<Asked>, Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

/// A request made while one is pending is the same request.
#[derive(Default)]
struct Asked {
    flush: bool,
    stop: bool,
}

const WRITE_BEHIND: u64 = 4 << 20;

impl OutputFile {
    fn note_written(&mut self, n: usize) {
        self.unflushed += n as u64;
        if self.unflushed >= WRITE_BEHIND {
            self.unflushed = 0;
            if self.flusher.is_none() {
                self.flusher = Flusher::start(&self.file);
            }
            if let Some(flusher) = &self.flusher {
                flusher.ask(|asked| asked.flush = true);
            }
        }
    }

    fn stop_flusher(&mut self) {
        if let Some(flusher) = self.flusher.take() {
            flusher.ask(|asked| asked.stop = true);
            let _ = flusher.thread.join();
        }
    }
}

impl Flusher {
    /// A helper running `sync_data` on a second descriptor of `file` whenever asked;
    /// None if there is no second descriptor or no thread (the final fsync then does it
    /// all).
    fn start(file: &File) -> Option<Flusher> {
        let copy = file.try_clone().ok()?;
        let asked = std::sync::Arc::new((Mutex::new(Asked::default()), Condvar::new()));
        let theirs = asked.clone();
        let flush = move || {
            let (lock, wake) = &*theirs;
            let mut asked = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while !asked.stop {
                if asked.flush {
                    asked.flush = false;
                    drop(asked);
                    // Only a head start: errors surface in commit's fsync.
                    let _ = copy.sync_data();
                    asked = lock.lock().unwrap_or_else(PoisonError::into_inner);
                } else {
                    asked = wake.wait(asked).unwrap_or_else(PoisonError::into_inner);
                }
            }
        };
        let thread = std::thread::Builder::new().spawn(flush).ok()?;
        Some(Flusher { asked, thread })
    }

    fn ask(&self, change: impl FnOnce(&mut Asked)) {
        let (lock, wake) = &*self.asked;
        change(&mut lock.lock().unwrap_or_else(PoisonError::into_inner));
        wake.notify_one();
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.note_written(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for OutputFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.file.seek(to)
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        self.stop_flusher();
    }
}

/// `f` of each item, in order, on up to `threads` threads: for runs of system calls
/// (a `stat` per file) that cost more than starting a thread once there are hundreds.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    const BLOCK: usize = 128;
    let blocks = items.len().div_ceil(BLOCK);
    let threads = threads.min(blocks).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let block = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if block >= blocks {
                return done;
            }
            let chunk = &items[block * BLOCK..items.len().min((block + 1) * BLOCK)];
            done.push((block, chunk.iter().map(&f).collect::<Vec<R>>()));
        }
    };
    let mut done = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            match helper.join() {
                Ok(d) => done.extend(d),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(block, _)| *block);
    done.into_iter().flat_map(|(_, results)| results).collect()
}

/// Threads for compression: `FORGE_BACKEND_THREADS`, else every core. Output bytes never
/// depend on it. Asked once per process: finding the core count reads the cgroup's CPU
/// quota, three files, and a build asks for every walk and stat run.
pub fn thread_count() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("FORGE_BACKEND_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

#[cfg(test)]
mod tests {
    use crate::archive::tar::TarFlavor;

    /// The first item of every block of 128 takes a millisecond, so that every thread
    /// gets blocks in turn (an instant function lets the calling thread take them all
    /// before a helper starts, and the order would hold without being restored).
    #[test]
    fn parallel_map_keeps_the_order() {
        let slow_square = |i: &usize| {
            if i % 128 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            i * i
        };
        for len in [0, 1, 127, 128, 129, 1000] {
            let items: Vec<usize> = (0..len).collect();
            for threads in [1, 2, 3, 8] {
                let squares = super::parallel_map(&items, threads, slow_square);
                assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn runtime_for_python() {
        let r = |v| Runtime::for_python(v).unwrap();
        assert_eq!(r("3.8").tar_flavor, TarFlavor::CPYTHON_3_8);
        assert_eq!(r("3.9.10").tar_flavor, TarFlavor::CPYTHON_3_9_EARLY);
        assert_eq!(r("3.9").tar_flavor, TarFlavor::CURRENT);
        assert_eq!(r("3.14").gzip_level, None);
        assert_eq!(r("3.15").gzip_level, Some(6));
        assert!(Runtime::for_python("2.7").is_err());
        assert!(Runtime::for_python("3.x").is_err());
    }

    use super::*;

    #[test]
    fn modes_normalise_like_flit() {
        assert_eq!(normalize_mode(0o100600), 0o644);
        assert_eq!(normalize_mode(0o100700), 0o755);
        assert_eq!(normalize_mode(0o100744), 0o755);
        // Values from flit_core 4.2.0's normalize_file_permissions (flit-bytes.md §1.3 says
        // 701 gives 644; flit itself gives 755: only the owner bit counts).
        assert_eq!(normalize_mode(0o100701), 0o755);
        assert_eq!(normalize_mode(0o100611), 0o644);
        assert_eq!(normalize_mode(0o100777), 0o755);
    }

    #[test]
    fn native_epoch_rules() {
        let native = || Profile::native();
        assert_eq!(
            BuildOptions::with_epoch(native(), Some("1700000000"))
                .unwrap()
                .wheel_epoch,
            Some(1_700_000_000)
        );
        assert!(BuildOptions::with_epoch(native(), Some("abc")).is_err());
        assert!(BuildOptions::with_epoch(native(), Some("-1")).is_err());
        assert_eq!(
            BuildOptions::with_epoch(native(), Some(""))
                .unwrap()
                .wheel_epoch,
            None
        );
        let flit = BuildOptions::with_epoch(Profile::flit_newest(), Some("abc")).unwrap();
        assert_eq!(
            flit.wheel_epoch, None,
            "flit's wheel ignores a non-integer epoch"
        );
        assert!(flit.sdist_epoch.is_err(), "flit's sdist crashes on it");
    }

    /// A large artifact starts the flusher, a small one no thread, and what was written
    /// is what is committed, seeks included.
    #[test]
    fn output_file_flushes_behind_and_commits_what_was_written() {
        use std::io::{Seek, SeekFrom, Write};
        let dir = std::env::temp_dir().join(format!("forge-behind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let chunk: Vec<u8> = (0..65_536u32).map(|i| (i % 251) as u8).collect();
        for chunks in [1, 3 * super::WRITE_BEHIND as usize / chunk.len()] {
            let target = dir.join(format!("{chunks}.whl"));
            let mut atomic = AtomicFile::create(&target).unwrap();
            let mut out = atomic.take_file();
            let mut expected = chunk.repeat(chunks);
            for _ in 0..chunks {
                out.write_all(&chunk).unwrap();
            }
            let large = expected.len() as u64 >= super::WRITE_BEHIND;
            assert_eq!(out.flusher.is_some(), large, "{} bytes", expected.len());
            out.seek(SeekFrom::Start(10)).unwrap();
            out.write_all(b"patched").unwrap();
            expected[10..17].copy_from_slice(b"patched");
            out.seek(SeekFrom::End(0)).unwrap();
            atomic.commit(out).unwrap();
            assert!(std::fs::read(&target).unwrap() == expected);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_file_leaves_nothing_on_drop() {
        let dir = std::env::temp_dir().join(format!("forge-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("x.whl");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.file().write_all(b"partial").unwrap();
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let mut f = AtomicFile::create(&target).unwrap();
        let file = f.take_file();
        f.commit(file).unwrap();
        assert!(target.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
