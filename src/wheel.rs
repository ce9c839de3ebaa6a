//! Writes the wheel (and, with a `.pth` instead of the module, the editable wheel) in
//! flit's entry order: module files, external data, entry_points.txt, licenses, WHEEL,
//! METADATA, RECORD.

use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::archive::deflate::Deflater;
use crate::archive::zip::{DosDateTime, Method, ZipEntry, ZipWriter};
use crate::build::{self, AtomicFile, BuildOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::layout::{self, ArchiveFile};
use crate::metadata::{self, RecordEntry};
use crate::project::Project;
use crate::timestamp::CivilTime;

/// Bytes gathered before each write to the wheel file (a buffer below malloc's mmap
/// threshold, which a small wheel's build can serve from memory it already has).
const WRITE_BUFFER: usize = 64 << 10;

/// The dist-info files computed once and shared by `prepare_metadata` and the wheel.
pub struct DistInfo {
    pub dir_name: String,
    pub metadata: Vec<u8>,
    pub wheel: Vec<u8>,
    pub entry_points: Option<Vec<u8>>,
}

impl DistInfo {
    pub fn new(project: &Project, options: &BuildOptions) -> DistInfo {
        DistInfo {
            dir_name: format!("{}.dist-info", project.dist_name()),
            metadata: metadata::core_metadata(project, &options.profile).into_bytes(),
            wheel: metadata::wheel_file(wheel_tag(project, options), &options.profile).into_bytes(),
            entry_points: metadata::entry_points(project).map(String::into_bytes),
        }
    }

    /// PEP 517: when the frontend passes the `.dist-info` folder that
    /// `prepare_metadata_for_build_wheel` made, the wheel's metadata must be identical
    /// to it, so we take those bytes.
    pub fn from_prepared(mut self, metadata_dir: &Path) -> Result<DistInfo, Diagnostics> {
        let dir = metadata_dir.to_path_buf();
        if dir.file_name().and_then(|n| n.to_str()) != Some(self.dir_name.as_str()) || !dir.is_dir()
        {
            return Err(Diagnostic::error(format!(
                "the prepared metadata folder {} is not {}; was it prepared for another name or version?",
                metadata_dir.display(),
                self.dir_name
            ))
            .into());
        }
        let read = |name: &str| std::fs::read(dir.join(name));
        self.metadata = read("METADATA")
            .map_err(|e| crate::diagnostic::io_error("read", &dir.join("METADATA"), &e))?;
        self.wheel = read("WHEEL")
            .map_err(|e| crate::diagnostic::io_error("read", &dir.join("WHEEL"), &e))?;
        self.entry_points = match read("entry_points.txt") {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(
                    crate::diagnostic::io_error("read", &dir.join("entry_points.txt"), &e).into(),
                )
            }
        };
        Ok(self)
    }

    /// Writes WHEEL, METADATA and entry_points.txt into `<outdir>/<name>.dist-info/`.
    pub fn write_to(&self, outdir: &Path) -> Result<(), Diagnostics> {
        let dir = outdir.join(&self.dir_name);
        let io_err =
            |e: io::Error| -> Diagnostics { crate::diagnostic::io_error("write", &dir, &e).into() };
        // Written to a sibling and renamed, so an interrupted run leaves no half folder.
        let temp = outdir.join(format!(".{}.{}.part", self.dir_name, std::process::id()));
        let _ = std::fs::remove_dir_all(&temp);
        std::fs::create_dir_all(&temp).map_err(io_err)?;
        let result = (|| -> io::Result<()> {
            std::fs::write(temp.join("WHEEL"), &self.wheel)?;
            std::fs::write(temp.join("METADATA"), &self.metadata)?;
            if let Some(ep) = &self.entry_points {
                std::fs::write(temp.join("entry_points.txt"), ep)?;
            }
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::rename(&temp, &dir)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&temp);
        }
        result.map_err(io_err)
    }
}

/// The wheel's tag set: the `wheel-tag` config setting, else the project's.
pub fn wheel_tag<'a>(project: &'a Project, options: &'a BuildOptions) -> &'a str {
    if options.wheel_tag.is_none()
        && project.forge.wheel_tag.is_none()
        && !options.profile.py2_rule_current
    {
        return if crate::project::flit_legacy::legacy_supports_py2(
            project.requires_python.as_deref(),
        ) {
            "py2.py3-none-any"
        } else {
            "py3-none-any"
        };
    }
    options
        .wheel_tag
        .as_deref()
        .unwrap_or_else(|| project.wheel_tag())
}

/// File name of the wheel.
pub fn filename(project: &Project, options: &BuildOptions) -> String {
    format!(
        "{}-{}.whl",
        project.dist_name(),
        wheel_tag(project, options)
    )
}

/// Builds the wheel (or editable wheel) into `outdir`; returns its file name.
pub fn build(
    project: &Project,
    options: &BuildOptions,
    outdir: &Path,
    metadata_dir: Option<&Path>,
    editable: bool,
) -> Result<String, Diagnostics> {
    build_tuned(
        project,
        options,
        outdir,
        metadata_dir,
        editable,
        Tuning::from_machine(),
    )
}

/// [`build`] with explicit work distribution.
pub fn build_tuned(
    project: &Project,
    options: &BuildOptions,
    outdir: &Path,
    metadata_dir: Option<&Path>,
    editable: bool,
    tuning: Tuning,
) -> Result<String, Diagnostics> {
    let mut layout = layout::wheel_layout(project)?;
    let mut dist_info = DistInfo::new(project, options);
    options.check_wheel_epoch()?;
    if options.profile.license_layout == crate::profile::LicenseLayout::Flat {
        layout.licenses = crate::project::flit_legacy::flat_license_files(
            &project.root,
            &dist_info.dir_name,
            &options.profile,
        )?;
    }
    if let Some(md) = metadata_dir {
        dist_info = dist_info.from_prepared(md)?;
    }
    let name = filename(project, options);
    let target = outdir.join(&name);
    let mut out = AtomicFile::create(&target)
        .map_err(|e| crate::diagnostic::io_error("create", &target, &e))?;
    let mut writer = WheelWriter {
        tuning,
        // Members are a header and data each: buffered, thousands of small files cost a
        // few hundred writes instead of two system calls apiece.
        zip: ZipWriter::new(BufWriter::with_capacity(WRITE_BUFFER, out.take_file()))
            .map_err(|e| write_error(&target, &e))?,
        record: RecordWriter::new(options),
        options,
        target: &target,
    };
    if editable {
        let (pth_name, pth_content) = crate::editable::pth_file(project)?;
        writer.add_generated(&pth_name, pth_content.as_bytes())?;
    } else {
        writer.add_files(&layout.module)?;
    }
    writer.add_files(&layout.data)?;
    let scripts = scripts(project, options)?;
    writer.add_files(&scripts)?;
    if let Some(ep) = &dist_info.entry_points {
        writer.add_generated(&format!("{}/entry_points.txt", dist_info.dir_name), ep)?;
    }
    writer.add_files(&layout.licenses)?;
    writer.add_generated(&format!("{}/WHEEL", dist_info.dir_name), &dist_info.wheel)?;
    writer.add_generated(
        &format!("{}/METADATA", dist_info.dir_name),
        &dist_info.metadata,
    )?;
    let (record, record_crc, record_size) = writer.record.finish(&dist_info.dir_name);
    let record_name = format!("{}/RECORD", dist_info.dir_name);
    let time = options.zip_time_generated();
    writer
        .zip
        .add_precompressed(
            &zip_entry(record_name, generated_mode(options), time, options)?,
            Some(record_size),
            record_crc,
            record_size,
            &record,
        )
        .map_err(|e| write_error(&target, &e))?;
    let file = writer
        .zip
        .finish()
        .and_then(|buffered| {
            buffered
                .into_inner()
                .map_err(io::IntoInnerError::into_error)
        })
        .map_err(|e| write_error(&target, &e))?;
    out.commit(file).map_err(|e| write_error(&target, &e))?;
    Ok(name)
}

/// Executables for `<dist>.data/scripts/`: the project's, then the config settings'.
fn scripts(project: &Project, options: &BuildOptions) -> Result<Vec<ArchiveFile>, Diagnostics> {
    let dist = project.dist_name();
    let mut out: Vec<ArchiveFile> = Vec::new();
    for path in project.forge.scripts.iter().chain(&options.extra_scripts) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(Diagnostic::error(format!(
                "script {} has no UTF-8 file name",
                path.display()
            ))
            .into());
        };
        let archive_path = format!("{dist}.data/scripts/{name}");
        if out.iter().any(|f| f.archive_path == archive_path) {
            return Err(Diagnostic::error(format!("two scripts are named {name}")).into());
        }
        if !path.is_file() {
            return Err(
                Diagnostic::error(format!("script {} is not a file", path.display())).into(),
            );
        }
        out.push(ArchiveFile {
            source: path.clone(),
            archive_path,
            symlink_target: None,
        });
    }
    Ok(out)
}

/// Mode of METADATA, RECORD and the other generated entries (see
/// `Profile::generated_file_type`).
fn generated_mode(options: &BuildOptions) -> u32 {
    if options.profile.generated_file_type {
        0o644
    } else {
        0o644 | crate::archive::zip::NO_FILE_TYPE
    }
}

fn write_error(target: &Path, e: &io::Error) -> Diagnostics {
    crate::diagnostic::io_error("write", target, e).into()
}

fn zip_entry(
    name: String,
    mode: u32,
    time: CivilTime,
    options: &BuildOptions,
) -> Result<ZipEntry, Diagnostics> {
    let time = options.zip_time_override(&name).unwrap_or(time);
    let year = u16::try_from(time.year).unwrap_or(0);
    let modified = DosDateTime::new(
        year,
        time.month,
        time.day,
        time.hour,
        time.minute,
        time.second,
    )
    .map_err(|e| {
        Diagnostics::from(Diagnostic::error(format!(
            "cannot store the time of {name} in a zip: {e}"
        )))
    })?;
    Ok(ZipEntry {
        name,
        mode,
        modified,
        method: Method::Deflated {
            level: options.profile.wheel_level,
        },
    })
}

struct WheelWriter<'a> {
    zip: ZipWriter<BufWriter<build::OutputFile>>,
    tuning: Tuning,
    /// RECORD, kept as text or, once large, compressed as files are added.
    record: RecordWriter,
    options: &'a BuildOptions,
    target: &'a Path,
}

impl WheelWriter<'_> {
    fn add_generated(&mut self, name: &str, data: &[u8]) -> Result<(), Diagnostics> {
        let time = self.options.zip_time_generated();
        self.zip
            .add_file(
                &zip_entry(
                    name.to_string(),
                    generated_mode(self.options),
                    time,
                    self.options,
                )?,
                data,
            )
            .map_err(|e| write_error(self.target, &e))?;
        self.record.add(&RecordEntry {
            path: name.to_string(),
            sha256: Sha256::digest(data).into(),
            size: data.len() as u64,
        });
        Ok(())
    }

    /// Adds files in order. Files up to `whole_file_limit` are read whole and compressed
    /// on all cores while earlier ones are being written (the output order, and so the
    /// bytes, do not depend on the thread count); larger files are streamed so memory
    /// stays bounded.
    fn add_files(&mut self, files: &[ArchiveFile]) -> Result<(), Diagnostics> {
        let metas = build::parallel_map(files, self.tuning.threads, |spec| {
            std::fs::metadata(&spec.source)
        });
        let mut sources = Vec::with_capacity(files.len());
        for (spec, meta) in files.iter().zip(metas) {
            let meta = meta.map_err(|e| crate::diagnostic::io_error("read", &spec.source, &e))?;
            sources.push(Source { spec, meta });
        }
        let plan = Plan::new(&sources, &self.tuning);
        let level = self.options.profile.wheel_level;
        let threads = self.tuning.threads;
        compress_in_order(&sources, &plan, level, threads, &mut |source, work| {
            self.write_source(source, work)
        })
    }

    /// Appends one file: compressed by a worker, or streamed here.
    fn write_source(&mut self, source: &Source<'_>, work: Work) -> Result<(), Diagnostics> {
        let compressed = match work {
            Work::Stream => return self.stream_file(source),
            Work::Compressed(result) => {
                result.map_err(|e| crate::diagnostic::io_error("read", &source.spec.source, &e))?
            }
        };
        let (entry, declared_size) = self.entry_for(source)?;
        self.zip
            .add_precompressed(
                &entry,
                declared_size,
                compressed.crc32,
                compressed.size,
                &compressed.deflated,
            )
            .map_err(|e| write_error(self.target, &e))?;
        self.record.add(&RecordEntry {
            path: source.spec.archive_path.clone(),
            sha256: compressed.sha256,
            size: compressed.size,
        });
        Ok(())
    }

    /// The zip entry for a file from disk, and the size flit's `ZipInfo` declares.
    fn entry_for(&self, source: &Source<'_>) -> Result<(ZipEntry, Option<u64>), Diagnostics> {
        let (mtime, _) = build::file_mtime(&source.meta);
        let time = match self.options.zip_time_override(&source.spec.archive_path) {
            Some(t) => t,
            None => self.options.zip_time_for_file(&source.spec.source, mtime)?,
        };
        let mode = build::normalize_mode(build::file_mode(&source.meta));
        // flit's ZipInfo.from_file (used when SOURCE_DATE_EPOCH is unset) declares the
        // size up front, which decides zip64 for huge files; a fresh ZipInfo does not.
        let declared_size = match (self.options.wheel_epoch, self.options.profile.unset_epoch) {
            (None, crate::profile::UnsetEpoch::FileMtimes) => Some(source.meta.len()),
            _ => None,
        };
        let entry = zip_entry(source.spec.archive_path.clone(), mode, time, self.options)?;
        Ok((entry, declared_size))
    }

    /// Streams one large file: read once, hashed and compressed as it goes.
    fn stream_file(&mut self, source: &Source<'_>) -> Result<(), Diagnostics> {
        let (entry, declared_size) = self.entry_for(source)?;
        let read_error =
            |e: io::Error| crate::diagnostic::io_error("read", &source.spec.source, &e);
        let mut file = File::open(&source.spec.source).map_err(read_error)?;
        let mut reader = HashingReader {
            inner: &mut file,
            hasher: Sha256::new(),
            size: 0,
        };
        self.zip
            .add_reader(&entry, declared_size, &mut reader)
            .map_err(|e| crate::diagnostic::io_error("add", &source.spec.source, &e))?;
        self.record.add(&RecordEntry {
            path: source.spec.archive_path.clone(),
            sha256: reader.hasher.finalize().into(),
            size: reader.size,
        });
        Ok(())
    }
}

/// RECORD, compressed as its lines come once it is large (a Deflater's output does not
/// depend on how its input is cut), so that little is left to compress after the last
/// file: botocore's RECORD (229 KB; stock zlib takes 4.1 ms) otherwise takes 3-4 ms at
/// the end, with nothing else to do. A small RECORD is kept as text and compressed at
/// the end, so that a small wheel does not keep a second encoder alive while its files
/// are compressed (with it, and a 256 KiB write buffer, click's wheel took 441 page
/// faults instead of 314).
struct RecordWriter {
    level: u8,
    style: crate::profile::RecordStyle,
    /// Lines not yet given to the encoder.
    text: Vec<u8>,
    /// Started once `text` reaches `RECORD_STREAM_FROM` bytes.
    deflater: Option<Deflater>,
    deflated: Vec<u8>,
    crc: crate::archive::crc32::Crc32,
    size: u64,
}

const RECORD_STREAM_FROM: usize = 64 << 10;

impl RecordWriter {
    fn new(options: &BuildOptions) -> RecordWriter {
        RecordWriter {
            level: options.profile.wheel_level,
            style: options.profile.record,
            text: Vec::new(),
            deflater: None,
            deflated: Vec::new(),
            crc: crate::archive::crc32::Crc32::new(),
            size: 0,
        }
    }

    fn add(&mut self, entry: &RecordEntry) {
        self.text
            .extend_from_slice(metadata::record_line(entry, self.style).as_bytes());
        if self.text.len() >= RECORD_STREAM_FROM {
            self.compress_text();
        }
    }

    fn compress_text(&mut self) {
        let level = self.level;
        let deflater = self.deflater.get_or_insert_with(|| Deflater::new(level));
        deflater.write(&self.text, &mut self.deflated);
        self.crc.update(&self.text);
        self.size += self.text.len() as u64;
        self.text.clear();
    }

    /// RECORD ended by its own line: the compressed bytes, CRC-32 and size.
    fn finish(mut self, dist_info: &str) -> (Vec<u8>, u32, u64) {
        self.text
            .extend_from_slice(metadata::record_last_line(dist_info, self.style).as_bytes());
        self.compress_text();
        if let Some(deflater) = self.deflater.take() {
            deflater.finish(&mut self.deflated);
        }
        (self.deflated, self.crc.value(), self.size)
    }
}

/// How the wheel writer spreads work; fixed in production, varied by tests to prove the
/// bytes do not depend on it.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub threads: usize,
    /// Files larger than this are streamed instead of read whole.
    pub whole_file_limit: u64,
    /// Raw bytes read and compressed per parallel batch.
    pub batch_bytes: u64,
}

impl Tuning {
    pub fn from_machine() -> Tuning {
        Tuning {
            threads: build::thread_count(),
            whole_file_limit: 8 << 20,
            batch_bytes: 32 << 20,
        }
    }
}

/// A file to add, with what `stat` said of it when the list was made.
struct Source<'a> {
    spec: &'a ArchiveFile,
    meta: std::fs::Metadata,
}

struct Compressed {
    deflated: Vec<u8>,
    crc32: u32,
    size: u64,
    sha256: [u8; 32],
}

/// What the writer gets for a file, in order.
enum Work {
    /// Compressed by a worker (or the error reading it).
    Compressed(io::Result<Compressed>),
    /// Too large to hold: the writer streams it itself.
    Stream,
}

/// Which files the workers compress, in which order, and how far ahead of the writer.
struct Plan {
    /// Indices of the files read whole: batch by batch, largest first within a batch, so
    /// the biggest file does not start last and leave the other cores idle at the end.
    claim_order: Vec<usize>,
    /// Each file's batch: consecutive files of at most `batch_bytes` together; a
    /// streamed file is a batch of its own.
    batch: Vec<usize>,
    streamed: Vec<bool>,
}

impl Plan {
    fn new(sources: &[Source<'_>], tuning: &Tuning) -> Plan {
        let mut batch = Vec::with_capacity(sources.len());
        let mut streamed = Vec::with_capacity(sources.len());
        let (mut current, mut bytes, mut members) = (0, 0, 0);
        for source in sources {
            let len = source.meta.len();
            let stream = len > tuning.whole_file_limit;
            if members > 0 && (stream || bytes + len > tuning.batch_bytes) {
                (current, bytes, members) = (current + 1, 0, 0);
            }
            batch.push(current);
            streamed.push(stream);
            if stream {
                current += 1;
            } else {
                bytes += len;
                members += 1;
            }
        }
        let mut claim_order: Vec<usize> = (0..sources.len()).filter(|&i| !streamed[i]).collect();
        claim_order.sort_by_key(|&i| (batch[i], std::cmp::Reverse(sources[i].meta.len())));
        Plan {
            claim_order,
            batch,
            streamed,
        }
    }
}

/// Shared state of `compress_in_order`.
struct Progress {
    /// How many of `claim_order` the workers have taken.
    claimed: usize,
    /// Results not yet written, by file.
    done: Vec<Option<io::Result<Compressed>>>,
    /// How many files (a prefix) went to the writer.
    written: usize,
    /// Whether a thread is writing now.
    writing: bool,
    /// The first failure; everyone stops.
    error: Option<Diagnostics>,
}

/// Compresses the files of `sources` on `threads` threads and hands each, in order, to
/// `write`, which runs on one thread at a time while the others go on compressing. No
/// thread waits for a batch to end: a file may be taken once every file two batches
/// before its own is written, which bounds the results held in memory to two batches.
fn compress_in_order<'a>(
    sources: &[Source<'a>],
    plan: &Plan,
    level: u8,
    threads: usize,
    write: &mut (dyn FnMut(&Source<'a>, Work) -> Result<(), Diagnostics> + Send),
) -> Result<(), Diagnostics> {
    let n = sources.len();
    let state = Mutex::new(Progress {
        claimed: 0,
        done: (0..n).map(|_| None).collect(),
        written: 0,
        writing: false,
        error: None,
    });
    let wake = Condvar::new();
    let write = Mutex::new(write);
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    let work = || {
        // A worker that panics must not leave the others waiting for its file.
        let _on_panic = PanicStops {
            state: &state,
            wake: &wake,
        };
        let mut encoder: Option<Deflater> = None;
        let mut g = lock();
        while g.error.is_none() && g.written < n {
            // Writing comes first: the files ready at the front of the order, or the
            // streamed file there.
            let start = g.written;
            let mut end = start;
            while end < n && g.done[end].is_some() {
                end += 1;
            }
            if end == start && plan.streamed[start] {
                end += 1;
            }
            if !g.writing && end > start {
                let ready: Vec<Work> = (start..end)
                    .map(|i| g.done[i].take().map_or(Work::Stream, Work::Compressed))
                    .collect();
                g.writing = true;
                drop(g);
                let mut result = Ok(());
                {
                    let mut write = write.lock().unwrap_or_else(PoisonError::into_inner);
                    for (source, work) in sources[start..end].iter().zip(ready) {
                        result = write(source, work);
                        if result.is_err() {
                            break;
                        }
                    }
                }
                g = lock();
                g.writing = false;
                g.written = end;
                if let Err(e) = result {
                    g.error = Some(e);
                }
                wake.notify_all();
                continue;
            }
            if let Some(&i) = plan.claim_order.get(g.claimed) {
                if plan.batch[i] <= plan.batch[start] + 1 {
                    g.claimed += 1;
                    drop(g);
                    let encoder = encoder.get_or_insert_with(|| Deflater::new(level));
                    let result = compress_one(&sources[i], encoder);
                    g = lock();
                    g.done[i] = Some(result);
                    continue;
                }
            }
            // Nothing to write or take: wait for the writer to move on (a worker that
            // finishes the file at the front writes it itself).
            g = wake.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    };
    let helpers = threads.min(plan.claim_order.len()).saturating_sub(1);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(work);
        }
        work();
    });
    let progress = state.into_inner().unwrap_or_else(PoisonError::into_inner);
    match progress.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Set on a worker's stack: if it unwinds, the others stop instead of waiting forever
/// for the file it held. (Release builds abort on panic; tests unwind.)
struct PanicStops<'s> {
    state: &'s Mutex<Progress>,
    wake: &'s Condvar,
}

impl Drop for PanicStops<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut g = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if g.error.is_none() {
                g.error = Some(Diagnostic::error("a compression worker failed").into());
            }
            self.wake.notify_all();
        }
    }
}

/// Reads and compresses one file with `encoder`, which is left ready for the next file
/// (reusing its window and tables spares an allocation and zeroing per file).
fn compress_one(source: &Source<'_>, encoder: &mut Deflater) -> io::Result<Compressed> {
    let data = std::fs::read(&source.spec.source)?;
    let mut deflated = Vec::with_capacity(data.len() / 3 + 64);
    encoder.write(&data, &mut deflated);
    encoder.finish_and_reset(&mut deflated);
    Ok(Compressed {
        deflated,
        crc32: crate::archive::crc32::crc32(&data),
        size: data.len() as u64,
        sha256: Sha256::digest(&data).into(),
    })
}

/// Hashes what passes through, so each file is read once for both zip and RECORD.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thirty files of 0 to ~29 KB; two of them are folders, which list fine but cannot
    /// be read.
    fn sources_in(dir: &Path, unreadable: &[usize]) -> Vec<ArchiveFile> {
        std::fs::create_dir_all(dir).unwrap();
        (0..30)
            .map(|i| {
                let source = dir.join(format!("f{i:02}"));
                if unreadable.contains(&i) {
                    std::fs::create_dir_all(&source).unwrap();
                } else {
                    let body = format!("line {i}\n").repeat((i * 7919) % 4099);
                    std::fs::write(&source, body).unwrap();
                }
                regular_file(source, format!("f{i:02}"))
            })
            .collect()
    }

    fn regular_file(source: std::path::PathBuf, archive_path: String) -> ArchiveFile {
        ArchiveFile {
            source,
            archive_path,
            symlink_target: None,
        }
    }

    /// RECORD compressed as it comes is RECORD: the same text, its CRC-32 and size, for a
    /// small one (compressed at the end) and one that streams (crosses
    /// RECORD_STREAM_FROM several times).
    #[test]
    fn record_written_as_files_come_is_the_record() {
        use crate::profile::RecordStyle;
        for count in [3u32, 2000] {
            let entries: Vec<RecordEntry> = (0..count)
                .map(|i| RecordEntry {
                    path: format!("pkg/sub{}/m{i},x.py", i % 7),
                    sha256: [i as u8; 32],
                    size: u64::from(i) * 37,
                })
                .collect();
            for style in [RecordStyle::CsvCrlf, RecordStyle::PlainLf] {
                let mut options =
                    BuildOptions::with_epoch(crate::profile::Profile::native(), None).unwrap();
                options.profile.record = style;
                let mut writer = RecordWriter::new(&options);
                for entry in &entries {
                    writer.add(entry);
                }
                assert_eq!(writer.deflater.is_some(), count > 3, "{count} {style:?}");
                let (deflated, crc, size) = writer.finish("pkg-1.0.dist-info");
                let text = metadata::record(&entries, "pkg-1.0.dist-info", style);
                let inflated = crate::archive::inflate::inflate(&deflated, u64::MAX).unwrap();
                assert!(inflated == text.as_bytes(), "{count} {style:?}");
                assert_eq!(crc, crate::archive::crc32::crc32(text.as_bytes()));
                assert_eq!(size, text.len() as u64);
                let level = options.profile.wheel_level;
                assert!(deflated == crate::archive::deflate::deflate(level, text.as_bytes()));
            }
        }
    }

    /// Whatever the threads, batches and streaming, the writer gets every file in order,
    /// each compressed correctly, and stops at the first file in order that fails.
    #[test]
    fn files_reach_the_writer_in_order_and_the_first_failure_stops_it() {
        let dir = std::env::temp_dir().join(format!("forge-in-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for unreadable in [&[][..], &[7, 20][..]] {
            let files = sources_in(&dir.join(format!("{}", unreadable.len())), unreadable);
            let sources: Vec<Source<'_>> = files
                .iter()
                .map(|spec| Source {
                    spec,
                    meta: std::fs::metadata(&spec.source).unwrap(),
                })
                .collect();
            let names: Vec<&str> = files.iter().map(|f| f.archive_path.as_str()).collect();
            let expected = match unreadable.first() {
                Some(&first) => &names[..=first],
                None => &names[..],
            };
            for threads in [1, 2, 3, 8] {
                for (whole_file_limit, batch_bytes) in [
                    (u64::MAX, u64::MAX),
                    (20_000, 30_000),
                    (u64::MAX, 1),
                    (0, 0),
                ] {
                    let tuning = Tuning {
                        threads,
                        whole_file_limit,
                        batch_bytes,
                    };
                    let plan = Plan::new(&sources, &tuning);
                    let mut seen = Vec::new();
                    let result = compress_in_order(&sources, &plan, 6, threads, &mut |s, work| {
                        seen.push(s.spec.archive_path.clone());
                        let failed =
                            || Diagnostic::error(format!("{} failed", s.spec.archive_path));
                        let data = std::fs::read(&s.spec.source).map_err(|_| failed())?;
                        if let Work::Compressed(result) = work {
                            let c = result.map_err(|_| failed())?;
                            assert_eq!(c.size, data.len() as u64);
                            assert_eq!(c.crc32, crate::archive::crc32::crc32(&data));
                            let inflated =
                                crate::archive::inflate::inflate(&c.deflated, u64::MAX).unwrap();
                            assert!(
                                inflated == data,
                                "{} inflates to other bytes",
                                s.spec.archive_path
                            );
                        }
                        Ok(())
                    });
                    assert_eq!(seen, expected, "{tuning:?}");
                    match unreadable.first() {
                        Some(first) => {
                            let message = result.unwrap_err().items[0].message.clone();
                            assert_eq!(message, format!("{} failed", names[*first]), "{tuning:?}");
                        }
                        None => assert!(result.is_ok(), "{tuning:?}"),
                    }
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
