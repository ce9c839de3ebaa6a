"""The real-world corpus (conformance/corpus.py) as tests: 16 flit projects rebuilt from
their PyPI sdists with flit_core 4.2.0 and with forge.

Slow and needs PyPI on a cold cache, so it is skipped unless FORGE_CORPUS=1 (CI sets
it). Run `pytest -s` to see the table. Each project is fetched, built and compared
once per session; the tests below read that result.
"""

import os
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "conformance"))

import corpus  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("FORGE_CORPUS") != "1",
    reason="set FORGE_CORPUS=1 to rebuild the real-world corpus (fetches from PyPI on a cold cache)",
)

# Validators that reject flit_core 4.2.0's own output for a project, and why. Forge must
# get the same verdict; a rejection of flit's output not listed here fails the test, so
# that each one is looked at.
FLIT_REJECTED = {
    ("build", "check-wheel-contents"): (
        "W005: the project's import package is called `build`, which check-wheel-contents "
        "flags as a common top-level name (it is the real name of pypa/build)"
    ),
    ("docutils", "check-wheel-contents"): (
        "W002: docutils ships two byte-identical files, writers/html4css1/template.txt and "
        "writers/html5_polyglot/template.txt"
    ),
}
PASSING = {"ok", "OK", "PASSED"}


@pytest.fixture(scope="session")
def results(tmp_path_factory, forge_bin):
    """name -> corpus.Result, computed on first use."""
    corpus.check_environment()
    workdir = tmp_path_factory.mktemp("corpus")
    cache = {}

    def get(name):
        if name not in cache:
            entry = next(e for e in corpus.CORPUS if e[0] == name)
            cache[name] = corpus.run_project(*entry, workdir)
        return cache[name]

    return get


def _ran(results, name):
    """The project's result; fails the test when the harness could not run it
    (download, unpacking, a validator that gave no verdict...)."""
    r = results(name)
    if r.error:
        pytest.fail(f"{name} {r.version}: {r.error}", pytrace=False)
    return r


@pytest.mark.parametrize("name", corpus.NAMES)
def test_comparison_a(results, name):
    """Wheel and sdist byte-identical to flit_core 4.2.0's (or both rejected)."""
    r = _ran(results, name)
    problems = [f"{kind}: {r.a_detail.get(kind)}" for kind in ("wheel", "sdist")
                if getattr(r, f"{kind}_a") not in ("same", "both reject")]
    if problems:
        pytest.fail(f"{name} {r.version}:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("name", corpus.NAMES)
def test_native_differs_only_as_documented(results, name):
    r = _ran(results, name)
    if not r.native_ok:
        pytest.fail(f"{name} {r.version}, native {r.native}:\n" + "\n".join(r.native_detail), pytrace=False)


@pytest.mark.parametrize("name", corpus.NAMES)
def test_validators(results, name):
    """packaging's strict METADATA parse, `twine check --strict` (when there is a
    readme) and check-wheel-contents on every artifact: forge's verdicts (both
    profiles) are flit's, and flit's own output passes unless FLIT_REJECTED says why."""
    r = _ran(results, name)
    if not r.artifacts():
        pytest.skip(f"{name}: nothing was built (flit_core {corpus.FLIT_VERSION} rejects it)")
    problems = []
    for check, verdicts in corpus.validate(r).items():
        for (who, kind), verdict in sorted(verdicts.items()):
            if who == "flit":
                known = FLIT_REJECTED.get((name, check))
                if verdict not in PASSING and not known:
                    problems.append(f"{check} rejects flit's own {kind} (document it in FLIT_REJECTED): {verdict}")
                elif verdict in PASSING and known:
                    problems.append(f"{check} now passes flit's {kind}: drop the FLIT_REJECTED entry")
                continue
            theirs = verdicts.get(("flit", kind))
            if theirs is not None and verdict != theirs:
                problems.append(f"{check} on {who}'s {kind}: {verdict!r}, but on flit's: {theirs!r}")
    if problems:
        pytest.fail(f"{name} {r.version}:\n" + "\n".join(problems), pytrace=False)


def test_table(results):
    """Prints the table and the totals (visible with -s); informational."""
    all_results = [results(name) for name in corpus.NAMES]
    print("\n" + corpus.table(all_results))
    extra = corpus.details(all_results)
    if extra:
        print("\n" + extra)


@pytest.mark.parametrize("name,version,pypi_flit", corpus.CORPUS)
def test_verify_pypi_artifacts(forge_bin, name, version, pypi_flit):
    """`forge-backend verify SDIST WHEEL` on the PyPI files themselves: no Python, no
    flit, no hints. Every corpus wheel was made by a flit release forge has a profile
    for, so each must come out identical (sdist and wheel)."""
    import subprocess

    sdist, wheel, _ = corpus.fetch(name, version)
    r = subprocess.run([str(forge_bin), "verify", str(sdist), str(wheel)], capture_output=True, text=True)
    print(r.stdout, r.stderr)
    assert r.returncode == 0, f"{name} {version} (flit {pypi_flit}):\n{r.stdout}{r.stderr}"
    assert f"profile flit-{pypi_flit}" in r.stdout.splitlines()[1]
    # The sdist alone: the profiles are tried newest first.
    r = subprocess.run([str(forge_bin), "verify", "--json", str(sdist)], capture_output=True, text=True)
    assert r.returncode == 0 and '"result":"identical"' in r.stdout, r.stdout + r.stderr
