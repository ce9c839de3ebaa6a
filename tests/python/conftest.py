"""Shared fixtures for the integration tests.

The tests run inside the venv that tests/run-all creates (pinned tools from PyPI), with
the release binary at $FORGE_BACKEND_BIN. They drive real frontends and validators
against real projects.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIM_DIR = REPO / "python"
BIN = Path(os.environ.get("FORGE_BACKEND_BIN", REPO / "target" / "release" / "forge-backend"))
SDE = "1700000000"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_digest(root):
    """Hash of every file's path, mode and content under root (to prove builds do
    not touch the source tree)."""
    h = hashlib.sha256()
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            p = Path(dirpath, name)
            h.update(str(p.relative_to(root)).encode())
            if p.is_symlink():
                h.update(b"L" + os.readlink(p).encode())
            else:
                h.update(oct(p.stat().st_mode).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def write_tree(root, files):
    """files: {relative path: str | bytes | ("symlink", target) | ("exec", content)}"""
    root = Path(root)
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple) and content[0] == "symlink":
            os.symlink(content[1], p)
        elif isinstance(content, tuple) and content[0] == "exec":
            p.write_text(content[1])
            p.chmod(0o755)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def backend_env(extra=None):
    env = dict(os.environ)
    env["FORGE_BACKEND_BIN"] = str(BIN)
    env["PYTHONPATH"] = str(SHIM_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if extra:
        env.update(extra)
    return env


def hook_caller(project, backend, env):
    from pyproject_hooks import BuildBackendHookCaller

    def runner(cmd, cwd=None, extra_environ=None):
        full = dict(env)
        if extra_environ:
            full.update(extra_environ)
        proc = subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, text=True)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, proc.stdout, proc.stderr)

    return BuildBackendHookCaller(str(project), backend, runner=runner)


def build_both(project, outdir, backend, env, kinds=("wheel", "sdist")):
    """Runs build hooks through pyproject_hooks; returns {kind: path}."""
    caller = hook_caller(project, backend, env)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind in kinds:
        if kind == "wheel":
            out[kind] = outdir / caller.build_wheel(str(outdir))
        elif kind == "sdist":
            out[kind] = outdir / caller.build_sdist(str(outdir))
        elif kind == "editable":
            out[kind] = outdir / caller.build_editable(str(outdir))
    return out


def forge_env(profile="flit-4.2.0", sde=SDE, extra=None):
    e = {"FORGE_BACKEND_PROFILE": profile}
    if sde is not None:
        e["SOURCE_DATE_EPOCH"] = sde
    env = backend_env(e)
    if sde is None:
        env.pop("SOURCE_DATE_EPOCH", None)
    if extra:
        env.update(extra)
    return env


def flit_env(sde=SDE, extra=None):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if sde is not None:
        env["SOURCE_DATE_EPOCH"] = sde
    else:
        env.pop("SOURCE_DATE_EPOCH", None)
    if extra:
        env.update(extra)
    return env


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    proc = subprocess.run([str(c) for c in cmd], **kw)
    return proc


@pytest.fixture(scope="session")
def forge_bin():
    assert BIN.is_file(), f"build the binary first: {BIN} is missing (cargo build --release)"
    return BIN


@pytest.fixture
def copy_project(tmp_path):
    def _copy(src, name="proj"):
        dst = tmp_path / name
        shutil.copytree(src, dst, symlinks=True)
        return dst

    return _copy


PYTHON = sys.executable


def validate_artifacts(wheel, sdist=None, has_readme=True):
    """Runs every artifact check and returns the verdicts (so a forge build can be held
    to the verdicts flit_core's own build gets): packaging's strict metadata parser,
    twine check --strict (when there is a readme) and check-wheel-contents."""
    import zipfile

    from packaging.metadata import ExceptionGroup, Metadata

    verdict = {}
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        try:
            Metadata.from_email(z.read(meta), validate=True)
            verdict["packaging"] = "ok"
        except ExceptionGroup as e:
            verdict["packaging"] = "; ".join(sorted(str(x) for x in e.exceptions))
    if has_readme:
        files = [wheel] + ([sdist] if sdist else [])
        r = run([sys.executable, "-m", "twine", "check", "--strict", *files])
        verdict["twine"] = r.returncode
    r = run([Path(sys.executable).parent / "check-wheel-contents", wheel])
    verdict["check-wheel-contents"] = r.stdout.replace(str(wheel), "WHEEL")
    verdict["check-wheel-contents rc"] = r.returncode
    return verdict
