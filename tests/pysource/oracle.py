"""Oracle for tests/pysource_differential.rs: what flit_core 4.x finds through `ast`.

Usage: oracle.py LISTFILE
LISTFILE holds one path per line (UTF-8). The first line printed is "python X.Y.Z"; then, for
each path, one line:

    <path as hex> TAB <status> TAB <docstring> TAB <version> TAB <summary>

status     "ok", or "err:<exception class>" when ast.parse fails (then the rest is "-").
docstring  "N" (none), "S<hex of UTF-8>", or "U" (contains a lone surrogate).
summary    flit's Summary from that docstring, same notation; "N" where flit would raise
           NoDocstringError (no docstring, or nothing but whitespace).
version    "N" (no match), or "<type>:<payload>": str -> hex of UTF-8 (or "U" for a lone
           surrogate), bytes -> hex, int -> decimal, float -> repr, complex -> repr of the
           imaginary part, bool -> True/False, NoneType/ellipsis -> empty.

The docstring is cleaned with a copy of CPython 3.8-3.12 `inspect.cleandoc` (3.13 strips only
spaces), checked against the real one when this interpreter has that version.
"""
import ast
import sys
import warnings


def cleandoc_312(doc):
    lines = doc.expandtabs().split('\n')
    margin = sys.maxsize
    for line in lines[1:]:
        content = len(line.lstrip())
        if content:
            indent = len(line) - content
            margin = min(margin, indent)
    if lines:
        lines[0] = lines[0].lstrip()
    if margin < sys.maxsize:
        for i in range(1, len(lines)):
            lines[i] = lines[i][margin:]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return '\n'.join(lines)


def is_version_str_assignment(node):
    # flit_core/common.py, 4.x, verbatim in logic.
    if not isinstance(node, (ast.Assign, ast.AnnAssign)):
        return False
    if not isinstance(node.value, ast.Constant):
        return False
    targets = (node.target,) if isinstance(node, ast.AnnAssign) else node.targets
    for target in targets:
        if isinstance(target, ast.Name) and target.id == "__version__":
            return True
    return False


def text(s):
    try:
        return 'S' + s.encode('utf-8').hex()
    except UnicodeEncodeError:
        return 'U'


def version_field(tree):
    for child in tree.body:
        if is_version_str_assignment(child):
            v = child.value.value
            if isinstance(v, bool):
                return 'bool:' + repr(v)
            if v is None:
                return 'NoneType:'
            if v is Ellipsis:
                return 'ellipsis:'
            if isinstance(v, str):
                t = text(v)
                return 'str:' + (t[1:] if t != 'U' else 'U')
            if isinstance(v, bytes):
                return 'bytes:' + v.hex()
            if isinstance(v, int):
                return 'int:' + str(v)
            if isinstance(v, float):
                return 'float:' + repr(v)
            if isinstance(v, complex):
                return 'complex:' + repr(v.imag)
            return 'other:' + type(v).__name__
    return 'N'


def main():
    sys.set_int_max_str_digits(0) if hasattr(sys, 'set_int_max_str_digits') else None
    warnings.simplefilter('ignore')
    check_cleandoc = sys.version_info < (3, 13)
    import inspect
    out = sys.stdout
    out.write('python %d.%d.%d\n' % sys.version_info[:3])
    with open(sys.argv[1], encoding='utf-8') as f:
        paths = f.read().splitlines()
    for path in paths:
        with open(path, 'rb') as f:
            source = f.read()
        head = path.encode('utf-8', 'surrogateescape').hex() + '\t'
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as e:
            out.write(head + 'err:' + type(e).__name__ + '\t-\t-\t-\n')
            continue
        raw = ast.get_docstring(tree, clean=False)
        summary = 'N'
        if raw is None:
            doc = 'N'
        else:
            cleaned = cleandoc_312(raw)
            if check_cleandoc:
                assert cleaned == inspect.cleandoc(raw), path
            doc = text(cleaned)
            # flit_core common.get_info_from_module
            if cleaned and cleaned.strip():
                summary = text(cleaned.lstrip().splitlines()[0])
        out.write(head + 'ok\t' + doc + '\t' + version_field(tree) + '\t' + summary + '\n')


main()
