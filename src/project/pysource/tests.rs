//! Unit tests; the exhaustive comparison with CPython is tests/pysource_differential.rs.

use super::*;

fn facts(src: &str) -> ModuleFacts {
    read_module_facts(src.as_bytes()).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn version(src: &str) -> Option<Constant> {
    facts(src).version.unwrap()
}

fn doc(src: &str) -> Option<String> {
    facts(src).docstring.unwrap()
}

fn error(src: &[u8]) -> PySourceError {
    match read_module_facts(src) {
        Err(e) => e,
        Ok(f) => panic!("{:?} should fail, got {f:?}", String::from_utf8_lossy(src)),
    }
}

fn s(text: &str) -> Option<Constant> {
    Some(Constant::Str(text.to_string()))
}

#[test]
fn finds_the_first_top_level_constant_assignment() {
    assert_eq!(
        version("__version__ = '1.0'\n__version__ = '2'\n"),
        s("1.0")
    );
    assert_eq!(version("__version__: str = '1.0'"), s("1.0"));
    assert_eq!(version("a = __version__ = b = '3'"), s("3"));
    assert_eq!(version("(__version__) = '4'"), s("4"));
    assert_eq!(version("import os; __version__ = '5'"), s("5"));
    assert_eq!(version("__version__ = get()\n__version__ = '6'"), s("6"));
    assert_eq!(version("__version__ = ('1'\n  '.' \"7\")"), s("1.7"));
    assert_eq!(version("__version__ = \\\n '8'"), s("8"));
}

#[test]
fn older_releases_count_fewer_assignments() {
    let under = |rule: VersionRule, src: &str| {
        read_module_facts_for(src.as_bytes(), rule)
            .unwrap()
            .version
            .unwrap()
    };
    let flit_3_0 = VersionRule {
        chained: false,
        annotated: false,
        any_constant: false,
    };
    let flit_3_8 = VersionRule {
        chained: true,
        ..flit_3_0
    };
    let flit_3_11 = VersionRule {
        any_constant: true,
        ..flit_3_8
    };
    let chained = "a = __version__ = '1'\n__version__ = '2'\n";
    assert_eq!(under(flit_3_0, chained), s("2"));
    assert_eq!(under(flit_3_8, chained), s("1"));
    let annotated = "__version__: str = '1'\n__version__ = '2'\n";
    assert_eq!(under(flit_3_11, annotated), s("2"));
    assert_eq!(under(VersionRule::NEWEST, annotated), s("1"));
    let none_first = "__version__ = None\n__version__ = '2'\n";
    assert_eq!(under(flit_3_8, none_first), s("2"));
    assert_eq!(under(flit_3_11, none_first), Some(Constant::None));
    // A parenthesised name is still one plain target; a tuple is not a name at all.
    assert_eq!(under(flit_3_0, "(__version__) = '4'"), s("4"));
    assert_eq!(under(flit_3_0, "__version__, x = '1', 2"), None);
    assert_eq!(under(flit_3_0, "__version__ = b'1'"), None);
}

#[test]
fn ignores_what_flit_ignores() {
    for src in [
        "__version__, x = '1', 2",
        "[__version__] = ['1']",
        "__version__ += '1'",
        "__version__: str",
        "__version__ = f'1'",
        "__version__ = -1",
        "__version__ = ('1',)",
        "__version__ = '1' if x else '2'",
        "x.__version__ = '1'",
        "if x:\n    __version__ = '1'",
        "if x: __version__ = '1'",
        "def f():\n    __version__ = '1'",
        "class A: __version__ = '1'",
        "s = '__version__ = \"1\"'",
        "s = '''\n__version__ = '1'\n'''",
        "# __version__ = '1'",
        "(__version__ := '1')",
    ] {
        assert_eq!(version(src), None, "{src:?}");
    }
}

#[test]
fn constants_of_every_type() {
    assert_eq!(
        version("__version__ = 1.0"),
        Some(Constant::Float("1.0".into()))
    );
    assert_eq!(
        version("__version__ = 0x_1F"),
        Some(Constant::Int("0x_1F".into()))
    );
    assert_eq!(
        version("__version__ = 2J"),
        Some(Constant::Complex("2J".into()))
    );
    assert_eq!(
        version("__version__ = b'\\x00a'"),
        Some(Constant::Bytes(vec![0, b'a']))
    );
    assert_eq!(version("__version__ = True"), Some(Constant::Bool(true)));
    assert_eq!(version("__version__ = None"), Some(Constant::None));
    assert_eq!(version("__version__ = ..."), Some(Constant::Ellipsis));
}

#[test]
fn truthiness_and_type_names_follow_python() {
    let falsy = [
        "''", "b''", "0", "0x0", "0_0", "00", "0.0", "0.", "0.e0", "0e5", "1e-400", "0j",
        "0_0.0_0j", "False", "None",
    ];
    for v in falsy {
        let c = version(&format!("__version__ = {v}")).unwrap();
        assert!(!c.is_truthy(), "{v}");
    }
    for v in [
        "'0'", "b'0'", "1", "0x10", "0.5", ".1", "1.", "1.e5", "1e400", "1j", "1_0J", "True", "...",
    ] {
        let c = version(&format!("__version__ = {v}")).unwrap();
        assert!(c.is_truthy(), "{v}");
    }
    assert_eq!(Constant::Float("1.0".into()).python_type_name(), "float");
    assert_eq!(Constant::None.python_type_name(), "NoneType");
    assert_eq!(Constant::Ellipsis.python_type_name(), "ellipsis");
}

#[test]
fn docstrings() {
    assert_eq!(doc("'''Doc.'''"), Some("Doc.".into()));
    assert_eq!(doc("#!python\n# c\n\n\"Doc.\"; x = 1"), Some("Doc.".into()));
    assert_eq!(doc("(\"a\"\n 'b')"), Some("ab".into()));
    assert_eq!(doc("r'\\n'"), Some("\\n".into()));
    assert_eq!(doc("b'Doc.'"), None);
    assert_eq!(doc("f'Doc.'"), None);
    assert_eq!(doc("'a' f'b'"), None);
    assert_eq!(doc("'Doc.'.strip()"), None);
    assert_eq!(doc("import x\n'Doc.'"), None);
    assert_eq!(doc("@d\ndef f(): 'x'"), None);
    assert_eq!(
        doc("\"\"\"\n  Summary.\n\n    body\n  end\n\"\"\""),
        Some("Summary.\n\n  body\nend".into())
    );
}

#[test]
fn cleandoc_matches_inspect() {
    assert_eq!(cleandoc(""), "");
    // Whitespace-only lines are not "blank" to the trailing-line removal.
    assert_eq!(cleandoc("   \n\t\n"), "        ");
    assert_eq!(cleandoc("  a\n    b\n  c"), "a\n  b\nc");
    assert_eq!(cleandoc("a\n\tb\n        c"), "a\nb\nc");
    assert_eq!(cleandoc("a\n  b  \n   \n  c\n\n"), "a\nb  \n \nc");
    // U+001C counts as whitespace in Python, not in Rust.
    assert_eq!(cleandoc("\u{1c}a\n \u{1c}b"), "a\nb");
    assert_eq!(cleandoc("x\ty\rz\t!"), "x       y\rz       !");
}

#[test]
fn string_escapes() {
    assert_eq!(
        version(
            r#"__version__ = "\x41\101\u00e9\U0001F600\t\\\'\"\q\
x""#
        ),
        s("AAé😀\t\\'\"\\qx")
    );
    assert_eq!(version(r#"__version__ = "\777""#), s("\u{1ff}"));
    assert_eq!(
        version(r#"__version__ = b"\777\u12""#),
        Some(Constant::Bytes(b"\xff\\u12".to_vec()))
    );
    let named = facts(r#"__version__ = "\N{EM DASH}""#).version.unwrap_err();
    assert_eq!(named.kind, PySourceErrorKind::Unsupported);
    assert!(named.message.contains("\\N{"), "{named}");
    let lone = facts(r#""\ud800""#).docstring.unwrap_err();
    assert_eq!(lone.kind, PySourceErrorKind::Unsupported);
    // The other field is unaffected.
    assert_eq!(
        facts("\"\\N{BULLET}\"\n__version__ = '1'").version.unwrap(),
        s("1")
    );
}

#[test]
fn encodings() {
    assert_eq!(
        read_module_facts(b"# -*- coding: latin-1 -*-\n__version__ = '\xe9'")
            .unwrap()
            .version,
        Ok(s("é"))
    );
    assert_eq!(
        read_module_facts(b"#!x\n# coding=cp1252\n'\x80'")
            .unwrap()
            .docstring,
        Ok(Some("€".into()))
    );
    assert_eq!(
        read_module_facts(b"\xef\xbb\xbf'BOM'").unwrap().docstring,
        Ok(Some("BOM".into()))
    );
    // Invalid UTF-8 is tolerated in comments only, and only without a codec cookie.
    assert!(read_module_facts(b"'x' # \xff").is_ok());
    assert_eq!(error(b"'\xff'").kind, PySourceErrorKind::Syntax);
    assert_eq!(
        error(b"# coding: utf8\n# \xff\n").kind,
        PySourceErrorKind::Syntax
    );
    let koi8 = error(b"# coding: koi8-r\n'x'");
    assert_eq!(koi8.kind, PySourceErrorKind::Unsupported);
    assert!(koi8.message.contains("koi8-r"), "{koi8}");
    assert_eq!(
        error(b"\xef\xbb\xbf# coding: latin-1\n").kind,
        PySourceErrorKind::Syntax
    );
    assert_eq!(error(b"x = 1\0").kind, PySourceErrorKind::Syntax);
}

#[test]
fn line_endings() {
    let crlf = read_module_facts(b"'''a\r\n  b'''\r\n__version__ = '1'\r\n").unwrap();
    assert_eq!(crlf.docstring, Ok(Some("a\nb".into())));
    let cr = read_module_facts(b"'''a\r  b'''\r__version__ = '1'").unwrap();
    assert_eq!(cr.docstring, Ok(Some("a\nb".into())));
    assert_eq!(cr.version, Ok(s("1")));
}

#[test]
fn syntax_errors_are_errors_with_positions() {
    let e = error(b"'doc'\n__version__ = '1\n");
    assert_eq!(
        (e.line, e.column, e.kind),
        (2, 15, PySourceErrorKind::Syntax)
    );
    assert!(e.message.contains("unterminated"), "{e}");
    let e = error(b"x = 1\n    y = 2\n");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(error(b"if x:\n__version__ = '1'\n")
        .message
        .contains("indented block"));
    assert!(error(b"if x:\n        a\n    b\n")
        .message
        .contains("unindent"));
    assert!(error(b"if x:\n        a\n\tb\n").message.contains("tabs"));
    assert!(error(b"x = (]\n").message.contains("does not match"));
    assert!(error(b"x = (\n").message.contains("never closed"));
    assert!(error(b"1 = __version__ = '1'").message.contains("assign"));
    assert!(error(b"__version__ = '1' b'2'").message.contains("mix"));
    assert!(error(b"__version__ = 09").message.contains("leading zeros"));
    assert!(error(b"__version__ = '\\x4'").message.contains("truncated"));
    assert!(error(b"x = f'}'").message.contains("single '}'"));
    assert!(error("x = a\u{a0}".as_bytes()).message.contains("U+00A0"));
    assert!(error("x = 1\n\u{feff}y = 2".as_bytes())
        .message
        .contains("U+FEFF"));
}

#[test]
fn nfkc_identifiers() {
    assert_eq!(version("_\u{ff3f}\u{ff56}ersion__ = '1'"), s("1"));
    assert_eq!(version("__\u{2174}ersion__ = '1'"), s("1"));
    assert_eq!(version("__v\u{e9}rsion__ = '1'"), None);
    assert_eq!(
        error("\u{ff3f}_version__ = '1'".as_bytes()).kind,
        PySourceErrorKind::Syntax
    );
}

#[test]
fn pep701_fstrings_and_template_strings() {
    assert_eq!(version("x = f\"{\"a\"}\"\n__version__ = '1'"), s("1"));
    assert_eq!(
        version("x = f'{a!r:>{w}} {{}} {b=} {c:\"}'\n__version__ = '1'"),
        s("1")
    );
    assert_eq!(
        version("x = f'''{\n  a # comment\n}'''\n__version__ = '1'"),
        s("1")
    );
    assert_eq!(version("x = t'{a}'\n__version__ = '1'"), s("1"));
    assert_eq!(version("__version__ = t'1'"), None);
}

#[test]
fn limits_are_errors_not_crashes() {
    let deep = format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(error(deep.as_bytes()).message.contains("nested"));
    let fdeep = format!("x = {}{}", "f'{".repeat(3000), "}'".repeat(3000));
    assert!(read_module_facts(fdeep.as_bytes()).is_err());
    let mut indented = String::new();
    for level in 0..120 {
        indented.push_str(&" ".repeat(level));
        indented.push_str("if x:\n");
    }
    assert!(error(indented.as_bytes()).message.contains("indentation"));
}

/// xorshift64: deterministic, no crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn never_panics_on_random_bytes() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..4000 {
        let len = rng.below(if round % 10 == 0 { 2000 } else { 64 });
        // Bias towards ASCII punctuation so the tokenizer gets far, with some raw bytes.
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                0 => rng.next() as u8,
                _ => b" \t\n\r\x0c\\'\"#()[]{}:;=.,_fbrutxjeN0123456789@!$"[rng.below(41)],
            })
            .collect();
        let _ = read_module_facts(&bytes);
    }
}

#[test]
fn never_panics_on_token_soups() {
    const PIECES: &[&str] = &[
        "__version__",
        "=",
        " = ",
        ":",
        ";",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "'''",
        "\"\"\"",
        "f'",
        "f\"",
        "rb'",
        "t'",
        "\\",
        "\\\n",
        "\n",
        "\r\n",
        "\r",
        "    ",
        "\t",
        "\x0c",
        "#",
        "if x:",
        "else:",
        "lambda",
        "lambda a=1:",
        "*",
        ",",
        "...",
        ".",
        "1",
        "0x",
        "1e",
        "1_",
        "0o8",
        "1j",
        "True",
        "None",
        "'a'",
        "b'a'",
        "u'a'",
        "\\N{",
        "\\x",
        "\\u",
        "\\U0011",
        "{",
        "!r",
        "!=",
        ":=",
        "@",
        "type",
        "match",
        "é",
        "\u{ff3f}",
        "\u{2174}",
        "\u{feff}",
        "\0",
        "# coding: latin-1\n",
        "\"\\ud800\"",
    ];
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..20000 {
        let mut src = String::new();
        for _ in 0..rng.below(30) {
            src.push_str(PIECES[rng.below(PIECES.len())]);
        }
        let _ = read_module_facts(src.as_bytes());
    }
}
