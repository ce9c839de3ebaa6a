#!/usr/bin/env python3
"""Measure how flit_core's output bytes change between releases (3.0.0 .. 4.2.0).

Standard library + pip only.  What it does:

  setup   list flit_core releases with `pip index versions`, make one venv per
          release under CACHE/venv/<ver> (python -m venv --without-pip, then
          `pip --python <venv python> install flit_core==<ver>`), and download
          each release's wheel into CACHE/dl for reading.
  run     write the probe projects (PROJECTS below) into CACHE/projects, then
          for every release run its flit_core.buildapi hooks (get_requires_*,
          prepare_metadata_for_build_wheel, build_wheel, build_sdist,
          build_editable) on a fresh copy of every project, with
          SOURCE_DATE_EPOCH=1700000000 (plus a few variants: unset, 0, <1980),
          writing CACHE/out/<ver>/<project>[@variant]/...
  report  fingerprint every artifact (zip headers, tar headers, gzip header,
          deflate level, dist-info text) and diff consecutive releases,
          writing CACHE/report/fingerprints/... and CACHE/report/diffs.txt
  matrix  (optional) run two small probes with every release on every CPython
          found under ~/.pyenv/versions (or --pythons), from the release's
          unpacked wheel on PYTHONPATH inside one venv per CPython, to see
          which releases run where and how CPython changes the bytes.

Usage:
  python3 conformance/flit_versions_probe.py [--cache /tmp/flit-versions-cache]
        [--versions 3.9.0 3.10.0 ...] [--only setup|run|report|matrix ...]
        [--projects tiny full621 ...] [--pythons /path/to/python3.8 ...]

Default: setup, run and report for every release from 3.0.0 to 4.2.0 on the
interpreter running this script (measured on CPython 3.11.7 with stock zlib).
"""
import argparse
import base64
import difflib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import textwrap
import zipfile
import zlib
from pathlib import Path

SDE = "1700000000"
FIXED_MTIME = 1600000000.25       # source files' mtime (a float on purpose)
LO, HI = (3, 0, 0), (4, 2, 0)

# ---------------------------------------------------------------------------
# Probe projects.  Each: files {relpath: str|bytes}, modes {relpath: mode},
# symlinks {relpath: target}.  A str is written as UTF-8 exactly as given.
# ---------------------------------------------------------------------------
BS = """[build-system]
requires = ["flit_core >=3.2,<5"]
build-backend = "flit_core.buildapi"
"""

LICENSE = "MIT License\n\nCopyright (c) 2024 Example\n"

PROJECTS = {}


def proj(name, files, modes=None, symlinks=None, variants=("sde",), note=""):
    PROJECTS[name] = dict(files=files, modes=modes or {}, symlinks=symlinks or {},
                          variants=variants, note=note)


# 1. The golden example of flit-bytes.md 1.8
proj("tiny", {
    # byte-identical to the golden example of flit-bytes.md 1.8
    "pyproject.toml": '[build-system]\nrequires = ["flit_core >=4,<5"]\nbuild-backend = '
                      '"flit_core.buildapi"\n\n[project]\nname = "tiny"\nversion = "0.1"\n'
                      'description = "Tiny module"\n',
    "tiny.py": "x = 1\n",
}, variants=("sde", "nosde", "sde0", "sde1979", "sdeabc"))

# 2. The same in the old [tool.flit.metadata] format (works with 3.x)
proj("tiny_old", {
    "pyproject.toml": BS + '\n[tool.flit.metadata]\nmodule = "tinyold"\nauthor = "A. Person"\n',
    "tinyold.py": '"""Tiny old-format module"""\n__version__ = "0.1"\n',
}, variants=("sde", "nosde", "sde0", "sde1979", "sdeabc"))

# 3. A PEP 621 project exercising every [project] key flit 3.2+ accepts
FULL_PYPROJECT = BS + r'''
[project]
name = "Forge.Demo_pkg"
dynamic = ["version", "description"]
readme = "README.md"
requires-python = ">=3.8"
license = {file = "LICENSE"}
authors = [
  {name = "Jane Doe", email = "jane@example.org"},
  {name = "Solo Name"},
  {email = "bare@example.org"},
  {name = "Doe, John", email = "john@example.org"},
]
maintainers = [{name = "Mäintainer Ünicode", email = "m@example.org"}]
keywords = ["build", "backend", "zip"]
classifiers = [
  "Programming Language :: Python :: 3",
  "Development Status :: 4 - Beta",
]
dependencies = [
  "requests[Socks,Security_Extra] >=2.0",
  "tomli; python_version < '3.11'",
  "Thing[Extra_A] @ http://[FE80::1]/thing.zip",
  "plain @ http://[FE80::2]/plain.zip",
  "markerbr; platform_release == '[Weird_X]'",
]

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
second = "forge_demo_pkg:second"
first = "forge_demo_pkg:first"

[project.entry-points.aaa_group]
x = "forge_demo_pkg:x"

[tool.flit.module]
name = "forge_demo_pkg"
'''
FULL_FILES = {
    "pyproject.toml": FULL_PYPROJECT,
    "README.md": "# Forge demo\n\nSome *markdown* — with ünïcode.\n",
    "LICENSE": LICENSE,
    "COPYING": "copying text\n",
    "NOTICE": "notice text\n",
    "src/forge_demo_pkg/__init__.py":
        '"""  A demo package for forge.  \n\nMore text.\n"""\n__version__ = "1.0.0-RC1"\n',
    "src/forge_demo_pkg/Zed.py": "Z = 1\n",
    "src/forge_demo_pkg/_a.py": "A = 1\n",
    "src/forge_demo_pkg/sub/__init__.py": "def run(): pass\n",
    "src/forge_demo_pkg/data/b.json": '{"b": 1}\n',
    "src/forge_demo_pkg/data/tool.sh": "#!/bin/sh\necho hi\n",
    "src/forge_demo_pkg/__pycache__/junk.cpython-311.pyc": b"\x00junk",
    "src/forge_demo_pkg/stray.pyc": b"\x00stray",
    "src/forge_demo_pkg/.hidden": "dotfile\n",
    "tests/test_a.py": "def test(): pass\n",
    "docs/index.rst": "Docs\n====\n",
}
proj("full621", FULL_FILES, modes={"src/forge_demo_pkg/data/tool.sh": 0o775,
                                   "src/forge_demo_pkg/_a.py": 0o600},
     variants=("sde", "nosde"))

# 4. Static PEP 621 metadata, multi-line values, readme table, license text
proj("static621", {
    "pyproject.toml": BS + r'''
[project]
name = "staticdemo"
version = "1.0.0-RC1"
description = "Static demo\nsecond line"
readme = {file = "README.rst", content-type = "text/x-rst"}
license = {text = "Some license text"}
authors = [{name = "Multi\nLine Person"}]
requires-python = "~=3.9"
''',
    "README.rst": "Static demo\r\n===========\r\n\r\nCRLF readme.\r\n",
    "staticdemo.py": "x = 1\n",
})

# 5. Old [tool.flit.metadata] format with every field (3.x only)
proj("oldfmt", {
    "pyproject.toml": BS + r'''
[tool.flit.metadata]
module = "old_pkg"
dist-name = "Old.Pkg-Name"
author = "Jane Doe"
author-email = "jane@example.org"
maintainer = "Mäintainer Ünicode"
maintainer-email = "m@example.org"
home-page = "https://example.org/home"
license = "MIT"
keywords = "build, backend, zip"
requires = ["requests[Socks,Security_Extra] >=2.0", "tomli; python_version < '3.11'"]
requires-python = ">=3.6"
description-file = "README.rst"
classifiers = [
  "License :: OSI Approved :: MIT License",
  "Programming Language :: Python :: 3",
]
dev-requires = ["pytest"]

[tool.flit.metadata.requires-extra]
Doc_Tools = ["sphinx[Extra_X]", "coverage; sys_platform != 'win32'"]
"test.extra" = ["pytest-cov"]

[tool.flit.metadata.urls]
Documentation = "https://example.org/docs"
"Bug Tracker" = "https://example.org/issues"

[tool.flit.scripts]
old-cli = "old_pkg:main"

[tool.flit.entrypoints."pygments.lexers"]
oldlex = "old_pkg:Lexer"

[tool.flit.entrypoints.a.b]
nested = "old_pkg:nested"
''',
    "README.rst": "Old format\n==========\n\nText.\n",
    "LICENSE": LICENSE,
    "COPYING.txt": "copying\n",
    "NOTICE": "notice\n",
    "old_pkg/__init__.py": '"""Old-format package."""\n__version__ = "2.0-1"\n',
    "old_pkg/mod.py": "y = 2\n",
})

# 6. Default license globs (no license key at all)
LICFILES = {
    "COPYING": "c\n", "COPYING.LESSER": "cl\n", "LICENSE": LICENSE, "LICENSE.txt": "lt\n",
    "LICENCE.md": "lm\n", "NOTICE": "n\n", "NOTICE.txt": "nt\n", "AUTHORS": "a\n",
    "AUTHORS.rst": "ar\n", "LICENSES/Apache-2.0.txt": "apache\n", "docs/LICENSE": "nested\n",
}
proj("licdefault", dict(LICFILES, **{
    "pyproject.toml": BS + '\n[project]\nname = "licdefault"\nversion = "1.0"\ndescription = "Default license globs"\n',
    "licdefault.py": "x = 1\n",
}))
proj("licdefault_old", dict(LICFILES, **{
    "pyproject.toml": BS + '\n[tool.flit.metadata]\nmodule = "licdefold"\nauthor = "A"\n',
    "licdefold.py": '"""Default license globs, old format"""\n__version__ = "1.0"\n',
}))

# 7. License expressions (3.11+)


def lic(name, expr, extra="", files=None):
    f = {"pyproject.toml": BS + '\n[project]\nname = "%s"\nversion = "1.0"\n'
         'description = "License probe"\nlicense = "%s"\n%s' % (name, expr, extra),
         "%s.py" % name: "x = 1\n", "LICENSE": LICENSE}
    f.update(files or {})
    proj(name, f)


lic("lic_simple", "mit", 'license-files = ["LICENSE", "LICENSES/*.txt"]\n',
    {"LICENSES/Apache-2.0.txt": "apache\n", "LICENSES/MIT.txt": "mit\n"})
lic("lic_compound", "mit OR apache-2.0+ AND (bsd-2-clause OR LicenseRef-Custom.1)")
lic("lic_with", "gpl-2.0-or-later WITH classpath-exception-2.0")
lic("lic_lower_op", "MIT or Apache-2.0")
lic("lic_space", "MIT", 'license-files = ["LICENSES/My License.txt"]\n',
    {"LICENSES/My License.txt": "spaced\n"})
lic("lic_classifier", "MIT", 'classifiers = ["License :: OSI Approved :: MIT License"]\n')
lic("lic_unknown", "Foo-1.0")

# 8. Namespace package (3.5+)
proj("nspkg", {
    "pyproject.toml": BS + '\n[project]\nname = "ns-demo"\nversion = "1.0"\n'
                           'description = "Namespace"\n\n[tool.flit.module]\nname = "ns1.ns2.pkg"\n',
    "ns1/ns2/pkg/__init__.py": "x = 1\n",
    "ns1/ns2/pkg/mod.py": "y = 1\n",
})

# 9. -stubs package (4.0+)
proj("stubs", {
    "pyproject.toml": BS + '\n[project]\nname = "foo-bar-stubs"\nversion = "1.0"\ndescription = "Stubs"\n',
    "foo_bar-stubs/__init__.pyi": "x: int\n",
    "foo_bar-stubs/sub.pyi": "y: int\n",
})

# 10. Symlinks inside the project, and one escaping it
proj("symlinks", {
    "pyproject.toml": BS + '\n[project]\nname = "linky"\nversion = "1.0"\ndescription = "Links"\n'
                           'readme = "README.md"\n\n[tool.flit.sdist]\ninclude = ["shared"]\n',
    "docs/README.md": "# readme via link\n",
    "shared/real.py": "REAL = 1\n",
    "shared/sub/data.txt": "data\n",
    "linky/__init__.py": "x = 1\n",
}, symlinks={"linky/alias.py": "../shared/real.py", "linky/linkdir": "../shared/sub",
             "README.md": "docs/README.md", "shared/self.py": "real.py"})
proj("symlink_escape", {
    "pyproject.toml": BS + '\n[project]\nname = "escapy"\nversion = "1.0"\ndescription = "Escaping link"\n',
    "escapy/__init__.py": "x = 1\n",
}, symlinks={"escapy/secret.txt": "@OUTSIDE@"})

# 11. Non-ASCII, long, comma and quote file names; BOM+CRLF readme
LONG = "deep/" + "d" * 60 + "/" + "e" * 60 + ".txt"
proj("nonascii", {
    "pyproject.toml": BS + '\n[project]\nname = "nonascii"\nversion = "1.0"\n'
                           'description = "Ünïcode sümmary"\nreadme = "README.txt"\n'
                           'authors = [{name = "Zoë Ünicode", email = "z@example.org"}]\n',
    "README.txt": "\ufeffBOM and CRLF\r\nline 2 — ü\r\n",
    "nonascii/__init__.py": "x = 1\n",
    "nonascii/données.txt": "d\n",
    "nonascii/ñ.py": "n = 1\n",
    "nonascii/a,b.txt": "comma\n",
    'nonascii/q"x.txt': "quote\n",
    "nonascii/sp ace.txt": "space\n",
    "nonascii/" + LONG: "long\n",
})

# 12. Dynamic version/docstring discovery
proj("dynver_files", {
    "pyproject.toml": BS + '\n[project]\nname = "dynfiles"\ndynamic = ["version", "description"]\n'
                           'dependencies = ["depa"]\n',
    "dynfiles/__init__.py": '"""Docstring from init."""\n',
    "dynfiles/version.py": '__version__ = "3.1"\n',
    "dynfiles/_version.py": '__version__ = "3.2"\n',
})
proj("dynver_annot", {
    "pyproject.toml": BS + '\n[project]\nname = "dynannot"\ndynamic = ["version", "description"]\n'
                           'dependencies = ["depa"]\n',
    "dynannot.py": '"""Annotated version."""\n__version__: str = "2.0"\n',
})
proj("dynver_multi", {
    "pyproject.toml": BS + '\n[project]\nname = "dynmulti"\ndynamic = ["version", "description"]\n'
                           'dependencies = ["depa"]\n',
    "dynmulti.py": '"""Multi-target assignment."""\na = __version__ = "1.5"\n',
})
proj("dynver_import", {
    "pyproject.toml": BS + '\n[project]\nname = "dynimport"\ndynamic = ["version", "description"]\n'
                           'dependencies = ["depa"]\n',
    "dynimport.py": '"""Computed version."""\n__version__ = ".".join(["1", "2"])\n',
})

# 13. py2.py3 tag rule
for nm, rp in [("tag_none", None), ("tag_lt4", "<4"), ("tag_compat", "~=3.9"),
               ("tag_eqstar", "==3.*"), ("tag_gt_space", "> = 3")]:
    proj(nm, {"pyproject.toml": BS + '\n[project]\nname = "%s"\nversion = "1.0"\n'
              'description = "Tag"\n%s' % (nm, ('requires-python = "%s"\n' % rp) if rp else ""),
              "%s.py" % nm: "x = 1\n"})

# 14. External data (3.7+)
proj("extdata", {
    "pyproject.toml": BS + '\n[project]\nname = "extdata"\nversion = "1.0"\ndescription = "Data"\n'
                           '\n[tool.flit.external-data]\ndirectory = "share"\n',
    "extdata.py": "x = 1\n",
    "share/man/man1/foo.1": ".TH FOO 1\n",
    "share/z.txt": "z\n",
    "share/__pycache__/x.pyc": b"\x00",
})

# 15. sdist include/exclude, with and without **
SDINC_FILES = {
    "sdinc/__init__.py": "x = 1\n", "docs/a.rst": "a\n", "docs/sub/b.rst": "b\n",
    "tests/test_x.py": "t\n", "tests/skip_me.py": "s\n", "tests/x.pyc": b"\x00",
    "tests/__pycache__/y.pyc": b"\x00", "tox.ini": "[tox]\n", ".github/ci.yml": "ci\n",
}
proj("sdistinc", dict(SDINC_FILES, **{
    "pyproject.toml": BS + '\n[project]\nname = "sdinc"\nversion = "1.0"\ndescription = "Includes"\n'
                           '\n[tool.flit.sdist]\ninclude = ["docs/", "tests/", "tox.ini", ".github"]\n'
                           'exclude = ["tests/skip*"]\n'}))
proj("sdistinc_rec", dict(SDINC_FILES, **{
    "pyproject.toml": BS + '\n[project]\nname = "sdinc"\nversion = "1.0"\ndescription = "Includes"\n'
                           '\n[tool.flit.sdist]\ninclude = ["docs/**/*.rst", "tests/"]\n'
                           'exclude = ["tests/skip*"]\n'}))

# 16. Names: hyphen -> module, upper case / dots in dist name
proj("hyphen", {
    "pyproject.toml": BS + '\n[project]\nname = "my-hyphen-pkg"\nversion = "1.0"\ndescription = "Hyphen"\n',
    "my_hyphen_pkg/__init__.py": "x = 1\n",
})
proj("uppercase", {
    "pyproject.toml": BS + '\n[project]\nname = "Upper.Case_Name"\nversion = "1.0.0-RC1"\n'
                           'description = "Upper"\n\n[tool.flit.module]\nname = "upper_case"\n',
    "upper_case.py": "x = 1\n",
})
proj("dotted_name", {
    "pyproject.toml": BS + '\n[project]\nname = "dot.ted"\nversion = "1.0"\ndescription = "Dotted"\n',
    "dot/ted/__init__.py": "x = 1\n",
})

# 17. Readme content types
for nm, fn, extra in [("readme_txt", "README.txt", ""), ("readme_upper", "README.MD", ""),
                      ("readme_unknown", "README.adoc", "")]:
    proj(nm, {"pyproject.toml": BS + '\n[project]\nname = "%s"\nversion = "1.0"\n'
              'description = "Readme"\nreadme = "%s"\n' % (nm, fn),
              fn: "Readme text\n", "%s.py" % nm: "x = 1\n"})
proj("readme_table", {
    "pyproject.toml": BS + '\n[project]\nname = "readme_table"\nversion = "1.0"\ndescription = "Readme"\n'
                           'readme = {text = "Inline readme", content-type = "text/markdown; variant=GFM"}\n',
    "readme_table.py": "x = 1\n",
})

# 18. PEP 794 import names (4.0+)
proj("importnames", {
    "pyproject.toml": BS + '\n[project]\nname = "impn"\nversion = "1.0"\ndescription = "Import names"\n'
                           'import-names = ["impn; private"]\nimport-namespaces = []\n',
    "impn.py": "x = 1\n",
})

# 19. Entry points with odd values and a scripts/entry-points clash
proj("entrypoints", {
    "pyproject.toml": BS + '\n[project]\nname = "eps"\nversion = "1.0"\ndescription = "EPs"\n'
                           '\n[project.scripts]\n"B-cli" = "eps:main"\na_cli = "eps.sub:Cls.method"\n'
                           '\n[project.entry-points."Grp.With.Dots"]\n"Name With Space" = "eps:obj [extra1]"\n'
                           '\n[project.entry-points.a]\nz = "eps"\n',
    "eps.py": "x = 1\n",
})

proj("lic_file_dot", {
    "pyproject.toml": BS + '\n[project]\nname = "licdot"\nversion = "1.0"\ndescription = "Dot"\n'
                           'license = {file = "./LICENSE"}\n',
    "licdot.py": "x = 1\n", "LICENSE": LICENSE,
})

# 20. Unknown [project] key, and `license = {file}` plus license-files clash
proj("unknown_key", {
    "pyproject.toml": BS + '\n[project]\nname = "unk"\nversion = "1.0"\ndescription = "Unknown"\n'
                           'frobnicate = 1\n',
    "unk.py": "x = 1\n",
})

# 21. Old-format twins, so that 3.0/3.1 (which only read [tool.flit.metadata])
#     are measured on the same inputs.


def old(name, module, files, md="", tail="", symlinks=None, doc="Old-format probe",
        version="1.0", modes=None):
    init = '"""%s"""\n__version__ = "%s"\n' % (doc, version)
    author = "" if md.startswith("author =") or "\nauthor =" in md else 'author = "A"\n'
    f = {"pyproject.toml": BS + '\n[tool.flit.metadata]\nmodule = "%s"\n%s%s%s'
         % (module, author, md, tail)}
    if not any(k.startswith(module.replace(".", "/") + "/") or k == module + ".py" for k in files):
        f[module + ".py"] = init
    f.update(files)
    proj(name, f, symlinks=symlinks, modes=modes)


old("nonascii_old", "nonascii", {
    "README.txt": "\ufeffBOM and CRLF\r\nline 2 — ü\r\n",
    "nonascii/__init__.py": '"""Ünïcode sümmary"""\n__version__ = "1.0"\n',
    "nonascii/données.txt": "d\n", "nonascii/ñ.py": "n = 1\n", "nonascii/a,b.txt": "comma\n",
    'nonascii/q"x.txt': "quote\n", "nonascii/sp ace.txt": "space\n", "nonascii/" + LONG: "long\n",
}, md='description-file = "README.txt"\nmaintainer = "Zoë Ünicode"\nmaintainer-email = "z@example.org"\n')
old("symlinks_old", "linky", {
    "docs/README.md": "# readme via link\n", "shared/real.py": "REAL = 1\n",
    "shared/sub/data.txt": "data\n", "linky/__init__.py": '"""Links"""\n__version__ = "1.0"\n',
}, md='description-file = "README.md"\n', tail='\n[tool.flit.sdist]\ninclude = ["shared"]\n',
    symlinks={"linky/alias.py": "../shared/real.py", "linky/linkdir": "../shared/sub",
              "README.md": "docs/README.md", "shared/self.py": "real.py"})
old("symlink_escape_old", "escapy", {"escapy/__init__.py": '"""Esc"""\n__version__ = "1.0"\n'},
    symlinks={"escapy/secret.txt": "@OUTSIDE@"})
old("sdistinc_old", "sdinc", dict(SDINC_FILES, **{"sdinc/__init__.py": '"""Inc"""\n__version__ = "1.0"\n'}),
    tail='\n[tool.flit.sdist]\ninclude = ["docs/", "tests/", "tox.ini", ".github"]\n'
         'exclude = ["tests/skip*"]\n')
old("nspkg_old", "ns1.ns2.pkgo", {"ns1/ns2/pkgo/__init__.py": '"""NS"""\n__version__ = "1.0"\n',
                                  "ns1/ns2/pkgo/mod.py": "y = 1\n"},
    md='dist-name = "ns-demo-old"\n')
old("extdata_old", "extdatao", {"share/man/man1/foo.1": ".TH FOO 1\n", "share/z.txt": "z\n"},
    tail='\n[tool.flit.external-data]\ndirectory = "share"\n')
old("readme_upper_old", "rdupper", {"README.MD": "Readme text\n"}, md='description-file = "README.MD"\n')
old("uppercase_old", "upper_caseo", {}, md='dist-name = "Upper.Case_Name"\n', version="1.0.0-RC1")
old("dynver_files_old", "dynfileso", {"dynfileso/__init__.py": '"""Docstring from init."""\n',
                                      "dynfileso/version.py": '__version__ = "3.1"\n'},
    md='requires = ["depa"]\n')
old("dynver_multi_old", "dynmultio", {"dynmultio.py": '"""Multi."""\na = __version__ = "1.5"\n'},
    md='requires = ["depa"]\n')
old("dynver_import_old", "dynimporto",
    {"dynimporto.py": '"""Computed."""\n__version__ = ".".join(["1", "2"])\n'}, md='requires = ["depa"]\n')
for nm, rp in [("tag_lt4_old", "<4"), ("tag_compat_old", "~=3.9"),
               ("tag_eqstar_old", "==3.*"), ("tag_gt_space_old", "> = 3"), ("tag_ge_old", ">=3.6")]:
    old(nm, nm.replace("_old", "o"), {}, md='requires-python = "%s"\n' % rp)
old("multiline_old", "multilineo", {"multilineo.py": '"""  Multi-line\n\ndocstring"""\n__version__ = "1.0"\n'},
    md='author = "First Line\\nSecond Line"\nlicense = "Line one\\nLine two"\n'
       'home-page = "https://example.org"\n')
old("modes_old", "modeso", {"modeso/__init__.py": '"""Modes"""\n__version__ = "1.0"\n',
                            "modeso/run.sh": "#!/bin/sh\n", "modeso/private.py": "p = 1\n",
                            "modeso/odd.py": "o = 1\n"},
    modes={"modeso/run.sh": 0o775, "modeso/private.py": 0o600, "modeso/odd.py": 0o701})
old("mixed_tables", "mixed", {}, tail='\n[project]\nname = "mixed"\nversion = "1.0"\ndescription = "x"\n')

VARIANT_ENV = {
    "sde": {"SOURCE_DATE_EPOCH": SDE},
    "nosde": {"SOURCE_DATE_EPOCH": None},
    "sde0": {"SOURCE_DATE_EPOCH": "0"},
    "sde1979": {"SOURCE_DATE_EPOCH": "315532799"},
    "sdeabc": {"SOURCE_DATE_EPOCH": "abc"},
}
HOOKS = ["get_requires_for_build_wheel", "get_requires_for_build_sdist",
         "prepare_metadata_for_build_wheel", "build_wheel", "build_sdist", "build_editable"]

# ---------------------------------------------------------------------------
# Runner: executed inside each release's venv (kept Python-3.6 compatible).
# ---------------------------------------------------------------------------
RUNNER = r'''
import json, logging, os, shutil, sys, time, traceback
job = json.load(open(sys.argv[1]))
logs = []
class H(logging.Handler):
    def emit(self, rec):
        try:
            logs.append("%s: %s" % (rec.levelname, rec.getMessage()))
        except Exception as e:
            logs.append("LOGFAIL %r" % e)
root = logging.getLogger()
root.addHandler(H())
root.setLevel(logging.WARNING)
os.umask(0o022)
import flit_core, flit_core.buildapi as api
info = {"flit_core": flit_core.__version__, "file": flit_core.__file__,
        "python": sys.version}
for task in job["tasks"]:
    src, work, out = task["src"], task["work"], task["out"]
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work, symlinks=True)
    for k, v in task["env"].items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    time.tzset()
    os.chdir(work)
    res = {}
    for hook in task["hooks"]:
        fn = getattr(api, hook, None)
        if fn is None:
            res[hook] = {"missing": True}
            continue
        del logs[:]
        d = os.path.join(out, hook)
        os.makedirs(d)
        t0 = time.time()
        try:
            r = fn(None) if hook.startswith("get_requires") else fn(d)
            res[hook] = {"ok": True, "ret": r}
        except BaseException as e:
            tb = traceback.extract_tb(sys.exc_info()[2])
            where = "%s:%s" % (os.path.basename(tb[-1].filename), tb[-1].lineno) if tb else ""
            res[hook] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "where": where}
        res[hook]["log"] = list(logs)
        res[hook]["t0"] = t0
        res[hook]["t1"] = time.time()
    os.chdir("/")
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
with open(job["info"], "w") as f:
    json.dump(info, f)
'''


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, **kw).stdout


def list_versions(py):
    out = sh([py, "-m", "pip", "index", "versions", "flit_core"])
    m = re.search(r"Available versions: (.*)", out)
    vs = [v.strip() for v in m.group(1).split(",")]
    vs = [v for v in vs if re.fullmatch(r"\d+\.\d+(\.\d+)?", v)]
    vs = [v for v in vs if LO <= vkey(v + ".0" if v.count(".") == 1 else v) <= HI]
    return sorted(vs, key=vkey)


def setup(cache, versions, py):
    dl = cache / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    for v in versions:
        venv = cache / "venv" / v
        vpy = venv / "bin" / "python"
        if not (venv / "ok").exists():
            shutil.rmtree(str(venv), ignore_errors=True)
            sh([py, "-m", "venv", "--without-pip", str(venv)])
            sh([py, "-m", "pip", "--python", str(vpy), "install", "-q",
                "flit_core==" + v])
            (venv / "ok").write_text(sh([py, "-m", "pip", "--python", str(vpy), "freeze"]))
        if not list(dl.glob("flit_core-%s-*.whl" % v)):
            sh([py, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                "-d", str(dl), "flit_core==" + v])
        print("setup", v, (venv / "ok").read_text().replace("\n", " "))


def write_projects(cache):
    root = cache / "projects"
    shutil.rmtree(str(root), ignore_errors=True)
    outside = cache / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("not yours\n")
    for name, p in PROJECTS.items():
        d = root / name
        for rel, content in p["files"].items():
            f = d / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                content = content.encode("utf-8")
            f.write_bytes(content)
            os.chmod(str(f), p["modes"].get(rel, 0o644))
        for rel, target in p["symlinks"].items():
            f = d / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target.replace("@OUTSIDE@", str(outside / "secret.txt")), str(f))
        for dirpath, dirs, files in os.walk(str(d)):
            for n in files + dirs:
                os.utime(os.path.join(dirpath, n), (FIXED_MTIME, FIXED_MTIME),
                         follow_symlinks=False)
    return root


def run(cache, versions, projects):
    root = write_projects(cache)
    for v in versions:
        vpy = cache / "venv" / v / "bin" / "python"
        outv = cache / "out" / v
        shutil.rmtree(str(outv), ignore_errors=True)
        tasks = []
        for name in projects:
            for var in PROJECTS[name]["variants"]:
                key = name if var == "sde" else "%s@%s" % (name, var)
                out = outv / key
                out.mkdir(parents=True)
                env = dict(VARIANT_ENV[var])
                env["TZ"] = "UTC"
                tasks.append({"src": str(root / name), "work": str(cache / "work" / name),
                              "out": str(out), "env": env, "hooks": HOOKS})
        job = cache / "job.json"
        job.write_text(json.dumps({"tasks": tasks, "info": str(outv / "info.json")}))
        runner = cache / "runner.py"
        runner.write_text(RUNNER)
        env = dict(os.environ, PYTHONHASHSEED="0")
        r = subprocess.run([str(vpy), str(runner), str(job)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, env=env)
        (outv / "runner.log").write_text(r.stdout)
        print("run", v, "rc=%d" % r.returncode, "tasks=%d" % len(tasks))


# ---------------------------------------------------------------------------
# Fingerprints
# ---------------------------------------------------------------------------
def b64(d):
    return base64.urlsafe_b64encode(d).decode().rstrip("=")


def show_text(data, indent="    | "):
    try:
        t = data.decode("utf-8")
    except UnicodeDecodeError:
        return [indent + "<binary sha256=%s>" % hashlib.sha256(data).hexdigest()]
    lines = t.splitlines(True) or [""]
    res = []
    for ln in lines:
        end = ""
        if ln.endswith("\r\n"):
            ln, end = ln[:-2], "<CRLF>"
        elif ln.endswith("\n"):
            ln, end = ln[:-1], "<LF>"
        else:
            end = "<no EOL>"
        res.append(indent + ln.replace("\r", "<CR>") + end)
    return res


def is_text_member(name, data):
    return (".dist-info/" in name or name.endswith((".pth", "PKG-INFO"))
            or len(data) <= 200)


def fp_zip(path):
    raw = path.read_bytes()
    out = ["wheel %s size=%d sha256=%s" % (path.name, len(raw), hashlib.sha256(raw).hexdigest())]
    zf = zipfile.ZipFile(str(path))
    eocd = raw.rfind(b"PK\x05\x06")
    out.append("  eocd %s" % raw[eocd:eocd + 22].hex())
    for zi in zf.infolist():
        lh = raw[zi.header_offset:zi.header_offset + 30]
        (sig, ver, flag, meth, t, d, crc, cs, us, nl, el) = struct.unpack("<IHHHHHIIIHH", lh)
        lextra = raw[zi.header_offset + 30 + nl:zi.header_offset + 30 + nl + el]
        data = zf.read(zi)
        gen = zi.filename.endswith((".dist-info/WHEEL", ".dist-info/RECORD"))
        out.append("  entry %s" % zi.filename)
        out.append("    dt=%s sys=%d made=%d need=%d flag=0x%04x meth=%d ext=0x%08x int=%d "
                   "cdextra=%s lhextra=%s lhneed=%d" % (
                       "%04d-%02d-%02d %02d:%02d:%02d" % zi.date_time, zi.create_system,
                       zi.create_version, zi.extract_version, zi.flag_bits, zi.compress_type,
                       zi.external_attr, zi.internal_attr, zi.extra.hex() or "-",
                       lextra.hex() or "-", ver))
        if not gen:
            comp = raw[zi.header_offset + 30 + nl + el:zi.header_offset + 30 + nl + el + zi.compress_size]
            lvl = deflate_level(data, comp)
            out.append("    size=%d csize=%d crc=%08x sha256=%s deflate=%s" % (
                zi.file_size, zi.compress_size, zi.CRC, b64(hashlib.sha256(data).digest()), lvl))
        if is_text_member(zi.filename, data):
            out.extend(show_text(data))
    return out


def deflate_level(data, comp):
    for lvl in (6, 9, 1, 2, 3, 4, 5, 7, 8, 0):
        c = zlib.compressobj(lvl, zlib.DEFLATED, -15, 8)
        if c.compress(data) + c.flush() == comp:
            return str(lvl)
    return "other"


def tar_field(b, off, ln):
    return b[off:off + ln]


def fp_sdist(path, t0=None, t1=None):
    raw = path.read_bytes()
    out = ["sdist %s size=%d sha256=%s" % (path.name, len(raw), hashlib.sha256(raw).hexdigest())]
    flg, mtime, xfl, os_ = raw[3], struct.unpack("<I", raw[4:8])[0], raw[8], raw[9]
    pos = 10
    fname = b""
    if flg & 8:
        end = raw.index(b"\0", pos)
        fname = raw[pos:end]
        pos = end + 1
    body = raw[pos:-8]
    tar = gzip.decompress(raw)
    lvl = "other"
    for l in (9, 6):
        c = zlib.compressobj(l, zlib.DEFLATED, -15, 8)
        if c.compress(tar) + c.flush() == body:
            lvl = str(l)
            break
    if t0 is not None and int(t0) <= mtime <= int(t1) + 1:
        mtime = "<time of build>"
    out.append("  gzip flags=0x%02x mtime=%s xfl=%d os=%d fname=%r deflate=%s tarsize=%d" % (
        flg, mtime, xfl, os_, fname, lvl, len(tar)))
    off = 0
    pax = None
    while off + 512 <= len(tar):
        h = tar[off:off + 512]
        if h == b"\0" * 512:
            out.append("  end-of-archive at %d (tar %d bytes)" % (off, len(tar)))
            break
        name = h[0:100].rstrip(b"\0")
        size = int(h[124:136].strip(b"\0 ") or b"0", 8)
        typ = h[156:157]
        fields = ("name=%r mode=%r uid=%r gid=%r size=%d mtime=%r chk=%r type=%r link=%r "
                  "magic=%r ver=%r uname=%r gname=%r devmaj=%r devmin=%r prefix=%r" % (
                      name.decode("utf-8", "replace"), h[100:108], h[108:116], h[116:124], size,
                      h[136:148], h[148:156], typ, h[157:257].rstrip(b"\0"), h[257:263],
                      h[263:265], h[265:297].rstrip(b"\0"), h[297:329].rstrip(b"\0"),
                      h[329:337], h[337:345], h[345:500].rstrip(b"\0")))
        data = tar[off + 512:off + 512 + size]
        out.append("  member " + fields)
        if typ in (b"x", b"g"):
            out.extend(show_text(data, "    pax> "))
        elif typ in (b"0", b"\0"):
            nm = name.decode("utf-8", "replace")
            if nm.endswith("PKG-INFO") or len(data) <= 200:
                out.extend(show_text(data))
            else:
                out.append("    <sha256=%s>" % hashlib.sha256(data).hexdigest())
        off += 512 + (size + 511) // 512 * 512
    return out


def fp_dir(d):
    out = []
    for p in sorted(d.rglob("*")):
        if p.is_file():
            rel = p.relative_to(d).as_posix()
            out.append("  file %s mode=%o" % (rel, p.stat().st_mode & 0o777))
            out.extend(show_text(p.read_bytes()))
    return out


def scrub(s, cache):
    return s.replace(str(cache), "<CACHE>")


def fingerprint(cache, vdir):
    """Return {key: [lines]} for one release's outputs."""
    res = {}
    for pdir in sorted(p for p in vdir.iterdir() if p.is_dir()):
        rj = pdir / "result.json"
        if not rj.exists():
            continue
        result = json.loads(rj.read_text())
        for hook in HOOKS:
            r = result.get(hook, {})
            key = "%s :: %s" % (pdir.name, hook)
            lines = []
            if r.get("missing"):
                lines.append("HOOK MISSING")
            elif not r.get("ok"):
                lines.append("ERROR %s" % scrub(r.get("error", ""), cache))
            else:
                if hook.startswith("get_requires"):
                    lines.append("returns %r" % (r["ret"],))
                else:
                    lines.append("returns %r" % (r["ret"],))
                    hd = pdir / hook
                    if hook in ("build_wheel", "build_editable"):
                        f = hd / r["ret"]
                        lines.append("  file mode=%o" % (f.stat().st_mode & 0o777))
                        lines.extend(fp_zip(f))
                    elif hook == "build_sdist":
                        lines.extend(fp_sdist(hd / r["ret"], r["t0"], r["t1"]))
                    else:
                        lines.extend(fp_dir(hd))
            for lg in r.get("log", []):
                lines.append("log %s" % scrub(lg, cache))
            res[key] = [scrub(x, cache) for x in lines]
    return res


def normalise_generator(lines, version):
    """Drop what follows only from the 'Generator: flit X' line."""
    out = []
    for ln in lines:
        if ln.startswith(("wheel ", "sdist ", "  eocd ")) or re.match(r"\s+size=\d+ csize=", ln):
            continue
        ln = ln.replace("Generator: flit %s" % version, "Generator: flit <V>")
        ln = re.sub(r"(\.dist-info/WHEEL,sha256=)[^,]+,\d+", r"\1<H>,<N>", ln)
        out.append(ln)
    return out


def report(cache, versions):
    rdir = cache / "report"
    shutil.rmtree(str(rdir), ignore_errors=True)
    (rdir / "fingerprints").mkdir(parents=True)
    fps = {}
    for v in versions:
        vdir = cache / "out" / v
        if not vdir.exists():
            continue
        fps[v] = fingerprint(cache, vdir)
        with open(str(rdir / "fingerprints" / (v + ".txt")), "w") as f:
            for k in sorted(fps[v]):
                f.write("=== %s\n" % k)
                f.write("\n".join(fps[v][k]) + "\n")
    vs = [v for v in versions if v in fps]
    summary = {}
    with open(str(rdir / "diffs.txt"), "w") as f:
        for a, b in zip(vs, vs[1:]):
            f.write("\n" + "#" * 78 + "\n# %s -> %s\n" % (a, b))
            changed = []
            for k in sorted(set(fps[a]) | set(fps[b])):
                la, lb = fps[a].get(k, ["<absent>"]), fps[b].get(k, ["<absent>"])
                if la == lb:
                    continue
                na, nb = normalise_generator(la, a), normalise_generator(lb, b)
                if na == nb:
                    changed.append((k, "generator-only"))
                    continue
                changed.append((k, "changed"))
                f.write("\n--- %s\n" % k)
                for ln in difflib.unified_diff(na, nb, a, b, n=1, lineterm=""):
                    if ln.startswith(("---", "+++")):
                        continue
                    f.write(ln + "\n")
            summary["%s -> %s" % (a, b)] = changed
    (rdir / "summary.json").write_text(json.dumps(summary, indent=1))
    for k, ch in summary.items():
        real = sorted({c[0] for c in ch if c[1] == "changed"})
        print(k, "generator-only:%d" % sum(1 for c in ch if c[1] == "generator-only"),
              "changed:%d" % len(real))
    print("report in", rdir)


# ---------------------------------------------------------------------------
# Knob extraction: one short value per (knob, release), read from the outputs
# ---------------------------------------------------------------------------
class Out:
    """Access to one release's outputs for one probe project."""

    def __init__(self, cache, v, key):
        self.d = cache / "out" / v / key
        rj = self.d / "result.json"
        self.res = json.loads(rj.read_text()) if rj.exists() else {}

    def ok(self, hook):
        return self.res.get(hook, {}).get("ok", False)

    def err(self, hook):
        r = self.res.get(hook, {})
        if r.get("missing"):
            return "no hook"
        return "ERR " + r.get("error", "?").split(":")[0] if not r.get("ok") else None

    def path(self, hook):
        return self.d / hook / self.res[hook]["ret"]

    def zip(self, hook="build_wheel"):
        return zipfile.ZipFile(str(self.path(hook))) if self.ok(hook) else None

    def member(self, suffix, hook="build_wheel"):
        z = self.zip(hook)
        if z is None:
            return None
        for zi in z.infolist():
            if zi.filename.endswith(suffix):
                return z.read(zi)
        return None

    def metadata(self):
        b = self.member(".dist-info/METADATA")
        return b.decode("utf-8") if b is not None else None

    def sdist(self):
        return tarfile.open(str(self.path("build_sdist"))) if self.ok("build_sdist") else None

    def pkginfo(self):
        t = self.sdist()
        if t is None:
            return None
        for m in t.getmembers():
            if m.name.endswith("/PKG-INFO"):
                return t.extractfile(m).read().decode("utf-8")


def _hdr(md, *names):
    if md is None:
        return None
    head = md.split("\n\n")[0]
    return [ln for ln in head.split("\n") if ln.split(":")[0] in names]


def knob_values(cache, v):
    """Return an ordered {knob: value} for release v."""
    O = lambda key: Out(cache, v, key)
    K = {}
    t, to = O("tiny"), O("tiny_old")
    base = t if t.ok("build_wheel") else to
    md = base.metadata()
    K["Metadata-Version"] = md.split("\n")[0].split(": ")[1]
    pk = base.pkginfo()
    K["PKG-INFO"] = "= METADATA" if pk == md else repr(pk.split("\n")[0])
    mdo = to.metadata()
    K["UNKNOWN fields (old fmt, none given)"] = ",".join(
        x.split(":")[0] for x in (mdo or "").split("\n") if x.endswith(": UNKNOWN")) or "-" if mdo else "n/a"
    rec = base.member(".dist-info/RECORD")
    K["RECORD EOL"] = "CRLF" if rec.endswith(b"\r\n") else "LF"
    na = O("nonascii") if O("nonascii").ok("build_wheel") else O("nonascii_old")
    rec = na.member(".dist-info/RECORD").decode()
    K["RECORD row for a,b.txt"] = next(ln for ln in rec.splitlines() if "a,b.txt" in ln).split(",sha")[0]
    z = to.zip() or t.zip()
    gen = [zi for zi in z.infolist() if zi.filename.endswith(".dist-info/WHEEL")][0]
    K["ext_attr generated"] = "0x%08x" % gen.external_attr
    mo = O("modes_old")
    if mo.ok("build_wheel"):
        zz = mo.zip()
        K["ext_attr 775/600/701 files"] = "/".join(
            "%o" % (zz.getinfo("modeso/" + n).external_attr >> 16) for n in ("run.sh", "private.py", "odd.py"))
    else:
        K["ext_attr 775/600/701 files"] = mo.err("build_wheel")
    K["wheel file mode"] = "%o" % (to.path("build_wheel").stat().st_mode & 0o777) if to.ok(
        "build_wheel") else "%o" % (t.path("build_wheel").stat().st_mode & 0o777)
    up = O("uppercase_old") if O("uppercase_old").ok("build_wheel") else O("uppercase")
    K["wheel name (Upper.Case_Name 1.0.0-RC1)"] = up.res["build_wheel"]["ret"]
    st = up.sdist()
    K["sdist name / top dir"] = "%s / %s" % (up.res["build_sdist"]["ret"], st.getnames()[0].split("/")[0])
    for var, lab in (("nosde", "unset"), ("sde0", "0"), ("sde1979", "315532799"), ("sdeabc", "abc")):
        o = O(("tiny_old" if to.ok("build_wheel") else "tiny") + "@" + var)
        if o.ok("build_sdist"):
            raw = o.path("build_sdist").read_bytes()
            mt = struct.unpack("<I", raw[4:8])[0]
            r = o.res["build_sdist"]
            gm = "build time" if int(r["t0"]) <= mt <= int(r["t1"]) + 1 else str(mt)
        else:
            gm = o.err("build_sdist")
        if o.ok("build_wheel"):
            zz = o.zip()
            wi = [zi for zi in zz.infolist() if zi.filename.endswith("WHEEL")][0]
            fi = zz.infolist()[0]
            wd = "gen %04d-%02d-%02d, file %04d-%02d-%02d %02d:%02d" % (wi.date_time[:3] + fi.date_time[:5])
        else:
            wd = o.err("build_wheel")
        K["SDE=%s: gzip mtime" % lab] = gm
        K["SDE=%s: wheel dates" % lab] = wd
    lo = O("licdefault") if O("licdefault").ok("build_wheel") else O("licdefault_old")
    zz = lo.zip()
    if zz:
        lic = [n.split(".dist-info/")[1] for n in zz.namelist()
               if ".dist-info/" in n and not n.endswith(("WHEEL", "METADATA", "RECORD"))]
        K["license files in wheel (default globs)"] = " ".join(lic)
        K["License-File lines"] = str(len(_hdr(lo.metadata(), "License-File")))
        K["license files in sdist"] = " ".join(
            n.split("/", 1)[1] for n in lo.sdist().getnames()
            if n.split("/", 1)[1] not in ("pyproject.toml", "PKG-INFO") and not n.endswith(".py")) or "-"
    else:
        K["license files in wheel (default globs)"] = lo.err("build_wheel")
    of = O("oldfmt")
    omd = of.metadata()
    if omd:
        hdr = omd.split("\n\n")[0].split("\n")
        names = [h.split(":")[0] for h in hdr]
        i = names.index("License")
        K["old fmt: License: position"] = "after " + names[i - 1]
        K["old fmt: Keywords"] = _hdr(omd, "Keywords")[0]
        K["old fmt: Provides-Extra"] = ",".join(x.split(": ")[1] for x in _hdr(omd, "Provides-Extra"))
        K["old fmt: Requires-Dist"] = " | ".join(x.split(": ", 1)[1] for x in _hdr(omd, "Requires-Dist"))
        K["old fmt: entry_points.txt"] = repr(of.member("entry_points.txt").decode())
        K["old fmt: sdist files"] = " ".join(n.split("/", 1)[1] for n in of.sdist().getnames())
    else:
        K["old fmt"] = of.err("build_wheel")
    f = O("full621")
    fmd = f.metadata()
    if fmd:
        K["621: Requires-Dist"] = " | ".join(x.split(": ", 1)[1] for x in _hdr(fmd, "Requires-Dist"))
        K["621: Provides-Extra"] = ",".join(x.split(": ")[1] for x in _hdr(fmd, "Provides-Extra"))
        K["621: sdist files"] = " ".join(n.split("/", 1)[1] for n in f.sdist().getnames())
        K["621: METADATA tail"] = repr(fmd.split("Provides-Extra: docs")[1][:60])
    else:
        K["621 (full621)"] = f.err("build_wheel")
    for nm in ("tag_none", "tag_lt4", "tag_compat", "tag_eqstar", "tag_gt_space", "tag_ge"):
        o = O(nm + "_old")
        if not o.res:
            o = O(nm)
        rp = {"tag_none": "none", "tag_lt4": "<4", "tag_compat": "~=3.9", "tag_eqstar": "==3.*",
              "tag_gt_space": "> = 3", "tag_ge": ">=3.6"}[nm]
        K["tag for requires-python %s" % rp] = (
            "py2.py3" if "py2.py3" in o.res["build_wheel"]["ret"] else "py3") if o.ok("build_wheel") else o.err("build_wheel")
    K["Import-Name (tiny)"] = repr("".join(x + "\n" for x in md.split("\n") if x.startswith("Import")) or "-") if "Import" in md else "-"
    for nm in ("nspkg", "nspkg_old"):
        o = O(nm)
        if o.ok("build_wheel"):
            K[nm] = "%s files=%s md=%r" % (o.res["build_wheel"]["ret"], ",".join(
                n for n in o.zip().namelist() if ".dist-info" not in n),
                "".join(x for x in o.metadata().split("Summary: Namespace")[-1:]) if nm == "nspkg" else "")
        else:
            K[nm] = o.err("build_wheel")
    o = O("stubs")
    K["stubs"] = ("%s files=%s" % (o.res["build_wheel"]["ret"], ",".join(
        n for n in o.zip().namelist() if ".dist-info" not in n))) if o.ok("build_wheel") else o.err("build_wheel")
    for nm in ("symlinks_old", "symlinks"):
        o = O(nm)
        if o.ok("build_wheel") and o.ok("build_sdist"):
            zz = o.zip()
            ws = ",".join("%s(%d)" % (n, zz.getinfo(n).file_size) for n in zz.namelist() if ".dist-info" not in n)
            ss = ",".join("%s%s" % (m.name.split("/", 1)[1], "->" + m.linkname if m.issym() else "")
                          for m in o.sdist().getmembers())
            K[nm] = "wheel: %s ; sdist: %s" % (ws, ss)
        else:
            K[nm] = "wheel %s / sdist %s" % (o.err("build_wheel") or "ok", o.err("build_sdist") or "ok")
    for nm in ("symlink_escape_old", "symlink_escape"):
        o = O(nm)
        K[nm] = "wheel %s / sdist %s" % (o.err("build_wheel") or "ok", o.err("build_sdist") or "ok")
    for nm in ("readme_upper_old", "readme_upper", "readme_txt", "readme_unknown", "readme_table"):
        o = O(nm)
        m = o.metadata()
        K["readme " + nm] = (_hdr(m, "Description-Content-Type") or ["no content type"])[0] if m else o.err("build_wheel")
    o = O("static621")
    m = o.metadata()
    K["static621 Summary/Author"] = repr("\n".join(_hdr(m, "Summary", "Author"))) if m else o.err("build_wheel")
    o = O("multiline_old")
    m = o.metadata()
    K["multiline_old"] = repr("\n".join(_hdr(m, "Summary", "Author", "License", "Home-page"))) if m else o.err("build_wheel")
    for nm in ("dynver_files_old", "dynver_files", "dynver_multi_old", "dynver_annot", "dynver_import_old"):
        o = O(nm)
        gr = o.res.get("get_requires_for_build_wheel", {})
        K["dyn " + nm] = "%s; get_requires=%s" % (
            o.res["build_wheel"]["ret"].split("-")[1] if o.ok("build_wheel") else o.err("build_wheel"),
            gr.get("ret") if gr.get("ok") else "ERR")
    for nm in ("extdata_old", "extdata", "sdistinc_old", "sdistinc_rec"):
        o = O(nm)
        if nm.startswith("extdata"):
            K[nm] = ",".join(n for n in o.zip().namelist() if ".data/" in n) if o.ok("build_wheel") else o.err("build_wheel")
        else:
            K[nm] = " ".join(n.split("/", 1)[1] for n in o.sdist().getnames()) if o.ok("build_sdist") else o.err("build_sdist")
    for nm in ("lic_simple", "lic_compound", "lic_with", "lic_lower_op", "lic_space", "lic_classifier",
               "lic_unknown", "lic_file_dot"):
        o = O(nm)
        m = o.metadata()
        K[nm] = " | ".join(_hdr(m, "License-Expression", "License", "License-File")) if m else o.err("build_wheel")
    o = O("entrypoints")
    K["entrypoints (621)"] = repr(o.member("entry_points.txt").decode()) if o.ok("build_wheel") else o.err("build_wheel")
    o = na
    zz = o.zip()
    fl = {n: zz.getinfo(n).flag_bits for n in zz.namelist()}
    K["zip flag for non-ASCII name"] = "0x%04x" % next(b for n, b in fl.items() if "données" in n)
    tf = o.sdist()
    K["sdist PAX keys (nonascii)"] = ",".join(sorted({k for m in tf.getmembers() for k in m.pax_headers}))
    pf = []
    for nm in ("full621", "static621", "nspkg", "hyphen", "dotted_name", "stubs", "importnames",
               "unknown_key", "extdata", "sdistinc_rec", "licdefault", "lic_simple", "mixed_tables"):
        o = O(nm)
        pf.append("%s:%s" % (nm, "ok" if o.ok("build_wheel") else "X"))
    K["[project] probes building"] = " ".join(pf)
    o = O("importnames")
    m = o.metadata()
    K["importnames"] = repr("".join(x + "\n" for x in m.split("\n") if x.startswith("Import"))) if m else o.err("build_wheel")
    o = O("hyphen")
    K["hyphen name"] = o.res["build_wheel"]["ret"] if o.ok("build_wheel") else o.err("build_wheel")
    return K


def knobs(cache, versions):
    rdir = cache / "report"
    rdir.mkdir(parents=True, exist_ok=True)
    table = {}
    for v in versions:
        try:
            table[v] = knob_values(cache, v)
        except Exception as e:  # keep going; show what failed
            table[v] = {"extraction error": "%s: %s" % (type(e).__name__, e)}
    names = []
    for v in versions:
        for k in table[v]:
            if k not in names:
                names.append(k)
    with open(str(rdir / "knobs.md"), "w") as f:
        for k in names:
            f.write("\n### %s\n\n| release | value |\n|---|---|\n" % k)
            prev = object()
            for v in versions:
                val = table[v].get(k, "")
                f.write("| %s | `%s`%s |\n" % (v, str(val).replace("|", "\\|").replace("`", "'"),
                                             " ◀" if (v != versions[0] and val != prev) else ""))
                prev = val
    (rdir / "knobs.json").write_text(json.dumps(table, indent=1, ensure_ascii=False))
    # compact form: only the releases where a value changes
    with open(str(rdir / "knobs-changes.txt"), "w") as f:
        for k in names:
            f.write("%s\n" % k)
            prev = object()
            for v in versions:
                val = table[v].get(k, "")
                if val != prev:
                    f.write("  %-7s %s\n" % (v, val))
                prev = val
    print("knobs in", rdir / "knobs.md")


# ---------------------------------------------------------------------------
# CPython matrix
# ---------------------------------------------------------------------------
def find_pythons():
    base = Path.home() / ".pyenv" / "versions"
    res = []
    if base.is_dir():
        for d in sorted(base.iterdir(), key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)]):
            exe = d / "bin" / "python3"
            if exe.exists() and d.name.startswith("3."):
                res.append(str(exe))
    return res


def matrix(cache, versions, pythons, py):
    root = cache / "projects"
    if not root.exists():
        write_projects(cache)
    # unpack each release's wheel once; install the TOML parsers the old ones need
    deps = cache / "matrix" / "deps"
    for dep in ("pytoml", "toml", "tomli==1.2.3"):
        dd = deps / dep.split("==")[0]
        if not dd.exists():
            sh([py, "-m", "pip", "install", "-q", "--no-deps", "--target", str(dd), dep])
    rows = []
    for pyexe in pythons:
        pyver = sh([pyexe, "-c", "import sys;print('%d.%d.%d' % sys.version_info[:3])"]).strip()
        venv = cache / "matrix" / ("venv-" + pyver)
        if not venv.exists():
            sh([pyexe, "-m", "venv", "--without-pip", str(venv)])
        vpy = venv / "bin" / "python"
        for v in versions:
            whl = next((cache / "dl").glob("flit_core-%s-*.whl" % v))
            unpacked = cache / "matrix" / "unpacked" / v
            if not unpacked.exists():
                zipfile.ZipFile(str(whl)).extractall(str(unpacked))
            out = cache / "matrix" / "out" / pyver / v
            shutil.rmtree(str(out), ignore_errors=True)
            tasks = []
            for name in ("tiny", "tiny_old", "nonascii", "full621"):
                o = out / name
                o.mkdir(parents=True)
                tasks.append({"src": str(root / name), "work": str(cache / "matrix" / "work" / name),
                              "out": str(o), "env": {"SOURCE_DATE_EPOCH": SDE, "TZ": "UTC"},
                              "hooks": ["build_wheel", "build_sdist"]})
            job = cache / "matrix" / "job.json"
            job.write_text(json.dumps({"tasks": tasks, "info": str(out / "info.json")}))
            runner = cache / "runner.py"
            runner.write_text(RUNNER)
            env = dict(os.environ, PYTHONHASHSEED="0")
            env["PYTHONPATH"] = os.pathsep.join(
                [str(unpacked)] + [str(deps / d) for d in ("pytoml", "toml", "tomli")])
            r = subprocess.run([str(vpy), "-W", "ignore", str(runner), str(job)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, env=env)
            cells = {}
            for name in ("tiny", "tiny_old", "nonascii", "full621"):
                rj = out / name / "result.json"
                if r.returncode != 0 or not rj.exists():
                    cells[name] = "CRASH: " + r.stdout.strip().splitlines()[-1][:120] if r.stdout.strip() else "CRASH"
                    continue
                res = json.loads(rj.read_text())
                cell = {}
                for hook in ("build_wheel", "build_sdist"):
                    h = res[hook]
                    if h.get("ok"):
                        data = (out / name / hook / h["ret"]).read_bytes()
                        cell[hook] = hashlib.sha256(data).hexdigest()[:12]
                    else:
                        cell[hook] = "ERR " + h["error"][:100]
                cells[name] = cell
            rows.append({"python": pyver, "flit": v, "cells": cells})
            print("matrix", pyver, v, json.dumps(cells)[:300])
    (cache / "matrix" / "matrix.json").write_text(json.dumps(rows, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default="/tmp/flit-versions-cache", type=Path)
    ap.add_argument("--versions", nargs="*")
    ap.add_argument("--projects", nargs="*")
    ap.add_argument("--only", nargs="*", default=["setup", "run", "report", "knobs"],
                    choices=["setup", "run", "report", "knobs", "matrix"])
    ap.add_argument("--pythons", nargs="*")
    args = ap.parse_args()
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    versions = args.versions or list_versions(py)
    print("releases:", " ".join(versions))
    projects = args.projects or list(PROJECTS)
    if "setup" in args.only:
        setup(cache, versions, py)
    if "run" in args.only:
        run(cache, versions, projects)
    if "report" in args.only:
        report(cache, versions)
    if "knobs" in args.only:
        knobs(cache, versions)
    if "matrix" in args.only:
        matrix(cache, versions, args.pythons or find_pythons(), py)


if __name__ == "__main__":
    main()
