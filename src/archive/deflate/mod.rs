//! Raw deflate encoder producing exactly the bytes of stock zlib (1.2.12 through 1.3.x)
//! for `deflateInit2(level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)`, driven the way
//! CPython's `zlib.compressobj(level, zlib.DEFLATED, -15)` drives it: one `compress(data)`
//! with the whole input, then `flush()`. That is how `zipfile` (wheels, level 6) and
//! `gzip` (sdists, level 9) reach zlib, so flit_core's archives can be reproduced bit for
//! bit.
//!
//! This is an altered, independent Rust implementation of the deflate algorithm of zlib; it
//! is not the original zlib software. It was written from a reading of zlib's deflate.c,
//! deflate.h and trees.c and keeps their structure and names so the two can be audited side
//! by side:
//! - `lz77.rs`: window, hash chains, `fill_window`, `longest_match`, `deflate_fast` (levels
//!   1-3), `deflate_slow` (levels 4-9);
//! - `trees.rs`: Huffman trees and block output (`_tr_flush_block` and its helpers);
//! - `stored.rs`: `deflate_stored` (level 0) together with a model of CPython's output
//!   buffer sizes, on which zlib's level-0 block sizes depend.
//!
//! The output depends only on the level and the concatenated input: how the input is split
//! across `write()` calls makes no difference (see `lz77.rs` and `stored.rs` for how each
//! engine keeps it so). Stock zlib fed in chunks (as `gzip.GzipFile` feeds it the pieces
//! `tarfile` writes) gives the same bytes for levels 1-9 except in one corner: it slides
//! its window inside `fill_window()`, which it calls whenever lookahead drops below
//! MIN_LOOKAHEAD; with the window not full (input pending) that can happen at
//! `strstart == w_size + MAX_DIST` exactly, whereas with the whole input at hand the slide
//! only comes at the next step. The difference is visible only if a block ends in that
//! very step and the block, begun more than 32K bytes earlier, would win as a stored block
//! (zlib cannot store a block whose start has been slid out of the window). Level 0 is
//! modelled on the whole-input call only, since zlib's stored-block sizes depend on the
//! caller's buffers (see `stored.rs`).
//!
//! Memory is bounded: the window, hash tables and symbol buffer of zlib (about 250 KiB),
//! the second chain links of levels 1-7 (64 KiB, see `lz77.rs`), the four-byte index
//! levels 8-9 add (320 KiB; each of the two is allocated but left untouched at the
//! other levels), and for level 0 up to 512 KiB of held-back input. Output growth is the
//! caller's.
//!
//! ---
//!
//! Licence notice of the software this is derived from (zlib.h):
//!
//! ```text
//! Copyright (C) 1995-2024 Jean-loup Gailly and Mark Adler
//!
//! This software is provided 'as-is', without any express or implied
//! warranty.  In no event will the authors be held liable for any damages
//! arising from the use of this software.
//!
//! Permission is granted to anyone to use this software for any purpose,
//! including commercial applications, and to alter it and redistribute it
//! freely, subject to the following restrictions:
//!
//! 1. The origin of this software must not be misrepresented; you must not
//!    claim that you wrote the original software. If you use this software
//!    in a product, an acknowledgment in the product documentation would be
//!    appreciated but is not required.
//! 2. Altered source versions must be plainly marked as such, and must not be
//!    misrepresented as being the original software.
//! 3. This notice may not be removed or altered from any source distribution.
//!
//! Jean-loup Gailly        Mark Adler
//! jloup@gzip.org          madler@alumni.caltech.edu
//! ```

mod lz77;
mod stored;
mod trees;

/// Which of zlib's compression functions a level uses (`configuration_table[].func`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CompressFunc {
    Stored,
    Fast,
    Slow,
}

/// One row of zlib's `configuration_table`.
#[derive(Clone, Copy)]
struct Config {
    /// Reduce lazy search above this match length.
    good_length: u16,
    /// Do not perform lazy search above this match length (for deflate_fast: do not insert
    /// the strings of longer matches in the hash table).
    max_lazy: u16,
    /// Quit search above this match length.
    nice_length: u16,
    max_chain: u16,
    func: CompressFunc,
}

const fn config(good: u16, lazy: u16, nice: u16, chain: u16, func: CompressFunc) -> Config {
    Config {
        good_length: good,
        max_lazy: lazy,
        nice_length: nice,
        max_chain: chain,
        func,
    }
}

/// zlib's `configuration_table` (not built with FASTEST).
const CONFIGURATION_TABLE: [Config; 10] = {
    use CompressFunc::{Fast, Slow, Stored};
    [
        config(0, 0, 0, 0, Stored),       // 0: store only
        config(4, 4, 8, 4, Fast),         // 1: max speed, no lazy matches
        config(4, 5, 16, 8, Fast),        // 2
        config(4, 6, 32, 32, Fast),       // 3
        config(4, 4, 16, 16, Slow),       // 4: lazy matches
        config(8, 16, 32, 32, Slow),      // 5
        config(8, 16, 128, 128, Slow),    // 6
        config(8, 32, 128, 256, Slow),    // 7
        config(32, 128, 258, 1024, Slow), // 8
        config(32, 258, 258, 4096, Slow), // 9: max compression
    ]
};

enum Engine {
    Stored(Box<stored::Stored>),
    Lz77(Box<lz77::Lz77>),
}

/// Streaming raw-deflate encoder with zlib's parameters
/// `deflateInit2(level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)`.
pub struct Deflater {
    level: u8,
    engine: Engine,
}

impl Deflater {
    /// `level` is 0..=9 (zlib's -1 is 6; callers pass 6).
    pub fn new(level: u8) -> Self {
        assert!(level <= 9, "deflate level must be 0..=9");
        let engine = if level == 0 {
            Engine::Stored(Box::new(stored::Stored::new()))
        } else {
            Engine::Lz77(Box::new(lz77::Lz77::new(level)))
        };
        Deflater { level, engine }
    }

    /// The compression level this encoder was created with.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Feeds input (`deflate(Z_NO_FLUSH)`), appending any output produced to `out`.
    pub fn write(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match &mut self.engine {
            Engine::Stored(s) => s.write(input, out),
            Engine::Lz77(s) => s.write(input, out),
        }
    }

    /// Sets the history the stream starts with (`deflateSetDictionary`, as
    /// `zlib.compressobj(zdict=...)` does): matches may refer to the last 32 KiB of `dict`,
    /// which is not output. Call before the first `write`. Level 0 ignores it, as its
    /// output never refers back.
    pub fn set_dictionary(&mut self, dict: &[u8]) {
        if let Engine::Lz77(s) = &mut self.engine {
            s.set_dictionary(dict);
        }
    }

    /// Ends the input with `deflate(Z_SYNC_FLUSH)`: the output so far ends on a byte
    /// boundary with no last block, so that another raw-deflate stream can follow it in
    /// the same deflate stream (pigz's way of compressing pieces in parallel). Levels
    /// 1-9 only; the encoder must be reset before it is used again.
    pub fn finish_sync(&mut self, out: &mut Vec<u8>) {
        match &mut self.engine {
            Engine::Stored(_) => panic!("finish_sync needs a level of 1-9"),
            Engine::Lz77(s) => s.finish_sync(out),
        }
    }

    /// Ends the stream (`deflate(Z_FINISH)`), appending the rest of the output to `out`.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.finish_stream(out);
    }

    /// Ends the stream like `finish`, then makes the encoder ready for a new stream at the
    /// same level, reusing its buffers (cheaper than a new `Deflater` per small file).
    pub fn finish_and_reset(&mut self, out: &mut Vec<u8>) {
        self.finish_stream(out);
        self.reset();
    }

    /// Discards any stream in progress and starts a new one at the same level.
    pub fn reset(&mut self) {
        match &mut self.engine {
            Engine::Stored(s) => s.reset(),
            Engine::Lz77(s) => s.reset(self.level),
        }
    }

    fn finish_stream(&mut self, out: &mut Vec<u8>) {
        match &mut self.engine {
            Engine::Stored(s) => s.finish(out),
            Engine::Lz77(s) => s.finish(out),
        }
    }
}

/// Compresses a whole buffer in one go.
pub fn deflate(level: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    let mut encoder = Deflater::new(level);
    encoder.write(data, &mut out);
    encoder.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input() {
        // The bytes CPython's zlib gives for compressobj(level, DEFLATED, -15).flush().
        assert_eq!(deflate(0, b""), [0x01, 0x00, 0x00, 0xff, 0xff]);
        for level in 1..=9 {
            assert_eq!(deflate(level, b""), [0x03, 0x00], "level {level}");
        }
    }

    #[test]
    fn small_inputs_known_bytes() {
        // zlib.compressobj(6, zlib.DEFLATED, -15): compress(b"a") + flush()
        assert_eq!(deflate(6, b"a"), [0x4b, 0x04, 0x00]);
        // ... and b"hello hello hello hello\n"
        assert_eq!(
            deflate(6, b"hello hello hello hello\n"),
            [0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0xb9, 0x00]
        );
        assert_eq!(deflate(0, b"a"), [0x01, 0x01, 0x00, 0xfe, 0xff, b'a']);
    }

    /// Many small random inputs of mixed structure through random chunkings: no panics, and
    /// the output never depends on the chunking (CPython checks the bytes themselves in
    /// tests/deflate_differential.rs).
    #[test]
    fn random_inputs_and_chunkings() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n.max(1)
        };
        for case in 0..120 {
            let len = next(if case % 10 == 0 { 140_000 } else { 5_000 }) as usize;
            let alphabet = 1 + next(256);
            let mut data = Vec::with_capacity(len);
            while data.len() < len {
                if next(4) == 0 && data.len() > 10 {
                    // Copy an earlier stretch, so there are matches of every length.
                    let from = next(data.len() as u64) as usize;
                    let n = (1 + next(300) as usize).min(len - data.len());
                    for i in 0..n {
                        data.push(data[from + i % (data.len() - from)]);
                    }
                } else {
                    data.push(next(alphabet) as u8);
                }
            }
            let level = (case % 10) as u8;
            let want = deflate(level, &data);
            let mut d = Deflater::new(level);
            let mut got = Vec::new();
            let mut at = 0;
            while at < data.len() {
                let max = if next(2) == 0 { 8 } else { 40_000 };
                let n = (next(max) as usize).min(data.len() - at);
                d.write(&data[at..at + n], &mut got);
                at += n;
            }
            d.finish(&mut got);
            assert_eq!(got, want, "case {case}, level {level}, {len} bytes");
        }
    }

    #[test]
    fn reuse_after_reset_gives_fresh_stream_bytes() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| (i * 7 % 251) as u8 ^ (i >> 9) as u8)
            .collect();
        for level in 0..=9 {
            let want = deflate(level, &data);
            let mut d = Deflater::new(level);
            let mut first = Vec::new();
            d.write(&data[..150_000], &mut first);
            d.finish_and_reset(&mut first);
            let mut again = Vec::new();
            d.write(&data, &mut again);
            d.finish_and_reset(&mut again);
            assert_eq!(again, want, "level {level}");
        }
    }
}
