"""Synthetic projects built by flit_core 4.2.0 (the oracle, from PyPI) and by forge:
under profile flit-4.2.0 the wheel and sdist must be byte-identical; under native they
may differ only as docs/profiles.md lists."""

import pytest

from compare import assert_same_bytes, native_differences
from conftest import build_both, flit_env, forge_env, validate_artifacts, write_tree

LICENSE = "MIT License\n\nCopyright (c) 2026 Someone\n"

EVERYTHING = {
    "pyproject.toml": """\
[build-system]
requires = ["flit_core >=4,<5"]
build-backend = "flit_core.buildapi"

[project]
name = "Forge.Demo_pkg"
dynamic = ["version", "description"]
readme = "README.md"
requires-python = ">=3.8"
license = "mit OR apache-2.0"
license-files = ["LICENSE", "LICENSES/*.txt"]
authors = [
  {name = "Jane Doe", email = "jane@example.org"},
  {name = "Solo Name"},
  {email = "bare@example.org"},
  {name = "J. R. Doe", email = "jr@example.org"},
]
maintainers = [{name = "Mäintainer Ünicode", email = "m@example.org"}]
keywords = ["build", "backend", "zip"]
classifiers = ["Programming Language :: Python :: 3", "Development Status :: 4 - Beta"]
dependencies = ["requests[Socks,Security_Extra] >=2.0", "tomli; python_version < '3.11'"]

[project.optional-dependencies]
Dev_Tools = ["pytest >=7", "coverage[TOML]; sys_platform != 'win32'"]
"docs.extra" = ["sphinx"]

[project.urls]
Source = "https://example.org/src"
"Bug Tracker" = "https://example.org/issues"
Documentation = "https://example.org/docs"

[project.scripts]
zeta-cli = "forge_demo_pkg:main"
alpha-cli = "forge_demo_pkg.sub:run"

[project.gui-scripts]
demo-gui = "forge_demo_pkg:gui"

[project.entry-points."forge.plugins"]
second = "forge_demo_pkg:two"
first = "forge_demo_pkg:one"

[project.entry-points.aaa_group]
x = "forge_demo_pkg:x"

[tool.flit.module]
name = "forge_demo_pkg"

[tool.flit.external-data]
directory = "share"

[tool.flit.sdist]
include = ["docs/", "tests/"]
exclude = ["docs/private.txt"]
""",
    "README.md": "# Forge demo\r\n\r\nA readme with CRLF line ends and ünïcode.\r\n",
    "LICENSE": LICENSE,
    "LICENSES/Apache-2.0.txt": "Apache text\n",
    "docs/index.rst": "Docs\n",
    "docs/private.txt": "not shipped\n",
    "tests/test_a.py": "def test(): pass\n",
    "tests/x.pyc": b"\x00compiled",
    "share/man/man1/foo.1": ".TH FOO 1\n",
    "src/forge_demo_pkg/__init__.py": '"""  A demo package for forge.\n\nMore text here.\n"""\n__version__ = "1.0.0-RC1"\n',
    "src/forge_demo_pkg/Zed.py": "",
    "src/forge_demo_pkg/_a.py": "a = 1\n",
    "src/forge_demo_pkg/.hidden": "dotfile\n",
    "src/forge_demo_pkg/data/b.json": "{}\n",
    "src/forge_demo_pkg/data/tool.sh": ("exec", "#!/bin/sh\necho hi\n"),
    "src/forge_demo_pkg/sub/__init__.py": "def run(): pass\n",
    "src/forge_demo_pkg/__pycache__/x.cpython-311.pyc": b"\x00",
    "src/forge_demo_pkg/stale.pyc": b"\x00",
}

PROJECTS = {
    "everything": EVERYTHING,
    "flat-package": {
        "pyproject.toml": '[project]\nname = "flatpkg"\nversion = "2.0"\ndescription = "Flat"\nrequires-python = ">=3.9"\n',
        "flatpkg/__init__.py": "",
        "flatpkg/a/b/c/deep.py": "x = 1\n",
        "flatpkg/a/z.txt": "z\n",
        "flatpkg/Ünïcödé.py": "u = 1\n",
        "flatpkg/" + "long_directory_name_" * 4 + "/" + "very_long_file_name_" * 3 + ".py": "x = 2\n",
        "flatpkg/run.sh": ("exec", "#!/bin/sh\n"),
        "COPYING.txt": "copying\n",
        "AUTHORS": "me\n",
    },
    "single-file": {
        "pyproject.toml": '[project]\nname = "onefile"\ndynamic = ["version", "description"]\n',
        "onefile.py": '"""One file module."""\n__version__ = "0.3"\n',
    },
    "single-file-src": {
        "pyproject.toml": '[project]\nname = "srcfile"\nversion = "1.0.post1"\ndescription = "In src"\nreadme = "README.rst"\n',
        "src/srcfile.py": "x = 1\n",
        "README.rst": "Title\n=====\n\nText.\n",
    },
    "namespace": {
        "pyproject.toml": '[project]\nname = "ns1.ns2.pkg"\nversion = "1.0"\ndescription = "Namespace"\n\n[tool.flit.module]\nname = "ns1.ns2.pkg"\n',
        "ns1/ns2/pkg/__init__.py": "",
        "ns1/ns2/pkg/mod.py": "y = 2\n",
    },
    "stubs": {
        "pyproject.toml": '[project]\nname = "foo-stubs"\nversion = "1.0"\ndescription = "Stubs for foo"\n',
        "foo-stubs/__init__.pyi": "def f() -> int: ...\n",
        "foo-stubs/sub.pyi": "x: int\n",
    },
    "symlinks": {
        "pyproject.toml": '[project]\nname = "linky"\nversion = "1.0"\ndescription = "Links"\nlicense = {file = "LICENSE"}\n',
        "LICENSE": LICENSE,
        "linky/__init__.py": "",
        "linky/real.py": "r = 1\n",
        "linky/alias.py": ("symlink", "real.py"),
        "shared/data.txt": "shared\n",
        "linky/data.txt": ("symlink", "../shared/data.txt"),
    },
    "readme-table": {
        "pyproject.toml": '[project]\nname = "rtable"\nversion = "0.0.1"\ndescription = "Readme table"\nreadme = {text = "Inline *readme*", content-type = "text/markdown"}\nlicense = {text = "Some license"}\ndependencies = ["a @ https://example.org/a.whl ; python_version >= \'3.8\'"]\n',
        "rtable.py": "",
    },
}


def build_pair(tmp_path, name, files, profile="flit-4.2.0", sde="1700000000"):
    project = write_tree(tmp_path / name, files)
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", flit_env(sde=sde))
    forge = build_both(project, tmp_path / "forge", "forge_backend", forge_env(profile, sde=sde))
    return flit, forge


# flit 4.2.0 writes `Import-Name: foo-stubs` for stub packages, which packaging and
# PyPI reject; forge refuses to write it (test_stub_package_under_flit_profile).
FLIT_INVALID = {"stubs"}


@pytest.mark.parametrize("name", sorted(set(PROJECTS) - FLIT_INVALID))
def test_flit_profile_is_byte_identical(tmp_path, forge_bin, name):
    flit, forge = build_pair(tmp_path, name, PROJECTS[name])
    for kind in ("wheel", "sdist"):
        assert_same_bytes(flit[kind], forge[kind])


@pytest.mark.parametrize("sde", ["0", "315532801", "1234567890"])
def test_epoch_edge_cases_are_byte_identical(tmp_path, forge_bin, sde):
    flit, forge = build_pair(tmp_path, "e", PROJECTS["flat-package"], sde=sde)
    for kind in ("wheel", "sdist"):
        assert_same_bytes(flit[kind], forge[kind])


def test_flit_profile_without_epoch_uses_mtimes_like_flit(tmp_path, forge_bin):
    # Same checkout, TZ pinned: flit keeps file mtimes (local time in the zip, float PAX
    # mtimes in the tar); forge's flit profile must do exactly the same.
    project = write_tree(tmp_path / "m", PROJECTS["flat-package"])
    tz = {"TZ": "UTC"}
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", flit_env(sde=None, extra=tz))
    forge = build_both(project, tmp_path / "forge", "forge_backend", forge_env("flit-4.2.0", sde=None, extra=tz))
    for kind in ("wheel", "sdist"):
        assert_same_bytes(flit[kind], forge[kind])


def test_native_differs_only_as_documented(tmp_path, forge_bin):
    # The documented differences and their checks live in compare.native_differences,
    # shared with the real-world corpus (conformance/corpus.py).
    problems = []
    for name, files in sorted(PROJECTS.items()):
        sub = tmp_path / name
        flit, native = build_pair(sub, name, files, profile="native")
        problems += [f"{name}: {p}" for p in native_differences(flit, native, project=sub / name)]
    assert not problems, "\n".join(problems)


def test_artifacts_pass_validators(tmp_path, forge_bin):
    """Native artifacts pass packaging, twine and check-wheel-contents; flit-profile
    artifacts get exactly the verdicts flit_core's own get (flit 4.2.0 writes an
    invalid `Import-Name: foo-stubs` for stub packages, which the profile reproduces)."""
    for name, files in sorted(PROJECTS.items()):
        if name in FLIT_INVALID:
            continue
        has_readme = "readme" in files["pyproject.toml"]
        flit, native = build_pair(tmp_path / name / "n", name, files, profile="native")
        ours = validate_artifacts(native["wheel"], native["sdist"], has_readme)
        assert ours["packaging"] == "ok", f"{name}: {ours}"
        assert ours.get("twine", 0) == 0, f"{name}: {ours}"
        theirs = validate_artifacts(flit["wheel"], flit["sdist"], has_readme)
        # check-wheel-contents lints project layout (e.g. W009 several top-level
        # modules); where it objects, it objects to flit's wheel too.
        assert ours["check-wheel-contents rc"] <= theirs["check-wheel-contents rc"], f"{name}: {ours}"
        _, flit_profile = build_pair(tmp_path / name / "f", name, files, profile="flit-4.2.0")
        assert validate_artifacts(flit_profile["wheel"], flit_profile["sdist"], has_readme) == theirs, name


IMPORT_FALLBACK = {
    "pyproject.toml": '[project]\nname = "reexp"\ndynamic = ["version", "description"]\ndependencies = ["tomli >=1"]\n\n[project.entry-points."babel.extractors"]\nx = "reexp:extract [i18n]"\n',
    "reexp/__init__.py": '# no docstring literal: it is assigned\n__doc__ = "Summary set at import time."\nfrom ._meta import __version__\n',
    "reexp/_meta.py": '__version__ = "2.0.1"\n',
}


def test_import_fallback_like_flit(tmp_path, forge_bin):
    """flit imports the module when the source has no literal docstring/__version__;
    the flit profile reproduces it (the shim imports, in the hook process), including
    get_requires returning the dependencies; native refuses with a clear message."""
    from conftest import hook_caller

    project = write_tree(tmp_path / "p", IMPORT_FALLBACK)
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", flit_env())
    forge = build_both(project, tmp_path / "forge", "forge_backend", forge_env("flit-4.2.0"))
    for kind in ("wheel", "sdist"):
        assert_same_bytes(flit[kind], forge[kind])
    flit_caller = hook_caller(project, "flit_core.buildapi", flit_env())
    forge_caller = hook_caller(project, "forge_backend", forge_env("flit-4.2.0"))
    assert forge_caller.get_requires_for_build_wheel() == flit_caller.get_requires_for_build_wheel() == ["tomli >=1"]
    native = hook_caller(project, "forge_backend", forge_env("native"))
    assert native.get_requires_for_build_wheel() == []
    import subprocess

    out = tmp_path / "native"
    out.mkdir()
    with pytest.raises(subprocess.CalledProcessError) as info:
        native.build_wheel(str(out))
    assert "no `__version__" in info.value.stderr and "never imports" in info.value.stderr
    assert list(out.iterdir()) == []


def test_stub_package_under_flit_profile(tmp_path, forge_bin):
    """flit's own output for a stub package fails packaging's validation; forge's flit
    profile refuses with a message pointing at the native profile, which builds it."""
    import subprocess
    import zipfile

    from packaging.metadata import ExceptionGroup, Metadata

    project = write_tree(tmp_path / "s", PROJECTS["stubs"])
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", flit_env(), kinds=("wheel",))
    with zipfile.ZipFile(flit["wheel"]) as z:
        with pytest.raises(ExceptionGroup):
            Metadata.from_email(z.read("foo_stubs-1.0.dist-info/METADATA"), validate=True)
    out = tmp_path / "forge"
    out.mkdir()
    with pytest.raises(subprocess.CalledProcessError) as info:
        build_both(project, out, "forge_backend", forge_env("flit-4.2.0"), kinds=("wheel",))
    assert "Import-Name: foo-stubs" in info.value.stderr and "--profile native" in info.value.stderr
    assert list(out.iterdir()) == []
    native = build_both(project, tmp_path / "native", "forge_backend", forge_env("native"))
    assert validate_artifacts(native["wheel"], native["sdist"], has_readme=False)["packaging"] == "ok"
