//! The Huffman-coding half of the port: zlib's trees.c.
//!
//! An altered, independent Rust implementation of the algorithm of zlib's trees.c (see the
//! licence notice in `mod.rs`); it is not the original software. Names follow trees.c so an
//! auditor can read both side by side: `build_tree`, `gen_bitlen`, `gen_codes`, `scan_tree`,
//! `send_tree`, `build_bl_tree`, `send_all_trees`, `compress_block`, `tr_flush_block`
//! (`_tr_flush_block`), `tr_stored_block` (`_tr_stored_block`), `tr_tally_*`.
//!
//! Departures from the C structure, none of which changes a bit of output:
//! - The symbol buffer is two parallel arrays (distance, literal/length) instead of the
//!   3-byte records that zlib overlays on `pending_buf`; zlib 1.3.1's `LIT_MEM` build option
//!   does the same. Block splitting still happens at exactly `lit_bufsize - 1` symbols, the
//!   point where zlib's `sym_next` reaches `sym_end = (lit_bufsize - 1) * 3`.
//! - The bit buffer is 64 bits wide instead of 16. The deflate bit stream is the same
//!   sequence of bits whatever the width; only the moments bytes are appended to the output
//!   differ, and byte alignment (`bi_windup`) happens at the same places.
//! - Output goes straight to the caller's `Vec<u8>` instead of `pending_buf`. With levels
//!   1-9 zlib's output never depends on `avail_out` (a full output buffer only suspends
//!   deflate between blocks), so pending-buffer bookkeeping would have no observable effect.
//! - The tables zlib generates in `tr_static_init()` (or ships in trees.h) are computed at
//!   compile time by `const fn`s that follow `tr_static_init()`.

/// Number of length codes, not counting the special END_BLOCK code.
const LENGTH_CODES: usize = 29;
/// Number of literal bytes 0..255.
const LITERALS: usize = 256;
/// Number of literal or length codes, including END_BLOCK.
const L_CODES: usize = LITERALS + 1 + LENGTH_CODES;
/// Number of distance codes.
const D_CODES: usize = 30;
/// Number of codes used to transfer the bit lengths.
const BL_CODES: usize = 19;
/// Maximum heap size.
const HEAP_SIZE: usize = 2 * L_CODES + 1;
/// All codes must not exceed MAX_BITS bits.
const MAX_BITS: usize = 15;
/// Bit length codes must not exceed MAX_BL_BITS bits.
const MAX_BL_BITS: usize = 7;
/// End of block literal code.
const END_BLOCK: usize = 256;
/// Repeat previous bit length 3-6 times (2 bits of repeat count).
const REP_3_6: usize = 16;
/// Repeat a zero length 3-10 times (3 bits of repeat count).
const REPZ_3_10: usize = 17;
/// Repeat a zero length 11-138 times (7 bits of repeat count).
const REPZ_11_138: usize = 18;

const STORED_BLOCK: u64 = 0;
const STATIC_TREES: u64 = 1;
const DYN_TREES: u64 = 2;

pub(super) const MIN_MATCH: usize = 3;
pub(super) const MAX_MATCH: usize = 258;

/// Index within the heap array of the least frequent node in the Huffman tree.
const SMALLEST: usize = 1;

const EXTRA_LBITS: [u8; LENGTH_CODES] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const EXTRA_DBITS: [u8; D_CODES] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const EXTRA_BLBITS: [u8; BL_CODES] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
/// The lengths of the bit length codes are sent in order of decreasing probability.
const BL_ORDER: [u8; BL_CODES] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// One tree node, as zlib's `ct_data`: two unions of 16 bits each. `fc` holds the frequency
/// while a tree is built and the code afterwards; `dl` holds the father node while a tree
/// is built and the bit length afterwards. Keeping the unions (rather than four fields)
/// keeps every overwrite in gen_bitlen/gen_codes/scan_tree exactly where zlib has it.
#[derive(Clone, Copy, Default)]
struct Ct {
    fc: u16,
    dl: u16,
}

impl Ct {
    const fn freq(self) -> u16 {
        self.fc
    }
    const fn code(self) -> u16 {
        self.fc
    }
    const fn dad(self) -> u16 {
        self.dl
    }
    const fn len(self) -> u16 {
        self.dl
    }
}

/// The constant tables of trees.c (`_length_code`, `_dist_code`, `base_length`, `base_dist`,
/// `static_ltree`, `static_dtree`).
struct StaticTables {
    /// Length code for each normalized match length (0 == MIN_MATCH).
    length_code: [u8; MAX_MATCH - MIN_MATCH + 1],
    /// Distance codes: the first 256 values are for distances 1..256, the last 256 for the
    /// top 8 bits of the 15-bit distances.
    dist_code: [u8; 512],
    /// First normalized length for each code (0 = MIN_MATCH).
    base_length: [u8; LENGTH_CODES],
    /// First normalized distance for each code (0 = distance of 1).
    base_dist: [u16; D_CODES],
    /// The static literal tree; codes 286 and 287 are included so the tree is complete.
    static_ltree: [Ct; L_CODES + 2],
    /// The static distance tree (all codes 5 bits long).
    static_dtree: [Ct; D_CODES],
}

static TABLES: StaticTables = tr_static_init();

/// Builds the tables the way `tr_static_init()` does.
const fn tr_static_init() -> StaticTables {
    let mut length_code = [0u8; MAX_MATCH - MIN_MATCH + 1];
    let mut base_length = [0u8; LENGTH_CODES];
    let mut length = 0usize;
    let mut code = 0usize;
    while code < LENGTH_CODES - 1 {
        base_length[code] = length as u8;
        let mut n = 0;
        while n < (1 << EXTRA_LBITS[code]) {
            length_code[length] = code as u8;
            length += 1;
            n += 1;
        }
        code += 1;
    }
    // Length 255 (match length 258) can be coded as 284 + 5 bits or as 285; zlib uses 285.
    length_code[length - 1] = code as u8;

    let mut dist_code = [0u8; 512];
    let mut base_dist = [0u16; D_CODES];
    let mut dist = 0usize;
    code = 0;
    while code < 16 {
        base_dist[code] = dist as u16;
        let mut n = 0;
        while n < (1 << EXTRA_DBITS[code]) {
            dist_code[dist] = code as u8;
            dist += 1;
            n += 1;
        }
        code += 1;
    }
    dist >>= 7; // from now on, all distances are divided by 128
    while code < D_CODES {
        base_dist[code] = (dist << 7) as u16;
        let mut n = 0;
        while n < (1 << (EXTRA_DBITS[code] - 7)) {
            dist_code[256 + dist] = code as u8;
            dist += 1;
            n += 1;
        }
        code += 1;
    }

    let mut bl_count = [0u16; MAX_BITS + 1];
    let mut static_ltree = [Ct { fc: 0, dl: 0 }; L_CODES + 2];
    let mut n = 0;
    while n <= 287 {
        let len = if n <= 143 {
            8
        } else if n <= 255 {
            9
        } else if n <= 279 {
            7
        } else {
            8
        };
        static_ltree[n].dl = len;
        bl_count[len as usize] += 1;
        n += 1;
    }
    gen_codes(&mut static_ltree, L_CODES + 1, &bl_count);

    let mut static_dtree = [Ct { fc: 0, dl: 0 }; D_CODES];
    n = 0;
    while n < D_CODES {
        static_dtree[n].dl = 5;
        static_dtree[n].fc = bi_reverse(n as u32, 5) as u16;
        n += 1;
    }

    StaticTables {
        length_code,
        dist_code,
        base_length,
        base_dist,
        static_ltree,
        static_dtree,
    }
}

/// zlib's `static_tree_desc`.
struct StaticTreeDesc {
    /// Static tree, if any (for static_len).
    static_tree: Option<&'static [Ct]>,
    /// Extra bits for each code.
    extra_bits: &'static [u8],
    /// Base index for extra_bits.
    extra_base: usize,
    /// Max number of elements in the tree.
    elems: usize,
    /// Max bit length for the codes.
    max_length: usize,
}

static STATIC_L_DESC: StaticTreeDesc = StaticTreeDesc {
    static_tree: Some(&TABLES.static_ltree),
    extra_bits: &EXTRA_LBITS,
    extra_base: LITERALS + 1,
    elems: L_CODES,
    max_length: MAX_BITS,
};
static STATIC_D_DESC: StaticTreeDesc = StaticTreeDesc {
    static_tree: Some(&TABLES.static_dtree),
    extra_bits: &EXTRA_DBITS,
    extra_base: 0,
    elems: D_CODES,
    max_length: MAX_BITS,
};
static STATIC_BL_DESC: StaticTreeDesc = StaticTreeDesc {
    static_tree: None,
    extra_bits: &EXTRA_BLBITS,
    extra_base: 0,
    elems: BL_CODES,
    max_length: MAX_BL_BITS,
};

/// Maps a distance minus one to its distance code (zlib's `d_code()` macro).
#[inline(always)]
fn d_code(dist: usize) -> usize {
    if dist < 256 {
        TABLES.dist_code[dist] as usize
    } else {
        TABLES.dist_code[256 + ((dist >> 7) & 0xff)] as usize
    }
}

/// Reverses the first `len` bits of `code` (zlib's `bi_reverse`).
const fn bi_reverse(mut code: u32, mut len: u32) -> u32 {
    let mut res = 0u32;
    loop {
        res |= code & 1;
        code >>= 1;
        res <<= 1;
        len -= 1;
        if len == 0 {
            break;
        }
    }
    res >> 1
}

/// Generates the codes for a tree from its bit lengths (zlib's `gen_codes`). `const` so the
/// static literal tree is built at compile time with the very same routine.
const fn gen_codes(tree: &mut [Ct], max_code: usize, bl_count: &[u16; MAX_BITS + 1]) {
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code: u32 = 0;
    let mut bits = 1;
    while bits <= MAX_BITS {
        code = (code + bl_count[bits - 1] as u32) << 1;
        next_code[bits] = code as u16;
        bits += 1;
    }
    let mut n = 0;
    while n <= max_code {
        let len = tree[n].dl as usize;
        if len != 0 {
            tree[n].fc = bi_reverse(next_code[len] as u32, len as u32) as u16;
            next_code[len] = next_code[len].wrapping_add(1);
        }
        n += 1;
    }
}

/// The bit output of trees.c (`send_bits`, `bi_windup`), 64 bits wide.
#[derive(Default)]
pub(super) struct BitWriter {
    bi_buf: u64,
    /// Number of valid bits in bi_buf; always below 32 between calls.
    bi_valid: u32,
}

impl BitWriter {
    /// Appends the `length` (at most 32) low bits of `value`, least significant first;
    /// `value` must not have bits above them.
    #[inline(always)]
    pub(super) fn send_bits(&mut self, out: &mut Vec<u8>, value: u64, length: u32) {
        self.bi_buf |= value << self.bi_valid;
        self.bi_valid += length;
        if self.bi_valid >= 32 {
            out.extend_from_slice(&(self.bi_buf as u32).to_le_bytes());
            self.bi_buf >>= 32;
            self.bi_valid -= 32;
        }
    }

    /// Flushes the bit buffer and aligns the output on a byte boundary (`bi_windup`).
    pub(super) fn windup(&mut self, out: &mut Vec<u8>) {
        while self.bi_valid > 0 {
            out.push(self.bi_buf as u8);
            self.bi_buf >>= 8;
            self.bi_valid = self.bi_valid.saturating_sub(8);
        }
        self.bi_buf = 0;
        self.bi_valid = 0;
    }
}

/// The scratch state zlib keeps in `deflate_state` for building trees: the heap, node
/// depths, `bl_count`, and the block's `opt_len` / `static_len`.
struct TreeBuilder {
    /// Heap used to build the Huffman trees; heap[0] is not used.
    heap: [u16; 2 * L_CODES + 1],
    /// Number of elements in the heap.
    heap_len: usize,
    /// Element of largest frequency.
    heap_max: usize,
    /// Depth of each subtree, used as tie breaker for trees of equal frequency.
    depth: [u8; 2 * L_CODES + 1],
    /// Number of codes at each bit length for an optimal tree.
    bl_count: [u16; MAX_BITS + 1],
    /// Bit length of the current block with optimal trees. zlib's `ulg` arithmetic wraps
    /// (build_tree may decrement it below zero before gen_bitlen adds), so it uses
    /// wrapping operations throughout.
    opt_len: u64,
    /// Bit length of the current block with static trees.
    static_len: u64,
}

/// Compares two subtrees, using the tree depth as tie breaker when the subtrees have equal
/// frequency (zlib's `smaller` macro).
#[inline(always)]
fn smaller(tree: &[Ct], n: usize, m: usize, depth: &[u8]) -> bool {
    tree[n].freq() < tree[m].freq() || (tree[n].freq() == tree[m].freq() && depth[n] <= depth[m])
}

impl TreeBuilder {
    /// Restores the heap property by moving down the tree starting at node k (`pqdownheap`).
    fn pqdownheap(&mut self, tree: &[Ct], mut k: usize) {
        let v = self.heap[k];
        let mut j = k << 1; // left son of k
        while j <= self.heap_len {
            // Set j to the smallest of the two sons.
            if j < self.heap_len
                && smaller(
                    tree,
                    self.heap[j + 1] as usize,
                    self.heap[j] as usize,
                    &self.depth,
                )
            {
                j += 1;
            }
            // Exit if v is smaller than both sons.
            if smaller(tree, v as usize, self.heap[j] as usize, &self.depth) {
                break;
            }
            // Exchange v with the smallest son and continue down the tree.
            self.heap[k] = self.heap[j];
            k = j;
            j <<= 1;
        }
        self.heap[k] = v;
    }

    /// Removes the smallest element from the heap (zlib's `pqremove` macro).
    fn pqremove(&mut self, tree: &[Ct]) -> usize {
        let top = self.heap[SMALLEST] as usize;
        self.heap[SMALLEST] = self.heap[self.heap_len];
        self.heap_len -= 1;
        self.pqdownheap(tree, SMALLEST);
        top
    }

    /// Computes the optimal bit lengths for a tree, limiting them to `max_length`, and
    /// updates opt_len / static_len (`gen_bitlen`).
    fn gen_bitlen(&mut self, tree: &mut [Ct], max_code: usize, desc: &StaticTreeDesc) {
        let stree = desc.static_tree;
        let extra = desc.extra_bits;
        let base = desc.extra_base;
        let max_length = desc.max_length;
        let mut overflow = 0i32; // number of elements with bit length too large

        self.bl_count = [0; MAX_BITS + 1];

        // In a first pass, compute the optimal bit lengths (which may overflow in the case
        // of the bit length tree).
        tree[self.heap[self.heap_max] as usize].dl = 0; // root of the heap

        let mut h = self.heap_max + 1;
        while h < HEAP_SIZE {
            let n = self.heap[h] as usize;
            let mut bits = tree[tree[n].dad() as usize].len() as usize + 1;
            if bits > max_length {
                bits = max_length;
                overflow += 1;
            }
            tree[n].dl = bits as u16; // overwrites tree[n].dad, which is no longer needed
            h += 1;

            if n > max_code {
                continue; // not a leaf node
            }
            self.bl_count[bits] += 1;
            let xbits = if n >= base {
                extra[n - base] as usize
            } else {
                0
            };
            let f = tree[n].freq() as u64;
            self.opt_len = self.opt_len.wrapping_add(f * (bits + xbits) as u64);
            if let Some(stree) = stree {
                self.static_len = self
                    .static_len
                    .wrapping_add(f * (stree[n].len() as usize + xbits) as u64);
            }
        }
        if overflow == 0 {
            return;
        }

        // Find the first bit length which could increase.
        loop {
            let mut bits = max_length - 1;
            while self.bl_count[bits] == 0 {
                bits -= 1;
            }
            self.bl_count[bits] -= 1; // move one leaf down the tree
            self.bl_count[bits + 1] += 2; // move one overflow item as its brother
            self.bl_count[max_length] -= 1;
            // The brother of the overflow item also moves one step up, but this does not
            // affect bl_count[max_length].
            overflow -= 2;
            if overflow <= 0 {
                break;
            }
        }

        // Now recompute all bit lengths, scanning in increasing frequency. h is still equal
        // to HEAP_SIZE.
        let mut bits = max_length;
        while bits != 0 {
            let mut n = self.bl_count[bits];
            while n != 0 {
                h -= 1;
                let m = self.heap[h] as usize;
                if m > max_code {
                    continue;
                }
                if tree[m].len() as usize != bits {
                    let delta = (bits as u64)
                        .wrapping_sub(tree[m].len() as u64)
                        .wrapping_mul(tree[m].freq() as u64);
                    self.opt_len = self.opt_len.wrapping_add(delta);
                    tree[m].dl = bits as u16;
                }
                n -= 1;
            }
            bits -= 1;
        }
    }

    /// Constructs one Huffman tree and assigns the code bit strings and lengths; returns
    /// the largest code with non-zero frequency (`build_tree`, which stores it in
    /// `desc->max_code`).
    fn build_tree(&mut self, tree: &mut [Ct], desc: &StaticTreeDesc) -> usize {
        let stree = desc.static_tree;
        let elems = desc.elems;
        let mut max_code: isize = -1; // largest code with non zero frequency

        // Construct the initial heap, with least frequent element in heap[SMALLEST]. The
        // sons of heap[n] are heap[2*n] and heap[2*n+1]; heap[0] is not used.
        self.heap_len = 0;
        self.heap_max = HEAP_SIZE;

        for (n, node) in tree[..elems].iter_mut().enumerate() {
            if node.freq() != 0 {
                self.heap_len += 1;
                self.heap[self.heap_len] = n as u16;
                max_code = n as isize;
                self.depth[n] = 0;
            } else {
                node.dl = 0;
            }
        }

        // The pkzip format requires that at least one distance code exists, and that at
        // least one bit should be sent even if there is only one possible code. So to
        // avoid special checks later on we force at least two codes of non zero frequency.
        while self.heap_len < 2 {
            let node = if max_code < 2 {
                max_code += 1;
                max_code as usize
            } else {
                0
            };
            self.heap_len += 1;
            self.heap[self.heap_len] = node as u16;
            tree[node].fc = 1;
            self.depth[node] = 0;
            self.opt_len = self.opt_len.wrapping_sub(1);
            if let Some(stree) = stree {
                self.static_len = self.static_len.wrapping_sub(stree[node].len() as u64);
            }
            // node is 0 or 1 so it does not have extra bits
        }
        let max_code = max_code as usize;

        // The elements heap[heap_len/2+1 .. heap_len] are leaves of the tree; establish
        // sub-heaps of increasing lengths.
        let mut n = self.heap_len / 2;
        while n >= 1 {
            self.pqdownheap(tree, n);
            n -= 1;
        }

        // Construct the Huffman tree by repeatedly combining the least two frequent nodes.
        let mut node = elems; // next internal node of the tree
        loop {
            let n = self.pqremove(tree); // n = node of least frequency
            let m = self.heap[SMALLEST] as usize; // m = node of next least frequency

            // Keep the nodes sorted by frequency.
            self.heap_max -= 1;
            self.heap[self.heap_max] = n as u16;
            self.heap_max -= 1;
            self.heap[self.heap_max] = m as u16;

            // Create a new node father of n and m.
            tree[node].fc = tree[n].freq().wrapping_add(tree[m].freq());
            self.depth[node] = self.depth[n].max(self.depth[m]).wrapping_add(1);
            tree[n].dl = node as u16;
            tree[m].dl = node as u16;

            // And insert the new node in the heap.
            self.heap[SMALLEST] = node as u16;
            node += 1;
            self.pqdownheap(tree, SMALLEST);

            if self.heap_len < 2 {
                break;
            }
        }
        self.heap_max -= 1;
        self.heap[self.heap_max] = self.heap[SMALLEST];

        // At this point, the fields freq and dad are set. We can now generate the bit
        // lengths, and then the codes.
        self.gen_bitlen(tree, max_code, desc);
        gen_codes(tree, max_code, &self.bl_count);
        max_code
    }
}

/// The trees and symbol buffer of one deflate stream (the trees.c part of `deflate_state`).
pub(super) struct Trees {
    /// Literal and length tree.
    dyn_ltree: [Ct; HEAP_SIZE],
    /// Distance tree.
    dyn_dtree: [Ct; 2 * D_CODES + 1],
    /// Huffman tree for bit lengths.
    bl_tree: [Ct; 2 * BL_CODES + 1],
    l_max_code: usize,
    d_max_code: usize,
    builder: TreeBuilder,
    /// Symbol buffer: match distance (0 for a literal) for each symbol.
    sym_dist: Box<[u16]>,
    /// Symbol buffer: literal byte, or match length - MIN_MATCH.
    sym_lc: Box<[u8]>,
    /// Number of symbols in the buffer.
    sym_next: usize,
    /// The block is flushed when sym_next reaches this (lit_bufsize - 1).
    sym_end: usize,
    bits: BitWriter,
}

impl Trees {
    /// `lit_bufsize` is zlib's `1 << (memLevel + 6)`.
    pub(super) fn new(lit_bufsize: usize) -> Self {
        let mut t = Trees {
            dyn_ltree: [Ct::default(); HEAP_SIZE],
            dyn_dtree: [Ct::default(); 2 * D_CODES + 1],
            bl_tree: [Ct::default(); 2 * BL_CODES + 1],
            l_max_code: 0,
            d_max_code: 0,
            builder: TreeBuilder {
                heap: [0; 2 * L_CODES + 1],
                heap_len: 0,
                heap_max: 0,
                depth: [0; 2 * L_CODES + 1],
                bl_count: [0; MAX_BITS + 1],
                opt_len: 0,
                static_len: 0,
            },
            sym_dist: vec![0; lit_bufsize].into_boxed_slice(),
            sym_lc: vec![0; lit_bufsize].into_boxed_slice(),
            sym_next: 0,
            sym_end: lit_bufsize - 1,
            bits: BitWriter::default(),
        };
        t.init_block();
        t
    }

    /// `_tr_init`: a fresh bit buffer and a fresh first block.
    pub(super) fn reset(&mut self) {
        self.bits = BitWriter::default();
        self.init_block();
    }

    /// Initializes a new block (`init_block`).
    fn init_block(&mut self) {
        for n in 0..L_CODES {
            self.dyn_ltree[n].fc = 0;
        }
        for n in 0..D_CODES {
            self.dyn_dtree[n].fc = 0;
        }
        for n in 0..BL_CODES {
            self.bl_tree[n].fc = 0;
        }
        self.dyn_ltree[END_BLOCK].fc = 1;
        self.builder.opt_len = 0;
        self.builder.static_len = 0;
        self.sym_next = 0;
    }

    /// Records a literal; returns true when the block must be flushed (`_tr_tally_lit`).
    #[inline(always)]
    /// Whether symbols are waiting for the next block (zlib's `sym_next != 0`).
    pub(super) fn has_pending_symbols(&self) -> bool {
        self.sym_next != 0
    }

    /// Records a literal byte; returns true when the block must be flushed
    /// (`_tr_tally_lit`). Always inlined, as zlib's macro is: as a call it made
    /// `deflate_slow` spill its registers around every literal (botocore's wheel on one
    /// thread: 1.4% more CPU, two A/Bs of 6 and 10 rounds).
    #[inline(always)]
    pub(super) fn tr_tally_lit(&mut self, c: u8) -> bool {
        let i = self.sym_next;
        self.sym_dist[i] = 0;
        self.sym_lc[i] = c;
        self.sym_next = i + 1;
        let f = &mut self.dyn_ltree[c as usize].fc;
        *f = f.wrapping_add(1);
        self.sym_next == self.sym_end
    }

    /// Records a match of distance `dist` (1..=32768) and length `len - MIN_MATCH`;
    /// returns true when the block must be flushed (`_tr_tally_dist`).
    #[inline(always)]
    pub(super) fn tr_tally_dist(&mut self, dist: usize, len: usize) -> bool {
        let i = self.sym_next;
        self.sym_dist[i] = dist as u16;
        self.sym_lc[i] = len as u8;
        self.sym_next = i + 1;
        let lf = &mut self.dyn_ltree[TABLES.length_code[len & 0xff] as usize + LITERALS + 1].fc;
        *lf = lf.wrapping_add(1);
        let df = &mut self.dyn_dtree[d_code(dist.wrapping_sub(1) & 0x7fff)].fc;
        *df = df.wrapping_add(1);
        self.sym_next == self.sym_end
    }

    /// Constructs the Huffman tree for the bit lengths and returns the index in BL_ORDER of
    /// the last bit length code to send (`build_bl_tree`).
    fn build_bl_tree(&mut self) -> usize {
        // Determine the bit length frequencies for literal and distance trees.
        scan_tree(&mut self.bl_tree, &mut self.dyn_ltree, self.l_max_code);
        scan_tree(&mut self.bl_tree, &mut self.dyn_dtree, self.d_max_code);

        // Build the bit length tree. opt_len now includes the length of the tree
        // representations, except the lengths of the bit lengths codes and the 5+5+4 bits
        // for the counts.
        self.builder.build_tree(&mut self.bl_tree, &STATIC_BL_DESC);

        // Determine the number of bit length codes to send. The pkzip format requires that
        // at least 4 bit length codes be sent.
        let mut max_blindex = BL_CODES - 1;
        while max_blindex >= 3 {
            if self.bl_tree[BL_ORDER[max_blindex] as usize].len() != 0 {
                break;
            }
            max_blindex -= 1;
        }
        // Update opt_len to include the bit length tree and counts.
        self.builder.opt_len = self
            .builder
            .opt_len
            .wrapping_add(3 * (max_blindex as u64 + 1) + 5 + 5 + 4);
        max_blindex
    }

    /// Sends the header for a block using dynamic Huffman trees: the counts, the lengths of
    /// the bit length codes, the literal tree and the distance tree (`send_all_trees`).
    fn send_all_trees(&mut self, out: &mut Vec<u8>, lcodes: usize, dcodes: usize, blcodes: usize) {
        let bits = &mut self.bits;
        bits.send_bits(out, (lcodes - 257) as u64, 5); // not +255 as stated in appnote.txt
        bits.send_bits(out, (dcodes - 1) as u64, 5);
        bits.send_bits(out, (blcodes - 4) as u64, 4); // not -3 as stated in appnote.txt
        for &code in &BL_ORDER[..blcodes] {
            bits.send_bits(out, self.bl_tree[code as usize].len() as u64, 3);
        }
        send_tree(bits, out, &self.bl_tree, &self.dyn_ltree, lcodes - 1); // literal tree
        send_tree(bits, out, &self.bl_tree, &self.dyn_dtree, dcodes - 1); // distance tree
    }

    /// Sends a stored block (`_tr_stored_block`).
    pub(super) fn tr_stored_block(&mut self, out: &mut Vec<u8>, buf: &[u8], last: bool) {
        self.bits
            .send_bits(out, (STORED_BLOCK << 1) + last as u64, 3); // block type
        self.bits.windup(out); // align on byte boundary
        let len = buf.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(buf);
    }

    /// Determines the best encoding for the current block (dynamic trees, static trees or
    /// stored) and writes it out (`_tr_flush_block`). `buf` is the block's input if it is
    /// still in the window (zlib passes NULL when `block_start` went negative), and
    /// `stored_len` its length.
    pub(super) fn tr_flush_block(
        &mut self,
        out: &mut Vec<u8>,
        buf: Option<&[u8]>,
        stored_len: u64,
        last: bool,
    ) {
        // Only levels 1-9 come here (deflate_stored writes its own blocks), so the trees are
        // always built. zlib's detect_data_type() only sets strm->data_type, which does not
        // affect the output, so it is left out.
        self.l_max_code = self.builder.build_tree(&mut self.dyn_ltree, &STATIC_L_DESC);
        self.d_max_code = self.builder.build_tree(&mut self.dyn_dtree, &STATIC_D_DESC);
        // At this point, opt_len and static_len are the total bit lengths of the compressed
        // block data, excluding the tree representations.

        // Build the bit length tree for the above two trees, and get the index in BL_ORDER
        // of the last bit length code to send.
        let max_blindex = self.build_bl_tree();

        // Determine the best encoding. Compute the block lengths in bytes.
        let mut opt_lenb = self.builder.opt_len.wrapping_add(3 + 7) >> 3;
        let static_lenb = self.builder.static_len.wrapping_add(3 + 7) >> 3;
        if static_lenb <= opt_lenb {
            opt_lenb = static_lenb;
        }

        match buf {
            // 4: two words for the lengths.
            Some(buf) if stored_len + 4 <= opt_lenb => {
                self.tr_stored_block(out, buf, last);
            }
            _ if static_lenb == opt_lenb => {
                self.bits
                    .send_bits(out, (STATIC_TREES << 1) + last as u64, 3);
                let syms = (
                    &self.sym_dist[..self.sym_next],
                    &self.sym_lc[..self.sym_next],
                );
                compress_block(
                    &mut self.bits,
                    out,
                    syms,
                    &TABLES.static_ltree,
                    &TABLES.static_dtree,
                );
            }
            _ => {
                self.bits.send_bits(out, (DYN_TREES << 1) + last as u64, 3);
                let (lcodes, dcodes) = (self.l_max_code + 1, self.d_max_code + 1);
                self.send_all_trees(out, lcodes, dcodes, max_blindex + 1);
                let syms = (
                    &self.sym_dist[..self.sym_next],
                    &self.sym_lc[..self.sym_next],
                );
                compress_block(&mut self.bits, out, syms, &self.dyn_ltree, &self.dyn_dtree);
            }
        }
        self.init_block();
        if last {
            self.bits.windup(out);
        }
    }
}

/// Sends the block data compressed using the given Huffman trees (`compress_block`).
/// A code and its extra bits go out in one `send_bits`: the same bits in the same order.
fn compress_block(
    bits: &mut BitWriter,
    out: &mut Vec<u8>,
    (dists, lcs): (&[u16], &[u8]),
    ltree: &[Ct],
    dtree: &[Ct],
) {
    for (&dist, &lc) in dists.iter().zip(lcs) {
        let lc = lc as usize;
        if dist == 0 {
            // Send a literal byte.
            let c = ltree[lc];
            bits.send_bits(out, c.code() as u64, c.len() as u32);
        } else {
            // Here, lc is the match length - MIN_MATCH.
            let code = TABLES.length_code[lc] as usize;
            let c = ltree[code + LITERALS + 1];
            let extra = EXTRA_LBITS[code] as u32;
            // Code 285 (length 258) has no extra bits and no base_length entry in zlib's
            // table (it stays 0), so only form the extra value when there are extra bits.
            let xval = if extra != 0 {
                (lc - TABLES.base_length[code] as usize) as u64
            } else {
                0
            };
            bits.send_bits(
                out,
                c.code() as u64 | (xval << c.len()),
                c.len() as u32 + extra,
            );
            let dist = (dist as usize).wrapping_sub(1) & 0x7fff; // match distance - 1
            let code = d_code(dist);
            let c = dtree[code];
            let extra = EXTRA_DBITS[code] as u32;
            let xval = (dist - TABLES.base_dist[code] as usize) as u64;
            bits.send_bits(
                out,
                c.code() as u64 | (xval << c.len()),
                c.len() as u32 + extra,
            );
        }
    }
    let c = ltree[END_BLOCK];
    bits.send_bits(out, c.code() as u64, c.len() as u32);
}

/// Scans a literal or distance tree to determine the frequencies of the codes in the bit
/// length tree (`scan_tree`).
fn scan_tree(bl_tree: &mut [Ct], tree: &mut [Ct], max_code: usize) {
    let mut prevlen: isize = -1; // last emitted length
    let mut nextlen = tree[0].len() as usize; // length of next code
    let mut count = 0usize; // repeat count of the current code
    let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
    tree[max_code + 1].dl = 0xffff; // guard

    let bump = |bl_tree: &mut [Ct], i: usize, by: usize| {
        bl_tree[i].fc = bl_tree[i].fc.wrapping_add(by as u16);
    };
    for n in 0..=max_code {
        let curlen = nextlen;
        nextlen = tree[n + 1].len() as usize;
        count += 1;
        if count < max_count && curlen == nextlen {
            continue;
        } else if count < min_count {
            bump(bl_tree, curlen, count);
        } else if curlen != 0 {
            if curlen as isize != prevlen {
                bump(bl_tree, curlen, 1);
            }
            bump(bl_tree, REP_3_6, 1);
        } else if count <= 10 {
            bump(bl_tree, REPZ_3_10, 1);
        } else {
            bump(bl_tree, REPZ_11_138, 1);
        }
        count = 0;
        prevlen = curlen as isize;
        (max_count, min_count) = if nextlen == 0 {
            (138, 3)
        } else if curlen == nextlen {
            (6, 3)
        } else {
            (7, 4)
        };
    }
}

/// Sends a literal or distance tree in compressed form, using the codes in bl_tree
/// (`send_tree`). The guard at `tree[max_code + 1]` was set by scan_tree.
fn send_tree(
    bits: &mut BitWriter,
    out: &mut Vec<u8>,
    bl_tree: &[Ct],
    tree: &[Ct],
    max_code: usize,
) {
    let mut prevlen: isize = -1; // last emitted length
    let mut nextlen = tree[0].len() as usize; // length of next code
    let mut count = 0usize; // repeat count of the current code
    let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };

    let send_code = |bits: &mut BitWriter, out: &mut Vec<u8>, c: usize| {
        bits.send_bits(out, bl_tree[c].code() as u64, bl_tree[c].len() as u32);
    };
    for n in 0..=max_code {
        let curlen = nextlen;
        nextlen = tree[n + 1].len() as usize;
        count += 1;
        if count < max_count && curlen == nextlen {
            continue;
        } else if count < min_count {
            while count != 0 {
                send_code(bits, out, curlen);
                count -= 1;
            }
        } else if curlen != 0 {
            if curlen as isize != prevlen {
                send_code(bits, out, curlen);
                count -= 1;
            }
            send_code(bits, out, REP_3_6);
            bits.send_bits(out, (count - 3) as u64, 2);
        } else if count <= 10 {
            send_code(bits, out, REPZ_3_10);
            bits.send_bits(out, (count - 3) as u64, 3);
        } else {
            send_code(bits, out, REPZ_11_138);
            bits.send_bits(out, (count - 11) as u64, 7);
        }
        count = 0;
        prevlen = curlen as isize;
        (max_count, min_count) = if nextlen == 0 {
            (138, 3)
        } else if curlen == nextlen {
            (6, 3)
        } else {
            (7, 4)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_tables_match_rfc1951() {
        // Fixed literal/length code lengths (RFC 1951, 3.2.6) and their canonical codes.
        let lt = &TABLES.static_ltree;
        assert_eq!(
            (lt[0].len(), lt[143].len(), lt[144].len(), lt[255].len()),
            (8, 8, 9, 9)
        );
        assert_eq!(
            (lt[256].len(), lt[279].len(), lt[280].len(), lt[287].len()),
            (7, 7, 8, 8)
        );
        // Codes are stored bit-reversed: 256 is 0000000, 0 is 00110000, 144 is 110010000.
        assert_eq!(lt[256].code(), 0);
        assert_eq!(lt[0].code(), bi_reverse(0b0011_0000, 8) as u16);
        assert_eq!(lt[144].code(), bi_reverse(0b1_1001_0000, 9) as u16);
        assert_eq!(TABLES.length_code[0], 0);
        assert_eq!(TABLES.length_code[255], 28); // length 258 uses code 285
        assert_eq!(TABLES.length_code[254], 27);
        assert_eq!(d_code(0), 0);
        assert_eq!(d_code(32767), 29);
        assert_eq!(TABLES.base_dist[29], 24576);
    }

    /// Fibonacci frequencies force code lengths past MAX_BITS, exercising gen_bitlen's
    /// overflow repair; the result must still be a complete prefix code within the limit.
    #[test]
    fn gen_bitlen_overflow_yields_complete_code() {
        let mut tree = [Ct::default(); HEAP_SIZE];
        let (mut a, mut b) = (1u16, 1u16);
        for node in &mut tree[..24] {
            node.fc = a;
            (a, b) = (b, a.saturating_add(b));
        }
        let mut builder = TreeBuilder {
            heap: [0; 2 * L_CODES + 1],
            heap_len: 0,
            heap_max: 0,
            depth: [0; 2 * L_CODES + 1],
            bl_count: [0; MAX_BITS + 1],
            opt_len: 0,
            static_len: 0,
        };
        let max_code = builder.build_tree(&mut tree, &STATIC_L_DESC);
        assert_eq!(max_code, 23);
        let mut kraft = 0u64;
        for ct in &tree[..24] {
            let len = ct.len() as u64;
            assert!((1..=15).contains(&len));
            kraft += 1 << (15 - len);
        }
        assert_eq!(kraft, 1 << 15);
    }
}
