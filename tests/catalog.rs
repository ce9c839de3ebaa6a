//! The validation catalog (tests/catalog/README.md): bad inputs that every profile
//! listed must refuse with a located, specific error, writing nothing and leaving the
//! source tree as it was; and tricky valid inputs whose METADATA lines must come out
//! normalised. The cases are data in tests/catalog/{bad,valid}/*.toml.
//!
//! `CATALOG_FILTER=substring` runs only the cases whose name contains it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use forge_backend::pyproject::{Node, PyProject, Table, Value};
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_forge-backend");
const PROFILES: &[&str] = &["native", "flit-4.2.0"];
const DEFAULT_MODULE: &str = "\"\"\"Demo.\"\"\"\n__version__ = \"1.0\"\n";

/// One `[[case]]` of a catalog file.
#[derive(Debug, Default)]
struct Case {
    source: String,
    name: String,
    pyproject: String,
    files: Vec<(String, Vec<u8>)>,
    symlinks: Vec<(String, String)>,
    dirs: Vec<String>,
    env: Vec<(String, String)>,
    profiles: Vec<String>,
    accepted_by: Vec<String>,
    command: String,
    // bad cases
    file: String,
    line: Option<i64>,
    key: Option<String>,
    message: Vec<String>,
    // valid cases
    metadata: BTreeMap<String, Vec<String>>,
    absent: BTreeMap<String, Vec<String>>,
    stderr: Vec<String>,
}

fn catalog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/catalog")
}

fn load_cases(kind: &str) -> Vec<Case> {
    let dir = catalog_dir().join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let filter = std::env::var("CATALOG_FILTER").unwrap_or_default();
    let mut cases = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = PyProject::parse(&path, text)
            .unwrap_or_else(|d| panic!("{} is not valid TOML:\n{}", path.display(), d.render()));
        let source = path.file_name().unwrap().to_string_lossy().into_owned();
        let items = doc
            .root
            .get("case")
            .and_then(|n| n.value.as_array())
            .unwrap_or_else(|| panic!("{source}: no [[case]]"));
        for item in items {
            let t = item.value.as_table().expect("[[case]] is a table");
            let case = parse_case(&source, t, kind == "bad");
            if case.name.contains(&filter) {
                cases.push(case);
            }
        }
    }
    cases
}

fn string(t: &Table, key: &str) -> Option<String> {
    t.get(key).map(|n| match &n.value {
        Value::String(s) => s.clone(),
        other => panic!("`{key}` must be a string, not {other:?}"),
    })
}

fn strings(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.value.as_str().expect("array of strings").to_string())
            .collect(),
        Some(other) => panic!("expected strings, got {other:?}"),
    }
}

fn pairs(t: &Table, key: &str) -> Vec<(String, String)> {
    match t.get(key).map(|n| &n.value) {
        None => Vec::new(),
        Some(Value::Table(tt)) => tt
            .entries
            .iter()
            .map(|e| {
                let v = e.node.value.as_str().expect("string values").to_string();
                (e.key.clone(), v)
            })
            .collect(),
        Some(other) => panic!("`{key}` must be a table, not {other:?}"),
    }
}

/// Per-profile lists: `metadata = [...]` applies to every profile; `metadata_native`
/// and `metadata_flit` add lines for one.
fn per_profile(t: &Table, key: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for p in PROFILES {
        let mut lines = strings(t.get(key));
        let own = if *p == "native" { "native" } else { "flit" };
        lines.extend(strings(t.get(&format!("{key}_{own}"))));
        out.insert(p.to_string(), lines);
    }
    out
}

fn parse_case(source: &str, t: &Table, bad: bool) -> Case {
    let known = [
        "name",
        "pyproject",
        "files",
        "hex",
        "symlinks",
        "dirs",
        "module",
        "env",
        "profiles",
        "accepted_by",
        "command",
        "file",
        "line",
        "key",
        "message",
        "metadata",
        "metadata_native",
        "metadata_flit",
        "absent",
        "absent_native",
        "absent_flit",
        "stderr",
        "note",
    ];
    let name = string(t, "name").unwrap_or_else(|| panic!("{source}: a case without a name"));
    for k in t.keys() {
        assert!(known.contains(&k), "{source}: {name}: unknown field `{k}`");
    }
    let mut files: Vec<(String, Vec<u8>)> = pairs(t, "files")
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    for (k, v) in pairs(t, "hex") {
        files.push((k, from_hex(&v)));
    }
    let wants_module = t.get("module").map(|n| n.value.clone()) != Some(Value::Boolean(false));
    let is_module =
        |p: &str| p == "demo.py" || p == "demo" || p.starts_with("demo/") || p.starts_with("src/");
    let has_module = files.iter().any(|(p, _)| is_module(p))
        || pairs(t, "symlinks").iter().any(|(p, _)| is_module(p))
        || strings(t.get("dirs")).iter().any(|p| is_module(p));
    if wants_module && !has_module {
        files.push(("demo.py".into(), DEFAULT_MODULE.as_bytes().to_vec()));
    }
    let profiles = {
        let p = strings(t.get("profiles"));
        if p.is_empty() {
            PROFILES.iter().map(|s| s.to_string()).collect()
        } else {
            p
        }
    };
    let case = Case {
        source: source.to_string(),
        pyproject: string(t, "pyproject")
            .unwrap_or_else(|| panic!("{source}: {name}: no pyproject")),
        files,
        symlinks: pairs(t, "symlinks"),
        dirs: strings(t.get("dirs")),
        env: pairs(t, "env"),
        profiles,
        accepted_by: strings(t.get("accepted_by")),
        command: string(t, "command").unwrap_or_else(|| "build".into()),
        file: string(t, "file").unwrap_or_else(|| "pyproject.toml".into()),
        line: t.get("line").map(|n| match &n.value {
            Value::Integer(i) => i.parse().unwrap(),
            other => panic!("{name}: line must be an integer, not {other:?}"),
        }),
        key: string(t, "key"),
        message: strings(t.get("message")),
        metadata: per_profile(t, "metadata"),
        absent: per_profile(t, "absent"),
        stderr: strings(t.get("stderr")),
        name,
    };
    for p in case.profiles.iter().chain(&case.accepted_by) {
        assert!(
            forge_backend::profile::names().contains(p),
            "{}: unknown profile {p}",
            case.name
        );
    }
    if bad {
        assert!(
            !case.message.is_empty(),
            "{}: a bad case needs `message`",
            case.name
        );
        if case.file == "pyproject.toml" {
            assert!(
                case.line.is_some() && case.key.is_some(),
                "{}: an error in pyproject.toml must be located: give `line` and `key`",
                case.name
            );
        }
    }
    case
}

fn from_hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect()
}

/// A catalog path, with `%XX` escapes for bytes that are not UTF-8.
fn decode_path(p: &str) -> PathBuf {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 && i + 3 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&p[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(OsString::from_vec(out))
}

struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(case: &Case, profile: &str) -> Scratch {
        let dir = std::env::temp_dir()
            .join(format!("forge-catalog-{}", std::process::id()))
            .join(format!("{}-{profile}", case.name));
        let _ = std::fs::remove_dir_all(&dir);
        let project = dir.join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("pyproject.toml"), &case.pyproject).unwrap();
        for d in &case.dirs {
            std::fs::create_dir_all(project.join(decode_path(d))).unwrap();
        }
        for (rel, content) in &case.files {
            let path = project.join(decode_path(rel));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        for (rel, target) in &case.symlinks {
            let path = project.join(decode_path(rel));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, path).unwrap();
        }
        Scratch { dir }
    }

    fn project(&self) -> PathBuf {
        self.dir.join("project")
    }

    fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    fn remove(self) {
        set_writable(&self.project(), true);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Everything about a tree that a build must not change: names, types, modes,
/// contents, link targets.
fn tree_digest(root: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    fn walk(dir: &Path, root: &Path, h: &mut Sha256) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            h.update(p.strip_prefix(root).unwrap().as_os_str().as_bytes());
            h.update(meta.permissions().mode().to_le_bytes());
            if meta.file_type().is_symlink() {
                h.update(b"L");
                h.update(std::fs::read_link(&p).unwrap().as_os_str().as_bytes());
            } else if meta.is_dir() {
                h.update(b"D");
                walk(&p, root, h);
            } else {
                h.update(b"F");
                h.update(std::fs::read(&p).unwrap());
            }
        }
    }
    let mut h = Sha256::new();
    walk(root, root, &mut h);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds from a read-only tree, as distros do.
fn set_writable(root: &Path, writable: bool) {
    use std::os::unix::fs::PermissionsExt;
    fn walk(p: &Path, writable: bool) {
        let Ok(meta) = std::fs::symlink_metadata(p) else {
            return;
        };
        if meta.file_type().is_symlink() {
            return;
        }
        if meta.is_dir() {
            if writable {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
            }
            for e in std::fs::read_dir(p).unwrap().flatten() {
                walk(&e.path(), writable);
            }
            if !writable {
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o555));
            }
        } else {
            let mode = meta.permissions().mode();
            let new = if writable {
                mode | 0o200
            } else {
                mode & !0o222
            };
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(new));
        }
    }
    walk(root, writable);
}

fn run(case: &Case, profile: &str, scratch: &Scratch, command: &str) -> Output {
    let mut cmd = Command::new(BIN);
    match command {
        "build" | "wheel" | "sdist" => {
            cmd.arg("build");
            if command != "build" {
                cmd.arg(format!("--{command}"));
            }
            cmd.args(["--profile", profile, "--outdir"])
                .arg(scratch.out())
                .arg(scratch.project());
        }
        "check" => {
            cmd.args(["check", "--profile", profile])
                .arg(scratch.project());
        }
        "metadata" => {
            cmd.args(["hook", "prepare-metadata-wheel"])
                .arg(scratch.out())
                .args(["--profile", profile])
                .current_dir(scratch.project());
        }
        other => panic!("{}: unknown command {other}", case.name),
    }
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("FORGE_BACKEND_PROFILE")
        .env_remove("RUST_BACKTRACE");
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn out_files(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The error block that matches the case: its header holds every message fragment,
/// its arrow line the file, line and key.
fn find_error(case: &Case, stderr: &str) -> bool {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error: ") || line.starts_with("warning: ") {
            blocks.push(vec![line]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    blocks.iter().any(|b| {
        if !b[0].starts_with("error: ") || !case.message.iter().all(|m| b[0].contains(m.as_str())) {
            return false;
        }
        let arrow = b.iter().find(|l| l.trim_start().starts_with("--> "));
        if case.file.is_empty() {
            return true;
        }
        let Some(arrow) = arrow else { return false };
        let mut place = format!("/{}", case.file);
        if let Some(line) = case.line {
            place.push_str(&format!(":{line}:"));
        }
        arrow.contains(&place)
            && case.key.as_ref().is_none_or(|k| {
                if k.starts_with('(') {
                    arrow.ends_with(&format!(" {k}"))
                } else {
                    arrow.contains(&format!("({k})"))
                }
            })
    })
}

fn check_bad(case: &Case, failures: &mut Vec<String>) {
    for profile in &case.profiles {
        let scratch = Scratch::new(case, profile);
        let before = tree_digest(&scratch.project());
        let out = run(case, profile, &scratch, &case.command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let id = format!("{} [{}] {profile}", case.name, case.source);
        let mut problems = Vec::new();
        if out.status.code() != Some(1) {
            problems.push(format!("exit status {:?}, expected 1", out.status.code()));
        }
        if stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        if !find_error(case, &stderr) {
            problems.push(format!(
                "no error block with {:?} at {}:{} ({})",
                case.message,
                case.file,
                case.line.map_or("-".into(), |l| l.to_string()),
                case.key.as_deref().unwrap_or("-")
            ));
        }
        let written = out_files(&scratch.out());
        if !written.is_empty() {
            problems.push(format!("wrote {written:?}"));
        }
        if tree_digest(&scratch.project()) != before {
            problems.push("changed the source tree".into());
        }
        if problems.is_empty() {
            scratch.remove();
        } else {
            failures.push(format!("{id}: {}\n{stderr}", problems.join("; ")));
        }
    }
    for profile in &case.accepted_by {
        let scratch = Scratch::new(case, profile);
        let out = run(case, profile, &scratch, &case.command);
        if out.status.success() {
            scratch.remove();
        } else {
            failures.push(format!(
                "{} [{}] {profile}: should be accepted in this profile, but failed:\n{}",
                case.name,
                case.source,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
}

fn check_valid(case: &Case, failures: &mut Vec<String>) {
    for profile in &case.profiles {
        let id = format!("{} [{}] {profile}", case.name, case.source);
        let scratch = Scratch::new(case, profile);
        let before = tree_digest(&scratch.project());
        set_writable(&scratch.project(), false);
        let mut problems = Vec::new();

        let md = run(case, profile, &scratch, "metadata");
        let md_err = String::from_utf8_lossy(&md.stderr).into_owned();
        let metadata = if md.status.success() {
            let dist_info = String::from_utf8_lossy(&md.stdout)
                .lines()
                .last()
                .unwrap_or("")
                .to_string();
            std::fs::read_to_string(scratch.out().join(dist_info).join("METADATA"))
                .unwrap_or_default()
        } else {
            problems.push(format!("prepare-metadata failed:\n{md_err}"));
            String::new()
        };
        let headers: Vec<&str> = metadata
            .split("\n\n")
            .next()
            .unwrap_or("")
            .lines()
            .collect();
        for want in &case.metadata[profile] {
            if !headers.contains(&want.as_str()) {
                problems.push(format!("METADATA lacks the line {want:?}"));
            }
        }
        for prefix in &case.absent[profile] {
            if let Some(l) = headers.iter().find(|l| l.starts_with(prefix.as_str())) {
                problems.push(format!("METADATA has {l:?}"));
            }
        }
        for want in &case.stderr {
            if !md_err.contains(want.as_str()) {
                problems.push(format!("stderr lacks {want:?}"));
            }
        }
        let _ = std::fs::remove_dir_all(scratch.out());

        let build = run(case, profile, &scratch, &case.command);
        if !build.status.success() {
            problems.push(format!(
                "{} failed:\n{}",
                case.command,
                String::from_utf8_lossy(&build.stderr)
            ));
        } else if case.command == "build" {
            let mut written = out_files(&scratch.out());
            written.sort();
            let ok = written.len() == 2
                && written.iter().any(|f| f.ends_with(".whl"))
                && written.iter().any(|f| f.ends_with(".tar.gz"));
            if !ok {
                problems.push(format!("expected a wheel and an sdist, found {written:?}"));
            }
        }
        set_writable(&scratch.project(), true);
        if tree_digest(&scratch.project()) != before {
            problems.push("changed the source tree".into());
        }
        if problems.is_empty() {
            scratch.remove();
        } else {
            failures.push(format!(
                "{id}: {}\nMETADATA:\n{metadata}",
                problems.join("\n  ")
            ));
        }
    }
}

fn report(kind: &str, count: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures among {count} {kind} cases:\n\n{}",
        failures.len(),
        failures.join("\n----\n")
    );
}

#[test]
fn bad_inputs_are_refused_with_located_errors() {
    let cases = load_cases("bad");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "case names must be unique");
    let mut failures = Vec::new();
    for case in &cases {
        check_bad(case, &mut failures);
    }
    let count = cases.len();
    report("bad", count, failures);
    if std::env::var("CATALOG_FILTER").is_err() {
        assert!(count >= 150, "the bad catalog has only {count} cases");
    }
}

#[test]
fn valid_inputs_are_accepted_and_normalised() {
    let cases = load_cases("valid");
    let mut failures = Vec::new();
    for case in &cases {
        check_valid(case, &mut failures);
    }
    report("valid", cases.len(), failures);
}
