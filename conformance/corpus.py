#!/usr/bin/env python3
"""Real-world conformance corpus: rebuild 16 flit projects from their PyPI sdists with
flit_core 4.2.0 and with forge_backend, and compare the bytes.

    python conformance/corpus.py [--only NAME]... [--json] [--validate] [--keep DIR]

Per project:
  1. fetch the sdist and the pure wheel from PyPI with pip (one package per call) into
     a cache (conformance/cache/, or $FORGE_CORPUS_CACHE); cached files are reused;
  2. unpack the sdist with tarfile's "data" filter (symlinks kept);
  3. comparison A (must hold): with SOURCE_DATE_EPOCH=1700000000, build the wheel and
     the sdist through the PEP 517 hooks with flit_core 4.2.0 and with forge profile
     flit-4.2.0; the bytes must be identical. If flit_core cannot build the project,
     forge must reject it too (exit status 1 and an `error:` message). Forge's native
     profile must differ from flit only as documented (compare.native_differences);
  4. comparison B (informational): rebuild the PyPI wheel with forge's profile for the
     flit_core version in its Generator line, following shared/corpus/README.md, and
     compare with PyPI's bytes (skipped while forge has no such profile).
A table and totals are printed (or JSON with --json). The exit status is 0 when every
comparison A holds.

Needs, in the running interpreter: flit_core==4.2.0, pyproject_hooks and pip (the venv
tests/run-all makes from tests/requirements.txt; when the running interpreter lacks
them and that venv exists, the script re-runs itself there), plus, for --validate,
packaging, twine and check-wheel-contents. The forge binary is $FORGE_BACKEND_BIN, else
$CARGO_TARGET_DIR/release/forge-backend, else target/release/forge-backend.

The corpus (names, versions, flit_core version of each PyPI wheel) is the recorded list
of shared/corpus/public.tsv; nothing else about the projects is written down here.
"""

import argparse
import calendar
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11: the copy flit_core vendors
    from flit_core.vendor import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "python"))

import compare  # noqa: E402  (tests/python/compare.py, shared with the test suite)

# (project, version, flit_core version named in the Generator line of its PyPI wheel),
# in the order of shared/corpus/public.tsv.
CORPUS = [
    ("packaging", "26.3", "3.12.0"),
    ("typing_extensions", "4.16.0", "3.12.0"),
    ("idna", "3.20", "4.1.0"),
    ("jinja2", "3.1.6", "3.11.0"),
    ("click", "8.5.1", "3.12.0"),
    ("flask", "3.1.3", "3.12.0"),
    ("werkzeug", "3.1.9", "4.1.0"),
    ("wheel", "0.48.0", "4.0.2"),
    ("build", "1.6.1", "4.0.2"),
    ("installer", "1.1.0", "4.1.0"),
    ("pyproject_hooks", "1.3.3", "4.0.2"),
    ("tomli", "2.5.0", "4.1.0"),
    ("pyparsing", "3.3.3", "4.1.0"),
    ("docutils", "0.23", "3.12.0"),
    ("markdown-it-py", "4.3.0", "4.2.0"),
    ("marshmallow", "4.4.0", "4.2.0"),
]
NAMES = [name for name, _, _ in CORPUS]

FLIT_VERSION = "4.2.0"  # the flit_core that comparison A runs (tests/requirements.txt)
PROFILE = f"flit-{FLIT_VERSION}"
SDE = "1700000000"
PIP_TIMEOUT = 300  # seconds per pip call
BUILD_TIMEOUT = 300  # seconds per hook or validator call
# Without SOURCE_DATE_EPOCH, flit dates its generated files (WHEEL, METADATA, RECORD...)
# 2016-01-01 00:00:00 in the zip (flit-bytes.md §0): the sign of a wheel built without it.
FLIT_NO_EPOCH_DATE = (2016, 1, 1, 0, 0, 0)


class CorpusError(Exception):
    """A step failed for a reason outside forge (network, pip, a broken cache...)."""


# --- environment ----------------------------------------------------------------------


def cache_dir():
    return Path(os.environ.get("FORGE_CORPUS_CACHE") or REPO / "conformance" / "cache")


def forge_binary():
    if os.environ.get("FORGE_BACKEND_BIN"):
        return Path(os.environ["FORGE_BACKEND_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    return target / "release" / "forge-backend"


def _missing_tools():
    """Names of the modules comparison A needs that the running interpreter lacks (or
    has at the wrong version)."""
    from importlib import metadata

    missing = []
    for dist, want in (("flit_core", FLIT_VERSION), ("pyproject_hooks", None), ("pip", None)):
        try:
            have = metadata.version(dist)
        except metadata.PackageNotFoundError:
            missing.append(dist)
            continue
        if want and have != want:
            missing.append(f"{dist}=={want} (found {have})")
    return missing


def check_environment(reexec=False):
    missing = _missing_tools()
    if missing and reexec:
        venv = Path(os.environ.get("FORGE_TEST_VENV") or REPO / "target" / "test-venv")
        venv_python = venv / "bin" / "python"
        if venv_python.is_file() and Path(sys.prefix).resolve() != venv.resolve():
            # Re-run in the test venv, which has the pinned tools.
            os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])
    if missing:
        raise CorpusError(
            f"{sys.executable} lacks {', '.join(missing)}; run this script with the test venv's python "
            "(tests/run-all creates target/test-venv from tests/requirements.txt)"
        )
    if not forge_binary().is_file():
        raise CorpusError(f"forge binary not found at {forge_binary()} (cargo build --release, or set FORGE_BACKEND_BIN)")


def base_env():
    """The environment every build starts from: nothing of the caller's that changes
    a build (PYTHONPATH, forge settings, SOURCE_DATE_EPOCH), TZ pinned to UTC."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "SOURCE_DATE_EPOCH", "FORGE_BACKEND_PROFILE", "FLIT_ALLOW_INVALID"):
        env.pop(key, None)
    env["TZ"] = "UTC"
    return env


def flit_env(sde=SDE):
    env = base_env()
    if sde is not None:
        env["SOURCE_DATE_EPOCH"] = sde
    return env


def forge_env(profile, sde=SDE):
    env = flit_env(sde)
    env["PYTHONPATH"] = str(REPO / "python")
    env["FORGE_BACKEND_BIN"] = str(forge_binary())
    env["FORGE_BACKEND_PROFILE"] = profile
    return env


def run(cmd, timeout=BUILD_TIMEOUT, **kw):
    """subprocess.run with text output captured and a timeout that becomes a
    CorpusError naming the command."""
    try:
        return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise CorpusError(f"timed out after {timeout}s: {' '.join(map(str, cmd))}") from None


# --- fetching -------------------------------------------------------------------------

# See pip_stub/sitecustomize.py: a stand-in metadata hook for sdists whose own fails.
PIP_STUB = Path(__file__).resolve().parent / "pip_stub"


def _pip_download(name, version, dest, flags, env=None):
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--no-input", "--progress-bar", "off", "-d", dest, *flags, f"{name}=={version}"]
    return run(cmd, timeout=PIP_TIMEOUT, env=env)


def _one_file(folder, suffix, what):
    found = sorted(p for p in Path(folder).iterdir() if p.name.endswith(suffix))
    if len(found) != 1:
        raise CorpusError(f"expected one {what} ({suffix}) from pip, found {[p.name for p in found]}")
    return found[0]


def fetch(name, version):
    """Returns (sdist, wheel) paths in the cache, downloading what is missing. Each
    file is downloaded into a scratch folder and moved into place, so an interrupted
    download is never mistaken for a cached file."""
    home = cache_dir() / f"{name}-{version}"
    home.mkdir(parents=True, exist_ok=True)
    sdists = sorted(home.glob("*.tar.gz"))
    wheels = sorted(home.glob("*.whl"))
    notes = []
    if not sdists:
        with tempfile.TemporaryDirectory(dir=home, prefix=".dl-") as tmp:
            # --no-build-isolation: pip runs the metadata hook of the venv's flit_core
            # 4.2.0 instead of installing the project's build requirements from source.
            flags = ["--no-binary", name, "--no-build-isolation"]
            proc = _pip_download(name, version, tmp, flags)
            if proc.returncode != 0:
                env = dict(os.environ, PYTHONPATH=str(PIP_STUB), FORGE_CORPUS_STUB_NAME=name,
                           FORGE_CORPUS_STUB_VERSION=version)
                retry = _pip_download(name, version, tmp, flags, env=env)
                if retry.returncode != 0:
                    raise CorpusError(
                        f"pip could not download the sdist of {name}=={version}, even with a stub metadata "
                        f"hook:\n{proc.stderr[-1500:]}\n--- with the stub:\n{retry.stderr[-1500:]}"
                    )
                last = (proc.stderr.strip().splitlines() or ["?"])[-1]
                notes.append(f"sdist fetched with a stub metadata hook; the sdist's own failed: {last}")
            found = _one_file(tmp, ".tar.gz", "sdist")
            sdists = [found.replace(home / found.name)]
    if not wheels:
        with tempfile.TemporaryDirectory(dir=home, prefix=".dl-") as tmp:
            # Ask for a pure wheel explicitly: tomli also publishes mypyc-compiled ones.
            py = f"{sys.version_info[0]}.{sys.version_info[1]}"
            flags = ["--only-binary", ":all:", "--platform", "any", "--implementation", "py",
                     "--abi", "none", "--python-version", py]
            proc = _pip_download(name, version, tmp, flags)
            if proc.returncode != 0:
                raise CorpusError(f"pip could not download the pure wheel of {name}=={version}:\n{proc.stderr[-3000:]}")
            found = _one_file(tmp, ".whl", "wheel")
            wheels = [found.replace(home / found.name)]
    if len(sdists) != 1 or len(wheels) != 1:
        raise CorpusError(f"cache folder {home} should hold one sdist and one wheel; empty it and retry")
    return sdists[0], wheels[0], notes


# --- unpacking and building -----------------------------------------------------------


def unpack(sdist, dest):
    """Extracts the sdist (tarfile "data" filter: no absolute paths or escaping links,
    symlinks kept) and returns its single top-level folder."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    try:
        with tarfile.open(sdist) as tar:
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError) as e:
        raise CorpusError(f"cannot unpack {sdist.name}: {e}") from None
    tops = [p for p in dest.iterdir()]
    if len(tops) != 1 or not (tops[0] / "pyproject.toml").is_file():
        raise CorpusError(f"{sdist.name} does not hold one folder with a pyproject.toml: {[p.name for p in tops]}")
    return tops[0]


def tree_digest(root):
    """Hash of every path, mode, link target and content under root, to show that no
    build wrote into the source tree."""
    h = hashlib.sha256()
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]):
            p = Path(dirpath, name)
            h.update(str(p.relative_to(root)).encode() + b"\0")
            if p.is_symlink():
                h.update(b"L" + os.readlink(p).encode())
            else:
                h.update(oct(p.stat().st_mode).encode() + p.read_bytes())
    return h.hexdigest()


@dataclass
class Build:
    """One backend's attempt at one kind of artifact."""

    path: str = None  # the artifact, when the build worked
    error: str = None  # the backend's message, when it failed

    @property
    def ok(self):
        return self.path is not None


def _error_text(stderr, forge):
    """The useful part of a failed hook's stderr: forge's `error:` diagnostics, or the
    last line of flit's traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if forge:
        errors = [line for line in lines if line.startswith("error")]
        if errors:
            return "\n".join(errors[:5])
    return lines[-1] if lines else "(no message)"


def build_hooks(project, outdir, backend, env, kinds=("wheel", "sdist")):
    """Runs build_wheel / build_sdist through pyproject_hooks, one subprocess per hook
    as frontends do; returns {kind: Build}."""
    from pyproject_hooks import BuildBackendHookCaller

    def runner(cmd, cwd=None, extra_environ=None):
        proc = run(cmd, cwd=cwd, env={**env, **(extra_environ or {})})
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, proc.stdout, proc.stderr)

    caller = BuildBackendHookCaller(str(project), backend, runner=runner)
    outdir = Path(outdir)
    results = {}
    for kind in kinds:
        out = outdir / kind
        out.mkdir(parents=True)
        hook = caller.build_wheel if kind == "wheel" else caller.build_sdist
        try:
            results[kind] = Build(path=str(out / hook(str(out))))
        except subprocess.CalledProcessError as e:
            results[kind] = Build(error=_error_text(e.stderr, forge=backend == "forge_backend"))
        except Exception as e:  # a timeout, or pyproject_hooks' BackendUnavailable & co.
            results[kind] = Build(error=f"{type(e).__name__}: {e}")
    return results


def forge_cli_rejects(project, outdir, profile):
    """None when forge's CLI refuses the project as a project error should be refused
    (exit status 1, an `error:` line, no panic); otherwise what went wrong."""
    proc = run([forge_binary(), "build", "--outdir", outdir, "--profile", profile, project], env=forge_env(profile))
    if proc.returncode != 1 or "panicked" in proc.stderr or not re.search(r"(?m)^error", proc.stderr):
        return f"forge CLI exit status {proc.returncode}, stderr: {proc.stderr.strip()[-500:]!r}"
    return None


# --- comparison B: the PyPI wheel -----------------------------------------------------


def wheel_generator(wheel):
    """(flit_core version from the Generator line, zip date of the WHEEL member)."""
    with zipfile.ZipFile(wheel) as z:
        info = next(i for i in z.infolist() if re.fullmatch(r"[^/]+\.dist-info/WHEEL", i.filename))
        text = z.read(info).decode("utf-8")
    m = re.search(r"(?m)^Generator: flit (\S+)$", text)
    return (m.group(1) if m else None), info.date_time


def restore_mtimes(project, wheel):
    """The no-SOURCE_DATE_EPOCH recipe: give each source file the mtime its wheel entry
    records (read as UTC; the build then runs with TZ=UTC). Returns the wheel entries
    whose source file was not found."""
    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    data_dir = config.get("tool", {}).get("flit", {}).get("external-data", {}).get("directory")
    missing = []
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            top, _, rest = info.filename.partition("/")
            if top.endswith(".dist-info"):
                if not rest.startswith("licenses/"):
                    continue  # generated: WHEEL, METADATA, RECORD, entry_points.txt
                candidates = [project / rest[len("licenses/"):]]
            elif top.endswith(".data") and rest.startswith("data/") and data_dir:
                candidates = [project / data_dir / rest[len("data/"):]]
            else:  # a module file, from the project folder or src/
                candidates = [project / info.filename, project / "src" / info.filename]
            source = next((c for c in candidates if c.exists()), None)
            if source is None:
                missing.append(info.filename)
                continue
            stamp = calendar.timegm(info.date_time + (0, 0, 0))
            os.utime(source, (stamp, stamp))  # follows symlinks, as flit's stat does
    return missing


@dataclass
class PypiResult:
    flit_version: str = None  # from the PyPI wheel's Generator line
    recipe: str = None  # "SOURCE_DATE_EPOCH=..." or "file mtimes, TZ=UTC"
    status: str = None  # same | DIFF | no profile | error | n/a
    detail: str = None
    flit_control: str = None  # whether flit_core itself reproduces it, when installed here


_PROFILES = {}


def forge_has_profile(profile):
    """Whether the forge binary knows this profile (asked once per name): `check` on an
    empty folder fails on the profile first when it is unknown."""
    if profile not in _PROFILES:
        with tempfile.TemporaryDirectory() as empty:
            proc = run([forge_binary(), "check", "--profile", profile, empty], env=base_env())
        _PROFILES[profile] = "unknown profile" not in proc.stderr
    return _PROFILES[profile]


def comparison_b(name, sdist, pypi_wheel, workdir):
    res = PypiResult()
    version, wheel_date = wheel_generator(pypi_wheel)
    if version is None:
        res.status, res.detail = "n/a", "the PyPI wheel has no `Generator: flit X` line"
        return res
    res.flit_version = version
    profile = f"flit-{version}"
    if not forge_has_profile(profile) and version != FLIT_VERSION:
        res.status, res.detail = "no profile", f"forge has no profile {profile} yet"
        return res
    project = unpack(sdist, workdir / "b-tree")
    if wheel_date != FLIT_NO_EPOCH_DATE:
        sde = str(calendar.timegm(wheel_date + (0, 0, 0)))
        res.recipe = f"SOURCE_DATE_EPOCH={sde}"
    else:
        sde = None
        res.recipe = "file mtimes, TZ=UTC"
        missing = restore_mtimes(project, pypi_wheel)
        if missing:
            res.recipe += f" (no source file for {missing})"
    forge = build_hooks(project, workdir / "b-forge", "forge_backend", forge_env(profile, sde), kinds=("wheel",))
    if not forge["wheel"].ok:
        if "unknown profile" in forge["wheel"].error:
            res.status, res.detail = "no profile", f"forge has no profile {profile} yet"
        else:
            res.status, res.detail = "error", forge["wheel"].error
    else:
        why = compare.first_difference(pypi_wheel, forge["wheel"].path)
        res.status, res.detail = ("same", None) if why is None else ("DIFF", why)
    if version == FLIT_VERSION:
        # The installed flit_core made this wheel: check that the recipe itself holds.
        flit = build_hooks(project, workdir / "b-flit", "flit_core.buildapi", flit_env(sde), kinds=("wheel",))
        if not flit["wheel"].ok:
            res.flit_control = f"flit_core {version} failed: {flit['wheel'].error}"
        else:
            why = compare.first_difference(pypi_wheel, flit["wheel"].path)
            res.flit_control = "same" if why is None else f"DIFF: {why}"
    return res


# --- one project ----------------------------------------------------------------------


@dataclass
class Result:
    name: str
    version: str
    pypi_flit: str  # recorded flit_core version of the PyPI wheel
    sdist: str = None  # cached PyPI files
    wheel: str = None
    notes: list = field(default_factory=list)
    error: str = None  # the harness could not run this project (download, unpack...)
    builds: dict = field(default_factory=dict)  # {"flit"|"forge"|"native": {kind: Build}}
    # Comparison A per kind: "same", "both reject", or "DIFF"/"FAIL" with a reason.
    wheel_a: str = None
    sdist_a: str = None
    a_detail: dict = field(default_factory=dict)
    native: str = None  # "ok" | "refuses" (documented) | "DIFF" | "FAIL" | "n/a"
    native_detail: list = field(default_factory=list)
    pypi: PypiResult = None
    seconds: float = 0.0

    @property
    def a_ok(self):
        return self.wheel_a in ("same", "both reject") and self.sdist_a in ("same", "both reject")

    @property
    def native_ok(self):
        return self.native in ("ok", "refuses", "n/a")

    def artifacts(self):
        """{(builder, kind): path} of everything that was built."""
        return {(who, kind): b.path for who, kinds in self.builds.items() for kind, b in kinds.items() if b.ok}


def _judge(kind, flit, forge, project, workdir):
    """Comparison A for one kind: (status, detail)."""
    if flit.ok and forge.ok:
        why = compare.first_difference(flit.path, forge.path)
        return ("same", None) if why is None else ("DIFF", why)
    if flit.ok:
        return "FAIL", f"flit built the {kind}, forge failed: {forge.error}"
    if forge.ok:
        return "FAIL", f"flit_core {FLIT_VERSION} rejects the project ({flit.error}) but forge built {Path(forge.path).name}"
    cli = forge_cli_rejects(project, workdir / f"cli-{kind}", PROFILE)
    if cli:
        return "FAIL", f"both reject, but not cleanly: {cli}"
    return "both reject", f"flit: {flit.error}\nforge: {forge.error}"


def run_project(name, version, pypi_flit, workdir, with_b=True):
    """Fetches, unpacks, builds and compares one project. Never raises for a problem
    with the project: it lands in the Result."""
    start = time.monotonic()
    res = Result(name, version, pypi_flit)
    workdir = Path(workdir) / name
    if workdir.exists():
        shutil.rmtree(workdir)
    try:
        sdist, wheel, res.notes = fetch(name, version)
        res.sdist, res.wheel = str(sdist), str(wheel)
        project = unpack(sdist, workdir / "tree")
        before = tree_digest(project)
        backend = tomllib.loads((project / "pyproject.toml").read_text("utf-8")).get("build-system", {}).get("build-backend")
        if backend != "flit_core.buildapi":
            res.notes.append(f"the sdist's build-backend is {backend!r}, not flit_core.buildapi")

        res.builds["flit"] = build_hooks(project, workdir / "flit", "flit_core.buildapi", flit_env())
        res.builds["forge"] = build_hooks(project, workdir / "forge", "forge_backend", forge_env(PROFILE))
        res.builds["native"] = build_hooks(project, workdir / "native", "forge_backend", forge_env("native"))
        if tree_digest(project) != before:
            res.notes.append("a build changed the source tree")

        flit, forge, native = res.builds["flit"], res.builds["forge"], res.builds["native"]
        for kind in ("wheel", "sdist"):
            status, detail = _judge(kind, flit[kind], forge[kind], project, workdir)
            setattr(res, f"{kind}_a", status)
            if detail:
                res.a_detail[kind] = detail

        if not all(b.ok for b in flit.values()):
            res.native = "n/a"  # nothing of flit's to compare with
        elif not all(b.ok for b in native.values()):
            failed = {k: b.error for k, b in native.items() if not b.ok}
            rules = {k: compare.documented_native_rejection(e) for k, e in failed.items()}
            # A documented refusal (e.g. a comma in an author name, which the pyproject
            # spec forbids) is one of the documented differences.
            res.native = "refuses" if all(rules.values()) else "FAIL"
            res.native_detail = [f"native {k} failed: {e}" + (f" [documented: {rules[k]}]" if rules[k] else "")
                                 for k, e in failed.items()]
        else:
            res.native_detail = compare.native_differences(
                {k: b.path for k, b in flit.items()}, {k: b.path for k, b in native.items()}, project
            )
            res.native = "DIFF" if res.native_detail else "ok"

        if with_b:
            res.pypi = comparison_b(name, sdist, wheel, workdir)
            if res.pypi.flit_version != pypi_flit:
                res.notes.append(f"the PyPI wheel names flit {res.pypi.flit_version}; the corpus records {pypi_flit}")
    except CorpusError as e:
        res.error = str(e)
    res.seconds = round(time.monotonic() - start, 2)
    return res


# --- validators (for --validate and the pytest wrapper) ---------------------------------


def metadata_verdict(artifact):
    """packaging's strict parse of METADATA (wheel) or PKG-INFO (sdist): "ok" or the
    errors."""
    from packaging.metadata import Metadata

    raw = read_metadata(artifact)
    try:
        Metadata.from_email(raw, validate=True)
    except Exception as e:  # InvalidMetadata or an ExceptionGroup of them
        inner = getattr(e, "exceptions", [e])
        return "; ".join(str(x) for x in inner)
    return "ok"


def read_metadata(artifact):
    artifact = str(artifact)
    if artifact.endswith(".whl"):
        with zipfile.ZipFile(artifact) as z:
            member = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
            return z.read(member)
    with tarfile.open(artifact) as t:
        member = next(m for m in t.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name))
        return t.extractfile(member).read()


def has_readme(artifact):
    return bool(compare.metadata_fields(read_metadata(artifact))[1].strip())


def twine_verdicts(artifacts):
    """`twine check --strict` on several files at once; {path: "PASSED" | "FAILED: ..."}.
    twine prints `Checking <path>: PASSED|FAILED` then that file's messages."""
    # twine prints through rich, which wraps long paths at the terminal width.
    env = dict(os.environ, COLUMNS="10000")
    proc = run([sys.executable, "-m", "twine", "--no-color", "check", "--strict", *artifacts], env=env)
    verdicts, current = {}, None
    for line in proc.stdout.splitlines():
        m = re.match(r"Checking (.+): (PASSED|FAILED)(.*)$", line)
        if m:
            current = m.group(1)
            verdicts[current] = m.group(2) + m.group(3)
        elif current and line.strip():
            verdicts[current] += " | " + line.strip()
    missing = [a for a in map(str, artifacts) if a not in verdicts]
    if missing:
        raise CorpusError(f"twine gave no verdict for {missing}:\n{proc.stdout}\n{proc.stderr}")
    return verdicts


def cwc_verdicts(wheels):
    """check-wheel-contents on several wheels; {path: "OK" | its messages}. It prints
    `<path>: OK` or `<path>: CODE: message` lines (with indented continuations)."""
    exe = Path(sys.executable).parent / "check-wheel-contents"
    proc = run([exe, *wheels])
    verdicts, current = {}, None
    for line in proc.stdout.splitlines():
        hit = next((w for w in map(str, wheels) if line.startswith(w + ": ")), None)
        if hit:
            current = hit
            text = line[len(hit) + 2:]
            verdicts[hit] = text if hit not in verdicts else verdicts[hit] + " | " + text
        elif current and line.strip():
            verdicts[current] += " " + line.strip()
    missing = [w for w in map(str, wheels) if w not in verdicts]
    if missing:
        raise CorpusError(f"check-wheel-contents gave no verdict for {missing}:\n{proc.stdout}\n{proc.stderr}")
    return verdicts


def validate(res):
    """{check: {(builder, kind): verdict}} for every artifact of one project. Paths
    are relative to each builder's folder, so verdicts of flit's and forge's copies of
    one file read the same."""
    arts = res.artifacts()
    out = {"metadata": {key: metadata_verdict(path) for key, path in arts.items()}}
    # twine --strict fails a file without a long description; skip it for projects
    # without a readme. If any artifact has one, all are checked, so that one missing
    # its readme shows up as a different verdict.
    if any(has_readme(p) for p in arts.values()):
        verdicts = twine_verdicts(list(arts.values()))
        out["twine"] = {key: verdicts[path] for key, path in arts.items()}
    wheels = {key: path for key, path in arts.items() if key[1] == "wheel"}
    if wheels:
        verdicts = cwc_verdicts(list(wheels.values()))
        out["check-wheel-contents"] = {
            key: verdicts[path].replace(str(Path(path).parent) + "/", "") for key, path in wheels.items()
        }
    return out


# --- report ---------------------------------------------------------------------------


def _b_cell(res):
    b = res.pypi
    if b is None:
        return "-"
    if b.status == "no profile":
        return f"- (flit {b.flit_version})"
    return f"{b.status} (flit {b.flit_version})"


def table(results):
    rows = [("project", "version", "wheel A", "sdist A", "native", "PyPI wheel B", "s")]
    for r in results:
        if r.error:
            rows.append((r.name, r.version, "ERROR", "ERROR", "-", "-", f"{r.seconds:.1f}"))
        else:
            rows.append((r.name, r.version, r.wheel_a, r.sdist_a, r.native, _b_cell(r), f"{r.seconds:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(totals(results))
    return "\n".join(lines)


def totals(results):
    n = len(results)
    wheels = sum(r.wheel_a in ("same", "both reject") for r in results)
    sdists = sum(r.sdist_a in ("same", "both reject") for r in results)
    native = sum(r.native in ("ok", "refuses") for r in results)
    native_n = sum(r.native != "n/a" and not r.error for r in results)
    tried = [r for r in results if r.pypi and r.pypi.status not in ("no profile", "n/a")]
    b = sum(r.pypi.status == "same" for r in tried)
    text = (
        f"wheels identical {wheels}/{n}, sdists identical {sdists}/{n}, "
        f"native only documented differences {native}/{native_n}, "
        f"PyPI wheels reproduced {b}/{len(tried)} (of those with a forge profile)"
    )
    rejected = sum(r.wheel_a == "both reject" for r in results)
    if rejected:
        text += f"; {rejected} rejected by flit_core {FLIT_VERSION} and by forge (counted as identical)"
    return text


def details(results):
    """Everything a human needs to act on a failure, after the table."""
    out = []
    for r in results:
        lines = []
        if r.error:
            lines.append(f"error: {r.error}")
        lines += [f"note: {n}" for n in r.notes]
        for kind, text in r.a_detail.items():
            lines.append(f"{kind} A ({getattr(r, kind + '_a')}): {text}")
        lines += [f"native: {d}" for d in r.native_detail]
        if r.pypi and r.pypi.status not in ("same", "no profile"):
            lines.append(f"PyPI wheel B ({r.pypi.status}, recipe {r.pypi.recipe}): {r.pypi.detail}")
        if r.pypi and r.pypi.flit_control and r.pypi.flit_control != "same":
            lines.append(f"PyPI wheel B, flit_core control: {r.pypi.flit_control}")
        if lines:
            out.append(f"== {r.name} {r.version}")
            out += ["  " + line.replace("\n", "\n    ") for line in lines]
    return "\n".join(out)


def to_json(results, validation=None):
    def conv(r):
        d = asdict(r)
        d["a_ok"], d["native_ok"] = r.a_ok, r.native_ok
        if validation and r.name in validation:
            d["validation"] = {
                check: {f"{who}/{kind}": v for (who, kind), v in verdicts.items()}
                for check, verdicts in validation[r.name].items()
            }
        return d

    return json.dumps({"projects": [conv(r) for r in results], "totals": totals(results)}, indent=2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this project (repeatable)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--validate", action="store_true", help="also run metadata/twine/check-wheel-contents")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    ap.add_argument("--no-pypi", action="store_true", help="skip comparison B")
    args = ap.parse_args(argv)

    unknown = sorted(set(args.only or []) - set(NAMES))
    if unknown:
        ap.error(f"unknown project(s) {unknown}; the corpus is {', '.join(NAMES)}")
    try:
        check_environment(reexec=True)
    except CorpusError as e:
        print(f"corpus: {e}", file=sys.stderr)
        return 2
    entries = [e for e in CORPUS if not args.only or e[0] in args.only]

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="forge-corpus-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        results, validation = [], {}
        for name, version, pypi_flit in entries:
            if not args.json:
                print(f"corpus: {name} {version} ...", file=sys.stderr, flush=True)
            res = run_project(name, version, pypi_flit, workdir, with_b=not args.no_pypi)
            results.append(res)
            if args.validate and not res.error:
                try:
                    validation[name] = validate(res)
                except CorpusError as e:
                    res.error = f"validation: {e}"
    elapsed = time.monotonic() - start

    if args.json:
        print(to_json(results, validation))
    else:
        print(table(results))
        extra = details(results)
        if extra:
            print("\n" + extra)
        for name, checks in validation.items():
            for check, verdicts in checks.items():
                for (who, kind), v in sorted(verdicts.items()):
                    if v not in ("ok", "OK", "PASSED"):
                        print(f"validate {name} {who}/{kind} {check}: {v}")
        print(f"\n{len(results)} projects in {elapsed:.0f}s")
    return 0 if all(r.a_ok and not r.error for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
