"""CPython side of tests/readers_differential.rs.

Subcommands (all binary I/O is little-endian and framed; see each function):

  compress MANIFEST    compress inputs with zlib under many parameter sets
  mutate BASES MUTS    apply mutations to deflate streams, decompress each with zlib
  speed FILE           time zlib.decompress on a raw-deflate stream
  archives DIR         write zip/tar/gzip archives with zipfile/tarfile/gzip
  dump FILE...         describe archives the way CPython reads them, as JSON

The Rust side compares what our readers report with this output.
"""

import gzip
import json
import os
import struct
import sys
import tarfile
import time
import zipfile
import zlib

out = sys.stdout.buffer

STRATEGIES = {
    "default": zlib.Z_DEFAULT_STRATEGY,
    "filtered": zlib.Z_FILTERED,
    "huffman": zlib.Z_HUFFMAN_ONLY,
    "rle": zlib.Z_RLE,
    "fixed": zlib.Z_FIXED,
}
FLUSHES = {
    "sync": zlib.Z_SYNC_FLUSH,
    "full": zlib.Z_FULL_FLUSH,
    "partial": zlib.Z_PARTIAL_FLUSH,
    "block": zlib.Z_BLOCK,
}


def blob(data):
    out.write(struct.pack("<Q", len(data)))
    out.write(data)


def compress(data, config):
    """config: level,wbits,memlevel,strategy,flush,every (flush "none" or a FLUSHES key)."""
    level, wbits, memlevel, strategy, flush, every = config.split(",")
    co = zlib.compressobj(int(level), zlib.DEFLATED, int(wbits), int(memlevel),
                          STRATEGIES[strategy])
    every = int(every)
    if flush == "none" or every <= 0:
        return co.compress(data) + co.flush()
    parts = []
    for start in range(0, len(data), every):
        parts.append(co.compress(data[start:start + every]))
        parts.append(co.flush(FLUSHES[flush]))
    parts.append(co.flush())
    return b"".join(parts)


def cmd_compress(manifest):
    """MANIFEST lines: path TAB config[ TAB config...]. Writes one blob per config."""
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            path, *configs = line.rstrip("\n").split("\t")
            with open(path, "rb") as g:
                data = g.read()
            for config in configs:
                z = compress(data, config)
                assert zlib.decompress(z, -15) == data
                blob(z)
    out.flush()


def mutate(data, ops):
    """Mirrors `apply_mutation` in readers_differential.rs."""
    data = bytearray(data)
    for kind, pos, val in ops:
        n = len(data)
        if kind == 0:  # xor
            if n:
                data[pos % n] ^= val
        elif kind == 1:  # set
            if n:
                data[pos % n] = val
        elif kind == 2:  # truncate
            del data[pos % (n + 1):]
        elif kind == 3:  # insert
            data.insert(pos % (n + 1), val)
        elif kind == 4:  # delete
            if n:
                del data[pos % n]
        elif kind == 5:  # append pos % 64 copies of val
            data.extend(bytes([val]) * (pos % 64))
    return bytes(data)


def cmd_mutate(bases_path, muts_path, limit):
    """BASES: blobs (u64 length + bytes). MUTS: records u32 base, u8 count, then count times
    (u8 kind, u32 pos, u8 val). Writes per record: u8 class (0 complete, 1 truncated,
    2 error, 3 over limit), u32 output length, u32 output crc32, u32 unused input length."""
    bases = []
    with open(bases_path, "rb") as f:
        raw = f.read()
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack_from("<Q", raw, pos)
        bases.append(raw[pos + 8:pos + 8 + n])
        pos += 8 + n
    with open(muts_path, "rb") as f:
        raw = f.read()
    pos = 0
    results = []
    op = struct.Struct("<BIB")
    while pos < len(raw):
        base, count = struct.unpack_from("<IB", raw, pos)
        pos += 5
        ops = []
        for _ in range(count):
            ops.append(op.unpack_from(raw, pos))
            pos += op.size
        data = mutate(bases[base], ops)
        d = zlib.decompressobj(-15)
        try:
            got = d.decompress(data, limit + 1)
        except zlib.error:
            results.append(struct.pack("<BIII", 2, 0, 0, 0))
            continue
        if len(got) > limit:
            results.append(struct.pack("<BIII", 3, 0, 0, 0))
        elif d.eof:
            results.append(struct.pack("<BIII", 0, len(got), zlib.crc32(got),
                                       len(d.unused_data)))
        else:
            results.append(struct.pack("<BIII", 1, len(got), zlib.crc32(got), 0))
    out.write(b"".join(results))
    out.flush()


def cmd_speed(path):
    with open(path, "rb") as f:
        z = f.read()
    best = None
    for _ in range(3):
        t = time.perf_counter()
        data = zlib.decompress(z, -15)
        t = time.perf_counter() - t
        best = t if best is None else min(best, t)
    print(json.dumps({"seconds": best, "output": len(data), "zlib": zlib.ZLIB_RUNTIME_VERSION}))


def main():
    cmd = sys.argv[1]
    if cmd == "compress":
        cmd_compress(sys.argv[2])
    elif cmd == "mutate":
        cmd_mutate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "speed":
        cmd_speed(sys.argv[2])
    else:
        raise SystemExit("unknown command %r" % cmd)


if __name__ == "__main__":
    main()
