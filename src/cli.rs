//! Command-line interface. Thin: parses arguments, runs a stage, prints diagnostics.

use std::path::{Path, PathBuf};

use crate::build::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Profile;
use crate::project::{self, Project};

const HELP: &str = "\
forge-backend: build wheels and sdists of pure-Python projects from pyproject.toml

USAGE:
  forge-backend build [--wheel] [--sdist] [--outdir DIR] [--profile NAME]
                      [--config-setting KEY=VALUE]... [PROJECT_DIR]
      Build a wheel and/or an sdist (neither flag: both) into DIR (default
      PROJECT_DIR/dist) and print the written file names.
  forge-backend check [--profile NAME] [PROJECT_DIR]
      Validate pyproject.toml without building. Exit 0 clean, 1 problems found.
  forge-backend hook HOOK OUTDIR [--metadata-directory DIR] [--config-setting KEY=VALUE]...
      Run a PEP 517 hook on the project in the current folder, for the Python shim.
      HOOK is build-wheel, build-sdist, build-editable, prepare-metadata-wheel,
      prepare-metadata-editable or get-requires. The last line of standard output is
      the name of the file or folder written in OUTDIR (get-requires: a JSON list).
      Under flit profiles, exit status 3 with `needs-import FILE` asks the caller to
      import FILE as flit would and retry with --imported [--imported-docstring TEXT]
      [--imported-version TEXT | --imported-version-type TYPE].
  forge-backend verify [--profile NAME] [--json] SDIST [WHEEL]
      Rebuild a published sdist (and the wheel made from it) from the sdist's own
      contents and compare the bytes. The profile comes from the wheel's Generator
      line (an sdist alone: every flit profile is tried); timestamps, gzip level and
      tar flavour are recovered from the artifacts. No Python runs. Exit 0 identical,
      1 different (the first difference is printed), 2 error.
  forge-backend --version | --help

PROFILES (--profile, -C profile=NAME, or FORGE_BACKEND_PROFILE):
  native       forge's own output (default): flit_core's bytes, but reproducible without
               SOURCE_DATE_EPOCH and following the packaging specifications where
               flit does not (README, section Profiles)
  flit-4.2.0   exactly flit_core 4.2.0's bytes (alias: flit)
  flit-X.Y.Z   that flit_core release's bytes for [project] projects: 4.1.0, 4.0.2,
               4.0.1, 3.12.0, 3.11.0, 3.10.1, 3.10.0, 3.9.0, 3.8.0, 3.7.1, 3.7.0,
               3.6.0, 3.5.1, 3.5.0

BUILD OPTION --python 3.X[.Y] (or -C python=3.X[.Y]): the CPython flit would have run
  on: tar headers as its tarfile writes them (<= 3.8, 3.9.0-3.9.10/3.10.0-3.10.2, or
  later) and gzip level 6 from 3.15 (9 before).

CONFIG SETTINGS (PEP 517 config_settings, e.g. `python -m build -C profile=flit`):
  profile=NAME    the output profile
  wheel-tag=TAG   the wheel's tag set instead of py3-none-any, e.g.
                  py3-none-manylinux_2_17_x86_64.musllinux_1_2_x86_64
  script=PATH     an executable to ship in <dist>.data/scripts/ (repeatable)
  Any other key is an error.

EXIT STATUS: 0 success, 1 the project has errors, 2 wrong usage or I/O failure,
  3 (hook only) the module must be imported, as flit would, to find its metadata.
";

/// Config-settings keys the backend understands.
pub const CONFIG_KEYS: &[&str] = &["profile", "wheel-tag", "script", "python"];

pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\nRun `forge-backend --help` for usage.");
            2
        }
        Err(Failure::Diagnostics(d)) => {
            eprint!("{}", d.render());
            let n = d.error_count();
            if n > 1 {
                eprintln!("error: {n} problems found; nothing was written");
            }
            1
        }
    }
}

enum Failure {
    Usage(String),
    Diagnostics(Diagnostics),
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Diagnostics(d)
    }
}

fn run(args: &[String]) -> Result<i32, Failure> {
    let Some(command) = args.first() else {
        return Err(Failure::Usage("no command given".into()));
    };
    let rest = &args[1..];
    match command.as_str() {
        "--help" | "-h" | "help" => {
            print!("{HELP}");
            Ok(0)
        }
        "--version" | "-V" => {
            println!("forge-backend {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        "build" => cmd_build(rest),
        "check" => cmd_check(rest),
        "hook" => cmd_hook(rest),
        "verify" => cmd_verify(rest),
        other => Err(Failure::Usage(format!("unknown command {other:?}"))),
    }
}

/// A command line split into flags, `--key value` pairs and positional arguments.
struct ParsedArgs {
    flags: Vec<String>,
    values: Vec<(String, String)>,
    positional: Vec<String>,
}

impl ParsedArgs {
    /// The last value given for `key`.
    fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, key: &str) -> bool {
        self.flags.iter().any(|f| f == key)
    }
}

/// Splits `--flag`, `--key VALUE` and `--key=VALUE`; `flags` take no value.
fn parse_args(args: &[String], flags: &[&str], valued: &[&str]) -> Result<ParsedArgs, Failure> {
    let mut seen_flags = Vec::new();
    let mut values = Vec::new();
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        if let Some(stripped) = a.strip_prefix("--") {
            let (key, inline) = match stripped.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (stripped, None),
            };
            if flags.contains(&key) && inline.is_none() {
                seen_flags.push(key.to_string());
            } else if valued.contains(&key) {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| Failure::Usage(format!("--{key} needs a value")))?
                    }
                };
                values.push((key.to_string(), value));
            } else {
                return Err(Failure::Usage(format!("unknown option --{key}")));
            }
        } else if a.starts_with('-') && a.len() > 1 {
            return Err(Failure::Usage(format!("unknown option {a}")));
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    Ok(ParsedArgs {
        flags: seen_flags,
        values,
        positional,
    })
}

fn profile_from(name: Option<&str>) -> Result<Profile, Failure> {
    let env = std::env::var("FORGE_BACKEND_PROFILE").ok();
    let name = name
        .or(env.as_deref().filter(|s| !s.is_empty()))
        .unwrap_or("native");
    Profile::by_name(name).map_err(Failure::Usage)
}

fn project_dir(positional: &[String]) -> Result<PathBuf, Failure> {
    match positional {
        [] => Ok(PathBuf::from(".")),
        [dir] => Ok(PathBuf::from(dir)),
        more => Err(Failure::Usage(format!(
            "expected one project folder, got {}",
            more.len()
        ))),
    }
}

fn absolute(p: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(p)
        .map_err(|e| Failure::Usage(format!("cannot resolve {}: {e}", p.display())))
}

/// Loads and validates the project, printing warnings.
fn load(root: &Path, profile: &Profile) -> Result<Project, Failure> {
    load_with(root, profile, None)
}

fn load_with(
    root: &Path,
    profile: &Profile,
    imported: Option<&project::ImportedFacts>,
) -> Result<Project, Failure> {
    if !root.join("pyproject.toml").is_file() {
        return Err(Diagnostics::from(
            Diagnostic::error(format!("no pyproject.toml in {}", root.display()))
                .with_help("run forge-backend in the project folder, or pass it as an argument"),
        )
        .into());
    }
    let (project, warnings) = project::load_with(root, profile, project::Lint::Build, imported)?;
    if !warnings.items.is_empty() {
        eprint!("{}", warnings.render());
    }
    Ok(project)
}

/// The error asking for flit's import fallback, if that is what stopped the load.
fn needs_import(failure: &Failure) -> Option<PathBuf> {
    let Failure::Diagnostics(d) = failure else {
        return None;
    };
    d.items
        .iter()
        .find(|d| d.location.key.as_deref() == Some(project::NEEDS_IMPORT_KEY))
        .and_then(|d| d.location.file.clone())
}

/// Exit status telling the shim to import the module (flit's fallback) and retry.
const EXIT_NEEDS_IMPORT: i32 = 3;

/// `--imported-*` options: what the shim's import of the module gave.
fn imported_facts(parsed: &ParsedArgs) -> Option<project::ImportedFacts> {
    if !parsed.flag("imported") {
        return None;
    }
    let version = match (
        parsed.value("imported-version"),
        parsed.value("imported-version-type"),
    ) {
        (Some(v), _) => Some(Ok(v.to_string())),
        (None, Some(t)) => Some(Err(t.to_string())),
        (None, None) => None,
    };
    Some(project::ImportedFacts {
        docstring: parsed.value("imported-docstring").map(str::to_string),
        version,
        probe: false,
    })
}

fn cmd_build(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(
        args,
        &["wheel", "sdist"],
        &["outdir", "profile", "config-setting", "python"],
    )?;
    let root = absolute(&project_dir(&parsed.positional)?)?;
    let outdir = match parsed.value("outdir") {
        Some(d) => absolute(Path::new(d))?,
        None => root.join("dist"),
    };
    let settings = config_settings(&parsed)?;
    let profile = profile_from(settings.profile.as_deref().or(parsed.value("profile")))?;
    let mut options = BuildOptions::from_env(profile)?;
    options.wheel_tag = settings.wheel_tag;
    options.extra_scripts = settings.scripts;
    if let Some(py) = settings.python.as_deref().or(parsed.value("python")) {
        options.runtime = crate::build::Runtime::for_python(py).map_err(Failure::Usage)?;
    }
    let project = load(&root, &options.profile)?;
    let (wheel, sdist) = match (parsed.flag("wheel"), parsed.flag("sdist")) {
        (false, false) => (true, true),
        chosen => chosen,
    };
    std::fs::create_dir_all(&outdir).map_err(|e| {
        Failure::Diagnostics(crate::diagnostic::io_error("create", &outdir, &e).into())
    })?;
    // One command, one outcome: if the wheel fails after the sdist was written, the
    // sdist goes too, so a failed build leaves nothing behind.
    let mut written = Vec::new();
    if sdist {
        written.push(outdir.join(crate::sdist::build(&project, &options, &outdir)?));
    }
    if wheel {
        match crate::wheel::build(&project, &options, &outdir, None, false) {
            Ok(name) => written.push(outdir.join(name)),
            Err(d) => {
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                return Err(d.into());
            }
        }
    }
    for path in &written {
        println!("{}", path.display());
    }
    Ok(0)
}

fn cmd_check(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(args, &[], &["profile"])?;
    let root = absolute(&project_dir(&parsed.positional)?)?;
    let profile = profile_from(parsed.value("profile"))?;
    let pyproject = root.join("pyproject.toml");
    if !pyproject.is_file() {
        return Err(Diagnostics::from(
            Diagnostic::error(format!("no pyproject.toml in {}", root.display()))
                .with_help("run forge-backend in the project folder, or pass it as an argument"),
        )
        .into());
    }
    let report = check_report(&root, &profile);
    let errors = report.error_count();
    let warnings = report.items.len() - errors;
    if !report.items.is_empty() {
        eprint!("{}", report.render());
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        eprintln!(
            "{}: {} and {} found",
            pyproject.display(),
            plural(errors, "error"),
            plural(warnings, "warning")
        );
        Ok(1)
    } else if warnings > 0 {
        println!(
            "{}: no errors, {}",
            pyproject.display(),
            plural(warnings, "warning")
        );
        Ok(0)
    } else {
        println!("{}: no problems found", pyproject.display());
        Ok(0)
    }
}

/// Everything a build would refuse, plus PyPI's upload rules, without writing anything.
fn check_report(root: &Path, profile: &Profile) -> Diagnostics {
    let mut report = Diagnostics::new();
    match BuildOptions::from_env(profile.clone()) {
        Ok(options) => {
            if let Err(d) = options.sdist_epoch {
                report.extend(d);
            }
        }
        Err(d) => report.extend(d),
    }
    match project::load_with(root, profile, project::Lint::Publish, None) {
        Err(d) => report.extend(d),
        Ok((project, warnings)) => {
            report.extend(warnings);
            if let Err(d) = crate::layout::wheel_layout(&project) {
                report.extend(d);
            }
            if let Err(d) = crate::layout::sdist_files(&project, profile) {
                report.extend(d);
            }
            report.extend(project::publish::lint(&project, profile));
        }
    }
    // The wheel and the sdist walk the same module: say each problem once.
    let mut unique: Vec<Diagnostic> = Vec::with_capacity(report.items.len());
    for d in report.items {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    Diagnostics { items: unique }
}

/// PEP 517 config settings, as the shim passes them (`--config-setting KEY=VALUE`).
#[derive(Default)]
struct ConfigSettings {
    profile: Option<String>,
    wheel_tag: Option<String>,
    scripts: Vec<PathBuf>,
    /// The CPython whose tarfile/gzip flit would have used (`--python`, `-C python=`).
    python: Option<String>,
}

fn config_settings(parsed: &ParsedArgs) -> Result<ConfigSettings, Failure> {
    let mut settings = ConfigSettings::default();
    for (_, setting) in parsed.values.iter().filter(|(k, _)| k == "config-setting") {
        let (key, value) = setting.split_once('=').unwrap_or((setting.as_str(), ""));
        let single = |slot: &mut Option<String>| -> Result<(), Failure> {
            if slot.as_deref().is_some_and(|p| p != value) {
                return Err(Failure::Usage(format!(
                    "config setting `{key}` given twice with different values ({:?}, {value:?})",
                    slot.clone().unwrap_or_default()
                )));
            }
            *slot = Some(value.to_string());
            Ok(())
        };
        match key {
            "profile" => single(&mut settings.profile)?,
            "wheel-tag" => {
                crate::project::forge_table::check_wheel_tag(value).map_err(Failure::Usage)?;
                single(&mut settings.wheel_tag)?
            }
            "script" => settings.scripts.push(absolute(Path::new(value))?),
            "python" => single(&mut settings.python)?,
            other => {
                return Err(Failure::Usage(format!(
                    "unknown config setting {other:?}; forge_backend understands: {}",
                    CONFIG_KEYS.join(", ")
                )))
            }
        }
    }
    Ok(settings)
}

/// `get_requires_for_build_*`: like flit, the project's dependencies when building will
/// import the module (so the frontend installs them first), else nothing. Prints JSON.
fn get_requires(root: &Path, profile: &Profile) -> Result<i32, Failure> {
    let probe = project::ImportedFacts {
        probe: true,
        ..Default::default()
    };
    let plain = project::load_with(root, profile, project::Lint::Build, None);
    let requires = match plain {
        Ok(_) => Vec::new(),
        Err(d) if needs_import(&Failure::Diagnostics(d.clone())).is_some() => {
            let (project, _) =
                project::load_with(root, profile, project::Lint::Build, Some(&probe))?;
            project.requires_dist
        }
        Err(d) => return Err(Failure::Diagnostics(d)),
    };
    let items: Vec<String> = requires.iter().map(|r| json_string(r)).collect();
    println!("[{}]", items.join(", "));
    Ok(0)
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cmd_hook(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(
        args,
        &["imported"],
        &[
            "metadata-directory",
            "config-setting",
            "profile",
            "imported-docstring",
            "imported-version",
            "imported-version-type",
        ],
    )?;
    let [hook, outdir] = parsed.positional.as_slice() else {
        return Err(Failure::Usage(
            "usage: forge-backend hook HOOK OUTDIR [options]".into(),
        ));
    };
    let settings = config_settings(&parsed)?;
    let profile = profile_from(settings.profile.as_deref().or(parsed.value("profile")))?;
    let mut options = BuildOptions::from_env(profile)?;
    options.wheel_tag = settings.wheel_tag;
    options.extra_scripts = settings.scripts;
    if let Some(py) = settings.python.as_deref() {
        options.runtime = crate::build::Runtime::for_python(py).map_err(Failure::Usage)?;
    }
    let root = absolute(Path::new("."))?;
    let outdir = absolute(Path::new(outdir))?;
    let metadata_dir = parsed
        .value("metadata-directory")
        .map(|v| absolute(Path::new(v)))
        .transpose()?;
    if hook == "get-requires" {
        return get_requires(&root, &options.profile);
    }
    let imported = imported_facts(&parsed);
    let project = match load_with(&root, &options.profile, imported.as_ref()) {
        Ok(p) => p,
        Err(failure) => {
            if let (Some(file), None) = (needs_import(&failure), &imported) {
                println!("needs-import {}", file.display());
                return Ok(EXIT_NEEDS_IMPORT);
            }
            return Err(failure);
        }
    };
    let md = metadata_dir.as_deref();
    let name = match hook.as_str() {
        "build-wheel" => crate::wheel::build(&project, &options, &outdir, md, false)?,
        "build-editable" => crate::editable::build(&project, &options, &outdir, md)?,
        "build-sdist" => crate::sdist::build(&project, &options, &outdir)?,
        "prepare-metadata-wheel" | "prepare-metadata-editable" => {
            if hook == "prepare-metadata-editable" {
                crate::editable::supported(&options.profile)?;
            }
            let info = crate::wheel::DistInfo::new(&project, &options);
            info.write_to(&outdir)?;
            info.dir_name
        }
        other => return Err(Failure::Usage(format!("unknown hook {other:?}"))),
    };
    println!("{name}");
    Ok(0)
}

/// `verify SDIST [WHEEL]`: exit 0 identical, 1 different, 2 error.
fn cmd_verify(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(args, &["json"], &["profile"])?;
    let (sdist, wheel) = match parsed.positional.as_slice() {
        [s] => (PathBuf::from(s), None),
        [s, w] => (PathBuf::from(s), Some(PathBuf::from(w))),
        _ => {
            return Err(Failure::Usage(
                "verify takes an sdist and optionally the wheel built from it".into(),
            ))
        }
    };
    let json = parsed.flag("json");
    match crate::verify::verify(&sdist, wheel.as_deref(), parsed.value("profile")) {
        Ok(outcome) => {
            if json {
                println!("{}", crate::verify::render_json(&outcome));
            } else {
                print!("{}", crate::verify::render_text(&outcome));
            }
            Ok(match outcome {
                crate::verify::Outcome::Identical(_) => 0,
                crate::verify::Outcome::Different(_) => 1,
            })
        }
        Err(message) => {
            if json {
                println!(
                    "{{\"result\":\"error\",\"message\":{}}}",
                    crate::verify::json_string(&message)
                );
            } else {
                eprintln!("error: {message}");
            }
            Ok(2)
        }
    }
}
