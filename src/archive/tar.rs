//! tar writer, byte-identical to CPython's
//! `tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8")` fed
//! with `addfile(TarInfo, fileobj)`, as flit_core builds sdists.
//!
//! What CPython writes, per member:
//!
//! - An optional PAX extended header (`././@PaxHeader`, type `x`, mode/uid/gid/mtime 0)
//!   followed by its records, padded to 512 bytes. Records are `"%d %s=%s\n"`, where the
//!   length counts itself, in this key order:
//!   - `path=` when the path is not ASCII or longer than 100 characters;
//!   - `linkpath=` likewise for a symlink target;
//!   - `size=` when the size does not fit 11 octal digits (8 GiB and over);
//!   - `mtime=` for a float mtime (Python `repr`, e.g. `1795234259.788328`, `157766400.0`)
//!     or an integer one outside `0..8**11`.
//! - A ustar header: numeric fields as zero-padded octal plus NUL, checksum `%06o\0 `,
//!   magic `ustar\0` + `00`, uid/gid 0, uname/gname/prefix NUL-filled. Text fields are
//!   ASCII with `?` for each non-ASCII character, cut at 100 bytes (the PAX record holds the
//!   real value); PAX format never splits long names into `prefix`.
//! - The content, zero-padded to 512 bytes.
//!
//! The archive ends with two zero blocks, then zeros up to a multiple of 10240 bytes.
//!
//! Only regular files (type `0`) and symlinks (type `2`) are written. That is all flit_core
//! produces, except in the hard-link case described at [`TarWriter::add_symlink`].

use std::collections::HashSet;
use std::io::{self, Read, Write};

const BLOCK: usize = 512;
const RECORD: u64 = 10240;
const NAME_FIELD: usize = 100;
/// Numbers must be below `8**11` to fit a 12-byte field (11 digits plus NUL).
const OCTAL_12_LIMIT: u64 = 1 << 33;
const REGULAR_FILE: u8 = b'0';
const SYMLINK: u8 = b'2';
const PAX_EXTENDED: u8 = b'x';
const PAX_HEADER_NAME: &[u8] = b"././@PaxHeader";
const COPY_CHUNK: usize = 16 * 1024;

/// Modification time of a member, as CPython's `TarInfo.mtime` would hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TarMtime {
    /// An `int` mtime (flit with `SOURCE_DATE_EPOCH`, and PKG-INFO's 0).
    Int(i64),
    /// A `float` mtime from `os.stat().st_mtime`, given as the `timespec` it came from
    /// (`nanos` below 10^9, `secs` floored, so negative times have positive `nanos`).
    /// CPython computes `(double)secs + nanos * 1e-9`; we do the same arithmetic.
    Float { secs: i64, nanos: u32 },
}

/// A member's metadata. uid/gid are always 0 and uname/gname empty, as flit sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarHeader {
    /// Member path, `/`-separated.
    pub path: String,
    /// Unix mode; only the low 12 bits are stored, as CPython masks with `0o7777`.
    pub mode: u32,
    /// flit: `int(SOURCE_DATE_EPOCH)`, else the file's float `st_mtime`; 0 for PKG-INFO.
    pub mtime: TarMtime,
}

/// How the device-number fields of non-device members are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceFields {
    /// NUL-filled: CPython 3.9.0 and later (bpo-18819).
    #[default]
    Nul,
    /// `0000000\0`: CPython 3.8 and earlier.
    OctalZero,
}

/// What the ustar mtime field holds when a float mtime goes to a PAX record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UstarMtimeForFloat {
    /// Python's `round()` (ties to even): CPython 3.9.11+, 3.10.3+ and 3.11 onwards
    /// (bpo-45863).
    #[default]
    RoundedHalfEven,
    /// 0: CPython 3.8, 3.9.0–3.9.10 and 3.10.0–3.10.2.
    Zero,
}

/// The CPython-version-dependent details of `tarfile`'s PAX output. `Default` is
/// `TarFlavor::CURRENT`. Nothing else in the bytes differs between 3.8.18, 3.9.18,
/// 3.10.13, 3.11.7, 3.12.1 and 3.13.0 (measured), and the writing code is unchanged in
/// CPython's main branch (read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TarFlavor {
    /// devmajor/devminor of non-device members.
    pub device_fields: DeviceFields,
    /// The ustar mtime field when the mtime is a float.
    pub ustar_mtime_for_float: UstarMtimeForFloat,
}

impl TarFlavor {
    /// CPython 3.9.11+, 3.10.3+ and 3.11 onwards.
    pub const CURRENT: TarFlavor = TarFlavor {
        device_fields: DeviceFields::Nul,
        ustar_mtime_for_float: UstarMtimeForFloat::RoundedHalfEven,
    };
    /// CPython 3.9.0–3.9.10 and 3.10.0–3.10.2.
    pub const CPYTHON_3_9_EARLY: TarFlavor = TarFlavor {
        device_fields: DeviceFields::Nul,
        ustar_mtime_for_float: UstarMtimeForFloat::Zero,
    };
    /// CPython 3.8.x.
    pub const CPYTHON_3_8: TarFlavor = TarFlavor {
        device_fields: DeviceFields::OctalZero,
        ustar_mtime_for_float: UstarMtimeForFloat::Zero,
    };

    /// The flavor of CPython `3.minor.micro`. Versions before 3.8 are treated as 3.8.
    pub fn for_cpython_3(minor: u32, micro: u32) -> TarFlavor {
        match minor {
            0..=8 => TarFlavor::CPYTHON_3_8,
            9 if micro < 11 => TarFlavor::CPYTHON_3_9_EARLY,
            10 if micro < 3 => TarFlavor::CPYTHON_3_9_EARLY,
            _ => TarFlavor::CURRENT,
        }
    }
}

/// Streaming PAX tar writer (see the module docs for the format).
///
/// Inputs CPython would accept but that make no sense in an sdist are refused with
/// `InvalidInput` before anything is written: empty paths, NUL characters in paths or
/// symlink targets, empty symlink targets, duplicate paths, `nanos >= 10^9`.
/// After an I/O error (including a reader that ends early) the writer is poisoned and
/// [`TarWriter::finish`] fails, so a truncated archive is never reported as complete.
pub struct TarWriter<W: Write> {
    out: W,
    flavor: TarFlavor,
    /// Bytes written so far; CPython pads the end relative to the stream's start.
    offset: u64,
    paths: HashSet<String>,
    poisoned: bool,
}

impl<W: Write> TarWriter<W> {
    /// A writer producing what this machine's CPython (3.11) writes.
    pub fn new(out: W) -> Self {
        Self::with_flavor(out, TarFlavor::CURRENT)
    }

    /// A writer imitating another CPython version's output.
    pub fn with_flavor(out: W, flavor: TarFlavor) -> Self {
        TarWriter {
            out,
            flavor,
            offset: 0,
            paths: HashSet::new(),
            poisoned: false,
        }
    }

    /// Adds a regular file of exactly `size` bytes read from `reader` (extra bytes are not
    /// read, as `tarfile.addfile` reads `tarinfo.size` bytes). Memory use is bounded.
    pub fn add_file(
        &mut self,
        header: &TarHeader,
        size: u64,
        mut reader: impl Read,
    ) -> io::Result<()> {
        self.check_usable()?;
        self.claim_path(header)?;
        let headers = member_headers(header, REGULAR_FILE, "", size, self.flavor);
        self.write_or_poison(&headers)?;
        let mut remaining = size;
        let mut chunk = vec![0u8; COPY_CHUNK];
        while remaining > 0 {
            let wanted = usize::try_from(remaining).map_or(COPY_CHUNK, |r| r.min(COPY_CHUNK));
            let got = match reader.read(&mut chunk[..wanted]) {
                Ok(0) => {
                    self.poisoned = true;
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "tar member {:?}: content ended after {} of {} bytes",
                            header.path,
                            size - remaining,
                            size
                        ),
                    ));
                }
                Ok(got) => got,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    self.poisoned = true;
                    return Err(err);
                }
            };
            self.write_or_poison(&chunk[..got])?;
            remaining -= got as u64;
        }
        let tail = (size % BLOCK as u64) as usize;
        if tail != 0 {
            self.write_or_poison(&[0u8; BLOCK][..BLOCK - tail])?;
        }
        Ok(())
    }

    /// Adds a symbolic link (type `2`, size 0) pointing at `target`.
    ///
    /// flit_core stores symlinks from the source tree this way. (A second path to an
    /// already-archived hard-linked inode would make `tarfile.gettarinfo` produce a type `1`
    /// member; that case is not supported here.)
    pub fn add_symlink(&mut self, header: &TarHeader, target: &str) -> io::Result<()> {
        self.check_usable()?;
        if target.is_empty() || target.contains('\0') {
            return Err(invalid_input(format!(
                "tar member {:?}: symlink target {target:?} is empty or contains NUL",
                header.path
            )));
        }
        self.claim_path(header)?;
        let headers = member_headers(header, SYMLINK, target, 0, self.flavor);
        self.write_or_poison(&headers)
    }

    /// Writes the end-of-archive blocks and the record padding, flushes and returns the
    /// inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.check_usable()?;
        self.write_or_poison(&[0u8; 2 * BLOCK])?;
        let tail = self.offset % RECORD;
        if tail != 0 {
            let padding = vec![0u8; (RECORD - tail) as usize];
            self.write_or_poison(&padding)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn check_usable(&self) -> io::Result<()> {
        if self.poisoned {
            Err(io::Error::other(
                "tar stream is unusable after an earlier error",
            ))
        } else {
            Ok(())
        }
    }

    fn claim_path(&mut self, header: &TarHeader) -> io::Result<()> {
        if header.path.is_empty() || header.path.contains('\0') {
            return Err(invalid_input(format!(
                "tar member path {:?} is empty or contains NUL",
                header.path
            )));
        }
        if let TarMtime::Float { nanos, .. } = header.mtime {
            if nanos >= 1_000_000_000 {
                return Err(invalid_input(format!(
                    "tar member {:?}: nanoseconds {nanos} out of range",
                    header.path
                )));
            }
        }
        if !self.paths.insert(header.path.clone()) {
            return Err(invalid_input(format!(
                "duplicate tar member {:?}",
                header.path
            )));
        }
        Ok(())
    }

    fn write_or_poison(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Err(err) = self.out.write_all(bytes) {
            self.poisoned = true;
            return Err(err);
        }
        self.offset += bytes.len() as u64;
        Ok(())
    }
}

fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The header blocks CPython's `TarInfo.create_pax_header` produces for one member.
fn member_headers(
    header: &TarHeader,
    type_flag: u8,
    link_target: &str,
    size: u64,
    flavor: TarFlavor,
) -> Vec<u8> {
    let mut records: Vec<(&str, String)> = Vec::new();
    if needs_pax_text(&header.path) {
        records.push(("path", header.path.clone()));
    }
    if needs_pax_text(link_target) {
        records.push(("linkpath", link_target.to_string()));
    }
    let size_field = if size < OCTAL_12_LIMIT {
        size
    } else {
        records.push(("size", size.to_string()));
        0
    };
    let mtime_field = match header.mtime {
        TarMtime::Int(secs) => match u64::try_from(secs) {
            Ok(secs) if secs < OCTAL_12_LIMIT => secs,
            _ => {
                records.push(("mtime", secs.to_string()));
                0
            }
        },
        TarMtime::Float { secs, nanos } => {
            let value = stat_float(secs, nanos);
            records.push(("mtime", python_float_repr(value)));
            match flavor.ustar_mtime_for_float {
                UstarMtimeForFloat::Zero => 0,
                UstarMtimeForFloat::RoundedHalfEven => {
                    let rounded = value.round_ties_even();
                    if (0.0..OCTAL_12_LIMIT as f64).contains(&rounded) {
                        rounded as u64
                    } else {
                        0
                    }
                }
            }
        }
    };

    let mut blocks = Vec::with_capacity(3 * BLOCK);
    if !records.is_empty() {
        let payload = pax_records(&records);
        blocks.extend_from_slice(&ustar_block(
            &UstarFields {
                name: PAX_HEADER_NAME,
                mode: 0,
                size: payload.len() as u64,
                mtime: 0,
                type_flag: PAX_EXTENDED,
                link_name: b"",
            },
            flavor,
        ));
        blocks.extend_from_slice(&payload);
        blocks.resize(blocks.len().div_ceil(BLOCK) * BLOCK, 0);
    }
    blocks.extend_from_slice(&ustar_block(
        &UstarFields {
            name: &ascii_with_replacement(&header.path),
            mode: u64::from(header.mode & 0o7777),
            size: size_field,
            mtime: mtime_field,
            type_flag,
            link_name: &ascii_with_replacement(link_target),
        },
        flavor,
    ));
    blocks
}

/// CPython moves a text field to a PAX record when it is not ASCII or longer than the
/// 100-character ustar field.
fn needs_pax_text(text: &str) -> bool {
    !text.is_ascii() || text.len() > NAME_FIELD
}

/// `os.stat().st_mtime` as CPython's posixmodule `fill_time` computes it.
fn stat_float(secs: i64, nanos: u32) -> f64 {
    secs as f64 + f64::from(nanos) * 1e-9
}

/// `"%d %s=%s\n"` records; each length prefix counts the whole record, itself included.
fn pax_records(records: &[(&str, String)]) -> Vec<u8> {
    let mut payload = Vec::new();
    for (key, value) in records {
        let without_prefix = key.len() + value.len() + 3;
        // CPython's fixed-point loop: grow the guess until it accounts for its own digits.
        let mut length = 0usize;
        loop {
            let candidate = without_prefix + length.to_string().len();
            if candidate == length {
                break;
            }
            length = candidate;
        }
        payload.extend_from_slice(format!("{length} {key}={value}\n").as_bytes());
    }
    payload
}

/// `str.encode("ascii", "replace")`: one `?` per non-ASCII character.
fn ascii_with_replacement(text: &str) -> Vec<u8> {
    text.chars()
        .map(|ch| if ch.is_ascii() { ch as u8 } else { b'?' })
        .collect()
}

struct UstarFields<'a> {
    name: &'a [u8],
    mode: u64,
    size: u64,
    mtime: u64,
    type_flag: u8,
    link_name: &'a [u8],
}

/// One 512-byte ustar header as `TarInfo._create_header` packs it.
fn ustar_block(fields: &UstarFields<'_>, flavor: TarFlavor) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    put_text(&mut block[0..100], fields.name);
    put_octal(&mut block[100..108], fields.mode);
    put_octal(&mut block[108..116], 0); // uid
    put_octal(&mut block[116..124], 0); // gid
    put_octal(&mut block[124..136], fields.size);
    put_octal(&mut block[136..148], fields.mtime);
    block[148..156].copy_from_slice(b"        ");
    block[156] = fields.type_flag;
    put_text(&mut block[157..257], fields.link_name);
    block[257..265].copy_from_slice(b"ustar\x0000");
    // uname 265..297 and gname 297..329 stay NUL.
    if flavor.device_fields == DeviceFields::OctalZero {
        put_octal(&mut block[329..337], 0);
        put_octal(&mut block[337..345], 0);
    }
    // prefix 345..500 and the 12 unused bytes stay NUL.
    let checksum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    // "%06o\0" over the first 7 of the 8 spaces; the last space stays.
    let digits = format!("{checksum:06o}");
    block[148..154].copy_from_slice(digits.as_bytes());
    block[154] = 0;
    block
}

/// `stn()`: the bytes cut to the field, NUL-padded.
fn put_text(field: &mut [u8], text: &[u8]) {
    let used = text.len().min(field.len());
    field[..used].copy_from_slice(&text[..used]);
}

/// `itn()` for values that fit: zero-padded octal in all but the last byte, then NUL.
/// Callers guarantee the value fits (anything larger has gone to a PAX record).
fn put_octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    field[..width].copy_from_slice(&digits.as_bytes()[digits.len() - width..]);
    field[width] = 0;
}

/// Python's `repr(float)` for finite values: the shortest round-tripping digits, in fixed
/// notation when the decimal exponent is in `-4..16`, else as `d.ddde±XX`.
fn python_float_repr(value: f64) -> String {
    // Rust's `{:e}` also yields the shortest round-tripping digits; only the layout differs.
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    // Position of the decimal point relative to the start of `digits`.
    let point = exponent + 1;
    let digit_count = digits.len() as i32;
    let body = if point <= -4 || point > 16 {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{first}{fraction}e{exp_sign}{:02}", exponent.unsigned_abs())
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point < digit_count {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{whole}.{fraction}")
    } else {
        format!("{digits}{}.0", "0".repeat((point - digit_count) as usize))
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1795234259.788328, "1795234259.788328"),
            (157766400.0, "157766400.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (-1.5, "-1.5"),
            (1e-9, "1e-09"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1e100, "1e+100"),
            (9.2e18, "9.2e+18"),
            (0.1, "0.1"),
            (123.456, "123.456"),
        ];
        for &(value, expected) in cases {
            assert_eq!(python_float_repr(value), expected, "{value:e}");
        }
    }

    #[test]
    fn stat_float_uses_cpython_arithmetic() {
        // 1795234259 s + 788328000 ns, as the flit-bytes example records it.
        assert_eq!(
            python_float_repr(stat_float(1_795_234_259, 788_328_000)),
            "1795234259.788328"
        );
        assert_eq!(python_float_repr(stat_float(157_766_400, 0)), "157766400.0");
        assert_eq!(python_float_repr(stat_float(-1, 500_000_000)), "-0.5");
    }

    #[test]
    fn record_lengths_count_themselves() {
        let records = pax_records(&[("mtime", "1795234259.788328".to_string())]);
        assert_eq!(records, b"27 mtime=1795234259.788328\n");
        // 98 bytes before the prefix: 99 would need 3 digits, so the answer is 101.
        let value = "v".repeat(98 - 4);
        let records = pax_records(&[("a", value.clone())]);
        assert_eq!(records, format!("101 a={value}\n").as_bytes());
        assert_eq!(records.len(), 101);
        let records = pax_records(&[("a", "b".to_string())]);
        assert_eq!(records, b"6 a=b\n");
    }

    #[test]
    fn ustar_header_layout() {
        let header = TarHeader {
            path: "tiny-0.1/tiny.py".to_string(),
            mode: 0o100644,
            mtime: TarMtime::Int(1_700_000_000),
        };
        let block = member_headers(&header, REGULAR_FILE, "", 6, TarFlavor::CURRENT);
        assert_eq!(block.len(), BLOCK);
        assert_eq!(&block[0..16], b"tiny-0.1/tiny.py");
        assert_eq!(&block[100..108], b"0000644\0");
        assert_eq!(&block[108..124], b"0000000\x000000000\0");
        assert_eq!(&block[124..136], b"00000000006\0");
        assert_eq!(&block[136..148], b"14524770400\0");
        assert_eq!(block[156], b'0');
        assert_eq!(&block[257..265], b"ustar\x0000");
        assert!(block[265..].iter().all(|&b| b == 0));
        let sum: u32 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        assert_eq!(&block[148..156], format!("{sum:06o}\0 ").as_bytes());
    }

    #[test]
    fn flavors_differ_where_cpython_did() {
        let header = TarHeader {
            path: "p".to_string(),
            mode: 0o644,
            mtime: TarMtime::Float {
                secs: 157_766_400,
                nanos: 500_000_000,
            },
        };
        let current = member_headers(&header, REGULAR_FILE, "", 0, TarFlavor::CURRENT);
        let ustar = &current[2 * BLOCK..];
        // 157766400.5 rounds to the even 157766400.
        assert_eq!(&ustar[136..148], b"01131651400\0");
        assert_eq!(&ustar[329..345], &[0u8; 16]);
        let old = member_headers(&header, REGULAR_FILE, "", 0, TarFlavor::CPYTHON_3_8);
        let ustar = &old[2 * BLOCK..];
        assert_eq!(&ustar[136..148], b"00000000000\0");
        assert_eq!(&ustar[329..345], b"0000000\x000000000\0");
        assert_eq!(
            &old[329..345],
            b"0000000\x000000000\0",
            "PAX header block too"
        );
        assert_eq!(TarFlavor::for_cpython_3(8, 18), TarFlavor::CPYTHON_3_8);
        assert_eq!(
            TarFlavor::for_cpython_3(9, 10),
            TarFlavor::CPYTHON_3_9_EARLY
        );
        assert_eq!(TarFlavor::for_cpython_3(9, 11), TarFlavor::CURRENT);
        assert_eq!(
            TarFlavor::for_cpython_3(10, 2),
            TarFlavor::CPYTHON_3_9_EARLY
        );
        assert_eq!(TarFlavor::for_cpython_3(10, 3), TarFlavor::CURRENT);
        assert_eq!(TarFlavor::for_cpython_3(14, 0), TarFlavor::CURRENT);
    }

    #[test]
    fn out_of_range_numbers_go_to_pax() {
        let header = TarHeader {
            path: "big".to_string(),
            mode: 0o644,
            mtime: TarMtime::Int(-5),
        };
        let blocks = member_headers(&header, REGULAR_FILE, "", 1 << 33, TarFlavor::CURRENT);
        let records = &blocks[BLOCK..2 * BLOCK];
        assert!(records.starts_with(b"19 size=8589934592\n12 mtime=-5\n"));
        let ustar = &blocks[2 * BLOCK..];
        assert_eq!(&ustar[124..136], b"00000000000\0");
        assert_eq!(&ustar[136..148], b"00000000000\0");
        let just_fits =
            member_headers(&header, REGULAR_FILE, "", (1 << 33) - 1, TarFlavor::CURRENT);
        assert_eq!(
            &just_fits[2 * BLOCK + 124..2 * BLOCK + 136],
            b"77777777777\0"
        );
    }

    #[test]
    fn refuses_what_cannot_be_stored_faithfully() {
        let mut tar = TarWriter::new(Vec::new());
        let header = |path: &str| TarHeader {
            path: path.to_string(),
            mode: 0o644,
            mtime: TarMtime::Int(0),
        };
        assert!(tar.add_file(&header(""), 0, &b""[..]).is_err());
        assert!(tar.add_file(&header("a\0b"), 0, &b""[..]).is_err());
        assert!(tar.add_symlink(&header("l"), "").is_err());
        assert!(tar.add_symlink(&header("l"), "x\0").is_err());
        let bad_nanos = TarHeader {
            mtime: TarMtime::Float {
                secs: 0,
                nanos: 1_000_000_000,
            },
            ..header("n")
        };
        assert!(tar.add_file(&bad_nanos, 0, &b""[..]).is_err());
        tar.add_file(&header("a"), 1, &b"x"[..]).unwrap();
        assert!(tar.add_file(&header("a"), 1, &b"x"[..]).is_err());
        assert!(tar.add_symlink(&header("a"), "b").is_err());
        // Refusals write nothing, so the writer stays usable.
        let out = tar.finish().unwrap();
        assert_eq!(out.len(), 10240);
    }

    #[test]
    fn short_reader_poisons_the_writer() {
        let mut tar = TarWriter::new(Vec::new());
        let header = TarHeader {
            path: "a".to_string(),
            mode: 0o644,
            mtime: TarMtime::Int(0),
        };
        let err = tar.add_file(&header, 10, &b"abc"[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(tar.finish().is_err());
    }
}
