"""CPython side of tests/readers_differential.rs.

Subcommands (all binary I/O is little-endian and framed; see each function):

  compress MANIFEST    compress inputs with zlib under many parameter sets
  mutate BASES MUTS    apply mutations to deflate streams, decompress each with zlib
  speed FILE           time zlib.decompress on a raw-deflate stream
  archives DIR         write zip/tar/gzip archives with zipfile/tarfile/gzip
  dump DIR             describe every archive in DIR the way CPython reads it, as JSON

The Rust side compares what our readers report with this output.
"""

import gzip
import hashlib
import io
import json
import os
import random
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


# ---------------------------------------------------------------- archives

def randbytes(rng, n):
    """`Random.randbytes` (3.9+), also on 3.8."""
    return rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""


def sample_text(rng, n):
    words = ["def", "return", "self", "import", "None", "value", "\n", "    ", "(", ")",
             "é", "数据", "class", "=", ":", "#"]
    parts, size = [], 0
    while size < n:
        w = rng.choice(words) + rng.choice([" ", "", "\n"])
        parts.append(w)
        size += len(w.encode())
    return "".join(parts).encode()[:n]


class Unseekable(io.RawIOBase):
    """A write-only stream without seek/tell: zipfile then writes data descriptors."""

    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        return self.f.write(b)


def zip_members(rng):
    return [
        ("pkg/__init__.py", 0o644, (2016, 1, 1, 0, 0, 0), sample_text(rng, 300)),
        ("pkg/data/ü-数据.txt", 0o755, (2023, 12, 31, 23, 59, 58), sample_text(rng, 5000)),
        ("pkg/empty.py", 0o600, (1980, 1, 1, 0, 0, 0), b""),
        ("pkg/big.txt", 0o644, (2107, 12, 31, 23, 59, 58), sample_text(rng, 300_000)),
        ("pkg/random.bin", 0o644, (2001, 2, 3, 4, 5, 7), randbytes(rng, 70_000)),
        ("pkg-1.0.dist-info/RECORD", 0o644, (2016, 1, 1, 0, 0, 0), b"a,b\r\n" * 50),
    ]


def write_zip(path, rng, compression, level, comment=b"", extras=False, zip64=False,
              unseekable=False, dirs=False):
    with open(path, "wb") as raw:
        target = Unseekable(raw) if unseekable else raw
        with zipfile.ZipFile(target, "w", compression, compresslevel=level) as zf:
            if dirs:
                for name in ("pkg/", "pkg/data/"):
                    if hasattr(zf, "mkdir"):  # 3.11+
                        zf.mkdir(name)
                    else:
                        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                        info.external_attr = (0o40755 << 16) | 0x10
                        zf.writestr(info, b"")
            for i, (name, mode, date_time, data) in enumerate(zip_members(rng)):
                info = zipfile.ZipInfo(name, date_time)
                info.external_attr = (mode | 0o100000) << 16
                info.compress_type = compression
                # ZipInfo's level attribute is private (_compresslevel) before 3.13.
                info._compresslevel = level
                if extras and i == 1:
                    info.extra = struct.pack("<HH", 0xCAFE, 4) + b"abcd"
                    info.comment = b"member comment"
                if zip64 and i % 2 == 0:
                    with zf.open(info, "w", force_zip64=True) as f:
                        f.write(data)
                else:
                    zf.writestr(info, data, compresslevel=level)
            zf.comment = comment


def write_tar(path, rng, fmt, gz_level=None, global_headers=None, long_names=True):
    mode = "w" if gz_level is None else "w:gz"
    kwargs = {} if gz_level is None else {"compresslevel": gz_level}
    with tarfile.open(path, mode, format=fmt, encoding="utf-8",
                      pax_headers=global_headers, **kwargs) as tf:
        def add(name, data=b"", type_=tarfile.REGTYPE, mode=0o644, mtime=1700000000,
                link="", uid=0, gid=0, uname="", gname=""):
            info = tarfile.TarInfo(name)
            info.type = type_
            info.mode = mode
            info.mtime = mtime
            info.linkname = link
            info.uid, info.gid, info.uname, info.gname = uid, gid, uname, gname
            info.size = len(data) if type_ == tarfile.REGTYPE else 0
            tf.addfile(info, io.BytesIO(data) if type_ == tarfile.REGTYPE else None)

        top = "pkg-1.0"
        add(top, type_=tarfile.DIRTYPE, mode=0o755)
        add(top + "/setup.py", sample_text(rng, 1234), mtime=1795234259.788328)
        add(top + "/PKG-INFO", b"Metadata-Version: 2.1\n", mtime=0)
        add(top + "/src/mod.py", sample_text(rng, 50_000), mode=0o755, mtime=157766400.0)
        add(top + "/empty", b"", mode=0o600, uid=1000, gid=1000, uname="forge", gname="users")
        add(top + "/link", type_=tarfile.SYMTYPE, link="setup.py", mode=0o777)
        add(top + "/hard", type_=tarfile.LNKTYPE, link=top + "/setup.py")
        add(top + "/random.bin", randbytes(rng, 20_000), mtime=1234567890.5)
        # 123 bytes: PAX and GNU use their long-name headers, ustar splits it into
        # prefix and name.
        deep = top + "/" + "/".join(["subfolder%02d" % i for i in range(9)]) + "/file.py"
        add(deep, b"deep\n")
        if long_names:
            add(top + "/ünïcödé/数据.txt", "ü".encode() * 100, mtime=1600000000.123456)
            add(top + "/" + "x" * 120 + ".py", b"long\n")
            add(top + "/long-link", type_=tarfile.SYMTYPE,
                link="src/" + "y" * 110 + "/ü.py")


def write_gzip(path, data, level, mtime, name):
    with open(path, "wb") as f:
        with gzip.GzipFile(filename=name, mode="wb", compresslevel=level, fileobj=f,
                           mtime=mtime) as g:
            g.write(data)


def write_gzip_flags(path, data, flags, mtime, xfl, os_byte, extra, name, comment, level):
    """A gzip member with header fields CPython's writer never sets."""
    header = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", mtime)
                       + bytes([xfl, os_byte]))
    if flags & 4:
        header += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        header += name + b"\0"
    if flags & 16:
        header += comment + b"\0"
    if flags & 2:
        header += struct.pack("<H", zlib.crc32(bytes(header)) & 0xFFFF)
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    with open(path, "wb") as f:
        f.write(bytes(header) + body + struct.pack("<II", zlib.crc32(data), len(data)))


def write_unsafe_tar(path, members):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name, type_, link in members:
            info = tarfile.TarInfo(name)
            info.type = type_
            info.linkname = link
            data = b"data\n" if type_ == tarfile.REGTYPE else b""
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def cmd_archives(directory):
    """Writes archives with zipfile/tarfile/gzip; prints a JSON manifest of what was
    written with which gzip level."""
    rng = random.Random(1951)
    levels = {}
    j = lambda name: os.path.join(directory, name)
    for level in (1, 6, 9):
        write_zip(j("cpy-deflated-%d.zip" % level), rng, zipfile.ZIP_DEFLATED, level)
    write_zip(j("cpy-stored.zip"), rng, zipfile.ZIP_STORED, None)
    write_zip(j("cpy-extras.zip"), rng, zipfile.ZIP_DEFLATED, None,
              comment=b"archive comment", extras=True, dirs=True)
    write_zip(j("cpy-zip64.zip"), rng, zipfile.ZIP_DEFLATED, 6, zip64=True)
    write_zip(j("cpy-descriptors.zip"), rng, zipfile.ZIP_DEFLATED, 6, unseekable=True)
    write_zip(j("cpy-descriptors-stored.zip"), rng, zipfile.ZIP_STORED, None,
              unseekable=True)

    write_tar(j("cpy-pax.tar"), rng, tarfile.PAX_FORMAT)
    write_tar(j("cpy-gnu.tar"), rng, tarfile.GNU_FORMAT)
    write_tar(j("cpy-ustar.tar"), rng, tarfile.USTAR_FORMAT, long_names=False)
    write_tar(j("cpy-pax-global.tar"), rng, tarfile.PAX_FORMAT,
              global_headers={"comment": "global ü", "uname": "someone"})
    for level in (9, 6, 1):
        name = "cpy-pax-%d.tar.gz" % level
        write_tar(j(name), rng, tarfile.PAX_FORMAT, gz_level=level)
        levels[name] = level

    text = sample_text(rng, 200_000)
    for level in range(10):
        name = "cpy-level-%d.gz" % level
        write_gzip(j(name), text if level % 2 else randbytes(rng, 3000) + text[:50_000],
                   level, 1451606400 + level, "dist/pkg-%d.tar.gz" % level)
        levels[name] = level
    write_gzip(j("cpy-empty.gz"), b"", 9, 0, "")
    levels["cpy-empty.gz"] = 9
    write_gzip(j("cpy-latin1-ß.gz"), text[:1000], 9, 5, "dist/ßpkg.tar.gz")
    levels["cpy-latin1-ß.gz"] = 9
    for i, flags in enumerate((0x01, 0x02, 0x04, 0x10, 0x1F, 0x1E)):
        name = "flags-%02x.gz" % flags
        write_gzip_flags(j(name), text[: 1000 * (i + 1)], flags, 1000 + i, 2, 3,
                         b"AB\x02\x00xy", b"pkg-1.0.tar", b"a comment", 9)
        levels[name] = 9

    write_unsafe_tar(j("unsafe-absolute.tar"), [("/etc/evil", tarfile.REGTYPE, "")])
    write_unsafe_tar(j("unsafe-dotdot.tar"), [("top/../../evil", tarfile.REGTYPE, "")])
    write_unsafe_tar(j("unsafe-symlinks.tar"), [
        ("top/a", tarfile.REGTYPE, ""),
        ("top/abs", tarfile.SYMTYPE, "/etc/passwd"),
        ("top/up", tarfile.SYMTYPE, "../../x"),
        ("top/sibling", tarfile.SYMTYPE, "../other/x"),
        ("top/ok", tarfile.SYMTYPE, "a"),
    ])
    write_unsafe_tar(j("unsafe-hardlinks.tar"), [
        ("top/a", tarfile.REGTYPE, ""),
        ("top/abs", tarfile.LNKTYPE, "/etc/passwd"),
        ("top/up", tarfile.LNKTYPE, "../x"),
        ("top/ok", tarfile.LNKTYPE, "top/a"),
    ])
    write_unsafe_tar(j("unsafe-special.tar"), [
        ("top/dev", tarfile.CHRTYPE, ""),
        ("top/fifo", tarfile.FIFOTYPE, ""),
        ("top/a", tarfile.REGTYPE, ""),
        ("top/a", tarfile.REGTYPE, ""),
    ])
    print(json.dumps({"gzip_levels": levels, "zlib": zlib.ZLIB_RUNTIME_VERSION}))


# ---------------------------------------------------------------- dumps

def sha(data):
    return hashlib.sha256(data).hexdigest()


def dump_zip(path):
    with zipfile.ZipFile(path) as zf:
        members = []
        for info in zf.infolist():
            data = zf.read(info)
            members.append({
                "name": info.filename,
                "flag_bits": info.flag_bits,
                "compress_type": info.compress_type,
                "date_time": list(info.date_time),
                "CRC": info.CRC,
                "compress_size": info.compress_size,
                "file_size": info.file_size,
                "external_attr": info.external_attr,
                "internal_attr": info.internal_attr,
                "create_system": info.create_system,
                "create_version": info.create_version,
                "extract_version": info.extract_version,
                "reserved": info.reserved,
                "volume": info.volume,
                "extra": info.extra.hex(),
                "comment": info.comment.hex(),
                "header_offset": info.header_offset,
                "is_dir": info.is_dir(),
                "sha256": sha(data),
            })
        return {"kind": "zip", "comment": zf.comment.hex(), "start_dir": zf.start_dir,
                "members": members}


def dump_tar(fileobj):
    dest = "/nonexistent-destination"
    with tarfile.open(fileobj=fileobj, mode="r:") as tf:
        members = []
        for m in tf.getmembers():
            filter_error = None
            if hasattr(tarfile, "data_filter"):  # 3.12, 3.11.4, 3.10.12, 3.9.17, 3.8.17
                try:
                    tarfile.data_filter(m, dest)
                except tarfile.FilterError as e:
                    filter_error = type(e).__name__
            data = tf.extractfile(m).read() if m.isreg() else None
            members.append({
                "name": m.name,
                "type": m.type.decode("latin-1"),
                "mode": m.mode,
                "uid": m.uid,
                "gid": m.gid,
                "uname": m.uname,
                "gname": m.gname,
                "size": m.size,
                "mtime": m.mtime,
                "linkname": m.linkname,
                "devmajor": m.devmajor,
                "devminor": m.devminor,
                "pax_headers": m.pax_headers,
                "offset": m.offset,
                "offset_data": m.offset_data,
                "sha256": None if data is None else sha(data),
                "data_filter": filter_error,
            })
        return {"kind": "tar", "members": members, "end": tf.offset}


def gzip_header(raw):
    """Header fields, parsed here because CPython's gzip reader discards all but MTIME."""
    flags = raw[3]
    pos = 10
    fields = {"flags": flags, "xfl": raw[8], "os": raw[9], "extra": None, "fname": None,
              "comment": None, "hcrc": None}
    if flags & 4:
        (n,) = struct.unpack_from("<H", raw, pos)
        fields["extra"] = raw[pos + 2:pos + 2 + n].hex()
        pos += 2 + n
    for key, bit in (("fname", 8), ("comment", 16)):
        if flags & bit:
            end = raw.index(b"\0", pos)
            fields[key] = raw[pos:end].hex()
            pos = end + 1
    if flags & 2:
        (fields["hcrc"],) = struct.unpack_from("<H", raw, pos)
        pos += 2
    fields["header_len"] = pos
    return fields


def dump_gzip(path):
    with open(path, "rb") as f:
        raw = f.read()
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as g:
        data = g.read()
        mtime = g.mtime
    d = {"kind": "gzip", "mtime": mtime, "data_len": len(data), "sha256": sha(data),
         "crc": zlib.crc32(data)}
    d.update(gzip_header(raw))
    return d, data


def cmd_dump(directory):
    result = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith(".zip"):
            result[name] = dump_zip(path)
        elif name.endswith(".tar"):
            with open(path, "rb") as f:
                result[name] = dump_tar(f)
        elif name.endswith(".tar.gz"):
            d, data = dump_gzip(path)
            d["tar"] = dump_tar(io.BytesIO(data))
            result[name] = d
        elif name.endswith(".gz"):
            result[name], _ = dump_gzip(path)
    print(json.dumps(result, indent=0, sort_keys=True))


def main():
    cmd = sys.argv[1]
    if cmd == "compress":
        cmd_compress(sys.argv[2])
    elif cmd == "mutate":
        cmd_mutate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "speed":
        cmd_speed(sys.argv[2])
    elif cmd == "archives":
        cmd_archives(sys.argv[2])
    elif cmd == "dump":
        cmd_dump(sys.argv[2])
    else:
        raise SystemExit("unknown command %r" % cmd)


if __name__ == "__main__":
    main()
