"""conformance/bench.py --quick runs end to end and reports sane numbers.

It downloads (the pinned tools into its own venv, click's sdist), so it runs only with
FORGE_CORPUS=1, as CI does. It checks the shape of the report and that every median is
a positive number; it never compares speeds, which depend on the machine and its load.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import BIN, REPO

pytestmark = pytest.mark.skipif(
    os.environ.get("FORGE_CORPUS") != "1", reason="downloads from PyPI: set FORGE_CORPUS=1"
)

BACKENDS = ("noop", "forge", "uv_build", "flit_core", "hatchling")
HOOKS = {"build_wheel": "wheel", "build_sdist": "sdist", "prepare_metadata_for_build_wheel": "metadata"}


@pytest.fixture(scope="module")
def quick_run(forge_bin):
    # A fixed folder, so a second run reuses the venv and the download.
    workdir = REPO / "target" / "bench-quick"
    proc = subprocess.run(
        [sys.executable, str(REPO / "conformance" / "bench.py"), "--quick", "--workdir", str(workdir),
         "--forge-bin", str(BIN)],
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, f"bench.py --quick failed:\n{proc.stdout}\n{proc.stderr}"
    results = json.loads((workdir / "results.json").read_text())
    return proc.stdout, results


def test_report_has_every_row(quick_run):
    out, _ = quick_run
    assert "## click: PEP 517 hooks through pyproject_hooks" in out
    for short in HOOKS.values():
        for backend in BACKENDS:
            assert f"| {short} | {backend} |" in out, f"no row for {short} / {backend}"
    for label in ("forge build --wheel", "forge build --sdist", "uv-build build-wheel", "forge --version"):
        assert f"| `{label}` |" in out
    assert "## Against the goals" in out
    assert (REPO / "target" / "bench-quick" / "results.md").read_text().strip() == out.strip()


def test_hook_medians_are_sane(quick_run):
    _, results = quick_run
    rows = results["projects"]["click"]["hooks"]
    assert {(r["hook"], r["backend"]) for r in rows} == {(h, b) for h in HOOKS for b in BACKENDS}
    for r in rows:
        what = f"{r['hook']} / {r['backend']}"
        assert r["runs"] == 2, what
        assert r["wall_ms"] > 0 and r["min_ms"] > 0 and r["min_ms"] <= r["wall_ms"], what
        assert r["cpu_ms"] > 0, what
        assert r["x_noop"] > 0 and r["x_uv_build"] > 0 and r["x_flit_core"] > 0, what
        if r["peak_rss_mib"] is not None:
            assert r["peak_rss_mib"] > 0, what
        if r["hook"] == "prepare_metadata_for_build_wheel":
            assert r["artifact"].endswith(".dist-info") and r["bytes"] is None, what
        elif r["backend"] == "noop":
            assert r["bytes"] == 0, what
        else:
            assert r["artifact"].startswith("click-8.1.8") and r["bytes"] > 10_000, what


def test_binary_runs_and_thread_independence(quick_run):
    _, results = quick_run
    click = results["projects"]["click"]
    for label, s in click["binary"].items():
        assert s["wall_ms"] > 0 and s["cpu_ms"] >= 0 and s["runs"] == 5, label
    for kind in ("wheel", "sdist"):
        assert click["threads"][kind]["identical"], f"{kind}: FORGE_BACKEND_THREADS=1 changed the bytes"
    assert set(results["flit_bytes"]) == {"wheel", "sdist"}


def test_scaling_and_startup_are_reported(quick_run):
    _, results = quick_run
    for series in ("files (2 KiB each)", "MiB (in 16 files)"):
        stats = results["scaling"][series]
        points = [k for k in stats if not k.startswith("fit_")]
        assert len(points) == 3
        assert all(stats[k]["cpu_ms"] > 0 for k in points)
        assert stats["fit_cpu_ms"]["per_unit_ms"] > 0
    assert results["scaling"]["zlib_cpu_ms_per_mib"] > 0
    assert all(s["wall_ms"] > 0 for s in results["startup"].values())
    m = results["machine"]
    assert m["nproc"] >= 1 and m["python"] and m["forge_version"].startswith("forge-backend")
