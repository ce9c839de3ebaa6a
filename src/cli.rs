//! Command-line interface. Thin: parses arguments, runs a stage, prints diagnostics.

use std::path::{Path, PathBuf};

use crate::build::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Profile;
use crate::project::{self, Project};

const HELP: &str = "\
forge-backend: build wheels and sdists of pure-Python projects from pyproject.toml

USAGE:
  forge-backend build [--wheel] [--sdist] [--outdir DIR] [--profile NAME] [PROJECT_DIR]
      Build a wheel and/or an sdist (neither flag: both) into DIR (default
      PROJECT_DIR/dist) and print the written file names.
  forge-backend check [--profile NAME] [PROJECT_DIR]
      Validate pyproject.toml without building. Exit 0 clean, 1 problems found.
  forge-backend hook HOOK OUTDIR [--metadata-directory DIR] [--config-setting KEY=VALUE]...
      Run a PEP 517 hook on the project in the current folder, for the Python shim.
      HOOK is build-wheel, build-sdist, build-editable, prepare-metadata-wheel or
      prepare-metadata-editable. The last line of standard output is the name of the
      file or folder written in OUTDIR.
  forge-backend --version | --help

PROFILES (--profile, -C profile=NAME, or FORGE_BACKEND_PROFILE):
  native       forge's own output (default): flit_core's bytes, but reproducible without
               SOURCE_DATE_EPOCH and following the packaging specifications where
               flit does not (see docs/profiles.md)
  flit-4.2.0   exactly flit_core 4.2.0's bytes (alias: flit)

CONFIG SETTINGS (PEP 517 config_settings, e.g. `python -m build -C profile=flit`):
  profile=NAME    the output profile
  Any other key is an error.

EXIT STATUS: 0 success, 1 the project has errors, 2 wrong usage or I/O failure.
";

/// Config-settings keys the backend understands.
pub const CONFIG_KEYS: &[&str] = &["profile"];

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
    if !root.join("pyproject.toml").is_file() {
        return Err(Diagnostics::from(
            Diagnostic::error(format!("no pyproject.toml in {}", root.display()))
                .with_help("run forge-backend in the project folder, or pass it as an argument"),
        )
        .into());
    }
    let (project, warnings) = project::load(root, profile)?;
    if !warnings.items.is_empty() {
        eprint!("{}", warnings.render());
    }
    Ok(project)
}

fn cmd_build(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(args, &["wheel", "sdist"], &["outdir", "profile"])?;
    let root = absolute(&project_dir(&parsed.positional)?)?;
    let outdir = match parsed.value("outdir") {
        Some(d) => absolute(Path::new(d))?,
        None => root.join("dist"),
    };
    let profile = profile_from(parsed.value("profile"))?;
    let options = BuildOptions::from_env(profile)?;
    let project = load(&root, &options.profile)?;
    let (wheel, sdist) = match (parsed.flag("wheel"), parsed.flag("sdist")) {
        (false, false) => (true, true),
        chosen => chosen,
    };
    std::fs::create_dir_all(&outdir).map_err(|e| {
        Failure::Diagnostics(crate::diagnostic::io_error("create", &outdir, &e).into())
    })?;
    if sdist {
        let name = crate::sdist::build(&project, &options, &outdir)?;
        println!("{}", outdir.join(name).display());
    }
    if wheel {
        let name = crate::wheel::build(&project, &options, &outdir, None, false)?;
        println!("{}", outdir.join(name).display());
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
    match project::load_with(root, profile, project::Lint::Publish) {
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

/// The profile named by `--config-setting profile=...` (which wins) or `--profile`.
fn hook_profile(parsed: &ParsedArgs) -> Result<Option<String>, Failure> {
    let mut from_config: Option<&str> = None;
    for (_, setting) in parsed.values.iter().filter(|(k, _)| k == "config-setting") {
        let (key, value) = setting.split_once('=').unwrap_or((setting.as_str(), ""));
        if key != "profile" {
            return Err(Failure::Usage(format!(
                "unknown config setting {key:?}; forge_backend understands: {}",
                CONFIG_KEYS.join(", ")
            )));
        }
        if from_config.is_some_and(|p| p != value) {
            return Err(Failure::Usage(format!(
                "config setting `profile` given twice with different values ({:?}, {value:?})",
                from_config.unwrap_or_default()
            )));
        }
        from_config = Some(value);
    }
    Ok(from_config.or(parsed.value("profile")).map(str::to_string))
}

fn cmd_hook(args: &[String]) -> Result<i32, Failure> {
    let parsed = parse_args(
        args,
        &[],
        &["metadata-directory", "config-setting", "profile"],
    )?;
    let [hook, outdir] = parsed.positional.as_slice() else {
        return Err(Failure::Usage(
            "usage: forge-backend hook HOOK OUTDIR [options]".into(),
        ));
    };
    let profile = profile_from(hook_profile(&parsed)?.as_deref())?;
    let options = BuildOptions::from_env(profile)?;
    let root = absolute(Path::new("."))?;
    let outdir = absolute(Path::new(outdir))?;
    let metadata_dir = parsed
        .value("metadata-directory")
        .map(|v| absolute(Path::new(v)))
        .transpose()?;
    let project = load(&root, &options.profile)?;
    let md = metadata_dir.as_deref();
    let name = match hook.as_str() {
        "build-wheel" => crate::wheel::build(&project, &options, &outdir, md, false)?,
        "build-editable" => crate::editable::build(&project, &options, &outdir, md)?,
        "build-sdist" => crate::sdist::build(&project, &options, &outdir)?,
        "prepare-metadata-wheel" | "prepare-metadata-editable" => {
            let info = crate::wheel::DistInfo::new(&project, &options);
            info.write_to(&outdir)?;
            info.dir_name
        }
        other => return Err(Failure::Usage(format!("unknown hook {other:?}"))),
    };
    println!("{name}");
    Ok(0)
}
