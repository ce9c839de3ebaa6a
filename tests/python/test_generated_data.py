"""The committed SPDX/trove tables and licence vectors are what the generator makes.

Needs packaging==26.3, trove-classifiers==2026.9.21.13 and flit_core==4.2.0 (the
generator refuses other versions). The licence vectors record CPython 3.11's parser
limits, so on another interpreter only the Rust tables are compared.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "tools" / "generate_data.py"
TABLES = [
    "src/project/license/spdx_data.rs",
    "src/project/classifiers/trove_data.rs",
]
VECTORS = "tests/vectors/licenses.tsv"
VECTOR_PYTHON = (3, 11)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    cmd = [sys.executable, str(GENERATOR), "--out-dir", str(out)]
    if sys.version_info[:2] != VECTOR_PYTHON:
        cmd.append("--data-only")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"generator failed:\n{proc.stdout}{proc.stderr}"
    return out


def assert_same(regenerated: Path, rel: str) -> None:
    fresh = (regenerated / rel).read_bytes()
    committed = (ROOT / rel).read_bytes()
    assert fresh == committed, f"{rel} is out of date: run python tools/generate_data.py"


@pytest.mark.parametrize("rel", TABLES)
def test_tables_are_current(regenerated: Path, rel: str) -> None:
    assert_same(regenerated, rel)


@pytest.mark.skipif(
    sys.version_info[:2] != VECTOR_PYTHON,
    reason="licence vectors are made on CPython 3.11 (its parser limits are recorded)",
)
def test_license_vectors_are_current(regenerated: Path) -> None:
    assert_same(regenerated, VECTORS)


def test_generation_is_deterministic(regenerated: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, str(GENERATOR), "--out-dir", str(tmp_path), "--data-only"]
    subprocess.run(cmd, check=True, capture_output=True)
    for rel in TABLES:
        assert (tmp_path / rel).read_bytes() == (regenerated / rel).read_bytes(), rel
