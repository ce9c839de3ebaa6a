"""flit-bytes.md §1.8, through the real PEP 517 hooks, for both flit_core and forge."""

from conftest import build_both, flit_env, forge_env, sha256, write_tree

GOLDEN_WHEEL = "3536f4e98aa85ca98c22b220165a39287bd57312dd7459c4825b6671f19cf0fa"
GOLDEN_SDIST = "4818a2e8569acfb45200d0cb4b0ec4af3ef14191d06f1025dd7a3ac230e2d250"
PYPROJECT = (
    '[build-system]\nrequires = ["flit_core >=4,<5"]\nbuild-backend = "flit_core.buildapi"\n\n'
    '[project]\nname = "tiny"\nversion = "0.1"\ndescription = "Tiny module"\n'
)


def test_golden_case_through_hooks(tmp_path, forge_bin):
    project = write_tree(tmp_path / "tiny", {"pyproject.toml": PYPROJECT, "tiny.py": "x = 1\n"})
    flit = build_both(project, tmp_path / "flit", "flit_core.buildapi", flit_env())
    forge = build_both(project, tmp_path / "forge", "forge_backend", forge_env("flit-4.2.0"))
    # flit_core run here is the oracle; the published sha256s pin both.
    assert sha256(flit["wheel"]) == GOLDEN_WHEEL
    assert sha256(flit["sdist"]) == GOLDEN_SDIST
    assert sha256(forge["wheel"]) == GOLDEN_WHEEL
    assert sha256(forge["sdist"]) == GOLDEN_SDIST
    print(f"golden: wheel {GOLDEN_WHEEL}, sdist {GOLDEN_SDIST}")
