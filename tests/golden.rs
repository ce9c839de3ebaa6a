//! The golden case of flit-bytes.md §1.8: flit_core 4.2.0's exact bytes for a one-file
//! project, with SOURCE_DATE_EPOCH=1700000000. Needs no Python.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const PYPROJECT: &str = "[build-system]\nrequires = [\"flit_core >=4,<5\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"tiny\"\nversion = \"0.1\"\ndescription = \"Tiny module\"\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("forge-golden-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sha256_hex(path: &Path) -> String {
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn build(project: &Path, out: &Path, profile: &str, epoch: Option<&str>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_forge-backend"));
    cmd.args(["build", "--profile", profile, "--outdir"])
        .arg(out)
        .arg(project);
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("FORGE_BACKEND_PROFILE");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn tiny_project(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("pyproject.toml"), PYPROJECT).unwrap();
    std::fs::write(dir.join("tiny.py"), "x = 1\n").unwrap();
    dir
}

#[test]
fn golden_wheel_and_sdist_match_flit_4_2_0() {
    let project = tiny_project("flit");
    let out = project.join("dist");
    build(&project, &out, "flit-4.2.0", Some("1700000000"));
    let wheel = out.join("tiny-0.1-py2.py3-none-any.whl");
    let sdist = out.join("tiny-0.1.tar.gz");
    assert_eq!(std::fs::metadata(&wheel).unwrap().len(), 850);
    assert_eq!(
        sha256_hex(&wheel),
        "3536f4e98aa85ca98c22b220165a39287bd57312dd7459c4825b6671f19cf0fa"
    );
    assert_eq!(std::fs::metadata(&sdist).unwrap().len(), 348);
    assert_eq!(
        sha256_hex(&sdist),
        "4818a2e8569acfb45200d0cb4b0ec4af3ef14191d06f1025dd7a3ac230e2d250"
    );
    std::fs::remove_dir_all(&project).unwrap();
}

#[test]
fn native_is_reproducible_without_source_date_epoch() {
    let a = tiny_project("native-a");
    let b = tiny_project("native-b");
    build(&a, &a.join("dist"), "native", None);
    // Different mtimes must not matter.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(b.join("tiny.py"), "x = 1\n").unwrap();
    build(&b, &b.join("dist"), "native", None);
    for name in ["tiny-0.1-py2.py3-none-any.whl", "tiny-0.1.tar.gz"] {
        assert_eq!(
            sha256_hex(&a.join("dist").join(name)),
            sha256_hex(&b.join("dist").join(name)),
            "{name} differs between two native builds"
        );
    }
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn a_failed_wheel_leaves_no_sdist_behind() {
    // flit's wheel cannot store a file dated before 1980 (without SOURCE_DATE_EPOCH);
    // `build` writes the sdist first, and must remove it when the wheel then fails.
    let project = tiny_project("pre1980");
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(157_766_400); // 1975
    std::fs::File::options()
        .write(true)
        .open(project.join("tiny.py"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = project.join("dist");
    let output = Command::new(env!("CARGO_BIN_EXE_forge-backend"))
        .args(["build", "--profile", "flit-4.2.0", "--outdir"])
        .arg(&out)
        .arg(&project)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("FORGE_BACKEND_PROFILE")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("before 1980"));
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    std::fs::remove_dir_all(&project).unwrap();
}
