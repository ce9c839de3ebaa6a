"""Every flit_core release forge has a profile for, against the real release from PyPI:
the synthetic projects of test_flit_compat built by flit_core==X and by forge with
`--profile flit-X` (SOURCE_DATE_EPOCH set) must give identical wheel and sdist bytes,
and where a release cannot build a project, forge's profile must refuse it too.

Each release is pip-installed once into target/flit-releases/<X>-deps (--target, with
its dependencies: pytoml for 3.0.0, toml for 3.1–3.3, tomli for 3.4–3.5.x, nothing from
3.6) and put first on PYTHONPATH for the oracle's hook process.

The OLD_FORMAT projects use `[tool.flit.metadata]`, which every 3.x release reads (and
3.0–3.1 read nothing else); 4.x refuses it, and so must the matching profiles."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compare import assert_same_bytes
from conftest import REPO, build_both, flit_env, forge_env, hook_caller, write_tree
from test_flit_compat import PROJECTS

# Every release with a profile (src/profile.rs FLIT_RELEASES), and 4.2.0 (the `flit`
# profile, which test_flit_compat also covers in depth), so that one matrix holds them all.
RELEASES = ["3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0", "3.5.0", "3.5.1", "3.6.0", "3.7.0", "3.7.1", "3.8.0", "3.9.0", "3.10.0", "3.10.1", "3.11.0", "3.12.0", "4.0.1", "4.0.2", "4.1.0", "4.2.0"]
CACHE = Path(os.environ.get("FORGE_FLIT_RELEASES", REPO / "target" / "flit-releases"))


# Inputs aimed at the knobs that differ between releases (flit-versions.md §2.1).
KNOBS = {
    # How __version__ is read without importing (§2.2 D): a chained assignment counts
    # from 3.8, an annotated one from 3.12; the first one that counts wins, so these
    # give different versions in different releases.
    "version-chained": {
        "pyproject.toml": '[project]\nname = "vch"\ndynamic = ["version", "description"]\n',
        "vch.py": '"""Chained."""\nother = __version__ = "1.0"\n__version__ = "2.0"\n',
    },
    "version-annotated": {
        "pyproject.toml": '[project]\nname = "van"\ndynamic = ["version", "description"]\n',
        "van.py": '"""Annotated."""\n__version__: str = "1.0"\n__version__ = "2.0"\n',
    },
    # A non-string constant first: skipped up to 3.10 (ast.Str), the version from 3.11
    # (ast.Constant), where None is falsy and flit imports the module.
    "version-none-first": {
        "pyproject.toml": '[project]\nname = "vnf"\ndynamic = ["version", "description"]\n',
        "vnf.py": '"""None first."""\n__version__ = None\n__version__ = "3.0"\n',
    },
    # bracket extras: 3.10–4.1 rewrite every [...] with the first one's extras.
    "brackets": {
        "pyproject.toml": '[project]\nname = "brk"\nversion = "1.0"\ndescription = "Brackets"\nreadme = "README.md"\n'
        'dependencies = ["Thing[Extra_A] @ http://[FE80::1]/x.whl", "plain @ http://[FE80::2]/y.whl", "req[A_b, C.d] >=1"]\n'
        '[project.optional-dependencies]\nTest_X = ["pytest[Cov_Plugin]"]\n',
        "README.md": "# Brk\n",
        "brk.py": "",
    },
    # 4.0.1 writes Import-Name/Import-Namespace without a line end, eating the readme's
    # blank separator line.
    "namespace-readme": {
        "pyproject.toml": '[project]\nname = "ns1.ns2.pkg"\nversion = "1.0"\ndescription = "Namespace"\nreadme = "README.rst"\n\n[tool.flit.module]\nname = "ns1.ns2.pkg"\n',
        "README.rst": "Title\n=====\n",
        "ns1/ns2/pkg/__init__.py": "",
    },
    # WITH: 4.1+; AND/OR: 3.12+; one id: 3.11+.
    "license-with": {
        "pyproject.toml": '[project]\nname = "lw"\nversion = "1.0"\ndescription = "With"\nlicense = "gpl-2.0-or-later WITH classpath-exception-2.0"\n',
        "lw.py": "",
        "LICENCE.txt": "text\n",
        "NOTICE": "notice\n",
    },
    # flit ≤ 3.10: a license table's file goes to the sdist; COPYING*/LICENSE* are
    # copied flat into the wheel's .dist-info.
    "license-table-file": {
        "pyproject.toml": '[project]\nname = "ltf"\nversion = "1.0"\ndescription = "Table file"\nlicense = {file = "docs/TERMS.txt"}\n'
        '[project.optional-dependencies]\nDoc_Tools = ["sphinx[Extra_X]"]\n"test.extra" = ["pytest"]\ndev = ["tox; python_version > \'3\'"]\n',
        "ltf.py": "",
        "docs/TERMS.txt": "terms\n",
        "LICENSE.md": "lic\n",
        "LICENSE": "lic\n",
        "COPYING.txt": "copying\n",
        "LICENCE": "not matched before 3.11\n",
    },
    # py2.py3 rule: ~=3.9 is py2.py3 for flit ≤ 3.7, py3 from 3.8 (#593); hyphenated
    # name: module `hy_phen` from 3.8, `hy-phen` (not found) before.
    "py2-rule": {
        "pyproject.toml": '[project]\nname = "p2r"\nversion = "1.0"\ndescription = "Rule"\nrequires-python = "~=3.9"\n',
        "p2r.py": "",
    },
    "hyphen-name": {
        "pyproject.toml": '[project]\nname = "hy-phen"\nversion = "1.0"\ndescription = "Hyphen"\n',
        "hy_phen.py": "",
    },
    # Wheel name case: kept before 3.7 (Upper_Case_Name-...), lowercased from 3.7.
    "upper-name": {
        "pyproject.toml": '[project]\nname = "Upper.Case_Name"\nversion = "1.0.0-RC1"\ndescription = "Case"\n\n[tool.flit.module]\nname = "ucn"\n',
        "ucn/__init__.py": "",
    },
    "license-single": {
        "pyproject.toml": '[project]\nname = "ls"\nversion = "1.0"\ndescription = "Single"\nlicense = "mit"\n',
        "ls.py": "",
        "COPYING": "text\n",
        "AUTHORS.md": "me\n",
    },
}
# "everything" as flit ≤ 3.11 can build it: a license table instead of an expression
# (license-files is then ignored with a warning by ≤ 3.10, and an error with a table
# from 3.11, so it goes too).
KNOBS["everything-legacy-license"] = {
    **PROJECTS["everything"],
    "pyproject.toml": PROJECTS["everything"]["pyproject.toml"]
    .replace('license = "mit OR apache-2.0"\n', 'license = {file = "LICENSE"}\n')
    .replace('license-files = ["LICENSE", "LICENSES/*.txt"]\n', ""),
}

OLD_INIT = '"""Old format package."""\n__version__ = "2.0.post1"\n\ndef main(): pass\n'
OLD_FORMAT = {
    # The shape of flit-versions.md §2.3's `oldfmt`: every [tool.flit.metadata] key.
    "oldfmt": {
        "pyproject.toml": """\
[build-system]
requires = ["flit_core >=3,<4"]
build-backend = "flit_core.buildapi"

[tool.flit.metadata]
module = "old_pkg"
dist-name = "Old.Pkg-Name"
author = "Jane Doe"
author-email = "jane@example.org"
maintainer = "Max Mustermann"
maintainer-email = "max@example.org"
home-page = "https://example.org/old"
license = "Line one\\nLine two"
keywords = "build, backend, zip"
requires-python = ">=3.6"
description-file = "README.rst"
classifiers = ["Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"]
requires = ["requests[Socks,Security_Extra] >=2.0", "attrs"]
dev-requires = ["tox; python_version > '3'"]

[tool.flit.metadata.requires-extra]
Doc_Tools = ["sphinx[Extra_X]"]
"test.extra" = ["pytest >=6; python_version >= '3.7'", "coverage"]

[tool.flit.metadata.urls]
Source = "https://example.org/src"
Documentation = "https://example.org/docs"
"Bug Tracker" = "https://example.org/issues"

[tool.flit.scripts]
old-cli = "old_pkg:main"

[tool.flit.entrypoints."pygments.lexers"]
oldlex = "old_pkg:Lexer"

[tool.flit.entrypoints.a.b]
nested = "old_pkg:nested"
""",
        "README.rst": "Old package\r\n===========\r\n",
        "LICENSE": "MIT\n",
        "COPYING.txt": "copying\n",
        "LICENCE.md": "licence\n",
        "old_pkg/__init__.py": OLD_INIT,
        "old_pkg/sub/x.py": "x = 1\n",
    },
    # Only the required keys: 3.0–3.1 write Home-page/License UNKNOWN, and the 1.1
    # PKG-INFO of ≤ 3.2 says None for what is missing.
    "oldfmt-minimal": {
        "pyproject.toml": '[tool.flit.metadata]\nmodule = "oldmin"\nauthor = "Solo"\n',
        "oldmin.py": '"""Minimal."""\n__version__ = "0.1"\n',
    },
    # dist-name with a run of separators and a local version: flit 3.0 keeps dots and
    # turns `+` into `_` in the wheel name; `README.MD` has a type from 3.2 only; an
    # empty license is `UNKNOWN` to 3.0–3.1, an empty License: line to 3.2–3.10, and
    # nothing from 3.11; the py2 rule reads requires-python.
    "oldfmt-names": {
        "pyproject.toml": '[tool.flit.metadata]\nmodule = "oldnames"\ndist-name = "Odd_-.Name"\nauthor = "A"\n'
        'license = ""\ndescription-file = "README.MD"\nrequires-python = "~=3.9"\n'
        '[tool.flit.entrypoints.console_scripts]\nodd = "oldnames:main"\n',
        "README.MD": "# Odd\n",
        "oldnames/__init__.py": '"""Odd names."""\n__version__ = "1.0+Local.7"\n',
    },
    # Both formats: 3.0–3.1 ignore [project]; 3.2+ refuse the mix.
    "oldfmt-mixed": {
        "pyproject.toml": '[project]\nname = "ignored"\nversion = "9"\ndescription = "x"\n\n'
        '[tool.flit.metadata]\nmodule = "mixed"\nauthor = "A"\n',
        "mixed.py": '"""Mixed."""\n__version__ = "1.0"\n',
        "ignored.py": "",
    },
    # Dotted module: namespace packages from 3.5.
    "oldfmt-namespace": {
        "pyproject.toml": '[tool.flit.metadata]\nmodule = "ns1.oldns"\nauthor = "A"\n',
        "ns1/oldns/__init__.py": '"""Namespaced."""\n__version__ = "1.0"\n',
    },
    # A folder matching LICENSE*: 3.0–3.1 crash in the wheel (IsADirectoryError).
    "oldfmt-license-dir": {
        "pyproject.toml": '[tool.flit.metadata]\nmodule = "oldld"\nauthor = "A"\n',
        "oldld.py": '"""License dir."""\n__version__ = "1.0"\n',
        "LICENSES/MIT.txt": "MIT\n",
        "LICENSE": "MIT\n",
    },
    # Version and docstring found only by importing the module.
    "oldfmt-import": {
        "pyproject.toml": '[tool.flit.metadata]\nmodule = "oldimp"\nauthor = "A"\n[tool.flit.sdist]\ninclude = ["docs/"]\n',
        "oldimp.py": '__doc__ = "Imported " + "summary."\n__version__ = ".".join(["1", "2"])\n',
        "docs/a.txt": "a\n",
    },
}
ALL = {**PROJECTS, **KNOBS, **OLD_FORMAT}


def release_dir(version):
    # With its dependencies, as pip resolves them: pytoml (3.0), toml (3.1–3.3), tomli
    # (3.4–3.5.x); 3.6+ vendor tomli and need nothing.
    d = CACHE / f"{version}-deps"
    if not (d / "flit_core").is_dir():
        tmp = CACHE / f".{version}.part"
        subprocess.run(["rm", "-rf", str(tmp)], check=True)
        r = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "--target", str(tmp), f"flit_core=={version}"],
            capture_output=True, text=True,
        )
        if r.returncode != 0:
            pytest.skip(f"cannot install flit_core=={version}: {r.stderr.strip()[-300:]}")
        tmp.rename(d)
    return d


def flit_metadata_invalid(wheel):
    """Whether packaging's strict parser rejects the METADATA flit wrote."""
    import zipfile

    from packaging.metadata import ExceptionGroup, Metadata

    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        try:
            Metadata.from_email(z.read(meta), validate=True)
        except ExceptionGroup:
            return True
    return False


def oracle_env(version):
    return flit_env(extra={"PYTHONPATH": str(release_dir(version))})


@pytest.mark.parametrize("version", RELEASES)
@pytest.mark.parametrize("name", sorted(ALL))
def test_release_profile_is_byte_identical(tmp_path, forge_bin, version, name):
    project = write_tree(tmp_path / name, ALL[name])
    env = oracle_env(version)
    try:
        flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", env)
    except subprocess.CalledProcessError as e:
        # flit X cannot build this project; the profile must refuse it as well.
        print(f"REFUSED {version} {name}: {e.stderr.strip().splitlines()[-1:]}")
        with pytest.raises(subprocess.CalledProcessError):
            build_both(project, tmp_path / "forge", "forge_backend", forge_env(f"flit-{version}"))
        return
    if name == "stubs" and flit_metadata_invalid(flit["wheel"]):
        # 4.x's `Import-Name: foo-stubs`: output never carries metadata a validator
        # rejects, so the profile refuses where flit writes it. (4.0.1's dropped
        # newline after Import-Name lines is reproduced as is: verify must be able to
        # rebuild what that release published.)
        with pytest.raises(subprocess.CalledProcessError) as info:
            build_both(project, tmp_path / "forge", "forge_backend", forge_env(f"flit-{version}"))
        assert "--profile native" in info.value.stderr
        return
    forge = build_both(project, tmp_path / "forge", "forge_backend", forge_env(f"flit-{version}"))
    for kind in ("wheel", "sdist"):
        assert_same_bytes(flit[kind], forge[kind])
    # The oracle really is release X.
    import zipfile

    with zipfile.ZipFile(flit["wheel"]) as z:
        wheel = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
        assert f"Generator: flit {version}\n" in z.read(wheel).decode()


# --- forge-backend verify against the real releases' artifacts -------------------------

VERIFY_RELEASES = RELEASES


def verify(*args):
    return subprocess.run([str(forge_bin_path()), "verify", *map(str, args)], capture_output=True, text=True)


def forge_bin_path():
    from conftest import BIN

    return BIN


def flit_build(tmp_path, version, name, sde="1700000000", extra=None):
    project = write_tree(tmp_path / name, ALL[name])
    env = flit_env(sde=sde, extra={"PYTHONPATH": str(release_dir(version)), **(extra or {})})
    return build_both(project, tmp_path / "flit", "flit_core.buildapi", env)


@pytest.mark.parametrize("version", VERIFY_RELEASES)
def test_verify_accepts_every_release(tmp_path, forge_bin, version):
    """verify SDIST WHEEL reproduces flit X's artifacts with no hint but the artifacts:
    with SOURCE_DATE_EPOCH, and without it in a non-UTC time zone (file mtimes, local
    time in the zip, PAX float mtimes in the tar)."""
    for name in ("flat-package", "namespace-readme", "brackets", "single-file"):
        for sde, tz in (("1700000000", "UTC"), (None, "Asia/Kolkata")):
            sub = tmp_path / f"{name}-{sde}"
            try:
                flit = flit_build(sub, version, name, sde=sde, extra={"TZ": tz})
            except subprocess.CalledProcessError:
                continue
            r = verify(flit["sdist"], flit["wheel"])
            if name == "flat-package" and version in ("3.2.0", "3.3.0", "3.4.0", "3.5.0", "3.5.1", "3.6.0", "3.7.0", "3.7.1", "3.8.0", "3.9.0", "3.10.0", "3.10.1"):
                # Its COPYING.txt is in flit ≤ 3.10's wheel but not in its sdist: the
                # wheel cannot be rebuilt from the sdist, and verify says why.
                assert r.returncode == 1, r.stdout + r.stderr
                assert "flatpkg-2.0.dist-info/COPYING.txt (not in the sdist" in r.stdout
                continue
            assert r.returncode == 0, f"{version} {name} SDE={sde}:\n{r.stdout}{r.stderr}"
            assert f"profile flit-{version}" in r.stdout.splitlines()[-2]
            r = verify("--json", flit["sdist"])
            assert r.returncode == 0, r.stdout + r.stderr
            assert '"result":"identical"' in r.stdout


def rewrite_zip(src, dst, change):
    import zipfile

    with zipfile.ZipFile(src) as z:
        infos = z.infolist()
        data = {i.filename: z.read(i) for i in infos}
    with zipfile.ZipFile(dst, "w") as out:
        for i in infos:
            out.writestr(i, change(i.filename, data[i.filename]), compress_type=i.compress_type)


def test_verify_names_the_tampered_member(tmp_path, forge_bin):
    flit = flit_build(tmp_path, "4.1.0", "flat-package")
    bad = tmp_path / "tampered.whl"

    def change(name, data):
        return data.replace(b"x = 1", b"x = 2") if name == "flatpkg/a/b/c/deep.py" else data

    rewrite_zip(flit["wheel"], bad, change)
    r = verify(flit["sdist"], bad)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "member flatpkg/a/b/c/deep.py: content, line 1" in r.stdout
    assert '"x = 2\\n"' in r.stdout and '"x = 1\\n"' in r.stdout
    r = verify("--json", flit["sdist"], bad)
    assert r.returncode == 1 and '"member":"flatpkg/a/b/c/deep.py"' in r.stdout
    # A rewritten sdist: one member's content changed (and the gzip redone).
    import gzip
    import io
    import tarfile

    raw = tmp_path / "tampered.tar.gz"
    with tarfile.open(flit["sdist"]) as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as out:
        for m, data in members:
            if m.name.endswith("PKG-INFO"):
                data = data.replace(b"Flat", b"Flot")
                m.size = len(data)
            out.addfile(m, io.BytesIO(data) if data is not None else None)
    raw.write_bytes(gzip.compress(buf.getvalue(), mtime=1700000000))
    r = verify(raw)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "PKG-INFO" in r.stdout


def test_verify_errors_exit_2(tmp_path, forge_bin):
    junk = tmp_path / "x.tar.gz"
    junk.write_bytes(b"not gzip")
    r = verify(junk)
    assert r.returncode == 2 and "not a valid gzip" in r.stderr
    # An sdist with a member escaping its folder is refused before anything is unpacked.
    import io
    import tarfile

    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as t:
        for name in ("p-1/pyproject.toml", "p-1/../../escape.txt"):
            info = tarfile.TarInfo(name)
            info.size = 1
            t.addfile(info, io.BytesIO(b"x"))
    r = verify(evil)
    assert r.returncode == 2 and "refusing to unpack" in r.stderr, r.stderr


def test_python_3_8_runtime(tmp_path, forge_bin):
    """CPython ≤ 3.8's tarfile writes `0000000` device fields, so flit's sdist bytes
    depend on the interpreter even with SOURCE_DATE_EPOCH: `--python 3.8` reproduces
    them, and verify recognises them."""
    import shutil

    candidates = [shutil.which("python3.8")] + sorted(map(str, Path.home().glob(".pyenv/versions/3.8*/bin/python")))
    py38 = next((c for c in candidates if c and subprocess.run([c, "-c", "pass"], capture_output=True).returncode == 0), None)
    if not py38:
        pytest.skip("no CPython 3.8 here")
    project = write_tree(tmp_path / "p", ALL["single-file"])
    out = tmp_path / "flit"
    out.mkdir()
    code = "import sys,os; sys.path.insert(0, sys.argv[1]); import flit_core.buildapi as b; print(b.build_sdist(sys.argv[2]))"
    env = flit_env()
    subprocess.run([py38, "-c", code, str(release_dir("4.2.0")), str(out)], cwd=project, env=env, check=True)
    forge = tmp_path / "forge"
    cmd = [str(forge_bin), "build", "--sdist", "--profile", "flit-4.2.0", "--outdir", str(forge), str(project)]
    subprocess.run(cmd + ["--python", "3.8"], env=env, check=True, capture_output=True)
    (sdist,) = out.glob("*.tar.gz")
    assert (forge / sdist.name).read_bytes() == sdist.read_bytes()
    r = verify(sdist)
    assert r.returncode == 0 and "CPython <= 3.8" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("version", ["3.0.0", "3.3.0", "3.4.0"])
def test_pre_1980_epoch(tmp_path, forge_bin, version):
    """SOURCE_DATE_EPOCH before 1980: flit ≤ 3.3's wheel fails (zip dates start in
    1980) while its sdist builds; 3.4 clamps the wheel's dates. The profile follows."""
    project = write_tree(tmp_path / "p", OLD_FORMAT["oldfmt-minimal"])
    env = flit_env(sde="0", extra={"PYTHONPATH": str(release_dir(version))})
    fenv = forge_env(f"flit-{version}", sde="0")
    flit_sdist = build_both(project, tmp_path / "flit-sd", "flit_core.buildapi", env, kinds=("sdist",))
    forge_sdist = build_both(project, tmp_path / "forge-sd", "forge_backend", fenv, kinds=("sdist",))
    assert_same_bytes(flit_sdist["sdist"], forge_sdist["sdist"])
    if version in ("3.0.0", "3.3.0"):
        with pytest.raises(subprocess.CalledProcessError):
            build_both(project, tmp_path / "flit", "flit_core.buildapi", env, kinds=("wheel",))
        with pytest.raises(subprocess.CalledProcessError) as info:
            build_both(project, tmp_path / "forge", "forge_backend", fenv, kinds=("wheel",))
        assert "before 1980" in info.value.stderr
    else:
        flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", env, kinds=("wheel",))
        forge = build_both(project, tmp_path / "forge", "forge_backend", fenv, kinds=("wheel",))
        assert_same_bytes(flit["wheel"], forge["wheel"])


@pytest.mark.parametrize("version", ["3.3.0", "3.4.0"])
def test_editable_hooks_from_3_4(tmp_path, forge_bin, version):
    """PEP 660 came in flit 3.4: earlier profiles refuse editable builds, naming the
    release; 3.4's editable wheel is reproduced."""
    from pyproject_hooks import HookMissing

    project = write_tree(tmp_path / "p", OLD_FORMAT["oldfmt-minimal"])
    env = oracle_env(version)
    fenv = forge_env(f"flit-{version}")
    if version == "3.3.0":
        with pytest.raises(HookMissing):
            build_both(project, tmp_path / "flit", "flit_core.buildapi", env, kinds=("editable",))
        with pytest.raises(subprocess.CalledProcessError) as info:
            build_both(project, tmp_path / "forge", "forge_backend", fenv, kinds=("editable",))
        assert "flit 3.3.0 has no editable builds" in info.value.stderr
        return
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", env, kinds=("editable",))
    forge = build_both(project, tmp_path / "forge", "forge_backend", fenv, kinds=("editable",))
    assert_same_bytes(flit["editable"], forge["editable"])


# --- get_requires_for_build_wheel: flit returns the dependencies when it will have to
# import the module, which depends on where each release looks for __version__.

REQUIRES_PROJECTS = {
    # 3.9+ read _version.py; before, the module is imported.
    "version-file": {
        "pyproject.toml": '[project]\nname = "vfile"\ndynamic = ["version", "description"]\ndependencies = ["depa >=1"]\n',
        "vfile/__init__.py": '"""Version file."""\nfrom ._version import __version__\n',
        "vfile/_version.py": '__version__ = "4.0"\n',
    },
    "version-chained-only": {
        "pyproject.toml": '[project]\nname = "vco"\ndynamic = ["version", "description"]\ndependencies = ["depb"]\n',
        "vco.py": '"""Chained only."""\na = __version__ = "5.0"\n',
    },
    "version-annotated-only": {
        "pyproject.toml": '[project]\nname = "vao"\ndynamic = ["version", "description"]\ndependencies = ["depc"]\n',
        "vao.py": '"""Annotated only."""\n__version__: str = "6.0"\n',
    },
}


@pytest.mark.parametrize("version", [v for v in RELEASES if v not in ("3.0.0", "3.1.0")])
@pytest.mark.parametrize("name", sorted(REQUIRES_PROJECTS))
def test_get_requires_matches_release(tmp_path, version, name):
    """get_requires_for_build_wheel gives what flit X gives: [] when X reads the version
    from the source, the dependencies when X would import the module. (3.0–3.1 read
    only the old format.)"""
    project = write_tree(tmp_path / name, REQUIRES_PROJECTS[name])
    flit = hook_caller(project, "flit_core.buildapi", oracle_env(version)).get_requires_for_build_wheel()
    forge = hook_caller(project, "forge_backend", forge_env(f"flit-{version}")).get_requires_for_build_wheel()
    assert forge == flit, (version, name, flit, forge)
