//! parse → validate → render: any text as pyproject.toml, in a fixed project tree,
//! under both profiles and both strictness levels. Nothing may panic, every diagnostic
//! must render, and whatever validates must render METADATA that readers take as
//! written: well-formed headers, Requires-Dist values that parse, a version that is
//! its own normal form.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use forge_backend::diagnostic::Diagnostics;
use forge_backend::metadata;
use forge_backend::profile::Profile;
use forge_backend::project::{self, requirement::Requirement, version::Version, Lint};
use forge_backend::pyproject::PyProject;
use libfuzzer_sys::fuzz_target;

/// A project tree with something for most configurations to find.
fn project_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("forge-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files: &[(&str, &str)] = &[
            ("demo.py", "\"\"\"Demo module.\"\"\"\n__version__ = \"1.0\"\n"),
            ("src/pkg/__init__.py", "\"\"\"Pkg.\"\"\"\n__version__ = \"2.0rc1\"\n"),
            ("src/pkg/_version.py", "__version__ = \"2.0\"\n"),
            ("ns/sub/__init__.py", "\"\"\"Namespace member.\"\"\"\n"),
            ("x-stubs/__init__.pyi", "x: int\n"),
            ("README.md", "# Demo\n"),
            ("README.rst", "Demo\n====\n"),
            ("LICENSE", "MIT\n"),
            ("licenses/a.txt", "A\n"),
            ("docs/index.md", "docs\n"),
            ("data/share/x.txt", "x\n"),
            ("_build/backend.py", "api = None\n"),
        ];
        for (rel, content) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        // Links that stay in the tree, leave it, and lead nowhere.
        for (link, target) in [
            ("COPYING", "LICENSE"),
            ("docs/outside.md", "/etc/passwd"),
            ("docs/broken.md", "missing.md"),
            ("escape", "/usr"),
        ] {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
        }
        dir
    })
}

fn render(diags: &Diagnostics, path: &Path, text: &str) {
    for d in &diags.items {
        let here = d.location.file.as_deref() == Some(path);
        let out = d.render(here.then_some(text));
        assert!(out.starts_with("error: ") || out.starts_with("warning: "));
    }
}

fn check_metadata(md: &str) {
    let headers = md.split("\n\n").next().unwrap_or("");
    for line in headers.lines() {
        if line.starts_with("        ") {
            continue;
        }
        let (field, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("malformed METADATA line {line:?}\n{md}"));
        assert!(
            !field.is_empty() && field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "malformed field name in {line:?}"
        );
        assert!(!value.contains('\r'), "CR in {line:?}");
        match field {
            "Requires-Dist" => {
                if let Err(e) = Requirement::parse(value) {
                    panic!("Requires-Dist {value:?} does not parse: {}", e.message);
                }
            }
            "Version" => {
                let v = Version::parse(value).expect("Version parses");
                assert_eq!(v.to_string(), value, "Version is not its normal form");
            }
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = project_dir();
    let path = root.join("pyproject.toml");
    let doc = match PyProject::parse(&path, text.to_string()) {
        Ok(doc) => doc,
        Err(d) => {
            render(&d, &path, text);
            return;
        }
    };
    for profile in [Profile::native(), Profile::flit_newest()] {
        for lint in [Lint::Build, Lint::Publish] {
            match project::from_pyproject_with(root, &doc, &profile, lint, None) {
                Ok((p, warnings)) => {
                    render(&warnings, &path, text);
                    check_metadata(&metadata::core_metadata(&p, &profile));
                    let _ = metadata::wheel_file(&p, &profile);
                    if let Some(ep) = metadata::entry_points(&p) {
                        for line in ep.lines() {
                            assert!(!line.contains('\r'), "CR in entry_points.txt");
                        }
                    }
                    render(&project::publish::lint(&p, &profile), &path, text);
                }
                Err(d) => {
                    assert!(d.has_errors(), "Err without an error");
                    render(&d, &path, text);
                }
            }
        }
    }
});
