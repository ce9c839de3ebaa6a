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
//! python3 (CPython 3.8+) is required; without it the tests fail rather than skip.
//! `cargo test --test readers_differential -- --nocapture` prints the summary lines;
//! `FORGE_READERS_MUTATIONS=N` changes the number of mutations (default 300000).

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use forge_backend::archive::crc32::crc32;
use forge_backend::archive::deflate::deflate;
use forge_backend::archive::inflate::{inflate, inflate_prefix, InflateError, Inflater, Status};

const ORACLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/readers/oracle.py");

// ------------------------------------------------------------------ harness

/// splitmix64: fixed seeds, so every run tests the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n + 8);
        while v.len() < n {
            v.extend_from_slice(&self.next().to_le_bytes());
        }
        v.truncate(n);
        v
    }
}

/// A temporary directory removed however the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "forge-readers-{label}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the oracle to completion and returns its stdout.
fn oracle(args: &[&str]) -> Vec<u8> {
    let output = Command::new("python3")
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
    let output = Command::new("python3")
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
    let mut child = Command::new("python3")
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
