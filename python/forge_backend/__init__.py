"""forge_backend: a PEP 517 build backend for pure-Python projects.

This package is a thin shim: every hook runs the ``forge-backend`` binary, which does
the work. It imports only the standard library, and only what a hook needs, so that a
hook call costs little more than the interpreter's start-up.

The binary is looked for, in order: ``$FORGE_BACKEND_BIN``; next to this package (a
wheel ships it as ``forge_backend-*.data/scripts/forge-backend``, which installers put
in the environment's scripts folder, also tried); the running interpreter's
``sysconfig`` scripts folder; ``PATH``.

config_settings (``-C key=value``): ``profile`` (``native``, ``flit-4.2.0``, ``flit``).
Unknown keys are an error.
"""

import os
import sys

__version__ = "0.1.0"

_EXE = "forge-backend.exe" if os.name == "nt" else "forge-backend"


class BackendError(Exception):
    """A build failed; the binary already printed why."""


def _find_binary():
    explicit = os.environ.get("FORGE_BACKEND_BIN")
    if explicit:
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    # Cheapest first: importing sysconfig costs about 1 ms, more than the rest of the
    # shim; an installed wheel's binary is beside the interpreter in the usual layout.
    candidates = [os.path.join(here, _EXE), os.path.join(here, "bin", _EXE), os.path.join(os.path.dirname(sys.executable), _EXE)]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    import sysconfig

    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidate = os.path.join(scripts, _EXE)
        candidates.append(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    import shutil

    found = shutil.which(_EXE)
    if found:
        return found
    raise BackendError(
        "forge_backend: cannot find the forge-backend binary. Looked at $FORGE_BACKEND_BIN, "
        + ", ".join(candidates)
        + " and PATH. Install forge_backend from a wheel, or set FORGE_BACKEND_BIN."
    )


def _self_source_root():
    """The project root when the hook is building forge_backend itself from source
    (this file is <root>/python/forge_backend/__init__.py and <root> is the current
    folder, as `backend-path = ["python"]` arranges); else None."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    if not os.path.isfile(os.path.join(root, "Cargo.toml")):
        return None
    try:
        if not os.path.samefile(root, os.getcwd()):
            return None
    except OSError:
        return None
    return root


def _cargo_build(root):
    """Compiles forge-backend from `root` with cargo; returns the binary's path.

    The target folder is outside the source tree (an sdist may be read-only, and a
    build must not write into it), private to the user, and reused between builds,
    so the sdist → wheel path of `python -m build` compiles the dependencies once. Crates come from a
    vendor folder or cargo's cache when they are there (offline), else from the
    registry; nothing else is ever downloaded.
    """
    import shutil
    import subprocess
    import tempfile

    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        home_cargo = os.path.join(os.path.expanduser("~"), ".cargo", "bin", "cargo")
        cargo = home_cargo if os.path.isfile(home_cargo) else None
    if not cargo:
        sys.stderr.write(
            "error: building forge_backend from source needs Rust's cargo (Rust 1.85 or "
            "newer), which was not found on PATH or in ~/.cargo/bin.\n"
            "  = help: install it with your system's package manager (e.g. `apt install "
            "cargo`, `dnf install cargo`) or from https://rustup.rs, or set CARGO=/path/to/cargo. "
            "forge_backend never downloads a toolchain itself.\n"
        )
        raise SystemExit(1)
    target_dir = os.environ.get("FORGE_BACKEND_CARGO_TARGET_DIR") or _private_target_dir()
    _forget_stale_build(cargo, root, target_dir)
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir)
    base = [cargo, "build", "--release", "--locked", "--manifest-path", os.path.join(root, "Cargo.toml")]
    # Try offline first (vendored or cached crates); fall back to fetching crates.
    offline = subprocess.run(base + ["--offline"], env=env, stdout=sys.stderr, stderr=subprocess.PIPE)
    if offline.returncode != 0:
        if os.environ.get("CARGO_NET_OFFLINE") in ("1", "true"):
            sys.stderr.write(offline.stderr.decode("utf-8", "replace"))
            raise SystemExit(1)
        online = subprocess.run(base, env=env, stdout=sys.stderr)
        if online.returncode != 0:
            sys.stderr.write("error: cargo could not build forge-backend (see above)\n")
            raise SystemExit(1)
    return os.path.join(target_dir, "release", _EXE)


def _private_target_dir():
    """A cargo target folder only this user can write: a fixed, shared name in the
    temporary folder would let another user plant a binary for us to run."""
    import tempfile

    path = os.path.join(tempfile.gettempdir(), f"forge-backend-cargo-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.lstat(path)
    import stat

    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o022:
        sys.stderr.write(
            f"error: {path} is not a private folder of this user; remove it or set "
            "FORGE_BACKEND_CARGO_TARGET_DIR\n"
        )
        raise SystemExit(1)
    return path


def _forget_stale_build(cargo, root, target_dir):
    """Cargo decides what to rebuild from file times, and every file of an sdist has the
    same fixed time: a target folder that built other sources of the same version
    would look up to date and the wheel would ship a stale binary. A stamp of the
    sources' content makes cargo rebuild forge's own crate whenever they differ."""
    import hashlib
    import subprocess

    digest = hashlib.sha256()
    names = ["Cargo.toml", "Cargo.lock"]
    for dirpath, dirs, files in os.walk(os.path.join(root, "src")):
        dirs.sort()
        names += sorted(os.path.relpath(os.path.join(dirpath, f), root) for f in files)
    for name in names:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        with open(os.path.join(root, name), "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    stamp = os.path.join(target_dir, "forge-backend-sources.sha256")
    try:
        with open(stamp) as f:
            if f.read().strip() == digest.hexdigest():
                return
    except OSError:
        pass
    os.makedirs(target_dir, exist_ok=True)
    subprocess.run(
        [cargo, "clean", "--release", "-p", "forge-backend", "--manifest-path", os.path.join(root, "Cargo.toml")],
        env=dict(os.environ, CARGO_TARGET_DIR=target_dir),
        stdout=sys.stderr,
        stderr=subprocess.DEVNULL,
    )
    with open(stamp, "w") as f:
        f.write(digest.hexdigest() + "\n")


def _platform_tag():
    """The wheel tag of a binary built for the running interpreter's platform."""
    import sysconfig

    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _config_args(config_settings):
    args = []
    for key, value in (config_settings or {}).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            args += ["--config-setting", f"{key}={v}"]
    return args


def _run(hook, outdir, config_settings, metadata_directory=None):
    """Runs one hook in the binary; returns the last line it printed."""
    _check_config(config_settings)
    self_root = _self_source_root()
    if self_root is not None:
        # Building forge itself: the fresh binary goes into the wheel as a script, and
        # the wheel is tagged for this platform.
        binary = _cargo_build(self_root)
        config_settings = dict(config_settings or {})
        config_settings.setdefault("wheel-tag", _platform_tag())
        config_settings.setdefault("script", binary)
    else:
        binary = _find_binary_or_exit()
    argv = [binary, "hook", hook, os.fspath(outdir)]
    if metadata_directory is not None:
        argv += ["--metadata-directory", os.fspath(metadata_directory)]
    argv += _config_args(config_settings)
    code, out = _spawn(binary, argv)
    if code == _EXIT_NEEDS_IMPORT:
        # flit profiles: the module has no literal docstring/__version__, and flit
        # would import it. Do that here, in the hook process, exactly as flit does.
        target = out.decode("utf-8").splitlines()[-1].split(" ", 1)[1]
        code, out = _spawn(binary, argv + _imported_args(target))
    if code != 0:
        # The binary already explained on stderr; exit without a traceback.
        raise SystemExit(code if code > 0 else 1)
    lines = out.decode("utf-8").splitlines()
    return lines[-1] if lines else ""


# The binary's exit status asking for flit's import fallback.
_EXIT_NEEDS_IMPORT = 3


def _spawn(binary, argv):
    """Runs the binary, passing stderr through; returns (exit code, stdout bytes)."""
    read_fd, write_fd = os.pipe()
    try:
        if hasattr(os, "posix_spawn"):
            # Cheaper than subprocess: no module import, no fork of a big interpreter.
            actions = [
                (os.POSIX_SPAWN_DUP2, write_fd, 1),
                (os.POSIX_SPAWN_CLOSE, read_fd),
                (os.POSIX_SPAWN_CLOSE, write_fd),
            ]
            try:
                pid = os.posix_spawn(binary, argv, os.environ, file_actions=actions)
            except OSError as e:
                sys.stderr.write(f"forge_backend: cannot run {binary}: {e}\n")
                raise SystemExit(1) from None
            os.close(write_fd)
            write_fd = None
            chunks = []
            while True:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status), b"".join(chunks)
        os.close(write_fd)
        write_fd = None
        import subprocess

        proc = subprocess.run(argv, stdout=subprocess.PIPE)
        return proc.returncode, proc.stdout
    finally:
        os.close(read_fd)
        if write_fd is not None:
            os.close(write_fd)


_import_count = 0


def _imported_args(path):
    """Imports the module at `path` as flit_core's get_docstring_and_version_via_import
    does and returns the binary's --imported options for its __doc__ and __version__."""
    import importlib.util
    import logging

    global _import_count
    _import_count += 1
    name = f"forge_backend._imported.m{_import_count}"
    spec = importlib.util.spec_from_file_location(name, path)
    handlers = logging.root.handlers[:]
    try:
        module = importlib.util.module_from_spec(spec)
        # Registered so the module's relative imports work, as flit does.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            sys.modules.pop(name, None)
    finally:
        logging.root.handlers = handlers
    docstring = module.__dict__.get("__doc__")
    version = module.__dict__.get("__version__")
    args = ["--imported"]
    if isinstance(docstring, str):
        args.append(f"--imported-docstring={docstring}")
    if version:
        if isinstance(version, str):
            args.append(f"--imported-version={version}")
        else:
            args.append(f"--imported-version-type={type(version)}")
    return args


# Keep in step with cli::CONFIG_KEYS (a test checks both).
_CONFIG_KEYS = ("profile", "wheel-tag", "script", "python")


def _check_config(config_settings):
    unknown = sorted(set(config_settings or {}) - set(_CONFIG_KEYS))
    if unknown:
        sys.stderr.write(
            f"error: unknown config setting {unknown[0]!r}; forge_backend understands: "
            + ", ".join(_CONFIG_KEYS)
            + "\n"
        )
        raise SystemExit(2)


def _get_requires(config_settings):
    _check_config(config_settings)
    profile = (config_settings or {}).get("profile") or os.environ.get("FORGE_BACKEND_PROFILE") or "native"
    if isinstance(profile, list):
        profile = profile[-1]
    if not profile.startswith("flit"):
        # The native profile never imports the project, so a build needs nothing
        # beyond the backend itself; answering costs no process spawn.
        return []
    # flit returns the project's dependencies when it will have to import the module.
    import json

    binary = _find_binary_or_exit()
    code, out = _spawn(binary, [binary, "hook", "get-requires", "."] + _config_args(config_settings))
    if code != 0:
        raise SystemExit(code if code > 0 else 1)
    return json.loads(out.decode("utf-8").splitlines()[-1])


def _find_binary_or_exit():
    try:
        return _find_binary()
    except BackendError as e:
        sys.stderr.write(f"{e}\n")
        raise SystemExit(1) from None


def get_requires_for_build_wheel(config_settings=None):
    return _get_requires(config_settings)


def get_requires_for_build_sdist(config_settings=None):
    return _get_requires(config_settings)


def get_requires_for_build_editable(config_settings=None):
    return _get_requires(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _run("prepare-metadata-wheel", metadata_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _run("prepare-metadata-editable", metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _run("build-wheel", wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _run("build-editable", wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    return _run("build-sdist", sdist_directory, config_settings)
