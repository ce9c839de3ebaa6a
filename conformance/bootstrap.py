#!/usr/bin/env python3
"""Bootstrap demonstration: a Python packaging toolchain built from source with
forge_backend, with no flit_core anywhere.

    python3 conformance/bootstrap.py [--workdir DIR] [--cache DIR] [--cargo-target-dir DIR] [-v]

 0. A fresh venv (`python -m venv`: pip only), with a guard that logs every interpreter
    start and refuses to run flit_core code.
 1. forge's sdist is built from this checkout (cargo, then `forge-backend build
    --sdist`); forge's wheel is built from that sdist by the venv's `pip wheel` (the
    shim in the sdist compiles the binary with cargo) and installed with pip.
 2. The sdists of pyproject_hooks, packaging, tomli, build, installer, wheel and
    flit_core are downloaded from PyPI with `pip download`, one per call, their sha256
    pinned. pip always runs an sdist's metadata hook; a stand-in answers it, so the
    sdists' backend (flit_core) is never imported.
 3. Each sdist is unpacked, its [build-system] switched to forge_backend (nothing else
    changes; the diff is printed), built into a wheel by forge through the PEP 517 hooks
    of a real frontend, installed and imported. pip builds and installs the first ones;
    then the self-built `build` builds, and the self-built `installer` installs (itself
    first, from its own wheel).
 4. The self-built `build` builds tests/sample-project (sdist, then the wheel from it);
    the self-built `installer` installs it; its console script runs.
 5. Checks: the guard refused nothing (and does refuse, shown by two controls); no
    flit_core was visible in the venv before its own forge build; every wheel passes the
    self-built installer's RECORD validation and names forge as its generator; pip and
    build give byte-identical wheels; forge's wheel holds the binary cargo builds from
    the checkout, bit for bit.
 6. Last, after every build: the forge-built flit_core is imported.

Standard library only (Python 3.10 or newer: build and installer need it; before 3.11
the script reads TOML with the tomli it is about to build, from its sdist). Needs cargo,
and PyPI (and crates.io on a cold cargo cache). Prints a table; writes summary.json,
guard.log, commands.log and patches/ into the work folder.
"""

import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: loaded from tomli's sdist (load_toml)
    tomllib = None

REPO = Path(__file__).resolve().parents[1]

# (distribution, version, sha256 of its PyPI sdist), in build order: each needs only
# what comes before it (build needs packaging, pyproject_hooks, and tomli before Python
# 3.11; tomli is built on every version). The latest releases that flit_core 4.x builds;
# the versions of shared/corpus/public.tsv where listed there.
PACKAGES = [
    ("pyproject_hooks", "1.3.3", "defda19b854fa0d3bd4f76ea4ddcba8abd7dcfcdd585a6690ade050744fc5f43"),
    ("packaging", "26.3", "94edc256424af38762eb31306eed28beb9f0efc50a8837492c9d6fd6004aed79"),
    ("tomli", "2.5.0", "264507556cd8b8c8e7c6ee037cdf443a463f03f4c958e57195e3d369711b8ff6"),
    ("build", "1.6.1", "51cc11666391ab6f092070437ac747002ff46f3e4113a3622177ee6b488bfc53"),
    ("installer", "1.1.0", "5adc0c01ce62d809989e246987cd68944fe5df8af562d0358f65b2ab15cb5de7"),
    ("wheel", "0.48.0", "94800765601e9171bf5d58d066e640662842bcedcbab982b2c90787a2c987322"),
    ("flit_core", "4.2.0", "84e4e4d8fdd45ba2613800a3ebc6834de26d47ec9746efc3719f94181137b460"),
]
# `pip wheel` builds and `pip install` installs these; the self-built `build` and
# `installer` do the rest. Each package is also built by the other frontend, to compare.
BY_PIP = ("pyproject_hooks", "packaging", "tomli", "build")

# Run in a fresh interpreter of the venv after each install (the module is imported
# first). flit_core's runs last, after every build (step 6).
SMOKE = {
    "pyproject_hooks": "from pyproject_hooks import BuildBackendHookCaller",
    "packaging": "from packaging.version import Version; assert Version('26.3') > Version('26.3rc1')",
    "tomli": "import tomli; assert tomli.loads('a = [1, 2]') == {'a': [1, 2]}",
    "build": "from build import ProjectBuilder",
    "installer": "from installer import install; from installer.sources import WheelFile",
    "wheel": "from wheel.wheelfile import WheelFile",
    "flit_core": "import flit_core.buildapi, flit_core.wheel",
}

FLIT_NAMES = ("flit_core", "flit")  # top-level names (and folder names) the guard refuses
NEW_BUILD_SYSTEM = {"requires": ["forge_backend"], "build-backend": "forge_backend"}
PIP_TIMEOUT = 300
STEP_TIMEOUT = 1800  # forge's own compile on a cold cargo cache


class DemoError(Exception):
    """A step failed; the message names the step, the command and its output."""


# --- the guard installed into the venv ------------------------------------------------

# Written to the venv's site-packages as _forge_bootstrap_guard.py and loaded by
# _forge_bootstrap_guard.pth at the start of every interpreter of the venv: site runs
# .pth imports before any user code, with or without PYTHONPATH, also under -I. pip, the
# hook subprocesses of pip and build, and installer all start that interpreter.
GUARD = r'''"""flit_core must not run in this venv (conformance/bootstrap.py).

Every interpreter start is logged. flit_core code is refused two ways, each logged:
an import finder first in sys.meta_path refuses the names flit_core and flit, and an
audit hook (which cannot be removed) refuses to execute any code object compiled
from a file inside a folder named flit_core or flit, however it was found (a hook's
backend-path finder, runpy, exec). The single process that imports the forge-built
flit_core at the end runs with FORGE_BOOTSTRAP_ALLOW_FLIT=1, also logged.

When FORGE_BOOTSTRAP_STUB_NAME/_VERSION are set (only for `pip download`) and this is
a PEP 517 hook subprocess, a stand-in backend module answers pip's metadata hook with
just the name and version, so that the sdist's own backend is never imported.
"""

import os
import sys

_LOG = LOG_PATH
_FLIT = ("flit_core", "flit")
_ALLOW = os.environ.get("FORGE_BOOTSTRAP_ALLOW_FLIT") == "1"


def _log(kind, detail):
    line = "%s\t%d\t%s\t%r\n" % (kind, os.getpid(), detail, getattr(sys, "orig_argv", sys.argv))
    try:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(line)
    except OSError:
        pass


class FlitCoreRefused(ImportError):
    pass


def _refuse(what):
    _log("REFUSED", what)
    raise FlitCoreRefused("bootstrap demonstration: flit_core must not run here (" + what + ")")


def _flit_file(filename):
    parts = str(filename).replace("\\", "/").split("/")[:-1]
    return any(p in _FLIT for p in parts)


class _Finder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _FLIT:
            _refuse("import " + name)
        return None


def _audit(event, args):
    if event == "exec" and args and _flit_file(getattr(args[0], "co_filename", "")):
        _refuse("exec " + args[0].co_filename)
    elif event == "import" and args and str(args[0]).partition(".")[0] in _FLIT:
        _refuse("import " + str(args[0]))


def _stub():
    backend = os.environ.get("_PYPROJECT_HOOKS_BUILD_BACKEND") or os.environ.get("PEP517_BUILD_BACKEND")
    name = os.environ.get("FORGE_BOOTSTRAP_STUB_NAME")
    version = os.environ.get("FORGE_BOOTSTRAP_STUB_VERSION")
    if not (backend and name and version):
        return
    import types

    module_name, _, obj = backend.partition(":")
    _log("STUB", backend)

    def get_requires_for_build_wheel(config_settings=None):
        return []

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        folder = name.replace("-", "_") + "-" + version + ".dist-info"
        os.makedirs(os.path.join(metadata_directory, folder))
        with open(os.path.join(metadata_directory, folder, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
        return folder

    def build_wheel(*args, **kwargs):
        raise RuntimeError("stand-in backend: metadata only")

    parts = module_name.split(".")
    for i in range(1, len(parts) + 1):  # parents too, as import_module imports them first
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    module = sys.modules[module_name]
    module.get_requires_for_build_wheel = get_requires_for_build_wheel
    module.prepare_metadata_for_build_wheel = prepare_metadata_for_build_wheel
    module.build_wheel = build_wheel
    # With backend-path (flit_core's sdist has ["."]), pyproject_hooks checks that the
    # backend's __file__ is inside it; the stand-in claims a file that does not exist.
    backend_path = os.environ.get("_PYPROJECT_HOOKS_BACKEND_PATH") or os.environ.get("PEP517_BACKEND_PATH")
    if backend_path:
        module.__file__ = os.path.join(os.path.abspath(backend_path.split(os.pathsep)[0]), "_stand_in_backend.py")
    if obj:
        setattr(module, obj, module)


_log("ALLOW" if _ALLOW else "START", sys.executable)
if not _ALLOW:
    sys.meta_path.insert(0, _Finder())
    sys.addaudithook(_audit)
_stub()
'''


def install_guard(run, py, log):
    purelib = Path(query(run, py, "import sysconfig; print(sysconfig.get_path('purelib'))"))
    (purelib / "_forge_bootstrap_guard.py").write_text(GUARD.replace("LOG_PATH", repr(str(log))), encoding="utf-8")
    (purelib / "_forge_bootstrap_guard.pth").write_text("import _forge_bootstrap_guard\n", encoding="utf-8")
    return purelib


def read_guard_log(log):
    entries = []
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            kind, pid, detail, argv = line.split("\t", 3)
            entries.append({"kind": kind, "pid": int(pid), "detail": detail, "argv": argv})
    return entries


def _role(argv):
    if "_in_process.py" in argv:
        return "PEP 517 hook subprocesses"
    for module in ("pip", "build", "installer"):
        if f"'-m', '{module}'" in argv:
            return f"{module}"
    if "forge-sample" in argv:
        return "console script"
    return "checks (venv, imports)"


def _self_guard(event, args):
    """This script's own process never runs flit_core either (the interpreter running
    it may have one installed, e.g. the test venv)."""
    if event == "import" and args and str(args[0]).partition(".")[0] in FLIT_NAMES:
        raise ImportError("bootstrap demonstration: flit_core must not be imported")
    if event == "exec" and args:
        parts = str(getattr(args[0], "co_filename", "")).replace("\\", "/").split("/")[:-1]
        if any(p in FLIT_NAMES for p in parts):
            raise ImportError("bootstrap demonstration: flit_core code must not run")


# --- running things ---------------------------------------------------------------------


def clean_env():
    """The caller's environment without what would change a build or point elsewhere:
    PYTHON* and VIRTUAL_ENV; FORGE_* (FORGE_BACKEND_BIN would bypass the installed
    binary); SOURCE_DATE_EPOCH; CARGO_TARGET_DIR (set per step); pip settings other than
    network ones (PIP_FIND_LINKS, PIP_NO_BUILD_ISOLATION...)."""
    keep_pip = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_TIMEOUT", "PIP_RETRIES", "PIP_PROXY",
                "PIP_INDEX_URL", "PIP_TRUSTED_HOST"}
    env = {}
    for key, value in os.environ.items():
        if key.startswith(("PYTHON", "FORGE_")) or key in ("VIRTUAL_ENV", "SOURCE_DATE_EPOCH", "CARGO_TARGET_DIR"):
            continue
        if key.startswith("PIP_") and key not in keep_pip:
            continue
        env[key] = value
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # imports must not write into the unpacked trees
    return env


class Runner:
    """Runs commands in clean_env(); logs each (command, time, exit status, and the
    output when it failed) to commands.log."""

    def __init__(self, workdir, verbose=False):
        self.log = workdir / "commands.log"
        self.verbose = verbose
        self.env = clean_env()

    def __call__(self, cmd, step, env=None, cwd=None, timeout=STEP_TIMEOUT, check=True):
        cmd = [str(c) for c in cmd]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=dict(self.env, **(env or {})), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DemoError(f"{step}: timed out after {timeout}s: {' '.join(cmd)}") from None
        proc.seconds = time.monotonic() - start
        shown = " ".join(f"{k}={v}" for k, v in (env or {}).items()) + (" " if env else "") + " ".join(cmd)
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(f"# {step} ({proc.seconds:.2f} s, exit status {proc.returncode})\n{shown}\n")
            if proc.returncode != 0:
                f.write(f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}\n")
        if self.verbose:
            say(f"    $ {shown}  [{proc.seconds:.1f} s]")
        if check and proc.returncode != 0:
            raise DemoError(f"{step}: exit status {proc.returncode}\n  $ {shown}\n"
                            f"--- stdout (tail)\n{proc.stdout[-3000:]}\n--- stderr (tail)\n{proc.stderr[-3000:]}")
        return proc


def query(run, py, code, step="ask the venv", env=None):
    return run([py, "-c", code], step, env=env).stdout.strip()


def say(text=""):
    print(text, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root):
    """Hash of every path, mode and content under root (builds must not write there)."""
    h = hashlib.sha256()
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            p = Path(dirpath, name)
            h.update(str(p.relative_to(root)).encode() + b"\0" + oct(p.lstat().st_mode).encode())
            h.update(os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
    return h.hexdigest()


def one_file(folder, suffix, step):
    found = sorted(p for p in Path(folder).iterdir() if p.name.endswith(suffix))
    if len(found) != 1:
        raise DemoError(f"{step}: expected one {suffix} in {folder}, found {[p.name for p in found]}")
    return found[0]


def unpack(sdist, dest):
    """Extracts with tarfile's "data" filter; returns the single top-level folder."""
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
    tops = list(dest.iterdir())
    if len(tops) != 1 or not (tops[0] / "pyproject.toml").is_file():
        raise DemoError(f"{sdist.name} does not hold one folder with a pyproject.toml")
    return tops[0]


def load_toml(tomli_sdist, workdir):
    """tomllib, or on Python 3.10 the pure-Python tomli from its sdist (the one this
    demonstration builds), imported from the unpacked source."""
    global tomllib
    if tomllib is None:
        src = unpack(tomli_sdist, workdir / "tomli-for-this-script") / "src"
        sys.path.insert(0, str(src))
        import tomli as tomllib  # noqa: F811


def wheel_member(wheel, suffix):
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return z.read(name)


def wheel_generator(wheel):
    m = re.search(r"(?m)^Generator: (.+)$", wheel_member(wheel, ".dist-info/WHEEL").decode("utf-8"))
    return m.group(1).strip() if m else None


def human_size(n):
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


def table(rows, headers):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


# --- steps ------------------------------------------------------------------------------

PIP = ["-m", "pip", "--no-cache-dir", "--no-input"]


def make_venv(run, workdir):
    venv = workdir / "venv"
    run([sys.executable, "-m", "venv", venv], "python -m venv")
    py = venv / "bin" / "python"
    # Before Python 3.12, ensurepip also installs setuptools; the demonstration venv holds
    # pip (the venv's own bootstrap installer, bundled with CPython) and nothing else.
    if "setuptools" in pip_list(run, py):
        run([py, *PIP, "uninstall", "-y", "setuptools"], "remove ensurepip's setuptools")
    return venv, py


def pip_list(run, py):
    return [d["name"] for d in json.loads(run([py, *PIP, "list", "--format=json"], "pip list").stdout)]


FLIT_SCAN = r"""
import json, os, sys, importlib.metadata as md
dists = sorted({d.metadata["Name"] or "?" for d in md.distributions()})
found = []
for entry in sys.path:
    if os.path.isdir(entry):
        for name in os.listdir(entry):
            if name.split("-")[0].split(".")[0].lower() in ("flit_core", "flit"):
                found.append(os.path.join(entry, name))
print(json.dumps({"dists": dists, "on_path": found, "sys_path": sys.path}))
"""


def flit_presence(run, py):
    """What of flit_core the venv can see: distributions (pip list, importlib.metadata)
    and any flit_core/flit module, folder or dist-info on its sys.path."""
    info = json.loads(query(run, py, FLIT_SCAN, "look for flit_core in the venv"))
    info["pip_list"] = pip_list(run, py)
    norm = lambda d: d.lower().replace("-", "_")  # noqa: E731
    info["flit"] = sorted({d for d in info["pip_list"] + info["dists"] if norm(d) in FLIT_NAMES}) + info["on_path"]
    return info


def build_forge(run, workdir, cargo_target, py):
    """forge's sdist from this checkout; forge's wheel from that sdist with the venv's
    `pip wheel` (the shim in the sdist compiles the binary with cargo), installed by pip.

    Before the wheel, forge's own artifacts are removed from the cargo target folder
    (`cargo clean -p forge-backend`; the dependencies stay): cargo decides freshness by
    mtime, every member of forge's sdist is dated 2016-01-01, so cargo would otherwise
    reuse the binary of whatever was last compiled there (see conformance/README.md,
    "a stale binary"). The binary from the checkout is kept to compare with the wheel's.
    """
    env = {"CARGO_TARGET_DIR": str(cargo_target)}
    manifest = ["--manifest-path", REPO / "Cargo.toml"]
    times = {}
    t = time.monotonic()
    run(["cargo", "build", "--release", "--locked", *manifest], "cargo build --release (the checkout)", env=env)
    checkout_bin = workdir / "forge" / "forge-backend.from-checkout"
    checkout_bin.parent.mkdir(parents=True)
    shutil.copy2(cargo_target / "release" / "forge-backend", checkout_bin)
    out = workdir / "forge" / "sdist"
    run([checkout_bin, "build", "--sdist", "--outdir", out, REPO], "forge-backend build --sdist (forge itself)")
    sdist = one_file(out, ".tar.gz", "forge's sdist")
    times["sdist"] = time.monotonic() - t
    run(["cargo", "clean", "--release", "-p", "forge-backend", *manifest], "cargo clean -p forge-backend", env=env)
    wheels = workdir / "forge" / "wheel"
    proc = run([py, *PIP, "wheel", "--no-index", "--no-deps", "--no-build-isolation", "-w", wheels, sdist],
               "pip wheel (forge's sdist)", env={"FORGE_BACKEND_CARGO_TARGET_DIR": str(cargo_target)})
    wheel = one_file(wheels, ".whl", "forge's wheel")
    times["wheel"] = proc.seconds
    t = time.monotonic()
    run([py, *PIP, "install", "--no-index", "--no-deps", "--no-build-isolation", wheel], "pip install (forge's wheel)")
    times["install"] = time.monotonic() - t
    return sdist, wheel, checkout_bin, times


def fetch_sdist(run, py, cache, name, version, pinned):
    """The sdist from the cache, else from PyPI: `pip download --no-binary :all:
    --no-build-isolation --require-hashes` (one package a call). --no-build-isolation
    keeps pip in the venv, where the guard's stand-in answers the metadata hook."""
    home = cache / f"{name}-{version}"
    home.mkdir(parents=True, exist_ok=True)
    found = sorted(home.glob("*.tar.gz"))
    fetched = False
    if not found:
        with tempfile.TemporaryDirectory(dir=home, prefix=".dl-") as tmp:
            req = Path(tmp) / "requirement.txt"
            req.write_text(f"{name}=={version} --hash=sha256:{pinned}\n", encoding="utf-8")
            dest = Path(tmp) / "dl"
            run([py, *PIP, "download", "--no-deps", "--no-binary", ":all:", "--no-build-isolation", "--require-hashes",
                 "--progress-bar", "off", "-d", dest, "-r", req], f"pip download {name}=={version}", timeout=PIP_TIMEOUT,
                env={"FORGE_BOOTSTRAP_STUB_NAME": name, "FORGE_BOOTSTRAP_STUB_VERSION": version})
            got = one_file(dest, ".tar.gz", f"pip download {name}")
            found = [got.replace(home / got.name)]
            fetched = True
    if len(found) != 1:
        raise DemoError(f"{home} should hold one sdist; empty it and run again")
    digest = sha256(found[0])
    if digest != pinned:
        raise DemoError(f"{found[0]}: sha256 {digest}, pinned {pinned} (delete it to download it again)")
    return found[0], fetched


_KEY = re.compile(r'^\s*"?(requires|build-backend|backend-path)"?\s*=')
_TABLE = re.compile(r"^\s*\[")


def switch_build_system(text):
    """The pyproject text with [build-system] set to forge: `requires` and
    `build-backend` replaced (each whole statement, also a multi-line array),
    `backend-path` removed; every other line untouched. Checked by parsing both: the
    documents must be equal but for those keys."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if re.match(r"^\s*\[\s*build-system\s*\]\s*(#.*)?$", l)), None)
    if start is None:
        raise DemoError("no [build-system] table")
    end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
    out, seen, i = lines[: start + 1], set(), start + 1
    while i < end:
        m = _KEY.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        key, j = m.group(1), i + 1
        while True:  # the statement ends at the first line where it parses
            try:
                tomllib.loads("".join(lines[i:j]))
                break
            except tomllib.TOMLDecodeError:
                if j >= end:
                    raise DemoError(f"cannot find the end of [build-system] {key}") from None
                j += 1
        seen.add(key)
        if key in NEW_BUILD_SYSTEM:
            out.append(f"{key} = {json.dumps(NEW_BUILD_SYSTEM[key])}\n")
        i = j
    missing = sorted(set(NEW_BUILD_SYSTEM) - seen)
    out[start + 1 : start + 1] = [f"{k} = {json.dumps(NEW_BUILD_SYSTEM[k])}\n" for k in missing]
    new = "".join(out + lines[end:])
    old_doc = tomllib.loads(text)
    kept = {k: v for k, v in old_doc["build-system"].items() if k not in ("requires", "build-backend", "backend-path")}
    if tomllib.loads(new) != dict(old_doc, **{"build-system": dict(kept, **NEW_BUILD_SYSTEM)}):
        raise DemoError("rewriting [build-system] would change something else")
    return new


def build_wheel(run, py, frontend, project, outdir):
    """One wheel through a frontend: `pip wheel` or the self-built `python -m build`,
    both without isolation (the venv is the build environment)."""
    outdir.mkdir(parents=True)
    if frontend == "pip":
        cmd = [py, *PIP, "wheel", "--no-index", "--no-deps", "--no-build-isolation", "-w", outdir, project]
    else:
        cmd = [py, "-m", "build", "--no-isolation", "--wheel", "--outdir", outdir, project]
    proc = run(cmd, f"{frontend}: wheel of {project.name}")
    return one_file(outdir, ".whl", f"{frontend} wheel of {project.name}"), proc.seconds


def install_wheel(run, py, how, wheel, pythonpath=None):
    if how == "pip":
        run([py, *PIP, "install", "--no-index", "--no-deps", "--no-build-isolation", wheel], f"pip install {wheel.name}")
    else:
        env = {"PYTHONPATH": str(pythonpath)} if pythonpath else None
        run([py, "-m", "installer", "--validate-record", "all", wheel], f"installer: {wheel.name}", env=env)


def installed_check(run, py, name, version, purelib, do_import=True):
    """In a fresh interpreter of the venv: the installed distribution's version and
    WHEEL generator; with do_import, the module imports (from the venv) and its smoke
    test passes. flit_core is looked at without importing it until step 6."""
    code = f"""
import importlib, importlib.metadata as md, json
d = md.distribution({name!r})
gen = [l.split(":", 1)[1].strip() for l in (d.read_text("WHEEL") or "").splitlines() if l.startswith("Generator:")]
info = {{"version": d.version, "generator": gen[0] if gen else None, "file": None}}
if {do_import!r}:
    info["file"] = importlib.import_module({name!r}).__file__
    {SMOKE[name]}
print(json.dumps(info))
"""
    env = {"FORGE_BOOTSTRAP_ALLOW_FLIT": "1"} if name == "flit_core" and do_import else None
    info = json.loads(query(run, py, code, f"{'import' if do_import else 'look at'} {name}", env=env).splitlines()[-1])
    problems = []
    if do_import and not Path(info["file"]).resolve().is_relative_to(purelib.resolve()):
        problems.append(f"imported from {info['file']}, not from the venv")
    if info["version"] != version:
        problems.append(f"installed version is {info['version']}")
    if not (info["generator"] or "").startswith("forge_backend "):
        problems.append(f"its WHEEL's Generator is {info['generator']!r}")
    info["problems"] = problems
    return info


# --- the demonstration ------------------------------------------------------------------


def demonstrate(workdir, cache, cargo_target, verbose=False):
    t_start = time.monotonic()
    run = Runner(workdir, verbose)
    summary = {"python": sys.version.split()[0], "platform": sysconfig.get_platform(), "workdir": str(workdir),
               "packages": [], "checks": {}, "step_seconds": {}}
    failures = []

    def check(name, ok, detail=""):
        summary["checks"][name] = {"ok": bool(ok), "detail": detail}
        say(f"  [{'ok' if ok else 'FAIL'}] {name}{': ' + detail if detail else ''}")
        if not ok:
            failures.append(name)

    def step_done(name, t):
        summary["step_seconds"][name] = round(time.monotonic() - t, 1)

    if shutil.which("cargo") is None:
        raise DemoError("cargo is not on PATH (forge compiles itself with cargo)")

    t = time.monotonic()
    say(f"== 0. fresh venv ({Path(sys.executable).name} {summary['python']} -m venv), guard installed")
    venv, py = make_venv(run, workdir)
    guard_log = workdir / "guard.log"
    purelib = install_guard(run, py, guard_log)
    seen = flit_presence(run, py)
    summary["venv_at_start"] = seen
    say(f"  pip list: {', '.join(seen['pip_list'])};  sys.path: {', '.join(seen['sys_path'][1:])}")
    check("no flit_core in the fresh venv", not seen["flit"], ", ".join(seen["flit"]))
    step_done("0 venv", t)

    t = time.monotonic()
    say("== 1. forge_backend: sdist from this checkout, wheel from that sdist (pip wheel + cargo), pip install")
    sdist, fwheel, checkout_bin, ft = build_forge(run, workdir, cargo_target, py)
    say(f"  {sdist.name}: {ft['sdist']:.1f} s;  {fwheel.name}: {ft['wheel']:.1f} s (compiles forge);"
        f"  pip install: {ft['install']:.1f} s")
    summary["forge"] = {"sdist": sdist.name, "sdist_sha256": sha256(sdist), "wheel": fwheel.name,
                        "size": fwheel.stat().st_size, "seconds": {k: round(v, 2) for k, v in ft.items()}}
    shipped = wheel_member(fwheel, ".data/scripts/forge-backend")
    check("the wheel's binary is the one cargo builds from the checkout, bit for bit",
          hashlib.sha256(shipped).hexdigest() == sha256(checkout_bin), f"sha256 {sha256(checkout_bin)[:16]}...")
    where = query(run, py, "import forge_backend; print(forge_backend._find_binary())")
    check("the shim runs the installed binary", Path(where).resolve().is_relative_to(venv.resolve()), where)
    step_done("1 forge", t)

    t = time.monotonic()
    say(f"== 2. sdists from PyPI (pip download, pinned sha256, stand-in metadata hook), cache {cache}")
    sources = {}
    for name, version, pinned in PACKAGES:
        sources[name], fetched = fetch_sdist(run, py, cache, name, version, pinned)
        say(f"  {sources[name].name:30} sha256 {pinned[:16]}...  {'downloaded' if fetched else 'cached'}")
    stubs = [e for e in read_guard_log(guard_log) if e["kind"] == "STUB"]
    if stubs:
        say(f"  the stand-in answered pip's metadata hook {len(stubs)} time(s), for "
            f"{', '.join(sorted({e['detail'] for e in stubs}))}")
    load_toml(sources["tomli"], workdir)
    step_done("2 download", t)

    t = time.monotonic()
    say("== 3. [build-system] switched to forge; built, installed, imported")
    (workdir / "patches").mkdir()
    wheels, projects = {}, {}
    for name, version, _ in PACKAGES:
        project = projects[name] = unpack(sources[name], workdir / "src" / name)
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        original = tomllib.loads(text)["build-system"]
        new_text = switch_build_system(text)
        pyproject.write_text(new_text, encoding="utf-8")
        diff = "".join(difflib.unified_diff(text.splitlines(True), new_text.splitlines(True),
                                            f"a/{project.name}/pyproject.toml", f"b/{project.name}/pyproject.toml"))
        (workdir / "patches" / f"{name}.diff").write_text(diff, encoding="utf-8")
        say(f"  -- {name} {version}")
        for line in diff.splitlines()[2:]:
            if line.startswith(("+", "-")):
                say(f"       {line}")
        if name == "flit_core":
            seen = flit_presence(run, py)
            check("no flit_core in the venv before flit_core's own forge build (pip list, sys.path scan)",
                  not seen["flit"], ", ".join(seen["flit"]) or "pip list: " + ", ".join(seen["pip_list"]))
        before = tree_digest(project)
        frontend = "pip" if name in BY_PIP else "build"
        wheel, seconds = build_wheel(run, py, frontend, project, workdir / "wheels" / frontend / name)
        wheels[name] = wheel
        how = "pip" if name in BY_PIP else "installer"
        # installer installs itself, run from its own wheel (zipimport), as distros do.
        install_wheel(run, py, how, wheel, pythonpath=wheel if name == "installer" else None)
        info = installed_check(run, py, name, version, purelib, do_import=name != "flit_core")
        summary["packages"].append({
            "name": name, "version": version, "wheel": wheel.name, "size": wheel.stat().st_size,
            "sha256": sha256(wheel), "seconds": round(seconds, 2), "built_by": frontend, "installed_by": how,
            "generator": wheel_generator(wheel), "original_build_system": original, "diff": diff,
            "imported_from": info["file"], "source_tree_unchanged": tree_digest(project) == before,
        })
        say(f"     {frontend} built {wheel.name} in {seconds:.2f} s; {how} installed it"
            + (f"; imports from {Path(info['file']).relative_to(venv)}" if info["file"] else " (imported in step 6)"))
        check(f"{name}: installed from forge's wheel" + (", imports" if info["file"] else ""),
              not info["problems"], "; ".join(info["problems"]))
        if tree_digest(project) != before:
            check(f"{name}: the build left the source tree alone", False)
    step_done("3 packages", t)

    t = time.monotonic()
    say("== 4. the self-built `build` builds tests/sample-project; the self-built `installer` installs it")
    sample_src = REPO / "tests" / "sample-project"
    before = tree_digest(sample_src)
    out = workdir / "sample"
    proc = run([py, "-m", "build", "--no-isolation", "--outdir", out, sample_src], "build: tests/sample-project")
    sample_wheel, sample_sdist = one_file(out, ".whl", "sample wheel"), one_file(out, ".tar.gz", "sample sdist")
    say(f"  {sample_sdist.name}, then {sample_wheel.name} from it: {proc.seconds:.2f} s")
    install_wheel(run, py, "installer", sample_wheel)
    script = venv / "bin" / "forge-sample"
    said = run([script], "the sample's console script").stdout.strip()
    check("the sample's console script runs", said == "hello from forge-sample",
          f"{script.relative_to(workdir)} printed {said!r}")
    check("tests/sample-project untouched", tree_digest(sample_src) == before)
    summary["sample"] = {"sdist": sample_sdist.name, "wheel": sample_wheel.name, "size": sample_wheel.stat().st_size,
                         "seconds": round(proc.seconds, 2), "generator": wheel_generator(sample_wheel), "output": said}
    step_done("4 sample", t)

    t = time.monotonic()
    say("== 5. checks")
    all_wheels = {"forge_backend": fwheel, **wheels, "forge-sample": sample_wheel}
    bad = []
    for name, wheel in all_wheels.items():  # into a scratch --destdir: nothing installed twice
        proc = run([py, "-m", "installer", "--validate-record", "all", "--destdir", workdir / "validate" / name, wheel],
                   f"installer --validate-record all {wheel.name}", check=False)
        if proc.returncode != 0:
            bad.append(f"{wheel.name}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    check(f"all {len(all_wheels)} wheels pass the self-built `python -m installer --validate-record all`",
          not bad, "; ".join(bad))
    gens = sorted({str(wheel_generator(w)) for w in all_wheels.values()})
    check("every wheel's WHEEL says `Generator: forge_backend ...`", all(g.startswith("forge_backend ") for g in gens),
          ", ".join(gens))
    differ = []
    for name, _, _ in PACKAGES:
        other = "build" if name in BY_PIP else "pip"
        again, _ = build_wheel(run, py, other, projects[name], workdir / "wheels" / other / name)
        if sha256(again) != sha256(wheels[name]):
            differ.append(name)
    check("pip wheel and python -m build give byte-identical wheels, all 7", not differ, ", ".join(differ))
    seen = flit_presence(run, py)
    flits = [d for d in seen["pip_list"] if d.lower().replace("-", "_") in FLIT_NAMES]
    check("the only flit_core in the venv is the forge-built one", flits == ["flit_core"], ", ".join(flits))

    entries = read_guard_log(guard_log)
    refused = [e for e in entries if e["kind"] == "REFUSED"]
    starts = [e for e in entries if e["kind"] == "START"]
    roles = {}
    for e in starts:
        roles[_role(e["argv"])] = roles.get(_role(e["argv"]), 0) + 1
    check(f"the guard saw {len(starts)} interpreter starts in the venv and refused none", not refused,
          "; ".join(f"{e['detail']} in {e['argv']}" for e in refused[:5]))
    say("       " + ", ".join(f"{n} {r}" for r, n in sorted(roles.items(), key=lambda x: -x[1])))
    summary["guard"] = {"interpreter_starts": len(starts), "by_role": roles, "refused": refused,
                        "stand_in_metadata_hooks": len(stubs)}
    # Controls: the guard does refuse. By name (its import finder), and by file: the
    # sdist's flit_core/__init__.py loaded by path, as a backend-path finder would (its
    # audit hook).
    init = projects["flit_core"] / "flit_core" / "__init__.py"
    controls = {
        "import flit_core": "import flit_core",
        "flit_core/__init__.py loaded by path": (
            "import importlib.util as u, sys\n"
            f"s = u.spec_from_file_location('not_flit', {str(init)!r})\n"
            "s.loader.exec_module(u.module_from_spec(s))"),
    }
    for what, code in controls.items():
        proc = run([py, "-c", code], f"guard control: {what}", check=False)
        now = [e for e in read_guard_log(guard_log) if e["kind"] == "REFUSED"]
        check(f"control: the guard refuses `{what}`", proc.returncode != 0 and "FlitCoreRefused" in proc.stderr
              and len(now) == len(refused) + 1, (now[-1]["detail"] if len(now) > len(refused) else "not refused"))
        refused = now
    # And step 2 without the stand-in: pip's metadata hook would run the sdist's own
    # in-tree flit_core (backend-path ["."]); the guard stops it. Offline, from the cache.
    proc = run([py, *PIP, "download", "--no-index", "--find-links", sources["flit_core"].parent, "--no-deps",
                "--no-binary", ":all:", "--no-build-isolation", "-d", workdir / "control-download", "flit_core==4.2.0"],
               "guard control: pip download flit_core without the stand-in", check=False)
    now = [e for e in read_guard_log(guard_log) if e["kind"] == "REFUSED"]
    check("control: without the stand-in, `pip download flit_core` fails: the guard refuses its in-tree backend",
          proc.returncode != 0 and len(now) > len(refused),
          "; ".join(e["detail"] for e in now[len(refused):]) or "not refused")
    refused = now
    step_done("5 checks", t)

    t = time.monotonic()
    say("== 6. after every build: the forge-built flit_core imports (the one process the guard lets import it)")
    info = installed_check(run, py, "flit_core", "4.2.0", purelib, do_import=True)
    flit_row = next(r for r in summary["packages"] if r["name"] == "flit_core")
    flit_row["imported_from"] = info["file"]
    check("flit_core imports, from the venv, as built by forge", not info["problems"],
          "; ".join(info["problems"]) or str(Path(info["file"]).relative_to(venv)))
    allowed = [e for e in read_guard_log(guard_log) if e["kind"] == "ALLOW"]
    check("exactly one process was allowed to import flit_core (this one)", len(allowed) == 1, f"{len(allowed)}")
    step_done("6 import flit_core", t)

    summary["seconds"] = round(time.monotonic() - t_start, 1)
    rows = [("forge_backend", "0.1.0", fwheel.name, human_size(fwheel.stat().st_size), f"{ft['wheel']:.2f}", "pip", "pip")]
    rows += [(r["name"], r["version"], r["wheel"], human_size(r["size"]), f"{r['seconds']:.2f}", r["built_by"],
              r["installed_by"]) for r in summary["packages"]]
    s = summary["sample"]
    rows.append(("forge-sample", "1.0.0", s["wheel"], human_size(s["size"]), f"{s['seconds']:.2f}", "build", "installer"))
    say()
    say(table(rows, ("package", "version", "wheel", "size", "build s", "built by", "installed by")))
    say()
    say("build s: wall time of the frontend command (interpreter, frontend, PEP 517 hook subprocesses, forge). "
        "forge_backend's includes compiling forge with cargo; forge-sample's is its sdist and then its wheel.")
    say("steps: " + ", ".join(f"{k} {v} s" for k, v in summary["step_seconds"].items()))
    say(f"total {summary['seconds']:.1f} s")
    summary["failures"] = failures
    (workdir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path,
                    help="work folder, kept (must be empty or not exist). Default: a temporary one, removed on success")
    ap.add_argument("--cache", type=Path,
                    default=Path(os.environ.get("FORGE_BOOTSTRAP_CACHE") or REPO / "conformance" / "cache" / "bootstrap"),
                    help="the PyPI sdists (default: conformance/cache/bootstrap, or $FORGE_BOOTSTRAP_CACHE)")
    ap.add_argument("--cargo-target-dir", type=Path,
                    default=Path(os.environ.get("FORGE_BACKEND_CARGO_TARGET_DIR") or REPO / "target" / "bootstrap"),
                    help="cargo's target folder for forge (default: target/bootstrap, shared with test_bootstrap.py)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every command")
    args = ap.parse_args(argv)
    sys.addaudithook(_self_guard)
    if sys.version_info < (3, 10):
        sys.exit("this demonstration needs Python 3.10 or newer (build 1.6.1 and installer 1.1.0 do)")
    if not hasattr(tarfile, "data_filter"):
        sys.exit("this demonstration needs tarfile's extraction filters (Python 3.10.12, 3.11.4 or newer)")
    temporary = args.workdir is None
    if temporary:
        workdir = Path(tempfile.mkdtemp(prefix="forge-bootstrap-"))
    else:
        workdir = args.workdir.resolve()
        if workdir.exists() and any(workdir.iterdir()):
            sys.exit(f"{workdir} is not empty")
        workdir.mkdir(parents=True, exist_ok=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    try:
        summary = demonstrate(workdir, args.cache.resolve(), args.cargo_target_dir.resolve(), args.verbose)
    except DemoError as e:
        say(f"\nFAILED: {e}\n(every command, with the output of failed ones: {workdir / 'commands.log'})")
        return 1
    if summary["failures"]:
        say(f"FAILED checks: {'; '.join(summary['failures'])}\n(work folder kept: {workdir})")
        return 1
    if temporary:
        shutil.rmtree(workdir, ignore_errors=True)
    say("OK: a packaging toolchain built from source by forge_backend; flit_core never ran.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
