//! gzip writer, byte-identical to CPython's
//! `gzip.GzipFile(filename=NAME, mode="wb", compresslevel=LEVEL, mtime=MTIME)`.
//!
//! The stream is a single gzip member (RFC 1952):
//!
//! ```text
//! 1f 8b 08 FLG MTIME(le32) XFL ff [FNAME 00]  raw-deflate  CRC32(le32) ISIZE(le32)
//! ```
//!
//! - FLG is `FNAME` (0x08) when a file name is stored, else 0.
//! - FNAME is the base name of `filename` (text after the last `/`), encoded as Latin-1,
//!   without one trailing `.gz`. CPython leaves the field out (FLG 0) when the name is not
//!   representable in Latin-1 or is empty after stripping; so do we.
//! - XFL is 2 at level 9, 4 at level 1 and 0 otherwise, whatever zlib does.
//! - OS is always 255 ("unknown"), as CPython writes it on every platform.
//! - The body is zlib's raw deflate at `level` (`wbits=-15, memLevel=8`, default strategy).
//!   CPython calls `compress()` per `write()` and never flushes before `close()`; deflate
//!   output does not depend on how the input is split, so neither does ours.
//! - ISIZE is the uncompressed length modulo 2^32.
//!
//! CPython's default level is 9 up to 3.14 and 6 from 3.15 (cpython PR #131470); callers
//! choose.
//!
//! [`GzipWriter::in_pieces`] writes the same container with the body deflated in pieces
//! on several cores (see `pieces`); that body is not CPython's, and is for the native
//! profile only.

use std::io::{self, Write};

use super::crc32::Crc32;
use super::deflate::Deflater;
use super::pieces::PieceDeflater;

const MAGIC: [u8; 2] = [0x1f, 0x8b];
const METHOD_DEFLATE: u8 = 8;
const FLAG_FNAME: u8 = 0x08;
const OS_UNKNOWN: u8 = 0xff;

enum Body {
    /// One deflate stream, as CPython's `GzipFile` writes it.
    Stream(Deflater),
    /// Pieces deflated in parallel.
    Pieces(PieceDeflater),
}

/// Streaming gzip writer. Memory use is bounded by the deflater's window plus the output
/// of one `write` call.
///
/// After any I/O error the writer is poisoned: later writes and [`GzipWriter::finish`] fail,
/// so a truncated stream is never reported as complete.
pub struct GzipWriter<W: Write> {
    inner: W,
    body: Body,
    crc: Crc32,
    uncompressed_len: u64,
    compressed: Vec<u8>,
    poisoned: bool,
}

impl<W: Write> GzipWriter<W> {
    /// Writes the gzip header to `inner` and returns a writer for the member's content.
    ///
    /// `filename` is what CPython receives as `filename` (a path is fine: only its base
    /// name is stored). `level` must be 0..=9. A base name containing NUL is refused:
    /// CPython would write it, but the header would then be unreadable (and CPython's
    /// `open()` of such a path fails first anyway).
    pub fn new(inner: W, filename: &str, mtime: u32, level: u8) -> io::Result<Self> {
        Self::with_body(
            inner,
            filename,
            mtime,
            level,
            Body::Stream(Deflater::new(level)),
        )
    }

    /// Like `new`, with the body deflated in `piece_size` pieces on `threads` threads
    /// (level 1-9). The bytes do not depend on `threads`.
    pub fn in_pieces(
        inner: W,
        filename: &str,
        mtime: u32,
        level: u8,
        piece_size: usize,
        threads: usize,
    ) -> io::Result<Self> {
        let body = Body::Pieces(PieceDeflater::new(level, piece_size, threads)?);
        Self::with_body(inner, filename, mtime, level, body)
    }

    fn with_body(
        mut inner: W,
        filename: &str,
        mtime: u32,
        level: u8,
        body: Body,
    ) -> io::Result<Self> {
        let header = header_bytes(filename, mtime, level)?;
        inner.write_all(&header)?;
        Ok(GzipWriter {
            inner,
            body,
            crc: Crc32::new(),
            uncompressed_len: 0,
            compressed: Vec::new(),
            poisoned: false,
        })
    }

    /// Ends the deflate stream, writes the CRC-32/ISIZE trailer, flushes and returns the
    /// inner writer.
    pub fn finish(self) -> io::Result<W> {
        let GzipWriter {
            mut inner,
            body,
            crc,
            uncompressed_len,
            mut compressed,
            poisoned,
        } = self;
        if poisoned {
            return Err(poisoned_error());
        }
        // The buffer still holds the last write's output, already sent to `inner`.
        compressed.clear();
        match body {
            Body::Stream(deflater) => deflater.finish(&mut compressed),
            Body::Pieces(pieces) => pieces.finish(&mut inner)?,
        }
        compressed.extend_from_slice(&crc.value().to_le_bytes());
        // ISIZE is defined modulo 2^32; the truncation is the format, not a loss.
        compressed.extend_from_slice(&(uncompressed_len as u32).to_le_bytes());
        inner.write_all(&compressed)?;
        inner.flush()?;
        Ok(inner)
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(poisoned_error());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        self.crc.update(buf);
        self.uncompressed_len += buf.len() as u64;
        self.compressed.clear();
        let written = match &mut self.body {
            Body::Stream(deflater) => {
                deflater.write(buf, &mut self.compressed);
                self.inner.write_all(&self.compressed)
            }
            Body::Pieces(pieces) => pieces.write(buf, &mut self.inner),
        };
        if let Err(err) = written {
            self.poisoned = true;
            return Err(err);
        }
        Ok(buf.len())
    }

    /// Flushes the inner writer only. Unlike `GzipFile.flush()`, this does not force a
    /// zlib sync flush: that would insert an empty stored block and change the bytes.
    fn flush(&mut self) -> io::Result<()> {
        if self.poisoned {
            return Err(poisoned_error());
        }
        self.inner.flush()
    }
}

fn poisoned_error() -> io::Error {
    io::Error::other("gzip stream is unusable after an earlier write error")
}

/// The header bytes CPython writes for `GzipFile(filename, "wb", level, mtime=mtime)`.
fn header_bytes(filename: &str, mtime: u32, level: u8) -> io::Result<Vec<u8>> {
    if level > 9 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("gzip compression level must be 0..=9, got {level}"),
        ));
    }
    let stored_name = stored_file_name(filename);
    if stored_name.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("gzip file name {filename:?} contains a NUL character"),
        ));
    }
    let extra_flags = match level {
        9 => 2,
        1 => 4,
        _ => 0,
    };
    let mut header = Vec::with_capacity(10 + stored_name.len() + 1);
    header.extend_from_slice(&MAGIC);
    header.push(METHOD_DEFLATE);
    header.push(if stored_name.is_empty() {
        0
    } else {
        FLAG_FNAME
    });
    header.extend_from_slice(&mtime.to_le_bytes());
    header.push(extra_flags);
    header.push(OS_UNKNOWN);
    if !stored_name.is_empty() {
        header.extend_from_slice(&stored_name);
        header.push(0);
    }
    Ok(header)
}

/// The FNAME field's content: Latin-1 base name minus `.gz`, or empty when CPython would
/// leave the field out.
fn stored_file_name(filename: &str) -> Vec<u8> {
    let base = filename.rsplit('/').next().unwrap_or(filename);
    let mut latin1 = Vec::with_capacity(base.len());
    for ch in base.chars() {
        match u8::try_from(u32::from(ch)) {
            Ok(byte) => latin1.push(byte),
            // CPython catches the UnicodeEncodeError and stores no name at all.
            Err(_) => return Vec::new(),
        }
    }
    if latin1.ends_with(b".gz") {
        latin1.truncate(latin1.len() - 3);
    }
    latin1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_flit_sdist_header() {
        let header = header_bytes("/tmp/out/tiny-0.1.tar.gz", 1_451_606_400, 9).unwrap();
        let mut expected = vec![0x1f, 0x8b, 8, 8, 0x80, 0xc1, 0x85, 0x56, 2, 0xff];
        expected.extend_from_slice(b"tiny-0.1.tar\0");
        assert_eq!(header, expected);
    }

    #[test]
    fn extra_flags_follow_level() {
        assert_eq!(header_bytes("a", 0, 9).unwrap()[8], 2);
        assert_eq!(header_bytes("a", 0, 1).unwrap()[8], 4);
        for level in [0, 2, 5, 6, 8] {
            assert_eq!(header_bytes("a", 0, level).unwrap()[8], 0);
        }
        assert!(header_bytes("a", 0, 10).is_err());
    }

    #[test]
    fn file_name_rules() {
        assert_eq!(stored_file_name("dir/x.tar.gz"), b"x.tar");
        assert_eq!(stored_file_name("x.gz.gz"), b"x.gz");
        assert_eq!(stored_file_name("caf\u{e9}.tar"), b"caf\xe9.tar");
        assert_eq!(stored_file_name("\u{20ac}.tar"), b"");
        assert_eq!(stored_file_name(".gz"), b"");
        assert_eq!(stored_file_name("dir/"), b"");
        assert_eq!(stored_file_name(""), b"");
        let no_name = header_bytes("\u{20ac}.tar.gz", 7, 6).unwrap();
        assert_eq!(no_name, [0x1f, 0x8b, 8, 0, 7, 0, 0, 0, 0, 0xff]);
        assert!(header_bytes("a\0b.tar", 0, 9).is_err());
    }

    #[test]
    fn trailer_carries_crc_and_size() {
        let mut writer = GzipWriter::new(Vec::new(), "x", 0, 0).unwrap();
        writer.write_all(b"hello").unwrap();
        writer.write_all(b"").unwrap();
        writer.write_all(b" world").unwrap();
        let out = writer.finish().unwrap();
        let trailer = &out[out.len() - 8..];
        assert_eq!(
            trailer[..4],
            crate::archive::crc32::crc32(b"hello world").to_le_bytes()
        );
        assert_eq!(trailer[4..], 11u32.to_le_bytes());
    }

    struct FailingSink;

    impl Write for FailingSink {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn header_write_error_is_reported() {
        assert!(GzipWriter::new(FailingSink, "x", 0, 9).is_err());
    }
}
