//! The validated project model, built from the parsed pyproject.toml.
//!
//! Every `[project]` key is type-checked and validated here, with errors pointing at the
//! key's line; independent errors are all collected. The result holds values ready to
//! render (normalised version, formatted people, expanded Requires-Dist), so the
//! metadata stage is pure formatting.

pub mod classifiers;
pub mod forge_table;
pub mod license;
pub mod module;
pub mod pysource;
pub mod requirement;
pub mod version;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::Profile;
use crate::pyproject::{Node, PyProject, Table, Value};

pub use module::Module;

/// The `[project]` keys of the pyproject specification.
pub const PROJECT_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "readme",
    "requires-python",
    "license",
    "license-files",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "urls",
    "scripts",
    "gui-scripts",
    "entry-points",
    "dependencies",
    "optional-dependencies",
    "dynamic",
    "import-names",
    "import-namespaces",
];

/// Keys whose value the backend can compute when listed in `dynamic`.
const DYNAMIC_KEYS: &[&str] = &[
    "version",
    "description",
    "import-names",
    "import-namespaces",
];

/// flit's default license-file globs (4.x), matched at the top level.
const DEFAULT_LICENSE_GLOBS: &[&str] = &["COPYING*", "LICEN[CS]E*", "NOTICE*", "AUTHORS*"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readme {
    pub text: String,
    pub content_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum License {
    None,
    Expression(String),
    /// Legacy `license = {text = ...}`.
    Text(String),
}

/// A validated project, ready to lay out and render.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder holding pyproject.toml.
    pub root: PathBuf,
    /// `name` as written (METADATA keeps it so).
    pub name: String,
    /// Normalised PEP 440 version.
    pub version: String,
    pub summary: Option<String>,
    pub readme: Option<Readme>,
    pub requires_python: Option<String>,
    pub license: License,
    /// Project-relative, `/`-separated, sorted.
    pub license_files: Vec<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    /// Already joined with `,`.
    pub keywords: Option<String>,
    pub classifiers: Vec<String>,
    /// `label, url`, sorted by label.
    pub project_urls: Vec<String>,
    /// Dependencies then extras' requirements, as they go into `Requires-Dist`.
    pub requires_dist: Vec<String>,
    /// Normalised extra names, sorted.
    pub provides_extra: Vec<String>,
    /// group → name → object reference.
    pub entry_points: BTreeMap<String, BTreeMap<String, String>>,
    pub import_names: Vec<String>,
    pub import_namespaces: Vec<String>,
    pub module: Module,
    /// `[tool.flit.external-data] directory`, project-relative as written.
    pub data_dir: Option<String>,
    /// `[tool.flit.sdist]`, when the table exists.
    pub sdist_patterns: Option<SdistPatterns>,
    /// Files the sdist must carry besides the module: pyproject.toml, the readme,
    /// license files (project-relative, normalised).
    pub referenced_files: Vec<String>,
    /// `[tool.forge-backend]`.
    pub forge: forge_table::ForgeTable,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SdistPatterns {
    pub include: Vec<String>,
    /// Includes flit's implicit `**/__pycache__` and `**.pyc`.
    pub exclude: Vec<String>,
}

impl Project {
    /// `Name` normalised for file names: runs of `-_.` become `_`, lowercased.
    pub fn dist_name(&self) -> String {
        let mut out = String::new();
        let mut in_sep = false;
        for c in self.name.chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_sep {
                    out.push('_');
                }
                in_sep = true;
            } else {
                out.extend(c.to_lowercase());
                in_sep = false;
            }
        }
        format!("{out}-{}", self.version)
    }

    /// flit's rule: py3-only if any comma-separated part of requires-python matches
    /// `^\s*(>=?|~=|===?)?\s*[3-9]`.
    pub fn supports_py2(&self) -> bool {
        let Some(rp) = &self.requires_python else {
            return true;
        };
        !rp.split(',').any(|part| {
            let mut s = part.trim_start();
            for op in [">=", ">", "~=", "===", "=="] {
                if let Some(rest) = s.strip_prefix(op) {
                    s = rest;
                    break;
                }
            }
            let s = s.trim_start();
            s.chars().next().is_some_and(|c| ('3'..='9').contains(&c))
        })
    }

    /// The wheel's compressed tag set: `[tool.forge-backend] wheel-tag`, else flit's
    /// pure-Python rule.
    pub fn wheel_tag(&self) -> &str {
        match &self.forge.wheel_tag {
            Some(tag) => tag,
            None if self.supports_py2() => "py2.py3-none-any",
            None => "py3-none-any",
        }
    }
}

/// What importing the module gave, for profiles that reproduce flit's fallback: flit
/// imports the module when its source has no literal docstring or `__version__`. forge's
/// binary never executes project code; the Python shim does this import in the hook
/// process, exactly as flit would, and passes the values back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedFacts {
    /// The module's `__doc__` (raw, as flit reads it after an import).
    pub docstring: Option<String>,
    /// `__version__`: `Ok(text)` for a str, `Err(type)` for another truthy value (e.g.
    /// `<class 'float'>`), `None` when absent or falsy.
    pub version: Option<Result<String, String>>,
    /// Only ask whether an import is needed (`get_requires_for_build_*`): stand-in
    /// values let the rest of the project load.
    pub probe: bool,
}

/// Key path of the error that says "this needs flit's import fallback": the CLI turns it
/// into a request to the shim (exit status 3) instead of a plain error.
pub const NEEDS_IMPORT_KEY: &str = "(import fallback)";

/// Loads `<root>/pyproject.toml` and validates it under `profile`.
/// Returns the project and any warnings, or every error found.
pub fn load(root: &Path, profile: &Profile) -> Result<(Project, Diagnostics), Diagnostics> {
    load_with(root, profile, None)
}

/// [`load`] with values from flit's import fallback, when the shim computed them.
pub fn load_with(
    root: &Path,
    profile: &Profile,
    imported: Option<&ImportedFacts>,
) -> Result<(Project, Diagnostics), Diagnostics> {
    let doc = PyProject::load(&root.join("pyproject.toml"))?;
    from_pyproject_with(root, &doc, profile, imported)
}

pub fn from_pyproject(
    root: &Path,
    doc: &PyProject,
    profile: &Profile,
) -> Result<(Project, Diagnostics), Diagnostics> {
    from_pyproject_with(root, doc, profile, None)
}

fn from_pyproject_with(
    root: &Path,
    doc: &PyProject,
    profile: &Profile,
    imported: Option<&ImportedFacts>,
) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut c = Checker {
        doc,
        root,
        profile,
        imported,
        diags: Diagnostics::new(),
    };
    let project = c.project();
    match project {
        Some(p) if !c.diags.has_errors() => Ok((p, c.diags)),
        _ => {
            if !c.diags.has_errors() {
                c.diags
                    .push(Diagnostic::error("invalid pyproject.toml").in_file(&doc.path));
            }
            Err(c.diags)
        }
    }
}

struct Checker<'a> {
    doc: &'a PyProject,
    root: &'a Path,
    profile: &'a Profile,
    imported: Option<&'a ImportedFacts>,
    diags: Diagnostics,
}

/// A string found in the document, with where it came from.
struct Located<'n> {
    key: String,
    text: &'n str,
    span: Range<usize>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, key: &str, span: Range<usize>, message: impl Into<String>) {
        let d = self.doc.error(key, span, message);
        self.diags.push(d);
    }

    fn error_help(
        &mut self,
        key: &str,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = self.doc.error(key, span, message).with_help(help);
        self.diags.push(d);
    }

    fn warn(&mut self, key: &str, span: Range<usize>, message: impl Into<String>) {
        let d = self.doc.warning(key, span, message);
        self.diags.push(d);
    }

    fn expect_type(&mut self, key: &str, node: &Node, expected: &str) {
        let found = node.value.type_name();
        self.error(
            key,
            node.span.clone(),
            format!("`{key}` must be {expected}, not {found}"),
        );
    }

    fn string<'n>(&mut self, key: &str, node: &'n Node) -> Option<&'n str> {
        match &node.value {
            Value::String(s) => Some(s),
            _ => {
                self.expect_type(key, node, "a string");
                None
            }
        }
    }

    fn table<'n>(&mut self, key: &str, node: &'n Node) -> Option<&'n Table> {
        match &node.value {
            Value::Table(t) => Some(t),
            _ => {
                self.expect_type(key, node, "a table");
                None
            }
        }
    }

    fn strings<'n>(&mut self, key: &str, node: &'n Node) -> Option<Vec<Located<'n>>> {
        let Value::Array(items) = &node.value else {
            self.expect_type(key, node, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            match &item.value {
                Value::String(s) => out.push(Located {
                    key: item_key,
                    text: s,
                    span: item.span.clone(),
                }),
                _ => {
                    self.expect_type(&item_key, item, "a string");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A table whose values are all strings, e.g. `[project.scripts]`.
    fn string_table<'n>(
        &mut self,
        key: &str,
        node: &'n Node,
    ) -> Option<Vec<(Located<'n>, Located<'n>)>> {
        let table = self.table(key, node)?;
        let mut out = Vec::new();
        let mut ok = true;
        for entry in &table.entries {
            let entry_key = format!("{key}.{}", quote_key(&entry.key));
            match &entry.node.value {
                Value::String(s) => out.push((
                    Located {
                        key: entry_key.clone(),
                        text: &entry.key,
                        span: entry.key_span.clone(),
                    },
                    Located {
                        key: entry_key,
                        text: s,
                        span: entry.node.span.clone(),
                    },
                )),
                _ => {
                    self.expect_type(&entry_key, &entry.node, "a string");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn project(&mut self) -> Option<Project> {
        let doc = self.doc;
        let root_table = &doc.root;
        let tool_flit = root_table
            .get("tool")
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("flit"));
        if let Some(flit) = tool_flit {
            self.check_old_flit_tables(flit);
        }
        let Some(project_node) = root_table.get("project") else {
            self.diags.push(
                Diagnostic::error("no [project] table found in pyproject.toml")
                    .in_file(&doc.path)
                    .with_help(
                        "add a [project] table with at least `name`, `version` (or \
                         dynamic = [\"version\"]) and `description`",
                    ),
            );
            return None;
        };
        let project = self.table("project", project_node)?;

        for entry in &project.entries {
            if !PROJECT_KEYS.contains(&entry.key.as_str()) {
                let hint = closest(&entry.key, PROJECT_KEYS)
                    .map(|k| format!("did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("valid keys: {}", PROJECT_KEYS.join(", ")));
                self.error_help(
                    &format!("project.{}", quote_key(&entry.key)),
                    entry.key_span.clone(),
                    format!("unknown key `{}` in [project]", entry.key),
                    hint,
                );
            }
        }

        let dynamic = self.dynamic(project);

        // name
        let name = match project.entry("name") {
            None => {
                self.diags.push(
                    Diagnostic::error("`project.name` is required")
                        .in_file(&doc.path)
                        .at("project", project_node.span.clone()),
                );
                None
            }
            Some(e) => self.string("project.name", &e.node).and_then(|n| {
                if requirement::is_valid_name(n) {
                    Some(n.to_string())
                } else {
                    self.error_help(
                        "project.name",
                        e.node.span.clone(),
                        format!("invalid project name {n:?}"),
                        "a name is ASCII letters, digits, `.`, `_` and `-`, starting and \
                         ending with a letter or digit",
                    );
                    None
                }
            }),
        };
        let forge = self.forge_table();
        let module_name = self.module_name(name.as_deref());
        let search_root = match &forge.source_dir {
            Some(dir) => self.root.join(dir),
            None => self.root.to_path_buf(),
        };
        let module = module_name
            .as_deref()
            .and_then(|m| match Module::find(&search_root, m) {
                Ok(module) => Some(module),
                Err(message) => {
                    let (key, span) = self.module_name_location(project_node);
                    self.error_help(
                        &key,
                        span,
                        message,
                        "set [tool.flit.module] name = \"...\" if the import name differs from \
                     the project name",
                    );
                    None
                }
            });

        let static_version = project.get("version").and_then(|n| {
            self.string("project.version", n)
                .map(|s| (s.to_string(), n.span.clone()))
        });
        let static_summary = project.get("description").and_then(|n| {
            self.string("project.description", n)
                .map(|s| (s.to_string(), n.span.clone()))
        });

        let want_version = dynamic.iter().any(|d| d == "version");
        let want_summary = dynamic.iter().any(|d| d == "description");
        if !project.contains("version") && !want_version {
            self.diags.push(
                Diagnostic::error("`project.version` is missing")
                    .in_file(&doc.path)
                    .at(
                        "project",
                        project_node.span.start..project_node.span.start + 9,
                    )
                    .with_help(
                        "set version = \"1.0\" under [project], or add \"version\" to \
                         project.dynamic and define __version__ = \"1.0\" in the module",
                    ),
            );
        }
        if !project.contains("description") && !want_summary {
            self.diags.push(
                Diagnostic::error("`project.description` is missing")
                    .in_file(&doc.path)
                    .at(
                        "project",
                        project_node.span.start..project_node.span.start + 9,
                    )
                    .with_help(
                        "set description = \"...\" under [project], or add \"description\" \
                         to project.dynamic and give the module a docstring",
                    ),
            );
        }

        let (dyn_summary, dyn_version) = match &module {
            Some(m) if want_version || want_summary => {
                self.module_facts(m, want_summary, want_version)
            }
            _ => (None, None),
        };

        let version = match (static_version, dyn_version) {
            (Some((v, span)), _) => self.version("project.version", &v, span),
            (None, Some((v, file))) => match version::Version::parse(&v) {
                Ok(parsed) => Some(parsed.to_string()),
                Err(e) => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "__version__ = {v:?} in {} is not a valid PEP 440 version: {}",
                            file.display(),
                            e.message
                        ))
                        .in_file(&file),
                    );
                    None
                }
            },
            (None, None) => None,
        };
        let summary = match (static_summary, dyn_summary) {
            (Some((s, span)), _) => self.summary("project.description", s, span),
            (None, Some(s)) => Some(s),
            (None, None) => None,
        };

        let readme = project.entry("readme").and_then(|e| self.readme(&e.node));
        let requires_python = project.get("requires-python").and_then(|n| {
            let s = self.string("project.requires-python", n)?;
            if let Err(e) = requirement::SpecifierSet::parse(s) {
                self.error(
                    "project.requires-python",
                    offset_span(n, e.offset),
                    format!("invalid requires-python {s:?}: {}", e.message),
                );
                return None;
            }
            Some(s.to_string())
        });
        let (license, mut license_files) = self.license(project);
        let classifiers = self.classifiers(project, &license);
        let (author, author_email) = self.people(project, "authors");
        let (maintainer, maintainer_email) = self.people(project, "maintainers");
        let keywords = project.get("keywords").and_then(|n| {
            let items = self.strings("project.keywords", n)?;
            for k in &items {
                // flit joins keywords with commas whatever they hold.
                if k.text.contains(',') && self.profile.is_native() {
                    self.error(&k.key, k.span.clone(), "a keyword cannot contain a comma");
                }
            }
            Some(items.iter().map(|k| k.text).collect::<Vec<_>>().join(","))
        });
        let project_urls = self.urls(project);
        let entry_points = self.entry_points(project);
        let (requires_dist, provides_extra) = self.dependencies(project);

        let (import_names, import_namespaces) = match &module {
            Some(m) => self.import_names(project, m, &dynamic),
            None => (Vec::new(), Vec::new()),
        };

        let (data_dir, sdist_patterns) = match tool_flit {
            Some(flit) => self.tool_flit(flit),
            None => (None, None),
        };

        let mut referenced_files = vec!["pyproject.toml".to_string()];
        if let Some(Value::String(readme_path)) = project.get("readme").map(|n| &n.value) {
            referenced_files.push(normpath(readme_path));
        } else if let Some(Value::Table(t)) = project.get("readme").map(|n| &n.value) {
            if let Some(Value::String(f)) = t.get("file").map(|n| &n.value) {
                referenced_files.push(normpath(f));
            }
        }
        license_files.sort();
        license_files.dedup();
        referenced_files.extend(license_files.iter().cloned());
        for script in &forge.scripts {
            if let Ok(rel) = script.strip_prefix(self.root) {
                referenced_files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }

        Some(Project {
            root: self.root.to_path_buf(),
            name: name?,
            version: version?,
            summary,
            readme: readme.flatten(),
            requires_python,
            license,
            license_files,
            author,
            author_email,
            maintainer,
            maintainer_email,
            keywords,
            classifiers,
            project_urls,
            requires_dist,
            provides_extra,
            entry_points,
            import_names,
            import_namespaces,
            module: module?,
            data_dir,
            sdist_patterns,
            referenced_files,
            forge,
        })
    }

    fn forge_table(&mut self) -> forge_table::ForgeTable {
        let node = self
            .doc
            .root
            .get("tool")
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("forge-backend"));
        let Some(node) = node else {
            return forge_table::ForgeTable::default();
        };
        match forge_table::parse(self.root, node) {
            Ok(t) => t,
            Err(errors) => {
                for (key, span, message) in errors {
                    self.error(&key, span, message);
                }
                forge_table::ForgeTable::default()
            }
        }
    }

    fn check_old_flit_tables(&mut self, flit: &Node) {
        let Some(t) = flit.value.as_table() else {
            return;
        };
        for e in &t.entries {
            let key = format!("tool.flit.{}", quote_key(&e.key));
            match e.key.as_str() {
                "metadata" => self.error_help(
                    &key,
                    e.key_span.clone(),
                    "the [tool.flit.metadata] table is no longer supported",
                    "move the metadata to the standard [project] table",
                ),
                "scripts" | "entrypoints" => self.error_help(
                    &key,
                    e.key_span.clone(),
                    format!("the [tool.flit.{}] table is no longer supported", e.key),
                    "use [project.scripts], [project.gui-scripts] or [project.entry-points]",
                ),
                _ => {}
            }
        }
    }

    fn dynamic(&mut self, project: &Table) -> Vec<String> {
        let Some(node) = project.get("dynamic") else {
            return Vec::new();
        };
        let Some(items) = self.strings("project.dynamic", node) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for item in items {
            if item.text == "name" {
                self.error(&item.key, item.span, "`name` cannot be dynamic");
                continue;
            }
            if !DYNAMIC_KEYS.contains(&item.text) {
                let help = if PROJECT_KEYS.contains(&item.text) {
                    format!("forge can compute only {}", DYNAMIC_KEYS.join(", "))
                } else {
                    format!("{:?} is not a [project] key", item.text)
                };
                self.error_help(
                    &item.key,
                    item.span,
                    format!("`{}` cannot be dynamic here", item.text),
                    help,
                );
                continue;
            }
            if project.contains(item.text) {
                self.error_help(
                    &item.key,
                    item.span.clone(),
                    format!(
                        "`{}` is both set in [project] and listed in dynamic",
                        item.text
                    ),
                    format!("remove `{}` from one of them", item.text),
                );
                continue;
            }
            if out.iter().any(|d| d == item.text) {
                self.error(
                    &item.key,
                    item.span,
                    format!("`{}` is listed twice", item.text),
                );
                continue;
            }
            out.push(item.text.to_string());
        }
        out
    }

    fn module_name(&mut self, name: Option<&str>) -> Option<String> {
        let configured = self
            .doc
            .root
            .get("tool")
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("flit"))
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("module"))
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("name"));
        if let Some(node) = configured {
            let s = self.string("tool.flit.module.name", node)?;
            let valid = if let Some(base) = s.strip_suffix("-stubs") {
                is_dotted_identifier(base)
            } else {
                is_dotted_identifier(s)
            };
            if !valid {
                self.error(
                    "tool.flit.module.name",
                    node.span.clone(),
                    format!("{s:?} is not a valid import name"),
                );
                return None;
            }
            return Some(s.to_string());
        }
        let name = name?;
        let module = match name.strip_suffix("-stubs") {
            Some(base) => format!("{}-stubs", base.replace('-', "_")),
            None => name.replace('-', "_"),
        };
        Some(module)
    }

    fn module_name_location(&self, project_node: &Node) -> (String, Range<usize>) {
        let configured = self
            .doc
            .root
            .get("tool")
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("flit"))
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("module"))
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("name"));
        match configured {
            Some(n) => ("tool.flit.module.name".into(), n.span.clone()),
            None => match project_node.value.as_table().and_then(|t| t.get("name")) {
                Some(n) => ("project.name".into(), n.span.clone()),
                None => ("project".into(), project_node.span.clone()),
            },
        }
    }

    /// Reads `__version__` and the docstring's first line as flit does, by parsing the
    /// module's files; never by importing them.
    fn module_facts(
        &mut self,
        module: &Module,
        want_summary: bool,
        want_version: bool,
    ) -> (Option<String>, Option<(String, PathBuf)>) {
        // flit's loop: each file's first top-level `__version__` constant replaces what
        // earlier files gave; the docstring is that of the last file parsed (__init__.py).
        let mut version: Option<(pysource::Constant, PathBuf)> = None;
        let mut docstring: Option<String> = None;
        let mut failed = false;
        for file in module.version_files() {
            let facts = std::fs::read(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))
                .and_then(|bytes| {
                    pysource::read_module_facts(&bytes).map_err(|e| {
                        format!("{}:{}:{}: {}", file.display(), e.line, e.column, e.message)
                    })
                });
            let facts = match facts {
                Ok(f) => f,
                Err(message) => {
                    self.diags.push(Diagnostic::error(message).in_file(&file));
                    failed = true;
                    continue;
                }
            };
            match facts.version {
                Ok(Some(v)) => version = Some((v, file.clone())),
                Ok(None) => {}
                Err(e) if want_version => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "{}:{}:{}: cannot read __version__: {}",
                            file.display(),
                            e.line,
                            e.column,
                            e.message
                        ))
                        .in_file(&file),
                    );
                    failed = true;
                }
                Err(_) => {}
            }
            match facts.docstring {
                Ok(d) => docstring = d,
                Err(e) if want_summary && file == module.main_file() => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "{}:{}:{}: cannot read the docstring: {}",
                            file.display(),
                            e.line,
                            e.column,
                            e.message
                        ))
                        .in_file(&file),
                    );
                    failed = true;
                }
                Err(_) => docstring = None,
            }
        }
        if failed {
            return (None, None);
        }
        let main_file = module.main_file();
        // flit: `(want_summary and not docstring) or (want_version and not version)` →
        // import the module, which replaces both values.
        let docstring_falsy = docstring.as_deref().is_none_or(str::is_empty);
        let version_falsy = !version.as_ref().is_some_and(|(c, _)| c.is_truthy());
        let needs_import = (want_summary && docstring_falsy) || (want_version && version_falsy);
        if needs_import && self.profile.import_fallback {
            return self.imported_facts(module, want_summary, want_version);
        }
        let summary = if want_summary {
            match docstring.as_deref().and_then(pysource::summary) {
                Some(first) => Some(first.to_string()),
                None => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`description` is dynamic, but {} has no docstring",
                            main_file.display()
                        ))
                        .in_file(&main_file)
                        .with_help(format!(
                            "start {} with a docstring, e.g. \"\"\"One-line summary.\"\"\", \
                             or set description = \"...\" in [project] (forge reads the \
                             source, it never imports it)",
                            main_file.display()
                        )),
                    );
                    None
                }
            }
        } else {
            None
        };
        let version = if want_version {
            match version {
                // flit treats a falsy constant ("", 0, None, ...) as "not found".
                Some((c, file)) if c.is_truthy() => match c {
                    pysource::Constant::Str(v) => Some((v, file)),
                    other => {
                        self.diags.push(
                            Diagnostic::error(format!(
                                "__version__ in {} must be a string, not {}",
                                file.display(),
                                other.python_type_name()
                            ))
                            .in_file(&file)
                            .with_help("write it as a string: __version__ = \"1.0\""),
                        );
                        None
                    }
                },
                _ => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`version` is dynamic, but no `__version__ = \"...\"` was found in {}",
                            module
                                .version_files()
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .in_file(&main_file)
                        .with_help(format!(
                            "add a top-level line such as __version__ = \"1.0\" to {}, or set \
                             version = \"1.0\" in [project] (forge reads the source, it never \
                             imports it)",
                            main_file.display()
                        )),
                    );
                    None
                }
            }
        } else {
            None
        };
        (summary, version)
    }

    /// The values of flit's import fallback, passed in by the shim; without them, an
    /// error keyed [`NEEDS_IMPORT_KEY`] asks the shim to import the module.
    fn imported_facts(
        &mut self,
        module: &Module,
        want_summary: bool,
        want_version: bool,
    ) -> (Option<String>, Option<(String, PathBuf)>) {
        let main_file = module.main_file();
        let Some(imported) = self.imported else {
            self.diags.push(
                Diagnostic::error(format!(
                    "{} has no literal docstring or __version__, so flit would import it to \
                     find them; forge's binary never runs project code",
                    main_file.display()
                ))
                .in_file(&main_file)
                .at(NEEDS_IMPORT_KEY, 0..0)
                .with_help(
                    "build through the PEP 517 hooks (pip, build, uv), where the shim does \
                     flit's import; or write the values as literals (__version__ = \"1.0\" and \
                     a module docstring), or set them statically in [project]",
                ),
            );
            return (None, None);
        };
        if imported.probe {
            return (
                want_summary.then(|| "probe".to_string()),
                want_version.then(|| ("0".to_string(), main_file)),
            );
        }
        let summary = if want_summary {
            match imported.docstring.as_deref().and_then(pysource::summary) {
                Some(first) => Some(first.to_string()),
                None => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`description` is dynamic, but importing {} gave no docstring",
                            main_file.display()
                        ))
                        .in_file(&main_file),
                    );
                    None
                }
            }
        } else {
            None
        };
        let version = if want_version {
            match &imported.version {
                Some(Ok(v)) => Some((v.clone(), main_file)),
                Some(Err(type_name)) => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "__version__ of {} must be a string, not {type_name}",
                            main_file.display()
                        ))
                        .in_file(&main_file),
                    );
                    None
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`version` is dynamic, but importing {} gave no __version__",
                            main_file.display()
                        ))
                        .in_file(&main_file),
                    );
                    None
                }
            }
        } else {
            None
        };
        (summary, version)
    }

    fn version(&mut self, key: &str, text: &str, span: Range<usize>) -> Option<String> {
        match version::Version::parse(text) {
            Ok(v) => Some(v.to_string()),
            Err(e) => {
                self.error_help(
                    key,
                    span,
                    format!("invalid version {text:?}: {}", e.message),
                    "use a PEP 440 version, such as \"1.0\", \"2.1.0rc1\" or \"0.3.post1\"",
                );
                None
            }
        }
    }

    fn summary(&mut self, key: &str, text: String, span: Range<usize>) -> Option<String> {
        if text.contains('\n') || text.contains('\r') {
            self.error_help(
                key,
                span,
                "the description must be a single line",
                "put longer text in the readme",
            );
            return None;
        }
        Some(text)
    }

    fn readme(&mut self, node: &Node) -> Option<Option<Readme>> {
        match &node.value {
            Value::String(path) => {
                let text = self.read_text_file("project.readme", node.span.clone(), path)?;
                let content_type = match suffix_lower(path).as_deref() {
                    Some(".md") => Some("text/markdown".to_string()),
                    Some(".rst") => Some("text/x-rst".to_string()),
                    Some(".txt") => Some("text/plain".to_string()),
                    other => {
                        let what = other
                            .map_or("no extension".to_string(), |s| format!("extension {s:?}"));
                        if self.profile.unknown_readme_suffix_is_error {
                            self.error_help(
                                "project.readme",
                                node.span.clone(),
                                format!("cannot tell the readme's content type from its {what}"),
                                "use a .md, .rst or .txt file, or a table: readme = {file = \"...\", content-type = \"text/markdown\"}",
                            );
                            return None;
                        }
                        self.warn(
                            "project.readme",
                            node.span.clone(),
                            format!("unknown {what} for the readme; no Description-Content-Type written"),
                        );
                        None
                    }
                };
                Some(Some(Readme { text, content_type }))
            }
            Value::Table(t) => {
                let mut ok = true;
                for e in &t.entries {
                    if !["file", "text", "content-type"].contains(&e.key.as_str()) {
                        self.error_help(
                            &format!("project.readme.{}", quote_key(&e.key)),
                            e.key_span.clone(),
                            format!("unknown key `{}` in project.readme", e.key),
                            "valid keys: file, text, content-type",
                        );
                        ok = false;
                    }
                }
                let content_type = match t.get("content-type") {
                    None => {
                        self.error_help(
                            "project.readme",
                            node.span.clone(),
                            "`content-type` is required in a readme table",
                            "add content-type = \"text/markdown\" (or text/x-rst, text/plain)",
                        );
                        None
                    }
                    Some(n) => self
                        .string("project.readme.content-type", n)
                        .and_then(|ct| {
                            let base = ct.split(';').next().unwrap_or("").trim();
                            if ["text/markdown", "text/x-rst", "text/plain"].contains(&base) {
                                Some(ct.to_string())
                            } else {
                                self.error_help(
                                    "project.readme.content-type",
                                    n.span.clone(),
                                    format!("unsupported readme content type {base:?}"),
                                    "use text/markdown, text/x-rst or text/plain",
                                );
                                None
                            }
                        }),
                };
                let text = match (t.get("file"), t.get("text")) {
                    (Some(_), Some(text_node)) => {
                        self.error(
                            "project.readme.text",
                            text_node.span.clone(),
                            "a readme table takes `file` or `text`, not both",
                        );
                        None
                    }
                    (Some(f), None) => {
                        let path = self.string("project.readme.file", f)?;
                        self.read_text_file("project.readme.file", f.span.clone(), path)
                    }
                    (None, Some(text_node)) => self
                        .string("project.readme.text", text_node)
                        .map(str::to_string),
                    (None, None) => {
                        self.error(
                            "project.readme",
                            node.span.clone(),
                            "a readme table needs `file` or `text`",
                        );
                        None
                    }
                };
                if !ok {
                    return None;
                }
                Some(Some(Readme {
                    text: text?,
                    content_type: Some(content_type?),
                }))
            }
            _ => {
                self.expect_type("project.readme", node, "a string or a table");
                None
            }
        }
    }

    /// Reads a project-relative UTF-8 text file as Python's text mode does: universal
    /// newlines (CRLF and CR become LF); a BOM is kept.
    fn read_text_file(&mut self, key: &str, span: Range<usize>, rel: &str) -> Option<String> {
        let path = self.inside_project(key, span.clone(), rel)?;
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text.replace("\r\n", "\n").replace('\r', "\n")),
                Err(e) => {
                    self.error(
                        key,
                        span,
                        format!(
                            "{rel} is not valid UTF-8 (invalid byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                    );
                    None
                }
            },
            Err(e) => {
                self.error(key, span, format!("cannot read {rel}: {e}"));
                None
            }
        }
    }

    /// Resolves a project-relative path, refusing absolute paths and anything that
    /// resolves (through `..` or symlinks) outside the project.
    fn inside_project(&mut self, key: &str, span: Range<usize>, rel: &str) -> Option<PathBuf> {
        if is_absish(rel) {
            self.error(key, span, format!("{rel:?} must be a relative path"));
            return None;
        }
        let path = self.root.join(rel);
        if !path.exists() {
            self.error(key, span, format!("{rel} does not exist"));
            return None;
        }
        if !is_within(&path, self.root) {
            self.error(
                key,
                span,
                format!("{rel} points outside the project directory"),
            );
            return None;
        }
        Some(path)
    }

    fn license(&mut self, project: &Table) -> (License, Vec<String>) {
        let mut files = Vec::new();
        let license = match project.get("license") {
            None => License::None,
            Some(n) => match &n.value {
                Value::String(expr) => {
                    let result = if self.profile.is_native() {
                        license::canonicalize(expr).map(|e| {
                            for id in &e.deprecated_ids {
                                self.warn(
                                    "project.license",
                                    n.span.clone(),
                                    format!("license id {id:?} is deprecated by SPDX"),
                                );
                            }
                            e.normalized
                        })
                    } else {
                        license::flit_canonicalize(expr)
                    };
                    match result {
                        Ok(norm) => License::Expression(norm),
                        Err(e) => {
                            let span = match e.offset {
                                Some(o) => offset_span(n, o),
                                None => n.span.clone(),
                            };
                            self.error_help(
                                "project.license",
                                span,
                                format!("invalid license expression {expr:?}: {}", e.message),
                                "use an SPDX expression such as \"MIT\" or \"Apache-2.0 OR BSD-3-Clause\"",
                            );
                            License::None
                        }
                    }
                }
                Value::Table(t) => {
                    for e in &t.entries {
                        if e.key != "file" && e.key != "text" {
                            self.error(
                                &format!("project.license.{}", quote_key(&e.key)),
                                e.key_span.clone(),
                                format!("unknown key `{}` in project.license", e.key),
                            );
                        }
                    }
                    match (t.get("file"), t.get("text")) {
                        (Some(_), Some(text)) => {
                            self.error(
                                "project.license.text",
                                text.span.clone(),
                                "a license table takes `file` or `text`, not both",
                            );
                            License::None
                        }
                        (Some(f), None) => {
                            if let Some(rel) = self.string("project.license.file", f) {
                                let rel = normpath(rel);
                                if let Some(path) = self.inside_project(
                                    "project.license.file",
                                    f.span.clone(),
                                    &rel,
                                ) {
                                    if path.is_file() {
                                        files.push(rel);
                                    } else {
                                        self.error(
                                            "project.license.file",
                                            f.span.clone(),
                                            format!("{rel} is not a file"),
                                        );
                                    }
                                }
                            }
                            License::None
                        }
                        (None, Some(text)) => match self.string("project.license.text", text) {
                            Some(s) => License::Text(s.to_string()),
                            None => License::None,
                        },
                        (None, None) => {
                            self.error(
                                "project.license",
                                n.span.clone(),
                                "a license table needs `file` or `text`",
                            );
                            License::None
                        }
                    }
                }
                _ => {
                    self.expect_type("project.license", n, "a string (SPDX expression)");
                    License::None
                }
            },
        };
        match project.entry("license-files") {
            Some(e) => {
                if let Some(Value::Table(_)) = project.get("license").map(|n| &n.value) {
                    self.error_help(
                        "project.license-files",
                        e.key_span.clone(),
                        "`license-files` cannot be used with a license table",
                        "write the license as an SPDX expression: license = \"MIT\"",
                    );
                }
                if let Some(patterns) = self.strings("project.license-files", &e.node) {
                    files = Vec::new();
                    for p in patterns {
                        match crate::layout::license_glob(self.root, p.text) {
                            Ok(found) if found.is_empty() => self.error(
                                &p.key,
                                p.span,
                                format!("no files match the license-files pattern {:?}", p.text),
                            ),
                            Ok(found) => files.extend(found),
                            Err(message) => self.error(&p.key, p.span, message),
                        }
                    }
                }
            }
            None => {
                for pattern in DEFAULT_LICENSE_GLOBS {
                    match crate::layout::license_glob(self.root, pattern) {
                        Ok(found) => files.extend(found),
                        Err(message) => self.diags.push(Diagnostic::error(message)),
                    }
                }
            }
        }
        (license, files)
    }

    fn classifiers(&mut self, project: &Table, license: &License) -> Vec<String> {
        let Some(n) = project.get("classifiers") else {
            return Vec::new();
        };
        let Some(items) = self.strings("project.classifiers", n) else {
            return Vec::new();
        };
        for item in &items {
            if matches!(license, License::Expression(_)) && item.text.starts_with("License :: ") {
                self.error_help(
                    &item.key,
                    item.span.clone(),
                    "license classifiers cannot be combined with a license expression",
                    format!("remove {:?}; `project.license` says it all", item.text),
                );
                continue;
            }
            match classifiers::status(item.text) {
                classifiers::ClassifierStatus::Known => {}
                classifiers::ClassifierStatus::Deprecated { replacements } => {
                    let hint = if replacements.is_empty() {
                        String::new()
                    } else {
                        format!("; use {}", replacements.join(" or "))
                    };
                    self.warn(
                        &item.key,
                        item.span.clone(),
                        format!("classifier {:?} is deprecated{hint}", item.text),
                    )
                }
                classifiers::ClassifierStatus::Unknown => self.warn(
                    &item.key,
                    item.span.clone(),
                    format!("unknown classifier {:?} (PyPI will reject it)", item.text),
                ),
            }
        }
        items.iter().map(|i| i.text.to_string()).collect()
    }

    fn people(&mut self, project: &Table, key: &str) -> (Option<String>, Option<String>) {
        let Some(node) = project.get(key) else {
            return (None, None);
        };
        let full_key = format!("project.{key}");
        let Some(items) = node.value.as_array() else {
            self.expect_type(&full_key, node, "an array of tables");
            return (None, None);
        };
        let mut names = Vec::new();
        let mut emails = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{full_key}[{i}]");
            let Some(t) = self.table(&item_key, item) else {
                continue;
            };
            for e in &t.entries {
                if e.key != "name" && e.key != "email" {
                    self.error_help(
                        &format!("{item_key}.{}", quote_key(&e.key)),
                        e.key_span.clone(),
                        format!("unknown key `{}` in an author or maintainer", e.key),
                        "only `name` and `email` are allowed",
                    );
                }
            }
            let name = t.get("name").and_then(|n| {
                let s = self.string(&format!("{item_key}.name"), n)?;
                if self.profile.is_native() && s.contains(',') {
                    self.error_help(
                        &format!("{item_key}.name"),
                        n.span.clone(),
                        "a name cannot contain a comma",
                        "write \"Jane Doe\", not \"Doe, Jane\"",
                    );
                    return None;
                }
                Some((s, n.span.clone()))
            });
            let email = t.get("email").and_then(|n| {
                let s = self.string(&format!("{item_key}.email"), n)?;
                Some((s, n.span.clone()))
            });
            if t.get("name").is_none() && t.get("email").is_none() {
                self.error(
                    &item_key,
                    item.span.clone(),
                    "an author or maintainer needs `name` or `email`",
                );
            }
            match (name, email) {
                (name, Some((email, span))) => {
                    if let Err(message) = check_email(email) {
                        self.error(
                            &format!("{item_key}.email"),
                            span,
                            format!("invalid email {email:?}: {message}"),
                        );
                        continue;
                    }
                    emails.push(format_address(name.map(|n| n.0), email));
                }
                (Some((name, _)), None) => names.push(name.to_string()),
                (None, None) => {}
            }
        }
        let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(", "));
        (join(names), join(emails))
    }

    fn urls(&mut self, project: &Table) -> Vec<String> {
        let Some(n) = project.get("urls") else {
            return Vec::new();
        };
        let Some(entries) = self.string_table("project.urls", n) else {
            return Vec::new();
        };
        let mut urls: Vec<(String, String)> = Vec::new();
        for (label, url) in entries {
            if label.text.contains(',') && self.profile.is_native() {
                self.error(&label.key, label.span, "a URL label cannot contain a comma");
                continue;
            }
            if url.text.trim().is_empty() || url.text.contains(char::is_whitespace) {
                self.error(&url.key, url.span, format!("invalid URL {:?}", url.text));
                continue;
            }
            urls.push((label.text.to_string(), url.text.to_string()));
        }
        urls.sort();
        urls.into_iter().map(|(l, u)| format!("{l}, {u}")).collect()
    }

    fn entry_points(&mut self, project: &Table) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut groups: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        if let Some(n) = project.get("entry-points") {
            if let Some(t) = self.table("project.entry-points", n) {
                for e in &t.entries {
                    let key = format!("project.entry-points.{}", quote_key(&e.key));
                    if e.key == "console_scripts" || e.key == "gui_scripts" {
                        let what = if e.key == "console_scripts" {
                            "scripts"
                        } else {
                            "gui-scripts"
                        };
                        self.error_help(
                            &key,
                            e.key_span.clone(),
                            format!(
                                "`{}` cannot be declared under [project.entry-points]",
                                e.key
                            ),
                            format!("use [project.{what}] instead"),
                        );
                        continue;
                    }
                    if !is_entry_point_group(&e.key) {
                        self.error(
                            &key,
                            e.key_span.clone(),
                            format!("invalid entry-point group name {:?}", e.key),
                        );
                        continue;
                    }
                    if let Some(entries) = self.string_table(&key, &e.node) {
                        let group = self.entry_point_group(entries);
                        groups.insert(e.key.clone(), group);
                    }
                }
            }
        }
        for (key, group) in [
            ("scripts", "console_scripts"),
            ("gui-scripts", "gui_scripts"),
        ] {
            if let Some(n) = project.get(key) {
                if let Some(entries) = self.string_table(&format!("project.{key}"), n) {
                    let g = self.entry_point_group(entries);
                    groups.insert(group.to_string(), g);
                }
            }
        }
        groups
    }

    fn entry_point_group(
        &mut self,
        entries: Vec<(Located<'_>, Located<'_>)>,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, value) in entries {
            let bad_name = name.text.is_empty()
                || name.text.starts_with('[')
                || name.text.contains('=')
                || name.text.trim() != name.text;
            if bad_name {
                self.error_help(
                    &name.key,
                    name.span,
                    format!("invalid entry-point name {:?}", name.text),
                    "names cannot be empty, start with `[`, contain `=`, or have surrounding spaces",
                );
                continue;
            }
            if let Err(message) = check_object_reference(value.text) {
                self.error_help(
                    &value.key,
                    value.span,
                    format!("invalid object reference {:?}: {message}", value.text),
                    "write `package.module:function` or `package.module:Class.method`",
                );
                continue;
            }
            out.insert(name.text.to_string(), value.text.to_string());
        }
        out
    }

    fn dependencies(&mut self, project: &Table) -> (Vec<String>, Vec<String>) {
        let mut requires = Vec::new();
        if let Some(n) = project.get("dependencies") {
            if let Some(items) = self.strings("project.dependencies", n) {
                for item in items {
                    if self.requirement(&item) {
                        requires.push(item.text.to_string());
                    }
                }
            }
        }
        let mut extras: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        if let Some(n) = project.get("optional-dependencies") {
            if let Some(t) = self.table("project.optional-dependencies", n) {
                for e in &t.entries {
                    let key = format!("project.optional-dependencies.{}", quote_key(&e.key));
                    if !requirement::is_valid_extra(&e.key) {
                        self.error_help(
                            &key,
                            e.key_span.clone(),
                            format!("invalid extra name {:?}", e.key),
                            "extra names are ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit",
                        );
                        continue;
                    }
                    let normalized = requirement::normalize_extra(&e.key);
                    if let Some((first, _)) = extras.get(&normalized) {
                        let first = first.clone();
                        self.error(
                            &key,
                            e.key_span.clone(),
                            format!("extras {first:?} and {:?} are the same name once normalised ({normalized:?})", e.key),
                        );
                        continue;
                    }
                    let Some(items) = self.strings(&key, &e.node) else {
                        continue;
                    };
                    let mut reqs = Vec::new();
                    for item in items {
                        if self.requirement(&item) {
                            reqs.push(item.text.to_string());
                        }
                    }
                    extras.insert(normalized, (e.key.clone(), reqs));
                }
            }
        }
        for (extra, (_, reqs)) in &extras {
            for req in reqs {
                // flit's expansion: split at the first `;` and keep both sides verbatim.
                match req.split_once(';') {
                    Some((name, marker)) => {
                        requires.push(format!("{name} ; extra == \"{extra}\" and ({marker})"))
                    }
                    None => requires.push(format!("{req} ; extra == \"{extra}\"")),
                }
            }
        }
        let requires = requires
            .iter()
            .map(|r| normalize_bracket_extras(r))
            .collect();
        (requires, extras.into_keys().collect())
    }

    fn requirement(&mut self, item: &Located<'_>) -> bool {
        match requirement::Requirement::parse(item.text) {
            Ok(_) => true,
            Err(e) => {
                let span = string_offset_span(&self.doc.text, &item.span, e.offset);
                self.error_help(
                    &item.key,
                    span,
                    format!("invalid requirement {:?}: {}", item.text, e.message),
                    "write a PEP 508 requirement, such as \"requests >=2.28\" or \"tomli; python_version < '3.11'\"",
                );
                false
            }
        }
    }

    fn import_names(
        &mut self,
        project: &Table,
        module: &Module,
        dynamic: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let implicit =
            |key: &str| self.profile.implicit_import_names || dynamic.iter().any(|d| d == key);
        let module_name = module.name.clone();
        let names = match project.get("import-names") {
            Some(n) => {
                let Some(items) = self.strings("project.import-names", n) else {
                    return (Vec::new(), Vec::new());
                };
                let mut out = Vec::new();
                for item in &items {
                    match normalize_import_name(item.text) {
                        Ok(s) => out.push(s),
                        Err(m) => self.error(&item.key, item.span.clone(), m),
                    }
                }
                let bare: Vec<&str> = out
                    .iter()
                    .map(|s| s.split(';').next().unwrap_or("").trim_end())
                    .collect();
                if bare != [module_name.as_str()] && out.len() == items.len() {
                    self.error_help(
                        "project.import-names",
                        n.span.clone(),
                        format!("import-names {bare:?} do not match the module {module_name:?}"),
                        format!("list exactly the module this project ships: [\"{module_name}\"]"),
                    );
                }
                out
            }
            None if implicit("import-names") => vec![module_name],
            None => Vec::new(),
        };
        let parents = module.namespace_parents();
        let namespaces = match project.get("import-namespaces") {
            Some(n) => {
                let Some(items) = self.strings("project.import-namespaces", n) else {
                    return (names, Vec::new());
                };
                if items.is_empty() {
                    self.error(
                        "project.import-namespaces",
                        n.span.clone(),
                        "`import-namespaces` cannot be an empty array",
                    );
                }
                let mut out = Vec::new();
                for item in &items {
                    match normalize_import_name(item.text) {
                        Ok(s) => {
                            let bare = s.split(';').next().unwrap_or("").trim_end().to_string();
                            if names
                                .iter()
                                .any(|n| n.split(';').next().unwrap_or("").trim_end() == bare)
                            {
                                self.error(
                                    &item.key,
                                    item.span.clone(),
                                    format!(
                                        "{bare:?} is in both import-names and import-namespaces"
                                    ),
                                );
                            }
                            out.push(s)
                        }
                        Err(m) => self.error(&item.key, item.span.clone(), m),
                    }
                }
                let mut given: Vec<String> = out
                    .iter()
                    .map(|s| s.split(';').next().unwrap_or("").trim_end().to_string())
                    .collect();
                given.sort();
                let mut expected = parents.clone();
                expected.sort();
                if given != expected && out.len() == items.len() {
                    self.error_help(
                        "project.import-namespaces",
                        n.span.clone(),
                        format!("import-namespaces {given:?} do not match the namespace packages of {:?}", module.name),
                        format!("expected {expected:?}"),
                    );
                }
                out
            }
            None if implicit("import-namespaces") => parents,
            None => Vec::new(),
        };
        (names, namespaces)
    }

    fn tool_flit(&mut self, flit: &Node) -> (Option<String>, Option<SdistPatterns>) {
        let Some(t) = self.table("tool.flit", flit) else {
            return (None, None);
        };
        let mut data_dir = None;
        let mut sdist = None;
        for e in &t.entries {
            let key = format!("tool.flit.{}", quote_key(&e.key));
            match e.key.as_str() {
                "module" => {
                    if let Some(m) = self.table(&key, &e.node) {
                        for me in &m.entries {
                            if me.key != "name" {
                                self.error(&format!("{key}.{}", quote_key(&me.key)), me.key_span.clone(), format!("unknown key `{}` in [tool.flit.module]", me.key));
                            }
                        }
                    }
                }
                "sdist" => {
                    let Some(s) = self.table(&key, &e.node) else { continue };
                    let mut patterns = SdistPatterns {
                        include: Vec::new(),
                        exclude: vec!["**/__pycache__".into(), "**.pyc".into()],
                    };
                    for se in &s.entries {
                        let sk = format!("{key}.{}", quote_key(&se.key));
                        let target = match se.key.as_str() {
                            "include" => &mut patterns.include,
                            "exclude" => &mut patterns.exclude,
                            _ => {
                                self.error_help(&sk, se.key_span.clone(), format!("unknown key `{}` in [tool.flit.sdist]", se.key), "valid keys: include, exclude");
                                continue;
                            }
                        };
                        let Some(items) = self.strings(&sk, &se.node) else { continue };
                        for item in items {
                            match check_sdist_pattern(item.text) {
                                Ok(p) => target.push(p),
                                Err(m) => self.error(&item.key, item.span, m),
                            }
                        }
                    }
                    sdist = Some(patterns);
                }
                "external-data" => {
                    let Some(d) = self.table(&key, &e.node) else { continue };
                    for de in &d.entries {
                        if de.key != "directory" {
                            self.error(&format!("{key}.{}", quote_key(&de.key)), de.key_span.clone(), format!("unknown key `{}` in [tool.flit.external-data]", de.key));
                        }
                    }
                    if let Some(n) = d.get("directory") {
                        let dk = "tool.flit.external-data.directory";
                        if let Some(dir) = self.string(dk, n) {
                            let norm = normpath(dir);
                            if is_absish(&norm) {
                                self.error(dk, n.span.clone(), "the external-data directory must be a relative path");
                            } else if norm == ".." || norm.starts_with("../") {
                                self.error(dk, n.span.clone(), "the external-data directory must be inside the project");
                            } else if norm == "." {
                                self.error(dk, n.span.clone(), "the external-data directory cannot be the project directory itself");
                            } else if !self.root.join(dir).is_dir() {
                                self.error(dk, n.span.clone(), format!("{dir} is not a directory"));
                            } else if !is_within(&self.root.join(dir), self.root) {
                                self.error(dk, n.span.clone(), format!("{dir} points outside the project directory"));
                            } else {
                                data_dir = Some(dir.to_string());
                            }
                        }
                    }
                }
                "metadata" | "scripts" | "entrypoints" => {} // reported by check_old_flit_tables
                other if other.to_ascii_lowercase().starts_with("x-") => {}
                other => self.error_help(&key, e.key_span.clone(), format!("unknown table [tool.flit.{other}]"), "valid tables: [tool.flit.module], [tool.flit.sdist], [tool.flit.external-data]"),
            }
        }
        (data_dir, sdist)
    }
}

/// Python's `os.path.normpath` for `/`-separated relative paths.
pub fn normpath(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Absolute, or rooted like `\x` or `C:\x` (flit's `isabs_ish`).
pub fn is_absish(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with('\\')
        || (path.len() >= 2
            && path.as_bytes()[1] == b':'
            && path.as_bytes()[0].is_ascii_alphabetic())
}

/// Whether `path` resolves (symlinks included) to `dir` or something under it.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    match (path.canonicalize(), dir.canonicalize()) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// `[tool.flit.sdist]` pattern rules.
fn check_sdist_pattern(p: &str) -> Result<String, String> {
    if p.chars()
        .any(|c| (c as u32) < 0x20 || "<>:\"\\".contains(c))
    {
        return Err(format!(
            "pattern {p:?} contains bad characters (<>:\"\\ or control characters)"
        ));
    }
    let norm = normpath(p);
    if is_absish(&norm) {
        return Err(format!("pattern {p:?} is an absolute path"));
    }
    if norm == ".." || norm.starts_with("../") {
        return Err(format!(
            "pattern {p:?} points outside the project directory"
        ));
    }
    Ok(norm)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn is_dotted_identifier(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

fn normalize_import_name(s: &str) -> Result<String, String> {
    let (name, annotation) = match s.split_once(';') {
        Some((n, a)) => (n.trim_end(), Some(a.trim_start())),
        None => (s, None),
    };
    if let Some(a) = annotation {
        if a != "private" {
            return Err(format!(
                "{a:?} is not allowed after {name:?}; the only annotation is `private`"
            ));
        }
    }
    if !is_dotted_identifier(name) {
        return Err(format!("{name:?} is not a valid import name"));
    }
    Ok(match annotation {
        Some(a) => format!("{name}; {a}"),
        None => name.to_string(),
    })
}

/// Entry-point groups: `^\w+(\.\w+)*$`.
fn is_entry_point_group(s: &str) -> bool {
    s.split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c == '_' || c.is_alphanumeric()))
}

/// `module` or `module:attr.attr`, each part an identifier, optionally followed by a
/// (deprecated, still valid) `[extra, ...]` list (the entry-points spec).
fn check_object_reference(s: &str) -> Result<(), String> {
    let s = match s.trim_end().strip_suffix(']') {
        Some(rest) => {
            let Some((reference, extras)) = rest.rsplit_once('[') else {
                return Err("unbalanced `]`".into());
            };
            for extra in extras.split(',').map(str::trim) {
                if !requirement::is_valid_extra(extra) {
                    return Err(format!("{extra:?} is not a valid extra name"));
                }
            }
            reference
        }
        None => s,
    };
    let (module, attr) = match s.split_once(':') {
        Some((m, a)) => (m.trim(), Some(a.trim())),
        None => (s.trim(), None),
    };
    if !is_dotted_identifier(module) {
        return Err(format!("{module:?} is not a module path"));
    }
    if let Some(a) = attr {
        if !is_dotted_identifier(a) {
            return Err(format!("{a:?} is not an attribute path"));
        }
    }
    Ok(())
}

/// flit 4.2: extras in the bracket right after the project name are normalised and
/// re-joined with `, `; everything else stays verbatim.
fn normalize_bracket_extras(req: &str) -> String {
    let b = req.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_alphanumeric() {
        return req.to_string();
    }
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b"._-".contains(&b[i])) {
        i += 1;
    }
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i >= b.len() || b[i] != b'[' {
        return req.to_string();
    }
    let start = i + 1;
    let Some(len) = req[start..].find(']') else {
        return req.to_string();
    };
    let inner = &req[start..start + len];
    let extras: Vec<String> = inner
        .split(',')
        .map(|e| requirement::normalize_extra(e.trim()))
        .collect();
    format!(
        "{}{}{}",
        &req[..start],
        extras.join(", "),
        &req[start + len..]
    )
}

/// Python's `email.headerregistry.Address(name, addr_spec=email)` rendering: the
/// display name is quoted when it holds an RFC 5322 special.
pub fn format_address(name: Option<&str>, email: &str) -> String {
    match name {
        Some(n) if !n.is_empty() => {
            const SPECIALS: &str = "()<>@,:;.\"[]";
            let display = if n.chars().any(|c| SPECIALS.contains(c)) {
                format!("\"{}\"", n.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                n.to_string()
            };
            format!("{display} <{email}>")
        }
        _ => email.to_string(),
    }
}

/// A pragmatic addr-spec check: one `@`, a dot-atom local part and a domain of
/// letter/digit/hyphen labels.
fn check_email(email: &str) -> Result<(), String> {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("missing `@`".into());
    };
    const ATEXT: &str = "!#$%&'*+-/=?^_`{|}~";
    let atom_ok =
        |a: &str| !a.is_empty() && a.chars().all(|c| c.is_alphanumeric() || ATEXT.contains(c));
    if !local.split('.').all(atom_ok) {
        return Err(format!("{local:?} is not a valid local part"));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok) {
        return Err(format!("{domain:?} is not a valid domain"));
    }
    Ok(())
}

fn suffix_lower(path: &str) -> Option<String> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let dot = file.rfind('.')?;
    // Python's Path.suffix ignores a leading dot (".readme" has no suffix).
    if dot == 0 {
        return None;
    }
    Some(file[dot..].to_lowercase())
}

/// TOML keys needing quotes in a key path are shown quoted.
fn quote_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// The span of one character at `offset` inside a string value (best effort: exact for
/// basic strings without escapes, else the whole value).
fn offset_span(node: &Node, _offset: usize) -> Range<usize> {
    node.span.clone()
}

/// Maps an offset within a string value's content to a span in the document, when the
/// TOML literal has no escapes (so content offsets equal source offsets after the quote).
fn string_offset_span(text: &str, span: &Range<usize>, offset: usize) -> Range<usize> {
    let literal = &text[span.clone()];
    let quote_len = if literal.starts_with("\"\"\"") || literal.starts_with("'''") {
        3
    } else {
        1
    };
    let body = &literal[quote_len.min(literal.len())..literal.len().saturating_sub(quote_len)];
    if literal.starts_with('"') && body.contains('\\') {
        return span.clone();
    }
    let start = span.start + quote_len + offset.min(body.len());
    let end = (start + 1).min(span.end - quote_len).max(start);
    if end <= start {
        return span.clone();
    }
    start..end
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_extras_are_normalised_after_the_name_only() {
        assert_eq!(
            normalize_bracket_extras("requests[Socks,Security_Extra] >=2.0"),
            "requests[socks, security-extra] >=2.0"
        );
        assert_eq!(
            normalize_bracket_extras("x @ http://[::1]/a"),
            "x @ http://[::1]/a"
        );
        assert_eq!(
            normalize_bracket_extras("coverage[TOML] ; extra == \"dev\""),
            "coverage[toml] ; extra == \"dev\""
        );
    }

    #[test]
    fn addresses_quote_specials_like_python() {
        assert_eq!(
            format_address(Some("Jane Doe"), "j@x.org"),
            "Jane Doe <j@x.org>"
        );
        assert_eq!(
            format_address(Some("J. Doe"), "j@x.org"),
            "\"J. Doe\" <j@x.org>"
        );
        assert_eq!(
            format_address(Some("Say \"Hi\""), "j@x.org"),
            "\"Say \\\"Hi\\\"\" <j@x.org>"
        );
        assert_eq!(format_address(None, "j@x.org"), "j@x.org");
    }

    #[test]
    fn normpath_matches_python() {
        assert_eq!(normpath("a/./b/../c"), "a/c");
        assert_eq!(normpath("../x"), "../x");
        assert_eq!(normpath("./"), ".");
        assert_eq!(normpath("a//b/"), "a/b");
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(closest("dependancies", PROJECT_KEYS), Some("dependencies"));
        assert_eq!(closest("zzzzzz", PROJECT_KEYS), None);
    }
}
