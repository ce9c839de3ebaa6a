//! Raw deflate decoder (RFC 1951), for reading back wheels and sdists that may come from
//! anywhere.
//!
//! Written from RFC 1951. Which streams are refused is chosen to agree with zlib's
//! `inflate()` (the decoder behind CPython's `zlib`, `zipfile` and `gzip`), so that a
//! stream we accept is one every installer accepts, with the same output:
//! - more than 286 literal/length or 30 distance codes in a dynamic header is an error;
//! - over-subscribed code-length sets are errors, and so are incomplete ones, except a
//!   literal/length or distance code made of a single one-bit code (then the unused code
//!   is an error only when it is met), or a distance code with no codes at all (an error
//!   only if a distance is needed);
//! - literal/length symbols 286-287 and distance symbols 30-31 of the fixed code are
//!   errors when met;
//! - a distance reaching before the start of the output is an error (there is no preset
//!   dictionary in raw deflate as zipfile/gzip use it).
//!
//! Untrusted input never makes this code panic: every table index is masked or checked, and
//! the total output is capped by a caller-chosen limit (decompression-bomb guard).
//!
//! Decoding is table-driven: a 10-bit root table for literal/length codes and an 8-bit one
//! for distances, with second-level tables for the longer codes, and a fast loop that
//! decodes whole symbols from a 64-bit bit buffer while at least 8 input bytes and 258
//! bytes of output room remain. Near the end of the input a one-step-at-a-time state
//! machine takes over, so the stream can be fed in chunks of any size, even single bytes.

use std::fmt;

/// The deflate window: distances reach at most this far back.
const WINDOW_SIZE: usize = 32 * 1024;
/// The longest match; the fast loop keeps this much output room.
const MAX_MATCH: usize = 258;
const LITLEN_ROOT_BITS: u32 = 10;
const DIST_ROOT_BITS: u32 = 8;
const CODELEN_ROOT_BITS: u32 = 7;
const MAX_CODE_BITS: usize = 15;
const MAX_LITLEN_CODES: usize = 286;
const MAX_DIST_CODES: usize = 30;
/// Order in which the code-length code lengths are sent (RFC 1951 3.2.7).
const CODELEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Why a deflate stream was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// A block header with type 3 (reserved).
    InvalidBlockType,
    /// A stored block whose LEN is not the complement of NLEN.
    StoredLengthMismatch { len: u16, nlen: u16 },
    /// A dynamic header announcing more than 286 literal/length or 30 distance codes.
    TooManyCodes {
        literal_lengths: u16,
        distances: u16,
    },
    /// Code lengths that do not form a usable prefix code (over-subscribed, or incomplete
    /// where deflate does not allow it).
    InvalidCodeLengths(CodeSet),
    /// A code-length repeat (symbol 16) with nothing to repeat, or a repeat running past
    /// the announced number of code lengths.
    InvalidRepeat,
    /// A dynamic block whose end-of-block symbol (256) has no code.
    MissingEndOfBlock,
    /// A literal/length code that stands for no symbol (286-287, or an unused code).
    InvalidLiteralLengthCode,
    /// A distance code that stands for no symbol (30-31, or an unused code).
    InvalidDistanceCode,
    /// A match reaching before the first byte of output.
    DistanceTooFarBack { distance: u32, available: u64 },
    /// The input ended before the final block did.
    Truncated,
    /// The output would exceed the caller's limit.
    OutputLimit { limit: u64 },
    /// The stream ended before the input did ([`inflate`] only; [`inflate_prefix`] reports
    /// where the stream ended instead).
    TrailingData { stream_len: usize, trailing: usize },
}

/// Which of a dynamic block's three codes [`InflateError::InvalidCodeLengths`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSet {
    /// The code-length code (lengths of the other two codes are sent with it).
    CodeLengths,
    /// The literal/length code.
    LiteralLengths,
    /// The distance code.
    Distances,
}

impl fmt::Display for InflateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InflateError::InvalidBlockType => write!(f, "invalid deflate block type 3"),
            InflateError::StoredLengthMismatch { len, nlen } => write!(
                f,
                "stored block length {len:#06x} does not match its complement {nlen:#06x}"
            ),
            InflateError::TooManyCodes {
                literal_lengths,
                distances,
            } => write!(
                f,
                "too many codes in dynamic block header ({literal_lengths} literal/length, \
                 {distances} distance; at most 286 and 30)"
            ),
            InflateError::InvalidCodeLengths(set) => {
                let which = match set {
                    CodeSet::CodeLengths => "code-length",
                    CodeSet::LiteralLengths => "literal/length",
                    CodeSet::Distances => "distance",
                };
                write!(
                    f,
                    "invalid {which} code lengths (over-subscribed or incomplete)"
                )
            }
            InflateError::InvalidRepeat => write!(f, "invalid code-length repeat"),
            InflateError::MissingEndOfBlock => {
                write!(f, "dynamic block has no end-of-block code")
            }
            InflateError::InvalidLiteralLengthCode => write!(f, "invalid literal/length code"),
            InflateError::InvalidDistanceCode => write!(f, "invalid distance code"),
            InflateError::DistanceTooFarBack {
                distance,
                available,
            } => write!(
                f,
                "distance {distance} reaches before the start of the output ({available} bytes)"
            ),
            InflateError::Truncated => write!(f, "deflate stream is truncated"),
            InflateError::OutputLimit { limit } => {
                write!(f, "decompressed data exceeds the limit of {limit} bytes")
            }
            InflateError::TrailingData {
                stream_len,
                trailing,
            } => write!(
                f,
                "{trailing} bytes follow the end of the deflate stream (at byte {stream_len})"
            ),
        }
    }
}

impl std::error::Error for InflateError {}

/// A decompressed stream and where it ended, from [`inflate_prefix`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inflated {
    /// The decompressed bytes.
    pub data: Vec<u8>,
    /// Length of the deflate stream: the input bytes up to and including the one holding
    /// the last bit of the final block. Whatever follows is not deflate data.
    pub consumed: usize,
}

/// Decompresses a whole raw-deflate stream that must fill `data` exactly.
///
/// More than `limit` bytes of output is [`InflateError::OutputLimit`]; bytes after the
/// final block are [`InflateError::TrailingData`] (use [`inflate_prefix`] to accept them).
pub fn inflate(data: &[u8], limit: u64) -> Result<Vec<u8>, InflateError> {
    let inflated = inflate_prefix(data, limit)?;
    if inflated.consumed != data.len() {
        return Err(InflateError::TrailingData {
            stream_len: inflated.consumed,
            trailing: data.len() - inflated.consumed,
        });
    }
    Ok(inflated.data)
}

/// Decompresses the raw-deflate stream at the start of `data`, which may be followed by
/// other bytes (a gzip trailer, say); [`Inflated::consumed`] says where the stream ended.
pub fn inflate_prefix(data: &[u8], limit: u64) -> Result<Inflated, InflateError> {
    let mut inflater = Inflater::new(limit);
    // A guess at the output size saves most reallocations without trusting the input.
    let guess = (data.len() as u64)
        .saturating_mul(4)
        .min(limit)
        .min(1 << 26);
    let mut out = Vec::with_capacity(guess as usize);
    let step = inflater.decompress(data, &mut out, usize::MAX)?;
    match step.status {
        Status::Done => Ok(Inflated {
            data: out,
            consumed: step.consumed,
        }),
        Status::NeedInput => Err(InflateError::Truncated),
        // Unreachable with unlimited room: hitting the limit is an error, not a pause.
        Status::OutputFull => Err(InflateError::OutputLimit { limit }),
    }
}

/// How a [`Inflater::decompress`] call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// All input was consumed and the stream is not finished: feed more.
    NeedInput,
    /// `max_out` bytes were produced; call again (with the unconsumed input) for more.
    OutputFull,
    /// The final block ended. Input past `consumed` is not part of the stream.
    Done,
}

/// What one [`Inflater::decompress`] call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Input bytes used. Less than offered only when the status is `OutputFull` or `Done`.
    pub consumed: usize,
    /// Bytes appended to the output vector.
    pub produced: usize,
    /// Why the call returned.
    pub status: Status,
}

/// One decoding-table slot: what a code stands for and how many bits it takes.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// One of the `OP_*` kinds; for `OP_BASE` the low four bits count extra bits.
    op: u8,
    /// Code length (whole code, both levels); for `OP_LINK`, the second-level index bits.
    bits: u8,
    /// Literal byte or code-length symbol, length/distance base, or second-level offset.
    val: u16,
}

const OP_LITERAL: u8 = 0x00;
const OP_BASE: u8 = 0x10;
const OP_END_OF_BLOCK: u8 = 0x20;
const OP_LINK: u8 = 0x40;
const OP_INVALID: u8 = 0x80;
/// What a lookup outside a table yields; cannot happen with tables built here, but a bad
/// entry must turn into an error rather than a panic.
const INVALID_ENTRY: Entry = Entry {
    op: OP_INVALID,
    bits: 0,
    val: 0,
};
/// The filler for code space no code uses (only the one-code and no-code cases deflate
/// allows). One bit is what zlib waits for before it reports such a code.
const UNUSED_ENTRY: Entry = Entry {
    op: OP_INVALID,
    bits: 1,
    val: 0,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum TableKind {
    CodeLengths,
    LiteralLengths,
    Distances,
}

/// A two-level canonical Huffman decoding table indexed by the next input bits (LSB
/// first, so codes are stored bit-reversed).
struct Table {
    entries: Vec<Entry>,
    root_bits: u32,
}

impl Table {
    fn new(root_bits: u32) -> Table {
        Table {
            entries: Vec::new(),
            root_bits,
        }
    }

    /// The entry for the code at the bottom of `hold`. Bits of `hold` past the valid ones
    /// may be anything; the caller checks the entry's length against what is valid.
    #[inline(always)]
    fn lookup(&self, hold: u64) -> Entry {
        let root = (hold & ((1u64 << self.root_bits) - 1)) as usize;
        let entry = self.entries.get(root).copied().unwrap_or(INVALID_ENTRY);
        if entry.op != OP_LINK {
            return entry;
        }
        let sub = ((hold >> self.root_bits) & ((1u64 << entry.bits) - 1)) as usize;
        self.entries
            .get(entry.val as usize + sub)
            .copied()
            .unwrap_or(INVALID_ENTRY)
    }

    /// Builds the table for the code lengths `lens` (symbol order). Fails on an
    /// over-subscribed set and on incomplete sets deflate does not allow.
    fn build(&mut self, lens: &[u8], kind: TableKind) -> Result<(), ()> {
        let mut count = [0u16; MAX_CODE_BITS + 1];
        for &len in lens {
            count[usize::from(len).min(MAX_CODE_BITS)] += 1;
        }
        count[0] = 0;
        let max = (1..=MAX_CODE_BITS)
            .rev()
            .find(|&l| count[l] != 0)
            .unwrap_or(0);
        let root_size = 1usize << self.root_bits;
        self.entries.clear();
        self.entries.resize(root_size, UNUSED_ENTRY);
        if max == 0 {
            // No codes at all. For distances that is a block of literals only. For the
            // code-length code zlib reads every code length as 0 (one bit each) and only
            // then fails for want of an end-of-block code; doing the same keeps truncated
            // and failed streams classified as zlib classifies them.
            if kind == TableKind::CodeLengths {
                self.entries.fill(Entry {
                    op: OP_LITERAL,
                    bits: 1,
                    val: 0,
                });
            }
            return Ok(());
        }
        let mut left: i32 = 1;
        for &n in &count[1..] {
            left = (left << 1) - i32::from(n);
            if left < 0 {
                return Err(()); // over-subscribed
            }
        }
        if left > 0 && (kind == TableKind::CodeLengths || max != 1) {
            return Err(()); // incomplete
        }

        let mut next_code = [0u32; MAX_CODE_BITS + 1];
        let mut code = 0u32;
        for len in 1..=MAX_CODE_BITS {
            code = (code + u32::from(count[len - 1])) << 1;
            next_code[len] = code;
        }

        // Size the second-level tables: one per root index shared by codes longer than the
        // root, as deep as the longest of those codes.
        let root_bits = self.root_bits as usize;
        if max > root_bits {
            let mut sub_depth = vec![0u8; root_size];
            let mut probe = next_code;
            for &len in lens {
                let len = usize::from(len);
                if len == 0 || len > MAX_CODE_BITS {
                    continue;
                }
                let rev = reverse(probe[len], len);
                probe[len] += 1;
                if len > root_bits {
                    let slot = &mut sub_depth[rev & (root_size - 1)];
                    *slot = (*slot).max((len - root_bits) as u8);
                }
            }
            for (root, &depth) in sub_depth.iter().enumerate() {
                if depth == 0 {
                    continue;
                }
                let offset = self.entries.len();
                self.entries[root] = Entry {
                    op: OP_LINK,
                    bits: depth,
                    val: offset as u16,
                };
                self.entries
                    .resize(offset + (1usize << depth), UNUSED_ENTRY);
            }
        }

        for (symbol, &len) in lens.iter().enumerate() {
            let len = usize::from(len);
            if len == 0 || len > MAX_CODE_BITS {
                continue;
            }
            let rev = reverse(next_code[len], len);
            next_code[len] += 1;
            let entry = symbol_entry(kind, symbol, len as u8);
            if len <= root_bits {
                let mut i = rev;
                while i < root_size {
                    self.entries[i] = entry;
                    i += 1 << len;
                }
            } else {
                let link = self.entries[rev & (root_size - 1)];
                let start = usize::from(link.val);
                let size = 1usize << link.bits;
                let mut i = rev >> root_bits;
                while i < size {
                    if let Some(slot) = self.entries.get_mut(start + i) {
                        *slot = entry;
                    }
                    i += 1 << (len - root_bits);
                }
            }
        }
        Ok(())
    }
}

/// The low `len` bits of `code`, reversed.
fn reverse(code: u32, len: usize) -> usize {
    ((code as u16).reverse_bits() >> (16 - len)) as usize
}

fn symbol_entry(kind: TableKind, symbol: usize, bits: u8) -> Entry {
    let (op, val) = match kind {
        TableKind::CodeLengths => (OP_LITERAL, symbol as u16),
        TableKind::LiteralLengths => match symbol {
            0..=255 => (OP_LITERAL, symbol as u16),
            256 => (OP_END_OF_BLOCK, 0),
            257..=285 => (
                OP_BASE | LENGTH_EXTRA[symbol - 257],
                LENGTH_BASE[symbol - 257],
            ),
            _ => (OP_INVALID, 0),
        },
        TableKind::Distances => match symbol {
            0..=29 => (OP_BASE | DIST_EXTRA[symbol], DIST_BASE[symbol]),
            _ => (OP_INVALID, 0),
        },
    };
    Entry { op, bits, val }
}

/// Where the decoder stands between two steps; every state can wait for more input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    BlockHeader,
    StoredLengths,
    Stored { remaining: usize },
    TableSizes,
    CodeLengthLengths { have: usize },
    CodeLengths { have: usize },
    Symbols,
    LengthExtra { base: u16, extra: u8 },
    Distance { length: usize },
    DistanceExtra { length: usize, base: u16, extra: u8 },
    Copy { length: usize, distance: usize },
    Done,
    Failed,
}

/// Streaming raw-deflate decoder.
///
/// Feed compressed input in pieces of any size to [`Inflater::decompress`]; output is
/// appended to the caller's vector. Memory is the 32 KiB window (matches may reach into
/// output of earlier calls), the decoding tables (a few KiB) and the output itself. The
/// total output is capped by the limit given to [`Inflater::new`]. After an error every
/// later call returns the same error.
pub struct Inflater {
    state: State,
    /// The current block is the final one.
    last: bool,
    /// Bit buffer; between steps it holds fewer than 8 bits, so every whole input byte not
    /// yet decoded is still with the caller and `Step::consumed` is exact.
    hold: u64,
    bits: u32,
    litlen: Table,
    dist: Table,
    codelen: Table,
    /// `litlen`/`dist` hold the fixed code, so consecutive fixed blocks skip rebuilding.
    fixed_tables: bool,
    literal_lengths: usize,
    distances: usize,
    code_length_codes: usize,
    lens: [u8; MAX_LITLEN_CODES + MAX_DIST_CODES],
    /// The last output bytes of earlier calls, as a ring ending just before `wnext`.
    window: Vec<u8>,
    wnext: usize,
    whave: usize,
    total_in: u64,
    total_out: u64,
    limit: u64,
    error: Option<InflateError>,
}

impl Inflater {
    /// A decoder that refuses to produce more than `limit` bytes in total.
    pub fn new(limit: u64) -> Inflater {
        Inflater {
            state: State::BlockHeader,
            last: false,
            hold: 0,
            bits: 0,
            litlen: Table::new(LITLEN_ROOT_BITS),
            dist: Table::new(DIST_ROOT_BITS),
            codelen: Table::new(CODELEN_ROOT_BITS),
            fixed_tables: false,
            literal_lengths: 0,
            distances: 0,
            code_length_codes: 0,
            lens: [0; MAX_LITLEN_CODES + MAX_DIST_CODES],
            window: vec![0; WINDOW_SIZE],
            wnext: 0,
            whave: 0,
            total_in: 0,
            total_out: 0,
            limit,
            error: None,
        }
    }

    /// Input bytes consumed so far (after an error: roughly where it was detected).
    pub fn total_in(&self) -> u64 {
        self.total_in
    }

    /// Output bytes produced so far.
    pub fn total_out(&self) -> u64 {
        self.total_out
    }

    /// The final block has ended.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Says whether the stream ended: `Ok` once the final block was decoded, else
    /// [`InflateError::Truncated`] (or the error that stopped decoding).
    pub fn finish(&self) -> Result<(), InflateError> {
        match (&self.error, self.state) {
            (Some(err), _) => Err(err.clone()),
            (None, State::Done) => Ok(()),
            _ => Err(InflateError::Truncated),
        }
    }

    /// Decodes from `input`, appending at most `max_out` bytes to `out`.
    ///
    /// Returns when the input is used up (`NeedInput`), `max_out` bytes were produced
    /// (`OutputFull`; offer the unconsumed input again) or the stream ended (`Done`).
    /// Output that would pass the limit is an error, not `OutputFull`.
    pub fn decompress(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max_out: usize,
    ) -> Result<Step, InflateError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let out_start = out.len();
        let mut pos = 0usize;
        let result = self.run(input, &mut pos, out, out_start, max_out);
        let produced = out.len() - out_start;
        self.total_in += pos as u64;
        self.total_out += produced as u64;
        match result {
            Ok(status) => {
                self.remember_output(&out[out_start..]);
                Ok(Step {
                    consumed: pos,
                    produced,
                    status,
                })
            }
            Err(err) => {
                self.state = State::Failed;
                self.error = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Keeps the last 32 KiB of output for matches in later calls.
    fn remember_output(&mut self, new: &[u8]) {
        if new.len() >= WINDOW_SIZE {
            self.window.copy_from_slice(&new[new.len() - WINDOW_SIZE..]);
            self.wnext = 0;
            self.whave = WINDOW_SIZE;
            return;
        }
        let first = new.len().min(WINDOW_SIZE - self.wnext);
        let (head, tail) = new.split_at(first);
        self.window[self.wnext..self.wnext + first].copy_from_slice(head);
        self.window[..tail.len()].copy_from_slice(tail);
        self.wnext = (self.wnext + new.len()) % WINDOW_SIZE;
        self.whave = (self.whave + new.len()).min(WINDOW_SIZE);
    }

    /// Makes sure `n` (at most 32) bits are in the bit buffer, pulling input bytes one by
    /// one; false if the input ran out first (what was pulled stays in the buffer).
    #[inline]
    fn need(&mut self, input: &[u8], pos: &mut usize, n: u32) -> bool {
        while self.bits < n {
            match input.get(*pos) {
                Some(&byte) => {
                    self.hold |= u64::from(byte) << self.bits;
                    self.bits += 8;
                    *pos += 1;
                }
                None => return false,
            }
        }
        true
    }

    #[inline]
    fn take(&mut self, n: u32) -> u32 {
        let value = (self.hold & ((1u64 << n) - 1)) as u32;
        self.hold >>= n;
        self.bits -= n;
        value
    }

    /// Decodes one code with `table` without consuming it; `None` if the input ran out
    /// before the whole code was in the bit buffer.
    fn peek_code(&mut self, which: Which, input: &[u8], pos: &mut usize) -> Option<Entry> {
        loop {
            let table = match which {
                Which::LiteralLengths => &self.litlen,
                Which::Distances => &self.dist,
                Which::CodeLengths => &self.codelen,
            };
            let entry = table.lookup(self.hold);
            if u32::from(entry.bits) <= self.bits {
                return Some(entry);
            }
            if !self.need(input, pos, self.bits + 8) {
                return None;
            }
        }
    }

    fn run(
        &mut self,
        input: &[u8],
        pos: &mut usize,
        out: &mut Vec<u8>,
        out_start: usize,
        max_out: usize,
    ) -> Result<Status, InflateError> {
        let limit_room = self.limit.saturating_sub(self.total_out);
        let room = usize::try_from(limit_room)
            .unwrap_or(usize::MAX)
            .min(max_out);
        let out_end = out_start.saturating_add(room);
        let limit = self.limit;
        // Output is due but there is no room: a pause if the caller's `max_out` is what
        // binds, an error if the limit is.
        let full = |out: &Vec<u8>| -> Result<Status, InflateError> {
            if ((out.len() - out_start) as u64) < limit_room {
                Ok(Status::OutputFull)
            } else {
                Err(InflateError::OutputLimit { limit })
            }
        };

        loop {
            match self.state {
                State::BlockHeader => {
                    if !self.need(input, pos, 3) {
                        return Ok(Status::NeedInput);
                    }
                    let header = self.take(3);
                    self.last = header & 1 == 1;
                    match header >> 1 {
                        0 => {
                            let partial = self.bits % 8;
                            self.take(partial);
                            self.state = State::StoredLengths;
                        }
                        1 => {
                            if !self.fixed_tables {
                                self.build_fixed_tables();
                            }
                            self.state = State::Symbols;
                        }
                        2 => self.state = State::TableSizes,
                        _ => return Err(InflateError::InvalidBlockType),
                    }
                }
                State::StoredLengths => {
                    if !self.need(input, pos, 32) {
                        return Ok(Status::NeedInput);
                    }
                    let len = self.take(16) as u16;
                    let nlen = self.take(16) as u16;
                    if len != !nlen {
                        return Err(InflateError::StoredLengthMismatch { len, nlen });
                    }
                    self.state = State::Stored {
                        remaining: usize::from(len),
                    };
                }
                State::Stored { remaining } => {
                    if remaining == 0 {
                        self.end_block();
                        continue;
                    }
                    // The bit buffer is empty here (byte-aligned after the lengths).
                    let available = input.len() - *pos;
                    if available == 0 {
                        return Ok(Status::NeedInput);
                    }
                    let space = out_end.saturating_sub(out.len());
                    if space == 0 {
                        return full(out);
                    }
                    let n = remaining.min(available).min(space);
                    out.extend_from_slice(&input[*pos..*pos + n]);
                    *pos += n;
                    self.state = State::Stored {
                        remaining: remaining - n,
                    };
                }
                State::TableSizes => {
                    if !self.need(input, pos, 14) {
                        return Ok(Status::NeedInput);
                    }
                    self.literal_lengths = self.take(5) as usize + 257;
                    self.distances = self.take(5) as usize + 1;
                    self.code_length_codes = self.take(4) as usize + 4;
                    if self.literal_lengths > MAX_LITLEN_CODES || self.distances > MAX_DIST_CODES {
                        return Err(InflateError::TooManyCodes {
                            literal_lengths: self.literal_lengths as u16,
                            distances: self.distances as u16,
                        });
                    }
                    self.fixed_tables = false;
                    self.lens = [0; MAX_LITLEN_CODES + MAX_DIST_CODES];
                    self.state = State::CodeLengthLengths { have: 0 };
                }
                State::CodeLengthLengths { mut have } => {
                    while have < self.code_length_codes {
                        if !self.need(input, pos, 3) {
                            self.state = State::CodeLengthLengths { have };
                            return Ok(Status::NeedInput);
                        }
                        self.lens[CODELEN_ORDER[have]] = self.take(3) as u8;
                        have += 1;
                    }
                    let (codelen_lens, _) = self.lens.split_at(19);
                    self.codelen
                        .build(codelen_lens, TableKind::CodeLengths)
                        .map_err(|()| InflateError::InvalidCodeLengths(CodeSet::CodeLengths))?;
                    self.lens = [0; MAX_LITLEN_CODES + MAX_DIST_CODES];
                    self.state = State::CodeLengths { have: 0 };
                }
                State::CodeLengths { mut have } => {
                    let total = self.literal_lengths + self.distances;
                    while have < total {
                        let Some(entry) = self.peek_code(Which::CodeLengths, input, pos) else {
                            self.state = State::CodeLengths { have };
                            return Ok(Status::NeedInput);
                        };
                        let code_bits = u32::from(entry.bits);
                        let symbol = entry.val;
                        if symbol < 16 {
                            self.take(code_bits);
                            self.lens[have] = symbol as u8;
                            have += 1;
                            continue;
                        }
                        let (extra, base) = match symbol {
                            16 => (2, 3),
                            17 => (3, 3),
                            _ => (7, 11),
                        };
                        // The code and its extra bits are taken together, so a pause
                        // never splits them.
                        if !self.need(input, pos, code_bits + extra) {
                            self.state = State::CodeLengths { have };
                            return Ok(Status::NeedInput);
                        }
                        self.take(code_bits);
                        let repeat = base + self.take(extra) as usize;
                        let value = if symbol == 16 {
                            if have == 0 {
                                return Err(InflateError::InvalidRepeat);
                            }
                            self.lens[have - 1]
                        } else {
                            0
                        };
                        if have + repeat > total {
                            return Err(InflateError::InvalidRepeat);
                        }
                        self.lens[have..have + repeat].fill(value);
                        have += repeat;
                    }
                    if self.lens[256] == 0 {
                        return Err(InflateError::MissingEndOfBlock);
                    }
                    let (lit_lens, rest) = self.lens.split_at(self.literal_lengths);
                    self.litlen
                        .build(lit_lens, TableKind::LiteralLengths)
                        .map_err(|()| InflateError::InvalidCodeLengths(CodeSet::LiteralLengths))?;
                    self.dist
                        .build(&rest[..self.distances], TableKind::Distances)
                        .map_err(|()| InflateError::InvalidCodeLengths(CodeSet::Distances))?;
                    self.state = State::Symbols;
                }
                State::Symbols => {
                    if input.len() - *pos >= 8 && out.len() + MAX_MATCH <= out_end {
                        self.fast_symbols(input, pos, out, out_start, out_end)?;
                        continue;
                    }
                    let Some(entry) = self.peek_code(Which::LiteralLengths, input, pos) else {
                        return Ok(Status::NeedInput);
                    };
                    match entry.op {
                        OP_LITERAL => {
                            if out.len() >= out_end {
                                return full(out);
                            }
                            self.take(u32::from(entry.bits));
                            out.push(entry.val as u8);
                        }
                        OP_END_OF_BLOCK => {
                            self.take(u32::from(entry.bits));
                            self.end_block();
                        }
                        op if op & 0xf0 == OP_BASE => {
                            self.take(u32::from(entry.bits));
                            self.state = State::LengthExtra {
                                base: entry.val,
                                extra: op & 0x0f,
                            };
                        }
                        _ => return Err(InflateError::InvalidLiteralLengthCode),
                    }
                }
                State::LengthExtra { base, extra } => {
                    if !self.need(input, pos, u32::from(extra)) {
                        return Ok(Status::NeedInput);
                    }
                    let length = usize::from(base) + self.take(u32::from(extra)) as usize;
                    self.state = State::Distance { length };
                }
                State::Distance { length } => {
                    let Some(entry) = self.peek_code(Which::Distances, input, pos) else {
                        return Ok(Status::NeedInput);
                    };
                    if entry.op & 0xf0 != OP_BASE {
                        return Err(InflateError::InvalidDistanceCode);
                    }
                    self.take(u32::from(entry.bits));
                    self.state = State::DistanceExtra {
                        length,
                        base: entry.val,
                        extra: entry.op & 0x0f,
                    };
                }
                State::DistanceExtra {
                    length,
                    base,
                    extra,
                } => {
                    if !self.need(input, pos, u32::from(extra)) {
                        return Ok(Status::NeedInput);
                    }
                    let distance = usize::from(base) + self.take(u32::from(extra)) as usize;
                    self.check_distance(distance, out.len() - out_start)?;
                    self.state = State::Copy { length, distance };
                }
                State::Copy { length, distance } => {
                    let space = out_end.saturating_sub(out.len());
                    if space == 0 {
                        return full(out);
                    }
                    let n = length.min(space);
                    self.copy_match(out, out_start, distance, n);
                    self.state = if n == length {
                        State::Symbols
                    } else {
                        State::Copy {
                            length: length - n,
                            distance,
                        }
                    };
                }
                State::Done => return Ok(Status::Done),
                // Not reached: `decompress` returns the stored error first.
                State::Failed => return Err(InflateError::Truncated),
            }
        }
    }

    fn end_block(&mut self) {
        self.state = if self.last {
            State::Done
        } else {
            State::BlockHeader
        };
    }

    fn build_fixed_tables(&mut self) {
        let mut lens = [0u8; 288];
        lens[..144].fill(8);
        lens[144..256].fill(9);
        lens[256..280].fill(7);
        lens[280..].fill(8);
        // Both fixed codes are complete, so building cannot fail.
        let _ = self.litlen.build(&lens, TableKind::LiteralLengths);
        let _ = self.dist.build(&[5u8; 32], TableKind::Distances);
        self.fixed_tables = true;
    }

    fn check_distance(&self, distance: usize, produced: usize) -> Result<(), InflateError> {
        let available = self.whave + produced;
        if distance > available {
            return Err(InflateError::DistanceTooFarBack {
                distance: distance as u32,
                available: self.total_out + produced as u64,
            });
        }
        Ok(())
    }

    /// Appends `length` bytes copied from `distance` back (already checked to be within
    /// the window plus this call's output).
    #[inline]
    fn copy_match(&self, out: &mut Vec<u8>, out_start: usize, distance: usize, length: usize) {
        let produced = out.len() - out_start;
        let mut length = length;
        if distance > produced {
            // The match starts in output of earlier calls.
            let back = distance - produced;
            let start = (self.wnext + WINDOW_SIZE - back) % WINDOW_SIZE;
            let n = length.min(back);
            let first = n.min(WINDOW_SIZE - start);
            out.extend_from_slice(self.window.get(start..start + first).unwrap_or(&[]));
            out.extend_from_slice(self.window.get(..n - first).unwrap_or(&[]));
            length -= n;
            if length == 0 {
                return;
            }
        }
        let src = out.len() - distance;
        if length <= 16 {
            // Short copies are the common case; byte pushes beat memmove set-up there.
            for i in 0..length {
                let byte = out[src + i];
                out.push(byte);
            }
            return;
        }
        // Overlapping matches repeat a period of `distance` bytes; each pass copies
        // everything between `src` and the end, doubling the span, a multiple of the period.
        while length > 0 {
            let n = length.min(out.len() - src);
            out.extend_from_within(src..src + n);
            length -= n;
        }
    }

    /// Decodes whole symbols while at least 8 input bytes and 258 bytes of output room
    /// remain, then hands back the whole bytes still in the bit buffer.
    fn fast_symbols(
        &mut self,
        input: &[u8],
        pos: &mut usize,
        out: &mut Vec<u8>,
        out_start: usize,
        out_end: usize,
    ) -> Result<(), InflateError> {
        let mut hold = self.hold;
        let mut bits = self.bits;
        let mut result = Ok(());
        loop {
            if out.len() + MAX_MATCH > out_end {
                break;
            }
            let Some(word) = input.get(*pos..*pos + 8) else {
                break;
            };
            let Ok(word) = <[u8; 8]>::try_from(word) else {
                break;
            };
            // Branch-free refill to 56..=63 bits. Bits above `bits` become the next input
            // bits, which a later refill ORs in again unchanged.
            hold |= u64::from_le_bytes(word) << bits;
            *pos += ((63 - bits) >> 3) as usize;
            bits |= 56;

            // At most 15 + 5 + 15 + 13 = 48 bits per symbol: no refill needed inside.
            let entry = self.litlen.lookup(hold);
            hold >>= entry.bits;
            bits -= u32::from(entry.bits);
            if entry.op == OP_LITERAL {
                out.push(entry.val as u8);
                // A second literal fits in the remaining bits more often than not.
                let next = self.litlen.lookup(hold);
                if next.op == OP_LITERAL && u32::from(next.bits) <= bits {
                    hold >>= next.bits;
                    bits -= u32::from(next.bits);
                    out.push(next.val as u8);
                }
                continue;
            }
            if entry.op & 0xf0 == OP_BASE {
                let extra = u32::from(entry.op & 0x0f);
                let length = usize::from(entry.val) + (hold & ((1u64 << extra) - 1)) as usize;
                hold >>= extra;
                bits -= extra;
                let dist_entry = self.dist.lookup(hold);
                if dist_entry.op & 0xf0 != OP_BASE {
                    result = Err(InflateError::InvalidDistanceCode);
                    break;
                }
                hold >>= dist_entry.bits;
                bits -= u32::from(dist_entry.bits);
                let extra = u32::from(dist_entry.op & 0x0f);
                let distance =
                    usize::from(dist_entry.val) + (hold & ((1u64 << extra) - 1)) as usize;
                hold >>= extra;
                bits -= extra;
                if let Err(err) = self.check_distance(distance, out.len() - out_start) {
                    result = Err(err);
                    break;
                }
                self.copy_match(out, out_start, distance, length);
                continue;
            }
            if entry.op == OP_END_OF_BLOCK {
                self.end_block();
                break;
            }
            result = Err(InflateError::InvalidLiteralLengthCode);
            break;
        }
        // Give back whole unused bytes so the slow path's invariant (< 8 bits held) holds.
        let unused = bits >> 3;
        *pos -= unused as usize;
        bits &= 7;
        self.hold = hold & ((1u64 << bits) - 1);
        self.bits = bits;
        result
    }
}

#[derive(Clone, Copy)]
enum Which {
    LiteralLengths,
    Distances,
    CodeLengths,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::deflate::deflate;

    fn sample(n: usize) -> Vec<u8> {
        crate::archive::text_and_noise(n, b"the quick brown fox ", 7, 4)
    }

    #[test]
    fn round_trips_our_deflate_at_every_level() {
        let data = sample(300_000);
        for level in 0..=9 {
            let z = deflate(level, &data);
            assert_eq!(inflate(&z, u64::MAX).unwrap(), data, "level {level}");
        }
    }

    #[test]
    fn known_small_streams() {
        assert_eq!(inflate(&[0x03, 0x00], 10).unwrap(), b"");
        assert_eq!(inflate(&[0x4b, 0x04, 0x00], 10).unwrap(), b"a");
        assert_eq!(
            inflate(&[0x01, 0x01, 0x00, 0xfe, 0xff, b'a'], 10).unwrap(),
            b"a"
        );
        assert_eq!(inflate(&[0x07], 10), Err(InflateError::InvalidBlockType));
        assert_eq!(inflate(&[0x4b, 0x04], 10), Err(InflateError::Truncated));
        assert_eq!(
            inflate(&[0x03, 0x00, 0x00], 10),
            Err(InflateError::TrailingData {
                stream_len: 2,
                trailing: 1
            })
        );
    }

    #[test]
    fn byte_at_a_time_and_small_output_steps_agree() {
        let data = sample(100_000);
        for level in [0, 1, 6, 9] {
            let z = deflate(level, &data);
            let mut inflater = Inflater::new(u64::MAX);
            let mut out = Vec::new();
            let mut pos = 0;
            let mut step_no = 0usize;
            loop {
                let end = (pos + 1 + step_no % 3).min(z.len());
                let max_out = 1 + step_no % 300;
                let step = inflater
                    .decompress(&z[pos..end], &mut out, max_out)
                    .unwrap();
                assert!(step.produced <= max_out);
                pos += step.consumed;
                step_no += 1;
                if step.status == Status::Done {
                    break;
                }
                assert!(step_no < 10_000_000);
            }
            assert_eq!(pos, z.len());
            assert_eq!(out, data, "level {level}");
            assert!(inflater.finish().is_ok());
        }
    }

    #[test]
    fn limit_is_enforced_exactly() {
        let data = vec![b'x'; 100_000];
        let z = deflate(9, &data);
        assert_eq!(inflate(&z, 100_000).unwrap().len(), 100_000);
        assert_eq!(
            inflate(&z, 99_999),
            Err(InflateError::OutputLimit { limit: 99_999 })
        );
    }

    #[test]
    fn distance_before_start_is_refused() {
        // Fixed block: length 3 (symbol 257, code 0000001), distance code 0 (00000).
        // Bits LSB-first: BFINAL=1, BTYPE=01, then 7-bit code 0000001 MSB-first, then
        // 5-bit 00000.
        let z = [0x03, 0x02, 0x00];
        assert!(matches!(
            inflate(&z, 100),
            Err(InflateError::DistanceTooFarBack { distance: 1, .. })
        ));
    }
}
