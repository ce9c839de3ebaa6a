#!/usr/bin/env python3
"""Build-speed benchmark: forge_backend against flit_core, uv_build, hatchling and a
no-op backend, through PEP 517 hooks the way every frontend calls them.

    python3 conformance/bench.py            # full run: click 8.1.8 and botocore 1.44.5
    python3 conformance/bench.py --quick    # click only, few runs (CI smoke test)

It sets everything up itself, under --workdir (default target/bench):

- a venv with the pinned tools of conformance/bench-requirements.txt (pyproject_hooks,
  flit_core, uv-build, hatchling), re-created when that file changes;
- the sdists of click 8.1.8 and botocore 1.44.5, downloaded with pip once (one package
  per call) and kept in WORKDIR/downloads;
- one copy of each project per backend (hard links, so every backend reads the same
  inodes), with [build-system] pointed at that backend;
- a no-op backend whose hooks write an empty file: the floor, i.e. Python's start-up
  plus pyproject_hooks' runner;
- the forge-backend binary: --forge-bin, else $FORGE_BACKEND_BIN, else
  `cargo build --release --locked` in this repository. It is installed into the venv as
  a wheel would install it (the shim python/forge_backend in site-packages, the binary in
  the scripts folder), and so is the no-op backend: every backend is imported from
  site-packages, with no PYTHONPATH and no FORGE_BACKEND_BIN.

Then it times each backend's build_wheel, build_sdist and prepare_metadata_for_build_wheel
with pyproject_hooks, a fresh interpreter per call, in alternation (backends rotate
every round; one warm-up round is not counted), and reports medians of wall time and of
CPU time (user+sys of the hook's process tree, from wait4), peak RSS, ratios to the
floor, to uv_build and to flit_core. It also times the binary alone, checks that forge's
bytes do not depend on FORGE_BACKEND_THREADS, checks that the flit-4.2.0 profile gives
flit_core's bytes, measures how forge's cost grows with files and bytes, and times
stock zlib on the same bytes (wheel files at level 6, the sdist's tar at level 6, the native profile's level).

The report (Markdown) goes to standard output and WORKDIR/results.md, the raw numbers
to WORKDIR/results.json, progress to standard error. Speeds are printed, never
asserted: the exit status is 1 only when something is wrong (a build fails, or bytes
change with the thread count). BENCHMARKS.md explains the method and the results.
"""

import argparse
import hashlib
import json
import os
import platform
import py_compile
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = Path(__file__).resolve().with_name("bench-requirements.txt")
SDE = "1700000000"

BACKENDS = ("noop", "forge", "uv_build", "flit_core", "hatchling")
HOOKS = ("build_wheel", "build_sdist", "prepare_metadata_for_build_wheel")
HOOK_SHORT = {"build_wheel": "wheel", "build_sdist": "sdist", "prepare_metadata_for_build_wheel": "metadata"}
BUILD_BACKEND = {
    "noop": "noop_backend",
    "forge": "forge_backend",
    "uv_build": "uv_build",
    "flit_core": "flit_core.buildapi",
    "hatchling": "hatchling.build",
}
MIB = 1 << 20
# Peak RSS is read with GNU time, which forks the measured command from its own small
# process: Linux keeps a process's RSS high-water mark across exec, so anything forked
# straight from Python would report at least the interpreter's RSS.
def find_gnu_time():
    path = shutil.which("time", path="/usr/bin:/bin")
    if not path:
        return None
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    except OSError:
        return None
    return path if "GNU" in version else None


GNU_TIME = find_gnu_time()


class BenchError(Exception):
    """Set-up or a build failed; the message says what and where."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


LOAD_SEEN = []


def loadavg():
    """The 1, 5 and 15 minute load averages; each reading is kept for the report."""
    try:
        load = tuple(round(x, 2) for x in os.getloadavg())
    except OSError:
        return None
    LOAD_SEEN.append(load[0])
    return load


# --------------------------------------------------------------------------- projects


class Project:
    """A project from PyPI and how to point its pyproject.toml at each backend."""

    name = ""
    version = ""
    package = ""  # the import package's folder in the sdist
    runs_full = 5
    binary_runs_full = 5

    def pyproject(self, original, backend):
        raise NotImplementedError


def replace_build_system(text, backend):
    """Drops the [build-system] table of a pyproject.toml and puts one for backend first."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            skipping = stripped == "[build-system]"
        elif stripped.startswith("[["):
            skipping = False
        if not skipping:
            out.append(line)
    head = f'[build-system]\nrequires = []\nbuild-backend = "{BUILD_BACKEND[backend]}"\n\n'
    return head + "".join(out)


def must_replace(text, old, new, what):
    if old not in text:
        raise BenchError(f"cannot adapt {what}: {old!r} not found in pyproject.toml")
    return text.replace(old, new, 1)


class Click(Project):
    """click 8.1.8: flit_core, src layout, dynamic version, [tool.flit.sdist] includes."""

    name = "click"
    version = "8.1.8"
    package = "src/click"
    runs_full = 15
    binary_runs_full = 40
    SDIST_INCLUDE = ["docs", "requirements", "tests", "CHANGES.rst", "tox.ini"]

    def pyproject(self, original, backend):
        text = replace_build_system(original, backend)
        if backend in ("forge", "flit_core", "noop"):
            # As published: flit reads __version__ from src/click/__init__.py.
            return text
        # uv_build allows no dynamic fields; hatchling would need a version source.
        text = must_replace(text, 'dynamic = ["version"]', f'version = "{self.version}"', "click")
        if backend == "uv_build":
            text += (
                "\n[tool.uv.build-backend]\n"
                'module-name = "click"\n'
                'source-include = ["docs/**", "requirements/**", "tests/**", "CHANGES.rst", "tox.ini"]\n'
                'source-exclude = ["docs/_build"]\n'
            )
        elif backend == "hatchling":
            text += (
                "\n[tool.hatch.build.targets.wheel]\n"
                'packages = ["src/click"]\n'
                "\n[tool.hatch.build.targets.sdist]\n"
                'include = ["src/click", "docs/", "requirements/", "tests/", "CHANGES.rst", "tox.ini"]\n'
                'exclude = ["docs/_build/"]\n'
            )
        return text


class Botocore(Project):
    """botocore 1.44.5: a setuptools project (127 MB, ~2,000 files in botocore/). Its
    setup.py metadata is written as a static [project] table, the same for every
    backend; the sdist holds the package, pyproject.toml, README and licence files."""

    name = "botocore"
    version = "1.44.5"
    package = "botocore"
    runs_full = 5
    binary_runs_full = 3
    PROJECT = """\
[project]
name = "botocore"
version = "1.44.5"
description = "Low-level, data-driven core of boto 3."
readme = "README.rst"
license = "Apache-2.0"
license-files = ["LICENSE.txt", "NOTICE"]
authors = [{name = "Amazon Web Services"}]
requires-python = ">= 3.10"
dependencies = [
    "jmespath>=0.7.1,<2.0.0",
    "python-dateutil>=2.1,<3.0.0",
    "urllib3>=1.25.4,!=2.2.0,<3",
]
classifiers = [
    "Development Status :: 5 - Production/Stable",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Natural Language :: English",
    "Programming Language :: Python",
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: Python :: 3",
]

[project.optional-dependencies]
crt = ["awscrt==0.38.0"]

[project.urls]
Homepage = "https://github.com/boto/botocore"

"""

    def pyproject(self, original, backend):
        text = replace_build_system(self.PROJECT + original, backend)
        if backend == "uv_build":
            text += '\n[tool.uv.build-backend]\nmodule-name = "botocore"\nmodule-root = ""\n'
        elif backend == "hatchling":
            text += (
                "\n[tool.hatch.build.targets.wheel]\n"
                'packages = ["botocore"]\n'
                "\n[tool.hatch.build.targets.sdist]\n"
                'include = ["botocore"]\n'
            )
        return text


PROJECTS = {"click": Click(), "botocore": Botocore()}

NOOP_BACKEND = '''\
"""A PEP 517 backend that does nothing: the floor of a hook call (interpreter start-up,
pyproject_hooks' runner, JSON in and out). Only `os` is used, which Python has already
imported at start-up."""

import os


def _touch(directory, name):
    open(os.path.join(directory, name), "wb").close()
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _touch(wheel_directory, "noop-0-py3-none-any.whl")


def build_sdist(sdist_directory, config_settings=None):
    return _touch(sdist_directory, "noop-0.tar.gz")


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name = "noop-0.dist-info"
    os.mkdir(os.path.join(metadata_directory, name))
    with open(os.path.join(metadata_directory, name, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\\nName: noop\\nVersion: 0\\n")
    return name
'''


# ----------------------------------------------------------------------------- set-up


def venv_python(venv):
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


# Bump when ensure_venv changes what it does, so existing venvs are made again.
VENV_RECIPE = "2: pinned requirements, setuptools removed"


def ensure_venv(venv):
    """Creates venv with the pinned tools unless it already has exactly them."""
    stamp = venv / "bench-requirements.txt"
    want = REQUIREMENTS.read_text() + f"# venv recipe {VENV_RECIPE}\n"
    if stamp.is_file() and stamp.read_text() == want and venv_python(venv).is_file():
        return
    log(f"== creating {venv} with {REQUIREMENTS.name}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-r", str(REQUIREMENTS)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise BenchError(f"pip could not install {REQUIREMENTS}:\n{proc.stdout}{proc.stderr}")
    # Python < 3.12 puts setuptools in every venv; its _distutils_hack .pth file costs every
    # interpreter start-up time that a frontend's isolated build environment does not pay.
    subprocess.run([str(venv_python(venv)), "-m", "pip", "uninstall", "-q", "-y", "setuptools"],
                   capture_output=True)
    stamp.write_text(want)


def cargo_target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")


def ensure_forge_bin(explicit):
    """The forge-backend binary to measure: --forge-bin, $FORGE_BACKEND_BIN, or a fresh
    release build of this repository."""
    for source, value in (("--forge-bin", explicit), ("FORGE_BACKEND_BIN", os.environ.get("FORGE_BACKEND_BIN"))):
        if value:
            path = Path(value).resolve()
            if not (path.is_file() and os.access(path, os.X_OK)):
                raise BenchError(f"{source}={value} is not an executable file")
            return path
    if not shutil.which("cargo"):
        raise BenchError("cargo not found: install Rust, or pass --forge-bin PATH")
    log("== cargo build --release --locked")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=REPO, check=True)
    path = cargo_target_dir() / "release" / "forge-backend"
    if not path.is_file():
        raise BenchError(f"cargo built nothing at {path}")
    return path


def download_sdist(python, downloads, name, version):
    """The sdist, from the cache or from PyPI through pip (one package per call)."""
    downloads.mkdir(parents=True, exist_ok=True)
    for candidate in downloads.glob("*.tar.gz"):
        if candidate.name.lower().replace("_", "-") == f"{name}-{version}.tar.gz":
            return candidate
    log(f"== pip download {name}=={version} (sdist)")
    proc = subprocess.run(
        [str(python), "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-binary", ":all:", "-d", str(downloads), f"{name}=={version}"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise BenchError(f"pip could not download {name}=={version}:\n{proc.stdout}{proc.stderr}")
    for candidate in downloads.glob("*.tar.gz"):
        if candidate.name.lower().replace("_", "-") == f"{name}-{version}.tar.gz":
            return candidate
    raise BenchError(f"pip download left no {name}-{version}.tar.gz in {downloads}")


def unpack(sdist, dest):
    """The sdist's top folder, unpacked under dest once."""
    top = dest / sdist.name[: -len(".tar.gz")]
    done = top.with_name(top.name + ".unpacked")
    if done.is_file():
        return top
    shutil.rmtree(top, ignore_errors=True)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as tar:
        try:
            tar.extractall(dest, filter="data")
        except TypeError:  # a Python without extraction filters (before 3.11.4)
            tar.extractall(dest)
    if not top.is_dir():
        raise BenchError(f"{sdist.name} has no top folder {top.name}")
    done.write_text("")
    return top


def link_tree(src, dst):
    """A copy of src whose files are hard links (same inodes, so the page cache is
    shared and no backend reads warmer files than another)."""
    shutil.rmtree(dst, ignore_errors=True)
    try:
        shutil.copytree(src, dst, symlinks=True, copy_function=os.link)
    except OSError:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)


def project_trees(project, pristine, trees_dir, backends):
    """One tree per backend, pyproject.toml rewritten (a new file, never the link)."""
    original = (pristine / "pyproject.toml").read_text(encoding="utf-8")
    trees = {}
    for backend in backends:
        tree = trees_dir / project.name / backend
        link_tree(pristine, tree)
        (tree / "pyproject.toml").unlink()
        (tree / "pyproject.toml").write_text(project.pyproject(original, backend), encoding="utf-8")
        trees[backend] = tree
    return trees


# --------------------------------------------------------------------- measuring calls


class Sample:
    """One measured run: wall and CPU seconds; peak RSS in KiB when it was probed."""

    __slots__ = ("wall", "cpu", "maxrss_kib")

    def __init__(self, wall, cpu, maxrss_kib=None):
        self.wall, self.cpu, self.maxrss_kib = wall, cpu, maxrss_kib


def run_measured(cmd, cwd=None, env=None, probe_rss=False):
    """Runs cmd to completion; returns (Sample, exit code, output). CPU time comes from
    wait4 on the child and covers it and every descendant it waited for (for a hook call:
    the interpreter and, for forge and uv_build, the binary it ran). With probe_rss the
    command runs under GNU time, for the peak RSS of that same process tree (the largest
    single process in it); such a run's wall time includes GNU time's own fork."""
    rss_file = None
    if probe_rss and GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file, *cmd]
    try:
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT)
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read().decode("utf-8", "replace")
        maxrss = None
        if rss_file:
            # On failure GNU time writes "Command exited with non-zero status N" first.
            last = Path(rss_file).read_text().strip().splitlines()[-1:]
            maxrss = int(last[0]) if last and last[0].isdigit() else None
    finally:
        if rss_file:
            os.unlink(rss_file)
    return Sample(wall, ru.ru_utime + ru.ru_stime, maxrss), code, output


class HookRunner:
    """A pyproject_hooks runner that records the hook process's rusage."""

    def __init__(self, env, probe_rss=False):
        self.env = env
        self.probe_rss = probe_rss
        self.last = None

    def __call__(self, cmd, cwd=None, extra_environ=None):
        env = dict(self.env)
        if extra_environ:
            env.update(extra_environ)
        sample, code, output = run_measured(cmd, cwd=cwd, env=env, probe_rss=self.probe_rss)
        self.last = sample
        if code != 0:
            raise BenchError(f"hook process exited {code}: {' '.join(cmd)} in {cwd}\n{output}")


def base_env(venv):
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PIP_BUILD_TRACKER", "FORGE_BACKEND_PROFILE", "FORGE_BACKEND_THREADS",
                "FORGE_BACKEND_BIN"):
        env.pop(key, None)
    env["SOURCE_DATE_EPOCH"] = SDE
    # uv_build's shim finds its binary on PATH, as it does in an isolated build env.
    env["PATH"] = str(venv_python(venv).parent) + os.pathsep + env.get("PATH", "")
    return env


def install_backends(venv, forge_bin):
    """Puts forge and the no-op backend into the venv the way a wheel install would:
    the shim package in site-packages, the binary in the scripts folder (where the
    shim finds it through sysconfig). Re-done every run, so the code measured is this
    checkout's shim and the binary given."""
    site = Path(sysconfig.get_path("purelib"))
    scripts = Path(sysconfig.get_path("scripts"))
    shim = site / "forge_backend"
    shutil.rmtree(shim, ignore_errors=True)
    shutil.copytree(REPO / "python" / "forge_backend", shim, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "forge-backend").unlink(missing_ok=True)
    shutil.copy2(forge_bin, scripts / "forge-backend")
    (site / "noop_backend.py").write_text(NOOP_BACKEND)
    # Byte-compiled as pip does on install (so PYTHONDONTWRITEBYTECODE, if set, does not
    # make these two, unlike the pip-installed backends, compile from source every call).
    for source in [site / "noop_backend.py", *shim.glob("*.py")]:
        py_compile.compile(str(source), doraise=True)
    return scripts / "forge-backend"


def backend_env(base, extra=None):
    env = dict(base)
    if extra:
        env.update(extra)
    return env


def call_hook(tree, backend, hook, env, outdir, probe_rss=False):
    """One hook call through pyproject_hooks; returns (Sample with the parent-side wall
    time, artifact name, artifact size in bytes)."""
    from pyproject_hooks import BuildBackendHookCaller

    runner = HookRunner(env, probe_rss)
    caller = BuildBackendHookCaller(str(tree), BUILD_BACKEND[backend], runner=runner)
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    start = time.perf_counter()
    try:
        name = getattr(caller, hook)(str(outdir))
    except BenchError as e:
        raise BenchError(f"{backend} {hook} failed on {tree}:\n{e}") from None
    wall = time.perf_counter() - start
    artifact = outdir / name
    if not artifact.exists():
        raise BenchError(f"{backend} {hook} returned {name!r}, which is not in {outdir}")
    size = artifact.stat().st_size if artifact.is_file() else None
    return Sample(wall, runner.last.cpu, runner.last.maxrss_kib), name, size


def rotate(seq, n):
    n %= len(seq)
    return list(seq[n:]) + list(seq[:n])


def bench_hooks(project, trees, backends, envs, outroot, runs):
    """Every hook of every backend, `runs` counted rounds after one warm-up round (which
    also probes peak RSS). Within a round each hook is called for every backend in turn,
    and the backends' order rotates from round to round. Returns ({(backend, hook):
    [Sample]}, {(backend, hook): peak RSS KiB}, {(backend, hook): (artifact, bytes)})."""
    samples = {(b, h): [] for b in backends for h in HOOKS}
    rss, sizes = {}, {}
    for rnd in range(runs + 1):
        log(f"   {project.name}: round {rnd}/{runs}{' (warm-up)' if rnd == 0 else ''}, load {loadavg()}")
        for hook in HOOKS:
            for backend in rotate(backends, rnd):
                outdir = outroot / project.name / backend / HOOK_SHORT[hook]
                sample, name, size = call_hook(trees[backend], backend, hook, envs[backend], outdir,
                                               probe_rss=rnd == 0)
                if rnd:
                    samples[(backend, hook)].append(sample)
                else:
                    rss[(backend, hook)] = sample.maxrss_kib
                sizes[(backend, hook)] = (name, size)
    return samples, rss, sizes


def bench_commands(commands, runs):
    """commands: {label: (argv, cwd, env)}; `runs` counted rounds after one warm-up
    (which also probes peak RSS), in rotating order. Returns {label: summary}."""
    labels = list(commands)
    samples = {label: [] for label in labels}
    rss = {}
    for rnd in range(runs + 1):
        loadavg()
        for label in rotate(labels, rnd):
            argv, cwd, env = commands[label]
            sample, code, output = run_measured(argv, cwd=cwd, env=env, probe_rss=rnd == 0)
            if code != 0:
                raise BenchError(f"{label}: {' '.join(map(str, argv))} exited {code}\n{output}")
            if rnd:
                samples[label].append(sample)
            else:
                rss[label] = sample.maxrss_kib
    return {label: summarize(samples[label], rss[label]) for label in labels}


def summarize(samples, rss_kib=None):
    return {
        "wall_ms": median([s.wall for s in samples]) * 1000,
        "min_ms": min(s.wall for s in samples) * 1000,
        "cpu_ms": median([s.cpu for s in samples]) * 1000,
        "peak_rss_mib": None if rss_kib is None else rss_kib / 1024,
        "runs": len(samples),
    }


# -------------------------------------------------------------------- the measurements


def hook_results(project, samples, rss, sizes, backends):
    rows = []
    for hook in HOOKS:
        stats = {b: summarize(samples[(b, hook)], rss[(b, hook)]) for b in backends}
        for b in backends:
            row = dict(project=project.name, hook=hook, backend=b, **stats[b])
            row["artifact"], row["bytes"] = sizes[(b, hook)]
            for ref in ("noop", "uv_build", "flit_core"):
                if ref in stats:
                    row[f"x_{ref}"] = stats[b]["wall_ms"] / stats[ref]["wall_ms"]
                    row[f"cpu_x_{ref}"] = stats[b]["cpu_ms"] / stats[ref]["cpu_ms"]
            rows.append(row)
    return rows


def binary_commands(forge_bin, venv, tree_forge, tree_uv, out, env):
    """The binaries alone on one project: forge's start-up, check, metadata, wheel and
    sdist (with the default threads and with FORGE_BACKEND_THREADS=1), and uv-build's
    wheel and sdist for comparison. Returns {label: (argv, cwd, env)}."""
    uv = str(venv_python(venv).parent / "uv-build")
    fb = str(forge_bin)
    one = dict(env, FORGE_BACKEND_THREADS="1")
    dirs = {d: out / d for d in ("meta", "wheel", "wheel-t1", "sdist", "sdist-t1", "uv-wheel", "uv-sdist")}
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    return {
        "forge --version": ([fb, "--version"], None, env),
        "forge check": ([fb, "check", str(tree_forge)], None, env),
        "forge hook prepare-metadata-wheel": ([fb, "hook", "prepare-metadata-wheel", str(dirs["meta"])],
                                              tree_forge, env),
        "forge build --wheel": ([fb, "build", "--wheel", "--outdir", str(dirs["wheel"]), str(tree_forge)], None, env),
        "forge build --wheel, threads=1": (
            [fb, "build", "--wheel", "--outdir", str(dirs["wheel-t1"]), str(tree_forge)], None, one),
        "forge build --sdist": ([fb, "build", "--sdist", "--outdir", str(dirs["sdist"]), str(tree_forge)], None, env),
        "forge build --sdist, threads=1": (
            [fb, "build", "--sdist", "--outdir", str(dirs["sdist-t1"]), str(tree_forge)], None, one),
        "uv-build build-wheel": ([uv, "build-wheel", str(dirs["uv-wheel"])], tree_uv, env),
        "uv-build build-sdist": ([uv, "build-sdist", str(dirs["uv-sdist"])], tree_uv, env),
    }


def threads_check(binary, out):
    """From the binary runs: are the bytes built with FORGE_BACKEND_THREADS=1 those of
    the default (all cores)? With the timings of both."""
    result = {}
    for kind in ("wheel", "sdist"):
        digests = []
        for d in (out / kind, out / f"{kind}-t1"):
            files = sorted(d.iterdir())
            if len(files) != 1:
                raise BenchError(f"expected one {kind} in {d}, found {[f.name for f in files]}")
            digests.append(sha256_file(files[0]))
        result[kind] = {
            "identical": digests[0] == digests[1],
            "sha256": digests,
            "threads1": binary[f"forge build --{kind}, threads=1"],
            "default": binary[f"forge build --{kind}"],
        }
    return result


def flit_bytes_check(flit_tree, base, out):
    """forge with the flit-4.2.0 profile and flit_core itself, on the same tree (so the
    same pyproject.toml goes into the sdist) with the same SOURCE_DATE_EPOCH: are wheel
    and sdist byte-identical? No means the measured forge does not do flit's work, e.g.
    the deflate encoder is still a stored-blocks placeholder."""
    result = {}
    forge_env = backend_env(base, {"FORGE_BACKEND_PROFILE": "flit-4.2.0"})
    flit_env = backend_env(base)
    for hook in ("build_wheel", "build_sdist"):
        _, fname, fsize = call_hook(flit_tree, "forge", hook, forge_env, out / "forge" / hook)
        _, lname, lsize = call_hook(flit_tree, "flit_core", hook, flit_env, out / "flit" / hook)
        same = fname == lname and sha256_file(out / "forge" / hook / fname) == sha256_file(out / "flit" / hook / lname)
        result[HOOK_SHORT[hook]] = {"identical": same, "forge": [fname, fsize], "flit_core": [lname, lsize]}
    return result


def package_files(root):
    files = []
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files += [Path(dirpath, n) for n in sorted(names) if not n.endswith(".pyc")]
    return files


def zlib_yardsticks(package_dir, sdist, repeats):
    """Stock zlib (this interpreter's), on one core, over the bytes forge compresses:
    the wheel's files one by one at level 6 (raw deflate, as zipfile does), and the
    sdist's whole tar stream at level 6 (the native profile's level; forge measures
    native). Median CPU time of
    `repeats` runs."""
    import gzip

    blobs = [p.read_bytes() for p in package_files(package_dir)]
    tar = gzip.decompress(sdist.read_bytes())

    def timed(pieces, level):
        cpu = []
        for _ in range(repeats):
            start = time.process_time()
            packed = 0
            for data in pieces:
                c = zlib.compressobj(level, zlib.DEFLATED, -15)
                packed += len(c.compress(data)) + len(c.flush())
            cpu.append(time.process_time() - start)
        return {"pieces": len(pieces), "bytes": sum(map(len, pieces)), "deflated": packed,
                "cpu_ms": median(cpu) * 1000, "level": level}

    return {"zlib": zlib.ZLIB_RUNTIME_VERSION, "wheel": timed(blobs, 6), "sdist": timed([tar], 6)}


def text_pool(size, seed=20260817):
    """Deterministic Python-looking text (compresses about as well as real code)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 12)))
             for _ in range(600)]
    lines, total = [], 0
    while total < size:
        indent = " " * (4 * rng.randint(0, 3))
        line = f"{indent}{rng.choice(words)} = {rng.choice(words)}({rng.choice(words)}, {rng.randint(0, 9999)})\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()[:size]


def make_scale_project(root, n_files, file_size, pool):
    shutil.rmtree(root, ignore_errors=True)
    pkg = root / "scale"
    pkg.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "forge_backend"\n\n'
        '[project]\nname = "scale"\nversion = "1.0"\ndescription = "Synthetic project"\n'
    )
    (pkg / "__init__.py").write_text("")
    per_dir = 200
    for i in range(n_files):
        sub = pkg / f"d{i // per_dir:03d}"
        if i % per_dir == 0:
            sub.mkdir()
            (sub / "__init__.py").write_text("")
        offset = (i * 7_919_993) % (len(pool) - 1)
        end = offset + file_size  # file_size <= len(pool): wraps around at most once
        data = pool[offset:end] if end <= len(pool) else pool[offset:] + pool[:end - len(pool)]
        (sub / f"m{i:05d}.py").write_bytes(data)


def fit_line(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else float("nan")
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot else float("nan")
    return slope, intercept, r2


def scaling(forge_bin, work, env, quick, runs):
    """forge-backend build --wheel on synthetic projects: more files of a fixed size,
    and a fixed number of files of growing size. Linear cost gives a constant slope
    (R² near 1) and marginal costs that stay level."""
    if quick:
        file_series, byte_series = [50, 100, 200], [1, 2, 4]
    else:
        file_series, byte_series = [250, 500, 1000, 2000, 4000], [8, 16, 32, 64]
    pool = text_pool(8 * MIB)
    result = {}
    for series, points, make in (
        ("files (2 KiB each)", file_series, lambda n: (n, 2048)),
        ("MiB (in 16 files)", byte_series, lambda mib: (16, mib * MIB // 16)),
    ):
        cmds = {}
        for x in points:
            n_files, size = make(x)
            root = work / f"scale-{series.split()[0]}-{x}"
            make_scale_project(root, n_files, size, pool)
            (root / "out").mkdir()
            cmds[x] = ([str(forge_bin), "build", "--wheel", "--outdir", str(root / "out"), str(root)], None, env)
        stats = bench_commands(cmds, runs)
        for metric in ("wall_ms", "cpu_ms"):
            slope, intercept, r2 = fit_line(points, [stats[x][metric] for x in points])
            stats[f"fit_{metric}"] = {"per_unit_ms": slope, "intercept_ms": intercept, "r2": r2}
        result[series] = stats
        for x in points:
            shutil.rmtree(work / f"scale-{series.split()[0]}-{x}", ignore_errors=True)
    # The yardstick on the same bytes: stock zlib level 6, one core, 512 KiB pieces.
    piece = 512 * 1024
    start = time.process_time()
    for offset in range(0, len(pool), piece):
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        c.compress(pool[offset:offset + piece])
        c.flush()
    result["zlib_cpu_ms_per_mib"] = (time.process_time() - start) * 1000 / (len(pool) / MIB)
    return result


def startup_costs(venv, env, forge_bin, runs):
    """Interpreter start-up, each backend module's import, and the forge shim's binary
    look-up, in a fresh interpreter each."""
    py = str(venv_python(venv))
    find = "import forge_backend; getattr(forge_backend, '_find_binary', lambda: None)()"
    cmds = {label: ([py, "-c", code], None, env) for label, code in (
        ("python -c pass", "pass"),
        ("import noop_backend", "import noop_backend"),
        ("import forge_backend", "import forge_backend"),
        ("import forge_backend + find the binary (installed layout)", find),
        ("import uv_build", "import uv_build"),
        ("import flit_core.buildapi", "import flit_core.buildapi"),
        ("import hatchling.build", "import hatchling.build"),
    )}
    cmds["import forge_backend + find the binary ($FORGE_BACKEND_BIN set)"] = (
        [py, "-c", find], None, dict(env, FORGE_BACKEND_BIN=str(forge_bin)))
    cmds["forge-backend --version"] = ([str(forge_bin), "--version"], None, env)
    return bench_commands(cmds, runs)


# ---------------------------------------------------------------------------- report


def machine_info(forge_bin):
    info = {
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": "unknown",
        "mem_gib": None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["mem_gib"] = round(int(line.split()[1]) / (1 << 20), 1)
    except OSError:
        pass
    for key, cmd in (("rustc", ["rustc", "--version"]),
                     ("forge_commit", ["git", "-C", str(REPO), "describe", "--always", "--dirty", "--abbrev=12"])):
        try:
            info[key] = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            info[key] = "unknown"
    info["forge_bin"] = str(forge_bin)
    info["forge_bin_sha256"] = sha256_file(forge_bin)[:16]
    info["forge_version"] = subprocess.run([str(forge_bin), "--version"], capture_output=True, text=True).stdout.strip()
    info["tools"] = [line for line in REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    return info


def fmt_ms(x):
    if x != x:
        return "—"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def fmt_delta(x):
    return ("+" if x >= 0 else "−") + fmt_ms(abs(x))


def fmt_ratio(x):
    return "—" if x is None or x != x else f"{x:.2f}×"


def fmt_rss(mib):
    return "n/a" if mib is None else f"{mib:.1f} MiB"


def fmt_size(n):
    if n is None:
        return "folder"
    if n >= MIB:
        return f"{n / MIB:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} B"


def render(results):
    m = results["machine"]
    lines = ["# forge_backend benchmark", ""]
    lines.append(
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']} GiB, Linux {m['kernel']}; "
        f"{m['python_impl']} {m['python']} (zlib {m['zlib']}); {m['rustc']}.")
    lines.append(f"- forge: {m['forge_version']}, binary {m['forge_bin']} (sha256 {m['forge_bin_sha256']}…); "
                 f"checkout {m['forge_commit']}.")
    if results.get("note"):
        lines.append(f"- {results['note']}")
    lines.append(f"- Tools: {', '.join(m['tools'])}.")
    lines.append(f"- Load average (1, 5, 15 min): {results['load_start']} at the start, "
                 f"{results['load_end']} at the end; the 1-minute figure ranged "
                 f"{results['load_range'][0]}–{results['load_range'][1]} over the run "
                 f"({m['nproc']} CPUs). Mode: {results['mode']}; total {results['total_s']:.0f} s.")
    if not GNU_TIME:
        lines.append("- Peak RSS: n/a, GNU time was not found (Debian: apt-get install time).")
    lines.append("")
    fb = results.get("flit_bytes")
    if fb:
        verdict = ", ".join(f"{k} {'identical' if v['identical'] else 'DIFFERENT'}" for k, v in fb.items())
        lines.append(f"forge (profile flit-4.2.0) vs flit_core 4.2.0 on click, same SOURCE_DATE_EPOCH: {verdict}.")
        if not all(v["identical"] for v in fb.values()):
            lines.append("**Warning: forge's bytes differ from flit_core's; if its wheel is much larger, the "
                         "raw-deflate encoder is still the stored-blocks placeholder and these numbers do not "
                         "count.** Sizes: " + "; ".join(
                             f"{k}: forge {fmt_size(v['forge'][1])}, flit_core {fmt_size(v['flit_core'][1])}"
                             for k, v in fb.items()))
        lines.append("")

    for name, proj in results["projects"].items():
        lines.append(f"## {name}: PEP 517 hooks through pyproject_hooks ({proj['runs']} runs each)")
        lines.append("")
        lines.append("Median wall time of the call as the frontend sees it; CPU = user+sys of the hook's "
                     "process tree; × columns divide median wall times.")
        lines.append("")
        lines.append("| hook | backend | wall ms | min ms | CPU ms | × no-op | × uv_build | × flit_core "
                     "| peak RSS | output |")
        lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for r in proj["hooks"]:
            lines.append(
                f"| {HOOK_SHORT[r['hook']]} | {r['backend']} | {fmt_ms(r['wall_ms'])} | {fmt_ms(r['min_ms'])} "
                f"| {fmt_ms(r['cpu_ms'])} | {fmt_ratio(r.get('x_noop'))} | {fmt_ratio(r.get('x_uv_build'))} "
                f"| {fmt_ratio(r.get('x_flit_core'))} | {fmt_rss(r['peak_rss_mib'])} | {fmt_size(r['bytes'])} |")
        lines.append("")
        if proj.get("binary"):
            lines.append(f"### {name}: the binaries alone ({proj['binary_runs']} runs each)")
            lines.append("")
            lines.append("| command | wall ms | min ms | CPU ms | peak RSS |")
            lines.append("|---|--:|--:|--:|--:|")
            for label, s in proj["binary"].items():
                lines.append(f"| `{label}` | {fmt_ms(s['wall_ms'])} | {fmt_ms(s['min_ms'])} | {fmt_ms(s['cpu_ms'])} "
                             f"| {fmt_rss(s['peak_rss_mib'])} |")
            lines.append("")
        th = proj.get("threads")
        if th:
            lines.append(f"### {name}: FORGE_BACKEND_THREADS=1 against the default (binary alone)")
            lines.append("")
            lines.append("| artifact | bytes identical | threads=1 wall ms | default wall ms | threads=1 CPU ms "
                         "| default CPU ms | peak RSS (default) |")
            lines.append("|---|---|--:|--:|--:|--:|--:|")
            for kind, t in th.items():
                lines.append(
                    f"| {kind} | {'yes' if t['identical'] else '**NO**'} | {fmt_ms(t['threads1']['wall_ms'])} "
                    f"| {fmt_ms(t['default']['wall_ms'])} | {fmt_ms(t['threads1']['cpu_ms'])} "
                    f"| {fmt_ms(t['default']['cpu_ms'])} | {fmt_rss(t['default']['peak_rss_mib'])} |")
            lines.append("")
        z = proj.get("zlib")
        if z:
            w, t = z["wheel"], z["sdist"]
            lines.append(
                f"Yardstick, stock zlib {z['zlib']} on one core over the same bytes: the wheel's "
                f"{w['pieces']} files ({fmt_size(w['bytes'])}) one by one at level 6, {fmt_ms(w['cpu_ms'])} ms CPU "
                f"→ {fmt_size(w['deflated'])}; the sdist's tar stream ({fmt_size(t['bytes'])}) at level {t['level']}, "
                f"{fmt_ms(t['cpu_ms'])} ms CPU → {fmt_size(t['deflated'])}.")
            lines.append("")

    st = results.get("startup")
    if st:
        lines.append(f"## Start-up costs ({results['startup_runs']} runs each)")
        lines.append("")
        lines.append("| command | wall ms | CPU ms |")
        lines.append("|---|--:|--:|")
        for label, s in st.items():
            lines.append(f"| `{label}` | {fmt_ms(s['wall_ms'])} | {fmt_ms(s['cpu_ms'])} |")
        lines.append("")

    sc = results.get("scaling")
    if sc:
        lines.append("## How forge's cost grows (`forge-backend build --wheel`, synthetic projects)")
        lines.append("")
        for series, stats in sc.items():
            if series == "zlib_cpu_ms_per_mib":
                continue
            points = [k for k in stats if not str(k).startswith("fit_")]
            lines.append(f"| {series} | wall ms | CPU ms | marginal CPU ms per unit |")
            lines.append("|--:|--:|--:|--:|")
            prev = None
            for x in points:
                s = stats[x]
                marginal = "—" if prev is None else f"{(s['cpu_ms'] - stats[prev]['cpu_ms']) / (x - prev):.3f}"
                lines.append(f"| {x} | {fmt_ms(s['wall_ms'])} | {fmt_ms(s['cpu_ms'])} | {marginal} |")
                prev = x
            f = stats["fit_cpu_ms"]
            lines.append("")
            lines.append(f"Least-squares fit of CPU time: {f['per_unit_ms']:.3f} ms per unit + "
                         f"{f['intercept_ms']:.1f} ms, R² = {f['r2']:.4f}.")
            lines.append("")
        lines.append(f"Stock zlib {results['machine']['zlib']} level 6 on the same synthetic bytes, one core: "
                     f"{sc['zlib_cpu_ms_per_mib']:.1f} ms CPU per MiB.")
        lines.append("")

    lines.append("## Against the goals")
    lines.append("")
    for goal in results["goals"]:
        lines.append(f"- {goal}")
    lines.append("")
    return "\n".join(lines)


def goals(results):
    """The issue's goals, each with the measured value (information, not assertions)."""
    out = []

    def hook_row(project, hook, backend):
        proj = results["projects"].get(project)
        if not proj:
            return None
        for r in proj["hooks"]:
            if r["hook"] == hook and r["backend"] == backend:
                return r
        return None

    def verdict(ok):
        return "met" if ok else "NOT met"

    def ratio(r, ref, limit):
        return (f"{r[f'x_{ref}']:.2f}× wall ({fmt_ms(r['wall_ms'])} ms), {r[f'cpu_x_{ref}']:.2f}× CPU "
                f"— {verdict(r[f'x_{ref}'] <= limit)}")

    r = hook_row("click", "build_wheel", "forge")
    if r and "x_noop" in r:
        out.append(f"click build_wheel via hooks ≤ 1.2× no-op: {ratio(r, 'noop', 1.2)}")
    b = results["projects"].get("click", {}).get("binary", {}).get("forge build --wheel")
    if b:
        out.append(f"binary alone builds click's wheel ≤ 5 ms: {fmt_ms(b['wall_ms'])} ms wall (min "
                   f"{fmt_ms(b['min_ms'])}), {fmt_ms(b['cpu_ms'])} ms CPU — {verdict(b['wall_ms'] <= 5)}")
    for hook in ("build_wheel", "build_sdist"):
        r = hook_row("botocore", hook, "forge")
        if r and "x_uv_build" in r:
            out.append(f"botocore {hook} ≤ 0.5× uv_build: {ratio(r, 'uv_build', 0.5)}")
    for project in results["projects"]:
        r = hook_row(project, "prepare_metadata_for_build_wheel", "forge")
        if r and "x_noop" in r:
            out.append(f"{project} prepare_metadata_for_build_wheel near the floor: {r['x_noop']:.2f}× no-op wall "
                       f"({fmt_delta(r['wall_ms'] - r['wall_ms'] / r['x_noop'])} ms), {r['cpu_x_noop']:.2f}× CPU "
                       f"({fmt_delta(r['cpu_ms'] - r['cpu_ms'] / r['cpu_x_noop'])} ms)")
    for project, proj in results["projects"].items():
        binary = proj.get("binary") or {}
        for hook, label in (("build_wheel", "forge build --wheel"), ("build_sdist", "forge build --sdist"),
                            ("prepare_metadata_for_build_wheel", "forge hook prepare-metadata-wheel")):
            r, floor, b = hook_row(project, hook, "forge"), hook_row(project, hook, "noop"), binary.get(label)
            # Only where the build is short: on a long one the difference drowns in noise.
            if r and floor and b and b["cpu_ms"] < 200:
                extra = r["cpu_ms"] - floor["cpu_ms"]
                out.append(f"{project} {hook}: the forge hook costs {fmt_ms(extra)} ms CPU over the no-op; "
                           f"the binary alone ({label}) {fmt_ms(b['cpu_ms'])} ms, leaving "
                           f"{fmt_ms(extra - b['cpu_ms'])} ms for the shim's import and spawn")
        z = proj.get("zlib")
        for kind in ("wheel", "sdist"):
            b = binary.get(f"forge build --{kind}, threads=1")
            if z and b:
                out.append(f"{project} {kind}: forge alone on one thread takes {fmt_ms(b['cpu_ms'])} ms CPU, "
                           f"{b['cpu_ms'] / z[kind]['cpu_ms']:.2f}× stock zlib's level-{z[kind]['level']} deflate "
                           f"of the same bytes ({fmt_ms(z[kind]['cpu_ms'])} ms)")
        for kind, t in (proj.get("threads") or {}).items():
            out.append(f"{project} {kind} bytes with FORGE_BACKEND_THREADS=1 identical to default threads: "
                       f"{'yes' if t['identical'] else 'NO'}")
    boto = results["projects"].get("botocore", {}).get("binary")
    if boto:
        out.append(f"peak RSS of the forge-backend process on botocore: wheel "
                   f"{fmt_rss(boto['forge build --wheel']['peak_rss_mib'])}, sdist "
                   f"{fmt_rss(boto['forge build --sdist']['peak_rss_mib'])}")
    for series, stats in (results.get("scaling") or {}).items():
        if series == "zlib_cpu_ms_per_mib":
            continue
        f = stats["fit_cpu_ms"]
        out.append(f"linear in {series.split()[0]}: CPU fit R² = {f['r2']:.4f}, {f['per_unit_ms']:.3f} ms per unit")
    return out


# ------------------------------------------------------------------------------ main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", type=Path, default=REPO / "target" / "bench",
                   help="venv, downloads, trees and results (default: target/bench)")
    p.add_argument("--quick", action="store_true",
                   help="click only, 2 runs, small scaling series: checks that it works, not speed")
    p.add_argument("--projects", default=None, help="comma list of click,botocore (default: both; --quick: click)")
    p.add_argument("--backends", default=",".join(BACKENDS),
                   help=f"comma list of {','.join(BACKENDS)} (noop is always included)")
    p.add_argument("--runs-click", type=int, default=None, help="counted hook rounds on click (default 15)")
    p.add_argument("--runs-botocore", type=int, default=None, help="counted hook rounds on botocore (default 5)")
    p.add_argument("--binary-runs", type=int, default=None,
                   help="runs of the binaries alone (default 40 on click, 3 on botocore)")
    p.add_argument("--forge-bin", default=None, help="forge-backend binary to measure (default: "
                   "$FORGE_BACKEND_BIN, else cargo build --release --locked)")
    p.add_argument("--no-scaling", action="store_true", help="skip the synthetic scaling series")
    p.add_argument("--note", default="", help="a line for the report, e.g. which branches the binary was built from")
    args = p.parse_args(argv)
    args.workdir = args.workdir.resolve()
    projects = args.projects or ("click" if args.quick else "click,botocore")
    args.projects = [x.strip() for x in projects.split(",") if x.strip()]
    for name in args.projects:
        if name not in PROJECTS:
            p.error(f"unknown project {name!r}; choose from {', '.join(PROJECTS)}")
    backends = [x.strip() for x in args.backends.split(",") if x.strip()]
    for b in backends:
        if b not in BACKENDS:
            p.error(f"unknown backend {b!r}; choose from {', '.join(BACKENDS)}")
    args.backends = [b for b in BACKENDS if b in backends or b == "noop"]
    for opt in ("runs_click", "runs_botocore", "binary_runs"):
        v = getattr(args, opt)
        if v is not None and v < 1:
            p.error(f"--{opt.replace('_', '-')} must be at least 1")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    venv = args.workdir / "venv"
    try:
        if Path(sys.prefix).resolve() != venv.resolve():
            # Outer stage, any Python 3.9+: set up, then run again inside the venv.
            args.workdir.mkdir(parents=True, exist_ok=True)
            ensure_venv(venv)
            forge_bin = ensure_forge_bin(args.forge_bin)
            env = dict(os.environ, _FORGE_BENCH_BIN=str(forge_bin))
            return subprocess.call([str(venv_python(venv)), str(Path(__file__).resolve()), *argv], env=env)
        return run(args, venv, Path(os.environ["_FORGE_BENCH_BIN"]))
    except BenchError as e:
        log(f"bench: error: {e}")
        return 1
    except subprocess.CalledProcessError as e:
        log(f"bench: error: {' '.join(map(str, e.cmd))} exited {e.returncode}")
        return 1


def run(args, venv, forge_bin):
    t0 = time.perf_counter()
    quick = args.quick
    results = {"mode": "quick" if quick else "full", "load_start": loadavg(), "projects": {}, "note": args.note}
    results["machine"] = machine_info(forge_bin)
    work = args.workdir
    installed_bin = install_backends(venv, forge_bin)
    base = base_env(venv)
    envs = {b: backend_env(base) for b in args.backends}
    py = venv_python(venv)
    outroot = work / "out"
    failures = []

    for name in args.projects:
        project = PROJECTS[name]
        sdist = download_sdist(py, work / "downloads", project.name, project.version)
        pristine = unpack(sdist, work / "src")
        log(f"== {name}: trees for {', '.join(args.backends)}")
        trees = project_trees(project, pristine, work / "trees", args.backends)
        if quick:
            runs = 2
        else:
            runs = args.runs_click if name == "click" else args.runs_botocore
            runs = runs or project.runs_full
        log(f"== {name}: hooks, {runs} rounds after a warm-up")
        samples, rss, sizes = bench_hooks(project, trees, args.backends, envs, outroot, runs)
        proj = {"runs": runs, "hooks": hook_results(project, samples, rss, sizes, args.backends)}

        binary_runs = args.binary_runs or (5 if quick else project.binary_runs_full)
        if "forge" in trees and "uv_build" in trees:
            log(f"== {name}: binaries alone, {binary_runs} runs")
            bin_out = outroot / name / "binary"
            cmds = binary_commands(forge_bin, venv, trees["forge"], trees["uv_build"], bin_out, base)
            proj["binary"] = bench_commands(cmds, binary_runs)
            proj["binary_runs"] = binary_runs
            proj["threads"] = threads_check(proj["binary"], bin_out)
            for kind, t in proj["threads"].items():
                if not t["identical"]:
                    failures.append(f"{name} {kind}: FORGE_BACKEND_THREADS=1 gives different bytes")
        if name == "click" and "forge" in trees and "flit_core" in trees:
            results["flit_bytes"] = flit_bytes_check(trees["flit_core"], base, outroot / "flit-bytes")
        if "forge" in trees:
            log(f"== {name}: stock zlib on the same bytes")
            sdists = sorted((outroot / name / "forge" / "sdist").glob("*.tar.gz"))
            proj["zlib"] = zlib_yardsticks(pristine / project.package, sdists[0], 5 if name == "click" else 1)
        results["projects"][name] = proj

    startup_runs = 5 if quick else 30
    log(f"== start-up costs, {startup_runs} runs")
    results["startup"] = startup_costs(venv, base, installed_bin, startup_runs)
    results["startup_runs"] = startup_runs
    if not args.no_scaling:
        log("== scaling series")
        results["scaling"] = scaling(forge_bin, work / "scale", base, quick, 2 if quick else 5)

    results["load_end"] = loadavg()
    results["load_range"] = [min(LOAD_SEEN), max(LOAD_SEEN)] if LOAD_SEEN else [None, None]
    results["total_s"] = time.perf_counter() - t0
    results["goals"] = goals(results)
    report = render(results)
    print(report)
    (work / "results.md").write_text(report + "\n")
    (work / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"== wrote {work / 'results.md'} and {work / 'results.json'}")
    for f in failures:
        log(f"bench: FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
