//! zip writer, byte-identical to CPython's `zipfile.ZipFile(f, "w", ZIP_DEFLATED)` on a
//! seekable file, as flit_core writes wheels, on POSIX (`create_system` 3).
//!
//! Per member CPython writes a local header, the (compressed) data and, at `close()`, a
//! central-directory record; then the end-of-central-directory record. No data
//! descriptors (the file is seekable: the local header is rewritten in place with the
//! CRC and sizes), no extra fields other than zip64 ones (below), no comments, no
//! directory entries.
//!
//! - Versions: needed 20 and made by `0x0314`, or 45 (`0x032d`) for zip64 members.
//! - Flags: 0, or 0x0800 when the name is not ASCII (it is then stored as UTF-8).
//! - External attributes: `(mode | 0o100000) << 16`; internal attributes 0.
//! - Deflate: raw deflate, `wbits=-15`, memLevel 8, at the entry's level.
//!
//! # Zip64 and limits
//!
//! CPython's threshold is `ZIP64_LIMIT = 2**31 - 1` (not 4 GiB), and we follow it
//! byte for byte:
//!
//! - The local header gets a zip64 extra field (sizes `0xffffffff`, real sizes in the
//!   extra, versions 45; CPython before 3.11.4 filled it in differently, see [`ZipFlavor`])
//!   when the size CPython knew before writing (`ZipInfo.file_size`) times 1.05 exceeds
//!   the limit. `writestr` knows it; `open(zinfo, "w")` knows it only
//!   if the caller set it (flit does when it builds the ZipInfo with `from_file`, i.e.
//!   without `SOURCE_DATE_EPOCH`). That is the `declared_size` argument below.
//! - A member without that extra field whose data ends up larger than the limit makes
//!   CPython raise `RuntimeError`; we return an error too.
//! - The central directory gets a zip64 extra field holding the sizes when one of them
//!   exceeds the limit, and/or the local-header offset when it exceeds the limit.
//! - Past 65,535 members, or when the central directory's offset or size exceeds the
//!   limit, a zip64 end record and locator precede the classic end record, whose fields
//!   are then clamped to `0xffff` / `0xffffffff`.
//!
//! # Refusals
//!
//! Where CPython would warn or write something surprising we refuse with `InvalidInput`
//! before writing anything: duplicate names (CPython only warns, and readers then see two
//! members), empty names, names with NUL (CPython silently truncates at the NUL), names
//! ending in `/` (readers would take the file for a directory), names over 65,535 bytes,
//! modes with a file type other than regular, deflate levels above 9.

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::crc32::Crc32;
use super::deflate::Deflater;

/// CPython's `zipfile.ZIP64_LIMIT`.
const ZIP64_LIMIT: u64 = (1 << 31) - 1;
/// CPython's `zipfile.ZIP_FILECOUNT_LIMIT`.
const FILE_COUNT_LIMIT: usize = (1 << 16) - 1;
const VERSION_DEFAULT: u8 = 20;
const VERSION_ZIP64: u8 = 45;
const CREATE_SYSTEM_UNIX: u8 = 3;
const FLAG_UTF8_NAME: u16 = 0x0800;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const REGULAR_FILE_TYPE: u32 = 0o100000;
/// Set in [`ZipEntry::mode`] to store the permission bits without a file type, as flit
/// ≤ 3.8 did for its generated entries (`ZipInfo.external_attr = 0o644 << 16`);
/// installers read that as a regular file.
pub const NO_FILE_TYPE: u32 = 1 << 31;
const FILE_TYPE_MASK: u32 = 0o170000;
/// flit feeds files through `open(zinfo, "w")` in chunks of this size.
const STREAM_CHUNK: usize = 8 * 1024;

const LOCAL_HEADER_SIGNATURE: &[u8; 4] = b"PK\x03\x04";
const CENTRAL_HEADER_SIGNATURE: &[u8; 4] = b"PK\x01\x02";
const END_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
const ZIP64_END_SIGNATURE: &[u8; 4] = b"PK\x06\x06";
const ZIP64_LOCATOR_SIGNATURE: &[u8; 4] = b"PK\x06\x07";

/// How a member's data is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `ZIP_STORED`.
    Stored,
    /// `ZIP_DEFLATED` at zlib `level` 0..=9 (flit uses 6, zlib's default).
    Deflated { level: u8 },
}

/// A timestamp as `ZipInfo.date_time` holds it: broken-down, no time zone.
///
/// The DOS format stores years 1980..=2107 and even seconds; odd seconds are floored
/// when encoding, as CPython does (`second // 2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DosDateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl DosDateTime {
    /// 1980-01-01 00:00:00, the earliest DOS timestamp.
    pub const MIN: DosDateTime = DosDateTime {
        year: 1980,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };

    /// Validates a broken-down time (as from `time.localtime()` or a datetime).
    ///
    /// Years before 1980 fail like `ZipInfo` ("ZIP does not support timestamps before
    /// 1980"); years after 2107 fail where CPython's `struct.pack` would. Calendar fields
    /// must be in range (day 1..=31 without a per-month check, second 0..=59).
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> io::Result<Self> {
        if year < 1980 {
            return Err(invalid_input(
                "ZIP does not support timestamps before 1980".to_string(),
            ));
        }
        if year > 2107 {
            return Err(invalid_input(format!(
                "ZIP does not support timestamps after 2107 (year {year})"
            )));
        }
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(invalid_input(format!(
                "invalid date/time {year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
            )));
        }
        Ok(DosDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The UTC time of a Unix timestamp, as flit computes it from `SOURCE_DATE_EPOCH`
    /// (`datetime.fromtimestamp(t, timezone.utc)`): times before 1980 become 1980-01-01
    /// 00:00:00; times after 2107 are an error (CPython fails when packing the header).
    pub fn from_unix_utc(secs: i64) -> io::Result<Self> {
        let t = crate::timestamp::CivilTime::from_unix(secs).clamp_to_1980();
        let year = u16::try_from(t.year).map_err(|_| {
            invalid_input(format!(
                "timestamp {secs} is past the year 2107 that ZIP can store"
            ))
        })?;
        DosDateTime::new(year, t.month, t.day, t.hour, t.minute, t.second)
    }

    /// `(time, date)` in DOS format, as CPython packs them.
    pub fn to_dos(&self) -> (u16, u16) {
        let date = ((self.year - 1980) << 9) | (u16::from(self.month) << 5) | u16::from(self.day);
        let time = (u16::from(self.hour) << 11)
            | (u16::from(self.minute) << 5)
            | u16::from(self.second / 2);
        (time, date)
    }

    /// `(year, month, day, hour, minute, second)`.
    pub fn fields(&self) -> (u16, u8, u8, u8, u8, u8) {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
    }
}

/// How a local header with a zip64 extra field is filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Zip64LocalHeader {
    /// Sizes `0xffffffff` (the real ones are in the extra) and versions 45: CPython 3.11.4
    /// and later (gh-103861).
    #[default]
    Marked,
    /// The real sizes unless one is over the limit, and versions 45 only when a declared or
    /// real size is over the limit: CPython 3.11.3 and earlier.
    Legacy,
}

/// The CPython-version-dependent details of `zipfile`'s output. `Default` is
/// `ZipFlavor::CURRENT`. They only show for members of about 2 GiB or more; apart from
/// them the bytes are the same in 3.8 to 3.13 (measured) and in CPython's main branch
/// (read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ZipFlavor {
    /// How local headers with a zip64 extra field are filled in.
    pub zip64_local_header: Zip64LocalHeader,
}

impl ZipFlavor {
    /// CPython 3.11.4 and later.
    pub const CURRENT: ZipFlavor = ZipFlavor {
        zip64_local_header: Zip64LocalHeader::Marked,
    };
    /// CPython 3.11.3 and earlier.
    pub const CPYTHON_BEFORE_3_11_4: ZipFlavor = ZipFlavor {
        zip64_local_header: Zip64LocalHeader::Legacy,
    };

    /// The flavor of CPython `3.minor.micro`.
    pub fn for_cpython_3(minor: u32, micro: u32) -> ZipFlavor {
        if minor < 11 || (minor == 11 && micro < 4) {
            ZipFlavor::CPYTHON_BEFORE_3_11_4
        } else {
            ZipFlavor::CURRENT
        }
    }
}

/// A member's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipEntry {
    /// Member name, `/`-separated.
    pub name: String,
    /// Permission bits such as `0o644` or `0o755` (a regular-file type `0o100000` may be
    /// included; other file types are refused).
    pub mode: u32,
    /// `ZipInfo.date_time`: flit uses SOURCE_DATE_EPOCH in UTC, else the file's local time,
    /// or 2016-01-01 for generated files.
    pub modified: DosDateTime,
    pub method: Method,
}

/// What the central directory needs to remember about a written member.
struct CentralRecord {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    compressed_size: u64,
    uncompressed_size: u64,
    header_offset: u64,
    external_attributes: u32,
    /// The versions of the final local header, which CPython keeps in the `ZipInfo`.
    local_version: u8,
}

/// Validated, encoded metadata of a member about to be written.
struct PreparedEntry {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    level: Option<u8>,
    time: u16,
    date: u16,
    external_attributes: u32,
}

/// Streaming zip writer (see the module docs for the format and limits).
///
/// After an I/O error, or a refused oversized streamed member, the writer is poisoned and
/// [`ZipWriter::finish`] fails, so a broken archive is never reported as complete.
pub struct ZipWriter<W: Write + Seek> {
    out: W,
    /// Absolute position of the next write; CPython records `fp.tell()` offsets, so an
    /// archive written after existing content carries absolute offsets as well.
    position: u64,
    records: Vec<CentralRecord>,
    names: HashSet<Vec<u8>>,
    flavor: ZipFlavor,
    poisoned: bool,
}

impl<W: Write + Seek> ZipWriter<W> {
    /// Starts an archive at the current position of `out`, as this machine's CPython
    /// (3.11.7) writes it.
    pub fn new(out: W) -> io::Result<Self> {
        Self::with_flavor(out, ZipFlavor::CURRENT)
    }

    /// Starts an archive imitating another CPython version's output.
    pub fn with_flavor(mut out: W, flavor: ZipFlavor) -> io::Result<Self> {
        let position = out.stream_position()?;
        Ok(ZipWriter {
            out,
            position,
            records: Vec::new(),
            names: HashSet::new(),
            flavor,
            poisoned: false,
        })
    }

    /// Adds a member from memory, as `ZipFile.writestr(zinfo, data)`.
    pub fn add_file(&mut self, entry: &ZipEntry, data: &[u8]) -> io::Result<()> {
        let prepared = self.prepare(entry)?;
        let mut crc = Crc32::new();
        crc.update(data);
        let compressed;
        let stored_data = match prepared.level {
            Some(level) => {
                let mut deflater = Deflater::new(level);
                let mut out = Vec::new();
                deflater.write(data, &mut out);
                deflater.finish(&mut out);
                compressed = out;
                &compressed[..]
            }
            None => data,
        };
        self.write_whole_member(
            prepared,
            Some(data.len() as u64),
            crc.value(),
            data.len() as u64,
            stored_data,
        )
    }

    /// Adds a member whose data another thread already compressed (or, for
    /// [`Method::Stored`], the data itself), so members can be compressed in parallel and
    /// appended in a fixed order. The bytes equal [`ZipWriter::add_reader`]'s with the same
    /// `declared_size` (and `add_file`'s when `declared_size` is the data's length).
    pub fn add_precompressed(
        &mut self,
        entry: &ZipEntry,
        declared_size: Option<u64>,
        crc32: u32,
        uncompressed_size: u64,
        compressed: &[u8],
    ) -> io::Result<()> {
        let prepared = self.prepare(entry)?;
        if prepared.level.is_none() && compressed.len() as u64 != uncompressed_size {
            return Err(invalid_input(format!(
                "zip member {:?}: stored data is {} bytes, but the size given is {uncompressed_size}",
                entry.name,
                compressed.len()
            )));
        }
        self.write_whole_member(
            prepared,
            declared_size,
            crc32,
            uncompressed_size,
            compressed,
        )
    }

    /// Streams a member from `reader`, as `ZipFile.open(zinfo, "w")` plus 8 KiB writes:
    /// writes the local header, the data as it is compressed, then seeks back to fill in
    /// the CRC and sizes. Memory use is bounded.
    ///
    /// `declared_size` is `zinfo.file_size` at `open()` time: `None` for a fresh `ZipInfo`
    /// (flit with `SOURCE_DATE_EPOCH`), `Some(st_size)` for `ZipInfo.from_file` (flit
    /// without it). It only matters near and past 2 GiB (see the module docs).
    pub fn add_reader(
        &mut self,
        entry: &ZipEntry,
        declared_size: Option<u64>,
        mut reader: impl Read,
    ) -> io::Result<()> {
        let prepared = self.prepare(entry)?;
        let plan = Zip64Plan::new(declared_size, self.flavor);
        let header_offset = self.position;
        // Only the length matters: the header is rewritten once the sizes are known.
        self.write_or_poison(&local_header(&prepared, 0, 0, 0, plan).0)?;

        let mut crc = Crc32::new();
        let mut uncompressed_size = 0u64;
        let mut compressed_size = 0u64;
        let mut deflater = prepared.level.map(Deflater::new);
        let mut chunk = vec![0u8; STREAM_CHUNK];
        let mut compressed = Vec::new();
        loop {
            let got = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(got) => got,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    self.poisoned = true;
                    return Err(err);
                }
            };
            let data = &chunk[..got];
            crc.update(data);
            uncompressed_size += got as u64;
            let output = match deflater.as_mut() {
                Some(deflater) => {
                    compressed.clear();
                    deflater.write(data, &mut compressed);
                    &compressed[..]
                }
                None => data,
            };
            compressed_size += output.len() as u64;
            self.write_or_poison(output)?;
        }
        if let Some(deflater) = deflater {
            compressed.clear();
            deflater.finish(&mut compressed);
            compressed_size += compressed.len() as u64;
            self.write_or_poison(&compressed)?;
        }

        if !plan.extra {
            if let Err(err) =
                check_fits_without_zip64(&entry.name, uncompressed_size, compressed_size)
            {
                self.poisoned = true;
                return Err(err);
            }
        }
        let end = self.position;
        let (header, version) = local_header(
            &prepared,
            crc.value(),
            compressed_size,
            uncompressed_size,
            plan,
        );
        let patched = self
            .out
            .seek(SeekFrom::Start(header_offset))
            .and_then(|_| self.out.write_all(&header))
            .and_then(|_| self.out.seek(SeekFrom::Start(end)));
        if let Err(err) = patched {
            self.poisoned = true;
            return Err(err);
        }
        self.record(
            prepared,
            crc.value(),
            compressed_size,
            uncompressed_size,
            header_offset,
            version,
        );
        Ok(())
    }

    /// Writes the central directory and end records, flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.check_usable()?;
        let directory_offset = self.position;
        let mut directory = Vec::new();
        for record in &self.records {
            central_header(record, &mut directory);
        }
        let directory_size = directory.len() as u64;
        let count = self.records.len();
        let end_of_directory = directory_offset + directory_size;
        if count > FILE_COUNT_LIMIT
            || directory_offset > ZIP64_LIMIT
            || directory_size > ZIP64_LIMIT
        {
            directory.extend_from_slice(ZIP64_END_SIGNATURE);
            directory.extend_from_slice(&44u64.to_le_bytes());
            directory.push(VERSION_ZIP64);
            directory.push(0);
            directory.push(VERSION_ZIP64);
            directory.push(0);
            directory.extend_from_slice(&0u32.to_le_bytes());
            directory.extend_from_slice(&0u32.to_le_bytes());
            directory.extend_from_slice(&(count as u64).to_le_bytes());
            directory.extend_from_slice(&(count as u64).to_le_bytes());
            directory.extend_from_slice(&directory_size.to_le_bytes());
            directory.extend_from_slice(&directory_offset.to_le_bytes());
            directory.extend_from_slice(ZIP64_LOCATOR_SIGNATURE);
            directory.extend_from_slice(&0u32.to_le_bytes());
            directory.extend_from_slice(&end_of_directory.to_le_bytes());
            directory.extend_from_slice(&1u32.to_le_bytes());
        }
        let clamped_count = count.min(0xffff) as u16;
        directory.extend_from_slice(END_SIGNATURE);
        directory.extend_from_slice(&[0, 0, 0, 0]);
        directory.extend_from_slice(&clamped_count.to_le_bytes());
        directory.extend_from_slice(&clamped_count.to_le_bytes());
        directory.extend_from_slice(&clamp_u32(directory_size).to_le_bytes());
        directory.extend_from_slice(&clamp_u32(directory_offset).to_le_bytes());
        directory.extend_from_slice(&0u16.to_le_bytes());
        self.write_or_poison(&directory)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn check_usable(&self) -> io::Result<()> {
        if self.poisoned {
            Err(io::Error::other(
                "zip archive is unusable after an earlier error",
            ))
        } else {
            Ok(())
        }
    }

    /// Validates and encodes `entry`. Its name is taken only once the member is written.
    fn prepare(&self, entry: &ZipEntry) -> io::Result<PreparedEntry> {
        self.check_usable()?;
        let name = &entry.name;
        if name.is_empty() || name.contains('\0') || name.ends_with('/') {
            return Err(invalid_input(format!(
                "zip member name {name:?} is empty, contains NUL or ends with '/'"
            )));
        }
        if name.len() > usize::from(u16::MAX) {
            return Err(invalid_input(format!(
                "zip member name is {} bytes long; the format allows 65535",
                name.len()
            )));
        }
        let bare = entry.mode & NO_FILE_TYPE != 0;
        let mode = entry.mode & !NO_FILE_TYPE;
        let file_type = mode & FILE_TYPE_MASK;
        if (file_type != 0 && file_type != REGULAR_FILE_TYPE)
            || mode > 0o177777
            || (bare && file_type != 0)
        {
            return Err(invalid_input(format!(
                "zip member {name:?}: mode {:o} is not a regular file's",
                entry.mode
            )));
        }
        let (method, level) = match entry.method {
            Method::Stored => (METHOD_STORED, None),
            Method::Deflated { level } if level <= 9 => (METHOD_DEFLATED, Some(level)),
            Method::Deflated { level } => {
                return Err(invalid_input(format!(
                    "zip member {name:?}: deflate level must be 0..=9, got {level}"
                )));
            }
        };
        if self.names.contains(name.as_bytes()) {
            return Err(invalid_input(format!("duplicate zip member {name:?}")));
        }
        let (time, date) = entry.modified.to_dos();
        Ok(PreparedEntry {
            name: name.as_bytes().to_vec(),
            flags: if name.is_ascii() { 0 } else { FLAG_UTF8_NAME },
            method,
            level,
            time,
            date,
            external_attributes: if bare {
                mode << 16
            } else {
                (mode | REGULAR_FILE_TYPE) << 16
            },
        })
    }

    fn write_whole_member(
        &mut self,
        prepared: PreparedEntry,
        declared_size: Option<u64>,
        crc: u32,
        uncompressed_size: u64,
        data: &[u8],
    ) -> io::Result<()> {
        let plan = Zip64Plan::new(declared_size, self.flavor);
        let compressed_size = data.len() as u64;
        if !plan.extra {
            // Checked before writing: unlike CPython, which fails after writing the data,
            // we leave the archive usable.
            check_fits_without_zip64(
                &String::from_utf8_lossy(&prepared.name),
                uncompressed_size,
                compressed_size,
            )?;
        }
        let header_offset = self.position;
        let (header, version) =
            local_header(&prepared, crc, compressed_size, uncompressed_size, plan);
        self.write_or_poison(&header)?;
        self.write_or_poison(data)?;
        self.record(
            prepared,
            crc,
            compressed_size,
            uncompressed_size,
            header_offset,
            version,
        );
        Ok(())
    }

    fn record(
        &mut self,
        prepared: PreparedEntry,
        crc: u32,
        compressed_size: u64,
        uncompressed_size: u64,
        header_offset: u64,
        local_version: u8,
    ) {
        self.names.insert(prepared.name.clone());
        self.records.push(CentralRecord {
            name: prepared.name,
            flags: prepared.flags,
            method: prepared.method,
            time: prepared.time,
            date: prepared.date,
            crc,
            compressed_size,
            uncompressed_size,
            header_offset,
            external_attributes: prepared.external_attributes,
            local_version,
        });
    }

    fn write_or_poison(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Err(err) = self.out.write_all(bytes) {
            self.poisoned = true;
            return Err(err);
        }
        self.position += bytes.len() as u64;
        Ok(())
    }
}

fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// `_open_to_write`: `zip64 = zinfo.file_size * 1.05 > ZIP64_LIMIT`, in Python's float
/// arithmetic (the int is converted to a double first).
fn local_header_needs_zip64(declared_size: Option<u64>) -> bool {
    declared_size.unwrap_or(0) as f64 * 1.05 > ZIP64_LIMIT as f64
}

/// The zip64 decisions CPython takes for a member when it opens it for writing.
#[derive(Clone, Copy, Debug)]
struct Zip64Plan {
    /// The local header carries a zip64 extra field.
    extra: bool,
    /// The header written at `open()` already saw a size over the limit; CPython before
    /// 3.11.4 kept the versions (45) it raised then.
    declared_over_limit: bool,
    style: Zip64LocalHeader,
}

impl Zip64Plan {
    fn new(declared_size: Option<u64>, flavor: ZipFlavor) -> Self {
        Zip64Plan {
            extra: local_header_needs_zip64(declared_size),
            declared_over_limit: declared_size.unwrap_or(0) > ZIP64_LIMIT,
            style: flavor.zip64_local_header,
        }
    }
}

/// `_ZipWriteFile.close()` without zip64: "File size too large, try using force_zip64".
fn check_fits_without_zip64(
    name: &str,
    uncompressed_size: u64,
    compressed_size: u64,
) -> io::Result<()> {
    if uncompressed_size > ZIP64_LIMIT || compressed_size > ZIP64_LIMIT {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "zip member {name:?} is over 2 GiB ({uncompressed_size} bytes, {compressed_size} compressed) \
                 but its size was not declared up front, so CPython would have failed too"
            ),
        ));
    }
    Ok(())
}

fn clamp_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// `ZipInfo.FileHeader(zip64)` with the final CRC and sizes; also returns the versions
/// byte it wrote, which CPython carries over to the central directory.
fn local_header(
    entry: &PreparedEntry,
    crc: u32,
    compressed_size: u64,
    uncompressed_size: u64,
    plan: Zip64Plan,
) -> (Vec<u8>, u8) {
    let sizes_over_limit = uncompressed_size > ZIP64_LIMIT || compressed_size > ZIP64_LIMIT;
    let (mask_sizes, version) = match (plan.extra, plan.style) {
        (false, _) => (false, VERSION_DEFAULT),
        (true, Zip64LocalHeader::Marked) => (true, VERSION_ZIP64),
        (true, Zip64LocalHeader::Legacy) => {
            let raised = plan.declared_over_limit || sizes_over_limit;
            (
                sizes_over_limit,
                if raised {
                    VERSION_ZIP64
                } else {
                    VERSION_DEFAULT
                },
            )
        }
    };
    let mut header = Vec::with_capacity(30 + entry.name.len() + 20);
    header.extend_from_slice(LOCAL_HEADER_SIGNATURE);
    header.push(version);
    header.push(0);
    header.extend_from_slice(&entry.flags.to_le_bytes());
    header.extend_from_slice(&entry.method.to_le_bytes());
    header.extend_from_slice(&entry.time.to_le_bytes());
    header.extend_from_slice(&entry.date.to_le_bytes());
    header.extend_from_slice(&crc.to_le_bytes());
    if mask_sizes {
        header.extend_from_slice(&u32::MAX.to_le_bytes());
        header.extend_from_slice(&u32::MAX.to_le_bytes());
    } else {
        // Unmasked sizes are at most ZIP64_LIMIT: larger ones were refused or masked.
        header.extend_from_slice(&clamp_u32(compressed_size).to_le_bytes());
        header.extend_from_slice(&clamp_u32(uncompressed_size).to_le_bytes());
    }
    header.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
    header.extend_from_slice(&(if plan.extra { 20u16 } else { 0 }).to_le_bytes());
    header.extend_from_slice(&entry.name);
    if plan.extra {
        header.extend_from_slice(&ZIP64_EXTRA_ID.to_le_bytes());
        header.extend_from_slice(&16u16.to_le_bytes());
        header.extend_from_slice(&uncompressed_size.to_le_bytes());
        header.extend_from_slice(&compressed_size.to_le_bytes());
    }
    (header, version)
}

/// One record of `ZipFile._write_end_record`'s central directory.
fn central_header(record: &CentralRecord, out: &mut Vec<u8>) {
    let mut zip64_values = Vec::new();
    let sizes_overflow =
        record.uncompressed_size > ZIP64_LIMIT || record.compressed_size > ZIP64_LIMIT;
    if sizes_overflow {
        zip64_values.push(record.uncompressed_size);
        zip64_values.push(record.compressed_size);
    }
    let offset_overflows = record.header_offset > ZIP64_LIMIT;
    if offset_overflows {
        zip64_values.push(record.header_offset);
    }
    let version = if zip64_values.is_empty() {
        record.local_version
    } else {
        VERSION_ZIP64
    };
    let (compressed_field, uncompressed_field) = if sizes_overflow {
        (u32::MAX, u32::MAX)
    } else {
        (
            record.compressed_size as u32,
            record.uncompressed_size as u32,
        )
    };
    let offset_field = if offset_overflows {
        u32::MAX
    } else {
        record.header_offset as u32
    };
    let extra_len = if zip64_values.is_empty() {
        0
    } else {
        4 + 8 * zip64_values.len()
    };

    out.extend_from_slice(CENTRAL_HEADER_SIGNATURE);
    out.push(version);
    out.push(CREATE_SYSTEM_UNIX);
    out.push(version);
    out.push(0);
    out.extend_from_slice(&record.flags.to_le_bytes());
    out.extend_from_slice(&record.method.to_le_bytes());
    out.extend_from_slice(&record.time.to_le_bytes());
    out.extend_from_slice(&record.date.to_le_bytes());
    out.extend_from_slice(&record.crc.to_le_bytes());
    out.extend_from_slice(&compressed_field.to_le_bytes());
    out.extend_from_slice(&uncompressed_field.to_le_bytes());
    out.extend_from_slice(&(record.name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(extra_len as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out.extend_from_slice(&0u16.to_le_bytes()); // disk number
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&record.external_attributes.to_le_bytes());
    out.extend_from_slice(&offset_field.to_le_bytes());
    out.extend_from_slice(&record.name);
    if !zip64_values.is_empty() {
        out.extend_from_slice(&ZIP64_EXTRA_ID.to_le_bytes());
        out.extend_from_slice(&((8 * zip64_values.len()) as u16).to_le_bytes());
        for value in zip64_values {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn entry(name: &str) -> ZipEntry {
        ZipEntry {
            name: name.to_string(),
            mode: 0o644,
            modified: DosDateTime::new(2016, 1, 1, 0, 0, 0).unwrap(),
            method: Method::Deflated { level: 6 },
        }
    }

    #[test]
    fn dos_time_from_source_date_epoch() {
        // flit-bytes §1.8: SDE=1700000000 gives time b1aa, date 576e.
        assert_eq!(
            DosDateTime::from_unix_utc(1_700_000_000).unwrap().to_dos(),
            (0xb1aa, 0x576e)
        );
        // 315532801 is 1980-01-01 00:00:01; the 2-second floor stores 00:00:00.
        let just_after = DosDateTime::from_unix_utc(315_532_801).unwrap();
        assert_eq!(just_after.fields(), (1980, 1, 1, 0, 0, 1));
        assert_eq!(just_after.to_dos(), (0, 0x21));
        for before in [0, -1, 315_532_799, i64::MIN] {
            assert_eq!(
                DosDateTime::from_unix_utc(before).unwrap(),
                DosDateTime::MIN
            );
        }
        assert_eq!(
            DosDateTime::new(2016, 1, 1, 0, 0, 0).unwrap().to_dos(),
            (0, 0x4821)
        );
        let last = DosDateTime::from_unix_utc(4_354_819_199).unwrap();
        assert_eq!(last.fields(), (2107, 12, 31, 23, 59, 59));
        assert_eq!(last.to_dos(), (0xbf7d, 0xff9f));
        assert!(DosDateTime::from_unix_utc(4_354_819_200).is_err());
        assert!(DosDateTime::from_unix_utc(i64::MAX).is_err());
        // Leap days and century rules.
        assert_eq!(
            DosDateTime::from_unix_utc(951_782_400).unwrap().fields(),
            (2000, 2, 29, 0, 0, 0)
        );
        assert_eq!(
            DosDateTime::from_unix_utc(4_107_542_400).unwrap().fields(),
            (2100, 3, 1, 0, 0, 0)
        );
    }

    #[test]
    fn dos_time_validation() {
        assert!(DosDateTime::new(1979, 12, 31, 23, 59, 59).is_err());
        assert!(DosDateTime::new(2108, 1, 1, 0, 0, 0).is_err());
        assert!(DosDateTime::new(2000, 0, 1, 0, 0, 0).is_err());
        assert!(DosDateTime::new(2000, 13, 1, 0, 0, 0).is_err());
        assert!(DosDateTime::new(2000, 1, 32, 0, 0, 0).is_err());
        assert!(DosDateTime::new(2000, 1, 1, 24, 0, 0).is_err());
        assert!(DosDateTime::new(2000, 1, 1, 0, 60, 0).is_err());
        assert!(DosDateTime::new(2000, 1, 1, 0, 0, 60).is_err());
    }

    #[test]
    fn zip64_threshold_is_cpythons() {
        assert!(!local_header_needs_zip64(None));
        // 2045222521 * 1.05 = 2147483647.05 > 2**31 - 1; one byte less stays below.
        assert!(!local_header_needs_zip64(Some(2_045_222_520)));
        assert!(local_header_needs_zip64(Some(2_045_222_521)));
        assert!(check_fits_without_zip64("a", ZIP64_LIMIT, ZIP64_LIMIT).is_ok());
        assert!(check_fits_without_zip64("a", ZIP64_LIMIT + 1, 10).is_err());
        assert!(check_fits_without_zip64("a", 10, ZIP64_LIMIT + 1).is_err());
    }

    // Expected bytes below come from CPython 3.11's ZipInfo.FileHeader(True) and
    // ZipFile._write_end_record() on a ZipInfo with these fields (a 5 GiB member cannot be
    // compared cheaply end to end).
    #[test]
    fn zip64_local_and_central_records_match_cpython() {
        let writer = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        let prepared = writer.prepare(&entry("big.bin")).unwrap();
        let plan = Zip64Plan::new(Some(5 << 30), ZipFlavor::CURRENT);
        let (local, version) = local_header(&prepared, 0x1234_5678, 100, 5 << 30, plan);
        assert_eq!(version, VERSION_ZIP64);
        assert_eq!(
            hex(&local),
            "504b03042d00000008000000214878563412ffffffffffffffff070014006269672e62696e\
             0100100000000040010000006400000000000000"
        );
        let record = CentralRecord {
            name: prepared.name,
            flags: 0,
            method: METHOD_DEFLATED,
            time: prepared.time,
            date: prepared.date,
            crc: 0x1234_5678,
            compressed_size: 100,
            uncompressed_size: 5 << 30,
            header_offset: 3 << 30,
            external_attributes: prepared.external_attributes,
            local_version: version,
        };
        let mut central = Vec::new();
        central_header(&record, &mut central);
        assert_eq!(
            hex(&central),
            "504b01022d032d00000008000000214878563412ffffffffffffffff07001c000000000000000000\
             a481ffffffff6269672e62696e0100180000000040010000006400000000000000000000c000000000"
        );
    }

    #[test]
    fn refusals_leave_the_archive_usable() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        for bad in ["", "a\0b", "dir/"] {
            assert!(zip.add_file(&entry(bad), b"x").is_err(), "{bad:?}");
        }
        assert!(zip.add_file(&entry(&"n".repeat(65_536)), b"x").is_err());
        let symlink_mode = ZipEntry {
            mode: 0o120755,
            ..entry("link")
        };
        assert!(zip.add_file(&symlink_mode, b"x").is_err());
        let bad_level = ZipEntry {
            method: Method::Deflated { level: 10 },
            ..entry("l")
        };
        assert!(zip.add_file(&bad_level, b"x").is_err());
        let short_stored = ZipEntry {
            method: Method::Stored,
            ..entry("s")
        };
        assert!(zip
            .add_precompressed(&short_stored, None, 0, 5, b"abc")
            .is_err());
        zip.add_file(&entry("a"), b"x").unwrap();
        assert!(zip.add_file(&entry("a"), b"y").is_err());
        assert!(zip.add_reader(&entry("a"), None, &b"y"[..]).is_err());
        let with_type_bits = ZipEntry {
            mode: 0o100755,
            ..entry("b")
        };
        zip.add_file(&with_type_bits, b"x").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        // Two members: EOCD counts 2.
        assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], b"PK\x05\x06");
        assert_eq!(bytes[bytes.len() - 12], 2);
    }

    #[test]
    fn streamed_and_in_memory_members_are_identical() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let stored = ZipEntry {
            method: Method::Stored,
            ..entry("s.bin")
        };
        let mut in_memory = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        in_memory.add_file(&stored, &data).unwrap();
        let mut streamed = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        streamed.add_reader(&stored, None, &data[..]).unwrap();
        let mut precompressed = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        let crc = crate::archive::crc32::crc32(&data);
        precompressed
            .add_precompressed(
                &stored,
                Some(data.len() as u64),
                crc,
                data.len() as u64,
                &data,
            )
            .unwrap();
        let expected = in_memory.finish().unwrap().into_inner();
        assert_eq!(streamed.finish().unwrap().into_inner(), expected);
        assert_eq!(precompressed.finish().unwrap().into_inner(), expected);
    }

    // CPython 3.10's FileHeader: real sizes while they fit, versions raised only by a size
    // over the limit (declared at open() or real).
    #[test]
    fn legacy_zip64_local_header() {
        let writer = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        let prepared = writer.prepare(&entry("a")).unwrap();
        let legacy = ZipFlavor::for_cpython_3(10, 13);
        assert_eq!(legacy, ZipFlavor::CPYTHON_BEFORE_3_11_4);
        assert_eq!(ZipFlavor::for_cpython_3(11, 3), legacy);
        assert_eq!(ZipFlavor::for_cpython_3(11, 4), ZipFlavor::CURRENT);
        assert_eq!(ZipFlavor::for_cpython_3(12, 0), ZipFlavor::CURRENT);

        let near = Zip64Plan::new(Some(2_045_222_521), legacy);
        let (header, version) = local_header(&prepared, 1, 5, 9, near);
        assert_eq!(version, VERSION_DEFAULT);
        assert_eq!(header[4], VERSION_DEFAULT);
        assert_eq!(&header[18..26], &[5, 0, 0, 0, 9, 0, 0, 0]);
        assert_eq!(header.len(), 30 + 1 + 20);

        let declared_over = Zip64Plan::new(Some(3 << 30), legacy);
        let (header, version) = local_header(&prepared, 1, 5, 9, declared_over);
        assert_eq!((version, header[4]), (VERSION_ZIP64, VERSION_ZIP64));
        assert_eq!(&header[18..26], &[5, 0, 0, 0, 9, 0, 0, 0]);

        let (header, version) = local_header(&prepared, 1, 5, 3 << 30, near);
        assert_eq!(version, VERSION_ZIP64);
        assert_eq!(&header[18..26], &[0xff; 8]);
    }
}
