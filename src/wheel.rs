//! Writes the wheel (and, with a `.pth` instead of the module, the editable wheel) in
//! flit's entry order: module files, external data, entry_points.txt, licenses, WHEEL,
//! METADATA, RECORD.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::archive::deflate::Deflater;
use crate::archive::zip::{DosDateTime, Method, ZipEntry, ZipWriter};
use crate::build::{self, AtomicFile, BuildOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::layout::{self, ArchiveFile};
use crate::metadata::{self, RecordEntry};
use crate::project::Project;
use crate::timestamp::CivilTime;

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
        zip: ZipWriter::new(out.take_file()).map_err(|e| write_error(&target, &e))?,
        records: Vec::new(),
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
    let record = metadata::record(&writer.records, &dist_info.dir_name, options.profile.record);
    let record_name = format!("{}/RECORD", dist_info.dir_name);
    let time = options.zip_time_generated();
    writer
        .zip
        .add_file(
            &zip_entry(record_name, generated_mode(options), time, options)?,
            record.as_bytes(),
        )
        .map_err(|e| write_error(&target, &e))?;
    let file = writer.zip.finish().map_err(|e| write_error(&target, &e))?;
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
    zip: ZipWriter<File>,
    tuning: Tuning,
    records: Vec<RecordEntry>,
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
        self.records.push(RecordEntry {
            path: name.to_string(),
            sha256: Sha256::digest(data).into(),
            size: data.len() as u64,
        });
        Ok(())
    }

    /// Adds files in order. Runs of small files are read whole and compressed on all
    /// cores (the output order, and so the bytes, do not depend on the thread count);
    /// large files are streamed so memory stays bounded.
    fn add_files(&mut self, files: &[ArchiveFile]) -> Result<(), Diagnostics> {
        let mut opened = Vec::with_capacity(files.len());
        for f in files {
            let file = File::open(&f.source)
                .map_err(|e| crate::diagnostic::io_error("read", &f.source, &e))?;
            let meta = file
                .metadata()
                .map_err(|e| crate::diagnostic::io_error("read", &f.source, &e))?;
            opened.push(OpenFile {
                spec: f,
                file,
                meta,
            });
        }
        let mut rest = opened.as_mut_slice();
        while !rest.is_empty() {
            if rest[0].meta.len() > self.tuning.whole_file_limit {
                let (first, tail) = rest.split_at_mut(1);
                self.stream_file(&mut first[0])?;
                rest = tail;
                continue;
            }
            let mut end = 0;
            let mut bytes = 0;
            while end < rest.len()
                && rest[end].meta.len() <= self.tuning.whole_file_limit
                && (end == 0 || bytes + rest[end].meta.len() <= self.tuning.batch_bytes)
            {
                bytes += rest[end].meta.len();
                end += 1;
            }
            let (batch, tail) = rest.split_at_mut(end);
            let level = self.options.profile.wheel_level;
            let compressed = compress_all(batch, level, self.tuning.threads);
            for (open, result) in batch.iter().zip(compressed) {
                let c = result
                    .map_err(|e| crate::diagnostic::io_error("read", &open.spec.source, &e))?;
                let (entry, declared_size) = self.entry_for(open)?;
                self.zip
                    .add_precompressed(&entry, declared_size, c.crc32, c.size, &c.deflated)
                    .map_err(|e| write_error(self.target, &e))?;
                self.records.push(RecordEntry {
                    path: open.spec.archive_path.clone(),
                    sha256: c.sha256,
                    size: c.size,
                });
            }
            rest = tail;
        }
        Ok(())
    }

    /// The zip entry for a file from disk, and the size flit's `ZipInfo` declares.
    fn entry_for(&self, open: &OpenFile<'_>) -> Result<(ZipEntry, Option<u64>), Diagnostics> {
        let (mtime, _) = build::file_mtime(&open.meta);
        let time = match self.options.zip_time_override(&open.spec.archive_path) {
            Some(t) => t,
            None => self.options.zip_time_for_file(&open.spec.source, mtime)?,
        };
        let mode = build::normalize_mode(build::file_mode(&open.meta));
        // flit's ZipInfo.from_file (used when SOURCE_DATE_EPOCH is unset) declares the
        // size up front, which decides zip64 for huge files; a fresh ZipInfo does not.
        let declared_size = match (self.options.wheel_epoch, self.options.profile.unset_epoch) {
            (None, crate::profile::UnsetEpoch::FileMtimes) => Some(open.meta.len()),
            _ => None,
        };
        let entry = zip_entry(open.spec.archive_path.clone(), mode, time, self.options)?;
        Ok((entry, declared_size))
    }

    /// Streams one large file: read once, hashed and compressed as it goes.
    fn stream_file(&mut self, open: &mut OpenFile<'_>) -> Result<(), Diagnostics> {
        let (entry, declared_size) = self.entry_for(open)?;
        let mut reader = HashingReader {
            inner: &mut open.file,
            hasher: Sha256::new(),
            size: 0,
        };
        self.zip
            .add_reader(&entry, declared_size, &mut reader)
            .map_err(|e| crate::diagnostic::io_error("add", &open.spec.source, &e))?;
        self.records.push(RecordEntry {
            path: open.spec.archive_path.clone(),
            sha256: reader.hasher.finalize().into(),
            size: reader.size,
        });
        Ok(())
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
            batch_bytes: 64 << 20,
        }
    }
}

struct OpenFile<'a> {
    spec: &'a ArchiveFile,
    file: File,
    meta: std::fs::Metadata,
}

struct Compressed {
    deflated: Vec<u8>,
    crc32: u32,
    size: u64,
    sha256: [u8; 32],
}

/// Reads and compresses one file with `encoder`, which is left ready for the next file
/// (reusing its window and tables spares an allocation and zeroing per file).
fn compress_one(open: &OpenFile<'_>, encoder: &mut Deflater) -> io::Result<Compressed> {
    let mut data = Vec::with_capacity(open.meta.len() as usize);
    (&open.file).read_to_end(&mut data)?;
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

/// Compresses every file of `batch`, in parallel when it pays; results in input order.
fn compress_all(batch: &[OpenFile<'_>], level: u8, threads: usize) -> Vec<io::Result<Compressed>> {
    let threads = threads.min(batch.len());
    if threads <= 1 {
        let mut encoder = Deflater::new(level);
        return batch
            .iter()
            .map(|f| compress_one(f, &mut encoder))
            .collect();
    }
    // Largest files first, so the biggest one does not start last and leave the
    // other cores idle at the end; each worker keeps one encoder for all its files.
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(batch[i].meta.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        let mut encoder = Deflater::new(level);
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&i) = order.get(k) else {
                break done;
            };
            done.push((i, compress_one(&batch[i], &mut encoder)));
        }
    };
    let mut results: Vec<Option<io::Result<Compressed>>> = (0..batch.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        // This thread is one of the workers.
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut finished = vec![Ok(work())];
        finished.extend(helpers.into_iter().map(|h| h.join()));
        // A worker only panics if the encoder does; its files then stay None and come
        // back as I/O errors below.
        for (i, r) in finished.into_iter().flatten().flatten() {
            results[i] = Some(r);
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(io::Error::other("a compression worker failed"))))
        .collect()
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
