"""The valid catalog (tests/catalog/valid) against packaging 26.3 as the oracle.

For every valid case and profile, forge's METADATA must pass
`packaging.metadata.Metadata.from_email(validate=True)` and carry packaging's normal
forms: the version, the license expression, requirements equal to the ones written
(extras expanded into markers that select exactly the same environments), extras,
Requires-Python, names and addresses. tests/catalog.rs checks the exact lines; this
checks that those lines are what packaging itself would make of the input.
"""

from __future__ import annotations

import email.utils
import itertools
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.licenses import canonicalize_license_expression
from packaging.markers import Marker
from packaging.metadata import Metadata
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import BIN

CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "valid"
PROFILES = ["native", "flit-4.2.0"]
DEFAULT_MODULE = '"""Demo."""\n__version__ = "1.0"\n'

ENVIRONMENTS = [
    dict(zip(("python_version", "python_full_version", "os_name", "sys_platform"), values))
    for values in [
        ("3.8", "3.8.10", "posix", "linux"),
        ("3.11", "3.11.7", "nt", "win32"),
        ("3.12", "3.12.1", "posix", "darwin"),
    ]
]


def cases():
    for path in sorted(CATALOG.glob("*.toml")):
        for case in tomllib.loads(path.read_text("utf-8"))["case"]:
            for profile in case.get("profiles", PROFILES):
                yield pytest.param(case, profile, id=f"{case['name']}-{profile}")


def decode_path(p: str) -> bytes:
    out = bytearray()
    raw = p.encode()
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"%" and i + 3 <= len(raw):
            try:
                out.append(int(raw[i + 1 : i + 3], 16))
                i += 3
                continue
            except ValueError:
                pass
        out.append(raw[i])
        i += 1
    return bytes(out)


def write_project(root: Path, case: dict) -> None:
    (root / "pyproject.toml").write_text(case["pyproject"], encoding="utf-8")
    files = {k: v.encode() for k, v in case.get("files", {}).items()}
    files.update({k: bytes.fromhex(v) for k, v in case.get("hex", {}).items()})
    is_module = lambda p: p in ("demo.py", "demo") or p.startswith(("demo/", "src/"))
    if case.get("module", True) and not any(
        is_module(p) for p in [*files, *case.get("symlinks", {}), *case.get("dirs", [])]
    ):
        files["demo.py"] = DEFAULT_MODULE.encode()
    for d in case.get("dirs", []):
        os.makedirs(os.path.join(bytes(root), decode_path(d)), exist_ok=True)
    for rel, content in files.items():
        path = os.path.join(bytes(root), decode_path(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    for rel, target in case.get("symlinks", {}).items():
        path = os.path.join(bytes(root), decode_path(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)


def forge_metadata(root: Path, out: Path, profile: str, env: dict) -> str:
    full_env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "FORGE_BACKEND_PROFILE")}
    full_env.update(env)
    proc = subprocess.run(
        [str(BIN), "hook", "prepare-metadata-wheel", str(out), "--profile", profile],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    dist_info = proc.stdout.strip().splitlines()[-1]
    return (out / dist_info / "METADATA").read_text("utf-8")


def headers(text: str) -> list[tuple[str, str]]:
    head = text.split("\n\n", 1)[0]
    return [tuple(line.split(": ", 1)) for line in head.splitlines() if not line.startswith(" ")]


def values(hs, field):
    return [v for f, v in hs if f == field]


def key(req: Requirement):
    """What a requirement asks for, marker aside, in packaging's normal forms."""
    return (
        canonicalize_name(req.name),
        {canonicalize_name(e) for e in req.extras},
        req.specifier,
        req.url,
    )


def same_selection(written: Marker, extra: str, original: Marker | None) -> bool:
    for env, chosen in itertools.product(ENVIRONMENTS, [extra, "some-other-extra"]):
        expected = chosen == extra and (original is None or original.evaluate(env))
        if written.evaluate({**env, "extra": chosen}) != expected:
            return False
    return True


@pytest.mark.parametrize("case, profile", cases())
def test_valid_case_matches_packaging(case, profile, tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    write_project(root, case)
    text = forge_metadata(root, tmp_path / "out", profile, case.get("env", {}))

    Metadata.from_email(text, validate=True)
    hs = headers(text)
    project = tomllib.loads(case["pyproject"])["project"]

    assert values(hs, "Name") == [project["name"]]
    assert canonicalize_name(project["name"], validate=True)
    if "version" in project:
        assert values(hs, "Version") == [str(Version(project["version"]))]

    license = project.get("license")
    if isinstance(license, str):
        assert values(hs, "License-Expression") == [canonicalize_license_expression(license)]

    if "requires-python" in project:
        (rp,) = values(hs, "Requires-Python")
        assert SpecifierSet(rp) == SpecifierSet(project["requires-python"])

    requires = [Requirement(v) for v in values(hs, "Requires-Dist")]
    deps = [Requirement(d) for d in project.get("dependencies", [])]
    assert len(requires) >= len(deps)
    for written, original in zip(requires, deps):
        assert key(written) == key(original)
        assert str(written.marker) == str(original.marker)
    expanded = requires[len(deps) :]
    extras = project.get("optional-dependencies", {})
    by_extra = sorted((canonicalize_name(k), v) for k, v in extras.items())
    assert values(hs, "Provides-Extra") == [name for name, _ in by_extra]
    originals = [(name, Requirement(r)) for name, reqs in by_extra for r in reqs]
    assert len(expanded) == len(originals)
    for written, (extra, original) in zip(expanded, originals):
        assert key(written) == key(original)
        assert same_selection(written.marker, extra, original.marker), (written, original)

    for role in ("authors", "maintainers"):
        people = project.get(role, [])
        field = "Author" if role == "authors" else "Maintainer"
        emails = email.utils.getaddresses(values(hs, f"{field}-email"))
        assert [(n, a) for n, a in emails] == [
            (p.get("name", ""), p["email"]) for p in people if "email" in p
        ]
        names = [p["name"] for p in people if "email" not in p and "name" in p]
        assert values(hs, field) == ([", ".join(names)] if names else [])
