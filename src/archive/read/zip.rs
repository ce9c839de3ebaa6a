//! zip reader for wheels, read from an in-memory archive.
//!
//! Parses the end-of-central-directory record (and the zip64 end record and locator), the
//! central directory and every local header, the way CPython's `zipfile` reads them, and
//! exposes per member everything stored: name (raw and decoded), versions and system,
//! flags, method, DOS date/time, CRC, sizes (zip64-resolved), attributes, extra fields,
//! comment, offsets, the local header's own fields, and where the data lies.
//!
//! Refused at parse time ([`ZipError`]), where CPython would read on or where readers
//! disagree: no end record or bytes after the archive comment, multi-disk archives,
//! central-directory bounds or entry counts that do not add up (this includes data
//! prepended to the archive, which CPython tolerates), malformed extra fields, local headers
//! that disagree with the central directory, member data outside the archive or overlapping
//! another member (zip bombs made of shared data), duplicate names, and names that are not
//! relative paths (absolute, `..`, NUL, backslash, drive letter; CPython cuts names at a
//! NUL, other readers do not).
//!
//! [`ZipArchive::read`] inflates or copies a member's data with a size limit and checks its
//! size and CRC-32.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use super::safety::{self, Entry, EntryKind, Issue, PathProblem, TopLevelProblem};
use crate::archive::crc32::crc32;
use crate::archive::inflate::{inflate, InflateError};

const LOCAL_SIGNATURE: &[u8; 4] = b"PK\x03\x04";
const CENTRAL_SIGNATURE: &[u8; 4] = b"PK\x01\x02";
const END_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
const ZIP64_END_SIGNATURE: &[u8; 4] = b"PK\x06\x06";
const ZIP64_LOCATOR_SIGNATURE: &[u8; 4] = b"PK\x06\x07";
const DESCRIPTOR_SIGNATURE: &[u8; 4] = b"PK\x07\x08";
const END_LEN: usize = 22;
const LOCATOR_LEN: usize = 20;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;
const FLAG_UTF8: u16 = 0x0800;
/// CPython's `MAX_EXTRACT_VERSION` (6.3).
const MAX_EXTRACT_VERSION: u8 = 63;
const CREATE_SYSTEM_UNIX: u8 = 3;

/// Bounds on what [`ZipArchive::parse`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Largest number of members.
    pub max_members: usize,
}

impl Default for ZipLimits {
    /// A million members.
    fn default() -> Self {
        ZipLimits {
            max_members: 1_000_000,
        }
    }
}

/// A member's local header, fields as stored (sizes not zip64-resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalHeader<'a> {
    /// Offset of the header in the archive.
    pub offset: usize,
    /// "Version needed to extract", low byte.
    pub version_needed: u8,
    /// The high byte of "version needed" (CPython: 0).
    pub extract_system: u8,
    /// General-purpose flags.
    pub flags: u16,
    /// Compression method.
    pub method: u16,
    /// DOS time (2-second resolution).
    pub dos_time: u16,
    /// DOS date.
    pub dos_date: u16,
    /// CRC-32 (0 with a data descriptor).
    pub crc32: u32,
    /// Compressed size field (0xffffffff when in the zip64 extra).
    pub compressed_size: u32,
    /// Uncompressed size field (0xffffffff when in the zip64 extra).
    pub uncompressed_size: u32,
    /// The name bytes (checked equal to the central directory's).
    pub raw_name: &'a [u8],
    /// The local extra field, raw (CPython: empty, or a zip64 block).
    pub extra: &'a [u8],
    /// Header length (30 + name + extra); the data starts at `offset + len`.
    pub len: usize,
}

/// A member as the central directory and its local header describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipMember<'a> {
    /// The name as CPython decodes it: UTF-8 with flag 0x800, else code page 437.
    pub name: String,
    /// The name bytes as stored.
    pub raw_name: &'a [u8],
    /// "Version made by", low byte (CPython: 20, or 45 with zip64).
    pub version_made_by: u8,
    /// "Version made by", high byte (3 = Unix).
    pub create_system: u8,
    /// "Version needed to extract", low byte (CPython: 20, or 45 with zip64).
    pub version_needed: u8,
    /// "Version needed to extract", high byte (CPython's `ZipInfo.reserved`: 0).
    pub extract_system: u8,
    /// General-purpose flags (CPython: 0x800 for UTF-8 names, 0x08 for data
    /// descriptors on unseekable output).
    pub flags: u16,
    /// 0 stored, 8 deflated.
    pub method: u16,
    /// DOS time (2-second resolution), see [`ZipMember::date_time`].
    pub dos_time: u16,
    /// DOS date.
    pub dos_date: u16,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Size of the stored data (zip64-resolved).
    pub compressed_size: u64,
    /// Size of the content (zip64-resolved).
    pub uncompressed_size: u64,
    /// Disk number where the member starts (always 0 here).
    pub disk_start: u16,
    /// Internal attributes (CPython: 0).
    pub internal_attributes: u16,
    /// Unix mode in the high 16 bits when `create_system` is 3.
    pub external_attributes: u32,
    /// Zip64-resolved local header offset.
    pub header_offset: u64,
    /// Central-directory extra field, raw.
    pub extra: &'a [u8],
    /// The member comment.
    pub comment: &'a [u8],
    /// Offset of this member's central-directory record.
    pub central_offset: usize,
    /// The member's local header.
    pub local: LocalHeader<'a>,
    /// Where the stored/compressed data lies.
    pub data: Range<usize>,
    /// The data descriptor after the data (flag 0x08), signature included if present.
    pub data_descriptor: Option<Range<usize>>,
}

impl ZipMember<'_> {
    /// `ZipInfo.date_time`: (year, month, day, hour, minute, second), unvalidated.
    pub fn date_time(&self) -> (u16, u8, u8, u8, u8, u8) {
        let (d, t) = (self.dos_date, self.dos_time);
        (
            (d >> 9) + 1980,
            ((d >> 5) & 0xf) as u8,
            (d & 0x1f) as u8,
            (t >> 11) as u8,
            ((t >> 5) & 0x3f) as u8,
            ((t & 0x1f) * 2) as u8,
        )
    }

    /// The Unix mode (`external_attributes >> 16`) when the archive was made on Unix.
    pub fn unix_mode(&self) -> Option<u32> {
        (self.create_system == CREATE_SYSTEM_UNIX).then_some(self.external_attributes >> 16)
    }

    /// A directory entry (name ending in `/`), as `ZipInfo.is_dir()` decides.
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }

    /// The member as the safety checks see it. Symlinks (Unix mode 0o120000) and other
    /// non-regular Unix types count as special files: installers would write them as
    /// regular files, which is not what the archive says.
    pub fn entry(&self) -> Entry<'_> {
        if let Some(path) = self.name.strip_suffix('/') {
            return Entry {
                path,
                kind: EntryKind::Directory,
            };
        }
        let kind = match self.unix_mode().map(|m| m & 0o170000) {
            None | Some(0) | Some(0o100000) => EntryKind::File,
            Some(_) => EntryKind::Special,
        };
        Entry {
            path: &self.name,
            kind,
        }
    }
}

/// A parsed archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipArchive<'a> {
    /// The members in central-directory order.
    pub members: Vec<ZipMember<'a>>,
    /// The archive comment.
    pub comment: &'a [u8],
    /// Where the central directory lies.
    pub central_directory: Range<usize>,
    /// The end-of-central-directory record (comment included).
    pub end_record: Range<usize>,
    /// The zip64 end record and locator, when present.
    pub zip64_end_record: Option<Range<usize>>,
    input: &'a [u8],
}

/// Why an archive or a member was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZipError {
    /// No end-of-central-directory record whose comment ends exactly at the end of input.
    NoEndRecord,
    /// Disk numbers other than 0 (split archives).
    MultiDisk,
    /// A zip64 locator pointing at no valid zip64 end record.
    BadZip64End,
    /// The classic end record contradicts the zip64 one.
    EndRecordMismatch,
    /// The central directory does not end where the end records begin (data prepended
    /// or inserted), or lies outside the input.
    CentralDirectoryMisplaced,
    /// A malformed central-directory record at `offset`.
    BadCentralDirectory { offset: usize },
    /// The end record's member count differs from the central directory's.
    EntryCountMismatch { stated: u64, found: u64 },
    /// Extra-field blocks that do not fill the field, or a zip64 block too short.
    BadExtraField { name: String },
    /// A name flagged UTF-8 (0x800) that is not.
    NotUtf8Name { offset: usize },
    /// A name that is not a safe relative path.
    BadName { name: String, problem: PathProblem },
    /// Two members with the same name.
    DuplicateName { name: String },
    /// "Version needed" above 6.3, which CPython refuses too.
    UnsupportedVersion { name: String, version: u8 },
    /// Missing or truncated local header.
    BadLocalHeader { name: String },
    /// The local header (or data descriptor) disagrees with the central directory.
    LocalHeaderMismatch { name: String, field: &'static str },
    /// Data (or data descriptor) running into the central directory or past the end.
    DataOutOfBounds { name: String },
    /// Two members' headers and data overlap.
    Overlap { first: String, second: String },
    /// More members than `ZipLimits::max_members`.
    TooManyMembers { limit: usize },
    /// [`ZipArchive::read`] was given an index past the last member.
    NoSuchMember { index: usize },
    /// Encrypted members cannot be read.
    Encrypted { name: String },
    /// A method other than stored (0) and deflated (8).
    UnsupportedMethod { name: String, method: u16 },
    /// The declared size exceeds the caller's limit.
    TooLarge { name: String, size: u64, limit: u64 },
    /// Invalid deflate data.
    Inflate { name: String, error: InflateError },
    /// The data's length is not the declared size.
    SizeMismatch {
        name: String,
        declared: u64,
        actual: u64,
    },
    /// The data's CRC-32 is not the declared one.
    CrcMismatch {
        name: String,
        declared: u32,
        actual: u32,
    },
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::NoEndRecord => write!(f, "no zip end-of-central-directory record"),
            ZipError::MultiDisk => write!(f, "multi-disk zip archives are not supported"),
            ZipError::BadZip64End => write!(f, "invalid zip64 end record"),
            ZipError::EndRecordMismatch => {
                write!(f, "zip end record contradicts the zip64 end record")
            }
            ZipError::CentralDirectoryMisplaced => write!(
                f,
                "zip central directory does not end where the end record begins"
            ),
            ZipError::BadCentralDirectory { offset } => {
                write!(f, "malformed zip central directory record at byte {offset}")
            }
            ZipError::EntryCountMismatch { stated, found } => write!(
                f,
                "zip end record states {stated} members, the central directory has {found}"
            ),
            ZipError::BadExtraField { name } => write!(f, "{name:?}: malformed extra field"),
            ZipError::NotUtf8Name { offset } => write!(
                f,
                "zip member name at byte {offset} is flagged UTF-8 but is not"
            ),
            ZipError::BadName { name, problem } => {
                write!(f, "zip member name {name:?} {problem}")
            }
            ZipError::DuplicateName { name } => write!(f, "duplicate zip member {name:?}"),
            ZipError::UnsupportedVersion { name, version } => write!(
                f,
                "{name:?} needs zip version {}.{}",
                version / 10,
                version % 10
            ),
            ZipError::BadLocalHeader { name } => {
                write!(f, "{name:?}: missing or truncated local header")
            }
            ZipError::LocalHeaderMismatch { name, field } => write!(
                f,
                "{name:?}: local header {field} differs from the central directory"
            ),
            ZipError::DataOutOfBounds { name } => {
                write!(f, "{name:?}: data lies outside the archive")
            }
            ZipError::Overlap { first, second } => {
                write!(f, "zip members {first:?} and {second:?} overlap")
            }
            ZipError::TooManyMembers { limit } => {
                write!(f, "zip archive has more than {limit} members")
            }
            ZipError::NoSuchMember { index } => write!(f, "no zip member number {index}"),
            ZipError::Encrypted { name } => write!(f, "{name:?} is encrypted"),
            ZipError::UnsupportedMethod { name, method } => {
                write!(f, "{name:?}: unsupported compression method {method}")
            }
            ZipError::TooLarge { name, size, limit } => {
                write!(f, "{name:?}: {size} bytes exceed the limit of {limit}")
            }
            ZipError::Inflate { name, error } => write!(f, "{name:?}: {error}"),
            ZipError::SizeMismatch {
                name,
                declared,
                actual,
            } => write!(f, "{name:?}: {actual} bytes of data, {declared} declared"),
            ZipError::CrcMismatch {
                name,
                declared,
                actual,
            } => write!(
                f,
                "{name:?}: CRC-32 {actual:#010x}, {declared:#010x} declared"
            ),
        }
    }
}

impl std::error::Error for ZipError {}

fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    match b.get(at..at + 8) {
        Some(s) => u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]),
        None => 0,
    }
}

/// The end records, resolved.
struct End {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the central directory must end: the zip64 end record, else the end record.
    cd_end: usize,
    end_record: Range<usize>,
    zip64: Option<Range<usize>>,
    comment: Range<usize>,
}

fn find_end(input: &[u8]) -> Result<End, ZipError> {
    let last = input
        .len()
        .checked_sub(END_LEN)
        .ok_or(ZipError::NoEndRecord)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let start = (first..=last)
        .rev()
        .find(|&s| {
            &input[s..s + 4] == END_SIGNATURE
                && usize::from(u16_at(input, s + 20)) == input.len() - s - END_LEN
        })
        .ok_or(ZipError::NoEndRecord)?;
    let e = &input[start..];
    let (disk, cd_disk) = (u16_at(e, 4), u16_at(e, 6));
    let (on_disk, total) = (u16_at(e, 8), u16_at(e, 10));
    let (cd_size, cd_offset) = (u32_at(e, 12), u32_at(e, 16));
    if disk != 0 || cd_disk != 0 || on_disk != total {
        return Err(ZipError::MultiDisk);
    }
    let mut end = End {
        entries: u64::from(total),
        cd_size: u64::from(cd_size),
        cd_offset: u64::from(cd_offset),
        cd_end: start,
        end_record: start..input.len(),
        zip64: None,
        comment: start + END_LEN..input.len(),
    };
    let marked = total == u16::MAX || cd_size == u32::MAX || cd_offset == u32::MAX;
    let Some(locator_at) = start.checked_sub(LOCATOR_LEN) else {
        return Ok(end);
    };
    if &input[locator_at..locator_at + 4] != ZIP64_LOCATOR_SIGNATURE {
        return Ok(end);
    }
    match zip64_end(input, locator_at) {
        Ok((record_at, z)) => {
            // The classic fields hold the zip64 values, clamped (CPython) or as markers.
            let agrees =
                |classic: u64, wide: u64, max: u64| classic == wide.min(max) || classic == max;
            if !agrees(end.entries, z.entries, 0xffff)
                || !agrees(end.cd_size, z.cd_size, 0xffff_ffff)
                || !agrees(end.cd_offset, z.cd_offset, 0xffff_ffff)
            {
                return Err(ZipError::EndRecordMismatch);
            }
            end.entries = z.entries;
            end.cd_size = z.cd_size;
            end.cd_offset = z.cd_offset;
            end.cd_end = record_at;
            end.zip64 = Some(record_at..start);
            Ok(end)
        }
        // Four bytes that merely look like a locator at the end of the central directory
        // matter only if the end record says zip64 is needed.
        Err(err) if marked => Err(err),
        Err(_) => Ok(end),
    }
}

struct Zip64Values {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
}

/// The zip64 end record the locator at `locator_at` points to; it must sit right before
/// the locator.
fn zip64_end(input: &[u8], locator_at: usize) -> Result<(usize, Zip64Values), ZipError> {
    let loc = &input[locator_at..];
    let (disk, record_at, disks) = (u32_at(loc, 4), u64_at(loc, 8), u32_at(loc, 16));
    if disk != 0 || disks > 1 {
        return Err(ZipError::MultiDisk);
    }
    let record_at = usize::try_from(record_at).map_err(|_| ZipError::BadZip64End)?;
    let record = input
        .get(record_at..locator_at)
        .ok_or(ZipError::BadZip64End)?;
    if record.len() < 56
        || &record[..4] != ZIP64_END_SIGNATURE
        || u64_at(record, 4) != record.len() as u64 - 12
    {
        return Err(ZipError::BadZip64End);
    }
    let (disk, cd_disk) = (u32_at(record, 16), u32_at(record, 20));
    let (on_disk, entries) = (u64_at(record, 24), u64_at(record, 32));
    if disk != 0 || cd_disk != 0 || on_disk != entries {
        return Err(ZipError::MultiDisk);
    }
    Ok((
        record_at,
        Zip64Values {
            entries,
            cd_size: u64_at(record, 40),
            cd_offset: u64_at(record, 48),
        },
    ))
}

/// Code page 437, bytes 0x80-0xff (what CPython decodes names without flag 0x800 with).
const CP437_HIGH: [char; 128] = [
    '\u{00c7}', '\u{00fc}', '\u{00e9}', '\u{00e2}', '\u{00e4}', '\u{00e0}', '\u{00e5}', '\u{00e7}',
    '\u{00ea}', '\u{00eb}', '\u{00e8}', '\u{00ef}', '\u{00ee}', '\u{00ec}', '\u{00c4}', '\u{00c5}',
    '\u{00c9}', '\u{00e6}', '\u{00c6}', '\u{00f4}', '\u{00f6}', '\u{00f2}', '\u{00fb}', '\u{00f9}',
    '\u{00ff}', '\u{00d6}', '\u{00dc}', '\u{00a2}', '\u{00a3}', '\u{00a5}', '\u{20a7}', '\u{0192}',
    '\u{00e1}', '\u{00ed}', '\u{00f3}', '\u{00fa}', '\u{00f1}', '\u{00d1}', '\u{00aa}', '\u{00ba}',
    '\u{00bf}', '\u{2310}', '\u{00ac}', '\u{00bd}', '\u{00bc}', '\u{00a1}', '\u{00ab}', '\u{00bb}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255d}', '\u{255c}', '\u{255b}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{255e}', '\u{255f}',
    '\u{255a}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256b}',
    '\u{256a}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{258c}', '\u{2590}', '\u{2580}',
    '\u{03b1}', '\u{00df}', '\u{0393}', '\u{03c0}', '\u{03a3}', '\u{03c3}', '\u{00b5}', '\u{03c4}',
    '\u{03a6}', '\u{0398}', '\u{03a9}', '\u{03b4}', '\u{221e}', '\u{03c6}', '\u{03b5}', '\u{2229}',
    '\u{2261}', '\u{00b1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00f7}', '\u{2248}',
    '\u{00b0}', '\u{2219}', '\u{00b7}', '\u{221a}', '\u{207f}', '\u{00b2}', '\u{25a0}', '\u{00a0}',
];

fn decode_cp437(raw: &[u8]) -> String {
    raw.iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                CP437_HIGH[usize::from(b - 0x80)]
            }
        })
        .collect()
}

/// Walks an extra field's `(id, length, data)` blocks; `None` if they do not fill it.
fn extra_blocks(extra: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut blocks = Vec::new();
    let mut rest = extra;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return None;
        }
        let id = u16_at(rest, 0);
        let len = usize::from(u16_at(rest, 2));
        let data = rest.get(4..4 + len)?;
        blocks.push((id, data));
        rest = &rest[4 + len..];
    }
    Some(blocks)
}

/// Replaces the 32-bit fields that hold 0xffffffff by the zip64 extra's values, in the
/// order the format gives them (uncompressed size, compressed size, header offset).
fn apply_zip64(extra: &[u8], fields: &mut [&mut u64]) -> Result<(), ()> {
    let blocks = extra_blocks(extra).ok_or(())?;
    let Some(&(_, data)) = blocks.iter().find(|(id, _)| *id == ZIP64_EXTRA_ID) else {
        return Ok(());
    };
    let mut at = 0;
    for field in fields.iter_mut() {
        if **field == 0xffff_ffff {
            let value = data.get(at..at + 8).ok_or(())?;
            **field = u64_at(value, 0);
            at += 8;
        }
    }
    Ok(())
}

impl<'a> ZipArchive<'a> {
    /// Parses a whole zip archive and checks it (see the module docs for what is refused).
    pub fn parse(input: &'a [u8], limits: &ZipLimits) -> Result<ZipArchive<'a>, ZipError> {
        let end = find_end(input)?;
        if end.entries > limits.max_members as u64 {
            return Err(ZipError::TooManyMembers {
                limit: limits.max_members,
            });
        }
        let cd_start = usize::try_from(end.cd_offset)
            .ok()
            .filter(|&start| (start as u64).checked_add(end.cd_size) == Some(end.cd_end as u64))
            .ok_or(ZipError::CentralDirectoryMisplaced)?;
        let directory = &input[cd_start..end.cd_end];

        let mut members = Vec::new();
        let mut names = HashSet::new();
        let mut pos = 0;
        while pos < directory.len() {
            if members.len() as u64 >= end.entries {
                return Err(ZipError::EntryCountMismatch {
                    stated: end.entries,
                    found: members.len() as u64 + 1,
                });
            }
            let offset = cd_start + pos;
            let (member, len) = central_record(input, &directory[pos..], offset, cd_start)?;
            if !names.insert(member.name.clone()) {
                return Err(ZipError::DuplicateName { name: member.name });
            }
            members.push(member);
            pos += len;
        }
        if members.len() as u64 != end.entries {
            return Err(ZipError::EntryCountMismatch {
                stated: end.entries,
                found: members.len() as u64,
            });
        }

        let mut extents: Vec<(usize, usize, usize)> = members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let stop = m.data_descriptor.as_ref().map_or(m.data.end, |d| d.end);
                (m.local.offset, stop, i)
            })
            .collect();
        extents.sort_unstable();
        for pair in extents.windows(2) {
            if pair[0].1 > pair[1].0 {
                return Err(ZipError::Overlap {
                    first: members[pair[0].2].name.clone(),
                    second: members[pair[1].2].name.clone(),
                });
            }
        }

        Ok(ZipArchive {
            members,
            comment: &input[end.comment],
            central_directory: cd_start..end.cd_end,
            end_record: end.end_record,
            zip64_end_record: end.zip64,
            input,
        })
    }

    /// The index of the member called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|m| m.name == name)
    }

    /// A member's stored (possibly compressed) data, e.g. to find its deflate level with
    /// [`super::gzip::matching_level`].
    pub fn raw_data(&self, index: usize) -> Option<&'a [u8]> {
        let input = self.input;
        self.members
            .get(index)
            .and_then(|m| input.get(m.data.clone()))
    }

    /// A member's content, decompressed, with its size and CRC-32 checked. A declared
    /// size over `limit` is refused before anything is decompressed.
    pub fn read(&self, index: usize, limit: u64) -> Result<Vec<u8>, ZipError> {
        let member = self
            .members
            .get(index)
            .ok_or(ZipError::NoSuchMember { index })?;
        let name = || member.name.clone();
        if member.flags & FLAG_ENCRYPTED != 0 {
            return Err(ZipError::Encrypted { name: name() });
        }
        if member.uncompressed_size > limit {
            return Err(ZipError::TooLarge {
                name: name(),
                size: member.uncompressed_size,
                limit,
            });
        }
        let stored = self.input.get(member.data.clone()).unwrap_or(&[]);
        let data = match member.method {
            0 => stored.to_vec(),
            8 => inflate(stored, member.uncompressed_size).map_err(|error| match error {
                InflateError::OutputLimit { .. } => ZipError::SizeMismatch {
                    name: name(),
                    declared: member.uncompressed_size,
                    actual: member.uncompressed_size.saturating_add(1),
                },
                error => ZipError::Inflate {
                    name: name(),
                    error,
                },
            })?,
            method => {
                return Err(ZipError::UnsupportedMethod {
                    name: name(),
                    method,
                })
            }
        };
        if data.len() as u64 != member.uncompressed_size {
            return Err(ZipError::SizeMismatch {
                name: name(),
                declared: member.uncompressed_size,
                actual: data.len() as u64,
            });
        }
        let actual = crc32(&data);
        if actual != member.crc32 {
            return Err(ZipError::CrcMismatch {
                name: name(),
                declared: member.crc32,
                actual,
            });
        }
        Ok(data)
    }

    /// The members as the safety checks see them.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        self.members.iter().map(ZipMember::entry).collect()
    }

    /// Everything that makes extraction unsafe beyond what parsing already refused
    /// (file/folder conflicts, symlinks and other special Unix types).
    pub fn check_safe(&self) -> Vec<Issue> {
        safety::check_entries(&self.entries())
    }

    /// The single top-level folder all members live under (wheels have none: their
    /// top level holds the package and `.dist-info` folders).
    pub fn single_top_level(&self) -> Result<&str, TopLevelProblem> {
        safety::single_top_level(&self.entries())
    }
}

/// Parses the central-directory record at the start of `record` (at `offset` in the
/// input) and the local header it points to; returns the member and the record length.
fn central_record<'a>(
    input: &'a [u8],
    record: &'a [u8],
    offset: usize,
    cd_start: usize,
) -> Result<(ZipMember<'a>, usize), ZipError> {
    let bad = ZipError::BadCentralDirectory { offset };
    if record.len() < CENTRAL_LEN || &record[..4] != CENTRAL_SIGNATURE {
        return Err(bad);
    }
    let name_len = usize::from(u16_at(record, 28));
    let extra_len = usize::from(u16_at(record, 30));
    let comment_len = usize::from(u16_at(record, 32));
    let len = CENTRAL_LEN + name_len + extra_len + comment_len;
    if record.len() < len {
        return Err(bad);
    }
    let raw_name = &record[CENTRAL_LEN..CENTRAL_LEN + name_len];
    let extra = &record[CENTRAL_LEN + name_len..CENTRAL_LEN + name_len + extra_len];
    let comment = &record[CENTRAL_LEN + name_len + extra_len..len];
    let flags = u16_at(record, 8);
    let name = if flags & FLAG_UTF8 != 0 {
        String::from_utf8(raw_name.to_vec()).map_err(|_| ZipError::NotUtf8Name { offset })?
    } else {
        decode_cp437(raw_name)
    };
    let path = name.strip_suffix('/').unwrap_or(&name);
    if let Err(problem) = safety::check_path(path) {
        return Err(ZipError::BadName { name, problem });
    }
    let version_needed = record[6];
    if version_needed > MAX_EXTRACT_VERSION {
        return Err(ZipError::UnsupportedVersion {
            name,
            version: version_needed,
        });
    }
    let mut uncompressed_size = u64::from(u32_at(record, 24));
    let mut compressed_size = u64::from(u32_at(record, 20));
    let mut header_offset = u64::from(u32_at(record, 42));
    if apply_zip64(
        extra,
        &mut [
            &mut uncompressed_size,
            &mut compressed_size,
            &mut header_offset,
        ],
    )
    .is_err()
    {
        return Err(ZipError::BadExtraField { name });
    }
    let disk_start = u16_at(record, 34);
    if disk_start != 0 {
        return Err(ZipError::MultiDisk);
    }
    let method = u16_at(record, 10);
    let crc = u32_at(record, 16);

    let local_at = usize::try_from(header_offset)
        .ok()
        .filter(|&at| at < cd_start)
        .ok_or_else(|| ZipError::BadLocalHeader { name: name.clone() })?;
    let central = CentralFacts {
        name: &name,
        raw_name,
        flags,
        method,
        crc,
        compressed_size,
        uncompressed_size,
    };
    let (local, data, data_descriptor) = local_header(input, local_at, cd_start, &central)?;
    let member = ZipMember {
        name,
        raw_name,
        version_made_by: record[4],
        create_system: record[5],
        version_needed,
        extract_system: record[7],
        flags,
        method,
        dos_time: u16_at(record, 12),
        dos_date: u16_at(record, 14),
        crc32: crc,
        compressed_size,
        uncompressed_size,
        disk_start,
        internal_attributes: u16_at(record, 36),
        external_attributes: u32_at(record, 38),
        header_offset,
        extra,
        comment,
        central_offset: offset,
        local,
        data,
        data_descriptor,
    };
    Ok((member, len))
}

type LocalParts<'a> = (LocalHeader<'a>, Range<usize>, Option<Range<usize>>);

/// What the central directory says about a member, for checking its local header.
struct CentralFacts<'c> {
    name: &'c str,
    raw_name: &'c [u8],
    flags: u16,
    method: u16,
    crc: u32,
    compressed_size: u64,
    uncompressed_size: u64,
}

/// Reads the local header at `at`, checks it against the central record, and locates the
/// data (and data descriptor), which must end before the central directory.
fn local_header<'a>(
    input: &'a [u8],
    at: usize,
    cd_start: usize,
    central: &CentralFacts<'_>,
) -> Result<LocalParts<'a>, ZipError> {
    let CentralFacts {
        name,
        raw_name,
        flags,
        method,
        crc,
        compressed_size,
        uncompressed_size,
    } = *central;
    let area = &input[..cd_start];
    let bad = || ZipError::BadLocalHeader {
        name: name.to_string(),
    };
    let mismatch = |field| ZipError::LocalHeaderMismatch {
        name: name.to_string(),
        field,
    };
    let fixed = area.get(at..at + LOCAL_LEN).ok_or_else(bad)?;
    if &fixed[..4] != LOCAL_SIGNATURE {
        return Err(bad());
    }
    let name_len = usize::from(u16_at(fixed, 26));
    let extra_len = usize::from(u16_at(fixed, 28));
    let local_name = area
        .get(at + LOCAL_LEN..at + LOCAL_LEN + name_len)
        .ok_or_else(bad)?;
    let extra = area
        .get(at + LOCAL_LEN + name_len..at + LOCAL_LEN + name_len + extra_len)
        .ok_or_else(bad)?;
    let local = LocalHeader {
        offset: at,
        version_needed: fixed[4],
        extract_system: fixed[5],
        flags: u16_at(fixed, 6),
        method: u16_at(fixed, 8),
        dos_time: u16_at(fixed, 10),
        dos_date: u16_at(fixed, 12),
        crc32: u32_at(fixed, 14),
        compressed_size: u32_at(fixed, 18),
        uncompressed_size: u32_at(fixed, 22),
        raw_name: local_name,
        extra,
        len: LOCAL_LEN + name_len + extra_len,
    };
    if local_name != raw_name {
        return Err(mismatch("name"));
    }
    if local.flags != flags {
        return Err(mismatch("flags"));
    }
    if local.method != method {
        return Err(mismatch("method"));
    }
    let blocks = extra_blocks(extra).ok_or_else(|| ZipError::BadExtraField {
        name: name.to_string(),
    })?;
    let local_zip64 = blocks
        .iter()
        .find(|(id, _)| *id == ZIP64_EXTRA_ID)
        .map(|&(_, data)| data);

    let data_start = at + local.len;
    let data_end = usize::try_from(compressed_size)
        .ok()
        .and_then(|n| data_start.checked_add(n))
        .filter(|&end| end <= area.len())
        .ok_or_else(|| ZipError::DataOutOfBounds {
            name: name.to_string(),
        })?;

    let mut descriptor = None;
    if flags & FLAG_DATA_DESCRIPTOR != 0 {
        // crc, then sizes of 4 bytes (8 with zip64), optionally after a signature.
        let rest = &area[data_end..];
        let skip = if rest.starts_with(DESCRIPTOR_SIGNATURE) {
            4
        } else {
            0
        };
        let wide = local_zip64.is_some();
        let size_len = if wide { 8 } else { 4 };
        let len = skip + 4 + 2 * size_len;
        let d = rest.get(..len).ok_or_else(|| ZipError::DataOutOfBounds {
            name: name.to_string(),
        })?;
        let read = |at: usize| {
            if wide {
                u64_at(d, at)
            } else {
                u64::from(u32_at(d, at))
            }
        };
        if u32_at(d, skip) != crc {
            return Err(mismatch("data descriptor CRC"));
        }
        if read(skip + 4) != compressed_size || read(skip + 4 + size_len) != uncompressed_size {
            return Err(mismatch("data descriptor sizes"));
        }
        descriptor = Some(data_end..data_end + len);
    } else {
        if local.crc32 != crc {
            return Err(mismatch("CRC"));
        }
        let mut local_uncompressed = u64::from(local.uncompressed_size);
        let mut local_compressed = u64::from(local.compressed_size);
        if let Some(data) = local_zip64 {
            // A local zip64 extra holds both sizes; they must be right whether or not the
            // 32-bit fields point to them (CPython before 3.11.4 filled both in).
            if data.len() < 16
                || u64_at(data, 0) != uncompressed_size
                || u64_at(data, 8) != compressed_size
            {
                return Err(mismatch("zip64 sizes"));
            }
            if local_uncompressed == 0xffff_ffff {
                local_uncompressed = uncompressed_size;
            }
            if local_compressed == 0xffff_ffff {
                local_compressed = compressed_size;
            }
        }
        if local_uncompressed != uncompressed_size || local_compressed != compressed_size {
            return Err(mismatch("sizes"));
        }
    }
    Ok((local, data_start..data_end, descriptor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::zip::{DosDateTime, Method, ZipEntry, ZipWriter};
    use std::io::Cursor;

    fn wheel() -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new())).unwrap();
        let t = DosDateTime::new(2016, 1, 1, 0, 0, 0).unwrap();
        for (name, mode, method, data) in [
            (
                "pkg/__init__.py",
                0o644,
                Method::Deflated { level: 6 },
                &b"x = 1\n"[..],
            ),
            ("pkg/ü.py", 0o755, Method::Stored, b"print()\n"),
            (
                "pkg-1.0.dist-info/RECORD",
                0o644,
                Method::Deflated { level: 6 },
                b"",
            ),
        ] {
            let entry = ZipEntry {
                name: name.into(),
                mode,
                modified: t,
                method,
            };
            w.add_file(&entry, data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_our_writer() {
        let bytes = wheel();
        let zip = ZipArchive::parse(&bytes, &ZipLimits::default()).unwrap();
        assert_eq!(zip.members.len(), 3);
        let m = &zip.members[1];
        assert_eq!(m.name, "pkg/ü.py");
        assert_eq!(m.flags, FLAG_UTF8);
        assert_eq!(m.unix_mode(), Some(0o100755));
        assert_eq!(m.date_time(), (2016, 1, 1, 0, 0, 0));
        assert_eq!((m.dos_time, m.dos_date), (0, 0x4821));
        assert_eq!(zip.read(1, 100).unwrap(), b"print()\n");
        assert_eq!(zip.read(0, 100).unwrap(), b"x = 1\n");
        assert_eq!(zip.read(2, 0).unwrap(), b"");
        assert!(matches!(zip.read(0, 3), Err(ZipError::TooLarge { .. })));
        assert!(zip.check_safe().is_empty());
        assert!(zip.single_top_level().is_err());
        assert_eq!(zip.end_record, bytes.len() - 22..bytes.len());
    }

    #[test]
    fn refuses_damage() {
        let bytes = wheel();
        let zip = ZipArchive::parse(&bytes, &ZipLimits::default()).unwrap();
        // Data corruption shows at read time.
        let mut bad = bytes.clone();
        bad[zip.members[1].data.start] ^= 1;
        let damaged = ZipArchive::parse(&bad, &ZipLimits::default()).unwrap();
        assert!(matches!(
            damaged.read(1, 100),
            Err(ZipError::CrcMismatch { .. })
        ));
        // Prepended bytes move everything.
        let mut prefixed = b"junk".to_vec();
        prefixed.extend_from_slice(&bytes);
        assert_eq!(
            ZipArchive::parse(&prefixed, &ZipLimits::default()),
            Err(ZipError::CentralDirectoryMisplaced)
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            ZipArchive::parse(&trailing, &ZipLimits::default()),
            Err(ZipError::NoEndRecord)
        );
        for cut in 0..bytes.len() {
            let _ = ZipArchive::parse(&bytes[..cut], &ZipLimits::default());
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                if let Ok(zip) = ZipArchive::parse(&b, &ZipLimits::default()) {
                    for k in 0..zip.members.len() {
                        let _ = zip.read(k, 1 << 20);
                    }
                }
            }
        }
    }
}
