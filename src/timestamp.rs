//! Build timestamps: `SOURCE_DATE_EPOCH`, and calendar conversion for zip entries.
//!
//! flit turns `SOURCE_DATE_EPOCH` into a UTC date for zip entries; without it, files
//! copied from disk carry their mtime in *local* time (Python's `time.localtime`). We
//! read the zone the way the C library does: `TZ` (a zoneinfo name, a path, or a plain
//! `UTC±N` offset) or `/etc/localtime`, from TZif files, with no crate.

use std::path::Path;

/// A broken-down calendar time, as a zip entry stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl CivilTime {
    /// Seconds since the Unix epoch → UTC calendar time (proleptic Gregorian).
    pub fn from_unix(secs: i64) -> CivilTime {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// Seconds since the Unix epoch of this UTC calendar time (the inverse of
    /// [`CivilTime::from_unix`]; Howard Hinnant's days_from_civil).
    pub fn to_unix(self) -> i64 {
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// flit's clamp: zip cannot store dates before 1980-01-01 00:00:00.
    pub fn clamp_to_1980(self) -> CivilTime {
        if self.year < 1980 {
            CivilTime {
                year: 1980,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0,
            }
        } else {
            self
        }
    }
}

/// Howard Hinnant's days → civil algorithm.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `SOURCE_DATE_EPOCH` as Python's `int()` does: surrounding whitespace, an
/// optional sign, ASCII digits with single underscores between them.
pub fn parse_python_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        match b {
            b'_' => {}
            b'0'..=b'9' => {
                value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            }
            _ => return None,
        }
    }
    Some(if negative { -value } else { value })
}

/// The UTC offset (seconds east) in force at `secs`, for the process's local zone.
pub fn local_offset(secs: i64) -> i64 {
    let tz = std::env::var("TZ").ok();
    match tz.as_deref() {
        None => read_tzif(Path::new("/etc/localtime"))
            .map(|z| z.offset_at(secs))
            .unwrap_or(0),
        Some(spec) => {
            let spec = spec.strip_prefix(':').unwrap_or(spec);
            if spec.is_empty() {
                return 0;
            }
            let from_file = if spec.starts_with('/') {
                read_tzif(Path::new(spec))
            } else if spec.contains("..") {
                None
            } else {
                read_tzif(&Path::new("/usr/share/zoneinfo").join(spec))
            };
            match from_file {
                Some(zone) => zone.offset_at(secs),
                None => posix_std_offset(spec).unwrap_or(0),
            }
        }
    }
}

/// Local calendar time of `secs`.
pub fn local_time(secs: i64) -> CivilTime {
    CivilTime::from_unix(secs + local_offset(secs))
}

/// The standard-time offset of a POSIX TZ string such as `UTC0` or `EST5EDT` (DST
/// rules are not applied). POSIX offsets are west-positive.
fn posix_std_offset(spec: &str) -> Option<i64> {
    let rest = if let Some(inner) = spec.strip_prefix('<') {
        &inner[inner.find('>')? + 1..]
    } else {
        spec.trim_start_matches(|c: char| c.is_ascii_alphabetic())
    };
    let (sign, rest) = match rest.as_bytes().first()? {
        b'-' => (1, &rest[1..]),
        b'+' => (-1, &rest[1..]),
        _ => (-1, rest),
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let mut parts = rest[..end].split(':').map(|p| p.parse::<i64>().ok());
    let h = parts.next()??;
    let m = parts.next().flatten().unwrap_or(0);
    let s = parts.next().flatten().unwrap_or(0);
    Some(sign * (h * 3600 + m * 60 + s))
}

struct Zone {
    transitions: Vec<i64>,
    /// Offset index per transition.
    indices: Vec<u8>,
    offsets: Vec<i64>,
}

impl Zone {
    fn offset_at(&self, secs: i64) -> i64 {
        let i = self.transitions.partition_point(|&t| t <= secs);
        if i == 0 {
            // Before the first transition: the first non-DST type, as the C library does.
            return self.offsets.first().copied().unwrap_or(0);
        }
        let idx = self.indices[i - 1] as usize;
        self.offsets.get(idx).copied().unwrap_or(0)
    }
}

/// Reads a TZif file (v1 data, or the 64-bit v2+ block when present).
fn read_tzif(path: &Path) -> Option<Zone> {
    let data = std::fs::read(path).ok()?;
    let header = |d: &[u8]| -> Option<[usize; 6]> {
        if d.len() < 44 || &d[..4] != b"TZif" {
            return None;
        }
        let n = |i: usize| {
            u32::from_be_bytes([d[20 + i * 4], d[21 + i * 4], d[22 + i * 4], d[23 + i * 4]])
                as usize
        };
        // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        Some([n(0), n(1), n(2), n(3), n(4), n(5)])
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(&data)?;
    let version = data[4];
    let v1_len = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let (block, time_size) = if version >= b'2' && data.len() > v1_len + 44 {
        (&data[v1_len..], 8)
    } else {
        (&data[..], 4)
    };
    let [_, _, _, timecnt, typecnt, _] = header(block)?;
    let mut pos = 44;
    let need = pos + timecnt * (time_size + 1) + typecnt * 6;
    if block.len() < need {
        return None;
    }
    let mut transitions = Vec::with_capacity(timecnt);
    for _ in 0..timecnt {
        let t = if time_size == 8 {
            i64::from_be_bytes(block[pos..pos + 8].try_into().ok()?)
        } else {
            i64::from(i32::from_be_bytes(block[pos..pos + 4].try_into().ok()?))
        };
        transitions.push(t);
        pos += time_size;
    }
    let indices = block[pos..pos + timecnt].to_vec();
    pos += timecnt;
    let mut offsets = Vec::with_capacity(typecnt);
    for _ in 0..typecnt {
        offsets.push(i64::from(i32::from_be_bytes(
            block[pos..pos + 4].try_into().ok()?,
        )));
        pos += 6;
    }
    if indices.iter().any(|&i| i as usize >= typecnt) {
        return None;
    }
    Some(Zone {
        transitions,
        indices,
        offsets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_conversion() {
        let t = CivilTime::from_unix(1_700_000_000);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2023, 11, 14, 22, 13, 20)
        );
        let t = CivilTime::from_unix(1_451_606_400);
        assert_eq!((t.year, t.month, t.day, t.hour), (2016, 1, 1, 0));
        let t = CivilTime::from_unix(-1);
        assert_eq!((t.year, t.month, t.day, t.second), (1969, 12, 31, 59));
        assert_eq!(CivilTime::from_unix(0).clamp_to_1980().year, 1980);
    }

    #[test]
    fn python_int_parsing() {
        assert_eq!(parse_python_int(" 1_700 "), Some(1700));
        assert_eq!(parse_python_int("-5"), Some(-5));
        assert_eq!(parse_python_int("1__0"), None);
        assert_eq!(parse_python_int("abc"), None);
        assert_eq!(parse_python_int(""), None);
        assert_eq!(parse_python_int("1.5"), None);
    }

    #[test]
    fn posix_offsets() {
        assert_eq!(posix_std_offset("UTC0"), Some(0));
        assert_eq!(posix_std_offset("EST5EDT"), Some(-5 * 3600));
        assert_eq!(posix_std_offset("<+0330>-3:30"), Some(3 * 3600 + 1800));
    }
}
