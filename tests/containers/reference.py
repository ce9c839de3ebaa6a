"""Reference side of tests/containers_differential.rs.

Reads a job list (see parse_jobs) on stdin. For each job it writes the archive CPython
produces from the same member list, the way flit_core calls zipfile/tarfile/gzip, and then
reads back the archive forge_backend wrote (testzip, getmembers, extractall) and checks
names, contents, modes, times and link targets. Prints one "ok <id>" or
"fail <id> <reason>" line per job; the Rust side compares the bytes.
"""

import gzip
import io
import os
import shutil
import sys
import tarfile
import tempfile
import traceback
import zipfile

CHUNK = 8 * 1024
# Extracting tens of thousands of files costs seconds and proves nothing more.
EXTRACT_LIMIT = 5000


def unhex(text):
    return bytes.fromhex(text)


def load_data(token):
    kind, _, value = token.partition(":")
    if kind == "h":
        return unhex(value)
    if kind == "p":
        with open(value, "rb") as f:
            return f.read()
    raise ValueError("bad data token %r" % token)


def parse_jobs(stream):
    """Jobs are blocks of tab-separated lines:

    job <id> zip <reference> <ours> <start offset>
      z <name hex> <mode octal> <y> <mo> <d> <h> <mi> <s> <stored|deflated> <level|d> <how> <data>
    job <id> tar <reference> <ours> <gzip spec: - | name hex,mtime,level>
      f <path hex> <mode octal> <mtime: i<int> | f<secs>,<nanos>> <data>
      l <path hex> <mode octal> <mtime> <target hex>
    job <id> gzip <reference> <ours> <name hex> <mtime> <level> <data>
    end
    """
    job = None
    for line in stream:
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "job":
            job = {"id": fields[1], "kind": fields[2], "reference": fields[3],
                   "ours": fields[4], "args": fields[5:], "members": []}
        elif fields[0] == "end":
            yield job
            job = None
        else:
            job["members"].append(fields)


def stat_float(secs, nanos):
    # Same double arithmetic as posixmodule's fill_time.
    return float(secs) + nanos * 1e-9


def parse_mtime(token):
    if token.startswith("i"):
        return int(token[1:])
    secs, nanos = token[1:].split(",")
    return stat_float(int(secs), int(nanos))


# ---------------------------------------------------------------- zip

def zip_members(job):
    for m in job["members"]:
        _, name, mode, y, mo, d, h, mi, s, method, level, how, data = m
        yield {
            "name": unhex(name).decode("utf-8"),
            "mode": int(mode, 8),
            "date_time": (int(y), int(mo), int(d), int(h), int(mi), int(s)),
            "compress_type": zipfile.ZIP_DEFLATED if method == "deflated" else zipfile.ZIP_STORED,
            "level": None if level == "d" else int(level),
            "how": how,
            "data": load_data(data),
        }


def build_zip(job):
    start = int(job["args"][0])
    with open(job["reference"], "wb") as f:
        f.seek(start)
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for m in zip_members(job):
                zi = zipfile.ZipInfo(m["name"], m["date_time"])
                zi.external_attr = (m["mode"] | 0o100000) << 16
                if m["how"] == "writestr":
                    zf.writestr(zi, m["data"], compress_type=m["compress_type"],
                                compresslevel=m["level"])
                    continue
                zi.compress_type = m["compress_type"]
                zi._compresslevel = m["level"]
                if m["how"].startswith("open-declared:"):
                    zi.file_size = int(m["how"].split(":")[1])
                with zf.open(zi, "w") as dest:
                    data = m["data"]
                    for i in range(0, len(data), CHUNK):
                        dest.write(data[i:i + CHUNK])


def verify_zip(job, scratch):
    expected = list(zip_members(job))
    with zipfile.ZipFile(job["ours"]) as zf:
        bad = zf.testzip()
        if bad is not None:
            return "testzip reports %r" % bad
        infos = zf.infolist()
        if [i.filename for i in infos] != [m["name"] for m in expected]:
            return "names differ"
        for info, m in zip(infos, expected):
            if zf.read(info) != m["data"]:
                return "content of %r differs" % m["name"]
            if info.external_attr >> 16 != 0o100000 | m["mode"]:
                return "mode of %r is %o" % (m["name"], info.external_attr >> 16)
            dt = m["date_time"]
            if info.date_time != dt[:5] + (dt[5] // 2 * 2,):
                return "date_time of %r is %r" % (m["name"], info.date_time)
            if info.compress_type != m["compress_type"]:
                return "method of %r differs" % m["name"]
        if len(expected) > EXTRACT_LIMIT:
            return None  # testzip and read() above already cover every member
        target = os.path.join(scratch, "zip-" + job["id"])
        zf.extractall(target)
        for m in expected:
            with open(os.path.join(target, m["name"]), "rb") as f:
                if f.read() != m["data"]:
                    return "extracted %r differs" % m["name"]
    return None


# ---------------------------------------------------------------- tar

def tar_members(job):
    for m in job["members"]:
        member = {"kind": m[0], "path": unhex(m[1]).decode("utf-8"),
                  "mode": int(m[2], 8), "mtime": parse_mtime(m[3])}
        if m[0] == "f":
            member["data"] = load_data(m[4])
        else:
            member["target"] = unhex(m[4]).decode("utf-8")
        yield member


def gzip_spec(token):
    if token == "-":
        return None
    name, mtime, level = token.split(",")
    return unhex(name).decode("utf-8"), int(mtime), int(level)


def build_tar(job):
    spec = gzip_spec(job["args"][0])
    with open(job["reference"], "wb") as raw:
        gz = None
        sink = raw
        if spec is not None:
            name, mtime, level = spec
            gz = sink = gzip.GzipFile(filename=name, mode="wb", fileobj=raw,
                                      compresslevel=level, mtime=mtime)
        tf = tarfile.TarFile(job["reference"], mode="w", fileobj=sink,
                             format=tarfile.PAX_FORMAT, encoding="utf-8")
        for m in tar_members(job):
            ti = tarfile.TarInfo(m["path"])
            ti.mode = m["mode"]
            ti.mtime = m["mtime"]
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if m["kind"] == "f":
                ti.size = len(m["data"])
                tf.addfile(ti, io.BytesIO(m["data"]))
            else:
                ti.type = tarfile.SYMTYPE
                ti.linkname = m["target"]
                tf.addfile(ti)
        tf.close()
        if gz is not None:
            gz.close()


def verify_tar(job, scratch):
    expected = list(tar_members(job))
    with tarfile.open(job["ours"], "r:*", encoding="utf-8") as tf:
        infos = tf.getmembers()
        if [i.name for i in infos] != [m["path"] for m in expected]:
            return "names differ"
        for info, m in zip(infos, expected):
            if info.mode != m["mode"] & 0o7777 or info.uid or info.gid or info.uname or info.gname:
                return "ownership/mode of %r differs" % m["path"]
            if info.mtime != m["mtime"]:
                return "mtime of %r is %r, expected %r" % (m["path"], info.mtime, m["mtime"])
            if m["kind"] == "f":
                if not info.isreg() or tf.extractfile(info).read() != m["data"]:
                    return "content of %r differs" % m["path"]
            elif not info.issym() or info.linkname != m["target"]:
                return "link %r differs" % m["path"]
        if len(expected) > EXTRACT_LIMIT:
            return None
        target = os.path.join(scratch, "tar-" + job["id"])
        if hasattr(tarfile, "tar_filter"):
            tf.extractall(target, filter="tar")
        else:
            tf.extractall(target)
        for m in expected:
            path = os.path.join(target, m["path"])
            if m["kind"] == "f":
                with open(path, "rb") as f:
                    if f.read() != m["data"]:
                        return "extracted %r differs" % m["path"]
                if os.stat(path).st_mode & 0o777 != m["mode"] & 0o777:
                    return "extracted mode of %r differs" % m["path"]
            elif os.readlink(path) != m["target"]:
                return "extracted link %r differs" % m["path"]
    return None


# ---------------------------------------------------------------- gzip

def build_gzip(job):
    name, mtime, level, data = job["args"]
    data = load_data(data)
    with open(job["reference"], "wb") as raw:
        with gzip.GzipFile(filename=unhex(name).decode("utf-8"), mode="wb", fileobj=raw,
                           compresslevel=int(level), mtime=int(mtime)) as gz:
            for i in range(0, len(data), CHUNK):
                gz.write(data[i:i + CHUNK])


def verify_gzip(job, scratch):
    with open(job["ours"], "rb") as f:
        ours = f.read()
    if gzip.decompress(ours) != load_data(job["args"][3]):
        return "content differs"
    return None


BUILD = {"zip": build_zip, "tar": build_tar, "gzip": build_gzip}
VERIFY = {"zip": verify_zip, "tar": verify_tar, "gzip": verify_gzip}


def main():
    scratch = tempfile.mkdtemp(prefix="containers-roundtrip-")
    try:
        for job in parse_jobs(sys.stdin):
            try:
                BUILD[job["kind"]](job)
                problem = VERIFY[job["kind"]](job, scratch)
            except Exception:
                problem = traceback.format_exc().replace("\n", " | ")
            if problem is None:
                print("ok", job["id"], flush=True)
            else:
                print("fail", job["id"], problem, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
