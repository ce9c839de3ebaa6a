//! Differential test of `archive::deflate` and `archive::crc32` against CPython's zlib.
//!
//! Every input is compressed at every level 0-9 by us and by `python3`, which drives zlib
//! exactly as `zipfile` and `gzip` do: `zlib.compressobj(level, zlib.DEFLATED, -15)`, one
//! `compress()` of the whole input, then `flush()`. The gate is zero differing bytes. Inputs
//! are generated from fixed seeds, plus real files of the local Python installation (its
//! stdlib sources and binaries), so runs on one machine are reproducible.
//!
//! Chunked feeding is checked too: for several inputs and many random chunkings our output
//! must not change at any level, and for levels 1-9 it must equal what zlib produces when
//! CPython feeds it the same chunks.
//!
//! python3 is required: without it the test fails (it never skips silently).
//! Run with `cargo test --test deflate_differential -- --nocapture` to see the summary.

use forge_backend::archive::crc32::{crc32, Crc32};
use forge_backend::archive::deflate::{deflate, Deflater};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

/// Compresses each manifest entry at the requested levels; writes, per entry, the CRC-32
/// (whole entries only) then each level's output as a little-endian u64 length + bytes.
const PY_SCRIPT: &str = r#"
import struct, sys, zlib
out = sys.stdout.buffer
def compress(level, chunks):
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    parts = [co.compress(c) for c in chunks]
    parts.append(co.flush())
    return b"".join(parts)
for line in open(sys.argv[1], encoding="utf-8"):
    path, mode, levels = line.rstrip("\n").split("\t")
    with open(path, "rb") as f:
        data = f.read()
    if mode == "whole":
        out.write(struct.pack("<I", zlib.crc32(data)))
        chunks = [data]
    else:
        with open(mode, "rb") as f:
            sizes = f.read()
        chunks, pos = [], 0
        for (n,) in struct.iter_unpack("<I", sizes):
            chunks.append(data[pos:pos + n])
            pos += n
        assert pos == len(data), (path, pos, len(data))
    for level in map(int, levels.split(",")):
        z = compress(level, chunks)
        out.write(struct.pack("<Q", len(z)))
        out.write(z)
    out.flush()
"#;

const PY_INFO: &str = r#"
import os, sys, zlib
print(zlib.ZLIB_RUNTIME_VERSION)
print(os.path.dirname(os.__file__))
print(os.path.realpath(sys.executable))
print(os.path.realpath(__import__("_decimal").__file__))
"#;

mod support;
use support::{Rng, TempDir};

struct Input {
    name: String,
    /// File python3 reads: one of ours in the temp dir, or a real file left in place.
    path: PathBuf,
    data: Vec<u8>,
    /// Chunkings to test (sizes summing to data.len()), each checked at every level.
    chunkings: Vec<Vec<usize>>,
}

#[derive(Default, Clone, Copy)]
struct LevelStats {
    compared: usize,
    input_bytes: u64,
    output_bytes: u64,
    differing: u64,
}

fn differing_bytes(a: &[u8], b: &[u8]) -> u64 {
    let common = a.iter().zip(b).filter(|(x, y)| x != y).count() as u64;
    common + a.len().abs_diff(b.len()) as u64
}

fn compress_chunked(level: u8, data: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut d = Deflater::new(level);
    let mut out = Vec::new();
    let mut pos = 0;
    for &n in sizes {
        d.write(&data[pos..pos + n], &mut out);
        pos += n;
    }
    d.finish(&mut out);
    out
}

fn python_info() -> Vec<String> {
    let output = Command::new("python3").arg("-c").arg(PY_INFO).output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "python3 failed ({}): {}\nThis test needs CPython's python3 on PATH.",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run python3 ({e}); this test needs CPython's python3 on PATH"),
    };
    String::from_utf8(output.stdout)
        .expect("python3 output")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Random chunk sizes summing to `len`, drawn in `0..=max` (zero-length writes included).
fn random_chunking(rng: &mut Rng, len: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = rng.below(max + 1).min(left);
        sizes.push(n);
        left -= n;
    }
    sizes
}

fn chunkings_for(rng: &mut Rng, len: usize) -> Vec<Vec<usize>> {
    let mut v = vec![
        random_chunking(rng, len, 64),
        random_chunking(rng, len, 5000),
        random_chunking(rng, len, 70_000),
    ];
    // Window-sized pieces off by one either way.
    let mut around = Vec::new();
    let mut left = len;
    for &n in [65535usize, 1, 65536, 32767, 32769, 65537].iter().cycle() {
        if left == 0 {
            break;
        }
        let n = n.min(left);
        around.push(n);
        left -= n;
    }
    v.push(around);
    // Single bytes for the first 70 KB (through the first window slide), then the rest.
    let singles = len.min(70_000);
    let mut bytes = vec![1; singles];
    if len > singles {
        bytes.push(len - singles);
    }
    v.push(bytes);
    v
}

fn stdlib_sources(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if recursive && name != "site-packages" && name != "__pycache__" {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn build_inputs(tmp: &Path, stdlib: &Path, binaries: &[PathBuf]) -> Vec<Input> {
    let mut rng = Rng(0x5EED_DEF1_A7E5_0001);
    let mut inputs: Vec<Input> = Vec::new();
    let add = |inputs: &mut Vec<Input>, name: String, data: Vec<u8>, chunkings| {
        let path = tmp.join(format!("in{:04}", inputs.len()));
        std::fs::write(&path, &data).expect("write input");
        inputs.push(Input {
            name,
            path,
            data,
            chunkings,
        });
    };

    // A text corpus for slices: the top-level stdlib sources.
    let top_level = stdlib_sources(stdlib, false);
    assert!(
        top_level.len() > 50,
        "too few stdlib sources under {}",
        stdlib.display()
    );
    let mut text = Vec::new();
    for p in &top_level {
        text.extend(std::fs::read(p).expect("read stdlib source"));
    }

    add(&mut inputs, "empty".into(), Vec::new(), vec![]);
    add(&mut inputs, "1 byte".into(), b"x".to_vec(), vec![]);
    let sizes = [
        2, 3, 257, 258, 259, 4095, 4096, 16383, 16384, 16385, 32767, 32768, 32769, 65273, 65274,
        65275, 65276, 65535, 65536, 65537, 98304, 131072, 131073,
    ];
    for &n in &sizes {
        let at = rng.below(text.len() - n);
        add(
            &mut inputs,
            format!("text {n}"),
            text[at..at + n].to_vec(),
            vec![],
        );
        add(&mut inputs, format!("random {n}"), rng.bytes(n), vec![]);
        let small: Vec<u8> = (0..n).map(|_| b"acgt"[rng.below(4)]).collect();
        add(&mut inputs, format!("acgt {n}"), small, vec![]);
    }

    // Long runs of one byte, and runs of random lengths.
    add(
        &mut inputs,
        "run 1 MiB 'a'".into(),
        vec![b'a'; 1 << 20],
        vec![],
    );
    add(
        &mut inputs,
        "run 200 KiB zero".into(),
        vec![0; 200 << 10],
        vec![],
    );
    let mut runs = Vec::new();
    while runs.len() < 600_000 {
        let b = rng.next() as u8;
        let max = if rng.below(4) == 0 { 3000 } else { 40 };
        let n = 1 + rng.below(max);
        runs.extend(std::iter::repeat_n(b, n));
    }
    let runs_chunkings = chunkings_for(&mut rng, runs.len());
    add(&mut inputs, "random runs".into(), runs, runs_chunkings);

    // Low entropy: a small alphabet, and repeated phrases.
    let small: Vec<u8> = (0..400_000).map(|_| b"ab \n"[rng.below(4)]).collect();
    add(&mut inputs, "alphabet of 4".into(), small, vec![]);
    let words: [&[u8]; 12] = [
        b"def ", b"return ", b"self", b".value", b"(", b")", b":\n    ", b"import ", b"if not ",
        b"None", b" = ", b"\n",
    ];
    let mut phrases = Vec::new();
    while phrases.len() < 500_000 {
        phrases.extend_from_slice(words[rng.below(words.len())]);
    }
    let phrase_chunkings = chunkings_for(&mut rng, phrases.len());
    add(
        &mut inputs,
        "repeated phrases".into(),
        phrases,
        phrase_chunkings,
    );

    // Skewed literal statistics (Fibonacci-like frequencies) for deep Huffman trees.
    let mut fib = Vec::new();
    let (mut a, mut b) = (1usize, 1usize);
    for sym in 0..22u8 {
        fib.extend(std::iter::repeat_n(sym.wrapping_mul(37), a));
        (a, b) = (b, a + b);
    }
    for i in (1..fib.len()).rev() {
        let j = rng.below(i + 1);
        fib.swap(i, j);
    }
    add(&mut inputs, "fibonacci frequencies".into(), fib, vec![]);

    // Incompressible data: the stored-block paths.
    let random = rng.bytes(300_000);
    let random_chunkings = chunkings_for(&mut rng, random.len());
    add(
        &mut inputs,
        "random 300 KB".into(),
        random,
        random_chunkings,
    );
    add(
        &mut inputs,
        "random 1 MB".into(),
        rng.bytes(1_000_000),
        vec![],
    );

    // Text with a chunking check.
    let at = rng.below(text.len() - 400_000);
    let slice = text[at..at + 400_000].to_vec();
    let slice_chunkings = chunkings_for(&mut rng, slice.len());
    add(
        &mut inputs,
        "stdlib text 400 KB".into(),
        slice,
        slice_chunkings,
    );

    // A synthetic but realistic input of at least 20 MB: stdlib sources (recursively, in
    // path order) with random tails every megabyte, ending in a random run.
    let mut big = Vec::with_capacity(21 << 20);
    let mut next_tail = 1 << 20;
    for p in stdlib_sources(stdlib, true) {
        if big.len() >= 19 << 20 {
            break;
        }
        big.extend(std::fs::read(&p).expect("read stdlib source"));
        if big.len() >= next_tail {
            let n = 1 + rng.below(64 << 10);
            big.extend(rng.bytes(n));
            next_tail += 1 << 20;
        }
    }
    big.extend(rng.bytes(1 << 20));
    assert!(
        big.len() >= 20 << 20,
        "synthetic input only {} bytes",
        big.len()
    );
    add(
        &mut inputs,
        format!("synthetic {} MB", big.len() >> 20),
        big,
        vec![],
    );

    // Real files, read in place.
    for p in top_level.iter().chain(binaries) {
        let data = std::fs::read(p).expect("read file");
        inputs.push(Input {
            name: p.display().to_string(),
            path: p.clone(),
            data,
            chunkings: vec![],
        });
    }
    inputs
}

/// Starts `python3 -c script arg` with its output piped to the returned reader (its
/// errors go to the test's), for scripts that stream results while the test reads them.
fn spawn_python_reader(script: &str, arg: &Path) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(arg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("this test needs CPython's python3 on PATH");
    let stdout = child.stdout.take().expect("python3 stdout");
    (child, BufReader::with_capacity(1 << 20, stdout))
}

fn read_exact_vec(r: &mut impl Read, n: usize) -> Vec<u8> {
    let mut v = vec![0; n];
    r.read_exact(&mut v).expect("python3 output ended early");
    v
}

fn read_u32(r: &mut impl Read) -> u32 {
    u32::from_le_bytes(read_exact_vec(r, 4).try_into().unwrap())
}

fn read_blob(r: &mut impl Read) -> Vec<u8> {
    let n = u64::from_le_bytes(read_exact_vec(r, 8).try_into().unwrap());
    read_exact_vec(r, n as usize)
}

#[test]
fn deflate_and_crc32_match_cpython_zlib() {
    let started = Instant::now();
    let info = python_info();
    let [zlib_version, stdlib, executable, decimal] = &info[..] else {
        panic!("unexpected python3 output: {info:?}");
    };
    let tmp_dir = TempDir::new("deflate-diff");
    let tmp = tmp_dir.0.clone();

    let binaries = [PathBuf::from(executable), PathBuf::from(decimal)];
    let inputs = build_inputs(&tmp, Path::new(stdlib), &binaries);

    // Manifest: every input whole at levels 0-9, then the chunked runs at levels 1-9.
    let all_levels = "0,1,2,3,4,5,6,7,8,9";
    let mut manifest = String::new();
    for input in &inputs {
        manifest.push_str(&format!("{}\twhole\t{all_levels}\n", input.path.display()));
    }
    let mut chunk_files = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        for (k, sizes) in input.chunkings.iter().enumerate() {
            let file = tmp.join(format!("chunks{i:04}_{k}"));
            let bytes: Vec<u8> = sizes
                .iter()
                .flat_map(|&n| (n as u32).to_le_bytes())
                .collect();
            std::fs::write(&file, bytes).expect("write chunk sizes");
            manifest.push_str(&format!(
                "{}\t{}\t1,2,3,4,5,6,7,8,9\n",
                input.path.display(),
                file.display()
            ));
            chunk_files.push((i, k));
        }
    }
    let manifest_path = tmp.join("manifest.tsv");
    std::fs::write(&manifest_path, manifest).expect("write manifest");

    // python3 works through the manifest while we compress; it blocks on the pipe until we
    // read each result, so the two run side by side.
    let (mut child, mut py) = spawn_python_reader(PY_SCRIPT, &manifest_path);

    let mut stats = [LevelStats::default(); 10];
    let mut failures: Vec<String> = Vec::new();
    let mut crc_checked = 0;
    let mut ours_whole: Vec<Vec<Vec<u8>>> = Vec::new(); // kept for inputs with chunkings

    for input in &inputs {
        let want_crc = read_u32(&mut py);
        let got_crc = crc32(&input.data);
        if got_crc != want_crc {
            failures.push(format!(
                "crc32 {}: {got_crc:08x} != {want_crc:08x}",
                input.name
            ));
        }
        crc_checked += 1;
        let mut kept = Vec::new();
        for level in 0..=9u8 {
            let want = read_blob(&mut py);
            let got = deflate(level, &input.data);
            let diff = differing_bytes(&got, &want);
            let s = &mut stats[level as usize];
            s.compared += 1;
            s.input_bytes += input.data.len() as u64;
            s.output_bytes += want.len() as u64;
            s.differing += diff;
            if diff != 0 {
                failures.push(format!(
                    "level {level} {}: {diff} differing bytes (ours {} bytes, zlib {} bytes)",
                    input.name,
                    got.len(),
                    want.len()
                ));
            }
            if !input.chunkings.is_empty() {
                kept.push(got);
            }
        }
        ours_whole.push(kept);
    }

    let whole_done = started.elapsed().as_secs_f64();
    let mut chunkings_checked = 0;
    for &(i, k) in &chunk_files {
        let input = &inputs[i];
        let sizes = &input.chunkings[k];
        // CRC-32 over the same pieces.
        let mut c = Crc32::new();
        let mut pos = 0;
        for &n in sizes {
            c.update(&input.data[pos..pos + n]);
            pos += n;
        }
        if c.value() != crc32(&input.data) {
            failures.push(format!("chunked crc32 {} chunking {k}", input.name));
        }
        for level in 0..=9u8 {
            let got = compress_chunked(level, &input.data, sizes);
            let whole = &ours_whole[i][level as usize];
            let diff = differing_bytes(&got, whole);
            stats[level as usize].differing += diff;
            if diff != 0 {
                failures.push(format!(
                    "level {level} {} chunking {k} ({} pieces): output depends on chunking",
                    input.name,
                    sizes.len()
                ));
            }
            if level == 0 {
                continue; // zlib itself is chunk-dependent at level 0; see stored.rs
            }
            let want = read_blob(&mut py);
            let diff = differing_bytes(&got, &want);
            let s = &mut stats[level as usize];
            s.compared += 1;
            s.input_bytes += input.data.len() as u64;
            s.output_bytes += want.len() as u64;
            s.differing += diff;
            if diff != 0 {
                failures.push(format!(
                    "level {level} {} chunking {k}: {diff} bytes differ from zlib fed the same chunks",
                    input.name
                ));
            }
        }
        chunkings_checked += 1;
    }
    let mut rest = Vec::new();
    py.read_to_end(&mut rest).expect("read python3 output");
    let status = child.wait().expect("wait for python3");
    assert!(status.success(), "python3 failed: {status}");
    assert!(
        rest.is_empty(),
        "python3 wrote {} unexpected bytes",
        rest.len()
    );

    println!(
        "deflate differential vs CPython zlib {zlib_version} (compressobj(level, DEFLATED, -15)):"
    );
    println!("level  compared  input bytes    output bytes  differing bytes");
    let mut total = LevelStats::default();
    for (level, s) in stats.iter().enumerate() {
        println!(
            "{level:>5}  {:>8}  {:>11}  {:>14}  {:>15}",
            s.compared, s.input_bytes, s.output_bytes, s.differing
        );
        total.compared += s.compared;
        total.input_bytes += s.input_bytes;
        total.output_bytes += s.output_bytes;
        total.differing += s.differing;
    }
    println!(
        "total: {} inputs ({} chunkings), {} comparisons, {} input bytes, {} output bytes \
         compared, {} differing bytes; crc32 checked on {crc_checked} inputs; {:.1} s \
         ({whole_done:.1} s for whole inputs)",
        inputs.len(),
        chunkings_checked,
        total.compared,
        total.input_bytes,
        total.output_bytes,
        total.differing,
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(total.differing, 0);
}

/// Python's zlib must be able to read what we write, whatever the level (a cheap sanity
/// check on streams whose bytes are already compared above; this one needs no pipe).
#[test]
fn output_inflates_with_cpython() {
    let mut rng = Rng(42);
    let mut data = rng.bytes(50_000);
    data.extend(std::iter::repeat_n(b'z', 70_000));
    data.extend(b"the quick brown fox ".repeat(3000));
    let tmp_dir = TempDir::new("deflate-inflate");
    let tmp = tmp_dir.0.clone();
    std::fs::write(tmp.join("data"), &data).expect("write");
    for level in 0..=9u8 {
        std::fs::write(tmp.join(format!("z{level}")), deflate(level, &data)).expect("write");
    }
    let script = "import sys, zlib\nd = open(sys.argv[1] + '/data', 'rb').read()\n\
                  for l in range(10):\n    z = open(sys.argv[1] + '/z%d' % l, 'rb').read()\n    \
                  assert zlib.decompress(z, -15) == d, l\nprint('ok')\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&tmp)
        .stdin(Stdio::null())
        .output()
        .expect("python3 is required for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::io::stdout().write_all(&out.stdout).ok();
}

/// Dictionaries and sync flushes, as the native sdist's parallel gzip uses them (each
/// piece primed with the 32 KiB before it, ended with Z_SYNC_FLUSH, the last with
/// Z_FINISH): equal to `zlib.compressobj(level, DEFLATED, -15, zdict=...)` with
/// `flush(Z_SYNC_FLUSH)` / `flush()` at every level 1-9, for dictionaries of 0 to 70,000
/// bytes and pieces from empty to 300,000 bytes of source text, random and repetitive data.
#[test]
fn dictionary_and_sync_flush_match_cpython_zlib() {
    let info = python_info();
    let stdlib = PathBuf::from(&info[1]);
    let mut text = Vec::new();
    for path in stdlib_sources(&stdlib, false) {
        text.extend(std::fs::read(path).expect("read stdlib source"));
        if text.len() > 1_200_000 {
            break;
        }
    }
    let mut rng = Rng(0xD1C7_5F1A_0000_0001);
    let mut mixed = rng.bytes(20_000);
    mixed.extend(std::iter::repeat_n(b'a', 40_000));
    mixed.extend(b"def f(x):\n    return x\n".repeat(2_000));
    mixed.extend(rng.bytes(5_000));

    let tmp_dir = TempDir::new("deflate-dict");
    let tmp = tmp_dir.0.clone();
    // (source, dictionary length, piece length): the dictionary is the bytes just before
    // the piece, as in a chunked stream.
    let mut cases = Vec::new();
    for (source, name) in [(&text, "text"), (&mixed, "mixed")] {
        for dict_len in [0, 1, 2, 3, 258, 32_767, 32_768, 32_769, 70_000] {
            for piece_len in [0, 1, 2, 3, 4, 262, 4096, 32_768, 131_072, 300_000] {
                let start = 80_000 + rng.below(20_000);
                if start + piece_len <= source.len() {
                    cases.push((
                        name,
                        &source[start - dict_len..start],
                        &source[start..start + piece_len],
                    ));
                }
            }
        }
    }
    let mut manifest = String::new();
    for (i, (_, dict, piece)) in cases.iter().enumerate() {
        std::fs::write(tmp.join(format!("d{i}")), dict).expect("write");
        std::fs::write(tmp.join(format!("p{i}")), piece).expect("write");
        manifest.push_str(&format!("{i}\n"));
    }
    std::fs::write(tmp.join("manifest"), manifest).expect("write");
    let script = r#"
import struct, sys, zlib
tmp = sys.argv[1]
out = sys.stdout.buffer
for i in open(tmp + "/manifest").read().split():
    d = open(f"{tmp}/d{i}", "rb").read()
    p = open(f"{tmp}/p{i}", "rb").read()
    for level in range(1, 10):
        for mode in (zlib.Z_SYNC_FLUSH, zlib.Z_FINISH):
            kw = {"zdict": d} if d else {}
            co = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **kw)
            z = co.compress(p) + co.flush(mode)
            out.write(struct.pack("<Q", len(z)) + z)
"#;
    let (mut child, mut reader) = spawn_python_reader(script, &tmp);
    let (mut compared, mut differing) = (0, Vec::new());
    for (name, dict, piece) in &cases {
        for level in 1..=9u8 {
            for sync in [true, false] {
                let want = read_blob(&mut reader);
                let mut encoder = Deflater::new(level);
                encoder.set_dictionary(dict);
                let mut got = Vec::new();
                encoder.write(piece, &mut got);
                if sync {
                    encoder.finish_sync(&mut got);
                } else {
                    encoder.finish(&mut got);
                }
                compared += 1;
                if got != want {
                    differing.push(format!(
                        "{name}: dict {} piece {} level {level} sync {sync}: {} differing bytes",
                        dict.len(),
                        piece.len(),
                        differing_bytes(&got, &want)
                    ));
                }
            }
        }
    }
    assert!(child.wait().expect("python3").success());
    println!("dictionary/sync flush: {compared} outputs compared with zlib");
    assert!(compared > 1000, "only {compared} comparisons");
    assert!(
        differing.is_empty(),
        "{} differ:\n{}",
        differing.len(),
        differing.join("\n")
    );
}
