"""The committed PEP 440/508 vectors must be exactly what packaging 26.3 says.

tests/pep_vectors.rs holds the Rust parsers to tests/vectors/*.tsv; this test closes the
loop by re-running the generator (in a fresh interpreter, so its settings cannot leak in
from pytest) into a temporary directory and comparing the files byte for byte.
Run it in a venv with packaging==26.3 installed.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
FILES = [
    "versions.tsv",
    "specifiers.tsv",
    "markers.tsv",
    "requirements.tsv",
    "version_order.tsv",
    "names.tsv",
]


def test_packaging_is_the_pinned_oracle() -> None:
    import packaging

    assert packaging.__version__ == "26.3"


def test_committed_vectors_are_the_oracle_output(tmp_path: Path) -> None:
    # The generator pins the int-digit limit and warning filters itself; optimisation it
    # cannot undo, so it is kept out of the child's environment.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONOPTIMIZE"}
    result = subprocess.run(
        [sys.executable, str(VECTORS / "generate.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    for name in FILES:
        committed = (VECTORS / name).read_text(encoding="ascii")
        fresh = (tmp_path / name).read_text(encoding="ascii")
        if committed != fresh:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        committed.splitlines(keepends=True),
                        fresh.splitlines(keepends=True),
                        f"committed/{name}",
                        f"regenerated/{name}",
                    )
                )[:40]
            )
            raise AssertionError(f"{name} differs from the oracle's output:\n{diff}")
    extra = sorted(p.name for p in tmp_path.iterdir())
    assert extra == sorted(FILES), extra
