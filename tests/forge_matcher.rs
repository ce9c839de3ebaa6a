//! forge's own deflate matcher (`Encoder::Forge`, the native profile's wheels), checked
//! against CPython's zlib as the oracle: every output must inflate with
//! `zlib.decompress(z, -15)` to the input, and on real Python sources the output must be
//! no larger than zlib level 6's, which is the promise that lets the native profile use
//! it (README, native vs flit, row 14). The bytes must not depend on how the input is
//! split across writes, nor on whether the encoder was used before.
//!
//! python3 is required: without it the test fails (it never skips silently).

use forge_backend::archive::deflate::{Deflater, Encoder};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support;
use support::{Rng, TempDir};

/// Reads `manifest` (one input path per line, its forge output at `path + ".z"`), checks
/// each output inflates to the input and prints, per line, zlib level 6's size.
const PY_CHECK: &str = r#"
import sys, zlib
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    data = open(path, "rb").read()
    z = open(path + ".z", "rb").read()
    back = zlib.decompress(z, -15)
    assert back == data, (path, len(back), len(data))
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    print(len(co.compress(data) + co.flush()))
"#;

fn forge(data: &[u8]) -> Vec<u8> {
    let mut d = Deflater::with(Encoder::Forge);
    let mut out = Vec::new();
    d.write(data, &mut out);
    d.finish(&mut out);
    out
}

fn stdlib_dir() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import os; print(os.path.dirname(os.__file__))"])
        .output()
        .expect("this test needs CPython's python3 on PATH");
    assert!(out.status.success());
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8").trim())
}

/// The top-level `.py` files of the standard library, in name order.
fn stdlib_sources(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the stdlib folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "py"))
        .collect();
    out.sort();
    out
}

/// Inputs aimed at the matcher's edges: empty and tiny inputs, incompressible bytes,
/// long runs (window slides, matches of 258), three-byte repeats that only the
/// three-byte table finds, repeats at about the 32 KiB distance limit, and text.
fn synthetic_inputs(text: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(0xF0E6_E000_0000_0001);
    let mut v: Vec<(String, Vec<u8>)> = Vec::new();
    for n in 0..=9 {
        v.push((format!("tiny{n}"), b"abcabcabca"[..n].to_vec()));
    }
    v.push(("random-100k".into(), rng.bytes(100_000)));
    v.push(("run-300k".into(), vec![b'z'; 300_000]));
    let mut threes = Vec::new();
    for i in 0..40_000u32 {
        threes.extend_from_slice(&[b'a' + (i % 7) as u8, b'-', b'x']);
        threes.push(rng.bytes(1)[0]);
    }
    v.push(("three-byte-repeats".into(), threes));
    for distance in [32_506usize, 32_507, 32_508, 32_768] {
        let block = rng.bytes(distance);
        let mut data = block.clone();
        data.extend_from_slice(&block[..5_000]);
        data.extend_from_slice(&rng.bytes(1_000));
        v.push((format!("repeat-at-{distance}"), data));
    }
    let mut mixed = Vec::new();
    while mixed.len() < 400_000 {
        let at = rng.below(text.len().saturating_sub(4096));
        mixed.extend_from_slice(&text[at..at + rng.below(4096)]);
        let noise = rng.below(64);
        mixed.extend_from_slice(&rng.bytes(noise));
    }
    v.push(("text-and-noise".into(), mixed));
    v
}

#[test]
fn forge_matcher_inflates_with_cpython_and_is_no_larger_than_zlib_level_6() {
    let stdlib = stdlib_dir();
    let sources = stdlib_sources(&stdlib);
    assert!(
        sources.len() > 50,
        "too few stdlib sources under {}",
        stdlib.display()
    );
    let tmp_dir = TempDir::new("forge-matcher");
    let tmp = tmp_dir.0.clone();

    let mut text = Vec::new();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for path in &sources {
        let data = std::fs::read(path).expect("read stdlib source");
        text.extend_from_slice(&data);
        inputs.push((path.display().to_string(), data));
    }
    let real = inputs.len();
    inputs.extend(synthetic_inputs(&text));

    // One encoder reused for every input (as the wheel's workers reuse theirs) must give
    // the bytes of a fresh one; so must the input fed in uneven pieces.
    let mut reused = Deflater::with(Encoder::Forge);
    let mut rng = Rng(7);
    let mut manifest = String::new();
    let mut forge_sizes = Vec::new();
    for (i, (name, data)) in inputs.iter().enumerate() {
        let fresh = forge(data);
        let mut again = Vec::new();
        let mut rest = &data[..];
        while !rest.is_empty() {
            let n = (1 + rng.below(70_000)).min(rest.len());
            reused.write(&rest[..n], &mut again);
            rest = &rest[n..];
        }
        reused.finish_and_reset(&mut again);
        assert!(
            again == fresh,
            "{name}: chunked or reused encoder gave other bytes"
        );
        let path = tmp.join(format!("in{i:04}"));
        std::fs::write(&path, data).expect("write input");
        std::fs::write(tmp.join(format!("in{i:04}.z")), &fresh).expect("write output");
        manifest.push_str(&format!("{}\n", path.display()));
        forge_sizes.push(fresh.len() as u64);
    }
    let list = tmp.join("manifest");
    std::fs::write(&list, manifest).expect("write manifest");
    let out = Command::new("python3")
        .arg("-c")
        .arg(PY_CHECK)
        .arg(&list)
        .stdin(Stdio::null())
        .output()
        .expect("this test needs CPython's python3 on PATH");
    assert!(
        out.status.success(),
        "an output did not inflate to its input: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zlib_sizes: Vec<u64> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| l.parse().expect("a size"))
        .collect();
    assert_eq!(zlib_sizes.len(), inputs.len());

    let forge_text: u64 = forge_sizes[..real].iter().sum();
    let zlib_text: u64 = zlib_sizes[..real].iter().sum();
    let input_text: u64 = inputs[..real].iter().map(|(_, d)| d.len() as u64).sum();
    println!(
        "{real} stdlib sources, {input_text} bytes: forge's matcher {forge_text}, zlib level 6 {zlib_text} ({:+.2}%)",
        (forge_text as f64 / zlib_text as f64 - 1.0) * 100.0
    );
    assert!(
        forge_text <= zlib_text,
        "forge's matcher wrote {forge_text} bytes for the stdlib sources, zlib level 6 {zlib_text}"
    );
    // Incompressible input must not grow past what stored blocks allow (a block ends
    // every 16,383 symbols, as in zlib, and a stored one costs 5 bytes of header).
    for ((name, data), size) in inputs.iter().zip(&forge_sizes) {
        let stored = data.len() as u64 + 5 * (data.len() as u64 / 16_383 + 1);
        assert!(
            *size <= stored + 8,
            "{name}: {size} bytes for {} of input",
            data.len()
        );
    }
}
