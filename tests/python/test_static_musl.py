"""The static x86_64-unknown-linux-musl binary of tools/build-static-musl: really
static, and the same artifacts as the normal release build. Skips where the script's
prerequisites (Debian's rustc-web, cargo-web, rust-web-src, musl-dev) are missing,
except under CI=true, where .ci/run installs them."""

import os
import struct
import time

import pytest

from conftest import REPO, SDE, run

SCRIPT = REPO / "tools" / "build-static-musl"
# Its own folder unless the caller chose one: a musl build shares nothing with target/release.
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target" / "static-musl")
PT_DYNAMIC, PT_INTERP, DT_NEEDED = 2, 3, 1


def elf_facts(path):
    """(machine, program header types, DT_NEEDED count) of a little-endian ELF64 file."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not a little-endian ELF64 file"
    machine = struct.unpack_from("<H", data, 18)[0]
    phoff = struct.unpack_from("<Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    types, needed = [], 0
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        types.append(p_type)
        if p_type == PT_DYNAMIC:
            for off in range(p_offset, p_offset + p_filesz, 16):
                needed += struct.unpack_from("<q", data, off)[0] == DT_NEEDED
    return machine, types, needed


@pytest.fixture(scope="module")
def static_bin():
    r = run([SCRIPT, "--check"], cwd=REPO)
    if r.returncode == 3 and os.environ.get("CI") != "true":
        pytest.skip("static musl build needs Debian's rustc-web, cargo-web, rust-web-src and musl-dev: " + r.stderr.strip().splitlines()[0])
    assert r.returncode == 0, r.stderr
    start = time.monotonic()
    r = run([SCRIPT], cwd=REPO, env=dict(os.environ, CARGO_TARGET_DIR=TARGET_DIR))
    assert r.returncode == 0, r.stderr
    path = REPO / r.stdout.strip().splitlines()[-1]
    print(f"static build: {time.monotonic() - start:.1f} s, {path.stat().st_size} bytes")
    return path


def test_static_binary_has_no_interpreter_and_no_libraries(static_bin):
    machine, types, needed = elf_facts(static_bin)
    assert machine == 62, "not x86-64"
    assert PT_INTERP not in types, "has a program interpreter (dynamically linked)"
    assert needed == 0, f"needs {needed} shared libraries"


def test_static_binary_runs(static_bin, forge_bin):
    r = run([static_bin, "--version"])
    assert r.returncode == 0, r.stderr
    assert r.stdout == run([forge_bin, "--version"]).stdout


def test_static_binary_builds_the_same_wheel_and_sdist(static_bin, forge_bin, tmp_path):
    env = dict(os.environ, SOURCE_DATE_EPOCH=SDE)
    outputs = {}
    for name, binary in (("release", forge_bin), ("static", static_bin)):
        out = tmp_path / name
        r = run([binary, "build", "--outdir", out, REPO / "tests" / "sample-project"], env=env)
        assert r.returncode == 0, r.stderr
        outputs[name] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(outputs["release"]) == sorted(outputs["static"])
    assert any(n.endswith(".whl") for n in outputs["release"]) and any(n.endswith(".tar.gz") for n in outputs["release"])
    for name, data in outputs["release"].items():
        assert outputs["static"][name] == data, f"{name} differs"
