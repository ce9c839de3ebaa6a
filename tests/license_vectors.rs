//! Replays tests/vectors/licenses.tsv, the answers packaging 26.3 and flit_core
//! 4.2.0 gave (tools/generate_data.py), against `canonicalize` and
//! `flit_canonicalize`.

use forge_backend::project::license::{canonicalize, flit_canonicalize, LicenseError};

const VECTORS: &str = include_str!("vectors/licenses.tsv");

/// Undoes the generator's escaping: `\\`, `\t`, `\n`, `\r` and `\u{hex}`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                assert_eq!(chars.next(), Some('{'), "bad escape in {s:?}");
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let code = u32::from_str_radix(&hex, 16).expect("hex escape");
                out.push(char::from_u32(code).expect("scalar value"));
            }
            other => panic!("bad escape {other:?} in {s:?}"),
        }
    }
    out
}

/// packaging's error category, which our messages start with.
fn packaging_kind_matches(kind: &str, err: &LicenseError) -> bool {
    let kind = match kind {
        // CPython's parser runs out of stack before packaging can raise its own error.
        "MemoryError" | "RecursionError" => "Invalid license expression",
        k => k,
    };
    let m = &err.message;
    m.starts_with(kind)
        && !(kind == "Unknown license" && m.starts_with("Unknown license exception"))
}

/// flit's error, reduced by the generator to a kind that does not quote the input.
fn flit_kind_matches(kind: &str, err: &LicenseError) -> bool {
    let m = &err.message;
    match kind {
        "empty" => m == "The SPDX license expression must not be empty",
        "LicenseRef" => m.starts_with("LicenseRef- license expression can only contain"),
        "unknown license" => m.ends_with(" is not a recognised SPDX license ID"),
        "unknown exception" => m.ends_with(" is not a recognised SPDX license exception ID"),
        reason => m == reason,
    }
}

#[derive(Default)]
struct Tally {
    vectors: usize,
    accepted: usize,
    flit_accepted: usize,
    with_deprecated: usize,
    mismatches: Vec<String>,
}

fn check_line(line: &str, t: &mut Tally) {
    let cols: Vec<&str> = line.split('\t').collect();
    assert_eq!(cols.len(), 4, "malformed vector line: {line:?}");
    let input = unescape(cols[0]);
    let (pk, deprecated, flit) = (cols[1], cols[2], cols[3]);
    t.vectors += 1;

    let ours = canonicalize(&input);
    match (pk.split_once(' '), &ours) {
        (Some(("ok", want)), Ok(got)) => {
            t.accepted += 1;
            let want = unescape(want);
            if got.normalized != want {
                t.mismatches.push(format!(
                    "canonicalize({input:?}) = {:?}, packaging {want:?}",
                    got.normalized
                ));
            }
            let want_dep: Vec<&str> = match deprecated {
                "-" => Vec::new(),
                d => d.split(' ').collect(),
            };
            if !want_dep.is_empty() {
                t.with_deprecated += 1;
            }
            if got.deprecated_ids != want_dep {
                t.mismatches.push(format!(
                    "canonicalize({input:?}) deprecated {:?}, expected {want_dep:?}",
                    got.deprecated_ids
                ));
            }
        }
        (Some(("err", kind)), Err(e)) => {
            if !packaging_kind_matches(kind, e) {
                t.mismatches.push(format!(
                    "canonicalize({input:?}) error {:?}, packaging's kind {kind:?}",
                    e.message
                ));
            }
        }
        (_, got) => t.mismatches.push(format!(
            "canonicalize({input:?}) = {got:?}, packaging {pk:?}"
        )),
    }

    let ours = flit_canonicalize(&input);
    let want = if flit == "=" {
        pk.strip_prefix("ok ")
            .map(|w| format!("ok {w}"))
            .expect("'=' only follows an ok packaging result")
    } else {
        flit.to_string()
    };
    match (want.split_once(' '), &ours) {
        (Some(("ok", want)), Ok(got)) => {
            t.flit_accepted += 1;
            let want = unescape(want);
            if *got != want {
                t.mismatches.push(format!(
                    "flit_canonicalize({input:?}) = {got:?}, flit_core {want:?}"
                ));
            }
        }
        (Some(("err", kind)), Err(e)) => {
            if !flit_kind_matches(kind, e) {
                t.mismatches.push(format!(
                    "flit_canonicalize({input:?}) error {:?}, flit_core's {kind:?}",
                    e.message
                ));
            }
        }
        (_, got) => t.mismatches.push(format!(
            "flit_canonicalize({input:?}) = {got:?}, flit_core {want:?}"
        )),
    }
}

#[test]
fn license_vectors() {
    let mut t = Tally::default();
    for line in VECTORS.lines().filter(|l| !l.starts_with('#')) {
        check_line(line, &mut t);
    }
    // More vectors from `tools/generate_data.py --fuzz`, for a longer local run.
    if let Some(path) = std::env::var_os("FORGE_LICENSE_VECTORS") {
        let extra = std::fs::read_to_string(&path).expect("FORGE_LICENSE_VECTORS file");
        for line in extra.lines().filter(|l| !l.starts_with('#')) {
            check_line(line, &mut t);
        }
    }
    println!(
        "license vectors: {} vectors, packaging accepts {}, flit_core accepts {}, \
         {} with deprecated ids; mismatches {}",
        t.vectors,
        t.accepted,
        t.flit_accepted,
        t.with_deprecated,
        t.mismatches.len()
    );
    for m in t.mismatches.iter().take(40) {
        println!("  {m}");
    }
    assert!(t.vectors >= 3000, "only {} vectors", t.vectors);
    // Each mismatch is printed above, up to 40.
    assert!(t.mismatches.is_empty(), "{} mismatches", t.mismatches.len());
}
