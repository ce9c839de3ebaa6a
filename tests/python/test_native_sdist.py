"""The native profile's sdist: gzip level 6 in 256 KiB pieces compressed on every core.

Checked against CPython's own zlib and gzip: the body must be exactly the documented
recipe (README, native vs flit row 13) recomputed in Python from the tar stream, the
bytes must not depend on the thread count, and the result must be an ordinary .tar.gz
that tarfile, pip and forge's own `verify` accept.
"""

import gzip
import hashlib
import os
import random
import sys
import tarfile

from compare import NATIVE_GZIP_PIECE, gzip_body, native_gzip_body
from conftest import SDE, SHIM_DIR, run, write_tree

PIECE = NATIVE_GZIP_PIECE


def big_project(root):
    rng = random.Random(7)
    words = [f"name{i}" for i in range(400)]
    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "forge_backend"\n\n'
        '[project]\nname = "bigsdist"\nversion = "1.0"\ndescription = "Many pieces"\n',
        "bigsdist/__init__.py": '"""Many pieces."""\n',
    }
    # About 1.3 MB of Python-like text: five pieces and a bit, so every boundary case of
    # the piece layout (full pieces, a short last one) and both cores get work.
    for n in range(40):
        lines = [
            f"def {rng.choice(words)}_{k}(x):\n    return x + {rng.randrange(10**6)}  # {rng.choice(words)}\n"
            for k in range(600)
        ]
        files[f"bigsdist/mod{n:02d}.py"] = "".join(lines)
    return write_tree(root, files)


def build_sdist(forge_bin, project, outdir, threads):
    env_extra = {"SOURCE_DATE_EPOCH": SDE, "FORGE_BACKEND_THREADS": str(threads)}
    proc = run(
        [forge_bin, "build", "--sdist", "--outdir", outdir, project],
        env=dict(os.environ, **env_extra),
    )
    assert proc.returncode == 0, proc.stderr
    (sdist,) = outdir.glob("*.tar.gz")
    return sdist


def test_native_sdist_is_the_documented_recipe(forge_bin, tmp_path):
    project = big_project(tmp_path / "proj")
    one = build_sdist(forge_bin, project, tmp_path / "t1", 1)
    many = build_sdist(forge_bin, project, tmp_path / "t4", 4)
    assert hashlib.sha256(one.read_bytes()).digest() == hashlib.sha256(many.read_bytes()).digest()

    data = one.read_bytes()
    tar_bytes = gzip.decompress(data)
    assert len(tar_bytes) > 4 * PIECE, "the project must span several pieces"
    assert gzip_body(data) == native_gzip_body(tar_bytes)
    # XFL 0 for level 6, as CPython writes it; OS 255.
    assert data[8] == 0 and data[9] == 255

    with tarfile.open(one) as tf:
        names = tf.getnames()
    assert "bigsdist-1.0/bigsdist/mod39.py" in names and names[-1] == "bigsdist-1.0/PKG-INFO"

    verified = run([forge_bin, "verify", one])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "gzip level 6 in 256 KiB pieces" in verified.stdout


def test_pip_installs_a_many_piece_sdist(forge_bin, tmp_path):
    project = big_project(tmp_path / "proj")
    sdist = build_sdist(forge_bin, project, tmp_path / "dist", 2)
    env = dict(os.environ, FORGE_BACKEND_BIN=str(forge_bin), PYTHONPATH=str(SHIM_DIR))
    target = tmp_path / "site"
    proc = run(
        [sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
         "--target", target, sdist],
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "bigsdist" / "mod39.py").read_bytes() == (project / "bigsdist" / "mod39.py").read_bytes()
