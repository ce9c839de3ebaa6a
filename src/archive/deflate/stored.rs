//! Level 0: zlib's `deflate_stored`, driven the way CPython drives it.
//!
//! An altered, independent Rust implementation of the algorithm of zlib's deflate.c (see the
//! licence notice in `mod.rs`); it is not the original software.
//!
//! Since zlib 1.2.12, `deflate_stored` sizes its stored blocks from `avail_in` and
//! `avail_out`: it copies blocks straight from `next_in` to `next_out` when the output
//! buffer has room for at least `min_block` (32K) bytes, and otherwise goes through the
//! window and `pending_buf`, where a block is at most `pending_buf_size - 5` (65531) bytes.
//! So zlib's level-0 output depends on how the caller sizes its output buffers and splits
//! its input, and "byte-identical to flit_core" means reproducing CPython's caller:
//!
//! - `zlib.compressobj(0, DEFLATED, -15).compress(data)` (Modules/zlibmodule.c) gives
//!   deflate all of `data` at once (`avail_in` = min(remaining, UINT_MAX), the rest in
//!   further UINT_MAX slices), starts a fresh `_BlocksOutputBuffer` whose first block is
//!   32 KiB, and calls `deflate(Z_NO_FLUSH)` while `avail_out == 0`, growing the buffer by
//!   the next entry of `BUFFER_BLOCK_SIZE` (32K, 64K, 256K, 1M, 4M, 8M, 16M, 16M, 32M x4,
//!   64M x2, 128M x2, then 256M) before each call that finds `avail_out == 0`
//!   (Include/internal/pycore_blocks_output_buffer.h).
//! - `.flush()` sets `avail_in = 0`, starts another fresh output buffer (32 KiB first) and
//!   calls `deflate(Z_FINISH)` while `avail_out == 0`.
//!
//! This module runs a faithful model of that pair of calls: it keeps zlib's `avail_out`,
//! `pending`, `last_flush` and status bookkeeping and CPython's buffer growth, while the
//! bytes themselves go straight to the caller's `Vec` in the order zlib would deliver them
//! (zlib never reorders: `deflate_stored` only copies to `next_out` once `pending` is empty).
//!
//! The one thing the model cannot know while streaming is the total input size, which
//! zlib sees through `avail_in`. Every decision `deflate_stored` takes compares `avail_in`
//! with quantities below 2^17, and one pass of its loop consumes at most 65535 + 65536
//! bytes, so the model holds back input and only advances while it has at least
//! `LOOKAHEAD_BOUND` bytes in hand (or the input is known to be complete): every
//! comparison then comes out as it would with the true, larger `avail_in`. When it runs
//! short it suspends, mid-call if need be, and resumes with the next `write()`. Memory
//! stays bounded (window + 2 x LOOKAHEAD_BOUND) and the output depends only on the
//! concatenated input, never on how `write()` calls split it.
//!
//! CPython's UINT_MAX input slices are modelled from its source as well, but only inputs
//! over 4 GiB reach them, which the tests cannot afford to exercise.
//!
//! The window content before `block_start` is never emitted again at level 0 (it only
//! matters if deflateParams() later switches to a compressing level), so the copies zlib
//! makes into it of input that went straight to the output are not reproduced; positions
//! (`strstart`, `block_start`) are, since they steer the block sizes.

use super::lz77::LIT_BUFSIZE;

const WSIZE: usize = 1 << 15;
const WINDOW_SIZE: usize = 2 * WSIZE;
/// Maximum stored block length in deflate format (not including header).
const MAX_STORED: u64 = 65535;
/// pending_buf_size: lit_bufsize * 4.
const PENDING_BUF_SIZE: u64 = (LIT_BUFSIZE * 4) as u64;
/// zlib's uInt limit on avail_in; CPython feeds larger inputs in slices of this size.
const UINT_MAX: u64 = u32::MAX as u64;
/// Input the model must have in hand before it takes a step (see the module notes).
const LOOKAHEAD_BOUND: usize = 4 * 65536;

/// CPython's `BUFFER_BLOCK_SIZE` table of output buffer block sizes.
const BUFFER_BLOCK_SIZE: [u64; 17] = [
    32 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    8 << 20,
    16 << 20,
    16 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    64 << 20,
    64 << 20,
    128 << 20,
    128 << 20,
    256 << 20,
];

const Z_NO_FLUSH: i32 = 0;
const Z_FINISH: i32 = 4;

/// Ranks Z_BLOCK between Z_NO_FLUSH and Z_PARTIAL_FLUSH (zlib's `RANK`).
fn rank(f: i32) -> i32 {
    f * 2 - if f > 4 { 9 } else { 0 }
}

/// `block_state` values deflate_stored can return for Z_NO_FLUSH and Z_FINISH.
#[derive(PartialEq, Eq)]
enum BlockState {
    NeedMore,
    FinishStarted,
    FinishDone,
}

/// The model ran out of input in hand and must wait for more.
struct Suspended;

#[derive(PartialEq, Eq)]
enum Phase {
    /// Inside `compress(data)`.
    Compress,
    /// Inside `flush()`.
    Flush,
    /// Stream complete.
    Done,
}

pub(super) struct Stored {
    window: Box<[u8]>,
    strstart: usize,
    block_start: usize,
    /// Maintained as zlib does (it feeds a later switch of level); no effect on output.
    insert: usize,
    /// Pending hash slides, likewise kept for the reader only.
    matches: u8,

    // --- z_stream / deflate_state bookkeeping ---
    /// Input held back: zlib's `next_in` is `held[held_pos..]`.
    held: Vec<u8>,
    held_pos: usize,
    /// No more input will come (`finish()` was called).
    input_done: bool,
    /// What is left of the current UINT_MAX slice of CPython's input.
    slice_left: u64,
    avail_out: u64,
    /// Bytes zlib holds in `pending_buf` (already appended to the output here).
    pending: u64,
    last_flush: i32,
    /// status == FINISH_STATE.
    finish_state: bool,
    /// Set while suspended inside deflate_stored's copy loop: zlib's local `used`.
    resume_used: Option<u64>,

    // --- CPython's side ---
    phase: Phase,
    /// Python's inner loop ended with output space left; its outer loop decides next.
    between_slices: bool,
    /// Number of blocks in the current `_BlocksOutputBuffer`.
    out_blocks: usize,
}

impl Stored {
    pub(super) fn new() -> Self {
        let mut s = Stored {
            window: vec![0; WINDOW_SIZE].into_boxed_slice(),
            strstart: 0,
            block_start: 0,
            insert: 0,
            matches: 0,
            held: Vec::new(),
            held_pos: 0,
            input_done: false,
            slice_left: 0,
            avail_out: 0,
            pending: 0,
            last_flush: 0,
            finish_state: false,
            resume_used: None,
            phase: Phase::Compress,
            between_slices: false,
            out_blocks: 0,
        };
        s.reset();
        s
    }

    /// A fresh stream (deflateInit2 + the start of `compress()`), keeping the buffers.
    pub(super) fn reset(&mut self) {
        self.strstart = 0;
        self.block_start = 0;
        self.insert = 0;
        self.matches = 0;
        self.held.clear();
        self.held_pos = 0;
        self.input_done = false;
        self.pending = 0;
        self.last_flush = -2; // deflateResetKeep
        self.finish_state = false;
        self.resume_used = None;
        self.phase = Phase::Compress;
        self.between_slices = false;
        // compress(): arrange_input_buffer() for the first slice and
        // OutputBuffer_InitAndGrow() for the first 32 KiB block.
        self.slice_left = UINT_MAX;
        self.start_output_buffer();
    }

    pub(super) fn write(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        if self.phase != Phase::Compress {
            return; // the stream is finished (`Deflater` resets before reuse)
        }
        loop {
            // Top the held input up to 2 x LOOKAHEAD_BOUND, then let the model run until it
            // is down to less than LOOKAHEAD_BOUND.
            if self.held_pos > 0 {
                self.held.drain(..self.held_pos);
                self.held_pos = 0;
            }
            let take = (2 * LOOKAHEAD_BOUND - self.held.len()).min(input.len());
            self.held.extend_from_slice(&input[..take]);
            input = &input[take..];
            self.run(out);
            if input.is_empty() {
                return;
            }
        }
    }

    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        self.input_done = true;
        self.run(out);
    }

    fn held_remaining(&self) -> usize {
        self.held.len() - self.held_pos
    }

    /// zlib's `strm->avail_in`, exact whenever `enough()` holds.
    fn avail_in(&self) -> u64 {
        (self.held_remaining() as u64).min(self.slice_left)
    }

    /// True when every comparison involving avail_in comes out as with the whole input.
    fn enough(&self) -> bool {
        self.input_done
            || self.held_remaining() as u64 >= (LOOKAHEAD_BOUND as u64).min(self.slice_left)
    }

    /// Moves `len` input bytes (zlib's `read_buf`) to the output.
    fn read_buf_to(&mut self, out: &mut Vec<u8>, len: usize) {
        out.extend_from_slice(&self.held[self.held_pos..self.held_pos + len]);
        self.held_pos += len;
        self.slice_left -= len as u64;
    }

    /// `OutputBuffer_InitAndGrow`: a new `_BlocksOutputBuffer` with its first block.
    fn start_output_buffer(&mut self) {
        self.avail_out = BUFFER_BLOCK_SIZE[0];
        self.out_blocks = 1;
    }

    /// `OutputBuffer_Grow`: the next block, sized by the number of blocks so far.
    fn grow_output_buffer(&mut self) {
        self.avail_out = BUFFER_BLOCK_SIZE[self.out_blocks.min(BUFFER_BLOCK_SIZE.len() - 1)];
        self.out_blocks += 1;
    }

    /// Runs CPython's loops as far as the input in hand allows.
    fn run(&mut self, out: &mut Vec<u8>) {
        if self.phase == Phase::Compress {
            if self.run_compress(out).is_err() {
                return;
            }
            // compress() has returned; now flush(): avail_in = 0, a fresh output buffer.
            self.phase = Phase::Flush;
            self.slice_left = 0;
            self.start_output_buffer();
        }
        if self.phase == Phase::Flush {
            loop {
                if self.resume_used.is_none() && self.avail_out == 0 {
                    self.grow_output_buffer();
                }
                // With no input left nothing can suspend.
                if self.zlib_deflate(Z_FINISH, out).is_err() || self.avail_out != 0 {
                    break;
                }
            }
            self.phase = Phase::Done;
        }
    }

    /// The loops of `zlib_Compress_compress_impl`; Ok once compress() would have returned.
    fn run_compress(&mut self, out: &mut Vec<u8>) -> Result<(), Suspended> {
        loop {
            if self.between_slices {
                // Outer loop: `while (ibuflen != 0)`, then arrange_input_buffer().
                if self.held_remaining() == 0 {
                    return if self.input_done {
                        Ok(())
                    } else {
                        Err(Suspended)
                    };
                }
                self.between_slices = false;
                self.slice_left = UINT_MAX;
            }
            if self.resume_used.is_none() {
                // Top of the inner do-while.
                if !self.enough() {
                    return Err(Suspended);
                }
                if self.avail_out == 0 {
                    self.grow_output_buffer();
                }
            }
            self.zlib_deflate(Z_NO_FLUSH, out)?;
            if self.avail_out != 0 {
                // `while (avail_out == 0)` ends. Under Z_NO_FLUSH deflate_stored only leaves
                // output space unused once it has taken all of avail_in (with input left it
                // ends by writing a block of at least 32K to pending while avail_out is
                // below 32K + 5), so the slice is consumed.
                debug_assert_eq!(self.avail_in(), 0, "level-0 model: slice not consumed");
                self.between_slices = true;
            }
        }
    }

    /// zlib's `deflate()` for a raw stream at level 0, as far as it concerns deflate_stored.
    fn zlib_deflate(&mut self, flush: i32, out: &mut Vec<u8>) -> Result<(), Suspended> {
        if self.resume_used.is_none() {
            let old_flush = self.last_flush;
            self.last_flush = flush;

            // Flush as much pending output as possible.
            if self.pending != 0 {
                self.flush_pending();
                if self.avail_out == 0 {
                    // Avoid BUF_ERROR at the next call.
                    self.last_flush = -1;
                    return Ok(());
                }
            } else if self.avail_in() == 0 && rank(flush) <= rank(old_flush) && flush != Z_FINISH {
                return Ok(()); // Z_BUF_ERROR: nothing to do
            }
            // User must not provide more input after the first FINISH.
            if self.finish_state && self.avail_in() != 0 {
                return Ok(()); // Z_BUF_ERROR
            }
            // Start a new block or continue the current one (lookahead is always 0 here).
            if !(self.avail_in() != 0 || (flush != Z_NO_FLUSH && !self.finish_state)) {
                return Ok(());
            }
        }
        let bstate = self.deflate_stored(flush, out)?;
        if bstate != BlockState::NeedMore {
            self.finish_state = true;
        }
        if bstate != BlockState::FinishDone && self.avail_out == 0 {
            self.last_flush = -1; // avoid BUF_ERROR next call
        }
        // block_done (only returned for Z_PARTIAL/SYNC/FULL_FLUSH/Z_BLOCK) cannot occur, and
        // for a raw stream Z_FINISH ends with Z_STREAM_END without a trailer.
        Ok(())
    }

    /// `flush_pending`: deliver pending bytes into the output space.
    fn flush_pending(&mut self) {
        let len = self.pending.min(self.avail_out);
        self.pending -= len;
        self.avail_out -= len;
    }

    /// Header of a stored block (`_tr_stored_block` / the dummy block deflate_stored patches).
    /// At level 0 only stored blocks are ever written and each ends byte-aligned, so
    /// `bi_valid` is always 0: the 3 header bits take one byte and the header is 5 bytes,
    /// which is the `(bi_valid + 42) >> 3` deflate_stored reserves.
    fn stored_header(out: &mut Vec<u8>, len: u64, last: bool) {
        out.push(last as u8); // BFINAL, BTYPE = 00, padded by bi_windup
        let len = len as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
    }

    /// Copies without compression as much as possible from the input stream
    /// (`deflate_stored`). Err means suspended at the top of the copy loop; calling again
    /// resumes there.
    fn deflate_stored(&mut self, flush: i32, out: &mut Vec<u8>) -> Result<BlockState, Suspended> {
        const HEADER: u64 = 42 >> 3; // (bi_valid + 42) >> 3 with bi_valid == 0

        // Smallest worthy block size when not flushing or finishing: 32K here.
        let min_block = (PENDING_BUF_SIZE - 5).min(WSIZE as u64);

        // Copy as many min_block or larger stored blocks directly to next_out as possible.
        // If flushing, copy the remaining available input to next_out as stored blocks, if
        // there is enough space.
        let mut last = false;
        // zlib computes `used` as avail_in at entry minus avail_in at exit; here it is
        // counted as the direct copies happen, and survives a suspension.
        let mut used = self.resume_used.take().unwrap_or(0);
        loop {
            if !self.enough() {
                self.resume_used = Some(used);
                return Err(Suspended);
            }
            // Set len to the maximum size block that we can copy directly with the available
            // input data and output space. Set left to how much of that would be copied
            // from what's left in the window.
            let mut len = MAX_STORED;
            if self.avail_out < HEADER {
                break; // need room for header
            }
            let have = self.avail_out - HEADER; // max stored block length fitting avail_out
            let mut left = (self.strstart - self.block_start) as u64; // bytes left in window
            let avail_in = self.avail_in();
            if len > left + avail_in {
                len = left + avail_in; // limit len to the input
            }
            if len > have {
                len = have; // limit len to the output
            }

            // If the stored block would be less than min_block in length, or if unable to
            // copy all of the available input when flushing, then try copying to the window
            // and the pending buffer instead. Also don't write an empty block when flushing
            // -- deflate() does that.
            if len < min_block
                && ((len == 0 && flush != Z_FINISH)
                    || flush == Z_NO_FLUSH
                    || len != left + avail_in)
            {
                break;
            }

            // Make the stored block header in pending, then flush it.
            last = flush == Z_FINISH && len == left + avail_in;
            Self::stored_header(out, len, last);
            self.pending += HEADER;
            self.flush_pending();

            // Copy uncompressed bytes from the window to next_out.
            if left != 0 {
                left = left.min(len);
                let start = self.block_start;
                out.extend_from_slice(&self.window[start..start + left as usize]);
                self.avail_out -= left;
                self.block_start += left as usize;
                len -= left;
            }
            // Copy uncompressed bytes directly from next_in to next_out.
            if len != 0 {
                self.read_buf_to(out, len as usize);
                self.avail_out -= len;
                used += len;
            }
            if last {
                break;
            }
        }

        // Update the sliding window with the last s->w_size bytes of the copied data, or
        // append all of the copied data to the existing window if less than s->w_size bytes
        // were copied (positions only: see the module notes on window content).
        if used != 0 {
            let used = used as usize;
            // If any input was used, then no unused input remains in the window, therefore
            // block_start == strstart.
            if used >= WSIZE {
                self.matches = 2; // clear hash
                self.strstart = WSIZE;
                self.insert = self.strstart;
            } else {
                if WINDOW_SIZE - self.strstart <= used {
                    // Slide the window down.
                    self.strstart -= WSIZE;
                    if self.matches < 2 {
                        self.matches += 1; // add a pending slide_hash()
                    }
                    if self.insert > self.strstart {
                        self.insert = self.strstart;
                    }
                }
                self.strstart += used;
                self.insert += used.min(WSIZE - self.insert);
            }
            self.block_start = self.strstart;
        }

        // If the last block was written to next_out, then done.
        if last {
            return Ok(BlockState::FinishDone);
        }
        // (The "flushing and all input consumed" early return concerns only Z_PARTIAL,
        // Z_SYNC, Z_FULL_FLUSH and Z_BLOCK.)

        // Fill the window with any remaining input.
        let mut have = (WINDOW_SIZE - self.strstart) as u64;
        if self.avail_in() > have && self.block_start >= WSIZE {
            // Slide the window down.
            self.block_start -= WSIZE;
            self.strstart -= WSIZE;
            self.window.copy_within(WSIZE..WSIZE + self.strstart, 0);
            if self.matches < 2 {
                self.matches += 1; // add a pending slide_hash()
            }
            have += WSIZE as u64; // more space now
            if self.insert > self.strstart {
                self.insert = self.strstart;
            }
        }
        have = have.min(self.avail_in());
        if have != 0 {
            let have = have as usize;
            let at = self.strstart;
            self.window[at..at + have]
                .copy_from_slice(&self.held[self.held_pos..self.held_pos + have]);
            self.held_pos += have;
            self.slice_left -= have as u64;
            self.strstart += have;
            self.insert += have.min(WSIZE - self.insert);
        }

        // There was not enough avail_out to write a complete worthy or flushed stored block
        // to next_out. Write a stored block to pending instead, if we have enough input for
        // a worthy block, or if flushing and there is enough room for the remaining input as
        // a stored block in the pending buffer.
        let have = (PENDING_BUF_SIZE - HEADER).min(MAX_STORED); // max block fitting pending
        let min_block = have.min(WSIZE as u64);
        let left = (self.strstart - self.block_start) as u64;
        if left >= min_block
            || ((left != 0 || flush == Z_FINISH)
                && flush != Z_NO_FLUSH
                && self.avail_in() == 0
                && left <= have)
        {
            let len = left.min(have);
            last = flush == Z_FINISH && self.avail_in() == 0 && len == left;
            Self::stored_header(out, len, last);
            let start = self.block_start;
            out.extend_from_slice(&self.window[start..start + len as usize]);
            self.pending += HEADER + len;
            self.block_start += len as usize;
            self.flush_pending();
        }

        // We've done all we can with the available input and output.
        Ok(if last {
            BlockState::FinishStarted
        } else {
            BlockState::NeedMore
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_blocks(z: &[u8]) -> Vec<(bool, usize)> {
        let mut blocks = Vec::new();
        let mut i = 0;
        while i < z.len() {
            let len = u16::from_le_bytes([z[i + 1], z[i + 2]]) as usize;
            assert_eq!(!u16::from_le_bytes([z[i + 3], z[i + 4]]) as usize, len);
            blocks.push((z[i] == 1, len));
            i += 5 + len;
        }
        blocks
    }

    #[test]
    fn block_sizes_follow_cpython_buffers() {
        // Block structure of zlib.compressobj(0, DEFLATED, -15).compress(data) + flush()
        // under CPython 3.11 / zlib 1.2.13, for data of the given sizes.
        let cases: [(usize, &[(bool, usize)]); 5] = [
            (1000, &[(true, 1000)]),
            (32768, &[(false, 32768), (true, 0)]),
            (65537, &[(false, 65531), (true, 6)]),
            (100_000, &[(false, 65531), (false, 32773), (true, 1696)]),
            (
                200_000,
                &[
                    (false, 65531),
                    (false, 32773),
                    (false, 65535),
                    (false, 36161),
                    (true, 0),
                ],
            ),
        ];
        for (n, want) in cases {
            let data = vec![0x5a; n];
            let mut s = Stored::new();
            let mut out = Vec::new();
            s.write(&data, &mut out);
            s.finish(&mut out);
            assert_eq!(stored_blocks(&out), want, "{n} bytes");
        }
    }

    #[test]
    fn held_input_stays_bounded_and_chunking_does_not_matter() {
        let data: Vec<u8> = (0..6_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut whole = Vec::new();
        let mut s = Stored::new();
        s.write(&data, &mut whole);
        s.finish(&mut whole);
        assert!(
            s.held.capacity() <= 2 * LOOKAHEAD_BOUND + 64,
            "{}",
            s.held.capacity()
        );

        let mut pieces = Vec::new();
        let mut s = Stored::new();
        let mut at = 0;
        let mut step = 1usize;
        while at < data.len() {
            let n = step.min(data.len() - at);
            s.write(&data[at..at + n], &mut pieces);
            at += n;
            step = (step * 7 + 3) % 150_001;
            assert!(
                s.held.capacity() <= 2 * LOOKAHEAD_BOUND + 64,
                "{}",
                s.held.capacity()
            );
        }
        s.finish(&mut pieces);
        assert_eq!(pieces, whole);
    }
}
