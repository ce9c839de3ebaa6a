#!/usr/bin/env python3
"""Write the PEP 440 / PEP 508 differential test vectors from the oracle, packaging 26.3.

    python tests/vectors/generate.py [--out DIR]

Each ``*.tsv`` line is ``input<TAB>ok<TAB>normal`` or ``input<TAB>error``, the strings as
JSON (ASCII only, so tabs, newlines and any Unicode survive). ``ok`` means packaging built
the object and ``str()`` of it succeeded, ``normal`` being that string; ``error`` means
either step raised anything at all (packaging fails with InvalidVersion, InvalidSpecifier,
InvalidMarker and InvalidRequirement, but also with ValueError past Python's int-digit
limit, AssertionError when a set holds a ``~=`` version its Version class refuses, and
ValueError from ``str()`` of a marker string holding both quote characters).
``version_order.tsv`` holds ``a<TAB>b<TAB>-1|0|1``, packaging's comparison of two versions,
and ``names.tsv`` ``name<TAB>valid|invalid<TAB>canonical`` from ``canonicalize_name``.

The output depends only on packaging and this file: inputs come from hand-written lists
and from grammar-based generators driven by a fixed-seed splitmix64 (not ``random``,
whose algorithms may change between Python releases). Non-ASCII characters are drawn from
a short list whose Unicode properties have not changed in years, and two things
forge_backend deliberately does not do are left out: ``\\N{name}`` escapes in marker
strings (they need the Unicode name table) and escapes that make a lone surrogate
(it cannot be UTF-8). tests/python/test_pep_vectors.py re-runs this script and checks the
committed files are its exact output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

PACKAGING_VERSION = "26.3"
MASK = (1 << 64) - 1


class Rng:
    """splitmix64: tiny, and the same sequence on every Python."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def chance(self, percent: int) -> bool:
        return self.below(100) < percent

    def pick(self, seq):
        return seq[self.below(len(seq))]


# Characters for mutations and odd spots: ASCII that matters to the grammars, whitespace
# that Python's \s knows and PEP 508's WS does not, and a few long-stable non-ASCII letters
# and digits (including the ones Python's case-insensitive regex folds to ASCII).
ODD_CHARS = (
    list(".-_+!*,;:@()[]<>=~'\"\\ \tvV0123456789aAbBcCeErRpPdDsSiIlLtTxX#/$")
    + ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x00", "\x85", "\xa0", "\u3000", "\u2028"]
    + ["\xe9", "\xdf", "\u0130", "\u0131", "\u017f", "\u212a", "\u0663", "\u2460"]
    + ["\u4e00", "\uff11", "\U0001f600", "\u0345"]
)
UNICODE_SPACES = ["\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2000", "\u3000", "\u2028"]


def mutate(rng: Rng, s: str, times: int) -> str:
    """Small edits that turn a string from the grammar into a near miss (or a new hit)."""
    for _ in range(times):
        kind = rng.below(6)
        i = rng.below(len(s) + 1)
        if kind == 0 or not s:
            s = s[:i] + rng.pick(ODD_CHARS) + s[i:]
        elif kind == 1:
            s = s[:i] + s[i + 1 :]
        elif kind == 2 and i < len(s):
            s = s[:i] + s[i] + s[i:]
        elif kind == 3 and i + 1 < len(s):
            s = s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        elif kind == 4:
            s = s[:i]
        else:
            s = s[:i] + rng.pick(ODD_CHARS) + s[i + 1 :]
    return s


def maybe_mutate(rng: Rng, s: str, percent: int) -> str:
    if rng.chance(percent):
        return mutate(rng, s, 1 + rng.below(2))
    return s


# --------------------------------------------------------------------------- versions


def gen_number(rng: Rng) -> str:
    r = rng.below(100)
    if r < 45:
        return str(rng.below(10))
    if r < 70:
        return str(rng.below(100))
    if r < 80:
        return str(rng.below(100000))
    if r < 90:
        return "0" * (1 + rng.below(3)) + str(rng.below(100))
    if r < 93:
        return str(rng.next()) + str(rng.next())
    return "0"


def gen_sep(rng: Rng) -> str:
    return rng.pick(["", "", "", ".", "-", "_"])


def gen_version_parts(rng: Rng, releases: int = 0) -> tuple[str, str, str]:
    """(epoch and release, pre/post/dev suffix, local label) of a version, unpadded."""
    head = ""
    if rng.chance(8):
        head += rng.pick(["v", "V"])
    if rng.chance(10):
        head += gen_number(rng) + "!"
    head += ".".join(gen_number(rng) for _ in range(releases or 1 + rng.below(4)))
    suffix = ""
    if rng.chance(35):
        word = rng.pick(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Beta", "PREVIEW"])
        suffix += gen_sep(rng) + word + gen_sep(rng)
        if rng.chance(80):
            suffix += gen_number(rng)
    if rng.chance(30):
        if rng.chance(25):
            suffix += "-" + gen_number(rng)
        else:
            suffix += gen_sep(rng) + rng.pick(["post", "rev", "r", "POST", "Rev"]) + gen_sep(rng)
            if rng.chance(75):
                suffix += gen_number(rng)
    if rng.chance(30):
        suffix += gen_sep(rng) + rng.pick(["dev", "DEV", "Dev"]) + gen_sep(rng)
        if rng.chance(75):
            suffix += gen_number(rng)
    local = ""
    if rng.chance(20):
        parts = [
            rng.pick(["abc", "ubuntu", "1", "007", "AbC", "x9", "deadbeef", gen_number(rng)])
            for _ in range(1 + rng.below(3))
        ]
        local = "+" + parts[0]
        for p in parts[1:]:
            local += rng.pick([".", "-", "_"]) + p
    return head, suffix, local


def gen_version(rng: Rng) -> str:
    head, suffix, local = gen_version_parts(rng)
    out = head + suffix + local
    if rng.chance(6):
        out = rng.pick([" ", "\t", "  ", "\n"] + UNICODE_SPACES) + out
    if rng.chance(6):
        out += rng.pick([" ", "\t", "\n", "\r\n"] + UNICODE_SPACES)
    return out


HAND_VERSIONS = [
    # PEP 440 examples and the standards.md list
    "1.0", "1.0.0", "0.1", "1!1.0", "1.0a1", "1.0b2", "1.0rc3", "1.0c1", "1.0.post1",
    "1.0.dev1", "1.0a1.post1.dev1", "1.0+local", "1.0+abc.5", "1.0+5", "1.0-rc1",
    "1.0alpha1", "1.0.dev", "1.0-1", "1.0.r1", "01.02", "v1.0", " 1.0 ", "1.0+Ab_c-d",
    "1!2.0", "0!2.0", "2012.10", "1.0.0.0.0", "0", "00", "0.0", "1.2.3.4.5.6.7.8.9.10",
    # spellings
    "1.0A1", "1.0RC1", "1.0.POST1", "1.0.DEV1", "V1.0", "1.0+ABC", "1.0-a1", "1.0_a1",
    "1.0.a1", "1.0a.1", "1.0a-1", "1.0a_1", "1.0beta1", "1.0pre1", "1.0preview1",
    "1.0PREVIEW", "1.0a", "1.0b", "1.0c", "1.0rc", "1.0.post", "1.0-post1", "1.0_post1",
    "1.0post1", "1.0.post-1", "1.0.post_1", "1.0-r1", "1.0.rev1", "1.0.r", "1.0rev",
    "1.0dev1", "1.0-dev1", "1.0_dev1", "1.0dev", "1.0+1_2-3", "01.02.003", "1.0+0001",
    "1.0+01a", "1.0+a01", "00!1.0", "1.0a01", "1.0.post01", "1.0.dev01", "1.0+000",
    "1.0+1.2.3", "1.0a1.dev1", "1.0b2.post345.dev456", "1.0rc1+local.1",
    "1.0.post1.dev1+local", "1!2.0b3.post4.dev5+6.a", "1.0-1.dev1", "1.0-1+x",
    "1.0a-", "1.0a.", "1.0a_", "1.0.post.", "1.0.post-", "1.0-dev-", "1.0.dev.",
    "1.0a1-1", "1.0a1-post", "1.0a1.r", "1.0-r", "1.0r", "1.0alpha", "1.0.alpha.1",
    "1.0-preview-2", "1.0_c_3", "1.0.RC.4", "1.0PoSt5", "1.0DeV6",
    # whitespace
    " 1.0", "1.0 ", "\t1.0\n", "\x0c1.0\x0b", "\u30001.0", "\xa01.0", "1.0\x85",
    "\u20281.0", "\x1c1\x1c", "\r\n1.0\r\n", " v1.0 ",
    # invalid
    "", " ", "\t", "v", "V", "vv1.0", "V 1.0", "1.", ".1", "1..0", "1.0.", "1.0-", "1.0+",
    "1.0+.", "1.0+a.", "1.0+a..b", "1.0+a+b", "1.0+-a", "1.0+_", "1.0a1a2",
    "1.0.post1.post2", "1.0.dev1.dev2", "1.0dev1a1", "1.0.post1a1", "!1.0", "1!", "1!!1",
    "1!v1.0", "v1!1.0", "-1.0", "+1.0", "1.0 a1", "1 .0", "1. 0", "1.0.*", "1.*",
    "1.0_", "a1.0", "1.0q", "1.0-1-1", "1.0--1", "1.0-.1", "1.0-1a", "1.0.post1-1",
    "1.0+local+", "1.0+loc al", "1,0", "1.0;", "1.0\x00", "\x001.0", "1.0\u200b",
    "\u0661.\u0660", "1.0\u0663", "\uff11.0", "1.0\u017f", "1.0+\u017f", "1.0po\u017ft1",
    "1.0.prev\u0130ew1", "1.0.prev\u0131ew1", "1.0+\u212a", "\u0131.0", "1.\xe9",
    "1.0alpha1beta2", "1.0.post1.dev1.dev2", "1.0c1.rc1", "1.0rc1c1", "1.0-preview",
    "1.0.0-", "1.0+a-", "1.0+a_", "1.0+.a", "1.0+a.-b",
    # big numbers
    "99999999999999999999999", "1.99999999999999999999999", "99999999999999999999!1",
    "1.0a99999999999999999999", "1.0.post99999999999999999999", "1.0.dev99999999999999999999",
    "1.0+99999999999999999999", "18446744073709551615", "18446744073709551616",
    "1." + "0" * 30, "0" * 40 + "1", "1.0+" + "0" * 30, "1.0+" + "a" * 300,
    "1" * 4300, "1" * 4301, "0" * 4301, "0" * 4300, "1.0+" + "1" * 4301, "1.0+" + "1" * 4300,
    "1" * 4301 + "!1", "1.0a" + "2" * 4301, "1.0.post" + "3" * 4301, "1.0-" + "3" * 4301,
    "1.0.dev" + "4" * 4301, "1" * 4301 + "x", "1.0+" + "x" + "1" * 4301,
]


# ------------------------------------------------------------------------- specifiers

OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]
BAD_OPERATORS = ["=", "=>", "=<", "<>", "~", "!", "====", "!==", "~==", "", "= ="]


def gen_ws(rng: Rng, percent: int = 30) -> str:
    if not rng.chance(percent):
        return ""
    return rng.pick([" ", " ", "  ", "\t", " \t "])


def gen_specifier(rng: Rng) -> str:
    op = rng.pick(OPERATORS) if rng.chance(96) else rng.pick(BAD_OPERATORS)
    ws = gen_ws(rng, 25)
    if rng.chance(3):
        ws = rng.pick(UNICODE_SPACES + ["\n"])
    if op == "===":
        version = rng.pick([gen_version(rng).strip(), "foo", "1.0-anything", "a,b", "(x)", "1;2", ""])
        return op + ws + version
    # Mostly what the operator allows (PEP 440's rules), sometimes not.
    fits = rng.chance(85)
    head, suffix, local = gen_version_parts(rng, 2 + rng.below(2) if op == "~=" and fits else 0)
    if op in ("==", "!=") and rng.chance(15):
        version = head + ".*" if fits else head + suffix + local + ".*"
    elif op in ("==", "!=") or not fits:
        version = head + suffix + local
    else:
        version = head + suffix
    return op + ws + version


def gen_specifier_set(rng: Rng) -> str:
    specs = [gen_specifier(rng) for _ in range(rng.below(5))]
    if rng.chance(15) and specs:
        specs.append(rng.pick(specs))
    out = ""
    for i, spec in enumerate(specs):
        if i:
            out += gen_ws(rng, 25) + "," + gen_ws(rng, 35)
        out += spec
    if rng.chance(5):
        out += ","
    return gen_ws(rng, 10) + out + gen_ws(rng, 10)


HAND_SPECIFIERS = [
    "", " ", ",", ",,", " , ", ">=1.0", ">= 1.0", ">=1.0 ", "  >=1.0,<2.0  ", "==1.0.*",
    "!=1.0.*", "==1.*", "==1.0.*.*", ">=1.0.*", "<=1.0.*", "<1.*", "~=1.0.*", "===1.0.*",
    "~=1.0", "~=1", "~=1.0+local", "==1.0+local", "!=1.0+local", ">=1.0+local",
    "<=1.0+local", "==1.0+local.*", "==1.0a1.*", "==1.0.post1.*", "==1.0.dev1.*",
    "===1.0", "=== 1.0", "===foo", "===", "=== ", " === ", "===1.0 2", "===a;b", "===a)b",
    "===a,b", "===(x", "<1.0", ">1.0", "<=1.0", "<>1.0", "=1.0", "=>1.0", "==", ">=",
    "1.0", ">=v1.0", ">=V1.0", ">=1!1.0", ">=1.0a1", ">=1.0.post1", ">=1.0.dev1",
    ">=1.0-1", "~=1.0a1", "~=1.0.post1.dev1", "~=2.2.post3", "~=1!1.0", "~=v1.0",
    "==1.0,==1.0.0", "==1.0.0,==1.0", "~=1.0,~=1.0.0", ">=1,>=1.0,>=1.0.0",
    "<2,>=1", ">=1,<2", "!=1.5,>=1,<2,!=1.6", "==1.0a1,==1.0A1", "==1.0.*,==1.0.*",
    "===1,===1", "===1.0,==1.0", ">=1 ,, <2", "\u3000>=1", ">=\u30001", ">=1\u3000",
    ">=\n1", ">=1\n", "\n>=1", ">=1\x1c,\x1c<2", "~=1.0.po\u017ft1", "~=1.0.po\u017ft1,>=1",
    "~=1.0.prev\u0131ew1", "~=1.0.prev\u0130ew1", "~=1.0.prev\u0130ew1,<3",
    "==1.0.po\u017ft1", ">=1.0.po\u017ft1", "~=V1.0", "~=1.0\u212a", "==1.0+\u017f",
    "~=1." + "1" * 4301, "~=1." + "1" * 4301 + ",>=1", "==" + "1" * 4301,
    "==" + "1" * 4301 + ",!=2", "===" + "1" * 4301 + ",!=2", ">=1.0,>=01.0", ">=1.0,>=1.00",
    "==1.0+AbC,==1.0+abc", "==1.0+a.b,==1.0+a-b", "~=1.0.0,~=1.0", "!=1.0.*,!=1.0",
    "==1!1.0,==1!1", "==0!1.0,==1.0", ">1.0a,>1.0a0", ">=1.0-1,>=1.0.post1",
    "<=1.0.dev,<=1.0.dev0", ">=v1.0,>=1.0", "==1.0.*,==1.0", "< 1 , > 0", "<1,>0,<1",
    "!=1.0.*, ==1.0.*", "== 1.0.* ", "==1.0 .*", "==1.0. *", "==1.*.0",
    ">=1.0;", ">=1.0)", "(>=1.0)", ">=1.0 <2", ">=1.0,<2 ,", "a", ">=a", "~=", "~= 1.0",
    "==1.0a1-1", "==1.0a.post.dev", "==1.0_dev", "!=1.0-dev-", ">=1.0+", "==1.0+",
    "==1.0+a.", "===\u00e9", "===\xa0", "=== \xa0", ">=1.0\u00e9",
]


# ---------------------------------------------------------------------------- markers

VARIABLES = [
    "python_version", "python_full_version", "os_name", "os.name", "sys_platform",
    "sys.platform", "platform_release", "platform_system", "platform_version",
    "platform.version", "platform_machine", "platform.machine",
    "platform_python_implementation", "platform.python_implementation",
    "python_implementation", "implementation_name", "implementation_version", "extra",
    "extras", "dependency_groups",
]
BAD_VARIABLES = [
    "python_versions", "Python_version", "os_nam", "os-name", "platform.release",
    "extrax", "sys_platform2", "implementation.name", "PYTHON_VERSION", "python_version_",
    "version", "extras_", "dependency-groups",
]
MARKER_OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
BAD_MARKER_OPS = ["=", "not", "notin", "not  in", "not\tin", "is", "<>", "IN", "=<", "in in"]
STRING_VALUES = [
    "3.8", "2.7", "3", "3.10.1", "3.13.0a2", "posix", "nt", "linux", "win32", "darwin",
    "cpython", "CPython", "PyPy", "x86_64", "arm64", "Linux", "Windows", "", " ",
    "Foo_Bar", "foo.bar", "FOO--BAR", "a-b", "test", "Dev_Tools", "docs", "a__b..c",
    "\u00e9", "\u0130nt", "\u00df", "x\ty", "1.0.*", ">=3", "it's", 'say "hi"',
]
ESCAPES = [
    "\\x41", "\\n", "\\t", "\\\\", "\\u00e9", "\\U0001F600", "\\101", "\\0", "\\q", "\\d",
    "\\'", '\\"', "\\x4", "\\u12", "\\U00110000", "\\777", "\\8", "\\a\\b\\f\\v\\r",
    "\\\n", "\\\r\n", "\\\r", "\\x22", "\\x27", "\\X41", "\\\u00e9",
]


def gen_string(rng: Rng) -> str:
    value = rng.pick(STRING_VALUES)
    if rng.chance(12):
        i = rng.below(len(value) + 1)
        value = value[:i] + rng.pick(ESCAPES) + value[i:]
    quote = '"' if rng.chance(50) else "'"
    if quote in value:
        quote = "'" if quote == '"' else '"'
        if quote in value and rng.chance(70):
            value = value.replace(quote, "")
    return quote + value + quote


def gen_operand(rng: Rng) -> str:
    if rng.chance(50):
        return rng.pick(VARIABLES) if rng.chance(95) else rng.pick(BAD_VARIABLES)
    return gen_string(rng)


def gen_item(rng: Rng) -> str:
    op = rng.pick(MARKER_OPS) if rng.chance(96) else rng.pick(BAD_MARKER_OPS)
    if op == "not in" and rng.chance(20):
        op = rng.pick(["not  in", "not\tin", "not \t in"])
    if rng.chance(55):
        lhs, rhs = rng.pick(VARIABLES), gen_string(rng)
        if rng.chance(25):
            lhs, rhs = rhs, lhs
    else:
        lhs, rhs = gen_operand(rng), gen_operand(rng)
    word_op = op[0].isalpha()
    left_ws = gen_ws(rng, 80) or (" " if word_op and rng.chance(85) else "")
    right_ws = gen_ws(rng, 80) or (" " if word_op and rng.chance(85) else "")
    return lhs + left_ws + op + right_ws + rhs


def gen_marker_expr(rng: Rng, depth: int) -> str:
    count = 1 + (rng.below(3) if depth < 2 else 0)
    out = ""
    for i in range(count):
        if i:
            boolop = rng.pick(["and", "or"]) if rng.chance(97) else rng.pick(["AND", "&&", "or not", "xor"])
            out += (gen_ws(rng, 85) or "") + boolop + (gen_ws(rng, 90) or "")
            if not out.endswith((" ", "\t")) and rng.chance(70):
                out += " "
        if depth < 2 and rng.chance(22):
            inner = gen_marker_expr(rng, depth + 1)
            out += "(" + gen_ws(rng, 20) + inner + gen_ws(rng, 20) + ")"
            if rng.chance(5):
                out = "(" + out + ")" if i == 0 else out
        else:
            out += gen_item(rng)
    return out


def gen_marker(rng: Rng) -> str:
    expr = gen_marker_expr(rng, 0)
    # A separator is needed after a keyword or variable; make sure items are not glued.
    expr = expr.replace("andor", "and or")
    return gen_ws(rng, 10) + expr + gen_ws(rng, 10)


HAND_MARKERS = [
    'python_version >= "3.8"', "python_version>='3.8'", '"3.8" <= python_version',
    'python_version < "3" or (os_name == "a" and (extra == "B" or extra == "C"))',
    '(python_version < "3") and (os_name == "a")', '((os_name == "x"))', '(((os_name == "x")))',
    'os_name == "a" and os_name == "b" or os_name == "c"',
    'os_name == "a" or os_name == "b" and os_name == "c"',
    '(os_name == "a" or os_name == "b") and os_name == "c"',
    'os_name == "a" or (os_name == "b" and os_name == "c")',
    'os_name == "a" and (os_name == "b")', '(os_name == "a" and os_name == "b")',
    '((os_name == "a" and os_name == "b") or os_name == "c")',
    'os_name == "a" or ((os_name == "b" and os_name == "c"))',
    'os_name=="a"and os_name=="b"', 'os_name=="a"or"b"==os_name', "os_name=='a'andos_name=='b'",
    'os_name not in "abc"', 'os_name not    in "abc"', 'os_name not\tin "abc"',
    'os_name notin "abc"', 'os_name not  "abc"', '"a" in os_name', '"a"in"abc"',
    '"a" in"abc"', '"a"in "abc"', '"a" inos_name', '"a" not in os_name',
    'os.name == "x"', 'sys.platform == "x"', 'platform.version == "x"',
    'platform.machine == "x"', 'platform.python_implementation == "x"',
    'python_implementation == "x"', 'platform.release == "x"', 'platform.system == "x"',
    'implementation_name == "cpython"', 'implementation_version >= "3"',
    'python_full_version == "3.8.0"', 'platform_release == "5"', 'platform_system == "Linux"',
    'platform_version == "#1"', 'platform_machine == "x86_64"', 'sys_platform == "linux"',
    "extra == 'Foo_Bar'", "extra == 'foo.bar'", "'Foo_Bar' == extra", "extra != 'A'",
    "extra < 'A'", "extra in 'A.B'", "'A.B' in extra", "'A_B' not in extra",
    "extras == 'Foo'", "'Foo' in extras", "'Foo' not in extras", "extras in 'Foo'",
    "'Foo' == extras", "'Foo_Bar' in dependency_groups", "dependency_groups == 'Foo'",
    "'Foo' not in dependency_groups", "extra == extras", "extra == extra",
    "os_name == os_name", "'a' == 'b'", "'a' < 'b'", "os_name ~= '1'", "os_name === '1'",
    "python_version ~= '3.8'", "python_version === '3.8'", "os_name = 'a'", "os_name 'a'",
    "os_name", "'a'", "", " ", "()", "( )", "(os_name == 'a'", "os_name == 'a')",
    "os_name == 'a' or", "or os_name == 'a'", "os_name == 'a' and and os_name == 'b'",
    "os_name == 'a' AND os_name == 'b'", "os_name == 'a' && os_name == 'b'",
    "os_name == 'a' ", " os_name == 'a'", "\tos_name == 'a'\t", "os_name == 'a'\n",
    "\nos_name == 'a'", "os_name\n== 'a'", "os_name ==\n'a'", "os_name\xa0== 'a'",
    "os_name\u3000== 'a'", "os_name == 'a' ; os_name == 'b'",
    "python_version > '3' > '2'", "'2' < python_version < '4'", "python_version == 3",
    "python_version == '3", "python_version == \"3'", "os_name == 'a\"b'",
    'os_name == "a\'b"', "os_name == '\\x22\\x27'", "os_name == '\\x22'", "os_name == \"\\x27\"",
    "os_name == '\\q'", "os_name == 'a\\\nb'", "os_name == 'a\\\r\nb'", "os_name == 'a\\\rb'",
    "os_name == 'a\rb'", "os_name == 'a\nb'", "os_name == 'a\x00b'", "os_name == '\\0'",
    "os_name == '\\777'", "os_name == '\\1234'", "os_name == '\\8'", "os_name == '\\X41'",
    "os_name == '\\U00110000'", "os_name == '\\U0010FFFF'", "os_name == '\\U0001F600'",
    "os_name == '\\x4'", "os_name == '\\x4g'", "os_name == '\\u00e'", "os_name == '\\u00E9'",
    "os_name == 'a\\'", 'os_name == "a\\\\"', "os_name == 'a\\\\'", "os_name == '\\\xe9'",
    "os_name == '\\'b'", "os_name == '\\a\\b\\f\\v\\r\\t\\n'", "os_name == 'x\\\\y'",
    "os_name == 'a\x0cb'", "os_name == 'a\x0bb'", "os_name == 'a\x1ab'", "os_name == 'a\x1cb'",
    "os_name == 'a\x85b'", "os_name == 'a\u2028b'", "os_name == '\ufeffa'",
    "os_name == 'a\tb'", "os_name == '\U0001f600'", "extra == '\\x41_B'",
    "extra == 'A\\nB'", "extra == '\u0130'", "extra == '\u00df'", "extra == '\u212a'",
    "'\u0130' in extras", "extra == 'A--B__C..D'", "extra == '-A-'", "extra == ''",
    "python_versionor", "python_version or", "python_version == 'a'or", "os_name==\"a\"or\"b\"==os_name",
    "os_name == 'a' or(os_name == 'b')", "os_name == 'a' or (os_name == 'b')and os_name == 'c'",
    "(os_name == 'a')or(os_name == 'b')", "(os_name=='a')and(os_name=='b')",
    "python_version\xe9 == 'a'", "os_name == 'a' or\xe9", "os_name in\xe9'a'",
    "\u0130n == 'a'", "os_name \u0130n 'a'", "extra\u017f == 'a'",
    "((((((((((os_name == 'a'))))))))))", "(" * 40 + "os_name == 'a'" + ")" * 40,
    "(" * 40 + "os_name == 'a'" + ")" * 39,
]


# ----------------------------------------------------------------------- requirements

NAMES = [
    "a", "A", "requests", "Django", "zope.interface", "typing_extensions", "foo-bar",
    "Foo.Bar_Baz-1", "a1", "1a", "123", "x.y.z", "a__b", "a..b", "a--b", "a-_.b",
]
ODD_NAMES = [
    "foo_", "foo.", "foo-", "-foo", "_foo", ".foo", "f\xf6o", "\xe9", "foo\xe9", "foo.\xe9",
    "foo bar", "foo@", "foo+", "foo;", "f", "foo_-", "foo_.bar_",
]
URLS = [
    "https://example.com/a.whl", "file:///tmp/x.tar.gz", "git+https://g.com/r@v1#egg=x",
    "http://x", "u", "./local", "https://h/p;x", "https://h/p?a=1&b=2", "https://h/\xe9",
    "https://h/p)", "https://h/p,q", "@", "https://h/p\n", "'quoted'",
]
EXTRAS = ["security", "tests", "Dev_Tools", "a.b", "X", "x-y", "1", "b_", "_b", "\xe9", "a b"]


def gen_requirement(rng: Rng) -> str:
    out = gen_ws(rng, 8)
    out += rng.pick(NAMES) if rng.chance(93) else rng.pick(ODD_NAMES)
    out += gen_ws(rng, 15)
    if rng.chance(30):
        extras = [rng.pick(EXTRAS) for _ in range(rng.below(4))]
        inner = ""
        for i, extra in enumerate(extras):
            if i:
                inner += gen_ws(rng, 20) + ("," if rng.chance(96) else rng.pick([" ", ";", ""])) + gen_ws(rng, 30)
            inner += extra
        if rng.chance(4):
            inner += ","
        out += "[" + gen_ws(rng, 15) + inner + gen_ws(rng, 15) + "]"
        out += gen_ws(rng, 15)
    has_url = rng.chance(15)
    if has_url:
        out += gen_ws(rng, 80) + "@" + gen_ws(rng, 85) + rng.pick(URLS)
    elif rng.chance(75):
        spec = gen_specifier_set(rng).strip()
        if rng.chance(12):
            out += "(" + gen_ws(rng, 20) + spec + gen_ws(rng, 20) + ")"
        else:
            out += gen_ws(rng, 25) + spec
    if rng.chance(35):
        semi_ws = (" " if has_url and rng.chance(85) else "") + gen_ws(rng, 25)
        out += semi_ws + ";" + gen_ws(rng, 60) + gen_marker(rng).strip()
    out += gen_ws(rng, 8)
    return out


HAND_REQUIREMENTS = [
    "a", "A", "a ", " a", "\ta\t", "a\n", "\na", "a\x0b", "requests", "requests>=2.0",
    "requests >= 2.0", "requests (>=2.0)", "requests ( >=2.0 , <3 )", "requests(>=2.0)",
    "requests[security]", "requests[security,tests]", "requests[ security , tests ]",
    "requests [security] >=2.0", "a[b ,c ]", "a [b] (>=1)", "a[b](>=1)", "a[]", "a[ ]",
    "a()", "a( )", "a[B,b,B]", "a[b,]", "a[,b]", "a[b c]", "a[b;c]", "a[b", "a[b,c",
    "a[\xe9]", "a[b.\xe9]", "a[b_]", "a[b-]", "a[-b]", "a[_b]", "a[1]", "a[b]]",
    "a[[b]]", "a>=1,", "a>=1,,", "a,", "a>=1 ,<2", "a>=1, <2", "a >=1 , <2 ", "a ==1.0.*",
    "a==1.0,==1.0.0", "a==1.0.0,==1.0", "a>=1.0.*", "a==1.0+local.*", "a==1.0+local",
    "a>=1.0+loc", "a>=1.0+LOC", "a==1.0+ABC", "a~=1", "a ~=1", "a~=1.0", "a~=1.0.*",
    "a<=v1", "a>=1 >=2", "a>=1 ,>=2 ,", "a===1,>=2", "a===1,2", "a===1,,", "a===",
    "a ===", "a=== ;os_name=='a'", "a===;os_name=='a'", "a===foo)", "a (===foo)",
    "a (===foo )", "a===a@b", "a===(x", "a~=1.0.po\u017ft1", "a~=1.0.po\u017ft1,>=1",
    "a>=\n1", "a>=\u30001", "a>=1\u3000", "a\u3000>=1", "a>=1\n", "a(>=1", "a>=1)",
    "a (>=1) ;os_name=='a'", "a (>=1);os_name=='a'", "a(>=1)@u", "a>=1@u", "a>=1 @ u",
    "a @ u", "a@u", "a @u", "a@ u", "a @ u\t", "a @ u ", "a @ u\n", "a @", "a @ ", "a@",
    "a @ u;", "a @ u ;", "a @ u ; ", "a @ u ;os_name=='a'", "a @ u;os_name=='a'",
    "a @ u; os_name=='a'", "a\t@\tu\t;\tos_name=='a'", "a @ http://x;python_version>'3'",
    "a @ u ; os_name=='a' x", "a @ u x", "a @ u @ v", "a[x] @ u", "a [x]@u",
    "a @ https://e.com/p?q=1#egg=a", "a @ file:///C:/x y", "a @ \xe9", "a @ u\x0bv",
    "a>=1;", "a;", "a; ", "a ;", "(a)", "a ; os_name=='a'", "a>=1;os_name=='a'",
    "a;os_name=='a'", "a ;os_name=='a' ", "a; os_name=='a';", "a; os_name=='a' and",
    "a!=1.0.*, ==1.0.*", "A.B-C_D[X_Y]>=1.0;extra=='Foo_Bar'", 'a;"a\'b" == os_name',
    "a; os_name == '\\x22\\x27'", "a; os_name == '\\q'", "a; os_name == 'a\\\nb'",
    "a; '3' <= python_version and (os_name == 'x' or extra == 'A.B')",
    "a; ((os_name == 'x'))", "a; os_name=='a'and os_name=='b'", "a;extras=='Foo'",
    "a;'Foo' in extras", "a;'Foo' in dependency_groups", "a;'Foo' == extra",
    "a; os.name == 'x'", "a; python_implementation == 'x'", "foo_>=1", "foo_", "foo.",
    "foo-", "-foo", "foo.\xe9", "foo\xe9", "\xe9", "foo bar", "foo_-", "foo_-_", "foo._",
    "foo_[x]", "foo.[x]", "foo-[x]", "foo_ (>=1)", "foo-(>=1)", "1", "1.0", "1>=1",
    "a_b.c-d", "name[quux, strange];python_version<'2.7' and platform_version=='2'",
    "name>=3,<2", "name@http://foo.com", "name [fred,bar] @ http://foo.com ; python_version=='2.7'",
    "name[quux, strange];python_version<'2.7' and platform_version=='2'",
    "name; os_name=='a' or os_name=='b'", "name; os_name=='a' and os_name=='b' or os_name=='c'",
    "name; os_name=='a' and (os_name=='b' or os_name=='c')", "name; os_name=='a' or (os_name=='b' and os_name=='c')",
    "name (>=1) ; python_version > '3' and extra == 'Test_X'", "a>=1.0a1", "a>=1.0A1",
    "a>= 1.0A1", "a>=V1.0", "a==1!1.0", "a==1.0.post1.dev1", "a<1.0-1", "a!=1.0_dev",
    "a===1.0 ;os_name=='a'", "a===1.0;os_name=='a'", "a; python_version >= '3' and",
    "a; (python_version >= '3'", "a; python_version >= '3')", "a @ u ;(os_name=='a')",
    "a>=1,<2;os_name=='a'", "a>=1,<2,;os_name=='a'", "a>=1.0,>=1.0.0,==2", "a<2,>=1,<2.0",
    "a ;\tos_name == 'a'\t", "a;os_name == 'a'\t", "a; os_name == 'a'\n",
    "a==" + "1" * 4301, "a==" + "1" * 4301 + ",!=2", "a[b]==1.0.*; extra == 'x'",
]


# ------------------------------------------------------------------------------ names

NAME_TOKENS = [
    "a", "Z", "0", "9", "foo", "Bar", ".", "-", "_", "--", "._", " ", "\xe9", "\xc9", "\u0130",
    "\u0131", "\xdf", "\u1e9e", "\u212a", "\u017f", "\u03a3", "\u0391", "\u03c2", "\u0663",
    "\u4e00", "\uff21", "\n", "\t", "@", "+", "!", "\u0345",
]


def gen_name(rng: Rng) -> str:
    r = rng.below(100)
    if r < 45:
        words = [rng.pick(["a", "Foo", "bar9", "X", "1", "zope", "Py", "typing", "0x"]) for _ in range(1 + rng.below(4))]
        name = words[0]
        for w in words[1:]:
            name += "".join(rng.pick(["-", "_", "."]) for _ in range(1 + rng.below(2))) + w
        return maybe_mutate(rng, name, 25)
    if r < 70:
        return maybe_mutate(rng, rng.pick(NAMES + ODD_NAMES + EXTRAS), 40)
    return "".join(rng.pick(NAME_TOKENS) for _ in range(1 + rng.below(5)))


HAND_NAMES = [
    "", "a", "A", "1", "-", "_", ".", "a-", "-a", "a.", ".a", "a_", "_a", "a--b", "A.B_C-D",
    "Foo.._-Bar", "a\n", "\na", " a", "a ", "\u0130", "\u0130a", "\u03a3", "\u0391\u03a3",
    "\u0391\u03a3.\u0392", "\u0391\u03a3\u0391", "\u1e9e", "\u212a", "\u017f", "\xdf",
    "Dev_Tools", "dev-tools", "DEV.TOOLS",
]


def write_names(path: str, canonicalize_name, InvalidName) -> int:
    """``input<TAB>valid|invalid<TAB>canonical``: canonicalize_name with and without validate."""
    rng = Rng(0x5EED_F0E6_E000_0503)
    seen = set()
    lines = [f"# generated by tests/vectors/generate.py from packaging {PACKAGING_VERSION}; do not edit\n"]
    for s in HAND_NAMES + [gen_name(rng) for _ in range(2400)]:
        if s in seen:
            continue
        seen.add(s)
        try:
            canonicalize_name(s, validate=True)
            valid = "valid"
        except InvalidName:
            valid = "invalid"
        lines.append(f"{json.dumps(s)}\t{valid}\t{json.dumps(canonicalize_name(s))}\n")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.writelines(lines)
    return len(lines) - 1


# ------------------------------------------------------------------------- token soup

VERSION_TOKENS = [
    "1", "0", "12", "007", ".", ".", "-", "_", "a", "b", "c", "rc", "pre", "preview", "alpha",
    "beta", "post", "rev", "r", "dev", "+", "!", "v", "V", "x", " ", "*", "\u017f", "A", "RC",
    "DEV", "Post", "l",
]
SPECIFIER_TOKENS = VERSION_TOKENS + [
    "==", "!=", "<=", ">=", "<", ">", "~=", "===", ",", ",", ";", ")", "(", "=", "~", "\u3000",
]
MARKER_TOKENS = [
    "os_name", "os.name", "extra", "extras", "python_version", "dependency_groups",
    "python_implementation", "platform.release", " ", " ", "\t", "==", "!=", "<", ">=", "~=",
    "===", "in", "not", "not in", "and", "or", "(", ")", "'a'", '"b"', "'A_B'", "'\\x27'",
    '"\\""', "'", '"', "x", "'\\\\'", "=", ";",
]
REQUIREMENT_TOKENS = [
    "a", "A", "foo", "_", "-", ".", "[", "]", ",", "@", " ", " ", "\t", "u", "http://x", ";",
    "(", ")", ">=1", "==1.0.*", "===x", "~=1.0", "os_name=='a'", "'a'", "extra", "==", ">",
    "1", "+l", ".*", "\n", "\xe9", "!=", "<2", "in", "and", "or",
]


def soup(rng: Rng, tokens: list[str], count: int):
    """Short random runs of grammar tokens: combinations no grammar above would write."""
    for _ in range(count):
        yield "".join(rng.pick(tokens) for _ in range(1 + rng.below(6)))


# ----------------------------------------------------------------------------- oracle


def has_surrogate(s: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in s)


def run_oracle(factory, s: str):
    """(True, str(factory(s))) or (False, None) when either step raises anything."""
    try:
        return True, str(factory(s))
    except Exception:  # noqa: BLE001 - every failure is an "error" vector
        return False, None


def write_vectors(path: str, factory, inputs) -> int:
    seen = set()
    lines = [f"# generated by tests/vectors/generate.py from packaging {PACKAGING_VERSION}; do not edit\n"]
    for s in inputs:
        if s in seen or "\\N" in s or has_surrogate(s):
            continue
        seen.add(s)
        ok, out = run_oracle(factory, s)
        if ok and has_surrogate(out):
            continue
        field = json.dumps(s)
        lines.append(f"{field}\tok\t{json.dumps(out)}\n" if ok else f"{field}\terror\n")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.writelines(lines)
    return len(lines) - 1


def generated(rng: Rng, gen, count: int, mutate_percent: int):
    for _ in range(count):
        yield maybe_mutate(rng, gen(rng), mutate_percent)


def main() -> int:
    parser = argparse.ArgumentParser(description="Write the PEP 440/508 vectors from packaging.")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()

    # packaging relies on an assert to refuse a few specifier sets; under -O it accepts them.
    if sys.flags.optimize:
        sys.exit("generate.py: run without -O / PYTHONOPTIMIZE (packaging's behaviour changes)")
    # Both change what packaging accepts: pin them rather than inherit the environment.
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(4300)
    warnings.simplefilter("ignore")  # invalid escapes in marker strings only warn

    import packaging
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    if packaging.__version__ != PACKAGING_VERSION:
        sys.exit(f"generate.py: needs packaging=={PACKAGING_VERSION}, found {packaging.__version__}")
    os.makedirs(args.out, exist_ok=True)

    def out(name: str) -> str:
        return os.path.join(args.out, name)

    rng = Rng(0x5EED_F0E6_E000_0440)
    versions = HAND_VERSIONS + list(generated(rng, gen_version, 5600, 30))
    versions += list(soup(rng, VERSION_TOKENS, 1000))
    n = write_vectors(out("versions.tsv"), Version, versions)
    print(f"versions.tsv: {n}")

    rng = Rng(0x5EED_F0E6_E000_0441)
    specifiers = HAND_SPECIFIERS + list(generated(rng, gen_specifier_set, 4950, 25))
    specifiers += list(soup(rng, SPECIFIER_TOKENS, 1000))
    n = write_vectors(out("specifiers.tsv"), SpecifierSet, specifiers)
    print(f"specifiers.tsv: {n}")

    rng = Rng(0x5EED_F0E6_E000_0508)
    markers = HAND_MARKERS + list(generated(rng, gen_marker, 4600, 25))
    markers += list(soup(rng, MARKER_TOKENS, 1000))
    n = write_vectors(out("markers.tsv"), Marker, markers)
    print(f"markers.tsv: {n}")

    rng = Rng(0x5EED_F0E6_E000_0509)
    requirements = HAND_REQUIREMENTS + list(generated(rng, gen_requirement, 5000, 25))
    requirements += list(soup(rng, REQUIREMENT_TOKENS, 1000))
    n = write_vectors(out("requirements.tsv"), Requirement, requirements)
    print(f"requirements.tsv: {n}")

    from packaging.utils import InvalidName, canonicalize_name

    n = write_names(out("names.tsv"), canonicalize_name, InvalidName)
    print(f"names.tsv: {n}")

    # Ordering: pairs of valid versions, many of them close relatives.
    rng = Rng(0x5EED_F0E6_E000_0442)
    pool = []
    for s in versions:
        if len(s) < 200 and run_oracle(Version, s)[0]:
            pool.append(s)
    lines = [f"# generated by tests/vectors/generate.py from packaging {PACKAGING_VERSION}; do not edit\n"]
    for _ in range(1600):
        a = rng.pick(pool)
        b = rng.pick(pool) if rng.chance(50) else maybe_mutate(rng, a, 100)
        if not run_oracle(Version, b)[0]:
            b = rng.pick(pool)
        va, vb = Version(a), Version(b)
        cmp = (va > vb) - (va < vb)
        lines.append(f"{json.dumps(a)}\t{json.dumps(b)}\t{cmp}\n")
    with open(out("version_order.tsv"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(lines)
    print(f"version_order.tsv: {len(lines) - 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
