"""Byte comparison of archives, with an explanation a human can act on."""

import gzip
import io
import tarfile
import zipfile
from pathlib import Path


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.date_time, i.external_attr, i.compress_type, z.read(i)) for i in z.infolist()]


def explain_zip_diff(a, b):
    ma, mb = zip_members(a), zip_members(b)
    na, nb = [m[0] for m in ma], [m[0] for m in mb]
    if na != nb:
        return f"member lists differ:\n  {a.name}: {na}\n  {b.name}: {nb}"
    for x, y in zip(ma, mb):
        if x[1:4] != y[1:4]:
            return f"{x[0]}: header differs: {x[1:4]} vs {y[1:4]}"
        if x[4] != y[4]:
            return f"{x[0]}: content differs:\n--- {a}\n{x[4][:2000]!r}\n--- {b}\n{y[4][:2000]!r}"
    ra, rb = Path(a).read_bytes(), Path(b).read_bytes()
    i = next((i for i, (p, q) in enumerate(zip(ra, rb)) if p != q), min(len(ra), len(rb)))
    return f"same members, but bytes differ at offset {i} (sizes {len(ra)} vs {len(rb)})"


def tar_members(path):
    raw = gzip.decompress(Path(path).read_bytes())
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else b""
            out.append((m.name, m.mode, m.mtime, m.type, m.linkname, m.uid, m.gid, m.uname, m.gname, m.pax_headers, data))
    return out


def explain_tar_diff(a, b):
    ha, hb = Path(a).read_bytes()[:40], Path(b).read_bytes()[:40]
    ma, mb = tar_members(a), tar_members(b)
    na, nb = [m[0] for m in ma], [m[0] for m in mb]
    if na != nb:
        return f"member lists differ:\n  {a.name}: {na}\n  {b.name}: {nb}"
    for x, y in zip(ma, mb):
        if x != y:
            return f"{x[0]}: member differs:\n  {x[:10]}\n  {y[:10]}\n  {x[10][:500]!r}\n  {y[10][:500]!r}"
    if gzip.decompress(Path(a).read_bytes()) == gzip.decompress(Path(b).read_bytes()):
        return f"tar streams identical; gzip differs (headers {ha[:10].hex()} vs {hb[:10].hex()})"
    return "same members; tar header bytes differ"


def assert_same_bytes(a, b):
    a, b = Path(a), Path(b)
    assert a.name == b.name, f"file names differ: {a.name} vs {b.name}"
    if a.read_bytes() == b.read_bytes():
        return
    why = explain_zip_diff(a, b) if a.suffix == ".whl" else explain_tar_diff(a, b)
    raise AssertionError(f"{a.name} differs: {why}")
