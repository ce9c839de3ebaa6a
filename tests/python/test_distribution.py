"""Distribution facts that need no build: the dependency budget, one version
everywhere, and one list of config settings in the binary and the shim."""

import json
import re

from conftest import REPO, PYTHON, run


def test_dependency_budget():
    """At most 28 Cargo.lock packages (root included), at most 18 crates compiled for
    the binary (root included), and no proc-macro crate."""
    lock = (REPO / "Cargo.lock").read_text()
    packages = lock.count("[[package]]")
    assert packages <= 28, f"Cargo.lock has {packages} packages (budget 28)"
    r = run(["cargo", "tree", "--locked", "--offline", "-e", "normal,build", "--prefix", "none"], cwd=REPO)
    assert r.returncode == 0, r.stderr
    compiled = {line.split(" (")[0].strip() for line in r.stdout.splitlines() if line.strip()}
    assert len(compiled) <= 18, f"{len(compiled)} crates compiled (budget 18): {sorted(compiled)}"
    # Not --offline: metadata resolves every platform's dependencies (e.g. libc).
    r = run(["cargo", "metadata", "--locked", "--format-version", "1"], cwd=REPO)
    assert r.returncode == 0, r.stderr
    meta = json.loads(r.stdout)
    used = {c.split(" ")[0] for c in compiled}
    macros = [p["name"] for p in meta["packages"] if p["name"] in used and any("proc-macro" in t["kind"] for t in p["targets"])]
    assert not macros, f"proc-macro crates compiled: {macros}"
    print(f"budget: {packages} Cargo.lock packages, {len(compiled)} crates compiled, 0 proc-macros")


def test_versions_agree():
    """Cargo.toml, pyproject.toml and the shim carry one version."""
    import tomllib

    cargo = tomllib.loads((REPO / "Cargo.toml").read_text())["package"]["version"]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    shim = run([PYTHON, "-c", "import sys; sys.path.insert(0, 'python'); import forge_backend; print(forge_backend.__version__)"], cwd=REPO).stdout.strip()
    assert cargo == pyproject == shim


def test_shim_and_binary_know_the_same_config_settings(forge_bin, tmp_path):
    r = run([forge_bin, "hook", "build-wheel", tmp_path, "--config-setting", "bogus=1"], cwd=REPO / "tests" / "sample-project")
    assert r.returncode == 2
    known = re.search(r"understands: (.*)", r.stderr).group(1).split(", ")
    shim = run([PYTHON, "-c", "import sys; sys.path.insert(0, 'python'); import forge_backend; print(','.join(forge_backend._CONFIG_KEYS))"], cwd=REPO).stdout.strip()
    assert known == shim.split(",")
