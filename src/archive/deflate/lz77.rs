//! The string-matching half of the port for levels 1-9: zlib's deflate.c window, hash
//! chains, `fill_window`, `longest_match`, `deflate_fast` and `deflate_slow`.
//!
//! An altered, independent Rust implementation of the algorithm of zlib's deflate.c (see the
//! licence notice in `mod.rs`); it is not the original software.
//!
//! Parameters are fixed to what `deflateInit2(level, Z_DEFLATED, -15, 8,
//! Z_DEFAULT_STRATEGY)` sets up: w_bits 15, hash_bits = memLevel + 7 = 15, hash_shift 5,
//! lit_bufsize = 1 << (memLevel + 6) = 16384.
//!
//! How input arrives: zlib, driven as CPython's `compressobj.compress(data)` drives it, sees
//! all of the input at once, so each `fill_window()` call either fills the window to its
//! end or reads the rest of the input. This port reproduces that whatever the chunking of
//! `write()` calls: when the window cannot be filled from the chunk at hand, `fill_window`
//! keeps what it read, reports "incomplete", and the match loop does not run until the next
//! chunk completes the fill (or `finish()` declares the input over). Everything that
//! depends on when a fill happens (the window slide, `block_start` going negative, the
//! `high_water` zeroing) therefore happens exactly where it happens in zlib fed the whole
//! input, and the output is a function of the concatenated input alone.
//!
//! Other departures from the C structure, none of which changes output:
//! - No rolling `ins_h`. zlib's `UPDATE_HASH` with hash_shift 5 and a 15-bit mask shifts a
//!   byte out after three updates, so `ins_h` after inserting the string at `p` is always
//!   `((w[p] << 10) ^ (w[p+1] << 5) ^ w[p+2]) & 0x7fff`; `insert_string` computes that
//!   directly. (This also makes the `ins_h` re-initialisation in fill_window and after long
//!   matches in deflate_fast unnecessary.)
//! - Flushes: only Z_FINISH, or Z_SYNC_FLUSH once the input is complete (the stream then
//!   ends there too). `s->insert` is therefore only non-zero while input is still coming
//!   after `deflateSetDictionary`, which leaves the dictionary's last two strings for
//!   fill_window's catch-up insertion.
//! - `longest_match` compares eight bytes at a time; it computes the same match length as
//!   zlib's byte loop (the common prefix, capped at MAX_MATCH, with byte 2 taken as equal
//!   because the hash guarantees it), so it picks the same match.
//! - A second link per position, `prev2` (two steps down the chain), lets `walk_chain`
//!   walk a chain as two interleaved ones, so that the latency of each link's load no
//!   longer bounds the search (levels 1-7: level 6 +19%). It visits the same candidates
//!   in the same order (the argument is at `walk_chain`; a unit test compares it with
//!   the plain walk).
//! - Levels 8 and 9 (chains of 1024 and 4096 steps) keep a second index zlib does not have:
//!   chains of positions by a hash of their first four bytes, plus insertion counts of
//!   zlib's chains. Once a match of MIN_MATCH is in hand, only candidates sharing four bytes
//!   with the string can improve on it, so `longest_match` walks that shorter chain and uses
//!   the counts to stop exactly where zlib's `chain_length` and `limit` would. It visits a
//!   subsequence of zlib's candidates, in zlib's order, containing every candidate that can
//!   change the result: the chosen match is the same (the argument is spelled out in
//!   `longest_match`; a unit test also runs every lazy level with and without the index).

use super::trees::{Trees, MAX_MATCH, MIN_MATCH};
use super::{CompressFunc, Config, CONFIGURATION_TABLE};

/// w_size: the LZ77 window size (32K), from windowBits 15.
const WSIZE: usize = 1 << 15;
const WMASK: usize = WSIZE - 1;
/// window_size: zlib keeps twice the window so it can slide by WSIZE.
const WINDOW_SIZE: usize = 2 * WSIZE;
/// Allocated window length. The slack past WINDOW_SIZE lets `longest_match` read whole
/// words beyond the last byte zlib would compare (such bytes never change a match length),
/// and makes every index of the form `(x & 0xffff) + (y & 0x3ff)` provably in bounds, so
/// the compiler drops the bounds checks in the hot loops.
const WINDOW_ALLOC: usize = WINDOW_SIZE + 2048;
const HASH_BITS: usize = 15; // memLevel + 7
const HASH_SIZE: usize = 1 << HASH_BITS;
/// Tail of hash chains.
const NIL: usize = 0;
/// Size of the four-byte index's head table (see `longest_match`).
const HASH4_BITS: u32 = 16;
const HASH4_SIZE: usize = 1 << HASH4_BITS;
/// Minimum amount of lookahead, except at the end of the input.
const MIN_LOOKAHEAD: usize = MAX_MATCH + MIN_MATCH + 1;
/// Match distances are limited to MAX_DIST instead of WSIZE.
const MAX_DIST: usize = WSIZE - MIN_LOOKAHEAD;
/// Matches of length 3 are discarded if their distance exceeds TOO_FAR.
const TOO_FAR: usize = 4096;
/// Bytes after the end of the data that fill_window zeroes (WIN_INIT = MAX_MATCH).
const WIN_INIT: usize = MAX_MATCH;
/// lit_bufsize: 1 << (memLevel + 6).
pub(super) const LIT_BUFSIZE: usize = 1 << 14;

/// The string-matching state of `deflate_state` plus its trees.
pub(super) struct Lz77 {
    /// Sliding window: input is read into the upper half and slid down when needed.
    window: Box<[u8; WINDOW_ALLOC]>,
    /// Link to an older string with the same hash, indexed by position & WMASK.
    prev: Box<[u16; WSIZE]>,
    /// Heads of the hash chains, or NIL.
    head: Box<[u16; HASH_SIZE]>,
    /// Four-byte index (not in zlib; see `longest_match`): heads of chains of inserted
    /// positions whose first four bytes hash alike.
    head4: Box<[u16; HASH4_SIZE]>,
    /// Links of those chains, indexed like `prev`.
    prev4: Box<[u16; WSIZE]>,
    /// Number of insertions so far into each of zlib's hash chains (wrapping).
    chain_count: Box<[u16; HASH_SIZE]>,
    /// `chain_count` of its chain just after a position was inserted, indexed like `prev`.
    chain_seq: Box<[u16; WSIZE]>,
    /// Whether the four-byte index is kept (levels where it pays off).
    use_index4: bool,
    /// A dictionary string whose four-byte index entry waits for the next input byte.
    index4_pending: Option<usize>,
    /// The link two steps down the chain, `prev[prev[p]]` as it was when p was inserted
    /// (see `walk_chain`), indexed like `prev`.
    prev2: Box<[u16; WSIZE]>,
    /// Start of string to insert.
    strstart: usize,
    /// Window position at the beginning of the current output block; negative once the
    /// block's start has been slid out of the window.
    block_start: isize,
    /// Number of valid bytes ahead in the window.
    lookahead: usize,
    /// Start of matching string.
    match_start: usize,
    /// Length of best match.
    match_length: usize,
    /// Previous match (deflate_slow).
    prev_match: usize,
    /// Set if a previous match exists (deflate_slow).
    match_available: bool,
    /// Length of the best match at the previous step.
    prev_length: usize,
    /// Bytes at the end of the window not yet inserted into the hash (see module notes).
    insert: usize,
    /// High water mark of window bytes ever written or zeroed (zlib's WIN_INIT logic).
    high_water: usize,
    config: Config,
    /// How the end of the input ends the output: Z_FINISH or Z_SYNC_FLUSH.
    ending: Ending,
    pub(super) trees: Trees,
}

/// The flush mode `compress` runs under once the input is complete.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Z_FINISH: the last block.
    Finish,
    /// Z_SYNC_FLUSH: pending symbols as a non-last block, then an empty stored block that
    /// byte-aligns the output, so another stream's blocks can follow.
    Sync,
}

/// A zero-filled fixed-size array on the heap.
fn boxed_array<T: Copy + Default, const N: usize>() -> Box<[T; N]> {
    match vec![T::default(); N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a Vec of length N converts to [T; N]"),
    }
}

/// `slide_hash` on one table: a position m becomes m - WSIZE, or NIL (0) if m < WSIZE. As
/// WSIZE is 0x8000 that is "keep the low 15 bits if bit 15 is set, else 0", done here on
/// four 16-bit entries per u64 because the release profile (opt-level "s") does not
/// auto-vectorise, and this runs over 64K entries for every 32K of input.
fn slide_positions(table: &mut [u16]) {
    const TOP_BITS: u64 = 0x8000_8000_8000_8000;
    let mut quads = table.chunks_exact_mut(4);
    for q in &mut quads {
        let x =
            u64::from(q[0]) | u64::from(q[1]) << 16 | u64::from(q[2]) << 32 | u64::from(q[3]) << 48;
        // Each lane's top bit, moved to bit 0 and multiplied by 0x7fff: a 0x7fff mask for
        // lanes >= WSIZE and 0 for the others; no lane can carry into the next.
        let y = x & ((x & TOP_BITS) >> 15).wrapping_mul(0x7fff);
        q[0] = y as u16;
        q[1] = (y >> 16) as u16;
        q[2] = (y >> 32) as u16;
        q[3] = (y >> 48) as u16;
    }
    for p in quads.into_remainder() {
        *p = p.saturating_sub(WSIZE as u16);
    }
}

/// zlib's hash of the three bytes starting at a position, see the module notes.
#[inline(always)]
fn hash3(b0: u8, b1: u8, b2: u8) -> usize {
    (((b0 as usize) << 10) ^ ((b1 as usize) << 5) ^ (b2 as usize)) & (HASH_SIZE - 1)
}

/// Two window bytes at `at`, for comparing pairs at once.
#[inline(always)]
fn load_u16(window: &[u8; WINDOW_ALLOC], at: usize) -> u16 {
    u16::from_le_bytes([window[at], window[at + 1]])
}

/// The running result of `longest_match`.
struct Best {
    /// best_len: best match length so far.
    len: usize,
    /// match_start of that match.
    start: usize,
    /// best_len - 1, where the (scan_end1, scan_end) pair is compared.
    end_at: usize,
    /// The scan's bytes at end_at.
    scan_end: u16,
}

/// Four window bytes at `at`.
#[inline(always)]
fn load_u32(window: &[u8; WINDOW_ALLOC], at: usize) -> u32 {
    u32::from_le_bytes([window[at], window[at + 1], window[at + 2], window[at + 3]])
}

/// Hash of four bytes for the four-byte index.
#[inline(always)]
fn hash4(four: u32) -> usize {
    (four.wrapping_mul(0x9E37_79B1) >> (32 - HASH4_BITS)) as usize
}

/// Eight window bytes at `at`.
#[inline(always)]
fn load_u64(window: &[u8; WINDOW_ALLOC], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&window[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Number of equal bytes at `scan + 3 ..` and `cand + 3 ..`, at most MAX_MATCH - 3: the
/// part of zlib's match length after the three bytes the hash chain already guarantees.
/// `scan` and `cand` are below 2^16, so every read is inside WINDOW_ALLOC.
#[inline(always)]
fn match_tail(window: &[u8; WINDOW_ALLOC], scan: usize, cand: usize) -> usize {
    const MAX: usize = MAX_MATCH - 3;
    let (scan, cand) = (scan & 0xffff, cand & 0xffff);
    let mut i = 0;
    while i < MAX {
        let x = load_u64(window, scan + 3 + i) ^ load_u64(window, cand + 3 + i);
        if x != 0 {
            return (i + (x.trailing_zeros() / 8) as usize).min(MAX);
        }
        i += 8;
    }
    MAX
}

/// One step of zlib's `longest_match` loop: whether the candidate at `cand` improves on
/// `best` (updating it); true when the match is long enough to stop. A function that is
/// always inlined, so that `best` can stay in registers (as a closure at opt-level "s" it
/// was a call per candidate and kept `best` in memory).
#[inline(always)]
fn consider_candidate(
    window: &[u8; WINDOW_ALLOC],
    scan: usize,
    scan_start: u16,
    nice_match: usize,
    best: &mut Best,
    cand: usize,
) -> bool {
    // Skip to the next match if the match length cannot increase or if the match length
    // is less than 2.
    if load_u16(window, cand + (best.end_at & 0x3ff)) == best.scan_end
        && load_u16(window, cand) == scan_start
    {
        // Bytes 0 and 1 are equal and, since the hash keys are equal and HASH_BITS >= 8,
        // so is byte 2: compare from byte 3 on, up to MAX_MATCH.
        let len = 3 + match_tail(window, scan, cand);
        if len > best.len {
            best.start = cand;
            best.len = len;
            if len >= nice_match {
                return true;
            }
            best.end_at = len.wrapping_sub(1) & 0x3ff;
            best.scan_end = load_u16(window, scan + best.end_at);
        }
    }
    false
}

/// zlib's chain walk, from `head` (always examined) down the chain while candidates are
/// above `limit`, at most `chain_length` of them, stopping when `consider` says the match
/// is long enough. `consider(best, cand, cand_end)` gets each candidate with its two
/// bytes at best.end_at, loaded ahead of time.
///
/// The walk is bound by the latency of each link's load, so it is done as two
/// interleaved walks: `prev2[c]` is `prev[prev[c]]` as it was when c was inserted, and
/// gives c(k+2) from c(k) directly, making the even and the odd candidates two
/// independent chains of loads the processor overlaps. The candidates and their order
/// are those of the plain walk: prev2[c] is only read when prev[c] is above limit, and
/// the slot of prev[x] is reused only once x is WSIZE behind the newest position, below
/// limit, so prev[prev[c]] has not changed since c was inserted (sliding maps both
/// tables alike).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn walk_chain(
    window: &[u8; WINDOW_ALLOC],
    prev: &[u16; WSIZE],
    prev2: &[u16; WSIZE],
    head: usize,
    limit: usize,
    mut chain_length: u32,
    best: &mut Best,
    mut consider: impl FnMut(&mut Best, usize, u16) -> bool,
) {
    let end_of = |c: usize, best: &Best| load_u16(window, (c & 0xffff) + (best.end_at & 0x3ff));
    #[cfg(test)]
    if tests::PLAIN_WALK.get() {
        // The reference: one link at a time.
        let mut cand = head & 0xffff;
        loop {
            let cand_end = end_of(cand, best);
            if consider(best, cand, cand_end) {
                return;
            }
            cand = prev[cand & WMASK] as usize;
            chain_length = chain_length.wrapping_sub(1);
            if cand <= limit || chain_length == 0 {
                return;
            }
        }
    }
    let (mut even, mut odd) = (head & 0xffff, prev[head & WMASK] as usize);
    loop {
        let (even_next, odd_next) = (prev2[even & WMASK] as usize, prev2[odd & WMASK] as usize);
        let odd_end = end_of(odd, best);
        let end_at = best.end_at;
        let even_end = end_of(even, best);
        if consider(best, even, even_end) || odd <= limit {
            return;
        }
        chain_length = chain_length.wrapping_sub(1);
        if chain_length == 0 {
            return;
        }
        let odd_end = if best.end_at == end_at {
            odd_end
        } else {
            end_of(odd, best)
        };
        if consider(best, odd, odd_end) || even_next <= limit {
            return;
        }
        chain_length = chain_length.wrapping_sub(1);
        if chain_length == 0 {
            return;
        }
        (even, odd) = (even_next, odd_next);
    }
}

impl Lz77 {
    pub(super) fn new(level: u8) -> Self {
        let mut s = Lz77 {
            window: boxed_array(),
            prev: boxed_array(),
            head: boxed_array(),
            head4: boxed_array(),
            prev4: boxed_array(),
            chain_count: boxed_array(),
            chain_seq: boxed_array(),
            use_index4: false,
            index4_pending: None,
            prev2: boxed_array(),
            strstart: 0,
            block_start: 0,
            lookahead: 0,
            match_start: 0,
            match_length: 0,
            prev_match: 0,
            match_available: false,
            prev_length: 0,
            insert: 0,
            high_water: 0,
            config: CONFIGURATION_TABLE[level as usize],
            ending: Ending::Finish,
            trees: Trees::new(LIT_BUFSIZE),
        };
        s.reset(level);
        s
    }

    /// deflateReset for a fresh stream (`deflateResetKeep` + `lm_init`), keeping the buffers.
    /// `high_water` goes back to 0 as in a freshly allocated stream, so the WIN_INIT zeroing
    /// hides whatever the previous stream left in the window exactly as it hides zlib's
    /// uninitialised memory.
    pub(super) fn reset(&mut self, level: u8) {
        self.trees.reset();
        self.config = CONFIGURATION_TABLE[level as usize];
        self.head.fill(NIL as u16); // CLEAR_HASH
                                    // Measured on Python sources and JSON: with levels 8-9's 1024-4096 step chains the
                                    // index saves about a fifth of the time; with shorter chains keeping it up costs
                                    // more than it saves. Its tables stay untouched (zero) at other levels.
        self.use_index4 = self.config.max_chain >= 1024;
        if self.use_index4 {
            self.head4.fill(NIL as u16);
        }
        self.strstart = 0;
        self.block_start = 0;
        self.lookahead = 0;
        self.insert = 0;
        self.match_length = MIN_MATCH - 1;
        self.prev_length = MIN_MATCH - 1;
        self.match_available = false;
        self.match_start = 0;
        self.prev_match = 0;
        self.high_water = 0;
        self.ending = Ending::Finish;
        self.index4_pending = None;
    }

    /// `deflateSetDictionary` on a fresh stream: the last WSIZE bytes of `dict` become the
    /// history that the first matches may refer to, without being output.
    pub(super) fn set_dictionary(&mut self, dict: &[u8]) {
        let mut dict = &dict[dict.len().saturating_sub(WSIZE)..];
        self.fill_window(&mut dict, true);
        while self.lookahead >= MIN_MATCH {
            let end = self.strstart + self.lookahead - (MIN_MATCH - 1);
            for s in self.strstart..end {
                self.insert_string(s);
            }
            self.strstart = end;
            self.lookahead = MIN_MATCH - 1;
            self.fill_window(&mut &[][..], true);
        }
        self.strstart += self.lookahead;
        self.block_start = self.strstart as isize;
        self.insert = self.lookahead;
        self.lookahead = 0;
        self.match_length = MIN_MATCH - 1;
        self.prev_length = MIN_MATCH - 1;
        self.match_available = false;
        // The dictionary's last inserted string has only three bytes so far; its
        // four-byte hash waits for the first byte of input (the catch-up insertion).
        if self.use_index4 && self.insert == MIN_MATCH - 1 && self.strstart >= MIN_MATCH {
            let p = self.strstart - MIN_MATCH;
            let h4 = hash4(load_u32(&self.window, p));
            debug_assert_eq!(self.head4[h4] as usize, p);
            self.head4[h4] = self.prev4[p & WMASK];
            self.index4_pending = Some(p);
        }
    }

    /// deflate(Z_NO_FLUSH) with more input.
    pub(super) fn write(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        loop {
            if self.lookahead < MIN_LOOKAHEAD && !self.fill_window(&mut input, false) {
                return; // the window is not as full as zlib would have it: wait for input
            }
            self.compress(out, false);
        }
    }

    /// deflate(Z_FINISH): the input is complete.
    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        self.end(out, Ending::Finish);
    }

    /// deflate(Z_SYNC_FLUSH) once the input is complete: the output ends on a byte
    /// boundary without a last block, so another stream may continue it.
    pub(super) fn finish_sync(&mut self, out: &mut Vec<u8>) {
        self.end(out, Ending::Sync);
    }

    fn end(&mut self, out: &mut Vec<u8>, ending: Ending) {
        self.ending = ending;
        // Complete the fill_window() call that write() left waiting for input.
        self.fill_window(&mut &[][..], true);
        self.compress(out, true);
    }

    /// The end of deflate_fast/deflate_slow once the input is used up, and for a sync
    /// flush the empty stored block `deflate()` adds after them.
    fn end_blocks(&mut self, out: &mut Vec<u8>) {
        match self.ending {
            Ending::Finish => self.flush_block(out, true),
            Ending::Sync => {
                if self.trees.has_pending_symbols() {
                    self.flush_block(out, false);
                }
                self.trees.tr_stored_block(out, &[], false);
            }
        }
    }

    fn compress(&mut self, out: &mut Vec<u8>, finishing: bool) {
        // Level 0 (deflate_stored) never gets here: `Deflater` sends it to `stored`.
        if self.config.func == CompressFunc::Fast {
            self.deflate_fast(out, finishing)
        } else {
            self.deflate_slow(out, finishing)
        }
    }

    /// Slides the hash table when sliding the window down (`slide_hash`).
    fn slide_hash(&mut self) {
        slide_positions(&mut self.head[..]);
        slide_positions(&mut self.prev[..]);
        if !self.use_index4 {
            slide_positions(&mut self.prev2[..]);
        } else {
            slide_positions(&mut self.head4[..]);
            slide_positions(&mut self.prev4[..]);
        }
    }

    /// Fills the window when the lookahead becomes insufficient (`fill_window`), reading
    /// from `input`. Returns false, having consumed all of `input`, when zlib with the
    /// whole input at hand would have read more than `input` holds and `finishing` is not
    /// set; calling it again with more input continues the same fill (the slide test is
    /// idempotent: after a slide strstart is below the threshold).
    fn fill_window(&mut self, input: &mut &[u8], finishing: bool) -> bool {
        // Amount of free space at the end of the window.
        let mut more = WINDOW_SIZE - self.lookahead - self.strstart;

        // If the window is almost full and there is insufficient lookahead, move the upper
        // half to the lower one to make room in the upper half. Only the WSIZE - more bytes
        // of data in the upper half are copied, as zlib 1.2.12+ does; the rest of the lower
        // half keeps its older bytes, which longest_match can look at near the end.
        if self.strstart >= WSIZE + MAX_DIST {
            self.window.copy_within(WSIZE..WSIZE + (WSIZE - more), 0);
            self.match_start = self.match_start.wrapping_sub(WSIZE);
            self.strstart -= WSIZE; // we now have strstart >= MAX_DIST
            self.block_start -= WSIZE as isize;
            if self.insert > self.strstart {
                self.insert = self.strstart;
            }
            self.slide_hash();
            more += WSIZE;
        }

        let n = more.min(input.len());
        let at = self.strstart + self.lookahead;
        self.window[at..at + n].copy_from_slice(&input[..n]);
        *input = &input[n..];
        self.lookahead += n;

        // Strings at the end of a preset dictionary wait for the bytes that follow them
        // before they can be hashed (zlib's catch-up insertion; `insert` is zero otherwise).
        if n > 0 {
            if let Some(p) = self.index4_pending.take() {
                self.insert_index4(p);
            }
        }
        if n > 0 && self.lookahead + self.insert >= MIN_MATCH {
            let mut str = self.strstart - self.insert;
            while self.insert > 0 {
                self.insert_string(str);
                str += 1;
                self.insert -= 1;
                if self.lookahead + self.insert < MIN_MATCH {
                    break;
                }
            }
        }
        if n < more && !finishing {
            return false;
        }

        // If the WIN_INIT bytes after the end of the current data have never been written,
        // zero them, and update the high water mark.
        if self.high_water < WINDOW_SIZE {
            let curr = self.strstart + self.lookahead;
            if self.high_water < curr {
                // Previous high water mark below current data: zero WIN_INIT bytes or up to
                // the end of the window, whichever is less.
                let init = (WINDOW_SIZE - curr).min(WIN_INIT);
                self.window[curr..curr + init].fill(0);
                self.high_water = curr + init;
            } else if self.high_water < curr + WIN_INIT {
                // High water mark at or above current data, but below current data plus
                // WIN_INIT: zero out to current data plus WIN_INIT, or up to the end of the
                // window, whichever is less.
                let init = (curr + WIN_INIT - self.high_water).min(WINDOW_SIZE - self.high_water);
                self.window[self.high_water..self.high_water + init].fill(0);
                self.high_water += init;
            }
        }
        true
    }

    /// Inserts the string at `s` in the dictionary and returns the previous head of its
    /// hash chain (`INSERT_STRING`).
    #[inline(always)]
    fn insert_string(&mut self, s: usize) -> usize {
        let s = s & 0xffff; // positions are below WINDOW_SIZE
        let h = hash3(self.window[s], self.window[s + 1], self.window[s + 2]);
        let head = self.head[h];
        self.prev[s & WMASK] = head;
        self.head[h] = s as u16;
        if !self.use_index4 {
            self.prev2[s & WMASK] = self.prev[head as usize & WMASK];
        } else {
            let count = self.chain_count[h].wrapping_add(1);
            self.chain_count[h] = count;
            self.chain_seq[s & WMASK] = count;
            self.insert_index4(s);
        }
        head as usize
    }

    /// The four-byte index's part of `insert_string`.
    #[inline(always)]
    fn insert_index4(&mut self, s: usize) {
        let s = s & 0xffff;
        let h4 = hash4(load_u32(&self.window, s));
        self.prev4[s & WMASK] = self.head4[h4];
        self.head4[h4] = s as u16;
    }

    /// Sets match_start to the longest match starting at the given string and returns its
    /// length; matches no longer than prev_length are discarded, in which case the result
    /// is prev_length (`longest_match`). The result never exceeds lookahead.
    #[inline(always)]
    fn longest_match(&mut self, cur_match: usize) -> usize {
        let mut chain_length = self.config.max_chain as u32; // max hash chain length
        let strstart = self.strstart;
        let best_len = self.prev_length; // best match length so far
        let mut nice_match = self.config.nice_length as usize; // stop if match long enough

        // Stop when cur_match becomes <= limit. To simplify the code, zlib prevents matches
        // with the string of window index 0.
        let limit = strstart.saturating_sub(MAX_DIST);

        // Do not waste too much time if we already have a good match.
        if self.prev_length >= self.config.good_length as usize {
            chain_length >>= 2;
        }
        // Do not look for matches beyond the end of the input. This is necessary to make
        // deflate deterministic.
        if nice_match > self.lookahead {
            nice_match = self.lookahead;
        }

        // Positions are below 2^16 and best_len is at most MAX_MATCH; the masks only tell
        // the compiler so (see WINDOW_ALLOC).
        let window = &*self.window;
        let prev = &*self.prev;
        let scan = strstart & 0xffff;
        let mut cur_match = cur_match & 0xffff;
        // zlib's scan_end1/scan_end (bytes best_len - 1 and best_len) as one pair, and the
        // first two bytes as another.
        let mut best = Best {
            len: best_len,
            start: self.match_start,
            end_at: best_len.wrapping_sub(1) & 0x3ff,
            scan_end: 0,
        };
        best.scan_end = load_u16(window, scan + best.end_at);
        let scan_start = load_u16(window, scan);
        let consider = |best: &mut Best, cand: usize| -> bool {
            consider_candidate(window, scan, scan_start, nice_match, best, cand)
        };

        'search: {
            if !self.use_index4 {
                // zlib's loop. The two-byte pre-test (scan_end and the first two bytes) is
                // repeated inside `consider`, which keeps one candidate test for both
                // walks at the cost of two loads on the rare path.
                walk_chain(
                    window,
                    prev,
                    &self.prev2,
                    cur_match,
                    limit,
                    chain_length,
                    &mut best,
                    |best, cand, cand_end| {
                        cand_end == best.scan_end
                            && load_u16(window, cand) == scan_start
                            && consider(best, cand)
                    },
                );
                break 'search;
            }

            // The same search with the four-byte index. zlib's loop visits the chain
            // c1 = cur_match (always), then c2 = prev[c1], ... while c_k > limit and
            // k <= chain_length.
            // Once best.len >= MIN_MATCH only a candidate whose first four bytes equal the
            // scan's can improve on it, and every such candidate sits on the scan's
            // four-byte chain; the others leave the state untouched in zlib too. So the
            // four-byte chain is walked instead, in the same (descending) order, keeping the
            // candidates that are on zlib's chain (equal first four bytes imply the same
            // 3-byte hash) and within its reach: c > limit and, with k computed from the
            // insertion counts of zlib's chain (which holds every insertion into that hash
            // bucket, in order), k <= chain_length. The counts wrap at 2^16, which is
            // harmless: candidates above limit are fewer than 2^15 insertions back.
            let seq = &*self.chain_seq;
            let prev4 = &*self.prev4;
            let head = cur_match;
            let head_seq = seq[head & WMASK];
            let scan4 = load_u32(window, scan);
            let mut cand = if best.len < MIN_MATCH {
                // Until something of MIN_MATCH is found, any candidate may improve: run
                // zlib's loop.
                let mut left = chain_length;
                loop {
                    if consider(&mut best, cur_match) {
                        break 'search;
                    }
                    if best.len >= MIN_MATCH {
                        break;
                    }
                    cur_match = prev[cur_match & WMASK] as usize;
                    if cur_match <= limit {
                        break 'search;
                    }
                    left = left.wrapping_sub(1);
                    if left == 0 {
                        break 'search;
                    }
                }
                // Go on below cur_match. If it shares four bytes with the scan it is on the
                // scan's four-byte chain; otherwise nothing between it and the scan is (such
                // a position would have been visited, and matched, first), apart from hash
                // collisions, which are skipped.
                if load_u32(window, cur_match) == scan4 {
                    prev4[cur_match & WMASK] as usize
                } else {
                    let mut c = prev4[scan & WMASK] as usize;
                    while c > limit && c >= cur_match {
                        c = prev4[c & WMASK] as usize;
                    }
                    c
                }
            } else {
                prev4[scan & WMASK] as usize
            };
            // zlib's do-while examines the head even when it lies exactly at limit (distance
            // MAX_DIST); every later candidate must be above limit.
            while cand > limit || (cand == head && head != NIL) {
                if load_u32(window, cand) == scan4 {
                    let k = u32::from(head_seq.wrapping_sub(seq[cand & WMASK])) + 1;
                    if k > chain_length || consider(&mut best, cand) {
                        break;
                    }
                }
                cand = prev4[cand & WMASK] as usize;
            }
        }
        self.match_start = best.start;
        best.len.min(self.lookahead)
    }

    /// Flushes the current block, with given end-of-file flag (`FLUSH_BLOCK_ONLY`). Output is
    /// never limited here, so zlib's `FLUSH_BLOCK` early return cannot happen.
    fn flush_block(&mut self, out: &mut Vec<u8>, last: bool) {
        let stored_len = self.strstart as isize - self.block_start;
        let buf = if self.block_start >= 0 {
            let start = self.block_start as usize;
            Some(&self.window[start..start + stored_len as usize])
        } else {
            None
        };
        self.trees.tr_flush_block(out, buf, stored_len as u64, last);
        self.block_start = self.strstart as isize;
    }

    /// The top of zlib's match loops: make sure there is enough lookahead. Returns false
    /// when the loop must stop: either to wait for input (`need_more` under Z_NO_FLUSH; the
    /// driver then runs fill_window) or because the input is exhausted under Z_FINISH.
    #[inline(always)]
    fn ensure_lookahead(&mut self, finishing: bool) -> bool {
        if self.lookahead < MIN_LOOKAHEAD {
            if !finishing {
                return false;
            }
            self.fill_window(&mut &[][..], true);
            if self.lookahead == 0 {
                return false;
            }
        }
        true
    }

    /// Compresses as much as possible without lazy matching (`deflate_fast`, levels 1-3).
    /// New strings are inserted in the dictionary only for unmatched strings or for short
    /// matches.
    // Not inlined into `compress`, nor is deflate_slow: compiled as one function, the two
    // loops share one register allocation, and level 6 measured 12% slower.
    #[inline(never)]
    fn deflate_fast(&mut self, out: &mut Vec<u8>, finishing: bool) {
        loop {
            // Make sure that we always have enough lookahead, except at the end of the
            // input: MAX_MATCH bytes for the next match, plus MIN_MATCH bytes to insert the
            // string following the next match.
            if !self.ensure_lookahead(finishing) {
                if !finishing {
                    return;
                }
                break;
            }

            // Insert the string window[strstart .. strstart + 2] in the dictionary, and set
            // hash_head to the head of the hash chain.
            let mut hash_head = NIL;
            if self.lookahead >= MIN_MATCH {
                hash_head = self.insert_string(self.strstart);
            }

            // Find the longest match, discarding those <= prev_length. At this point we
            // always have match_length < MIN_MATCH.
            if hash_head != NIL && self.strstart - hash_head <= MAX_DIST {
                self.match_length = self.longest_match(hash_head);
            }
            let bflush;
            if self.match_length >= MIN_MATCH {
                bflush = self.trees.tr_tally_dist(
                    self.strstart - self.match_start,
                    self.match_length - MIN_MATCH,
                );
                self.lookahead -= self.match_length;

                // Insert new strings in the hash table only if the match length is not too
                // large (max_insert_length is max_lazy_match for deflate_fast).
                if self.match_length <= self.config.max_lazy as usize && self.lookahead >= MIN_MATCH
                {
                    self.match_length -= 1; // string at strstart already in table
                    loop {
                        self.strstart += 1;
                        self.insert_string(self.strstart);
                        self.match_length -= 1;
                        if self.match_length == 0 {
                            break;
                        }
                    }
                    self.strstart += 1;
                } else {
                    self.strstart += self.match_length;
                    self.match_length = 0;
                }
            } else {
                // No match, output a literal byte.
                bflush = self.trees.tr_tally_lit(self.window[self.strstart]);
                self.lookahead -= 1;
                self.strstart += 1;
            }
            if bflush {
                self.flush_block(out, false);
            }
        }
        self.insert = self.strstart.min(MIN_MATCH - 1);
        self.end_blocks(out);
    }

    /// Same as deflate_fast, but achieves better compression through lazy evaluation of
    /// matches: a match is finally adopted only if there is no better match at the next
    /// window position (`deflate_slow`, levels 4-9).
    #[inline(never)]
    fn deflate_slow(&mut self, out: &mut Vec<u8>, finishing: bool) {
        loop {
            if !self.ensure_lookahead(finishing) {
                if !finishing {
                    return;
                }
                break;
            }

            let mut hash_head = NIL;
            if self.lookahead >= MIN_MATCH {
                hash_head = self.insert_string(self.strstart);
            }

            // Find the longest match, discarding those <= prev_length.
            self.prev_length = self.match_length;
            self.prev_match = self.match_start;
            self.match_length = MIN_MATCH - 1;

            if hash_head != NIL
                && self.prev_length < self.config.max_lazy as usize
                && self.strstart - hash_head <= MAX_DIST
            {
                self.match_length = self.longest_match(hash_head);

                // Z_DEFAULT_STRATEGY: only a length-3 match that is too far is dropped. If
                // prev_match is also MIN_MATCH, match_start is garbage (hence the wrapping
                // subtraction) but the current match is ignored anyway.
                if self.match_length == MIN_MATCH
                    && self.strstart.wrapping_sub(self.match_start) > TOO_FAR
                {
                    self.match_length = MIN_MATCH - 1;
                }
            }

            // If there was a match at the previous step and the current match is not
            // better, output the previous match.
            if self.prev_length >= MIN_MATCH && self.match_length <= self.prev_length {
                // Do not insert strings in hash table beyond this.
                let max_insert = (self.strstart + self.lookahead).wrapping_sub(MIN_MATCH);

                let bflush = self.trees.tr_tally_dist(
                    self.strstart - 1 - self.prev_match,
                    self.prev_length - MIN_MATCH,
                );

                // Insert in hash table all strings up to the end of the match. strstart - 1
                // and strstart are already inserted. If there is not enough lookahead, the
                // last two strings are not inserted in the hash table.
                self.lookahead -= self.prev_length - 1;
                self.prev_length -= 2;
                loop {
                    self.strstart += 1;
                    if self.strstart <= max_insert {
                        self.insert_string(self.strstart);
                    }
                    self.prev_length -= 1;
                    if self.prev_length == 0 {
                        break;
                    }
                }
                self.match_available = false;
                self.match_length = MIN_MATCH - 1;
                self.strstart += 1;

                if bflush {
                    self.flush_block(out, false);
                }
            } else if self.match_available {
                // If there was no match at the previous position, output a single literal.
                // If there was a match but the current match is longer, truncate the
                // previous match to a single literal.
                let bflush = self.trees.tr_tally_lit(self.window[self.strstart - 1]);
                if bflush {
                    self.flush_block(out, false);
                }
                self.strstart += 1;
                self.lookahead -= 1;
            } else {
                // There is no previous match to compare with, wait for the next step to
                // decide.
                self.match_available = true;
                self.strstart += 1;
                self.lookahead -= 1;
            }
        }
        if self.match_available {
            self.trees.tr_tally_lit(self.window[self.strstart - 1]);
            self.match_available = false;
        }
        self.insert = self.strstart.min(MIN_MATCH - 1);
        self.end_blocks(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// zlib's UPDATE_HASH: h = ((h << hash_shift) ^ c) & hash_mask, hash_shift 5.
    fn update_hash(h: usize, c: u8) -> usize {
        ((h << 5) ^ c as usize) & (HASH_SIZE - 1)
    }

    #[test]
    fn rolling_hash_forgets_all_but_the_last_three_bytes() {
        // The module notes rely on this: whatever ins_h held before, three UPDATE_HASH
        // steps leave the hash of those three bytes alone.
        let mut x = 0x1234_5678_9abc_def0u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let [a, b, c, d, e, ..] = x.to_le_bytes();
            let before = ((d as usize) << 8 | e as usize) & (HASH_SIZE - 1);
            let rolled = update_hash(update_hash(update_hash(before, a), b), c);
            assert_eq!(rolled, hash3(a, b, c));
        }
    }

    #[test]
    fn slide_positions_is_zlibs_slide() {
        let mut table: Vec<u16> = (0..=u16::MAX).chain([0x8000, 0x7fff, 1]).collect();
        let want: Vec<u16> = table
            .iter()
            .map(|&m| {
                if m as usize >= WSIZE {
                    m - WSIZE as u16
                } else {
                    NIL as u16
                }
            })
            .collect();
        slide_positions(&mut table);
        assert_eq!(table, want);
    }

    #[test]
    fn match_tail_is_the_common_prefix_capped_at_max_match() {
        let mut window: Box<[u8; WINDOW_ALLOC]> = boxed_array();
        let mut x = 7u32;
        for b in window.iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *b = (x >> 30) as u8; // small alphabet: long common prefixes are frequent
        }
        for scan in (1000..WINDOW_SIZE - 300).step_by(97) {
            for cand in [scan - 1, scan - 2, scan - 3, scan - 700, 3] {
                let naive = (3..MAX_MATCH)
                    .take_while(|&i| window[scan + i] == window[cand + i])
                    .count();
                assert_eq!(match_tail(&window, scan, cand), naive, "{scan} {cand}");
            }
        }
        // Identical data: the cap.
        window[..WINDOW_SIZE].fill(b'z');
        assert_eq!(match_tail(&window, 5000, 4000), MAX_MATCH - 3);
    }

    /// The four-byte index must not change a single match: run every lazy level with and
    /// without it over data with many near-matches.
    #[test]
    fn four_byte_index_finds_the_same_matches() {
        let mut data = Vec::new();
        let mut x = 99u32;
        while data.len() < 400_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            match x >> 29 {
                0..=2 => data.extend_from_slice(b"def f(x):\n    return x\n"),
                3 => {
                    let from = data.len().saturating_sub(5000);
                    data.extend_from_within(from..from + 40.min(data.len() - from));
                }
                _ => data.push(b"abcde \n"[(x >> 8) as usize % 7]),
            }
        }
        for level in 4..=9 {
            let mut outputs = Vec::new();
            for index4 in [false, true] {
                let mut s = Lz77::new(level);
                s.use_index4 = index4;
                let mut out = Vec::new();
                s.write(&data, &mut out);
                s.finish(&mut out);
                outputs.push(out);
            }
            assert!(outputs[0] == outputs[1], "level {level}: outputs differ");
        }
    }

    /// At least `len` bytes of letters from an `alphabet` of that many, where a third of
    /// the steps copy 3 to 300 bytes from one of `distances` back instead: long chains,
    /// matches at the distance limits, lazy matches and near misses of every length.
    /// `x` is the xorshift32 state, carried from one call to the next.
    fn copies_and_letters(x: &mut u32, alphabet: u32, len: usize, distances: &[usize]) -> Vec<u8> {
        let mut next = |n: u32| {
            *x ^= *x << 13;
            *x ^= *x >> 17;
            *x ^= *x << 5;
            *x % n
        };
        let mut data: Vec<u8> = Vec::new();
        while data.len() < len {
            let d = distances[next(distances.len() as u32) as usize];
            if next(3) == 0 && data.len() > d {
                let n = [3, 4, 5, 9, 40, 258, 300][next(7) as usize];
                let from = data.len() - d;
                for i in 0..n {
                    data.push(data[from + i]);
                }
            } else {
                for _ in 0..1 + next(12) {
                    data.push(b'a'.wrapping_add(next(alphabet) as u8));
                }
            }
        }
        data
    }

    thread_local! {
        /// Makes `walk_chain` walk one link at a time (this thread only).
        pub(super) static PLAIN_WALK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// `walk_chain` walks the chains as two interleaved ones (prev2); the output must be
    /// that of the plain walk at every level that walks them (1-7), on inputs with long
    /// chains, matches at the distance limit and window slides, and on real text.
    /// (tests/deflate_differential.rs checks the bytes themselves against CPython's zlib.)
    #[test]
    fn two_walks_equal_the_plain_walk() {
        let mut x = 0x2545_f491u32;
        let distances = [MAX_DIST, MAX_DIST - 1, MAX_DIST + 1, WSIZE, 1, 4, 300];
        let mut inputs: Vec<Vec<u8>> = [2, 4, 16, 200]
            .iter()
            .map(|&alphabet| copies_and_letters(&mut x, alphabet, 200_000, &distances))
            .collect();
        inputs.push(include_bytes!("lz77.rs").repeat(3));
        inputs.push(include_bytes!("trees.rs").to_vec());
        let mut differing = 0;
        for level in 1..=7 {
            for (i, data) in inputs.iter().enumerate() {
                let mut outputs = Vec::new();
                for plain in [true, false] {
                    PLAIN_WALK.set(plain);
                    let mut st = Lz77::new(level);
                    let mut out = Vec::new();
                    st.write(data, &mut out);
                    st.finish(&mut out);
                    outputs.push(out);
                }
                PLAIN_WALK.set(false);
                if outputs[0] != outputs[1] {
                    eprintln!("level {level}, input {i}: outputs differ");
                    differing += 1;
                }
            }
        }
        assert_eq!(differing, 0);
    }

    /// Randomised: copies from distances at and around MAX_DIST and TOO_FAR, short and long,
    /// over small alphabets, so chain heads at the limit, lazy matches and near-misses of
    /// every length are common; every lazy level with and without the index.
    #[test]
    fn four_byte_index_randomised() {
        let mut x = 0x9e37_79b9u32;
        let distances = [
            MAX_DIST,
            MAX_DIST - 1,
            MAX_DIST + 1,
            TOO_FAR,
            TOO_FAR + 1,
            1,
            3,
            300,
        ];
        for alphabet in [2, 3, 4, 16, 64, 200] {
            let data = copies_and_letters(&mut x, alphabet, 150_000, &distances);
            for level in 4..=9 {
                let mut outputs = Vec::new();
                for index4 in [false, true] {
                    let mut st = Lz77::new(level);
                    st.use_index4 = index4;
                    let mut out = Vec::new();
                    st.write(&data, &mut out);
                    st.finish(&mut out);
                    outputs.push(out);
                }
                assert!(
                    outputs[0] == outputs[1],
                    "alphabet {alphabet} level {level}: outputs differ"
                );
            }
        }
    }

    /// zlib always examines the chain head, even at exactly MAX_DIST (= limit); the
    /// four-byte walk must too. Here the string at `s` matches 16 bytes at `s - MAX_DIST`
    /// while a lazy match of 3 is pending from `s - 1`.
    #[test]
    fn four_byte_index_examines_a_head_at_max_dist() {
        let mut x = 5u32;
        let mut filler = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    b"AB"[(x >> 16) as usize % 2]
                })
                .collect()
        };
        let long: Vec<u8> = (0xf0..=0xff).collect();
        let p = 100;
        let s = p + MAX_DIST;
        let mut data = filler(p);
        data.extend_from_slice(&long);
        data.extend(filler(s - 1000 - data.len()));
        data.extend_from_slice(&[0xe0, 0xf0, 0xf1, 0xe1]); // source of the 3-byte match
        data.extend(filler(s - 2 - data.len()));
        data.extend_from_slice(&[0xe2, 0xe0]); // s - 2, s - 1
        data.extend_from_slice(&long); // s
        data.extend(filler(1000));
        // The premise: `p` heads the string's hash chain at `s`, at distance MAX_DIST.
        let h = |q: usize| hash3(data[q], data[q + 1], data[q + 2]);
        assert_eq!((0..s).filter(|&q| h(q) == h(s)).collect::<Vec<_>>(), [p]);
        for level in [8, 9] {
            let mut outputs = Vec::new();
            for index4 in [false, true] {
                let mut st = Lz77::new(level);
                st.use_index4 = index4;
                let mut out = Vec::new();
                st.write(&data, &mut out);
                st.finish(&mut out);
                outputs.push(out);
            }
            assert!(outputs[0] == outputs[1], "level {level}: outputs differ");
        }
    }

    #[test]
    fn write_in_pieces_equals_one_call() {
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 4093) as u8)
            .collect();
        for level in [1, 4, 9] {
            let mut whole = Vec::new();
            let mut s = Lz77::new(level);
            s.write(&data, &mut whole);
            s.finish(&mut whole);

            let mut pieces = Vec::new();
            let mut s = Lz77::new(level);
            for (i, chunk) in data.chunks(65_537).enumerate() {
                for part in chunk.chunks(1 + i * 911) {
                    s.write(part, &mut pieces);
                }
            }
            s.finish(&mut pieces);
            assert_eq!(pieces, whole, "level {level}");
        }
    }
}
