//! Differential test of `project::pysource` against CPython's `ast`.
//!
//! Every source (a hand-written corpus of tricky cases, generated token soups, and every `.py`
//! file of the local python3's standard library) is parsed by python3 running
//! `tests/pysource/oracle.py`, which applies flit_core's own logic, and by
//! `read_module_facts`. For every file Python parses, both must agree exactly; our only
//! permitted deviation is an explicit "unsupported" error for what we choose not to carry
//! (other codecs, `\N{...}`, lone surrogates). Files Python rejects are counted separately;
//! for the hand-written ones we must not report a docstring or version either.
//!
//! `FORGE_PYSOURCE_ALL=1` also walks site-packages, and `FORGE_PYSOURCE_EXTRA=<dir>` adds every
//! `.py` under a directory (slower; for hunting, not for CI).

use forge_backend::project::pysource::{
    read_module_facts, summary, Constant, ModuleFacts, PySourceError, PySourceErrorKind,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (name, source) pairs; names only help reading failures.
fn hand_corpus() -> Vec<(&'static str, Vec<u8>)> {
    let text: &[(&str, &str)] = &[
        // --- docstrings ---
        ("doc_simple", "\"\"\"Simple docstring.\"\"\"\n"),
        ("doc_single_quotes", "'single'\n"),
        ("doc_raw", "r\"\"\"raw \\n doc\"\"\"\n"),
        ("doc_u_prefix", "u\"unicode prefix\"\n"),
        ("doc_concat", "\"a\" \"b\" 'c'\n"),
        ("doc_paren_concat", "(\"paren\"\n \"concat\")\n"),
        ("doc_semicolon_stmt", "\"doc\"; x = 1\n"),
        ("doc_semicolon_end", "\"doc\";\n"),
        ("doc_bytes", "b\"bytes doc\"\n"),
        ("doc_fstring", "f\"f doc\"\n"),
        ("doc_mixed_fstring", "\"a\" f\"b\"\n"),
        ("doc_after_comments", "#!/usr/bin/env python\n# comment\n\n  \n# another\n\"\"\"Doc.\"\"\"\n"),
        ("doc_coding_line", "# -*- coding: utf-8 -*-\n\"\"\"Doc.\"\"\"\n"),
        ("doc_cleandoc", "\"\"\"First line.\n\n    Indented body\n      more\n    end\n    \"\"\"\n"),
        ("doc_tabs", "\"\"\"\tTabbed\n\tline two\n\t  x\t y\n\"\"\"\n"),
        ("doc_blank_first", "\"\"\"\n\n   Second line summary.\n   more\n\n\n\"\"\"\n"),
        ("doc_whitespace_only", "\"\"\"   \n   \n\t\"\"\"\n"),
        ("doc_empty", "\"\"\n"),
        ("doc_escapes", "\"\\tA\\x41\\u00e9\\U0001F600\\101\\0\\a\\b\\f\\v\\r\\n\\\\\\'\\\"\"\n"),
        ("doc_backslash_newline", "\"\"\"one \\\ntwo\"\"\"\n"),
        ("doc_formfeed", "\"\\x0c\\x0bVT\\x1cFS\\n\\x0c  a\\n\\x1f  b\"\n"),
        ("doc_unicode_spaces", "\"\\u3000\\u2003lead\\n\\u3000  x\\n\\u3000  y\"\n"),
        ("doc_method", "\"doc\".strip()\n"),
        ("doc_plus", "\"doc\" + \"x\"\n"),
        ("doc_tuple", "(\"doc\",)\n"),
        ("doc_import_first", "import os\n\"\"\"Not a docstring.\"\"\"\n"),
        ("doc_def_first", "def f():\n    \"\"\"f doc\"\"\"\n\"\"\"Not a docstring.\"\"\"\n"),
        ("doc_ifexp", "\"doc\" if x else \"y\"\n"),
        ("doc_decorator", "@dec\ndef f(): pass\n"),
        ("doc_deep_parens", "(((( \"doc\" ))))\n"),
        ("doc_trailing_ws", "\"\"\"Summary.   \n\n   body   \n   \n\"\"\"\n"),
        ("doc_less_indented", "\"\"\"  First.\n  second\n    third\n\"\"\"\n"),
        ("doc_surrogate", "\"\\ud800 lone\"\n"),
        ("doc_surrogate_pair", "\"\\ud83d\\ude00\"\n"),
        ("doc_named_escape", "\"\\N{EM DASH}\"\n__version__ = '1'\n"),
        ("doc_named_escape_raw", "r\"\\N{EM DASH}\"\n"),
        ("doc_unknown_escape", "\"\\q \\8 \\9 \\{ \\N\"\n"),
        ("doc_then_version", "\"Doc.\"; __version__ = '3.2'\n"),
        ("doc_indented_first", "  \"doc\"\n"),
        ("doc_continuation", "\"a\" \\\n  \"b\"\n"),
        ("doc_cr_in_string", "\"a\\rb\\r\\nc\"\n"),
        ("doc_expandtabs_cr", "\"\"\"x\ta\\r\tb\n\t\tc\"\"\"\n"),
        ("doc_yield", "(yield)\n"),
        ("doc_summary_vt", "\"\"\"\\x0c\\x0b  \\u2028Title\\x0bline\\nrest\"\"\"\n"),
        ("doc_summary_nel", "\"\\n\\n   Head\\x85tail  \\u2029x\"\n"),
        ("doc_summary_fs", "\"  A\\x1c\\x1dB\\x1fC  \\rD\"\n"),
        ("doc_summary_blank", "\"\\x0c\\n\\x1f\\x85\"\n"),
        // --- versions ---
        ("v_simple", "__version__ = \"1.0\"\n"),
        ("v_comment", "__version__ = '1.0'  # comment\n"),
        ("v_annassign", "__version__: str = \"1.0\"\n"),
        ("v_annassign_novalue", "__version__: str\n__version__ = \"2\"\n"),
        ("v_chain_last", "a = __version__ = \"1.0\"\n"),
        ("v_chain_first", "__version__ = b = \"1.0\"\n"),
        ("v_tuple_target", "__version__, x = \"1\", \"2\"\n"),
        ("v_tuple_target_const", "(__version__, x) = \"ab\"\n"),
        ("v_list_target", "[__version__] = [\"1\"]\n"),
        ("v_paren_target", "(__version__) = \"1\"\n"),
        ("v_paren_ann_target", "(__version__): str = \"1\"\n"),
        ("v_augassign", "__version__ += \"1\"\n__version__ = \"2\"\n"),
        ("v_concat", "__version__ = \"1\" \"2\"\n"),
        ("v_paren_concat", "__version__ = (\"1\"\n    \".\" '2')\n"),
        ("v_fstring", "__version__ = f\"1\"\n"),
        ("v_ifexp_then_const", "__version__ = \"1\" if x else \"2\"\n__version__ = \"3\"\n"),
        ("v_float", "__version__ = 1.0\n"),
        ("v_int", "__version__ = 1\n"),
        ("v_hex", "__version__ = 0x_1F\n"),
        ("v_float_exp", "__version__ = 1_0.5e-3\n"),
        ("v_complex", "__version__ = 1j\n"),
        ("v_true", "__version__ = True\n"),
        ("v_false", "__version__ = False\n"),
        ("v_none", "__version__ = None\n"),
        ("v_ellipsis", "__version__ = ...\n"),
        ("v_bytes", "__version__ = b\"1.0\"\n"),
        ("v_neg", "__version__ = -1\n"),
        ("v_tuple", "__version__ = (1, 0)\n"),
        ("v_call", "__version__ = \".\".join([\"1\", \"0\"])\n"),
        ("v_name", "__version__ = VERSION\n"),
        ("v_in_if", "if True:\n    __version__ = \"1\"\n"),
        ("v_inline_if", "if x: __version__ = \"1\"\n"),
        ("v_in_try", "try:\n    __version__ = \"1\"\nexcept ImportError:\n    pass\n"),
        ("v_in_def", "def f():\n    __version__ = \"1\"\n"),
        ("v_in_class", "class A:\n    __version__ = \"1\"\n"),
        ("v_after_import_semicolon", "import x; __version__ = \"1\"\n"),
        ("v_first_of_many", "x = 1; __version__ = \"2\"; __version__ = \"3\"\n__version__ = '4'\n"),
        ("v_in_string", "s = '__version__ = \"9\"'\n"),
        ("v_in_triple_string", "s = \"\"\"\n__version__ = \"9\"\n\"\"\"\n"),
        ("v_in_comment", "# __version__ = \"9\"\n"),
        ("v_after_brackets", "x = [\n\"a\",\n    ]\n__version__ = \"1\"\n"),
        ("v_backslash_value", "__version__ = \\\n    \"1.0\"\n"),
        ("v_backslash_target", "__version__ \\\n = \"1.0\"\n"),
        ("v_after_decorated", "@dec\n@dec2(1,\n  2)\ndef f():\n    pass\n__version__ = \"1\"\n"),
        ("v_type_checking", "if TYPE_CHECKING:\n    __version__ = \"x\"\nelse:\n    __version__ = \"y\"\n"),
        ("v_after_dedent", "if x:\n    pass\n__version__ = \"1\"\n"),
        ("v_raw", "__version__ = r\"1\\.0\"\n"),
        ("v_backslash_newline_in_string", "__version__ = \"1\\\n.0\"\n"),
        ("v_triple", "__version__ = \"\"\"1.0\"\"\"\n"),
        ("v_u", "__version__ = u\"1.0\"\n"),
        ("v_non_ascii", "__version__ = \"1.0-é\"\n"),
        ("v_nfkc_fullwidth", "_\u{ff3f}\u{ff56}\u{ff45}\u{ff52}\u{ff53}\u{ff49}\u{ff4f}\u{ff4e}\u{ff3f}\u{ff3f} = \"1\"\n"),
        ("v_nfkc_mixed", "__\u{ff56}ersion__ = \"1\"\n"),
        ("v_nfkc_bad_start", "\u{ff3f}_version__ = \"1\"\n"),
        ("v_nfkc_roman", "__\u{2174}ersion__ = \"1\"\n"),
        ("v_nfkc_not", "__v\u{e9}rsion__ = \"1\"\n"),
        ("v_lambda_value", "__version__ = lambda: \"1\"\n"),
        ("v_lambda_default", "__version__ = x = lambda a=\"1\": a\n"),
        ("v_lambda_stmt", "f = lambda a=1, *b, c=2: a\n__version__ = \"1\"\n"),
        ("v_lambda_annotation", "x: lambda a=1: a = 2\n__version__ = \"1\"\n"),
        ("v_yield", "__version__ = yield\n"),
        ("py312_type_alias", "type X = int\n__version__ = \"1\"\n"),
        ("v_match", "match x:\n    case 1:\n        __version__ = \"1\"\n__version__ = \"2\"\n"),
        ("v_match_name", "match = 1\n__version__ = \"1\"\n"),
        ("py312_pep701", "x = f\"{\"a\"}\"\n__version__ = \"1\"\n"),
        ("v_fstring_spec", "x = f\"{a!r:>{w}} {{}} {b=}\"\n__version__ = \"1\"\n"),
        ("v_fstring_triple", "x = f'''{\"a\"} '' ' {x:{'y'}}'''\n__version__ = \"1\"\n"),
        ("v_prefix_combos", "a = rb'x' + Rb'x' + bR'x' + BR'x'\nb = rf'{x}' + fR'{x}' + Fr'x'\n__version__ = Rb\"1\"\n"),
        ("v_semicolon", "__version__ = \"1\";\n"),
        ("v_semicolon_space", "__version__ = '1.0' ; \n"),
        ("v_inline_compound_semicolons", "if x: y = 1; __version__ = \"2\"\n"),
        ("v_number_edges", "__version__ = 0_0\n"),
        ("v_zeros", "__version__ = 00\n"),
        ("v_inf", "__version__ = 1e400\n"),
        ("v_tiny", "__version__ = 1e-400\n"),
        ("v_dot_float", "__version__ = .5\n"),
        ("v_float_dot", "__version__ = 1.\n"),
        ("v_complex_exp", "__version__ = 1E5J\n"),
        ("v_octal", "__version__ = 0o17\n"),
        ("v_binary", "__version__ = 0B1_0\n"),
        ("v_bigint", "__version__ = 123456789012345678901234567890\n"),
        ("v_bighex", "__version__ = 0xffff_ffff_ffff_ffff_ffff_ffff_ffff_ffff\n"),
        ("v_keyword_number", "__version__ = 1if 1else 2\n"),
        ("v_ifexp_number", "__version__ = 1 if 1 else 2\n"),
        ("v_or_number", "x = 1or 2\n__version__ = 0x1for\n"),
        ("empty", ""),
        ("only_comments", "# one\n# two\n"),
        ("no_trailing_newline", "__version__ = \"1\""),
        ("comment_no_newline", "__version__ = \"1\" # c"),
        ("v_yield_paren", "__version__ = (yield)\n"),
        ("v_starred", "__version__ = *a,\n"),
        ("v_trailing_comma", "__version__ = \"1\",\n"),
        ("v_parens", "__version__ = (\"1\")\n"),
        ("v_double_parens", "__version__ = ((\"1\"))\n"),
        ("v_empty_tuple", "__version__ = ()\n"),
        ("v_list", "__version__ = []\n"),
        ("v_dict", "__version__ = {}\n"),
        ("v_ann_string", "__version__: \"str\" = \"1\"\n"),
        ("v_ann_final", "__version__: Final[str] = \"1\"\n"),
        ("v_attribute", "x.__version__ = \"1\"\n"),
        ("v_attribute_of", "__version__.x = \"1\"\n"),
        ("v_subscript", "__version__[0] = \"1\"\n"),
        ("v_del", "del __version__\n"),
        ("v_global", "global __version__\n__version__ = \"1\"\n"),
        ("v_walrus", "(__version__ := \"1\")\n"),
        ("v_walrus_call", "print(__version__ := \"1\")\n"),
        ("v_escapes", "__version__ = \"\\x41\\101\\u00e9\\U0001f600\"\n"),
        ("v_named_escape", "__version__ = \"1\\N{EM DASH}\"\n"),
        ("v_unknown_escape", "__version__ = \"\\q\"\n"),
        ("v_bytes_escapes", "__version__ = b\"\\xff\\777\\u1234\\N{X}\\q\"\n"),
        ("v_twice", "__version__ = \"1\"\n__version__ = \"2\"\n"),
        ("v_nonconst_then_const", "__version__ = get()\n__version__ = \"2\"\n"),
        ("v_many_targets", "(a) = (b) = __version__ = (\"1\")\n"),
        ("v_tuple_then_name", "a, b = __version__ = \"xy\"\n"),
        ("v_starred_target", "*a, = __version__ = \"1\"\n"),
        ("v_subscript_target", "a[0] = __version__ = \"1\"\n"),
        ("v_comment_in_parens", "__version__ = (\n  # comment\n  \"1\"\n)\n"),
        ("v_fstring_quote_spec", "x = f\"{x:'>10}\"\n__version__ = \"1\"\n"),
        ("v_nested_fstring", "x = f\"{f'{x}'}\"\n__version__ = \"1\"\n"),
        ("v_fstring_ne", "x = f\"{a!=b}\"\n__version__ = \"1\"\n"),
        ("v_escaped_quotes", "x = 'it\\'s'\n__version__ = \"a\\\"b\"\n"),
        ("v_triple_inner_quotes", "x = \"\"\"a \"b\" \"\"c\"\" \"\"\"\n__version__ = \"1\"\n"),
        ("v_triple_single", "__version__ = '''1.0'''\n"),
        ("v_tabs_ok", "if x:\n\tpass\n__version__ = \"1\"\n"),
        ("v_formfeed_indent", "if x:\n    pass\n\x0c__version__ = \"1\"\n"),
        ("v_formfeed_line", "\x0c\n__version__ = \"1\"\n"),
        ("v_cont_in_block", "if x:\n    y = 1 \\\n  + 2\n__version__ = \"1\"\n"),
        ("v_comment_between_decorators", "@a\n# c\n@b\nclass C: pass\n__version__ = \"1\"\n"),
        ("v_async", "async def f():\n    await x\n__version__ = \"1\"\n"),
        ("v_else_block", "if x:\n    pass\nelse:\n    __version__ = \"1\"\n"),
        ("v_with", "with a as b:\n    __version__ = \"1\"\n__version__ = \"2\"\n"),
        ("v_class_inline", "class A: __version__ = \"1\"\n__version__ = \"2\"\n"),
        ("v_nested_blocks", "if a:\n    if b:\n        x = 1\n    y = 2\n__version__ = '9'\n"),
        ("v_dict_colon", "d = {1: 2,\n  3: 4}\n__version__ = '1'\n"),
        ("v_slice", "x = a[1:2]\n__version__ = '1'\n"),
        ("v_kwargs", "f(a=1, b=2)\n__version__ = '1'\n"),
        ("v_def_defaults", "def f(a=1, *, b: int = 2) -> int: return a\n__version__ = '1'\n"),
        ("v_print_eq", "print(x == 1)\n__version__ = '1'\n"),
        ("v_compare_chain", "x = a <= b >= c != d\n__version__ = '1'\n"),
        ("v_operators", "x = a ** b // c @ d >> e << f ^ g | h & ~i % j -> k\n"),
        ("v_augops", "x **= 1\nx //= 2\nx >>= 3\nx <<= 4\nx @= 5\n__version__ = '1'\n"),
        ("v_ellipsis_attr", "....x = 1\n__version__ = '1'\n"),
        ("v_none_attr", "None.x = 1\n__version__ = '1'\n"),
        ("v_string_attr", "'a'.x = 1\n__version__ = '1'\n"),
        ("v_number_attr", "1 .real = 2\n__version__ = '1'\n"),
        ("v_yield_attr", "(yield).x = 1\n__version__ = '1'\n"),
        ("v_empty_targets", "() = []\n[] = ()\n__version__ = '1'\n"),
        ("v_long_line", "a = 1; b = 2; c = 3; d = 4; e = 5; f = 6; g = 7; __version__ = 'long'\n"),
        ("v_type_soft", "type = 1\n__version__ = type = \"1\"\n"),
        ("v_debug", "__debug__ = 1\n__version__ = \"1\"\n"),
        // --- syntax errors (Python rejects; we must not report values) ---
        ("e_unterminated", "\"\"\"Doc.\"\"\"\n__version__ = \"1\n"),
        ("e_unterminated_triple", "\"\"\"Doc.\n__version__ = \"1\"\n"),
        ("e_unexpected_indent", "\"Doc.\"\n__version__ = \"1\"\n    x = 2\n"),
        ("e_expected_indent", "\"Doc.\"\nif x:\n__version__ = \"1\"\n"),
        ("e_expected_indent_eof", "\"Doc.\"\n__version__ = \"1\"\nif x:\n"),
        ("e_dedent", "\"Doc.\"\nif x:\n        a = 1\n    b = 2\n__version__ = \"1\"\n"),
        ("e_tab_error", "\"Doc.\"\nif x:\n        pass\n\tpass\n__version__ = \"1\"\n"),
        ("e_unmatched", "\"Doc.\"\n__version__ = \"1\"\nx = (]\n"),
        ("e_unclosed", "\"Doc.\"\n__version__ = \"1\"\nx = (\n"),
        ("e_double_eq", "\"Doc.\"\nx = = 1\n__version__ = \"1\"\n"),
        ("e_literal_target", "\"Doc.\"\n1 = __version__ = \"1\"\n"),
        ("e_call_target", "\"Doc.\"\nf() = __version__ = \"1\"\n"),
        ("e_keyword_target", "\"Doc.\"\nTrue = __version__ = \"1\"\n"),
        ("e_lambda_target", "\"Doc.\"\nlambda: x = __version__ = \"1\"\n"),
        ("e_star_alone", "\"Doc.\"\n*a = __version__ = \"1\"\n"),
        ("e_paren_star", "\"Doc.\"\n(*a) = __version__ = \"1\"\n"),
        ("e_ann_tuple", "\"Doc.\"\n__version__, b: int = \"1\"\n"),
        ("e_ann_chain", "\"Doc.\"\n__version__: str = a = \"1\"\n"),
        ("e_empty_value", "\"Doc.\"\n__version__ =\n"),
        ("e_leading_semicolon", "\"Doc.\"\n;__version__ = \"1\"\n"),
        ("e_double_semicolon", "\"Doc.\"\n__version__ = \"1\";;\n"),
        ("e_bad_hex_escape", "\"Doc.\"\n__version__ = \"1\"\nx = \"\\x4\"\n"),
        ("e_bad_u_escape", "\"Doc.\\u12\"\n__version__ = \"1\"\n"),
        ("e_bad_U_escape", "\"Doc.\\U00110000\"\n"),
        ("e_bad_N_escape", "\"Doc.\\N{}\"\n"),
        ("e_bad_N_escape2", "\"Doc.\\N{foo\"\n"),
        ("e_mix_bytes", "\"Doc.\"\n__version__ = \"1\" b\"2\"\n"),
        ("e_mix_fbytes", "\"Doc.\"\nx = f\"{1}\" b\"2\"\n__version__ = \"1\"\n"),
        ("e_bytes_nonascii", "\"Doc.\"\n__version__ = b\"\u{e9}\"\n"),
        ("e_number_underscore", "\"Doc.\"\n__version__ = 1_\n"),
        ("e_number_double_underscore", "\"Doc.\"\n__version__ = 1__0\n"),
        ("e_leading_zero", "\"Doc.\"\n__version__ = 09\n"),
        ("e_octal_digit", "\"Doc.\"\n__version__ = 0o8\n"),
        ("e_binary_digit", "\"Doc.\"\n__version__ = 0b12\n"),
        ("e_bad_exponent", "\"Doc.\"\n__version__ = 1e\n"),
        ("e_number_name", "\"Doc.\"\n__version__ = 1abc\n"),
        ("e_dollar", "\"Doc.\"\n__version__ = \"1\"\n$x\n"),
        ("e_question", "\"Doc.\"\n__version__ = \"1\"\nx?\n"),
        ("e_backslash_char", "\"Doc.\"\n__version__ = \"1\" \\ x\n"),
        ("e_backslash_eof", "\"Doc.\"\n__version__ = \"1\" \\"),
        ("e_backslash_eof_nl", "\"Doc.\"\n__version__ = \"1\"\n  \\\n"),
        ("e_fstring_single_brace", "\"Doc.\"\nx = f\"}\"\n__version__ = \"1\"\n"),
        ("e_fstring_unclosed", "\"Doc.\"\nx = f\"{x\"\n__version__ = \"1\"\n"),
        ("e_triple_four_quotes", "\"Doc.\"\nx = \"\"\"a\"\"\"\"\n__version__ = \"1\"\n"),
        ("e_vt_char", "\"Doc.\"\n__version__ = \"1\"\x0b\n"),
        ("e_cont_indent", "\"Doc.\"\n\\\n    x = 1\n"),
        ("e_cont_indent2", "\"Doc.\"\nif 1:\n  pass\n \\\n  x=1\n"),
        ("e_too_deep_parens", "x = 1\n"), // replaced below
        ("e_bang", "\"Doc.\"\n__version__ = \"1\"\nx = !a\n"),
        ("e_ann_empty", "\"Doc.\"\n__version__: = \"1\"\n"),
        ("e_attr_keyword", "\"Doc.\"\na.True = __version__ = \"1\"\n"),
    ];
    let mut out: Vec<(&'static str, Vec<u8>)> = text
        .iter()
        .map(|&(name, src)| (name, src.as_bytes().to_vec()))
        .collect();
    for case in &mut out {
        if case.0 == "e_too_deep_parens" {
            case.1 =
                format!("\"Doc.\"\nx = {}1{}\n", "(".repeat(201), ")".repeat(201)).into_bytes();
        }
    }
    let bytes: &[(&str, &[u8])] = &[
        (
            "enc_bom",
            b"\xef\xbb\xbf\"\"\"BOM doc.\"\"\"\n__version__ = '1'\n",
        ),
        (
            "enc_bom_utf8_cookie",
            b"\xef\xbb\xbf# coding: utf-8\n\"Doc.\"\n",
        ),
        (
            "enc_bom_utf8_spelling",
            b"\xef\xbb\xbf# coding: utf8\n\"Doc.\"\n",
        ),
        (
            "enc_bom_latin1",
            b"\xef\xbb\xbf# coding: latin-1\n\"Doc.\"\n",
        ),
        (
            "enc_latin1",
            b"# -*- coding: latin-1 -*-\n\"Doc \xe9.\"\n__version__ = '1.0\xe9'\n",
        ),
        (
            "enc_latin1_line2",
            b"#!/usr/bin/python\n# vim: set fileencoding=iso-8859-1 :\n\"Doc \xe9.\"\n",
        ),
        ("enc_latin1_alias", b"# coding=latin1\n\"\xe9\"\n"),
        ("enc_l1", b"# coding: l1\n\"\xe9\"\n"),
        ("enc_latin1_upper", b"# coding: Latin-1\n\"\xe9\"\n"),
        ("enc_iso_latin", b"# coding: iso_latin_1_x\n\"\xe9\"\n"),
        ("enc_cp1252", b"# coding: cp1252\n\"\x80 \x93quoted\x94\"\n"),
        ("enc_cp1252_undefined", b"# coding: cp1252\n\"\x81\"\n"),
        ("enc_windows1252", b"# coding: windows-1252\n\"\x80\"\n"),
        ("enc_ascii", b"# vim: set fileencoding=ascii :\n\"Doc.\"\n"),
        ("enc_ascii_fail", b"# coding: ascii\n\"Doc.\" # \xe9\n"),
        ("enc_us_ascii", b"# coding: US-ASCII\n\"Doc.\"\n"),
        (
            "enc_line2_not_honoured",
            b"x = 1\n# coding: latin-1\n__version__ = \"\xe9\"\n",
        ),
        ("enc_blank_line1", b"\n# coding: latin-1\n\"\xe9\"\n"),
        ("enc_cr_lines", b"# coding: latin-1\r# x\r\"\xe9\"\r"),
        ("enc_cont_line1", b"\\\n# coding: latin-1\nx = \"\xe9\"\n"),
        ("enc_koi8", b"# coding: koi8-r\n\"\xc1\"\n"),
        ("enc_unknown", b"# coding: no-such-codec\n\"Doc.\"\n"),
        ("enc_utf8_sig", b"# coding: utf-8-sig\n\"Doc.\"\n"),
        (
            "enc_utf8_cookie_bad_comment",
            b"# coding: utf8\n# \xff\n\"Doc.\"\n",
        ),
        (
            "enc_utf8_exact_bad_comment",
            b"# coding: utf-8\n# \xff\n\"Doc.\"\n",
        ),
        (
            "enc_bad_utf8_comment",
            b"\"Doc.\"  # \xff\xfe\n__version__ = '1'\n",
        ),
        ("enc_bad_utf8_string", b"\"Doc \xff.\"\n"),
        ("enc_bad_utf8_name", b"\"Doc.\"\nx\xff = 1\n"),
        ("enc_truncated_utf8", b"\"Doc.\"\n# \xe2\x82"),
        (
            "enc_empty_cookie",
            b"# coding:\n# coding: latin-1\n\"\xe9\"\n",
        ),
        ("enc_codingcoding", b"# codingcoding: latin-1\n\"\xe9\"\n"),
        ("enc_indented_cookie", b"   # coding: latin-1\n\"\xe9\"\n"),
        ("enc_not_comment", b"\"\xff\"  # coding: latin-1\n"),
        ("nul_byte", b"\"Doc.\"\n__version__ = '1'\0\n"),
        (
            "crlf",
            b"\"\"\"Doc\r\n   line\r\n\"\"\"\r\n__version__ = \"1\"\r\n",
        ),
        (
            "cr_only",
            b"\"\"\"Doc\r   line\r\"\"\"\r__version__ = \"1\"\r",
        ),
        ("crlf_in_triple", b"__version__ = \"\"\"1\r\n2\"\"\"\r\n"),
        ("crlf_continuation", b"__version__ = \\\r\n  \"1\"\r\n"),
        (
            "crlf_string_continuation",
            b"__version__ = \"1\\\r\n2\"\r\n",
        ),
    ];
    out.extend(bytes.iter().map(|&(name, src)| (name, src.to_vec())));
    out
}

/// Random token soups: mostly invalid Python, sometimes valid, always a stress test.
fn soups(count: usize) -> Vec<Vec<u8>> {
    const FRAGMENTS: &[&str] = &[
        "__version__",
        " = ",
        "=",
        "'1.0'",
        "\"2\"",
        "\n",
        "\n",
        "\n",
        "    ",
        "\t",
        " ",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        ":",
        "if x",
        "else",
        "def f()",
        "class A",
        "#c",
        "\\\n",
        "\"\"\"doc\"\"\"",
        "'''d\n'''",
        "f'{x}'",
        "f\"{'a'!r:>{w}}\"",
        "b'x'",
        "1",
        "1.5",
        "0x1",
        "1j",
        "x",
        "lambda a=1: a",
        "+=",
        ".",
        "*",
        "@dec",
        "\"",
        "'",
        "r'\\''",
        "u'x'",
        "import os",
        "pass",
        "\r\n",
        "\r",
        "\x0c",
        "\u{e9}",
        "__version__: str",
        "type X",
        "True",
        "None",
        "...",
        "yield",
        "f'{",
        "}",
        "\\N{DASH}",
        "\\x41",
        "\\",
        "try:",
        "except:",
        "return",
        "not",
        "and",
        "->",
        "**",
        "u\"\\u00e9\"",
        "_\u{ff56}ersion__",
        "'\\ud800'",
        "0o7",
        "1_0",
        "1e5",
        "async ",
        "with a:",
        "match x:",
        "case 1:",
        "\"a\" \"b\"",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = 1 + (next() % 24) as usize;
            let mut s = String::new();
            for _ in 0..len {
                s.push_str(FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize]);
            }
            s.into_bytes()
        })
        .collect()
}

/// Random but mostly valid programs: statement templates, nested blocks, mixed line endings
/// and indentation styles, so that valid files get compared and not only rejected ones.
fn programs(count: usize) -> Vec<Vec<u8>> {
    const SIMPLE: &[&str] = &[
        "__version__ = '1.0'",
        "__version__ = \"2.0\" # c",
        "__version__: str = '3'",
        "a = __version__ = b = '4'",
        "import os; __version__ = '5'",
        "__version__ = 1.5",
        "__version__ = 0x_ff",
        "__version__ = b'6'",
        "__version__ = None",
        "__version__ = ('7'\n'.1')",
        "__version__ = f'{x}'",
        "__version__ = '8' if x else '9'",
        "__version__, y = '10', 1",
        "__version__ += '11'",
        "(__version__) = \"12\"",
        "__version__ = '\\x31\\u0033'",
        "__version__ = r'\\d'",
        "__version__ = '''1\n3'''",
        "__version__ = \\\n  '14'",
        "\"\"\"Doc string.\n\n    More.\n    \"\"\"",
        "'doc'",
        "b'bytes'",
        "f'{a!r:>{w}}'",
        "x = 1",
        "x = [\n  1,\n  2,\n]",
        "s = '''\n__version__ = \"99\"\n'''",
        "# __version__ = '98'",
        "",
        "pass",
        "f = lambda a=1: a",
        "x: int = 1",
        "d = {'a': 1}",
        "print(x, sep='')",
        "del x",
        "x = 1; y = 2",
        "assert x == 1, 'msg'",
        "raise SystemExit",
        "from . import a",
        "global g",
        "x = f\"{'a'} {{}} {b=}\"",
        "x = 'a' 'b' u'c'",
        "x = (yield)",
        "x = 1if y else 2",
        "x = 0o7 + 0b1 + 1e3 + 1j + .5",
        "y = x.a[1:2](3)",
        "*a, b = c",
        "[a, *b] = c",
        "x = \"\u{e9}\"",
        "__v\u{ff45}rsion__ = 'nfkc'",
    ];
    const HEADERS: &[&str] = &[
        "if x:",
        "if x: pass",
        "def f(a, b=1):",
        "class A(B):",
        "while 0:",
        "for i in x:",
        "with a as b:",
        "async def g():",
        "@dec",
        "try:",
        "if TYPE_CHECKING:",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..count)
        .map(|_| {
            let eol = ["\n", "\n", "\r\n", "\r"][next(4)];
            let unit = ["    ", "  ", "\t", " "][next(4)];
            let mut lines: Vec<String> = Vec::new();
            let emit = |lines: &mut Vec<String>, depth: usize, text: &str| {
                for (k, part) in text.split('\n').enumerate() {
                    // Continuation lines of a template keep their own indentation.
                    let indent = if k == 0 {
                        unit.repeat(depth)
                    } else {
                        String::new()
                    };
                    lines.push(format!("{indent}{part}"));
                }
            };
            let mut depth = 0usize;
            for _ in 0..1 + next(12) {
                if next(4) == 0 {
                    match HEADERS[next(HEADERS.len())] {
                        "@dec" => {
                            emit(&mut lines, depth, "@dec");
                            emit(&mut lines, depth, "def h(): pass");
                        }
                        "if x: pass" => emit(&mut lines, depth, "if x: pass"),
                        "try:" => {
                            emit(&mut lines, depth, "try:");
                            emit(&mut lines, depth + 1, SIMPLE[next(SIMPLE.len())]);
                            emit(&mut lines, depth + 1, "pass");
                            emit(&mut lines, depth, "except ImportError:");
                            emit(&mut lines, depth + 1, "pass");
                        }
                        header => {
                            emit(&mut lines, depth, header);
                            depth += 1;
                            emit(&mut lines, depth, "pass");
                        }
                    }
                } else {
                    emit(&mut lines, depth, SIMPLE[next(SIMPLE.len())]);
                }
                if depth > 0 && next(3) == 0 {
                    depth = next(depth);
                }
            }
            let mut out = lines.join(eol);
            if next(5) != 0 {
                out.push_str(eol);
            }
            out.into_bytes()
        })
        .collect()
}

struct Oracle {
    ok: bool,
    doc: String,
    version: String,
    summary: String,
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn stdlib_dir() -> PathBuf {
    let out = Command::new(python())
        .args(["-c", "import os; print(os.path.dirname(os.__file__))"])
        .output()
        .unwrap_or_else(|e| {
            panic!("pysource differential test needs python3 on PATH (or $PYTHON): {e}")
        });
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 path").trim())
}

fn walk(dir: &Path, all: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() {
            if !all && (name == "site-packages" || name == "dist-packages") {
                continue;
            }
            walk(&path, all, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// Runs the oracle; returns its Python version and one answer per path.
fn run_oracle(paths: &[PathBuf], scratch: &Path) -> (String, Vec<Oracle>) {
    let list = scratch.join("paths.txt");
    let mut text = String::new();
    for p in paths {
        writeln!(text, "{}", p.to_str().expect("utf-8 paths")).unwrap();
    }
    std::fs::write(&list, text).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pysource/oracle.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(&list)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (needed by this test): {e}"));
    assert!(
        out.status.success(),
        "oracle.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("oracle output is ASCII");
    let mut lines = stdout.lines();
    let version = lines
        .next()
        .and_then(|l| l.strip_prefix("python "))
        .expect("oracle starts with its version")
        .to_string();
    let numbers: Vec<u32> = version.split('.').filter_map(|n| n.parse().ok()).collect();
    // Older tokenizers differ in corners we follow 3.11+ on (indentation after a backslash
    // continuation, `(*a) = x`, `match`), so they cannot serve as the reference.
    assert!(
        numbers.as_slice() >= [3, 11].as_slice(),
        "the pysource oracle needs CPython 3.11 or newer, {} is {version}",
        python()
    );
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), paths.len(), "oracle answered for every file");
    let answers = lines
        .iter()
        .zip(paths)
        .map(|(line, path)| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "oracle line {line:?}");
            assert_eq!(
                unhex(fields[0]),
                path.to_str().unwrap().as_bytes(),
                "oracle answered in order"
            );
            Oracle {
                ok: fields[1] == "ok",
                doc: fields[2].to_string(),
                version: fields[3].to_string(),
                summary: fields[4].to_string(),
            }
        })
        .collect();
    (version, answers)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An int literal's value in decimal (Python's ints are unbounded, so is this).
fn int_decimal(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (radix, digits) = match clean.get(..2) {
        Some("0x") => (16, &clean[2..]),
        Some("0o") => (8, &clean[2..]),
        Some("0b") => (2, &clean[2..]),
        _ => (10, &clean[..]),
    };
    // Little-endian limbs of 10^9.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let mut carry = u64::from(c.to_digit(radix).expect("digit"));
        for limb in &mut limbs {
            let v = *limb * u64::from(radix) + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    let mut out = limbs.last().unwrap().to_string();
    for limb in limbs.iter().rev().skip(1) {
        write!(out, "{limb:09}").unwrap();
    }
    out
}

fn float_bits(text: &str) -> u64 {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    clean
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("float {text:?}"))
        .to_bits()
}

/// Renders our answer in the oracle's notation.
fn our_doc(facts: &ModuleFacts) -> Result<String, PySourceError> {
    Ok(match &facts.docstring {
        Ok(None) => "N".to_string(),
        Ok(Some(s)) => format!("S{}", hex(s.as_bytes())),
        Err(e) => return Err(e.clone()),
    })
}

fn our_version(facts: &ModuleFacts, oracle: &str) -> Result<String, PySourceError> {
    let c = match &facts.version {
        Ok(None) => return Ok("N".to_string()),
        Ok(Some(c)) => c,
        Err(e) => return Err(e.clone()),
    };
    let ty = c.python_type_name();
    let payload = match c {
        Constant::Str(s) => hex(s.as_bytes()),
        Constant::Bytes(b) => hex(b),
        Constant::Int(t) => int_decimal(t),
        Constant::Float(t) | Constant::Complex(t) => {
            // Compare as doubles: Python prints repr, we keep the literal.
            let ours = float_bits(t.trim_end_matches(['j', 'J']));
            let theirs = oracle.split_once(':').map(|(_, v)| v).unwrap_or("");
            match theirs.parse::<f64>() {
                Ok(v) if v.to_bits() == ours => theirs.to_string(),
                _ => format!("<bits {ours:x}>"),
            }
        }
        Constant::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Constant::None | Constant::Ellipsis => String::new(),
    };
    Ok(format!("{ty}:{payload}"))
}

/// The oracle's field shows Python has a value we may refuse to compute.
fn oracle_has_surrogate(field: &str) -> bool {
    field == "U" || field == "str:U"
}

#[derive(Default)]
struct Tally {
    compared: usize,
    docstrings: usize,
    versions: usize,
    python_errors: usize,
    python_errors_we_flag: usize,
    python_errors_we_answer: usize,
    unsupported: Vec<String>,
    mismatches: Vec<String>,
}

fn compare(label: &str, source: &[u8], oracle: &Oracle, strict_errors: bool, tally: &mut Tally) {
    let ours = std::panic::catch_unwind(|| read_module_facts(source))
        .unwrap_or_else(|_| panic!("read_module_facts panicked on {label}"));
    if !oracle.ok {
        tally.python_errors += 1;
        match &ours {
            Err(_) => tally.python_errors_we_flag += 1,
            Ok(facts) => {
                let answered =
                    matches!(facts.docstring, Ok(Some(_))) || matches!(facts.version, Ok(Some(_)));
                if answered {
                    tally.python_errors_we_answer += 1;
                    if std::env::var_os("FORGE_PYSOURCE_VERBOSE").is_some() {
                        println!("  answered though Python rejects it: {label}");
                    }
                    if strict_errors {
                        tally
                            .mismatches
                            .push(format!("{label}: Python rejects it, we answered {facts:?}"));
                    }
                }
            }
        }
        return;
    }
    tally.compared += 1;
    let facts = match ours {
        Ok(facts) => facts,
        Err(e) if e.kind == PySourceErrorKind::Unsupported => {
            tally.unsupported.push(format!("{label}: {e}"));
            return;
        }
        Err(e) => {
            tally
                .mismatches
                .push(format!("{label}: Python parses it, we fail: {e}"));
            return;
        }
    };
    if oracle.doc != "N" {
        tally.docstrings += 1;
    }
    if oracle.version != "N" {
        tally.versions += 1;
    }
    if let Ok(Some(doc)) = &facts.docstring {
        let ours = summary(doc).map_or("N".to_string(), |s| format!("S{}", hex(s.as_bytes())));
        if ours != oracle.summary {
            tally.mismatches.push(format!(
                "{label}: summary: python {} / ours {}",
                show_field(&oracle.summary),
                show_field(&ours)
            ));
        }
    }
    match our_doc(&facts) {
        Ok(doc) if doc == oracle.doc => {}
        Err(e) if e.kind == PySourceErrorKind::Unsupported => {
            let why = if oracle_has_surrogate(&oracle.doc) {
                "surrogate"
            } else {
                "docstring"
            };
            tally.unsupported.push(format!("{label} ({why}): {e}"));
        }
        other => tally.mismatches.push(format!(
            "{label}: docstring: python {} / ours {:?}",
            show_field(&oracle.doc),
            other.map(|d| show_field(&d))
        )),
    }
    match our_version(&facts, &oracle.version) {
        Ok(v) if v == oracle.version => {}
        Err(e) if e.kind == PySourceErrorKind::Unsupported => {
            tally.unsupported.push(format!("{label} (version): {e}"));
        }
        other => tally.mismatches.push(format!(
            "{label}: version: python {} / ours {:?}",
            oracle.version, other
        )),
    }
}

fn show_field(field: &str) -> String {
    match field.strip_prefix('S') {
        Some(h) => format!("{:?}", String::from_utf8_lossy(&unhex(h))),
        None => field.to_string(),
    }
}

#[test]
fn pysource_matches_cpython_ast() {
    let started = std::time::Instant::now();
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pysource-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();

    let corpus = hand_corpus();
    assert!(
        corpus.len() >= 100,
        "hand corpus has {} cases",
        corpus.len()
    );
    let mut soup = soups(2000);
    soup.extend(programs(2000));
    let mut paths = Vec::new();
    for (i, (name, src)) in corpus.iter().enumerate() {
        let p = scratch.join(format!("hand_{i:03}_{name}.py"));
        std::fs::write(&p, src).unwrap();
        paths.push(p);
    }
    for (i, src) in soup.iter().enumerate() {
        let p = scratch.join(format!("soup_{i:04}.py"));
        std::fs::write(&p, src).unwrap();
        paths.push(p);
    }
    let all = std::env::var_os("FORGE_PYSOURCE_ALL").is_some();
    let stdlib_root = stdlib_dir();
    let mut stdlib = Vec::new();
    walk(&stdlib_root, all, &mut stdlib);
    assert!(
        stdlib.len() > 500,
        "found only {} files under {}",
        stdlib.len(),
        stdlib_root.display()
    );
    if let Some(extra) = std::env::var_os("FORGE_PYSOURCE_EXTRA") {
        walk(Path::new(&extra), true, &mut stdlib);
    }
    paths.extend(stdlib.iter().cloned());

    let (python_version, oracle) = run_oracle(&paths, &scratch);

    let mut hand = Tally::default();
    let mut soups_tally = Tally::default();
    let mut lib = Tally::default();
    for (i, (path, answer)) in paths.iter().zip(&oracle).enumerate() {
        let source = std::fs::read(path).unwrap();
        let label = path.display().to_string();
        if i < corpus.len() {
            // Newer syntax is rejected by older Pythons; only then may we answer anyway.
            let strict = !label.contains("py312_");
            compare(&label, &source, answer, strict, &mut hand);
        } else if i < corpus.len() + soup.len() {
            compare(&label, &source, answer, false, &mut soups_tally);
        } else {
            compare(&label, &source, answer, false, &mut lib);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    println!("pysource oracle: CPython {python_version}");
    for (name, t) in [
        ("hand", &hand),
        ("generated", &soups_tally),
        ("stdlib", &lib),
    ] {
        println!(
            "pysource {name}: {} files compared, {} docstrings, {} versions, {} mismatches, {} unsupported; \
             {} rejected by Python ({} also by us, {} answered anyway)",
            t.compared,
            t.docstrings,
            t.versions,
            t.mismatches.len(),
            t.unsupported.len(),
            t.python_errors,
            t.python_errors_we_flag,
            t.python_errors_we_answer,
        );
        for u in &t.unsupported {
            println!("  unsupported: {u}");
        }
        for m in &t.mismatches {
            println!("  MISMATCH: {m}");
        }
    }
    println!("pysource differential: {:.1?}", started.elapsed());
    let mismatches = hand.mismatches.len() + soups_tally.mismatches.len() + lib.mismatches.len();
    assert_eq!(mismatches, 0, "pysource disagrees with CPython's ast");
    // Unsupported answers are allowed only for what we deliberately leave out.
    for u in hand
        .unsupported
        .iter()
        .chain(&soups_tally.unsupported)
        .chain(&lib.unsupported)
    {
        assert!(
            u.contains("\\N{") || u.contains("surrogate") || u.contains("source encoding"),
            "unexpected unsupported answer: {u}"
        );
    }
}

/// Debugging aid: `FORGE_PYSOURCE_DUMP=a.py:b.py cargo test --test pysource_differential
/// dump_facts -- --ignored --nocapture` prints what we read from those files.
#[test]
#[ignore]
fn dump_facts() {
    let paths = std::env::var("FORGE_PYSOURCE_DUMP").expect("set FORGE_PYSOURCE_DUMP");
    for p in paths.split(':') {
        let src = std::fs::read(p).unwrap();
        println!("{p}: {:?}", read_module_facts(&src));
    }
}
