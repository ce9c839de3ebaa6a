"""forge builds itself from its own sdist with Python's standard library and cargo,
ships as a binary wheel, and that wheel works as a backend with no environment
variables. Slow (it compiles forge): runs when FORGE_CORPUS=1, as in CI."""

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, PYTHON, run, tree_digest

pytestmark = pytest.mark.skipif(os.environ.get("FORGE_CORPUS") != "1", reason="slow: set FORGE_CORPUS=1")

# Shared between runs so the crates compile once; outside every source tree.
CARGO_TARGET = REPO / "target" / "bootstrap"


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("FORGE_BACKEND_BIN", "PYTHONPATH", "VIRTUAL_ENV", "FORGE_BACKEND_PROFILE")}
    env["FORGE_BACKEND_CARGO_TARGET_DIR"] = str(CARGO_TARGET)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def forge_sdist(tmp_path_factory, forge_bin):
    out = tmp_path_factory.mktemp("sdist")
    r = run([forge_bin, "build", "--sdist", "--outdir", out, REPO])
    assert r.returncode == 0, r.stderr
    sdist = out / "forge_backend-0.1.0.tar.gz"
    with tarfile.open(sdist) as t:
        names = set(t.getnames())
    for needed in ("Cargo.toml", "Cargo.lock", "src/lib.rs", "src/archive/zip.rs", "python/forge_backend/__init__.py",
                   "tests/golden.rs", "README.md", "LICENSE", "LICENSE-ZLIB", "ARCHITECTURE.md", "pyproject.toml", "PKG-INFO"):
        assert f"forge_backend-0.1.0/{needed}" in names, needed
    return sdist


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("bootvenv") / "v"
    subprocess.run([PYTHON, "-m", "venv", str(root)], check=True)
    return root


@pytest.fixture(scope="module")
def forge_wheel(forge_sdist, fresh_venv, tmp_path_factory):
    """`pip wheel --no-index --no-deps SDIST`: an isolated build from the sdist with no
    index at all; only the standard library and cargo."""
    out = tmp_path_factory.mktemp("wheelhouse")
    py = fresh_venv / "bin" / "python"
    r = run([py, "-m", "pip", "wheel", "--no-index", "--no-deps", "-w", out, forge_sdist], env=clean_env(), timeout=1800)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_from_sdist_carries_the_binary_and_a_platform_tag(forge_wheel):
    import sysconfig

    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert forge_wheel.name == f"forge_backend-0.1.0-py3-none-{plat}.whl"
    with zipfile.ZipFile(forge_wheel) as z:
        info = z.getinfo("forge_backend-0.1.0.data/scripts/forge-backend")
        assert (info.external_attr >> 16) & 0o777 == 0o755
        assert f"Tag: py3-none-{plat}" in z.read("forge_backend-0.1.0.dist-info/WHEEL").decode()
        assert "forge_backend/__init__.py" in z.namelist()


def test_installed_wheel_is_a_backend_without_env_vars(forge_wheel, fresh_venv, tmp_path):
    py = fresh_venv / "bin" / "python"
    r = run([py, "-m", "pip", "install", "--no-index", "--no-deps", forge_wheel])
    assert r.returncode == 0, r.stdout + r.stderr
    sample = tmp_path / "sample"
    subprocess.run(["cp", "-r", str(REPO / "tests" / "sample-project"), str(sample)], check=True)
    out = tmp_path / "out"
    out.mkdir()
    # Not activated, PATH without the venv, no FORGE_* variables: the shim must find
    # the binary in the interpreter's scripts folder by itself.
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}
    code = "import forge_backend, sys; print(forge_backend.build_wheel(sys.argv[1]))"
    r = run([py, "-c", code, out], cwd=sample, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("forge_sample-1.0.0-py3-none-any.whl")
    assert (out / "forge_sample-1.0.0-py3-none-any.whl").is_file()


def test_build_from_read_only_sdist_does_not_touch_it(forge_sdist, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    with tarfile.open(forge_sdist) as t:
        t.extractall(src, filter="data")
    root = src / "forge_backend-0.1.0"
    before = tree_digest(root)
    subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
    out = tmp_path / "out"
    out.mkdir()
    try:
        code = "import forge_backend, sys; print(forge_backend.build_wheel(sys.argv[1]))"
        r = run([sys.executable, "-c", code, out], cwd=root, env=clean_env(PYTHONPATH=str(root / "python")))
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=True)
    assert tree_digest(root) == before


def test_distro_recipe_vendored_offline_frozen(forge_sdist, tmp_path):
    """README's distro recipe: unpack the sdist, `cargo vendor`, then build with
    `--offline --frozen` (no network at build time)."""
    with tarfile.open(forge_sdist) as t:
        t.extractall(tmp_path, filter="data")
    root = tmp_path / "forge_backend-0.1.0"
    r = run(["cargo", "vendor", "--locked", "vendor"], cwd=root, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text(r.stdout)
    env = dict(os.environ, CARGO_TARGET_DIR=str(CARGO_TARGET), CARGO_NET_OFFLINE="true")
    r = run(["cargo", "build", "--release", "--offline", "--frozen"], cwd=root, env=env, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    binary = CARGO_TARGET / "release" / "forge-backend"
    assert run([binary, "--version"]).stdout.startswith("forge-backend 0.1.0")


def test_changed_sources_never_reuse_a_stale_binary(forge_sdist, fresh_venv, tmp_path, forge_bin):
    """Every file of an sdist has the same fixed mtime, so cargo alone would think a
    target folder that built other sources of the same version is up to date. The
    shim's source stamp must force a rebuild (found by the bootstrap demonstration).
    Uses a target folder of its own, so no other test's builds interfere."""
    with tarfile.open(forge_sdist) as t:
        t.extractall(tmp_path / "b", filter="data")
    patched = tmp_path / "b" / "forge_backend-0.1.0"
    cli = patched / "src" / "cli.rs"
    cli.write_text(cli.read_text().replace('println!("forge-backend {}"', 'println!("forge-backend PATCHED {}"'))
    r = run([forge_bin, "build", "--sdist", "--outdir", tmp_path / "sb", patched])
    assert r.returncode == 0, r.stderr
    py = fresh_venv / "bin" / "python"
    env = clean_env(FORGE_BACKEND_CARGO_TARGET_DIR=str(REPO / "target" / "bootstrap-stale"))

    def version_of(sdist, out):
        r = run([py, "-m", "pip", "wheel", "--no-index", "--no-deps", "-w", out, sdist], env=env, timeout=1800)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        with zipfile.ZipFile(next(out.glob("*.whl"))) as z:
            binary = out / "forge-backend"
            binary.write_bytes(z.read("forge_backend-0.1.0.data/scripts/forge-backend"))
        binary.chmod(0o755)
        return run([binary, "--version"]).stdout.strip()

    assert version_of(forge_sdist, tmp_path / "wa") == "forge-backend 0.1.0"
    assert version_of(tmp_path / "sb" / forge_sdist.name, tmp_path / "wb") == "forge-backend PATCHED 0.1.0"
