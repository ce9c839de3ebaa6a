"""Byte comparison of archives, with an explanation a human can act on.

Used by the synthetic flit comparisons (test_flit_compat.py) and by the real-world
corpus harness (conformance/corpus.py), so that both judge artifacts the same way.
"""

import email
import gzip
import io
import posixpath
import tarfile
import zipfile
import zlib
from pathlib import Path


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.date_time, i.external_attr, i.compress_type, z.read(i)) for i in z.infolist()]


def _zip_headers(path):
    """Per member, the header fields zipfile exposes beyond name, date and mode."""
    with zipfile.ZipFile(path) as z:
        return [
            (i.flag_bits, i.create_system, i.create_version, i.extract_version, i.extra, i.comment, i.internal_attr)
            for i in z.infolist()
        ]


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
    for name, x, y in zip(na, _zip_headers(a), _zip_headers(b)):
        if x != y:
            return f"{name}: header differs (flags, system, versions, extra, comment, attr): {x} vs {y}"
    ra, rb = Path(a).read_bytes(), Path(b).read_bytes()
    i = next((i for i, (p, q) in enumerate(zip(ra, rb)) if p != q), min(len(ra), len(rb)))
    return (
        f"same members and decompressed contents, but bytes differ at offset {i} "
        f"(sizes {len(ra)} vs {len(rb)}): compressed data"
    )


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


def first_difference(a, b):
    """None when the two archives have the same name and bytes; otherwise a sentence on
    the first difference found (file name, member list, header, content, then raw
    bytes, which is where a deflate mismatch shows)."""
    a, b = Path(a), Path(b)
    if a.name != b.name:
        return f"file names differ: {a.name} vs {b.name}"
    if a.read_bytes() == b.read_bytes():
        return None
    return explain_zip_diff(a, b) if a.suffix == ".whl" else explain_tar_diff(a, b)


def assert_same_bytes(a, b):
    why = first_difference(a, b)
    if why is not None:
        raise AssertionError(f"{Path(a).name} differs: {why}")


# --- native profile vs flit ------------------------------------------------------------
# The ways forge's native profile may differ from flit_core 4.2.0, each with the
# profile knob or native rule behind it (src/profile.rs; docs/profiles.md):
#  - WHEEL `Generator:` names forge_backend (generator);
#  - METADATA/PKG-INFO: the lowest Metadata-Version that has every field written
#    (fixed_metadata_version), no implicit Import-Name/Import-Namespace
#    (implicit_import_names), `License:` from `license = {text = ...}`
#    (writes_license_text); every other field and the body are the same;
#  - RECORD: only the rows of the two files above change;
#  - sdist: PKG-INFO gets the same mtime as the other members, where flit writes 0
#    (src/sdist.rs); a symlink is stored as a regular file with its target's content
#    (sdist_keeps_symlinks);
#  - native refuses what the pyproject spec forbids and flit lets through: the
#    messages below (src/project/mod.rs).
NATIVE_METADATA_DROPS = {"Import-Name", "Import-Namespace", "Metadata-Version", "License"}
NATIVE_REJECTIONS = {
    "a name cannot contain a comma": "author/maintainer names MUST NOT contain commas (pyproject spec)",
    "a URL label cannot contain a comma": "Project-URL labels cannot hold a comma (core metadata spec)",
    "cannot tell the readme's content type": "tools MUST raise an error for an unknown readme type (pyproject spec)",
    "contains a comma": "Keywords is a comma-separated field (core metadata spec)",
    # flit imports the module when its source has no literal docstring/__version__;
    # native never runs project code (README, native difference 11).
    "is dynamic, but no `__version__": "native never imports project code to read dynamic metadata",
    "has no docstring": "native never imports project code to read dynamic metadata",
}


def documented_native_rejection(message):
    """The rule behind a native build failure, when it is a documented refusal."""
    return next((why for text, why in NATIVE_REJECTIONS.items() if text in (message or "")), None)


def metadata_fields(raw):
    """([(field, value)...], body) of a METADATA / PKG-INFO file."""
    msg = email.message_from_bytes(raw)
    return [(k, v) for k, v in msg.items()], msg.get_payload()


def _metadata_difference(a, b):
    fa, body_a = metadata_fields(a)
    fb, body_b = metadata_fields(b)
    ka = [f for f in fa if f[0] not in NATIVE_METADATA_DROPS]
    kb = [f for f in fb if f[0] not in NATIVE_METADATA_DROPS]
    if ka != kb:
        only_a = [f for f in ka if f not in kb]
        only_b = [f for f in kb if f not in ka]
        return f"fields differ beyond {sorted(NATIVE_METADATA_DROPS)}: flit only {only_a}, native only {only_b}"
    if body_a != body_b:
        return "description bodies differ"
    return None


def _wheel_native_differences(flit, native):
    out = []
    if Path(flit).name != Path(native).name:
        return [f"wheel file names differ: {Path(flit).name} vs {Path(native).name}"]
    with zipfile.ZipFile(flit) as zf, zipfile.ZipFile(native) as zn:
        if zf.namelist() != zn.namelist():
            return [f"wheel member lists differ:\n  flit:   {zf.namelist()}\n  native: {zn.namelist()}"]
        for fi, ni in zip(zf.infolist(), zn.infolist()):
            member = fi.filename
            if (fi.date_time, fi.external_attr, fi.compress_type) != (ni.date_time, ni.external_attr, ni.compress_type):
                out.append(f"wheel {member}: zip header differs")
            a, b = zf.read(fi), zn.read(ni)
            in_dist_info = member.count("/") == 1 and member.split("/")[0].endswith(".dist-info")
            base = member.rsplit("/", 1)[-1] if in_dist_info else None
            if base == "WHEEL":
                def strip(text):
                    return [line for line in text.split(b"\n") if not line.startswith(b"Generator: ")]

                if strip(a) != strip(b):
                    out.append(f"wheel {member}: differs beyond the Generator line")
            elif base == "METADATA":
                why = _metadata_difference(a, b)
                if why:
                    out.append(f"wheel {member}: {why}")
            elif base == "RECORD":
                def rows(text):
                    # Rows of WHEEL and METADATA change with them; every other row must not.
                    skip = tuple(member.rsplit("/", 1)[0] + "/" + f for f in ("WHEEL,", "METADATA,"))
                    return [r for r in text.split(b"\n") if not r.decode("utf-8").startswith(skip)]

                if rows(a) != rows(b):
                    out.append(f"wheel {member}: rows of unchanged files differ")
            elif a != b:
                out.append(f"wheel {member}: content differs")
    return out


NATIVE_GZIP_PIECE = 256 * 1024
DEFLATE_HISTORY = 32 * 1024


def native_gzip_body(tar_bytes, level=6):
    """The native sdist's gzip body as README documents it (native vs flit, row 13), in
    CPython's zlib: level-6 pieces of 256 KiB, each primed with the 32 KiB before it and
    sync-flushed, the last (possibly empty) one finished."""
    starts = list(range(0, len(tar_bytes), NATIVE_GZIP_PIECE))
    if not starts or len(tar_bytes) % NATIVE_GZIP_PIECE == 0:
        starts.append(len(tar_bytes))  # the stream always ends with a last piece
    out = []
    for i, start in enumerate(starts):
        history = tar_bytes[max(0, start - DEFLATE_HISTORY) : start]
        kw = {"zdict": history} if history else {}
        co = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **kw)
        last = i == len(starts) - 1
        piece = tar_bytes[start : start + NATIVE_GZIP_PIECE]
        out.append(co.compress(piece) + co.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return b"".join(out)


def gzip_body(data):
    """The raw-deflate body of a one-member gzip file (FNAME field only, as CPython and
    forge write it)."""
    if data[:3] != b"\x1f\x8b\x08" or data[3] not in (0, 0x08):
        raise ValueError("not a gzip file with only an FNAME field")
    start = data.index(b"\0", 10) + 1 if data[3] == 0x08 else 10
    return data[start:-8]


def _sdist_native_differences(flit, native, project=None):
    if Path(flit).name != Path(native).name:
        return [f"sdist file names differ: {Path(flit).name} vs {Path(native).name}"]
    out = []
    data = Path(native).read_bytes()
    if gzip_body(data) != native_gzip_body(gzip.decompress(data)):
        out.append("sdist: the gzip body is not the documented level-6 pieces")
    mf, mn = tar_members(flit), tar_members(native)
    if [m[0] for m in mf] != [m[0] for m in mn]:
        return [f"sdist member lists differ:\n  flit:   {[m[0] for m in mf]}\n  native: {[m[0] for m in mn]}"]
    by_name = {m[0]: m for m in mf}
    for f, n in zip(mf, mn):
        name = f[0]
        if name.count("/") == 1 and name.endswith("/PKG-INFO"):
            why = _metadata_difference(f[10], n[10])
            if why:
                out.append(f"sdist {name}: {why}")
            # Header fields but the mtime (index 2), which native takes from the others.
            if f[1:2] + f[3:10] != n[1:2] + n[3:10]:
                out.append(f"sdist {name}: tar header differs: {f[1:10]} vs {n[1:10]}")
            elif len(mn) > 1 and n[2] != mn[0][2]:
                out.append(f"sdist {name}: native mtime {n[2]} is not the other members' {mn[0][2]}")
            continue
        if f[3] == tarfile.SYMTYPE and n[3] == tarfile.REGTYPE:
            # Documented: native stores the link's target as a regular file. The target
            # is read from flit's sdist, or else from the project folder.
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), f[4]))
            if target in by_name:
                content = by_name[target][10]
            elif project is not None and (Path(project) / target.split("/", 1)[1]).is_file():
                content = (Path(project) / target.split("/", 1)[1]).read_bytes()
            else:
                out.append(f"sdist {name}: flit's link target {f[4]!r} is neither in the sdist nor in the project")
                continue
            if n[10] != content:
                out.append(f"sdist {name}: native's content is not the link target's")
            continue
        if f != n:
            out.append(f"sdist {name}: member differs: {f[:10]} vs {n[:10]}")
    return out


def native_differences(flit, native, project=None):
    """Ways native's artifacts differ from flit's that are not in the documented list
    above. flit and native are {"wheel": path, "sdist": path}; either kind may be
    missing from both. project, the source folder, resolves symlinks that point out of
    the sdist. An empty list means "differs only as documented"."""
    out = []
    if "wheel" in flit and "wheel" in native:
        out += _wheel_native_differences(flit["wheel"], native["wheel"])
    if "sdist" in flit and "sdist" in native:
        out += _sdist_native_differences(flit["sdist"], native["sdist"], project)
    for kind in ("wheel", "sdist"):
        if (kind in flit) != (kind in native):
            out.append(f"only {'flit' if kind in flit else 'native'} built a {kind}")
    return out

