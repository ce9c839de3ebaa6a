//! The wheel's bytes must not depend on how work is spread: thread count, batch size,
//! or whether a file is read whole (parallel path) or streamed (large-file path).

use std::path::PathBuf;

use forge_backend::build::BuildOptions;
use forge_backend::profile::Profile;
use forge_backend::wheel::{build_tuned, Tuning};

fn project() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("forge-tuning-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pkg/sub")).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"pkg\"\nversion = \"1.0\"\ndescription = \"x\"\n",
    )
    .unwrap();
    // A mix of sizes: empty, tiny, text-like, and larger pseudo-random files.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 7) as u8 + b'a'
            })
            .collect()
    };
    std::fs::write(dir.join("pkg/__init__.py"), "").unwrap();
    for i in 0..40 {
        let body = format!("def f{i}():\n    return {i}\n").repeat(i * 17 + 1);
        std::fs::write(dir.join(format!("pkg/m{i:02}.py")), body).unwrap();
    }
    std::fs::write(dir.join("pkg/sub/big.bin"), noise(300_000)).unwrap();
    std::fs::write(dir.join("pkg/sub/mid.bin"), noise(70_000)).unwrap();
    dir
}

#[test]
fn bytes_do_not_depend_on_work_distribution() {
    let root = project();
    let options = BuildOptions::with_epoch(Profile::native(), Some("1700000000")).unwrap();
    let (project, _) = forge_backend::project::load(&root, &options.profile).unwrap();
    let tunings = [
        Tuning {
            threads: 1,
            whole_file_limit: u64::MAX,
            batch_bytes: u64::MAX,
        },
        Tuning {
            threads: 4,
            whole_file_limit: u64::MAX,
            batch_bytes: 10_000,
        },
        Tuning {
            threads: 3,
            whole_file_limit: 50_000,
            batch_bytes: 1,
        },
        Tuning {
            threads: 2,
            whole_file_limit: 0,
            batch_bytes: 0,
        },
    ];
    let mut outputs = Vec::new();
    for (i, tuning) in tunings.iter().enumerate() {
        let out = root.join(format!("out{i}"));
        std::fs::create_dir_all(&out).unwrap();
        let name = build_tuned(&project, &options, &out, None, false, *tuning).unwrap();
        outputs.push(std::fs::read(out.join(name)).unwrap());
    }
    for (i, bytes) in outputs.iter().enumerate().skip(1) {
        assert!(
            bytes == &outputs[0],
            "tuning {:?} changed the wheel's bytes",
            tunings[i]
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}
