//! Source bytes to characters, as CPython's `decode_str` does for `compile(bytes, ...)`.
//!
//! Order matters and follows CPython: refuse NUL bytes, translate `\r\n` and `\r` to `\n`,
//! strip a UTF-8 BOM, look for a PEP 263 cookie on line 1 (and on line 2 when line 1 holds
//! nothing but blanks or a comment), then decode.
//!
//! A quirk we keep: with no cookie, or a cookie spelled exactly `utf-8` after CPython's
//! `get_normal_name`, CPython does not decode the file up front; the tokenizer decodes tokens
//! one at a time and never looks inside comments, so invalid UTF-8 in a comment is accepted.
//! Any other spelling (`utf8`, `UTF-8` is fine, `u8`) goes through the codec, which rejects
//! invalid UTF-8 anywhere.

use super::{Fail, PySourceError, PySourceErrorKind};

/// The decoded source.
pub(super) struct Decoded {
    /// The characters, newlines normalised, always ending in `\n`.
    pub chars: Vec<char>,
    /// Indices in `chars` of U+FFFD characters that stand for invalid UTF-8 bytes; only set in
    /// the lazy UTF-8 mode, where they are an error unless they fall inside a comment.
    pub invalid: Vec<usize>,
}

/// The codecs we implement. Anything else named in a cookie is reported as unsupported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    /// UTF-8 validated token by token (no cookie, or the exact cookie `utf-8`).
    LazyUtf8,
    Utf8,
    Latin1,
    Ascii,
    Cp1252,
}

pub(super) fn decode(source: &[u8]) -> Result<Decoded, PySourceError> {
    if let Some(at) = source.iter().position(|&b| b == 0) {
        return Err(byte_error(
            source,
            at,
            PySourceErrorKind::Syntax,
            "source code cannot contain null bytes".to_string(),
        ));
    }
    let text = translate_newlines(source);
    let (text, bom) = match text.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (rest, true),
        None => (&text[..], false),
    };
    let codec = match find_cookie(text) {
        None => Codec::LazyUtf8,
        Some((name, cookie_at)) => {
            let normal = get_normal_name(name);
            if bom && normal != "utf-8" {
                return Err(byte_error(
                    text,
                    cookie_at,
                    PySourceErrorKind::Syntax,
                    format!("encoding problem: {normal} with BOM"),
                ));
            }
            if normal == "utf-8" {
                Codec::LazyUtf8
            } else {
                lookup_codec(&normal).ok_or_else(|| {
                    byte_error(
                        text,
                        cookie_at,
                        PySourceErrorKind::Unsupported,
                        format!(
                            "source encoding '{normal}' is not supported \
                             (only UTF-8, Latin-1, ASCII and cp1252 are)"
                        ),
                    )
                })?
            }
        }
    };
    match codec {
        Codec::LazyUtf8 => Ok(decode_utf8_lossy(text)),
        Codec::Utf8 => match std::str::from_utf8(text) {
            Ok(s) => Ok(Decoded {
                chars: s.chars().collect(),
                invalid: Vec::new(),
            }),
            Err(e) => Err(byte_error(
                text,
                e.valid_up_to(),
                PySourceErrorKind::Syntax,
                format!(
                    "'utf-8' codec can't decode byte 0x{:02x}",
                    text[e.valid_up_to()]
                ),
            )),
        },
        Codec::Latin1 => Ok(Decoded {
            chars: text.iter().map(|&b| char::from(b)).collect(),
            invalid: Vec::new(),
        }),
        Codec::Ascii | Codec::Cp1252 => {
            let mut chars = Vec::with_capacity(text.len());
            for (at, &b) in text.iter().enumerate() {
                let c = match (codec, b) {
                    (_, 0..=0x7f) => Some(char::from(b)),
                    (Codec::Cp1252, 0x80..=0x9f) => CP1252_80_9F[usize::from(b - 0x80)],
                    (Codec::Cp1252, _) => Some(char::from(b)),
                    _ => None,
                };
                match c {
                    Some(c) => chars.push(c),
                    None => {
                        let name = if codec == Codec::Ascii {
                            "ascii"
                        } else {
                            "cp1252"
                        };
                        return Err(byte_error(
                            text,
                            at,
                            PySourceErrorKind::Syntax,
                            format!("'{name}' codec can't decode byte 0x{b:02x}"),
                        ));
                    }
                }
            }
            Ok(Decoded {
                chars,
                invalid: Vec::new(),
            })
        }
    }
}

/// Fails on the first invalid UTF-8 byte that is not inside a comment.
pub(super) fn check_invalid_bytes(
    decoded: &Decoded,
    comments: &[(usize, usize)],
) -> Result<(), Fail> {
    for &at in &decoded.invalid {
        let i = comments.partition_point(|&(start, _)| start <= at);
        let in_comment = i > 0 && at < comments[i - 1].1;
        if !in_comment {
            return Err(Fail::syntax(
                at,
                "'utf-8' codec can't decode the source: invalid UTF-8",
            ));
        }
    }
    Ok(())
}

fn translate_newlines(source: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(source.len() + 1);
    let mut i = 0;
    while i < source.len() {
        let b = source[i];
        if b == b'\r' {
            out.push(b'\n');
            if source.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    // CPython appends the final newline too, so a last line without one behaves the same.
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    out
}

/// The raw cookie name and its byte offset, from line 1 or 2 (CPython's `get_coding_spec`).
fn find_cookie(text: &[u8]) -> Option<(&str, usize)> {
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some((name, at)) = coding_spec(first) {
        return Some((name, at));
    }
    let blank = |line: &[u8]| {
        line.iter()
            .find(|&&b| !matches!(b, b' ' | b'\t' | 0x0c))
            .is_none_or(|&b| b == b'#' || b == b'\n')
    };
    // CPython only looks at line 2 when line 1 is complete, blank or a comment.
    if !first.ends_with(b"\n") || !blank(first) {
        return None;
    }
    let second = lines.next()?;
    if !second.ends_with(b"\n") {
        return None;
    }
    coding_spec(second).map(|(name, at)| (name, at + first.len()))
}

/// `[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` with ASCII `\w`, first match.
fn coding_spec(line: &[u8]) -> Option<(&str, usize)> {
    let hash = line
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | 0x0c))?;
    if line[hash] != b'#' {
        return None;
    }
    let mut i = hash;
    while i + 6 < line.len() {
        if &line[i..i + 6] == b"coding" && matches!(line[i + 6], b':' | b'=') {
            let mut start = i + 7;
            while matches!(line.get(start), Some(b' ' | b'\t')) {
                start += 1;
            }
            let len = line[start..]
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                .count();
            if len > 0 {
                // Only ASCII bytes were taken, so this cannot fail.
                let name = std::str::from_utf8(&line[start..start + len]).ok()?;
                return Some((name, start));
            }
        }
        i += 1;
    }
    None
}

/// CPython's `get_normal_name`: a few spellings of UTF-8 and Latin-1 are folded, judging by
/// the first 12 characters lowercased with `_` read as `-`; anything else is left as written.
fn get_normal_name(name: &str) -> String {
    let buf: String = name
        .chars()
        .take(12)
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if buf == "utf-8" || buf.starts_with("utf-8-") {
        "utf-8".to_string()
    } else if ["latin-1", "iso-8859-1", "iso-latin-1"].contains(&buf.as_str())
        || ["latin-1-", "iso-8859-1-", "iso-latin-1-"]
            .iter()
            .any(|p| buf.starts_with(p))
    {
        "iso-8859-1".to_string()
    } else {
        name.to_string()
    }
}

/// `codecs.lookup` restricted to the codecs we implement: lowercase, `encodings.normalize_
/// encoding` (runs of punctuation other than `.` become one `_`), then the alias table of
/// CPython's `encodings.aliases` for these codecs, or the codec's own module name.
fn lookup_codec(name: &str) -> Option<Codec> {
    let lower = name.to_ascii_lowercase();
    let mut norm = String::new();
    let mut punct = false;
    for c in lower.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if punct && !norm.is_empty() {
                norm.push('_');
            }
            norm.push(c);
            punct = false;
        } else {
            punct = true;
        }
    }
    let find = |key: &str| {
        ALIASES
            .iter()
            .find(|(_, names)| names.contains(&key))
            .map(|&(codec, _)| codec)
    };
    if let Some(codec) = find(&norm).or_else(|| find(&norm.replace('.', "_"))) {
        return Some(codec);
    }
    match norm.as_str() {
        "utf_8" => Some(Codec::Utf8),
        "latin_1" => Some(Codec::Latin1),
        "ascii" => Some(Codec::Ascii),
        "cp1252" => Some(Codec::Cp1252),
        _ => None,
    }
}

/// From CPython's `Lib/encodings/aliases.py` (unchanged from 3.8 to 3.13 for these codecs).
const ALIASES: &[(Codec, &[&str])] = &[
    (
        Codec::Utf8,
        &["cp65001", "u8", "utf", "utf8", "utf8_ucs2", "utf8_ucs4"],
    ),
    (
        Codec::Latin1,
        &[
            "8859",
            "cp819",
            "csisolatin1",
            "ibm819",
            "iso8859",
            "iso8859_1",
            "iso_8859_1",
            "iso_8859_1_1987",
            "iso_ir_100",
            "l1",
            "latin",
            "latin1",
        ],
    ),
    (
        Codec::Ascii,
        &[
            "646",
            "ansi_x3.4_1968",
            "ansi_x3.4_1986",
            "ansi_x3_4_1968",
            "cp367",
            "csascii",
            "ibm367",
            "iso646_us",
            "iso_646.irv_1991",
            "iso_ir_6",
            "us",
            "us_ascii",
        ],
    ),
    (Codec::Cp1252, &["1252", "windows_1252"]),
];

/// cp1252 bytes 0x80..=0x9F; `None` where the codec has no character (a decode error).
const CP1252_80_9F: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{0192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02c6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02dc}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203a}'),
    Some('\u{0153}'),
    None,
    Some('\u{017e}'),
    Some('\u{0178}'),
];

fn decode_utf8_lossy(mut bytes: &[u8]) -> Decoded {
    let mut chars = Vec::with_capacity(bytes.len());
    let mut invalid = Vec::new();
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                chars.extend(s.chars());
                break;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                // `good` is valid by construction.
                chars.extend(std::str::from_utf8(good).unwrap_or_default().chars());
                invalid.push(chars.len());
                chars.push('\u{fffd}');
                let skip = e.error_len().unwrap_or(rest.len()).max(1);
                bytes = &rest[skip.min(rest.len())..];
            }
        }
    }
    Decoded { chars, invalid }
}

/// An error located by byte offset, before there are characters to count.
fn byte_error(bytes: &[u8], at: usize, kind: PySourceErrorKind, message: String) -> PySourceError {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let line = 1
        + before.iter().filter(|&&b| b == b'\n').count()
        + before
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count()
        + usize::from(before.last() == Some(&b'\r'));
    // Count characters, not bytes: UTF-8 continuation bytes do not start one.
    let column = 1 + before[line_start..]
        .iter()
        .filter(|&&b| b & 0xc0 != 0x80)
        .count();
    PySourceError {
        kind,
        message,
        line,
        column,
    }
}
