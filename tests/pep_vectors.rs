//! Differential tests against `packaging` 26.3: every vector in tests/vectors/*.tsv (written
//! by tests/vectors/generate.py from the oracle itself) must be accepted or rejected alike,
//! and accepted ones must print the same normal form.

use std::cmp::Ordering;
use std::fmt::Display;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use forge_backend::project::requirement::{
    canonicalize_name, is_valid_extra, is_valid_name, normalize_extra, Marker, Requirement,
    SpecifierSet,
};
use forge_backend::project::version::Version;

/// Decodes one JSON string literal (what `json.dumps` writes for a `str`).
fn json_string(field: &str) -> Result<String, String> {
    let inner = field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .ok_or_else(|| format!("not a JSON string: {field}"))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    let hex4 = |chars: &mut std::str::Chars<'_>| -> Result<u32, String> {
        let digits: String = chars.take(4).collect();
        u32::from_str_radix(&digits, 16).map_err(|e| format!("bad \\u{digits}: {e}"))
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hi = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if chars.next() != Some('\\') || chars.next() != Some('u') {
                        return Err(format!("lone surrogate in {field}"));
                    }
                    let lo = hex4(&mut chars)?;
                    0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                } else {
                    hi
                };
                out.push(char::from_u32(code).ok_or_else(|| format!("bad code point in {field}"))?);
            }
            other => return Err(format!("bad escape {other:?} in {field}")),
        }
    }
    Ok(out)
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The lines of a vector file, split into decoded fields (comments skipped).
fn read_vectors(name: &str) -> Vec<(usize, Vec<String>)> {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.is_empty())
        .map(|(i, line)| {
            let fields = line
                .split('\t')
                .map(|f| {
                    if f.starts_with('"') {
                        json_string(f).unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1))
                    } else {
                        f.to_owned()
                    }
                })
                .collect();
            (i + 1, fields)
        })
        .collect()
}

/// Runs `parse` over every vector of `file` and returns (vectors checked, mismatches).
fn check<T: Display, E: Display>(file: &str, parse: impl Fn(&str) -> Result<T, E>) -> usize {
    let vectors = read_vectors(file);
    let mut mismatches = Vec::new();
    for (line, fields) in &vectors {
        let input = &fields[0];
        let expected = match fields.get(1).map(String::as_str) {
            Some("ok") => Some(fields.get(2).cloned().unwrap_or_default()),
            Some("error") => None,
            other => panic!("{file}:{line}: bad status {other:?}"),
        };
        let got = catch_unwind(AssertUnwindSafe(|| {
            parse(input)
                .map(|v| v.to_string())
                .map_err(|e| e.to_string())
        }));
        let problem = match (&got, &expected) {
            (Err(_), _) => Some("panicked".to_owned()),
            (Ok(Ok(out)), Some(exp)) if out != exp => {
                Some(format!("normal form {out:?}, packaging {exp:?}"))
            }
            (Ok(Ok(out)), None) => Some(format!("accepted as {out:?}, packaging rejects")),
            (Ok(Err(e)), Some(exp)) => Some(format!("rejected ({e}), packaging gives {exp:?}")),
            _ => None,
        };
        if let Some(problem) = problem {
            mismatches.push(format!("{file}:{line}: {input:?}: {problem}"));
        }
    }
    println!(
        "{file}: {} vectors checked, {} mismatches",
        vectors.len(),
        mismatches.len()
    );
    for m in mismatches.iter().take(40) {
        println!("  {m}");
    }
    assert!(
        mismatches.is_empty(),
        "{file}: {} mismatches",
        mismatches.len()
    );
    assert!(
        vectors.len() >= 1000,
        "{file}: only {} vectors",
        vectors.len()
    );
    vectors.len()
}

#[test]
fn versions_match_packaging() {
    check("versions.tsv", Version::parse);
}

#[test]
fn specifier_sets_match_packaging() {
    check("specifiers.tsv", SpecifierSet::parse);
}

#[test]
fn markers_match_packaging() {
    check("markers.tsv", Marker::parse);
}

#[test]
fn requirements_match_packaging() {
    check("requirements.tsv", Requirement::parse);
}

#[test]
fn version_order_matches_packaging() {
    let vectors = read_vectors("version_order.tsv");
    let mut mismatches = Vec::new();
    for (line, fields) in &vectors {
        let (a, b) = (Version::parse(&fields[0]), Version::parse(&fields[1]));
        let expected = match fields[2].as_str() {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("version_order.tsv:{line}: bad comparison {other:?}"),
        };
        match (a, b) {
            (Ok(a), Ok(b)) if a.cmp(&b) == expected && (a == b) == expected.is_eq() => {}
            (a, b) => mismatches.push(format!(
                "version_order.tsv:{line}: {:?} vs {:?}: got {:?}, packaging {expected:?}",
                fields[0],
                fields[1],
                a.and_then(|a| b.map(|b| a.cmp(&b)))
            )),
        }
    }
    println!(
        "version_order.tsv: {} pairs checked, {} mismatches",
        vectors.len(),
        mismatches.len()
    );
    for m in mismatches.iter().take(40) {
        println!("  {m}");
    }
    assert!(mismatches.is_empty());
}

#[test]
fn names_match_packaging() {
    let vectors = read_vectors("names.tsv");
    let mut mismatches = Vec::new();
    for (line, fields) in &vectors {
        let (name, valid, canonical) = (&fields[0], fields[1] == "valid", &fields[2]);
        if is_valid_name(name) != valid || is_valid_extra(name) != valid {
            mismatches.push(format!(
                "names.tsv:{line}: {name:?}: valid should be {valid}"
            ));
        }
        for got in [canonicalize_name(name), normalize_extra(name)] {
            if got != *canonical {
                mismatches.push(format!(
                    "names.tsv:{line}: {name:?}: {got:?}, packaging {canonical:?}"
                ));
            }
        }
    }
    println!(
        "names.tsv: {} names checked, {} mismatches",
        vectors.len(),
        mismatches.len()
    );
    for m in mismatches.iter().take(40) {
        println!("  {m}");
    }
    assert!(mismatches.is_empty());
}

/// No input may panic: every prefix of every vector input goes through every parser.
#[test]
fn truncated_inputs_do_not_panic() {
    let mut checked = 0usize;
    for file in [
        "versions.tsv",
        "specifiers.tsv",
        "markers.tsv",
        "requirements.tsv",
    ] {
        for (line, fields) in read_vectors(file) {
            let input = &fields[0];
            let prefixes = input
                .char_indices()
                .map(|(i, _)| i)
                .chain([input.len()])
                .filter(|i| input.len() < 300 || i % 97 == 0 || *i == input.len());
            for end in prefixes {
                let s = &input[..end];
                let ok = catch_unwind(|| {
                    let _ = Version::parse(s).map(|v| v.to_string());
                    let _ = SpecifierSet::parse(s).map(|v| v.to_string());
                    let _ = Marker::parse(s).map(|v| v.to_string());
                    let _ = Requirement::parse(s).map(|v| v.to_string());
                });
                assert!(ok.is_ok(), "{file}:{line}: panic on prefix {s:?}");
                checked += 1;
            }
        }
    }
    println!("{checked} truncated inputs parsed without panicking");
}
