//! Throughput of `archive::deflate` against CPython's zlib on the same files, same run.
//!
//!     cargo run --release --example bench_deflate -- [DIR...]
//!
//! Reads at least 100 MiB of real files (by default from the local python3's site-packages,
//! in path order) into memory, compresses each file separately at levels 6 and 9 with one
//! reused `Deflater`, then has python3 time `zlib.compressobj(level, DEFLATED, -15)`
//! compress + flush over the same files. Prints MB/s for both and the ratio, and checks that
//! both produced the same bytes (total size and CRC-32 of all outputs).
//!
//! Speeds are computed from the CPU time of the compressing thread (Linux
//! /proc/thread-self/schedstat here, `time.thread_time()` in Python), so that other load on
//! the machine does not skew the comparison; wall-clock speeds are printed as well.
//! `BENCH_MB` changes the corpus size, `BENCH_REPEAT` keeps the best of N runs.

use forge_backend::archive::crc32::Crc32;
use forge_backend::archive::deflate::Deflater;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DEFAULT_CORPUS_MB: u64 = 100;
const LEVELS: [u8; 2] = [6, 9];

const PY_BENCH: &str = r#"
import sys, time, zlib
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
datas = []
for p in paths:
    with open(p, "rb") as f:
        datas.append(f.read())
for level in map(int, sys.argv[2:]):
    best_cpu = best_wall = None
    for _ in range(int(__import__("os").environ.get("BENCH_REPEAT", "1"))):
        size, crc = 0, 0
        c, t = time.thread_time(), time.perf_counter()
        for d in datas:
            co = zlib.compressobj(level, zlib.DEFLATED, -15)
            z = co.compress(d) + co.flush()
            size += len(z)
            crc = zlib.crc32(z, crc)
        c, t = time.thread_time() - c, time.perf_counter() - t
        best_cpu = c if best_cpu is None else min(best_cpu, c)
        best_wall = t if best_wall is None else min(best_wall, t)
    print(level, best_cpu, best_wall, size, crc, flush=True)
"#;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect(&e.path(), out);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

/// CPU time of the calling thread in seconds, if the platform tells.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn python(args: &[&str]) -> String {
    let out = Command::new("python3")
        .args(args)
        .output()
        .expect("python3 is required");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn main() {
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs.push(PathBuf::from(python(&[
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])));
    }
    let mut paths = Vec::new();
    for d in &dirs {
        collect(d, &mut paths);
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let corpus_mb: u64 = std::env::var("BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CORPUS_MB);
    let corpus_bytes = corpus_mb << 20;
    let mut total = 0u64;
    for p in paths {
        if total >= corpus_bytes {
            break;
        }
        if let Ok(data) = std::fs::read(&p) {
            total += data.len() as u64;
            files.push((p, data));
        }
    }
    let mb = total as f64 / 1e6;
    println!(
        "corpus: {} files, {:.1} MB from {}",
        files.len(),
        mb,
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if total < corpus_bytes {
        println!("warning: corpus is smaller than {corpus_mb} MiB");
    }

    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut ours = Vec::new();
    for level in LEVELS {
        let (mut best_cpu, mut best_wall) = (f64::MAX, f64::MAX);
        let (mut size, mut crc) = (0u64, Crc32::new());
        for _ in 0..repeat {
            let mut d = Deflater::new(level);
            let mut out = Vec::new();
            (size, crc) = (0, Crc32::new());
            let (c, t) = (thread_cpu_seconds(), Instant::now());
            for (_, data) in &files {
                out.clear();
                d.write(data, &mut out);
                d.finish_and_reset(&mut out);
                size += out.len() as u64;
                crc.update(&out);
            }
            let wall = t.elapsed().as_secs_f64();
            let cpu = match (c, thread_cpu_seconds()) {
                (Some(a), Some(b)) => b - a,
                _ => wall,
            };
            best_cpu = best_cpu.min(cpu);
            best_wall = best_wall.min(wall);
        }
        ours.push((level, best_cpu, best_wall, size, crc.value()));
    }

    let list = std::env::temp_dir().join(format!("forge-bench-{}.txt", std::process::id()));
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    std::fs::write(&list, names.join("\n")).expect("write file list");
    let levels: Vec<String> = LEVELS.iter().map(u8::to_string).collect();
    let mut args = vec!["-c", PY_BENCH, list.to_str().expect("utf-8 temp path")];
    args.extend(levels.iter().map(String::as_str));
    let py = python(&args);
    let _ = std::fs::remove_file(&list);

    println!("               CPU time                       wall clock");
    println!("level   forge MB/s  zlib MB/s  forge/zlib   forge MB/s  zlib MB/s   identical");
    for ((level, cpu, wall, size, crc), line) in ours.iter().zip(py.lines()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let py_cpu: f64 = f[1].parse().expect("seconds");
        let py_wall: f64 = f[2].parse().expect("seconds");
        let same = f[3] == size.to_string() && f[4] == crc.to_string();
        println!(
            "{level:>5}   {:>10.1}  {:>9.1}  {:>9.2}x   {:>10.1}  {:>9.1}   {}",
            mb / cpu,
            mb / py_cpu,
            py_cpu / cpu,
            mb / wall,
            mb / py_wall,
            if same { "yes" } else { "NO" }
        );
    }
}
