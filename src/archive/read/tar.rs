//! tar reader for sdists: ustar headers with PAX extended headers (what CPython's
//! `tarfile` writes in `PAX_FORMAT`), GNU long names/links, and plain V7 headers, read from
//! an in-memory archive (the inflated `.tar`).
//!
//! Every member comes back in archive order with its header facts — the raw 512-byte
//! header block, its extended headers, the PAX records (with the `mtime` record's exact
//! text), the parsed fields — and its data as a slice of the input.
//!
//! Where CPython is lenient and another reader could see something different, this reader
//! refuses instead ([`TarError`]): a bad header checksum or number anywhere (CPython stops
//! silently at a bad header after the first), a malformed or partial PAX record list,
//! two PAX headers or two GNU long names for one member, an extended header with no member
//! after it, a link, folder or device member with a non-zero size (CPython ignores the size;
//! others would skip that much data), GNU sparse files, non-UTF-8 names, and any non-zero
//! byte after the end-of-archive block. The ustar `prefix` field is only used with the
//! POSIX magic (`ustar\0`); GNU headers keep other data there.
//!
//! Path safety (absolute paths, `..`, links leaving the top folder, duplicates, devices)
//! is checked separately: [`TarArchive::check_safe`], [`TarArchive::single_top_level`].

use std::fmt;

use super::safety::{self, Entry, EntryKind, Issue, TopLevelProblem};

const BLOCK: usize = 512;
const MAGIC_POSIX: &[u8; 6] = b"ustar\0";

/// Bounds on what [`TarArchive::parse`] accepts, so that extracting the result stays
/// within the caller's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TarLimits {
    /// Largest size of one member (or extended header payload).
    pub max_member_size: u64,
    /// Largest sum of member sizes (extended-header payloads included).
    pub max_total_size: u64,
    /// Largest number of members (extended headers not counted).
    pub max_members: usize,
}

impl Default for TarLimits {
    /// 1 GiB per member, 4 GiB in total, a million members.
    fn default() -> Self {
        TarLimits {
            max_member_size: 1 << 30,
            max_total_size: 4 << 30,
            max_members: 1_000_000,
        }
    }
}

/// What a member is, from its type flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TarKind {
    /// `0`, NUL (without a trailing `/` in the name) or `7` (contiguous file).
    Regular,
    /// `5`, or NUL with a name ending in `/` (old V7 convention).
    Directory,
    /// `2`
    Symlink,
    /// `1`
    Hardlink,
    /// Devices (`3`, `4`), FIFOs (`6`) and unknown types; [`TarArchive::check_safe`]
    /// refuses them.
    Other(u8),
}

/// One `"%d key=value\n"` record of a PAX extended header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaxRecord {
    /// The keyword, e.g. `path` or `mtime`.
    pub key: String,
    /// The value's bytes (UTF-8 for every keyword this reader interprets).
    pub value: Vec<u8>,
}

/// A PAX `mtime` record: its exact text (e.g. `1795234259.788328`, `157766400.0`) and the
/// value CPython's `float()` gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct PaxTime {
    /// The record's value exactly as stored.
    pub text: String,
    /// That text read as a float.
    pub value: f64,
}

/// A header block preceding a member: PAX (`x`, `X`), PAX global (`g`) or GNU long
/// name/link (`L`, `K`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedHeader<'a> {
    /// `x`, `X`, `g`, `L` or `K`.
    pub typeflag: u8,
    /// Offset of its header block in the archive.
    pub offset: usize,
    /// The 512-byte header block.
    pub raw_header: &'a [u8],
    /// Its payload (exactly `size` bytes, without block padding).
    pub payload: &'a [u8],
}

/// A member with its header facts and data.
#[derive(Clone, Debug, PartialEq)]
pub struct TarMember<'a> {
    /// Offset of the member's first header block (its extended headers included).
    pub offset: usize,
    /// Offset of its own ustar/GNU/V7 header block.
    pub header_offset: usize,
    /// That 512-byte block, for byte comparisons and the raw fields.
    pub raw_header: &'a [u8],
    /// PAX and GNU headers that apply to this member only, in order.
    pub extended: Vec<ExtendedHeader<'a>>,
    /// This member's own PAX records (not the global ones), in order.
    pub pax: Vec<PaxRecord>,
    /// What the member is.
    pub kind: TarKind,
    /// The type flag byte as stored.
    pub typeflag: u8,
    /// Effective path: PAX `path`, else GNU long name, else ustar prefix + name. A
    /// directory's trailing `/` is removed.
    pub path: String,
    /// Effective link target (PAX `linkpath`, GNU long link, or the linkname field).
    pub link_target: String,
    /// The mode field as stored (CPython writes only permission bits).
    pub mode: u32,
    /// Owner id (PAX `uid` or the field; flit: 0).
    pub uid: u64,
    /// Group id (PAX `gid` or the field; flit: 0).
    pub gid: u64,
    /// Owner name (PAX `uname` or the field; flit: empty).
    pub uname: String,
    /// Group name (PAX `gname` or the field; flit: empty).
    pub gname: String,
    /// Effective size (PAX `size` or the size field); the length of `data`.
    pub size: u64,
    /// The ustar mtime field's value.
    pub ustar_mtime: i64,
    /// The PAX `mtime` record, if any (it overrides the ustar field).
    pub pax_mtime: Option<PaxTime>,
    /// Offset of the data in the archive.
    pub data_offset: usize,
    /// The member's content (`size` bytes; empty for links and folders).
    pub data: &'a [u8],
}

impl TarMember<'_> {
    /// The modification time CPython reports (`TarInfo.mtime`): the PAX record's float,
    /// else the ustar integer.
    pub fn mtime(&self) -> f64 {
        match &self.pax_mtime {
            Some(t) => t.value,
            None => self.ustar_mtime as f64,
        }
    }

    /// Raw header fields, for byte-level comparison.
    fn raw(&self, range: std::ops::Range<usize>) -> &[u8] {
        self.raw_header.get(range).unwrap_or(&[])
    }

    /// The 100-byte name field.
    pub fn name_field(&self) -> &[u8] {
        self.raw(0..100)
    }

    /// The 8-byte checksum field (CPython: `%06o\0 `).
    pub fn checksum_field(&self) -> &[u8] {
        self.raw(148..156)
    }

    /// Magic and version (8 bytes): `ustar\000` (POSIX), `ustar  \0` (GNU) or zeros (V7).
    pub fn magic_field(&self) -> &[u8] {
        self.raw(257..265)
    }

    /// devmajor (8 bytes): NUL-filled from CPython 3.9, `0000000\0` from 3.8.
    pub fn devmajor_field(&self) -> &[u8] {
        self.raw(329..337)
    }

    /// devminor (8 bytes), like devmajor.
    pub fn devminor_field(&self) -> &[u8] {
        self.raw(337..345)
    }

    /// The 155-byte prefix field.
    pub fn prefix_field(&self) -> &[u8] {
        self.raw(345..500)
    }

    /// The member as the safety checks see it.
    pub fn entry(&self) -> Entry<'_> {
        let kind = match self.kind {
            TarKind::Regular => EntryKind::File,
            TarKind::Directory => EntryKind::Directory,
            TarKind::Symlink => EntryKind::Symlink {
                target: &self.link_target,
            },
            TarKind::Hardlink => EntryKind::Hardlink {
                target: &self.link_target,
            },
            TarKind::Other(_) => EntryKind::Special,
        };
        Entry {
            path: &self.path,
            kind,
        }
    }
}

/// A parsed archive.
#[derive(Clone, Debug, PartialEq)]
pub struct TarArchive<'a> {
    /// The members in archive order.
    pub members: Vec<TarMember<'a>>,
    /// PAX global headers (`g`), in order; their records apply to every later member.
    pub global_headers: Vec<ExtendedHeader<'a>>,
    /// Offset of the first zero block (the end-of-archive marker), or the input length if
    /// the archive just stops.
    pub end_offset: usize,
    /// Bytes from `end_offset` to the end, all zero: the two end blocks plus the padding
    /// to the record size (CPython: 10240-byte records).
    pub trailer_len: usize,
}

/// Why an archive was refused. Offsets are of the header block concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarError {
    /// No bytes at all.
    Empty,
    /// The input ends inside a header block.
    TruncatedHeader { offset: usize },
    /// The input ends inside a member's data.
    TruncatedData { offset: usize },
    /// The stored checksum matches neither the unsigned nor the signed byte sum.
    BadChecksum {
        offset: usize,
        stored: Option<u64>,
        computed: u64,
    },
    /// A numeric field that is neither octal text nor base-256.
    BadNumber { offset: usize, field: &'static str },
    /// A text field that is not UTF-8.
    NotUtf8 { offset: usize, field: &'static str },
    /// A PAX payload that is not a clean sequence of `"%d key=value\n"` records.
    BadPaxRecords { offset: usize },
    /// A PAX record whose value does not parse (number, time, UTF-8 text).
    BadPaxValue { offset: usize, key: String },
    /// Two PAX headers or two GNU long names/links for one member, a global header inside
    /// a member's header chain, or extended headers with no member after them.
    BadHeaderChain { offset: usize },
    /// A link, folder, device or FIFO with a non-zero size.
    NonZeroSize { offset: usize, size: u64 },
    /// GNU sparse members (type `S` or `GNU.sparse.*` records).
    Unsupported { offset: usize, what: &'static str },
    /// A member (or extended header) larger than `TarLimits::max_member_size`.
    MemberTooLarge {
        offset: usize,
        size: u64,
        limit: u64,
    },
    /// More data than `TarLimits::max_total_size`.
    TotalTooLarge { limit: u64 },
    /// More members than `TarLimits::max_members`.
    TooManyMembers { limit: usize },
    /// A non-zero byte after the end-of-archive block.
    DataAfterEnd { offset: usize },
}

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarError::Empty => write!(f, "empty tar archive"),
            TarError::TruncatedHeader { offset } => {
                write!(f, "tar header at byte {offset} is truncated")
            }
            TarError::TruncatedData { offset } => {
                write!(f, "data of the tar member at byte {offset} is truncated")
            }
            TarError::BadChecksum {
                offset,
                stored,
                computed,
            } => write!(
                f,
                "tar header at byte {offset}: checksum {stored:?} does not match {computed}"
            ),
            TarError::BadNumber { offset, field } => {
                write!(f, "tar header at byte {offset}: invalid {field} field")
            }
            TarError::NotUtf8 { offset, field } => {
                write!(f, "tar header at byte {offset}: {field} is not UTF-8")
            }
            TarError::BadPaxRecords { offset } => {
                write!(f, "PAX header at byte {offset}: malformed records")
            }
            TarError::BadPaxValue { offset, key } => {
                write!(f, "PAX header at byte {offset}: invalid {key:?} value")
            }
            TarError::BadHeaderChain { offset } => write!(
                f,
                "tar header at byte {offset}: extended headers out of place"
            ),
            TarError::NonZeroSize { offset, size } => write!(
                f,
                "tar member at byte {offset}: size {size} on a member that holds no data"
            ),
            TarError::Unsupported { offset, what } => {
                write!(f, "tar member at byte {offset}: {what} is not supported")
            }
            TarError::MemberTooLarge {
                offset,
                size,
                limit,
            } => write!(
                f,
                "tar member at byte {offset}: size {size} exceeds the limit of {limit}"
            ),
            TarError::TotalTooLarge { limit } => {
                write!(f, "tar members exceed the total size limit of {limit}")
            }
            TarError::TooManyMembers { limit } => {
                write!(f, "tar archive has more than {limit} members")
            }
            TarError::DataAfterEnd { offset } => {
                write!(
                    f,
                    "non-zero data at byte {offset}, after the end of the archive"
                )
            }
        }
    }
}

impl std::error::Error for TarError {}

impl<'a> TarArchive<'a> {
    /// Parses a whole uncompressed tar archive.
    pub fn parse(input: &'a [u8], limits: &TarLimits) -> Result<TarArchive<'a>, TarError> {
        if input.is_empty() {
            return Err(TarError::Empty);
        }
        let mut reader = Reader {
            input,
            pos: 0,
            limits,
            total: 0,
            global: Vec::new(),
        };
        let mut members = Vec::new();
        let mut global_headers = Vec::new();
        loop {
            let rest = &input[reader.pos..];
            if rest.len() < BLOCK || rest[..BLOCK].iter().all(|&b| b == 0) {
                if let Some(i) = rest.iter().position(|&b| b != 0) {
                    return Err(if rest.len() < BLOCK {
                        TarError::TruncatedHeader { offset: reader.pos }
                    } else {
                        TarError::DataAfterEnd {
                            offset: reader.pos + i,
                        }
                    });
                }
                return Ok(TarArchive {
                    members,
                    global_headers,
                    end_offset: reader.pos,
                    trailer_len: rest.len(),
                });
            }
            match reader.member()? {
                Parsed::Member(member) => {
                    if members.len() == limits.max_members {
                        return Err(TarError::TooManyMembers {
                            limit: limits.max_members,
                        });
                    }
                    members.push(*member);
                }
                Parsed::Global(header) => global_headers.push(header),
            }
        }
    }

    /// Zero bytes after the two end-of-archive blocks (record padding); `None` when the
    /// archive ends with fewer than two zero blocks.
    pub fn record_padding(&self) -> Option<usize> {
        self.trailer_len.checked_sub(2 * BLOCK)
    }

    /// The members as the safety checks see them.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        self.members.iter().map(TarMember::entry).collect()
    }

    /// Everything that makes extraction unsafe (see [`safety::check_entries`]); empty
    /// when the archive can be extracted into an empty folder.
    pub fn check_safe(&self) -> Vec<Issue> {
        safety::check_entries(&self.entries())
    }

    /// The single top-level folder all members live under.
    pub fn single_top_level(&self) -> Result<&str, TopLevelProblem> {
        safety::single_top_level(&self.entries())
    }
}

enum Parsed<'a> {
    Member(Box<TarMember<'a>>),
    Global(ExtendedHeader<'a>),
}

struct Reader<'a, 'l> {
    input: &'a [u8],
    pos: usize,
    limits: &'l TarLimits,
    total: u64,
    /// Records of all global headers so far (later keys replace earlier ones).
    global: Vec<PaxRecord>,
}

/// One header block with the fields every header has.
struct Header<'a> {
    offset: usize,
    block: &'a [u8],
    typeflag: u8,
    size: u64,
}

impl<'a> Reader<'a, '_> {
    /// Reads the next header block and checks its checksum.
    fn header(&mut self) -> Result<Header<'a>, TarError> {
        let offset = self.pos;
        let block = self
            .input
            .get(offset..offset + BLOCK)
            .ok_or(TarError::TruncatedHeader { offset })?;
        if block.iter().all(|&b| b == 0) {
            // A zero block where a member header must follow an extended header.
            return Err(TarError::BadHeaderChain { offset });
        }
        let stored = number(&block[148..156]);
        let mut unsigned = 8 * u64::from(b' ');
        let mut signed = 8 * i64::from(b' ');
        for (i, &b) in block.iter().enumerate() {
            if !(148..156).contains(&i) {
                unsigned += u64::from(b);
                signed += i64::from(b as i8);
            }
        }
        let matches =
            stored.is_some_and(|s| s == unsigned || i64::try_from(s).is_ok_and(|s| s == signed));
        if !matches {
            return Err(TarError::BadChecksum {
                offset,
                stored,
                computed: unsigned,
            });
        }
        let size = number(&block[124..136]).ok_or(TarError::BadNumber {
            offset,
            field: "size",
        })?;
        self.pos += BLOCK;
        Ok(Header {
            offset,
            block,
            typeflag: block[156],
            size,
        })
    }

    /// The `size` bytes after the current header; advances past them and their padding.
    fn data(&mut self, header_offset: usize, size: u64) -> Result<&'a [u8], TarError> {
        if size > self.limits.max_member_size {
            return Err(TarError::MemberTooLarge {
                offset: header_offset,
                size,
                limit: self.limits.max_member_size,
            });
        }
        self.total = self.total.saturating_add(size);
        if self.total > self.limits.max_total_size {
            return Err(TarError::TotalTooLarge {
                limit: self.limits.max_total_size,
            });
        }
        let truncated = TarError::TruncatedData {
            offset: header_offset,
        };
        let size = usize::try_from(size).map_err(|_| truncated.clone())?;
        let data = self
            .input
            .get(self.pos..)
            .and_then(|rest| rest.get(..size))
            .ok_or(truncated.clone())?;
        let padded = size.div_ceil(BLOCK) * BLOCK;
        self.pos = self.pos.checked_add(padded).ok_or(truncated.clone())?;
        if self.pos > self.input.len() {
            return Err(truncated);
        }
        Ok(data)
    }

    fn member(&mut self) -> Result<Parsed<'a>, TarError> {
        let first_offset = self.pos;
        let mut extended = Vec::new();
        let mut local_pax: Option<Vec<PaxRecord>> = None;
        let mut long_name: Option<&'a [u8]> = None;
        let mut long_link: Option<&'a [u8]> = None;
        let header = loop {
            let header = self.header()?;
            let typeflag = header.typeflag;
            if !matches!(typeflag, b'x' | b'X' | b'g' | b'L' | b'K') {
                break header;
            }
            let payload = self.data(header.offset, header.size)?;
            let ext = ExtendedHeader {
                typeflag,
                offset: header.offset,
                raw_header: header.block,
                payload,
            };
            let chain_error = TarError::BadHeaderChain {
                offset: header.offset,
            };
            match typeflag {
                b'g' => {
                    if !extended.is_empty() {
                        return Err(chain_error);
                    }
                    for record in pax_records(payload, header.offset)? {
                        self.global.retain(|r| r.key != record.key);
                        self.global.push(record);
                    }
                    return Ok(Parsed::Global(ext));
                }
                b'L' | b'K' => {
                    let slot = if typeflag == b'L' {
                        &mut long_name
                    } else {
                        &mut long_link
                    };
                    if slot.is_some() {
                        return Err(chain_error);
                    }
                    *slot = Some(until_nul(payload));
                }
                _ => {
                    if local_pax.is_some() {
                        return Err(chain_error);
                    }
                    local_pax = Some(pax_records(payload, header.offset)?);
                }
            }
            extended.push(ext);
        };

        let offset = header.offset;
        let block = header.block;
        let field = |range: std::ops::Range<usize>, name: &'static str| {
            number(&block[range]).ok_or(TarError::BadNumber {
                offset,
                field: name,
            })
        };
        let mode = u32::try_from(field(100..108, "mode")?).map_err(|_| TarError::BadNumber {
            offset,
            field: "mode",
        })?;
        let mut uid = field(108..116, "uid")?;
        let mut gid = field(116..124, "gid")?;
        let ustar_mtime_field = signed_number(&block[136..148]).ok_or(TarError::BadNumber {
            offset,
            field: "mtime",
        })?;
        field(329..337, "devmajor")?;
        field(337..345, "devminor")?;
        let text = |bytes: &'a [u8], name: &'static str| {
            std::str::from_utf8(bytes)
                .map(str::to_string)
                .map_err(|_| TarError::NotUtf8 {
                    offset,
                    field: name,
                })
        };
        let name = until_nul(&block[0..100]);
        let mut path = if &block[257..263] == MAGIC_POSIX && block[345] != 0 {
            let mut joined = until_nul(&block[345..500]).to_vec();
            joined.push(b'/');
            joined.extend_from_slice(name);
            String::from_utf8(joined).map_err(|_| TarError::NotUtf8 {
                offset,
                field: "name",
            })?
        } else {
            text(name, "name")?
        };
        let mut link_target = text(until_nul(&block[157..257]), "linkname")?;
        let mut uname = text(until_nul(&block[265..297]), "uname")?;
        let mut gname = text(until_nul(&block[297..329]), "gname")?;
        if let Some(long) = long_name {
            path = text(long, "GNU long name")?;
        }
        if let Some(long) = long_link {
            link_target = text(long, "GNU long link")?;
        }

        let mut size = header.size;
        let mut pax_mtime = None;
        let pax = local_pax.unwrap_or_default();
        // Global records first, so the member's own records win.
        for record in self.global.iter().chain(pax.iter()) {
            let bad = || TarError::BadPaxValue {
                offset,
                key: record.key.clone(),
            };
            let value_text = || std::str::from_utf8(&record.value).map_err(|_| bad());
            match record.key.as_str() {
                "path" => path = value_text()?.to_string(),
                "linkpath" => link_target = value_text()?.to_string(),
                "uname" => uname = value_text()?.to_string(),
                "gname" => gname = value_text()?.to_string(),
                "size" => size = decimal(&record.value).ok_or_else(bad)?,
                "uid" => uid = decimal(&record.value).ok_or_else(bad)?,
                "gid" => gid = decimal(&record.value).ok_or_else(bad)?,
                "mtime" => {
                    let t = value_text()?;
                    let value = pax_time(t).ok_or_else(bad)?;
                    pax_mtime = Some(PaxTime {
                        text: t.to_string(),
                        value,
                    });
                }
                key if key.starts_with("GNU.sparse.") => {
                    return Err(TarError::Unsupported {
                        offset,
                        what: "a GNU sparse file",
                    })
                }
                _ => {}
            }
        }
        let typeflag = header.typeflag;
        let kind = match typeflag {
            0 if name.ends_with(b"/") => TarKind::Directory,
            b'0' | 0 | b'7' => TarKind::Regular,
            b'5' => TarKind::Directory,
            b'2' => TarKind::Symlink,
            b'1' => TarKind::Hardlink,
            b'S' => {
                return Err(TarError::Unsupported {
                    offset,
                    what: "a GNU sparse file",
                })
            }
            other => TarKind::Other(other),
        };
        if kind == TarKind::Directory {
            while path.len() > 1 && path.ends_with('/') {
                path.pop();
            }
        }
        // CPython skips data only for regular files and types it does not know; for the
        // others a size means nothing to it but data to other readers, so refuse it.
        let holds_data = matches!(kind, TarKind::Regular)
            || matches!(kind, TarKind::Other(t) if !matches!(t, b'3' | b'4' | b'6'));
        if !holds_data && size != 0 {
            return Err(TarError::NonZeroSize { offset, size });
        }
        let data_offset = self.pos;
        let data = self.data(offset, size)?;
        Ok(Parsed::Member(Box::new(TarMember {
            offset: first_offset,
            header_offset: offset,
            raw_header: block,
            extended,
            pax,
            kind,
            typeflag,
            path,
            link_target,
            mode,
            uid,
            gid,
            uname,
            gname,
            size,
            ustar_mtime: ustar_mtime_field,
            pax_mtime,
            data_offset,
            data,
        })))
    }
}

/// The bytes up to the first NUL.
fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// A numeric header field as CPython's `nti` reads it: octal text up to the first NUL,
/// surrounded by optional whitespace (empty is 0), or GNU base-256 (first byte 0x80).
/// Negative base-256 values (0xff) are refused here; see [`signed_number`].
fn number(field: &[u8]) -> Option<u64> {
    match signed_number(field)? {
        n if n >= 0 => Some(n as u64),
        _ => None,
    }
}

fn signed_number(field: &[u8]) -> Option<i64> {
    let (&first, rest) = field.split_first()?;
    if first == 0x80 || first == 0xff {
        let mut value: i128 = 0;
        for &b in rest {
            value = (value << 8) | i128::from(b);
        }
        if first == 0xff {
            value -= 1i128 << (8 * rest.len());
        }
        return i64::try_from(value).ok();
    }
    let text = until_nul(field);
    let text = text.trim_ascii();
    let mut value: i64 = 0;
    for &c in text {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(value)
}

/// A PAX decimal: ASCII digits only.
fn decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// A PAX time: `-?digits(.digits)?`, read as CPython's `float()` reads it (Rust's parse is
/// correctly rounded, as is Python's).
fn pax_time(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    text.parse().ok()
}

/// Splits a PAX payload into records; the records must fill it exactly.
fn pax_records(payload: &[u8], offset: usize) -> Result<Vec<PaxRecord>, TarError> {
    let bad = TarError::BadPaxRecords { offset };
    let mut records = Vec::new();
    let mut rest = payload;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ').ok_or(bad.clone())?;
        let len: usize = decimal(&rest[..space])
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(bad.clone())?;
        if len <= space + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(bad);
        }
        let body = &rest[space + 1..len - 1];
        let eq = body.iter().position(|&b| b == b'=').ok_or(bad.clone())?;
        if eq == 0 {
            return Err(bad);
        }
        let key = std::str::from_utf8(&body[..eq]).map_err(|_| bad.clone())?;
        records.push(PaxRecord {
            key: key.to_string(),
            value: body[eq + 1..].to_vec(),
        });
        rest = &rest[len..];
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::tar::{TarFlavor, TarHeader, TarMtime, TarWriter};

    fn archive(flavor: TarFlavor) -> Vec<u8> {
        let mut w = TarWriter::with_flavor(Vec::new(), flavor);
        let long = format!("pkg-1.0/{}/ü.py", "d".repeat(120));
        let files: [(&str, TarMtime, &[u8]); 3] = [
            ("pkg-1.0/a.py", TarMtime::Int(1_700_000_000), b"print(1)\n"),
            (
                &long,
                TarMtime::Float {
                    secs: 1_795_234_259,
                    nanos: 788_328_000,
                },
                b"x",
            ),
            ("pkg-1.0/PKG-INFO", TarMtime::Int(0), b""),
        ];
        for (path, mtime, data) in files {
            let header = TarHeader {
                path: path.to_string(),
                mode: 0o644,
                mtime,
            };
            w.add_file(&header, data.len() as u64, data).unwrap();
        }
        let link = TarHeader {
            path: "pkg-1.0/link".into(),
            mode: 0o777,
            mtime: TarMtime::Int(5),
        };
        w.add_symlink(&link, "a.py").unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn reads_our_writer() {
        let bytes = archive(TarFlavor::CURRENT);
        let tar = TarArchive::parse(&bytes, &TarLimits::default()).unwrap();
        let paths: Vec<&str> = tar.members.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths.len(), 4);
        assert_eq!(paths[0], "pkg-1.0/a.py");
        assert!(paths[1].ends_with("/ü.py"));
        let m = &tar.members[1];
        let t = m.pax_mtime.as_ref().unwrap();
        assert_eq!(t.text, "1795234259.788328");
        assert_eq!(m.mtime(), 1795234259.788328);
        assert_eq!(m.ustar_mtime, 1795234260);
        assert_eq!(m.data, b"x");
        assert_eq!(m.extended.len(), 1);
        assert_eq!(tar.members[3].kind, TarKind::Symlink);
        assert_eq!(tar.members[3].link_target, "a.py");
        assert_eq!(tar.members[0].devmajor_field(), [0u8; 8]);
        assert_eq!(bytes.len() % 10240, 0);
        assert_eq!(tar.end_offset + tar.trailer_len, bytes.len());
        assert!(tar.record_padding().is_some());
        assert!(tar.check_safe().is_empty());
        assert_eq!(tar.single_top_level(), Ok("pkg-1.0"));

        let old = archive(TarFlavor::CPYTHON_3_8);
        let tar = TarArchive::parse(&old, &TarLimits::default()).unwrap();
        assert_eq!(tar.members[0].devmajor_field(), b"0000000\0");
        assert_eq!(tar.members[1].ustar_mtime, 0);
    }

    #[test]
    fn refuses_damage() {
        let bytes = archive(TarFlavor::CURRENT);
        let mut bad = bytes.clone();
        bad[0] ^= 1;
        assert!(matches!(
            TarArchive::parse(&bad, &TarLimits::default()),
            Err(TarError::BadChecksum { offset: 0, .. })
        ));
        let tar = TarArchive::parse(&bytes, &TarLimits::default()).unwrap();
        let mut after = bytes.clone();
        let n = after.len();
        after[n - 1] = 1;
        assert_eq!(
            TarArchive::parse(&after, &TarLimits::default()),
            Err(TarError::DataAfterEnd { offset: n - 1 })
        );
        assert_eq!(
            TarArchive::parse(
                &bytes[..tar.members[0].data_offset + 3],
                &TarLimits::default()
            ),
            Err(TarError::TruncatedData { offset: 0 })
        );
        let limits = TarLimits {
            max_member_size: 4,
            ..TarLimits::default()
        };
        assert!(matches!(
            TarArchive::parse(&bytes, &limits),
            Err(TarError::MemberTooLarge { .. })
        ));
        // Every truncation is an error or a shorter archive, never a panic.
        for cut in 0..bytes.len() {
            let _ = TarArchive::parse(&bytes[..cut], &TarLimits::default());
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"     12 "), Some(0o12));
        assert_eq!(number(b"\0\0\0\0"), Some(0));
        assert_eq!(number(b"0008\0"), None);
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(signed_number(&[0xff; 12]), Some(-1));
        assert_eq!(number(&[0xff; 12]), None);
        assert_eq!(pax_time("1795234259.788328"), Some(1795234259.788328));
        assert_eq!(pax_time("-1.5"), Some(-1.5));
        assert_eq!(pax_time("1e3"), None);
        assert_eq!(pax_time("nan"), None);
    }
}
