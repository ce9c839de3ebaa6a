//! Differential tests of the readers (`archive::inflate`, `archive::read`) against CPython.
//!
//! - Inflate: streams written by CPython's zlib under many parameter sets (every level,
//!   strategies, memLevels, window sizes, flush modes) must decompress to their input; a
//!   few hundred thousand mutated streams (bit flips, byte changes, truncations, insertions,
//!   deletions, appended garbage) must get the same verdict as zlib (complete with the same
//!   output and trailing length, truncated, invalid, or over the output limit) and never a
//!   panic.
//! - Containers: archives written by CPython's zipfile/tarfile/gzip and by our writers are
//!   read by our readers and by CPython (tests/readers/oracle.py dumps JSON); the reports
//!   must agree.
//!
//! python3 (CPython 3.8+; `$FORGE_TEST_PYTHON` names another) is required; without it the
//! tests fail rather than skip.
//! `cargo test --test readers_differential -- --nocapture` prints the summary lines;
//! `FORGE_READERS_MUTATIONS=N` changes the number of mutations (default 300000).

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use forge_backend::archive::crc32::crc32;
use forge_backend::archive::deflate::deflate;
use forge_backend::archive::inflate::{inflate, inflate_prefix, InflateError, Inflater, Status};

const ORACLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/readers/oracle.py");

// ------------------------------------------------------------------ harness

mod support;
use support::{Rng, TempDir};

/// The CPython to compare with.
fn python() -> String {
    std::env::var("FORGE_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Runs the oracle to completion and returns its stdout.
fn oracle(args: &[&str]) -> Vec<u8> {
    let output = Command::new(python())
        .arg(ORACLE)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); these tests need CPython"));
    assert!(
        output.status.success(),
        "python3 {ORACLE} {args:?} failed: {}",
        output.status
    );
    output.stdout
}

fn python_text(code: &str) -> String {
    let output = Command::new(python())
        .arg("-c")
        .arg(code)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); these tests need CPython"));
    assert!(output.status.success(), "python3 -c failed");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

fn stdlib_dir() -> PathBuf {
    PathBuf::from(python_text(
        "import os; print(os.path.dirname(os.__file__))",
    ))
}

/// Top-level stdlib sources, sorted: real text of all sizes.
fn stdlib_sources(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read stdlib dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    v.sort();
    v
}

fn read_blobs(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut blobs = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_at(8);
        let len = u64::from_le_bytes(len.try_into().unwrap()) as usize;
        blobs.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    blobs
}

fn write_blobs(path: &Path, blobs: &[Vec<u8>]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for b in blobs {
        f.write_all(&(b.len() as u64).to_le_bytes()).unwrap();
        f.write_all(b).unwrap();
    }
    f.flush().unwrap();
}

fn fail_if_any(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ------------------------------------------------------------------ inflate

/// Inputs for the inflate tests: text, binary, random, runs, small alphabets and skewed
/// statistics (deep Huffman codes), from tiny to a few hundred KB.
fn inflate_inputs(rng: &mut Rng, stdlib: &Path) -> Vec<(String, Vec<u8>)> {
    let sources = stdlib_sources(stdlib);
    assert!(sources.len() > 50, "too few stdlib sources");
    let mut text = Vec::new();
    for p in &sources {
        text.extend(std::fs::read(p).expect("read stdlib source"));
    }
    let mut inputs: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("1 byte".into(), b"x".to_vec()),
    ];
    for n in [
        2usize, 10, 100, 257, 1000, 4096, 16385, 32769, 65537, 100_000, 250_000,
    ] {
        let at = rng.below(text.len() - n);
        inputs.push((format!("text {n}"), text[at..at + n].to_vec()));
    }
    for n in [1usize, 50, 1000, 32768, 70_000, 200_000] {
        inputs.push((format!("random {n}"), rng.bytes(n)));
    }
    inputs.push(("run 100 KB".into(), vec![b'a'; 100_000]));
    let mut runs = Vec::new();
    while runs.len() < 200_000 {
        let b = rng.next() as u8;
        let scale = if rng.below(4) == 0 { 3000 } else { 40 };
        let n = 1 + rng.below(scale);
        runs.extend(std::iter::repeat_n(b, n));
    }
    inputs.push(("random runs".into(), runs));
    let alphabet: Vec<u8> = (0..150_000).map(|_| b"ab \n"[rng.below(4)]).collect();
    inputs.push(("alphabet of 4".into(), alphabet));
    let words: [&[u8]; 8] = [
        b"def ", b"return ", b"self", b".value", b":\n    ", b"import ", b"None", b" = ",
    ];
    let mut phrases = Vec::new();
    while phrases.len() < 150_000 {
        phrases.extend_from_slice(words[rng.below(words.len())]);
    }
    inputs.push(("repeated phrases".into(), phrases));
    // Fibonacci frequencies give code lengths up to the 15-bit maximum.
    let mut fib = Vec::new();
    let (mut a, mut b) = (1usize, 1usize);
    for sym in 0..24u8 {
        fib.extend(std::iter::repeat_n(sym.wrapping_mul(37), a));
        (a, b) = (b, a + b);
    }
    for i in (1..fib.len()).rev() {
        let j = rng.below(i + 1);
        fib.swap(i, j);
    }
    inputs.push(("fibonacci frequencies".into(), fib));
    // Matches at every distance: a random block repeated with growing gaps.
    let block = rng.bytes(300);
    let mut spread = Vec::new();
    let mut gap = 1;
    while spread.len() < 200_000 {
        spread.extend_from_slice(&block);
        spread.extend(rng.bytes(gap));
        gap = (gap * 3 / 2 + 1) % 33_000;
    }
    inputs.push(("matches at all distances".into(), spread));
    for p in sources.iter().step_by(12) {
        inputs.push((
            p.display().to_string(),
            std::fs::read(p).expect("read stdlib source"),
        ));
    }
    inputs
}

/// The zlib parameter sets of the valid-stream test ("level,wbits,memlevel,strategy,flush,
/// every"). Flushing every few bytes is only used on small inputs.
fn zlib_configs(len: usize) -> Vec<String> {
    let mut v: Vec<String> = (0..=9)
        .map(|l| format!("{l},-15,8,default,none,0"))
        .collect();
    for strategy in ["filtered", "huffman", "rle", "fixed"] {
        for level in [1, 6, 9] {
            v.push(format!("{level},-15,8,{strategy},none,0"));
        }
    }
    for (level, mem) in [(6, 1), (6, 9), (9, 1), (1, 2)] {
        v.push(format!("{level},-15,{mem},default,none,0"));
    }
    for wbits in [-9, -10, -13] {
        v.push(format!("6,{wbits},8,default,none,0"));
    }
    v.push("6,-15,8,default,sync,1000".into());
    v.push("9,-15,8,default,full,5000".into());
    v.push("6,-15,8,default,partial,300".into());
    v.push("1,-15,8,default,block,777".into());
    v.push("0,-15,8,default,sync,3000".into());
    if len <= 5000 {
        v.push("6,-15,8,default,sync,1".into());
        v.push("9,-15,8,fixed,block,3".into());
    }
    v
}

/// Decompresses with the streaming API in random input and output pieces.
fn inflate_streaming(
    rng: &mut Rng,
    z: &[u8],
    limit: u64,
) -> Result<(Vec<u8>, usize), InflateError> {
    let mut inflater = Inflater::new(limit);
    let mut out = Vec::new();
    let mut pos = 0;
    let in_scale = if rng.below(2) == 0 { 16 } else { 70_000 };
    let out_scale = if rng.below(2) == 0 { 600 } else { 100_000 };
    let max_in = 1 + rng.below(in_scale);
    let max_out = 1 + rng.below(out_scale);
    loop {
        let end = (pos + 1 + rng.below(max_in)).min(z.len());
        let room = 1 + rng.below(max_out);
        let before = out.len();
        let step = inflater.decompress(&z[pos..end], &mut out, room)?;
        assert_eq!(step.produced, out.len() - before);
        assert!(step.produced <= room);
        assert!(step.consumed <= end - pos);
        pos += step.consumed;
        match step.status {
            Status::Done => return Ok((out, pos)),
            Status::NeedInput => {
                assert_eq!(pos, end, "NeedInput with input left");
                if pos == z.len() {
                    return Err(inflater.finish().unwrap_err());
                }
            }
            Status::OutputFull => assert_eq!(step.produced, room),
        }
    }
}

#[test]
fn inflate_matches_zlib_on_valid_streams() {
    let started = Instant::now();
    let tmp = TempDir::new("inflate-valid");
    let mut rng = Rng(0x1AF1_A7E0_0000_0001);
    let inputs = inflate_inputs(&mut rng, &stdlib_dir());
    let mut manifest = String::new();
    let mut configs = Vec::new();
    for (i, (_, data)) in inputs.iter().enumerate() {
        let path = tmp.path(&format!("in{i:04}"));
        std::fs::write(&path, data).expect("write input");
        let c = zlib_configs(data.len());
        manifest.push_str(&format!("{}\t{}\n", path.display(), c.join("\t")));
        configs.push(c);
    }
    std::fs::write(tmp.path("manifest"), manifest).expect("write manifest");
    let manifest_path = tmp.path("manifest");
    let blobs = read_blobs(&oracle(&["compress", manifest_path.to_str().unwrap()]));

    let mut failures = Vec::new();
    let (mut streams, mut in_bytes, mut out_bytes, mut streamed) = (0usize, 0u64, 0u64, 0usize);
    let mut blob_iter = blobs.iter();
    for ((name, data), configs) in inputs.iter().zip(&configs) {
        for config in configs {
            let z = blob_iter.next().expect("python3 wrote too few streams");
            streams += 1;
            in_bytes += z.len() as u64;
            out_bytes += data.len() as u64;
            match inflate(z, data.len() as u64) {
                Ok(got) if got == *data => {}
                Ok(got) => failures.push(format!(
                    "{name} [{config}]: {} bytes out, want {}",
                    got.len(),
                    data.len()
                )),
                Err(e) => failures.push(format!("{name} [{config}]: {e}")),
            }
            // An exact limit passes; one byte less fails with OutputLimit.
            if !data.is_empty() && streams % 5 == 0 {
                let got = inflate(z, data.len() as u64 - 1);
                if got
                    != Err(InflateError::OutputLimit {
                        limit: data.len() as u64 - 1,
                    })
                {
                    failures.push(format!("{name} [{config}]: limit not enforced: {got:?}"));
                }
            }
            if streams % 3 == 0 {
                streamed += 1;
                match inflate_streaming(&mut rng, z, u64::MAX) {
                    Ok((got, consumed)) if got == *data && consumed == z.len() => {}
                    Ok((got, consumed)) => failures.push(format!(
                        "{name} [{config}] streaming: {} bytes out, {consumed} of {} in",
                        got.len(),
                        z.len()
                    )),
                    Err(e) => failures.push(format!("{name} [{config}] streaming: {e}")),
                }
            }
        }
    }
    assert!(blob_iter.next().is_none(), "python3 wrote too many streams");
    // Our own deflate output at every level, too.
    for (name, data) in inputs.iter().take(30) {
        for level in 0..=9 {
            let z = deflate(level, data);
            streams += 1;
            in_bytes += z.len() as u64;
            out_bytes += data.len() as u64;
            if inflate(&z, u64::MAX).as_deref() != Ok(&data[..]) {
                failures.push(format!(
                    "{name}: our deflate level {level} does not round-trip"
                ));
            }
        }
    }
    println!(
        "inflate valid streams: {} inputs, {streams} streams ({streamed} also fed in random \
         pieces), {in_bytes} compressed bytes -> {out_bytes} bytes, {} differences; {:.1} s",
        inputs.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    fail_if_any("inflate on valid streams", &failures);
}

/// One mutation step: (kind, position, value); see `mutate` in oracle.py.
type MutationOp = (u8, u32, u8);

fn apply_mutation(base: &[u8], ops: &[MutationOp]) -> Vec<u8> {
    let mut data = base.to_vec();
    for &(kind, pos, val) in ops {
        let n = data.len();
        let pos = pos as usize;
        match kind {
            0 if n > 0 => data[pos % n] ^= val,
            1 if n > 0 => data[pos % n] = val,
            2 => data.truncate(pos % (n + 1)),
            3 => data.insert(pos % (n + 1), val),
            4 if n > 0 => {
                data.remove(pos % n);
            }
            5 => data.extend(std::iter::repeat_n(val, pos % 64)),
            _ => {}
        }
    }
    data
}

fn random_mutation(rng: &mut Rng, len: usize) -> Vec<MutationOp> {
    let count = [1, 1, 1, 2, 2, 3, 4, 8][rng.below(8)];
    (0..count)
        .map(|_| {
            // Half the positions fall in the first 48 bytes, where block headers and code
            // lengths live.
            let pos = if rng.below(2) == 0 {
                rng.below(48.min(len.max(1)))
            } else {
                rng.below(len.max(1))
            } as u32;
            let roll = rng.below(100);
            let kind = match roll {
                0..=39 => 0,
                40..=54 => 1,
                55..=69 => 2,
                70..=79 => 3,
                80..=89 => 4,
                _ => 5,
            };
            let val = if kind == 0 && roll < 30 {
                1u8 << rng.below(8)
            } else {
                rng.next() as u8
            };
            (kind, pos, val)
        })
        .collect()
}

/// zlib's verdict classes (see `cmd_mutate` in oracle.py).
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Complete { len: u32, crc: u32, unused: u32 },
    Truncated,
    Invalid,
    OverLimit,
}

fn our_verdict(data: &[u8], limit: u64) -> Result<Verdict, String> {
    let result = catch_unwind(AssertUnwindSafe(|| inflate_prefix(data, limit)))
        .map_err(|_| "panic".to_string())?;
    Ok(match result {
        Ok(inflated) => Verdict::Complete {
            len: inflated.data.len() as u32,
            crc: crc32(&inflated.data),
            unused: (data.len() - inflated.consumed) as u32,
        },
        Err(InflateError::Truncated) => Verdict::Truncated,
        Err(InflateError::OutputLimit { .. }) => Verdict::OverLimit,
        Err(_) => Verdict::Invalid,
    })
}

#[test]
fn inflate_mutations_match_zlib() {
    const LIMIT: u64 = 1 << 20;
    let started = Instant::now();
    let count: usize = std::env::var("FORGE_READERS_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000);
    let tmp = TempDir::new("inflate-mut");
    let mut rng = Rng(0xBAD_5EED_0000_0002);

    // Bases: small streams of every kind zlib writes, ours, and pure random bytes.
    let stdlib = stdlib_dir();
    let sources = stdlib_sources(&stdlib);
    let mut manifest = String::new();
    let mut plain = Vec::new();
    for k in 0..24 {
        let n = [0usize, 1, 5, 40, 300, 1000, 3000, 6000][k % 8];
        let data = if k % 3 == 0 {
            rng.bytes(n)
        } else {
            let text = std::fs::read(&sources[rng.below(sources.len())]).unwrap();
            let n = n.min(text.len());
            let at = rng.below(text.len() - n + 1);
            text[at..at + n].to_vec()
        };
        let path = tmp.path(&format!("plain{k}"));
        std::fs::write(&path, &data).unwrap();
        let configs = [
            "6,-15,8,default,none,0",
            "9,-15,8,default,none,0",
            "1,-15,8,default,none,0",
            "0,-15,8,default,none,0",
            "6,-15,8,fixed,none,0",
            "6,-15,8,huffman,none,0",
            "6,-15,8,rle,none,0",
            "6,-15,1,filtered,sync,100",
        ];
        manifest.push_str(&format!("{}\t{}\n", path.display(), configs.join("\t")));
        plain.push(data);
    }
    let manifest_path = tmp.path("manifest");
    std::fs::write(&manifest_path, manifest).unwrap();
    let mut bases = read_blobs(&oracle(&["compress", manifest_path.to_str().unwrap()]));
    for data in plain.iter().step_by(3) {
        bases.push(deflate(9, data));
    }
    // Bombs: a few KB that inflate past the 1 MiB limit, so mutants land on both sides.
    bases.push(deflate(9, &vec![0u8; 3 << 20]));
    bases.push(deflate(1, &b"abc".repeat(400_000)));
    for n in [1usize, 2, 3, 8, 30, 100, 400] {
        for _ in 0..3 {
            bases.push(rng.bytes(n));
        }
    }
    let bases_path = tmp.path("bases");
    write_blobs(&bases_path, &bases);

    let mut mutations = Vec::with_capacity(count);
    let mut records = Vec::new();
    for _ in 0..count {
        let base = rng.below(bases.len());
        let ops = random_mutation(&mut rng, bases[base].len());
        records.extend_from_slice(&(base as u32).to_le_bytes());
        records.push(ops.len() as u8);
        for &(kind, pos, val) in &ops {
            records.push(kind);
            records.extend_from_slice(&pos.to_le_bytes());
            records.push(val);
        }
        mutations.push((base, ops));
    }
    let muts_path = tmp.path("mutations");
    std::fs::write(&muts_path, &records).unwrap();

    // zlib works through the file while we decode the same inputs.
    let mut child = Command::new(python())
        .arg(ORACLE)
        .args([
            "mutate",
            bases_path.to_str().unwrap(),
            muts_path.to_str().unwrap(),
        ])
        .arg(LIMIT.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn python3");
    let mut ours = Vec::with_capacity(count);
    let mut panics = Vec::new();
    let mut mutated_bytes = 0u64;
    let mut streamed = 0usize;
    for (i, (base, ops)) in mutations.iter().enumerate() {
        let data = apply_mutation(&bases[*base], ops);
        mutated_bytes += data.len() as u64;
        let verdict = our_verdict(&data, LIMIT);
        if verdict.is_err() {
            panics.push(format!("mutation {i}: panic on {:02x?}", data));
        }
        // Every 8th input also goes through the streaming API in random pieces; it must
        // agree with the one-shot decoder.
        if i % 8 == 0 {
            streamed += 1;
            let one_shot = inflate_prefix(&data, LIMIT);
            let result = catch_unwind(AssertUnwindSafe(|| {
                inflate_streaming(&mut Rng(i as u64), &data, LIMIT)
            }));
            match (result, one_shot) {
                (Err(_), _) => panics.push(format!("mutation {i}: streaming panic")),
                (Ok(Ok((out, consumed))), Ok(inflated))
                    if out == inflated.data && consumed == inflated.consumed => {}
                (Ok(Err(a)), Err(b)) if a == b => {}
                (Ok(a), b) => panics.push(format!(
                    "mutation {i}: streaming {:?} vs one-shot {:?}",
                    a.map(|(o, c)| (o.len(), c)),
                    b.map(|x| (x.data.len(), x.consumed))
                )),
            }
        }
        ours.push(verdict);
    }
    let mut theirs = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut theirs)
        .unwrap();
    assert!(child.wait().unwrap().success(), "python3 failed");
    assert_eq!(theirs.len(), count * 13, "python3 output length");

    let mut failures = Vec::new();
    let mut classes = [0usize; 4];
    for (i, (ours, rec)) in ours.iter().zip(theirs.chunks(13)).enumerate() {
        let word = |k: usize| u32::from_le_bytes(rec[k..k + 4].try_into().unwrap());
        let want = match rec[0] {
            0 => Verdict::Complete {
                len: word(1),
                crc: word(5),
                unused: word(9),
            },
            1 => Verdict::Truncated,
            2 => Verdict::Invalid,
            _ => Verdict::OverLimit,
        };
        classes[usize::from(rec[0]).min(3)] += 1;
        if let Ok(got) = ours {
            if *got != want {
                let (base, ops) = &mutations[i];
                failures.push(format!(
                    "mutation {i} (base {base}, ops {ops:?}): ours {got:?}, zlib {want:?}"
                ));
            }
        }
    }
    println!(
        "inflate mutations: {count} inputs from {} bases, {mutated_bytes} bytes \
         ({streamed} also streamed); zlib verdicts: {} complete, {} truncated, {} invalid, \
         {} over limit; {} differences, {} panics; {:.1} s",
        bases.len(),
        classes[0],
        classes[1],
        classes[2],
        classes[3],
        failures.len(),
        panics.len(),
        started.elapsed().as_secs_f64()
    );
    fail_if_any("panics", &panics);
    fail_if_any("mutations", &failures);
}

/// Prints our speed next to CPython's zlib.decompress on the same level-6 stream.
#[test]
fn inflate_speed() {
    let tmp = TempDir::new("inflate-speed");
    let stdlib = stdlib_dir();
    let mut data = Vec::new();
    let mut stack = vec![stdlib.clone()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != "site-packages" && e.file_name() != "__pycache__" {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "py") {
                files.push(p);
            }
        }
    }
    files.sort();
    for p in files {
        if data.len() >= 24 << 20 {
            break;
        }
        data.extend(std::fs::read(p).unwrap());
    }
    let z = deflate(6, &data);
    let path = tmp.path("stream");
    std::fs::write(&path, &z).unwrap();
    let report = String::from_utf8(oracle(&["speed", path.to_str().unwrap()])).unwrap();
    let seconds_at = report.find("\"seconds\": ").unwrap() + 11;
    let py_seconds: f64 = report[seconds_at..]
        .split([',', '}'])
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let out = inflate(&z, u64::MAX).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(out.len(), data.len());
    }
    let mb = data.len() as f64 / 1e6;
    println!(
        "inflate speed: {:.1} MB of stdlib text at level 6 ({:.1} MB compressed): ours {:.0} MB/s, \
         CPython zlib.decompress {:.0} MB/s ({report})",
        mb,
        z.len() as f64 / 1e6,
        mb / best,
        mb / py_seconds
    );
}

// ------------------------------------------------------------------ JSON (oracle output)

/// Just enough JSON for the oracle's dumps; numbers keep their text.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing JSON");
        v
    }
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no key {key:?}")),
            _ => panic!("not an object looking up {key:?}"),
        }
    }
    fn fields(&self) -> &[(String, Json)] {
        match self {
            Json::Obj(fields) => fields,
            _ => panic!("not an object"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn opt_str(&self) -> Option<&str> {
        match self {
            Json::Null => None,
            other => Some(other.str()),
        }
    }
    fn u64(&self) -> u64 {
        match self {
            Json::Num(n) => n.parse().unwrap_or_else(|_| panic!("not an integer: {n}")),
            other => panic!("not a number: {other:?}"),
        }
    }
    fn f64(&self) -> f64 {
        match self {
            Json::Num(n) => n.parse().unwrap(),
            other => panic!("not a number: {other:?}"),
        }
    }
    fn bool(&self) -> bool {
        match self {
            Json::Bool(b) => *b,
            other => panic!("not a bool: {other:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            other => panic!("not an array: {other:?}"),
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.s[self.i], c, "JSON: expected {:?}", c as char);
        self.i += 1;
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(fields);
                }
                loop {
                    self.ws();
                    let key = self.string();
                    self.eat(b':');
                    fields.push((key, self.value()));
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b'}' {
                        return Json::Obj(fields);
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b']' {
                        return Json::Arr(items);
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => {
                self.i += 4;
                Json::Bool(true)
            }
            b'f' => {
                self.i += 5;
                Json::Bool(false)
            }
            b'n' => {
                self.i += 4;
                Json::Null
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-0123456789.eE".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                Json::Num(String::from_utf8(self.s[start..self.i].to_vec()).unwrap())
            }
        }
    }
    fn hex4(&mut self) -> u32 {
        let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
        self.i += 4;
        u32::from_str_radix(h, 16).unwrap()
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => {
                            let mut cp = self.hex4();
                            if (0xD800..0xDC00).contains(&cp) {
                                self.i += 2; // \u
                                let low = self.hex4();
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                            }
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                        other => out.push(other as char),
                    }
                }
                _ => {
                    // Copy a whole UTF-8 sequence.
                    let start = self.i - 1;
                    let len = match c {
                        0..=0x7f => 1,
                        0xc0..=0xdf => 2,
                        0xe0..=0xef => 3,
                        _ => 4,
                    };
                    self.i = start + len;
                    out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap());
                }
            }
        }
    }
}

// ------------------------------------------------------------------ containers

fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares one fact; records a difference when it disagrees.
struct Compare<'a> {
    what: String,
    failures: &'a mut Vec<String>,
    facts: usize,
}

impl Compare<'_> {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, field: &str, ours: T, theirs: T) {
        self.facts += 1;
        if ours != theirs {
            self.failures.push(format!(
                "{} {field}: ours {ours:?}, CPython {theirs:?}",
                self.what
            ));
        }
    }
}

/// Writes archives with our writers: wheels (both zip flavors, zip64 extras, every
/// level), sdists (tar in gzip, both tar flavors) and plain gzip files at every level.
/// Returns the gzip level of each gzip file written.
fn write_our_archives(dir: &Path, text: &[u8], rng: &mut Rng) -> Vec<(String, u8)> {
    use forge_backend::archive::gzip::GzipWriter;
    use forge_backend::archive::tar::{TarFlavor, TarHeader, TarMtime, TarWriter};
    use forge_backend::archive::zip::{DosDateTime, Method, ZipEntry, ZipFlavor, ZipWriter};
    let mut levels = Vec::new();

    for (file, flavor) in [
        ("ours-wheel.zip", ZipFlavor::CURRENT),
        ("ours-wheel-legacy.zip", ZipFlavor::CPYTHON_BEFORE_3_11_4),
    ] {
        let out = std::fs::File::create(dir.join(file)).unwrap();
        let mut w = ZipWriter::with_flavor(out, flavor).unwrap();
        for i in 0..14usize {
            let name = match i % 4 {
                0 => format!("pkg/mod{i}.py"),
                1 => format!("pkg/sub/ünï{i}.txt"),
                2 => format!("pkg-1.0.dist-info/{}{i}", "l".repeat(150)),
                _ => format!("pkg-1.0.data/data/share/{i}.bin"),
            };
            let data = match i % 3 {
                0 => text[i * 1000..i * 1000 + 5000 * i].to_vec(),
                1 => rng.bytes(3000),
                _ => Vec::new(),
            };
            let entry = ZipEntry {
                name,
                mode: if i % 5 == 0 { 0o755 } else { 0o644 },
                modified: DosDateTime::new(
                    1980 + i as u16 * 9,
                    1 + i as u8 % 12,
                    1 + i as u8,
                    3,
                    4,
                    58,
                )
                .unwrap(),
                method: if i % 7 == 3 {
                    Method::Stored
                } else {
                    Method::Deflated {
                        level: (i % 10) as u8,
                    }
                },
            };
            match i % 4 {
                // A declared size past the zip64 threshold gives a zip64 local extra.
                3 => w
                    .add_reader(&entry, Some(2_100_000_000), &data[..])
                    .unwrap(),
                2 => w.add_reader(&entry, None, &data[..]).unwrap(),
                _ => w.add_file(&entry, &data).unwrap(),
            }
        }
        w.finish().unwrap();
    }

    for (file, level, flavor) in [
        ("ours-sdist-9.tar.gz", 9, TarFlavor::CURRENT),
        ("ours-sdist-6.tar.gz", 6, TarFlavor::CURRENT),
        ("ours-sdist-38.tar.gz", 9, TarFlavor::CPYTHON_3_8),
    ] {
        let out = std::fs::File::create(dir.join(file)).unwrap();
        let gz = GzipWriter::new(out, &format!("dist/{file}"), 1451606400, level).unwrap();
        let mut tar = TarWriter::with_flavor(gz, flavor);
        for i in 0..12usize {
            let path = match i % 3 {
                0 => format!("pkg-1.0/src/pkg/m{i}.py"),
                1 => format!("pkg-1.0/{}/ü{i}.py", "n".repeat(90)),
                _ => format!("pkg-1.0/docs/{i}.txt"),
            };
            let mtime = match i % 3 {
                0 => TarMtime::Int(1_700_000_000 + i as i64),
                1 => TarMtime::Float {
                    secs: 1_795_234_259 + i as i64,
                    nanos: 788_328_123 - i as u32 * 1000,
                },
                _ => TarMtime::Float {
                    secs: 157_766_400,
                    nanos: 0,
                },
            };
            let header = TarHeader {
                path,
                mode: if i % 4 == 0 { 0o755 } else { 0o644 },
                mtime,
            };
            let data = &text[i * 3000..i * 3000 + 700 * i];
            tar.add_file(&header, data.len() as u64, data).unwrap();
        }
        let link = TarHeader {
            path: "pkg-1.0/link".into(),
            mode: 0o777,
            mtime: TarMtime::Int(7),
        };
        tar.add_symlink(&link, &format!("docs/{}/ü.txt", "t".repeat(100)))
            .unwrap();
        let info = TarHeader {
            path: "pkg-1.0/PKG-INFO".into(),
            mode: 0o644,
            mtime: TarMtime::Int(0),
        };
        tar.add_file(&info, 5, &b"info\n"[..]).unwrap();
        tar.finish().unwrap().finish().unwrap();
        levels.push((file.to_string(), level));
    }

    for level in 0..=9u8 {
        let file = format!("ours-level-{level}.gz");
        let out = std::fs::File::create(dir.join(&file)).unwrap();
        let mut gz =
            GzipWriter::new(out, &format!("a/b/{file}"), 1000 + u32::from(level), level).unwrap();
        let start = usize::from(level) * 7000;
        gz.write_all(&text[start..start + 120_000]).unwrap();
        gz.finish().unwrap();
        levels.push((file, level));
    }

    // Zips with names a wheel must not have: same-length substitutions in our output.
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    let entry = ZipEntry {
        name: "xx/evil".into(),
        mode: 0o644,
        modified: DosDateTime::MIN,
        method: Method::Deflated { level: 6 },
    };
    w.add_file(&entry, b"evil\n").unwrap();
    let good = w.finish().unwrap().into_inner();
    for (file, name) in [
        ("unsafe-dotdot.zip", &b"../evil"[..]),
        ("unsafe-absolute.zip", b"/x/evil"),
        ("unsafe-backslash.zip", b"x\\/evil"),
    ] {
        let mut bytes = good.clone();
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(7).position(|w| w == b"xx/evil") {
            bytes[at + i..at + i + 7].copy_from_slice(name);
            at += i + 7;
        }
        std::fs::write(dir.join(file), bytes).unwrap();
    }
    levels
}

fn compare_zip(file: &str, bytes: &[u8], dump: &Json, failures: &mut Vec<String>) -> usize {
    use forge_backend::archive::read::zip::{ZipArchive, ZipLimits};
    let zip = match ZipArchive::parse(bytes, &ZipLimits::default()) {
        Ok(zip) => zip,
        Err(e) => {
            failures.push(format!("{file}: our zip reader refused it: {e}"));
            return 0;
        }
    };
    let mut c = Compare {
        what: file.to_string(),
        failures,
        facts: 0,
    };
    c.eq(
        "comment",
        hex(zip.comment),
        dump.get("comment").str().to_string(),
    );
    c.eq(
        "central directory offset",
        zip.central_directory.start as u64,
        dump.get("start_dir").u64(),
    );
    let theirs = dump.get("members").arr();
    c.eq("member count", zip.members.len(), theirs.len());
    for (i, (m, t)) in zip.members.iter().zip(theirs).enumerate() {
        c.what = format!("{file} member {:?}", m.name);
        c.eq("name", m.name.as_str(), t.get("name").str());
        c.eq("flags", u64::from(m.flags), t.get("flag_bits").u64());
        c.eq("method", u64::from(m.method), t.get("compress_type").u64());
        let (y, mo, d, h, mi, s) = m.date_time();
        let dt: Vec<u64> = t.get("date_time").arr().iter().map(Json::u64).collect();
        c.eq(
            "date_time",
            vec![
                u64::from(y),
                u64::from(mo),
                u64::from(d),
                u64::from(h),
                u64::from(mi),
                u64::from(s),
            ],
            dt,
        );
        c.eq("crc", u64::from(m.crc32), t.get("CRC").u64());
        c.eq(
            "compressed size",
            m.compressed_size,
            t.get("compress_size").u64(),
        );
        c.eq("size", m.uncompressed_size, t.get("file_size").u64());
        c.eq(
            "external attributes",
            u64::from(m.external_attributes),
            t.get("external_attr").u64(),
        );
        c.eq(
            "internal attributes",
            u64::from(m.internal_attributes),
            t.get("internal_attr").u64(),
        );
        c.eq(
            "create system",
            u64::from(m.create_system),
            t.get("create_system").u64(),
        );
        c.eq(
            "version made by",
            u64::from(m.version_made_by),
            t.get("create_version").u64(),
        );
        c.eq(
            "version needed",
            u64::from(m.version_needed),
            t.get("extract_version").u64(),
        );
        c.eq(
            "extract system",
            u64::from(m.extract_system),
            t.get("reserved").u64(),
        );
        c.eq("disk", u64::from(m.disk_start), t.get("volume").u64());
        c.eq("extra", hex(m.extra), t.get("extra").str().to_string());
        c.eq(
            "comment",
            hex(m.comment),
            t.get("comment").str().to_string(),
        );
        c.eq(
            "header offset",
            m.header_offset,
            t.get("header_offset").u64(),
        );
        c.eq("is_dir", m.is_dir(), t.get("is_dir").bool());
        match zip.read(i, 1 << 30) {
            Ok(data) => c.eq(
                "content",
                sha256_hex(&data),
                t.get("sha256").str().to_string(),
            ),
            Err(e) => c.eq("content", Err::<(), _>(e.to_string()), Ok(())),
        }
    }
    c.facts
}

/// `devmajor`/`devminor` as CPython parses them (NUL-filled or octal).
fn octal_field(raw: &[u8]) -> u64 {
    let text: Vec<u8> = raw.iter().copied().take_while(|&b| b != 0).collect();
    let text = std::str::from_utf8(&text).unwrap().trim();
    if text.is_empty() {
        0
    } else {
        u64::from_str_radix(text, 8).unwrap()
    }
}

fn compare_tar(
    file: &str,
    bytes: &[u8],
    dump: &Json,
    failures: &mut Vec<String>,
    filter_checks: &mut (usize, usize),
) -> usize {
    use forge_backend::archive::read::tar::{TarArchive, TarLimits};
    let tar = match TarArchive::parse(bytes, &TarLimits::default()) {
        Ok(tar) => tar,
        Err(e) => {
            failures.push(format!("{file}: our tar reader refused it: {e}"));
            return 0;
        }
    };
    let issues = tar.check_safe();
    let mut c = Compare {
        what: file.to_string(),
        failures,
        facts: 0,
    };
    c.eq("end offset", tar.end_offset as u64, dump.get("end").u64());
    let theirs = dump.get("members").arr();
    c.eq("member count", tar.members.len(), theirs.len());
    // Global PAX records apply to every member after them; CPython merges them in.
    let mut global: Vec<(String, String)> = Vec::new();
    for header in &tar.global_headers {
        for line in header
            .payload
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
        {
            let text = std::str::from_utf8(line).unwrap();
            let (_, kv) = text.split_once(' ').unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            global.retain(|(key, _)| key != k);
            global.push((k.to_string(), v.to_string()));
        }
    }
    for (m, t) in tar.members.iter().zip(theirs) {
        c.what = format!("{file} member {:?}", m.path);
        c.eq("path", m.path.as_str(), t.get("name").str());
        c.eq(
            "type",
            (m.typeflag as char).to_string(),
            t.get("type").str().to_string(),
        );
        c.eq("mode", u64::from(m.mode), t.get("mode").u64());
        c.eq("uid", m.uid, t.get("uid").u64());
        c.eq("gid", m.gid, t.get("gid").u64());
        c.eq("uname", m.uname.as_str(), t.get("uname").str());
        c.eq("gname", m.gname.as_str(), t.get("gname").str());
        c.eq("size", m.size, t.get("size").u64());
        c.eq("mtime", m.mtime().to_bits(), t.get("mtime").f64().to_bits());
        if let Some(pax) = &m.pax_mtime {
            // The record's text is what CPython's float parses; keep it exact.
            let theirs = t.get("pax_headers").get("mtime").str();
            c.eq("PAX mtime text", pax.text.as_str(), theirs);
        }
        c.eq("linkname", m.link_target.as_str(), t.get("linkname").str());
        c.eq(
            "devmajor",
            octal_field(m.devmajor_field()),
            t.get("devmajor").u64(),
        );
        c.eq(
            "devminor",
            octal_field(m.devminor_field()),
            t.get("devminor").u64(),
        );
        let mut ours: Vec<(String, String)> = global.clone();
        for r in &m.pax {
            ours.retain(|(k, _)| *k != r.key);
            ours.push((r.key.clone(), String::from_utf8(r.value.clone()).unwrap()));
        }
        ours.sort();
        let mut pax: Vec<(String, String)> = t
            .get("pax_headers")
            .fields()
            .iter()
            .map(|(k, v)| (k.clone(), v.str().to_string()))
            .collect();
        pax.sort();
        c.eq("pax headers", ours, pax);
        c.eq("offset", m.offset as u64, t.get("offset").u64());
        c.eq(
            "data offset",
            m.data_offset as u64,
            t.get("offset_data").u64(),
        );
        if let Some(sha) = t.get("sha256").opt_str() {
            c.eq("content", sha256_hex(m.data).as_str(), sha);
        }
        // CPython's `data` extraction filter must never refuse a member we let through.
        if let Some(error) = t.get("data_filter").opt_str() {
            filter_checks.0 += 1;
            let flagged = issues.iter().any(|i| i.path == m.path);
            if flagged {
                filter_checks.1 += 1;
            }
            c.eq(
                &format!("flagged as unsafe (CPython's data_filter: {error})"),
                flagged,
                true,
            );
        }
    }
    c.facts
}

/// Returns (facts compared, detected level, whether it equals the written level).
fn compare_gzip(
    file: &str,
    bytes: &[u8],
    dump: &Json,
    written_level: u8,
    failures: &mut Vec<String>,
    filter_checks: &mut (usize, usize),
) -> (usize, Option<u8>) {
    use forge_backend::archive::read::gzip::{matching_level, read_gzip};
    let gz = match read_gzip(bytes, 1 << 30) {
        Ok(gz) => gz,
        Err(e) => {
            failures.push(format!("{file}: our gzip reader refused it: {e}"));
            return (0, None);
        }
    };
    let h = &gz.header;
    let mut c = Compare {
        what: file.to_string(),
        failures,
        facts: 0,
    };
    c.eq("flags", u64::from(h.flags), dump.get("flags").u64());
    c.eq("mtime", u64::from(h.mtime), dump.get("mtime").u64());
    c.eq("xfl", u64::from(h.xfl), dump.get("xfl").u64());
    c.eq("os", u64::from(h.os), dump.get("os").u64());
    let opt_hex = |v: &Option<Vec<u8>>| v.as_deref().map(hex);
    let theirs_hex = |k: &str| dump.get(k).opt_str().map(str::to_string);
    c.eq("extra", opt_hex(&h.extra), theirs_hex("extra"));
    c.eq("file name", opt_hex(&h.file_name), theirs_hex("fname"));
    c.eq("comment", opt_hex(&h.comment), theirs_hex("comment"));
    c.eq(
        "header crc",
        h.header_crc.map(u64::from),
        match dump.get("hcrc") {
            Json::Null => None,
            v => Some(v.u64()),
        },
    );
    c.eq("header length", h.len as u64, dump.get("header_len").u64());
    c.eq(
        "data length",
        gz.data.len() as u64,
        dump.get("data_len").u64(),
    );
    c.eq("crc", u64::from(gz.crc32), dump.get("crc").u64());
    c.eq(
        "content",
        sha256_hex(&gz.data),
        dump.get("sha256").str().to_string(),
    );
    let body = &bytes[gz.body.clone()];
    let level = matching_level(body, &gz.data);
    // The level found must rebuild the body, and so must the level it was written at:
    // several levels can give the same bytes, and the first in LEVEL_ORDER wins.
    c.eq("level found", level.is_some(), true);
    if let Some(found) = level {
        c.eq(
            "level found rebuilds the body",
            deflate(found, &gz.data) == body,
            true,
        );
        if found != written_level {
            c.eq(
                &format!("written level {written_level} gives the same bytes as {found}"),
                deflate(written_level, &gz.data) == body,
                true,
            );
        }
    }
    let mut facts = c.facts;
    if let Json::Obj(_) = dump {
        if dump.fields().iter().any(|(k, _)| k == "tar") {
            facts += compare_tar(file, &gz.data, dump.get("tar"), failures, filter_checks);
        }
    }
    (facts, level)
}

#[test]
fn containers_match_cpython() {
    let started = Instant::now();
    let tmp = TempDir::new("containers");
    let dir = tmp.path("archives");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0xC0DE_0000_0000_0003);
    let stdlib = stdlib_dir();
    let mut text = Vec::new();
    for p in stdlib_sources(&stdlib).iter().take(40) {
        text.extend(std::fs::read(p).unwrap());
    }
    let ours = write_our_archives(&dir, &text, &mut rng);
    let manifest = Json::parse(
        String::from_utf8(oracle(&["archives", dir.to_str().unwrap()]))
            .unwrap()
            .trim(),
    );
    let dump = Json::parse(
        String::from_utf8(oracle(&["dump", dir.to_str().unwrap()]))
            .unwrap()
            .trim(),
    );
    let mut levels: Vec<(String, u8)> = manifest
        .get("gzip_levels")
        .fields()
        .iter()
        .map(|(k, v)| (k.clone(), v.u64() as u8))
        .collect();
    levels.extend(ours);

    let mut failures = Vec::new();
    let mut facts = 0;
    let mut bytes_read = 0u64;
    let mut counts = [0usize; 3];
    let mut levels_found = (0usize, 0usize);
    let mut filter_checks = (0usize, 0usize);
    let mut unsafe_flagged = 0usize;
    for (file, d) in dump.fields() {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        bytes_read += bytes.len() as u64;
        if file.starts_with("unsafe-") && file.ends_with(".zip") {
            use forge_backend::archive::read::zip::{ZipArchive, ZipError, ZipLimits};
            match ZipArchive::parse(&bytes, &ZipLimits::default()) {
                Err(ZipError::BadName { .. }) => unsafe_flagged += 1,
                other => failures.push(format!("{file}: expected a bad-name error, got {other:?}")),
            }
            continue;
        }
        match d.get("kind").str() {
            "zip" => {
                counts[0] += 1;
                facts += compare_zip(file, &bytes, d, &mut failures);
            }
            "tar" => {
                counts[1] += 1;
                facts += compare_tar(file, &bytes, d, &mut failures, &mut filter_checks);
                if file.starts_with("unsafe-") {
                    use forge_backend::archive::read::tar::{TarArchive, TarLimits};
                    let tar = TarArchive::parse(&bytes, &TarLimits::default()).unwrap();
                    if tar.check_safe().is_empty() {
                        failures.push(format!("{file}: check_safe found nothing"));
                    } else {
                        unsafe_flagged += 1;
                    }
                }
            }
            _ => {
                counts[2] += 1;
                let written = levels
                    .iter()
                    .find(|(k, _)| k == file)
                    .map(|(_, l)| *l)
                    .unwrap_or_else(|| panic!("no level recorded for {file}"));
                let (n, found) =
                    compare_gzip(file, &bytes, d, written, &mut failures, &mut filter_checks);
                facts += n;
                levels_found.0 += 1;
                if found == Some(written) {
                    levels_found.1 += 1;
                }
            }
        }
    }
    println!(
        "containers vs CPython {}: {} zip, {} tar, {} gzip archives ({bytes_read} bytes), \
         {facts} facts compared, {} differences; deflate level found for {}/{} gzip bodies \
         (the written level itself for {}); CPython's data_filter refused {} members, all \
         flagged by check_safe: {}; {unsafe_flagged} unsafe archives flagged; {:.1} s",
        python_text("import platform; print(platform.python_version())"),
        counts[0],
        counts[1],
        counts[2],
        failures.len(),
        levels_found.0,
        levels_found.0,
        levels_found.1,
        filter_checks.0,
        filter_checks.0 == filter_checks.1,
        started.elapsed().as_secs_f64()
    );
    fail_if_any("containers", &failures);
}

/// Feeds damaged archives to every reader entry point; none may panic.
#[test]
fn container_readers_survive_mutations() {
    use forge_backend::archive::read::gzip::{matching_level, read_gzip};
    use forge_backend::archive::read::tar::{TarArchive, TarLimits};
    use forge_backend::archive::read::zip::{ZipArchive, ZipLimits};
    let started = Instant::now();
    let iterations: usize = std::env::var("FORGE_READERS_ARCHIVE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60_000);
    let tmp = TempDir::new("archive-mut");
    let dir = tmp.path("archives");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0xF022_0000_0000_0004);
    let mut text = Vec::new();
    for p in stdlib_sources(&stdlib_dir()).iter().take(40) {
        text.extend(std::fs::read(p).unwrap());
    }
    write_our_archives(&dir, &text, &mut rng);
    oracle(&["archives", dir.to_str().unwrap()]);
    let mut archives: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .filter(|(_, b)| b.len() <= 400_000)
        .collect();
    archives.sort();
    // Header blocks of the plain tars, so damaged headers can get a valid checksum again
    // and reach the field parsing behind the checksum test.
    let header_blocks: Vec<Vec<usize>> = archives
        .iter()
        .map(|(name, bytes)| {
            if !name.ends_with(".tar") {
                return Vec::new();
            }
            let tar = TarArchive::parse(bytes, &TarLimits::default()).unwrap();
            let mut v: Vec<usize> = tar.members.iter().map(|m| m.header_offset).collect();
            for m in &tar.members {
                v.extend(m.extended.iter().map(|e| e.offset));
            }
            v.extend(tar.global_headers.iter().map(|e| e.offset));
            v
        })
        .collect();

    let mut panics = Vec::new();
    let (mut parsed, mut refused, mut bytes) = (0usize, 0usize, 0u64);
    let mut done = 0;
    for i in 0..iterations {
        let pick = rng.below(archives.len());
        let (name, base) = &archives[pick];
        let mut ops = random_mutation(&mut rng, base.len());
        // Aim a third of the damage at the end, where zip keeps its directory.
        for op in ops.iter_mut() {
            if name.ends_with(".zip") && rng.below(3) == 0 {
                op.1 = base.len().saturating_sub(1 + rng.below(300)) as u32;
            }
        }
        let mut data = apply_mutation(base, &ops);
        if rng.below(2) == 0 {
            for &at in &header_blocks[pick] {
                if let Some(block) = data.get_mut(at..at + 512) {
                    block[148..156].fill(b' ');
                    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
                    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
                }
            }
        }
        bytes += data.len() as u64;
        let heavy = i % 64 == 0;
        let outcome = catch_unwind(AssertUnwindSafe(|| -> bool {
            if name.ends_with(".zip") {
                let Ok(zip) = ZipArchive::parse(&data, &ZipLimits::default()) else {
                    return false;
                };
                for k in 0..zip.members.len() {
                    let _ = zip.read(k, 1 << 22);
                }
                let _ = (zip.check_safe(), zip.single_top_level());
                true
            } else if name.ends_with(".gz") {
                let Ok(gz) = read_gzip(&data, 1 << 22) else {
                    return false;
                };
                if heavy {
                    let _ = matching_level(&data[gz.body.clone()], &gz.data);
                }
                if name.ends_with(".tar.gz") {
                    if let Ok(tar) = TarArchive::parse(&gz.data, &TarLimits::default()) {
                        let _ = (tar.check_safe(), tar.single_top_level());
                    }
                }
                true
            } else {
                let Ok(tar) = TarArchive::parse(&data, &TarLimits::default()) else {
                    return false;
                };
                let _ = (
                    tar.check_safe(),
                    tar.single_top_level(),
                    tar.record_padding(),
                );
                true
            }
        }));
        match outcome {
            Ok(true) => parsed += 1,
            Ok(false) => refused += 1,
            Err(_) => panics.push(format!("{name} with {ops:?}")),
        }
        done += 1;
        if started.elapsed().as_secs() > 45 {
            break;
        }
    }
    println!(
        "container mutations: {done} damaged copies of {} archives, {bytes} bytes; {parsed} \
         still read, {refused} refused, {} panics; {:.1} s",
        archives.len(),
        panics.len(),
        started.elapsed().as_secs_f64()
    );
    fail_if_any("panics", &panics);
}
