"""The PEP 517/660 hooks through real frontends, installers and validators."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, PYTHON, SHIM_DIR, backend_env, hook_caller, run, tree_digest

SAMPLE = REPO / "tests" / "sample-project"


@pytest.fixture
def sample(copy_project):
    return copy_project(SAMPLE, "sample")


def test_every_hook_through_pyproject_hooks(sample, tmp_path, forge_bin):
    before = tree_digest(sample)
    caller = hook_caller(sample, "forge_backend", backend_env())
    for name in ("get_requires_for_build_wheel", "get_requires_for_build_sdist", "get_requires_for_build_editable"):
        assert getattr(caller, name)({}) == []
    md = tmp_path / "md"
    md.mkdir()
    dist_info = caller.prepare_metadata_for_build_wheel(str(md), {})
    assert dist_info == "forge_sample-1.0.0.dist-info"
    assert sorted(os.listdir(md / dist_info)) == ["METADATA", "WHEEL", "entry_points.txt"]
    out = tmp_path / "out"
    out.mkdir()
    wheel = caller.build_wheel(str(out), None, str(md / dist_info))
    assert wheel == "forge_sample-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(out / wheel) as z:
        for f in ("METADATA", "WHEEL", "entry_points.txt"):
            assert z.read(f"{dist_info}/{f}") == (md / dist_info / f).read_bytes()
    md2 = tmp_path / "md2"
    md2.mkdir()
    assert caller.prepare_metadata_for_build_editable(str(md2)) == dist_info
    editable = caller.build_editable(str(out), {}, str(md2 / dist_info))
    with zipfile.ZipFile(out / editable) as z:
        pth = z.read("forge_sample.pth").decode()
        assert pth == str((sample / "src").resolve())
        assert not any(n.startswith("forge_sample/") for n in z.namelist())
    sdist = caller.build_sdist(str(out), {})
    assert sdist == "forge_sample-1.0.0.tar.gz"
    assert tree_digest(sample) == before, "a hook modified the source tree"
    assert editable == wheel  # flit names the editable wheel like the normal one
    assert sorted(os.listdir(out)) == sorted({wheel, sdist})


def test_unknown_config_setting_is_a_clear_error(sample, tmp_path, forge_bin):
    caller = hook_caller(sample, "forge_backend", backend_env())
    out = tmp_path / "out"
    out.mkdir()
    for hook in (caller.build_wheel, caller.build_sdist, caller.get_requires_for_build_wheel):
        with pytest.raises(subprocess.CalledProcessError) as info:
            if hook == caller.get_requires_for_build_wheel:
                hook({"no-such-key": "1"})
            else:
                hook(str(out), {"no-such-key": "1"})
        assert "unknown config setting" in info.value.stderr
        assert "Traceback" not in info.value.stderr
    assert list(out.iterdir()) == []


def test_profile_config_setting(sample, tmp_path, forge_bin):
    caller = hook_caller(sample, "forge_backend", backend_env({"SOURCE_DATE_EPOCH": "1700000000"}))
    name = caller.build_wheel(str(tmp_path), {"profile": "flit"})
    with zipfile.ZipFile(tmp_path / name) as z:
        assert b"Generator: flit 4.2.0" in z.read("forge_sample-1.0.0.dist-info/WHEEL")


def test_build_error_fails_hook_without_traceback(tmp_path, forge_bin):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pyproject.toml").write_text('[project]\nname = "bad"\nversion = "nope"\ndescription = "x"\n')
    (bad / "bad.py").write_text("")
    caller = hook_caller(bad, "forge_backend", backend_env())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(subprocess.CalledProcessError) as info:
        caller.build_wheel(str(out))
    err = info.value.stderr
    assert "project.version" in err and "pyproject.toml:3:" in err, err
    assert "Traceback" not in err and "RUST_BACKTRACE" not in err
    assert list(out.iterdir()) == []


@pytest.fixture(scope="module")
def venv(tmp_path_factory, forge_bin):
    """A fresh venv with the shim and the binary installed the way a wheel installs
    them, and pip; never activated."""
    root = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([PYTHON, "-m", "venv", str(root)], check=True)
    py = root / "bin" / "python"
    site = Path(run([py, "-c", "import sysconfig;print(sysconfig.get_path('purelib'))"]).stdout.strip())
    shutil.copytree(SHIM_DIR / "forge_backend", site / "forge_backend")
    # Installed as a wheel would be, so `build` sees the distribution as present.
    dist_info = site / "forge_backend-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: forge_backend\nVersion: 0.1.0\n")
    (dist_info / "RECORD").write_text("")
    shutil.copy2(forge_bin, root / "bin" / "forge-backend")
    r = run([py, "-m", "pip", "install", "-q", "build==1.6.1"])
    assert r.returncode == 0, r.stdout + r.stderr
    return root


def clean_env():
    env = {k: v for k, v in os.environ.items() if k not in ("FORGE_BACKEND_BIN", "PYTHONPATH", "VIRTUAL_ENV")}
    # A PATH without the venv: the shim must find the binary by itself.
    env["PATH"] = "/usr/bin:/bin"
    return env


def test_python_m_build_no_isolation_from_unactivated_venv(sample, tmp_path, venv):
    py = venv / "bin" / "python"
    r = run([py, "-m", "build", "--no-isolation", "--outdir", tmp_path / "dist", sample], env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["forge_sample-1.0.0-py3-none-any.whl", "forge_sample-1.0.0.tar.gz"]


def test_pip_install_import_and_console_script(sample, tmp_path, venv):
    py = venv / "bin" / "python"
    r = run([py, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index", sample], env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert run([py, "-c", "import forge_sample; print(forge_sample.__version__)"]).stdout.strip() == "1.0.0"
    assert run([venv / "bin" / "forge-sample"]).stdout.strip() == "hello from forge-sample"
    run([py, "-m", "pip", "uninstall", "-y", "forge-sample"])


def test_editable_install_sees_source_edits(sample, tmp_path, venv):
    py = venv / "bin" / "python"
    r = run([py, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index", "-e", sample], env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    init = sample / "src" / "forge_sample" / "__init__.py"
    init.write_text(init.read_text().replace("hello from", "edited:"))
    assert run([venv / "bin" / "forge-sample"]).stdout.strip() == "edited: forge-sample"
    run([py, "-m", "pip", "uninstall", "-y", "forge-sample"])


def test_installer_validates_record(sample, tmp_path, forge_bin):
    out = tmp_path / "dist"
    r = run([forge_bin, "build", "--wheel", "--outdir", out, sample])
    assert r.returncode == 0, r.stderr
    wheel = next(out.glob("*.whl"))
    dest = tmp_path / "dest"
    r = run([PYTHON, "-m", "installer", "--validate-record", "all", "--destdir", dest, wheel])
    assert r.returncode == 0, r.stdout + r.stderr


def test_validators_accept_artifacts(sample, tmp_path, forge_bin):
    out = tmp_path / "dist"
    r = run([forge_bin, "build", "--outdir", out, sample])
    assert r.returncode == 0, r.stderr
    artifacts = sorted(out.iterdir())
    r = run([sys.executable, "-m", "twine", "check", "--strict", *artifacts])
    assert r.returncode == 0, r.stdout + r.stderr
    wheel = next(out.glob("*.whl"))
    r = run([Path(sys.executable).parent / "check-wheel-contents", wheel])
    assert r.returncode == 0, r.stdout + r.stderr
    from packaging.metadata import Metadata

    with zipfile.ZipFile(wheel) as z:
        Metadata.from_email(z.read("forge_sample-1.0.0.dist-info/METADATA"), validate=True)


def test_uv_build_and_install(sample, tmp_path, venv):
    """uv as the frontend: `uv build --no-build-isolation` with forge importable from
    the (unactivated) venv, then `uv pip install` of the wheel and an editable install."""
    uv = Path(sys.executable).parent / "uv"
    py = venv / "bin" / "python"
    env = dict(clean_env(), UV_NO_CACHE="1", UV_OFFLINE="1")
    out = tmp_path / "dist"
    r = run([uv, "build", "--no-build-isolation", "--python", py, "--out-dir", out, sample], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["forge_sample-1.0.0-py3-none-any.whl", "forge_sample-1.0.0.tar.gz"], names
    r = run([uv, "pip", "install", "--python", py, "--no-deps", out / names[0]], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert run([venv / "bin" / "forge-sample"]).stdout.strip() == "hello from forge-sample"
    r = run([uv, "pip", "uninstall", "--python", py, "forge-sample"], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
