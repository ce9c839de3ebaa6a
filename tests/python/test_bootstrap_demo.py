"""The bootstrap demonstration (conformance/bootstrap.py) as tests: in a fresh venv,
forge builds itself from its sdist, then pyproject_hooks, packaging, tomli, build,
installer, wheel and flit_core from their PyPI sdists (build-backend switched to forge),
and the self-built build and installer build and install the sample project; flit_core
never runs.

Slow (compiles forge, fetches 7 sdists on a cold cache), so skipped unless
FORGE_CORPUS=1, as CI sets. `pytest -s` shows the demonstration's output and table.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(os.environ.get("FORGE_CORPUS") != "1", reason="slow: set FORGE_CORPUS=1")

SCRIPT = REPO / "conformance" / "bootstrap.py"
BUILD_ORDER = ["pyproject_hooks", "packaging", "tomli", "build", "installer", "wheel", "flit_core"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Runs the demonstration once: (completed process, summary.json or None, workdir)."""
    work = tmp_path_factory.mktemp("bootstrap-demo") / "work"
    # The script starts from a clean environment itself (no FORGE_BACKEND_BIN,
    # PYTHONPATH, PIP_FIND_LINKS...); its interpreter may be the test venv's, which has
    # flit_core: the demonstration venv is made from the base interpreter, and the
    # script's own process refuses to import flit_core.
    # A cargo target folder of its own: sharing test_bootstrap.py's made the
    # bit-for-bit binary check fail when both ran in one session (not understood yet;
    # each passes alone).
    own_target = REPO / "target" / "bootstrap-demo"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--workdir", str(work), "--cargo-target-dir", str(own_target)],
                          capture_output=True, text=True, timeout=1800)
    print(proc.stdout)
    summary_file = work / "summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.is_file() else None
    return proc, summary, work


def test_demonstration_succeeds(demo):
    proc, summary, work = demo
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert summary is not None and summary["failures"] == []
    assert all(c["ok"] for c in summary["checks"].values()), summary["checks"]


def test_every_package_is_built_by_forge_installed_and_imported(demo):
    _, summary, work = demo
    assert summary, "no summary.json"
    packages = summary["packages"]
    assert [p["name"] for p in packages] == BUILD_ORDER
    site = work / "venv"
    for p in packages:
        assert p["wheel"] == f"{p['name']}-{p['version']}-py3-none-any.whl"
        assert p["generator"] == "forge_backend 0.1.0", p["name"]
        assert Path(p["imported_from"]).resolve().is_relative_to(site.resolve()), p
        assert p["source_tree_unchanged"], p["name"]
    # pip until the self-built build/installer exist, then those.
    assert [p["built_by"] for p in packages] == ["pip"] * 4 + ["build"] * 3
    assert [p["installed_by"] for p in packages] == ["pip"] * 4 + ["installer"] * 3
    assert summary["sample"]["output"] == "hello from forge-sample"
    assert summary["sample"]["generator"] == "forge_backend 0.1.0"


def test_only_the_build_system_changed(demo):
    _, summary, _ = demo
    for p in summary["packages"]:
        assert p["original_build_system"]["build-backend"] == "flit_core.buildapi", p["name"]
        changed = [line for line in p["diff"].splitlines()[2:] if line[:1] in "+-"]
        added = [line for line in changed if line.startswith("+")]
        assert sorted(added) == ['+build-backend = "forge_backend"', '+requires = ["forge_backend"]'], p["name"]
        removed = [line for line in changed if line.startswith("-")]
        assert all(line.startswith(('-requires', '-build-backend', '-backend-path', '-    "flit', '-]'))
                   for line in removed), (p["name"], removed)


def test_flit_core_never_ran(demo):
    _, summary, work = demo
    guard = summary["guard"]
    assert guard["refused"] == []
    assert guard["interpreter_starts"] > 50 and guard["by_role"].get("PEP 517 hook subprocesses", 0) > 20
    assert not summary["venv_at_start"]["flit"]
    # The guard's log: the three controls were refused, and one process, after every
    # build, was allowed to import the forge-built flit_core.
    kinds = [line.split("\t", 1)[0] for line in (work / "guard.log").read_text(encoding="utf-8").splitlines()]
    assert kinds.count("REFUSED") == 3
    assert kinds.count("ALLOW") == 1 and kinds.index("ALLOW") == len(kinds) - 1
