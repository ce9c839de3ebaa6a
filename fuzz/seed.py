"""Writes every catalog pyproject.toml into fuzz/corpus/validate as a seed."""
import hashlib
import pathlib
import tomllib

root = pathlib.Path(__file__).resolve().parent
out = root / "corpus" / "validate"
out.mkdir(parents=True, exist_ok=True)
n = 0
for path in sorted((root.parent / "tests" / "catalog").glob("*/*.toml")):
    for case in tomllib.loads(path.read_text("utf-8"))["case"]:
        data = case["pyproject"].encode()
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
        n += 1
print(f"{n} seeds in {out}")
