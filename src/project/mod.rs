//! The validated project model, built from the parsed pyproject.toml.
//!
//! Every `[project]` key is type-checked and validated here, with errors pointing at the
//! key's line; independent errors are all collected. The result holds values ready to
//! render (normalised version, formatted people, expanded Requires-Dist), so the
//! metadata stage is pure formatting.

pub mod checks;
pub mod classifiers;
pub mod flit_legacy;
pub mod flit_metadata;
pub mod forge_table;
pub mod license;
pub mod module;
pub mod publish;
pub mod pysource;
pub mod requirement;
pub mod version;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::profile::{ConfigFormats, Profile};
use crate::pyproject::{Node, PyProject, Table, Value};
use checks::is_dotted_identifier;

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

/// Keys a backend may extend when they are both set and listed in `dynamic` (PEP 808).
const APPENDABLE_KEYS: &[&str] = &[
    "authors",
    "classifiers",
    "dependencies",
    "entry-points",
    "gui-scripts",
    "import-names",
    "import-namespaces",
    "keywords",
    "license-files",
    "maintainers",
    "optional-dependencies",
    "scripts",
    "urls",
];

/// The `[build-system]` keys of the pyproject specification.
const BUILD_SYSTEM_KEYS: &[&str] = &["requires", "build-backend", "backend-path"];

/// How strict validation is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lint {
    /// What a build needs: the specifications' rules.
    #[default]
    Build,
    /// `forge-backend check`: also PyPI's upload rules, and classifier problems become
    /// errors, so a clean check means the upload will be accepted.
    Publish,
}

/// flit's default license-file globs (4.x), matched at the top level.

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
    /// Whether file names use the lowercased name (flit ≥ 3.7, native).
    pub dist_name_lowercase: bool,
    /// flit 3.0's escaping of wheel names (see [`Profile::wheel_name_keeps_dots`]).
    pub dist_name_keeps_dots: bool,
    /// `[tool.flit.metadata] home-page` (`Home-page:`; the old format only).
    pub home_page: Option<String>,
    /// `[tool.flit.metadata] license`: free text for `License:` (the old format only).
    pub license_field: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SdistPatterns {
    pub include: Vec<String>,
    /// Includes flit's implicit `**/__pycache__` and `**.pyc`.
    pub exclude: Vec<String>,
}

impl Project {
    /// `Name` normalised for file names: runs of `-_.` become `_`, lowercased (but for
    /// flit ≤ 3.6, which kept the case).
    pub fn dist_name(&self) -> String {
        if self.dist_name_keeps_dots {
            return format!(
                "{}-{}",
                escape_keeping_dots(&self.name),
                escape_keeping_dots(&self.version)
            );
        }
        let mut out = String::new();
        let mut in_sep = false;
        for c in self.name.chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_sep {
                    out.push('_');
                }
                in_sep = true;
            } else if self.dist_name_lowercase {
                out.extend(c.to_lowercase());
                in_sep = false;
            } else {
                out.push(c);
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
    load_with(root, profile, Lint::Build, None)
}

/// [`load`] with a choice of strictness, and the values of flit's import fallback when
/// the shim computed them.
pub fn load_with(
    root: &Path,
    profile: &Profile,
    lint: Lint,
    imported: Option<&ImportedFacts>,
) -> Result<(Project, Diagnostics), Diagnostics> {
    let path = root.join("pyproject.toml");
    // A linked pyproject.toml must not make us read (and quote in messages) a file
    // outside the tree.
    if path.exists() && !is_within(&path, root) {
        return Err(Diagnostic::error(format!(
            "refusing to read {}: it resolves outside the project directory",
            path.display()
        ))
        .in_file(&path)
        .with_help("copy pyproject.toml into the project instead of linking to it")
        .into());
    }
    let doc = PyProject::load(&path)?;
    from_pyproject_with(root, &doc, profile, lint, imported)
}

pub fn from_pyproject(
    root: &Path,
    doc: &PyProject,
    profile: &Profile,
) -> Result<(Project, Diagnostics), Diagnostics> {
    from_pyproject_with(root, doc, profile, Lint::Build, None)
}

/// [`from_pyproject`] with a choice of strictness and imported values.
pub fn from_pyproject_with(
    root: &Path,
    doc: &PyProject,
    profile: &Profile,
    lint: Lint,
    imported: Option<&ImportedFacts>,
) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut c = Checker {
        doc,
        root,
        profile,
        imported,
        publish: lint == Lint::Publish,
        header: 0..0,
        sdist_excludes: Vec::new(),
        old_format: false,
        diags: Diagnostics::new(),
    };
    let project = c.project();
    // Report in reading order, as a user fixes them: the document's own problems by
    // position, then those in other files.
    c.diags.items.sort_by_key(|d| {
        let here = d.location.file.as_deref() == Some(doc.path.as_path());
        let at = d.location.span.as_ref().map_or(usize::MAX, |s| s.start);
        (!here, at)
    });
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
    /// PyPI's upload rules apply too (`forge-backend check`).
    publish: bool,
    /// The `[project]` header, for problems with no better place.
    header: Range<usize>,
    /// `[tool.flit.sdist] exclude` patterns (key, span, normalised pattern).
    sdist_excludes: Vec<(String, Range<usize>, String)>,
    /// The metadata comes from `[tool.flit.metadata]` (flit 3.x's old format).
    old_format: bool,
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

    /// An error in publish mode, else a warning.
    fn pypi_warn(&mut self, key: &str, span: Range<usize>, message: String, help: Option<String>) {
        let d = if self.publish {
            self.doc.error(key, span, message)
        } else {
            self.doc.warning(key, span, message)
        };
        self.diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    /// Reports `problem`, found in the string `text` written at `span`, with the caret
    /// under the culprit when the problem names one.
    fn string_problem(
        &mut self,
        key: &str,
        span: &Range<usize>,
        text: &str,
        what: &str,
        problem: checks::Problem,
        help: Option<&str>,
    ) {
        let at = match problem.at {
            Some(r) => checks::content_span(&self.doc.text, span, text, r),
            None => span.clone(),
        };
        let d = self
            .doc
            .error(key, at, format!("{what} {}", problem.message));
        self.diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    /// A one-line value: no line breaks or control characters, which would end a
    /// metadata header early and let the value inject fields of its own.
    fn one_line(&mut self, key: &str, span: &Range<usize>, text: &str, what: &str) -> bool {
        match checks::single_line(text) {
            Ok(()) => true,
            Err(p) => {
                self.string_problem(
                    key,
                    span,
                    text,
                    what,
                    p,
                    Some("metadata fields are single lines; remove the line break or control character"),
                );
                false
            }
        }
    }

    /// A problem with a value forge computes for a key listed in `dynamic`: located at
    /// that entry of `project.dynamic`, the message naming the source file.
    fn dynamic_error(&mut self, dyn_key: &str, message: String, help: Option<String>) {
        let located = self
            .doc
            .root
            .get("project")
            .and_then(|p| p.value.as_table())
            .and_then(|p| p.get("dynamic"))
            .and_then(|d| d.value.as_array())
            .and_then(|items| {
                items
                    .iter()
                    .position(|n| n.value.as_str() == Some(dyn_key))
                    .map(|i| (format!("project.dynamic[{i}]"), items[i].span.clone()))
            });
        let (key, span) = located.unwrap_or_else(|| ("project".to_string(), self.header.clone()));
        let d = self.doc.error(&key, span, message);
        self.diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
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
        let tool = root_table.get("tool").and_then(|t| self.table("tool", t));
        let tool_flit = tool.and_then(|t| t.get("flit"));
        if let Some(bs) = root_table.get("build-system") {
            self.build_system(bs);
        }
        match (self.old_format_table(), tool_flit) {
            (Err(()), _) => return None,
            (Ok(Some(metadata)), Some(flit)) => {
                self.old_format = true;
                return self.old_format_project(metadata, flit);
            }
            (Ok(_), Some(flit)) => self.check_old_flit_tables(flit),
            (Ok(_), None) => {}
        }
        let Some(project_node) = root_table.get("project") else {
            self.diags.push(
                Diagnostic::error("no [project] table found in pyproject.toml")
                    .in_file(&doc.path)
                    .at("project", 0..0)
                    .with_help(
                        "add a [project] table with at least `name`, `version` (or \
                         dynamic = [\"version\"]) and `description`; forge reads no \
                         other metadata",
                    ),
            );
            return None;
        };
        let project = self.table("project", project_node)?;
        let header = first_line(&doc.text, &project_node.span);
        self.header = header.clone();

        self.unknown_keys(project, "project", PROJECT_KEYS);

        let dynamic = self.dynamic(project);

        // name
        let name = match project.entry("name") {
            None => {
                self.diags.push(
                    Diagnostic::error("`project.name` is missing")
                        .in_file(&doc.path)
                        .at("project", header.clone())
                        .with_help("set name = \"...\" under [project]; the name is always static"),
                );
                None
            }
            Some(e) => {
                self.string("project.name", &e.node)
                    .and_then(|n| match checks::name(n) {
                        Ok(()) => Some(n.to_string()),
                        Err(p) => {
                            self.string_problem(
                            "project.name",
                            &e.node.span,
                            n,
                            &format!("invalid project name {n:?}:"),
                            p,
                            Some("a name is ASCII letters, digits, `.`, `_` and `-`, starting and \
                             ending with a letter or digit, e.g. \"my-project\""),
                        );
                            None
                        }
                    })
            }
        };
        let forge = self.forge_table();
        let module_name = self.module_name(name.as_deref());
        let search_root = self.module_search_root(&forge);
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
                    .at("project", header.clone())
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
                    .at("project", header.clone())
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
            (None, Some((v, file))) => self.dynamic_version(&v, &file),
            (None, None) => None,
        };
        let summary = match (static_summary, dyn_summary) {
            (Some((s, span)), _) => self.summary("project.description", s, span),
            (None, Some(s)) => Some(s),
            (None, None) => None,
        };

        let readme = project.entry("readme").and_then(|e| self.readme(&e.node));
        let requires_python = project
            .get("requires-python")
            .and_then(|n| self.requires_python("project.requires-python", n));
        let (license, mut license_files) = self.license(project);
        let classifiers =
            self.classifiers("project.classifiers", project.get("classifiers"), &license);
        let (author, author_email) = self.people(project, "authors");
        let (maintainer, maintainer_email) = self.people(project, "maintainers");
        let keywords = project.get("keywords").and_then(|n| {
            let items = self.strings("project.keywords", n)?;
            for k in &items {
                // flit joins keywords with commas whatever they hold; native refuses
                // what would split or vanish in `Keywords: a,b`.
                let native = self.profile.is_native();
                if let (Some(i), true) = (k.text.find(','), native) {
                    let at = checks::content_span(&self.doc.text, &k.span, k.text, i..i + 1);
                    self.error_help(
                        &k.key,
                        at,
                        format!("keyword {:?} contains a comma", k.text),
                        "Keywords are written joined by commas; make it two keywords",
                    );
                } else if native && k.text.trim().is_empty() {
                    self.error(&k.key, k.span.clone(), "a keyword cannot be empty");
                } else {
                    self.one_line(&k.key, &k.span, k.text, &format!("keyword {:?}", k.text));
                }
            }
            Some(items.iter().map(|k| k.text).collect::<Vec<_>>().join(","))
        });
        let project_urls = self.urls("project.urls", project.get("urls"));
        let entry_points = self.entry_points(project);
        let (requires_dist, provides_extra) = self.dependencies(
            project
                .get("dependencies")
                .map(|n| ("project.dependencies", n)),
            project
                .get("optional-dependencies")
                .map(|n| ("project.optional-dependencies", n)),
            None,
        );

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
        if self.profile.license_layout == crate::profile::LicenseLayout::Flat {
            // flit ≤ 3.10: only `license = {file}` is shipped (in the sdist); the wheel
            // copies top-level COPYING*/LICENSE* itself and writes no License-File.
            license_files = flit_legacy::license_table_file(project)
                .into_iter()
                .collect();
        }
        referenced_files.extend(license_files.iter().cloned());
        if self.profile.license_layout == crate::profile::LicenseLayout::Flat {
            license_files.clear();
        }
        for script in &forge.scripts {
            if let Ok(rel) = script.strip_prefix(self.root) {
                referenced_files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        if let Some(m) = &module {
            self.crucial_excludes(&referenced_files, m);
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
            dist_name_lowercase: self.profile.wheel_name_lowercase,
            dist_name_keeps_dots: self.profile.wheel_name_keeps_dots,
            home_page: None,
            license_field: None,
        })
    }

    /// Where the module is looked for: `[tool.forge-backend] source-dir`, else the root.
    fn module_search_root(&self, forge: &forge_table::ForgeTable) -> PathBuf {
        match &forge.source_dir {
            Some(dir) => self.root.join(dir),
            None => self.root.to_path_buf(),
        }
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

    /// Reports every key of `table` (at `path`) that is not in `known`, suggesting the
    /// closest known key when it looks like a typo.
    fn unknown_keys(&mut self, table: &Table, path: &str, known: &[&str]) {
        for e in &table.entries {
            if !known.contains(&e.key.as_str()) {
                let hint = closest(&e.key, known)
                    .map(|k| format!("did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("valid keys: {}", known.join(", ")));
                self.error_help(
                    &format!("{path}.{}", quote_key(&e.key)),
                    e.key_span.clone(),
                    format!("unknown key `{}` in [{path}]", e.key),
                    hint,
                );
            }
        }
    }

    /// `[build-system]` (PEP 518/517): forge does not read it, but frontends do, and a
    /// broken one fails there with a worse message.
    fn build_system(&mut self, node: &Node) {
        let Some(t) = self.table("build-system", node) else {
            return;
        };
        self.unknown_keys(t, "build-system", BUILD_SYSTEM_KEYS);
        match t.get("requires") {
            None => self.error_help(
                "build-system",
                first_line(&self.doc.text, &node.span),
                "`build-system.requires` is missing",
                "add requires = [\"forge_backend\"] under [build-system]",
            ),
            Some(n) => {
                if let Some(items) = self.strings("build-system.requires", n) {
                    for item in items {
                        self.parse_requirement(
                            &item,
                            "write a PEP 508 requirement, such as \"forge_backend\"",
                        );
                    }
                }
            }
        }
        if let Some(n) = t.get("build-backend") {
            if let Some(s) = self.string("build-system.build-backend", n) {
                if let Err(p) = checks::object_reference(s).and_then(|extras| {
                    if extras {
                        Err(checks::Problem::new("has `[extras]`"))
                    } else {
                        Ok(false)
                    }
                }) {
                    self.string_problem(
                        "build-system.build-backend",
                        &n.span,
                        s,
                        &format!("invalid build-backend {s:?}:"),
                        p,
                        Some("write the backend's import path, such as \"forge_backend\""),
                    );
                }
            }
        }
        if let Some(n) = t.get("backend-path") {
            if let Some(items) = self.strings("build-system.backend-path", n) {
                for item in items {
                    let norm = normpath(item.text);
                    let problem = if is_absish(item.text) {
                        Some(format!(
                            "backend-path {:?} is absolute; it must be relative to the project",
                            item.text
                        ))
                    } else if norm == ".." || norm.starts_with("../") {
                        Some(format!(
                            "backend-path {:?} points outside the project directory",
                            item.text
                        ))
                    } else if !self.root.join(&norm).is_dir() {
                        Some(format!(
                            "backend-path {:?} is not a folder in the project",
                            item.text
                        ))
                    } else if !is_within(&self.root.join(&norm), self.root) {
                        Some(format!(
                            "backend-path {:?} resolves outside the project directory",
                            item.text
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = problem {
                        self.error_help(
                            &item.key,
                            item.span,
                            message,
                            "backend-path lists folders inside the project, such as \"backend\"",
                        );
                    }
                }
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
        let computable = DYNAMIC_KEYS.join(", ");
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let key = item.text;
            if key == "name" {
                self.error_help(
                    &item.key,
                    item.span,
                    "`name` cannot be dynamic",
                    "the name must always be static: remove \"name\" from dynamic and set \
                     name = \"...\" under [project]",
                );
                continue;
            }
            if out.iter().any(|d| d == key) {
                self.error_help(
                    &item.key,
                    item.span,
                    format!("`{key}` is listed twice in dynamic"),
                    "remove the repeat",
                );
                continue;
            }
            let is_static = project.contains(key);
            if DYNAMIC_KEYS.contains(&key) {
                if is_static && APPENDABLE_KEYS.contains(&key) {
                    self.error_help(
                        &item.key,
                        item.span,
                        format!(
                            "forge cannot extend `{key}`: it is set in [project] and listed in dynamic"
                        ),
                        format!(
                            "forge fills in `{key}` from the module only when it is not set; \
                             remove it from dynamic to use the list in [project], or remove \
                             the list"
                        ),
                    );
                } else if is_static {
                    self.error_help(
                        &item.key,
                        item.span,
                        format!("`{key}` is both set in [project] and listed in dynamic"),
                        format!(
                            "a key is either static or dynamic: remove `{key}` from one of them"
                        ),
                    );
                } else {
                    out.push(key.to_string());
                }
                continue;
            }
            let (message, help) = if APPENDABLE_KEYS.contains(&key) {
                (
                    format!("forge cannot extend `{key}`"),
                    format!(
                        "forge can compute only {computable}; remove \"{key}\" from dynamic \
                         and list the values under [project]"
                    ),
                )
            } else if key == "dynamic" {
                (
                    "`dynamic` cannot list itself".to_string(),
                    "remove \"dynamic\" from the list".to_string(),
                )
            } else if PROJECT_KEYS.contains(&key) {
                (
                    format!("forge cannot compute `{key}`"),
                    format!(
                        "forge can compute only {computable}; remove \"{key}\" from dynamic \
                         and set it under [project]"
                    ),
                )
            } else {
                let hint = closest(key, PROJECT_KEYS)
                    .map(|k| format!("did you mean \"{k}\"?"))
                    .unwrap_or_else(|| format!("forge can compute only {computable}"));
                (format!("{key:?} in dynamic is not a [project] key"), hint)
            };
            self.error_help(&item.key, item.span, message, help);
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
            if s.contains('.') && !self.profile.namespace_modules {
                self.error_help(
                    "tool.flit.module.name",
                    node.span.clone(),
                    format!(
                        "flit {} has no namespace packages, so it cannot build the dotted module {s:?}",
                        self.profile.flit_version().unwrap_or("")
                    ),
                    "namespace packages are built from flit 3.5 on: use a newer flit profile",
                );
                return None;
            }
            return Some(s.to_string());
        }
        let name = name?;
        let module = match name.strip_suffix("-stubs") {
            Some(base) if self.profile.stub_packages => format!("{}-stubs", base.replace('-', "_")),
            _ if !self.profile.hyphen_to_underscore => name.to_string(),
            _ => name.replace('-', "_"),
        };
        if module.contains('-') && !self.profile.stub_packages {
            // flit ≤ 3.7 looks for a module named like the project, hyphen included; it
            // never finds an importable one (a `-stubs` folder builds a wheel but then
            // fails flit's sdist check), so the profile refuses it up front.
            self.error_help(
                "project",
                self.header.clone(),
                format!(
                    "flit {} looks for a module named {module:?}, which cannot be imported",
                    self.profile.flit_version().unwrap_or("")
                ),
                "set [tool.flit.module] name, or use a newer flit profile",
            );
            return None;
        }
        if module.contains('.') && !self.profile.namespace_modules {
            self.error_help(
                "project.name",
                self.header.clone(),
                format!(
                    "flit {} has no namespace packages, so it cannot build the dotted module {module:?}",
                    self.profile.flit_version().unwrap_or("")
                ),
                "namespace packages are built from flit 3.5 on: use a newer flit profile",
            );
            return None;
        }
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
        let reading_for = if want_version {
            "version"
        } else {
            "description"
        };
        for file in module.version_files(self.profile.version_files) {
            let shown = self.rel(&file);
            if !is_within(&file, self.root) {
                self.dynamic_error(
                    reading_for,
                    format!("refusing to read {shown}: it resolves outside the project directory"),
                    Some("replace the link with the file".into()),
                );
                failed = true;
                continue;
            }
            let facts = std::fs::read(&file)
                .map_err(|e| format!("cannot read {shown}: {e}"))
                .and_then(|bytes| {
                    pysource::read_module_facts_for(&bytes, self.profile.version_rule)
                        .map_err(|e| format!("{shown}:{}:{}: {}", e.line, e.column, e.message))
                });
            let facts = match facts {
                Ok(f) => f,
                Err(message) => {
                    self.dynamic_error(reading_for, message, None);
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
        let main_shown = self.rel(&main_file);
        let summary = if want_summary {
            match docstring.as_deref().and_then(pysource::summary) {
                Some(first) => {
                    let first = first.to_string();
                    match checks::single_line(&first) {
                        Ok(()) => {
                            self.summary_length("description", None, &first);
                            Some(first)
                        }
                        Err(p) => {
                            self.dynamic_error(
                                "description",
                                format!(
                                    "the first line of the docstring of {main_shown} {}, so it cannot be the description",
                                    p.message
                                ),
                                None,
                            );
                            None
                        }
                    }
                }
                None => {
                    self.dynamic_error(
                        "description",
                        format!("`description` is dynamic, but {main_shown} has no docstring"),
                        Some(format!(
                            "start {main_shown} with a docstring, e.g. \"\"\"One-line summary.\"\"\", \
                             or set description = \"...\" in [project] (forge reads the \
                             source, it never imports it)"
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
                        let shown = self.rel(&file);
                        self.dynamic_error(
                            "version",
                            format!(
                                "__version__ in {shown} must be a string, not {}",
                                other.python_type_name()
                            ),
                            Some("write __version__ = \"1.0\"".into()),
                        );
                        None
                    }
                },
                _ => {
                    let files = module
                        .version_files(self.profile.version_files)
                        .iter()
                        .map(|p| self.rel(p))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.dynamic_error(
                        "version",
                        format!("`version` is dynamic, but no `__version__ = \"...\"` was found in {files}"),
                        Some(format!(
                            "add a top-level line such as __version__ = \"1.0\" to {main_shown}, or set \
                             version = \"1.0\" in [project] (forge reads the source, it never \
                             imports it)"
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

    /// `__version__` read from `file`, normalised.
    fn dynamic_version(&mut self, v: &str, file: &Path) -> Option<String> {
        let shown = self.rel(file);
        match version::Version::parse(v) {
            Ok(parsed) => {
                if parsed.is_local() && self.publish {
                    self.dynamic_error(
                        "version",
                        format!(
                            "PyPI does not accept local versions like {:?} (__version__ in {shown})",
                            parsed.to_string()
                        ),
                        Some("drop the `+...` part before uploading".into()),
                    );
                }
                Some(parsed.to_string())
            }
            Err(e) => {
                self.dynamic_error(
                    "version",
                    format!(
                        "__version__ = {v:?} in {shown} is not a valid PEP 440 version: {}",
                        e.message
                    ),
                    Some(
                        "use a PEP 440 version, such as \"1.0\", \"2.1.0rc1\" or \"0.3.post1\""
                            .into(),
                    ),
                );
                None
            }
        }
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

    /// `path` relative to the project, for messages.
    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn version(&mut self, key: &str, text: &str, span: Range<usize>) -> Option<String> {
        match version::Version::parse(text) {
            Ok(v) => {
                if v.is_local() && self.publish {
                    let plus = text.find('+').unwrap_or(0);
                    let at = checks::content_span(&self.doc.text, &span, text, plus..text.len());
                    self.diags.push(
                        self.doc
                            .error(
                                key,
                                at,
                                format!(
                                    "PyPI does not accept local versions like {:?}",
                                    v.to_string()
                                ),
                            )
                            .with_help(format!(
                                "drop the `+...` part before uploading: version = \"{}\"",
                                v.public()
                            )),
                    );
                }
                Some(v.to_string())
            }
            Err(e) => {
                let at = checks::content_span(&self.doc.text, &span, text, e.offset..e.offset + 1);
                self.error_help(
                    key,
                    at,
                    format!("invalid version {text:?}: {}", e.message),
                    "use a PEP 440 version, such as \"1.0\", \"2.1.0rc1\" or \"0.3.post1\"",
                );
                None
            }
        }
    }

    fn summary(&mut self, key: &str, text: String, span: Range<usize>) -> Option<String> {
        if let Err(p) = checks::single_line(&text) {
            self.string_problem(
                key,
                &span,
                &text,
                "the description must be one line, but it",
                p,
                Some("put longer text in the readme"),
            );
            return None;
        }
        self.summary_length(key, Some(span), &text);
        Some(text)
    }

    /// PyPI refuses a Summary over 512 characters.
    fn summary_length(&mut self, key: &str, span: Option<Range<usize>>, text: &str) {
        let chars = text.chars().count();
        if self.publish && chars > 512 {
            let message =
                format!("the description is {chars} characters long; PyPI accepts at most 512");
            let help = "shorten it, and put the rest in the readme".to_string();
            match span {
                Some(span) => {
                    let d = self.doc.error(key, span, message).with_help(help);
                    self.diags.push(d);
                }
                None => self.dynamic_error(key, message, Some(help)),
            }
        }
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
                        let what = other.map_or("no extension".to_string(), |s| {
                            format!("the extension {s:?}")
                        });
                        if self.profile.unknown_readme_suffix_is_error {
                            self.error_help(
                                "project.readme",
                                node.span.clone(),
                                format!("cannot tell the readme's content type: {path:?} has {what}"),
                                "use a .md, .rst or .txt file, or a table: readme = {file = \"...\", content-type = \"text/markdown\"}",
                            );
                            return None;
                        }
                        self.warn(
                            "project.readme",
                            node.span.clone(),
                            format!("{path:?} has {what}, which says nothing about its content type; no Description-Content-Type is written"),
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
                        .and_then(|ct| match checks::readme_content_type(ct) {
                            Ok(()) => Some(ct.to_string()),
                            Err(p) => {
                                self.string_problem(
                                    "project.readme.content-type",
                                    &n.span,
                                    ct,
                                    "invalid readme content-type:",
                                    p,
                                    Some("use \"text/markdown\", \"text/x-rst\" or \"text/plain\", optionally with \"; charset=UTF-8\" (and \"; variant=GFM\" or \"; variant=CommonMark\" for Markdown)"),
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
        let norm = normpath(rel);
        if norm == ".." || norm.starts_with("../") {
            self.error_help(
                key,
                span,
                format!("{rel:?} points outside the project directory"),
                "files the project ships must be inside its folder",
            );
            return None;
        }
        let path = self.root.join(rel);
        if std::fs::symlink_metadata(&path).is_ok() && !path.exists() {
            self.error_help(
                key,
                span,
                format!("{rel} is a broken symlink"),
                "point the link at a file inside the project, or replace it with the file",
            );
            return None;
        }
        if !path.exists() {
            self.error_help(
                key,
                span,
                format!("{rel} does not exist"),
                format!("paths are relative to {}", self.root.display()),
            );
            return None;
        }
        if !is_within(&path, self.root) {
            self.error_help(
                key,
                span,
                format!("refusing to read {rel}: it resolves outside the project directory"),
                "copy the file into the project instead of linking to it",
            );
            return None;
        }
        if !path.is_file() {
            self.error(key, span, format!("{rel:?} is not a file"));
            return None;
        }
        Some(path)
    }

    fn requires_python(&mut self, key: &str, n: &Node) -> Option<String> {
        let s = self.string(key, n)?;
        if !self.one_line(key, &n.span, s, "requires-python") {
            return None;
        }
        if let Err(e) = requirement::SpecifierSet::parse(s) {
            let at = checks::content_span(
                &self.doc.text,
                &n.span,
                s,
                e.offset..e.end.max(e.offset + 1),
            );
            self.error_help(
                key,
                at,
                format!("invalid requires-python {s:?}: {}", e.message),
                "write version specifiers separated by commas, such as \">=3.9\" or \">=3.9, !=3.10.0\"",
            );
            return None;
        }
        Some(s.to_string())
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
                                let at = expr
                                    .to_ascii_lowercase()
                                    .find(&id.to_ascii_lowercase())
                                    .map_or(n.span.clone(), |i| {
                                        checks::content_span(
                                            &self.doc.text,
                                            &n.span,
                                            expr,
                                            i..i + id.len(),
                                        )
                                    });
                                let d = self
                                    .doc
                                    .warning(
                                        "project.license",
                                        at,
                                        format!("license id {id:?} is deprecated by SPDX"),
                                    )
                                    .with_help(
                                        "it still validates; the SPDX list (https://spdx.org/licenses/) \
                                         names its successor, e.g. GPL-2.0-only or GPL-2.0-or-later for GPL-2.0",
                                    );
                                self.diags.push(d);
                            }
                            e.normalized
                        })
                    } else {
                        license::flit_canonicalize(expr)
                            .and_then(|e| flit_legacy::license_expr_supported(e, self.profile))
                    };
                    match result {
                        Ok(norm) => License::Expression(norm),
                        Err(e) => {
                            let span = match e.offset {
                                Some(o) => {
                                    let len = expr[o.min(expr.len())..]
                                        .find([' ', '(', ')'])
                                        .unwrap_or(expr.len() - o.min(expr.len()))
                                        .max(1);
                                    checks::content_span(&self.doc.text, &n.span, expr, o..o + len)
                                }
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
                            Some(s) => {
                                if self.profile.writes_license_text {
                                    self.license_text("project.license.text", text, s);
                                }
                                License::Text(s.to_string())
                            }
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
                        if let Err(problem) = checks::license_files_pattern(p.text) {
                            self.string_problem(
                                &p.key,
                                &p.span,
                                p.text,
                                &format!("license-files pattern {:?}", p.text),
                                problem,
                                Some("patterns are relative to the project folder, e.g. \"LICENSE*\" or \"licenses/**/*.txt\", using only letters, digits, `_ - . / * ? [ ]` and spaces"),
                            );
                            continue;
                        }
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
                for pattern in self.profile.license_globs {
                    match crate::layout::license_glob(self.root, pattern) {
                        Ok(found) => files.extend(found),
                        Err(message) => self.diags.push(
                            Diagnostic::error(format!(
                                "{message} (forge looks for license files with {pattern:?} when license-files is not set)"
                            ))
                            .in_file(&self.doc.path)
                            .at("project", self.header.clone())
                            .with_help("fix the file, or set license-files to the files to ship"),
                        ),
                    }
                }
            }
        }
        (license, files)
    }

    /// `License:` is folded over several lines, and a blank line in a folded header
    /// ends the headers for email parsers: the rest would become the description.
    fn license_text(&mut self, key: &str, node: &Node, text: &str) {
        let lines = crate::metadata::python_splitlines(text);
        if lines.len() > 1 && lines.iter().any(|l| l.trim().is_empty()) {
            self.error_help(
                key,
                node.span.clone(),
                "the license text has a blank line, which would end the metadata headers \
                 (the License field is folded over several lines)",
                "write an SPDX expression (license = \"MIT\") and ship the full text with license-files",
            );
            return;
        }
        let odd = text
            .char_indices()
            .find(|(_, c)| checks::is_line_breaking(*c) && !matches!(c, '\n' | '\r'));
        if let Some((i, c)) = odd {
            let at = checks::content_span(&self.doc.text, &node.span, text, i..i + c.len_utf8());
            self.error(
                key,
                at,
                format!("the license text contains {}", checks::describe_char(c)),
            );
        }
    }

    fn classifiers(&mut self, key: &str, n: Option<&Node>, license: &License) -> Vec<String> {
        let Some(n) = n else {
            return Vec::new();
        };
        let Some(items) = self.strings(key, n) else {
            return Vec::new();
        };
        for item in &items {
            let what = format!("classifier {:?}", item.text);
            if !self.one_line(&item.key, &item.span, item.text, &what) {
                continue;
            }
            if matches!(license, License::Expression(_)) && item.text.starts_with("License :: ") {
                self.error_help(
                    &item.key,
                    item.span.clone(),
                    "license classifiers cannot be combined with a license expression",
                    format!("remove {:?}; `project.license` says it all", item.text),
                );
                continue;
            }
            if item.text.starts_with("Private ::") {
                if self.publish {
                    self.error_help(
                        &item.key,
                        item.span.clone(),
                        format!("PyPI refuses every upload with a `Private ::` classifier ({:?})", item.text),
                        "that is what it is for: it keeps a private project off PyPI; remove it to publish",
                    );
                }
                continue;
            }
            match classifiers::status(item.text) {
                classifiers::ClassifierStatus::Known => {}
                classifiers::ClassifierStatus::Deprecated { replacements } => {
                    let help = if replacements.is_empty() {
                        "remove it".to_string()
                    } else {
                        format!(
                            "use {}",
                            replacements
                                .iter()
                                .map(|r| format!("{r:?}"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )
                    };
                    self.pypi_warn(
                        &item.key,
                        item.span.clone(),
                        format!(
                            "classifier {:?} is deprecated, and PyPI rejects it",
                            item.text
                        ),
                        Some(help),
                    )
                }
                classifiers::ClassifierStatus::Unknown => {
                    let help = "classifiers must match PyPI's list exactly (https://pypi.org/classifiers/); `Private :: ...` ones keep a project off PyPI".to_string();
                    self.pypi_warn(
                        &item.key,
                        item.span.clone(),
                        format!("unknown classifier {:?}: PyPI will reject it", item.text),
                        Some(help),
                    )
                }
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
            self.expect_type(
                &full_key,
                node,
                "an array of tables, like [{ name = \"Jane Doe\", email = \"jane@example.org\" }]",
            );
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
            let name_key = format!("{item_key}.name");
            let name = t.get("name").and_then(|n| {
                let s = self.string(&name_key, n)?;
                if !self.one_line(&name_key, &n.span, s, &format!("name {s:?}")) {
                    return None;
                }
                if self.profile.is_native() {
                    if let Some(c) = s.find(',') {
                        let at = checks::content_span(&self.doc.text, &n.span, s, c..c + 1);
                        self.error_help(
                            &name_key,
                            at,
                            format!("name {s:?} contains a comma"),
                            "the pyproject spec forbids commas in names (readers split the field at them): write \"Jane Doe\", not \"Doe, Jane\"",
                        );
                        return None;
                    }
                    if s.trim().is_empty() {
                        self.error_help(
                            &name_key,
                            n.span.clone(),
                            "a name cannot be empty",
                            "remove `name`, or fill it in",
                        );
                        return None;
                    }
                }
                Some((s, n.span.clone()))
            });
            let email_key = format!("{item_key}.email");
            let email = t.get("email").and_then(|n| {
                let s = self.string(&email_key, n)?;
                Some((s, n.span.clone()))
            });
            if t.get("name").is_none() && t.get("email").is_none() {
                self.error_help(
                    &item_key,
                    item.span.clone(),
                    "an author or maintainer needs `name` or `email`",
                    "write { name = \"Jane Doe\", email = \"jane@example.org\" }",
                );
            }
            match (name, email) {
                (name, Some((email, span))) => {
                    if let Err(p) = checks::email(email) {
                        self.string_problem(
                            &email_key,
                            &span,
                            email,
                            &format!("invalid email {email:?}:"),
                            p,
                            Some("write an address like \"jane@example.org\", without the name (that goes in `name`)"),
                        );
                        continue;
                    }
                    if self.publish {
                        if let Err(p) = checks::email_is_deliverable(email) {
                            self.string_problem(
                                &email_key,
                                &span,
                                email,
                                &format!("email {email:?}:"),
                                p,
                                None,
                            );
                        }
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

    fn urls(&mut self, key: &str, n: Option<&Node>) -> Vec<String> {
        let Some(n) = n else {
            return Vec::new();
        };
        let Some(entries) = self.string_table(key, n) else {
            return Vec::new();
        };
        let mut urls: Vec<(String, String)> = Vec::new();
        for (label, url) in entries {
            let what = format!("URL label {:?}", label.text);
            if !self.one_line(&label.key, &label.span, label.text, &what) {
                continue;
            }
            if label.text.trim().is_empty() {
                self.error_help(
                    &label.key,
                    label.span,
                    "a URL label cannot be empty",
                    "name the link, e.g. Homepage = \"https://...\"",
                );
                continue;
            }
            if let Some(c) = label.text.find(',') {
                if self.profile.is_native() {
                    let at =
                        checks::content_span(&self.doc.text, &label.span, label.text, c..c + 1);
                    self.error_help(
                        &label.key,
                        at,
                        format!("URL label {:?} contains a comma", label.text),
                        "Project-URL is `label, url`: readers end the label at the first comma",
                    );
                    continue;
                }
            }
            let what = format!("URL {:?}", url.text);
            if !self.one_line(&url.key, &url.span, url.text, &what) {
                continue;
            }
            if url.text.trim().is_empty() {
                self.error(&url.key, url.span, "the URL is empty");
                continue;
            }
            if let Some(i) = url.text.find(char::is_whitespace) {
                let at = checks::content_span(&self.doc.text, &url.span, url.text, i..i + 1);
                self.error_help(
                    &url.key,
                    at,
                    format!("URL {:?} contains whitespace", url.text),
                    "percent-encode spaces as %20",
                );
                continue;
            }
            if self.publish {
                let chars = label.text.chars().count();
                if chars > 32 {
                    self.error_help(
                        &label.key,
                        label.span.clone(),
                        format!(
                            "URL label {:?} is {chars} characters long; PyPI accepts at most 32",
                            label.text
                        ),
                        "shorten the label",
                    );
                }
                if !checks::is_web_url(url.text) {
                    self.error_help(
                        &url.key,
                        url.span.clone(),
                        format!(
                            "PyPI accepts only http:// and https:// project URLs, not {:?}",
                            url.text
                        ),
                        "write a full web address, e.g. \"https://example.org/docs\"",
                    );
                }
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
                        self.error_help(
                            &key,
                            e.key_span.clone(),
                            format!("invalid entry-point group name {:?}", e.key),
                            "a group is dot-separated words of letters, digits and `_`, e.g. \"pytest11\" or \"flake8.extension\"",
                        );
                        continue;
                    }
                    if let Some(entries) = self.string_table(&key, &e.node) {
                        let group = self.entry_point_group(entries, false);
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
                    let g = self.entry_point_group(entries, true);
                    groups.insert(group.to_string(), g);
                }
            }
        }
        groups
    }

    fn entry_point_group(
        &mut self,
        entries: Vec<(Located<'_>, Located<'_>)>,
        scripts: bool,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, value) in entries {
            let checked = checks::entry_point_name(name.text).and_then(|()| {
                if scripts {
                    checks::script_name(name.text)
                } else {
                    Ok(())
                }
            });
            let name_ok = checked.is_ok();
            if let Err(p) = checked {
                self.string_problem(
                    &name.key,
                    &name.span,
                    name.text,
                    &format!("invalid entry-point name {:?}:", name.text),
                    p,
                    Some(if scripts {
                        "a script name is a plain file name, such as \"my-tool\""
                    } else {
                        "names cannot be empty, start with `[`, contain `=`, or have surrounding spaces"
                    }),
                );
            }
            match checks::object_reference(value.text) {
                Ok(has_extras) => {
                    if has_extras {
                        self.warn(
                            &value.key,
                            value.span.clone(),
                            format!("extras in the object reference {:?} are deprecated, and installers ignore them", value.text),
                        );
                    }
                }
                Err(p) => {
                    self.string_problem(
                        &value.key,
                        &value.span,
                        value.text,
                        &format!("invalid object reference {:?}:", value.text),
                        p,
                        Some("write `package.module:function` or `package.module:Class.method`"),
                    );
                    continue;
                }
            }
            if name_ok {
                out.insert(name.text.to_string(), value.text.to_string());
            }
        }
        out
    }

    /// Requires-Dist and Provides-Extra from the dependency list, the table of extras
    /// and (the old format's `dev-requires`) the list that becomes the extra `dev`;
    /// each given with its key path.
    fn dependencies(
        &mut self,
        deps: Option<(&str, &Node)>,
        extras_table: Option<(&str, &Node)>,
        dev: Option<(&str, &Node)>,
    ) -> (Vec<String>, Vec<String>) {
        let mut requires = Vec::new();
        if let Some((key, n)) = deps {
            if let Some(items) = self.strings(key, n) {
                for item in items {
                    if self.requirement(&item) {
                        requires.push(item.text.to_string());
                    }
                }
            }
        }
        let mut extras: BTreeMap<String, (String, Vec<Located<'_>>)> = BTreeMap::new();
        if let Some((table_key, n)) = extras_table {
            if let Some(t) = self.table(table_key, n) {
                for e in &t.entries {
                    let key = format!("{table_key}.{}", quote_key(&e.key));
                    if let Err(p) = checks::name(&e.key) {
                        self.string_problem(
                            &key,
                            &e.key_span,
                            &e.key,
                            &format!("invalid extra name {:?}:", e.key),
                            p,
                            Some("extra names are ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, e.g. \"test\" or \"docs-build\""),
                        );
                        continue;
                    }
                    let normalized = requirement::normalize_extra(&e.key);
                    if let Some((first, _)) = extras.get(&normalized) {
                        let first = first.clone();
                        self.error_help(
                            &key,
                            e.key_span.clone(),
                            format!("extras {first:?} and {:?} are the same name once normalised ({normalized:?})", e.key),
                            "extra names are compared after lowercasing and turning runs of `-_.` into `-`; merge the two lists",
                        );
                        continue;
                    }
                    let Some(items) = self.strings(&key, &e.node) else {
                        continue;
                    };
                    let mut reqs = Vec::new();
                    for item in items {
                        if self.requirement(&item) {
                            reqs.push(item);
                        }
                    }
                    extras.insert(normalized, (e.key.clone(), reqs));
                }
            }
        }
        if let Some((key, n)) = dev {
            if let Some(items) = self.strings(key, n) {
                if extras.contains_key("dev") {
                    self.error_help(
                        key,
                        n.span.clone(),
                        "dev-requires occurs together with its replacement requires-extra.dev",
                        "move these requirements into requires-extra.dev",
                    );
                } else {
                    self.warn(
                        key,
                        n.span.clone(),
                        "dev-requires is obsolete; it becomes the extra `dev`",
                    );
                    let reqs = items.into_iter().filter(|i| self.requirement(i)).collect();
                    extras.insert("dev".into(), ("dev".into(), reqs));
                }
            }
        }
        // flit ≤ 3.9 wrote extras as given, sorted as given (no PEP 685).
        let mut ordered: Vec<(&str, &Vec<Located<'_>>)> = extras
            .iter()
            .map(|(norm, (raw, reqs))| {
                let name = if self.profile.normalize_extras {
                    norm
                } else {
                    raw
                };
                (name.as_str(), reqs)
            })
            .collect();
        ordered.sort_by(|a, b| a.0.cmp(b.0));
        let provides: Vec<String> = ordered.iter().map(|(n, _)| n.to_string()).collect();
        for (extra, reqs) in ordered {
            for req in reqs {
                // flit's expansion: split at the first `;` and keep both sides verbatim.
                let expanded = match req.text.split_once(';') {
                    Some((name, marker)) => {
                        format!("{name} ; extra == \"{extra}\" and ({marker})")
                    }
                    None => format!("{} ; extra == \"{extra}\"", req.text),
                };
                // A `;` inside a URL is not a marker separator, and the split would
                // write a requirement nobody can read back.
                if requirement::Requirement::parse(&expanded).is_err() {
                    let semi = req.text.find(';').unwrap_or(0);
                    let at =
                        checks::content_span(&self.doc.text, &req.span, req.text, semi..semi + 1);
                    self.error_help(
                        &req.key,
                        at,
                        format!("requirement {:?} cannot be written with its extra marker: the `;` is not where the marker starts", req.text),
                        "percent-encode `;` in the URL as %3B",
                    );
                    continue;
                }
                requires.push(expanded);
            }
        }
        let requires = requires
            .iter()
            .map(|r| match self.profile.bracket_extras {
                crate::profile::BracketExtras::AfterName => normalize_bracket_extras(r),
                crate::profile::BracketExtras::FirstAnywhereReplaceAll => {
                    flit_legacy::normalize_first_bracket_everywhere(r)
                }
                crate::profile::BracketExtras::Verbatim => r.clone(),
            })
            .collect();
        (requires, provides)
    }

    /// Parses a PEP 508 string, reporting a syntax error under the culprit.
    fn parse_requirement(
        &mut self,
        item: &Located<'_>,
        help: &str,
    ) -> Option<requirement::Requirement> {
        match requirement::Requirement::parse(item.text) {
            Ok(req) => Some(req),
            Err(e) => {
                let span = checks::content_span(
                    &self.doc.text,
                    &item.span,
                    item.text,
                    e.offset..e.end.max(e.offset + 1),
                );
                self.error_help(
                    &item.key,
                    span,
                    format!("invalid requirement {:?}: {}", item.text, e.message),
                    help,
                );
                None
            }
        }
    }

    fn requirement(&mut self, item: &Located<'_>) -> bool {
        const HELP: &str = "write a PEP 508 requirement, such as \"requests >=2.28\" or \"tomli; python_version < '3.11'\"";
        let Some(req) = self.parse_requirement(item, HELP) else {
            return false;
        };
        if let Some(var) = req
            .marker
            .as_ref()
            .and_then(|m| m.variables().into_iter().find(|v| v.is_lock_file_only()))
        {
            let at = req.spans.marker.clone().unwrap_or(0..item.text.len());
            let at = checks::content_span(&self.doc.text, &item.span, item.text, at);
            self.error_help(
                &item.key,
                at,
                format!("the marker variable `{var}` is only defined in lock files, not in package metadata"),
                "use `extra == \"...\"` in optional-dependencies instead",
            );
            return false;
        }
        // packaging reads `a[b_]`, but the extra's normal form `b-` is not a name, and
        // the normalised requirement flit writes could not be read back.
        for extra in &req.extras {
            if let Err(p) = checks::name(&extra.name) {
                let at =
                    checks::content_span(&self.doc.text, &item.span, item.text, extra.span.clone());
                self.error_help(
                    &item.key,
                    at,
                    format!(
                        "invalid extra name {:?} in requirement {:?}: {}",
                        extra.name, item.text, p.message
                    ),
                    "extra names are ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit",
                );
                return false;
            }
        }
        if checks::name(&req.name).is_err() {
            let at = checks::content_span(
                &self.doc.text,
                &item.span,
                item.text,
                req.spans.name.clone(),
            );
            self.warn(
                &item.key,
                at,
                format!(
                    "{:?} is not a valid project name, so no index can serve it",
                    req.name
                ),
            );
        }
        if self.publish {
            if let Some(url) = &req.url {
                let at = req.spans.url.clone().unwrap_or(0..item.text.len());
                let at = checks::content_span(&self.doc.text, &item.span, item.text, at);
                self.error_help(
                    &item.key,
                    at,
                    format!("PyPI refuses direct references ({} @ {url})", req.name),
                    "depend on a released version instead, e.g. \"name >=1.0\"",
                );
            }
        }
        true
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
            None if implicit("import-names") => {
                // Import-Name must be a dotted identifier: packaging and PyPI reject
                // anything else, such as a stub-only package's `x-stubs`.
                if !is_dotted_identifier(&module_name) {
                    let message = if module.is_stub_package() {
                        format!("{module_name:?} is a stub-only package, and `{module_name}` is not a valid Import-Name")
                    } else {
                        format!("the module name `{module_name}` is not a valid Import-Name")
                    };
                    if dynamic.iter().any(|d| d == "import-names") {
                        self.dynamic_error(
                            "import-names",
                            message,
                            Some("remove \"import-names\" from dynamic: forge can only fill it in with an importable module name".into()),
                        );
                    } else {
                        // flit writes this, but packaging and PyPI reject it: output
                        // never carries metadata a validator would refuse.
                        self.error_help(
                            "project",
                            self.header.clone(),
                            format!("flit 4.2.0 writes `Import-Name: {module_name}` for every project, but {message}"),
                            "build this project with --profile native, which writes no Import-Name unless asked",
                        );
                    }
                    Vec::new()
                } else {
                    vec![module_name]
                }
            }
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

    /// An sdist must carry pyproject.toml, the readme, the license files and the
    /// module's main file: name the exclude pattern that would drop one.
    fn crucial_excludes(&mut self, referenced: &[String], module: &Module) {
        if self.sdist_excludes.is_empty() {
            return;
        }
        let mut crucial: Vec<String> = referenced.to_vec();
        if !module.is_stub_package() {
            crucial.push(self.rel(&module.main_file()));
        }
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        for (key, span, pattern) in std::mem::take(&mut self.sdist_excludes) {
            let Ok(glob) = glob::Pattern::new(&python_glob(&pattern)) else {
                continue;
            };
            // Excluding a folder excludes everything under it.
            let hit = crucial.iter().find(|f| {
                let mut prefix = f.as_str();
                loop {
                    if glob.matches_with(prefix, options) {
                        return true;
                    }
                    match prefix.rfind('/') {
                        Some(i) => prefix = &prefix[..i],
                        None => return false,
                    }
                }
            });
            if let Some(f) = hit {
                self.error_help(
                    &key,
                    span,
                    format!("the sdist exclude pattern {pattern:?} would drop {f}, which every sdist must carry"),
                    "narrow the pattern: an sdist needs pyproject.toml, the readme, the license files and the module",
                );
            }
        }
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
                "module" if self.old_format => {
                    let message = if self.profile.config_formats == ConfigFormats::OldOnly {
                        format!(
                            "flit {} has no [tool.flit.module] table",
                            self.profile.flit_version().unwrap_or("")
                        )
                    } else {
                        "[tool.flit.module] goes with [project] metadata, not with \
                         [tool.flit.metadata]"
                            .to_string()
                    };
                    self.error_help(
                        &key,
                        e.key_span.clone(),
                        message,
                        "name the module with `module = \"...\"` in [tool.flit.metadata]",
                    );
                }
                "module" => {
                    if let Some(m) = self.table(&key, &e.node) {
                        self.only_keys(&key, m, &["name"]);
                    }
                }
                "sdist" => {
                    if let Some(s) = self.table(&key, &e.node) {
                        sdist = Some(self.sdist_patterns(&key, s));
                    }
                }
                "external-data" if self.profile.external_data => {
                    if let Some(d) = self.table(&key, &e.node) {
                        self.only_keys(&key, d, &["directory"]);
                        data_dir = d.get("directory").and_then(|n| self.data_directory(n));
                    }
                }
                // Reported by check_old_flit_tables.
                "metadata" | "scripts" | "entrypoints" => {}
                other if other.to_ascii_lowercase().starts_with("x-") => {}
                other => self.error_help(
                    &key,
                    e.key_span.clone(),
                    format!("unknown table [tool.flit.{other}]"),
                    "valid tables: [tool.flit.module], [tool.flit.sdist], \
                     [tool.flit.external-data]; [tool.flit.x-*] tables are yours",
                ),
            }
        }
        (data_dir, sdist)
    }

    /// Reports every key of the table `key` not in `allowed`.
    fn only_keys(&mut self, key: &str, table: &Table, allowed: &[&str]) {
        for e in &table.entries {
            if !allowed.contains(&e.key.as_str()) {
                self.error_help(
                    &format!("{key}.{}", quote_key(&e.key)),
                    e.key_span.clone(),
                    format!("unknown key `{}` in [{key}]", e.key),
                    format!("valid keys: {}", allowed.join(", ")),
                );
            }
        }
    }

    fn sdist_patterns(&mut self, key: &str, table: &Table) -> SdistPatterns {
        self.only_keys(key, table, &["include", "exclude"]);
        let mut patterns = SdistPatterns {
            include: Vec::new(),
            exclude: if self.profile.sdist_doublestar {
                vec!["**/__pycache__".into(), "**.pyc".into()]
            } else {
                Vec::new()
            },
        };
        for se in &table.entries {
            let is_exclude = match se.key.as_str() {
                "include" => false,
                "exclude" => true,
                _ => continue,
            };
            let sk = format!("{key}.{}", quote_key(&se.key));
            let Some(items) = self.strings(&sk, &se.node) else {
                continue;
            };
            for item in items {
                if !self.profile.sdist_doublestar && item.text.contains("**") {
                    self.error(
                        &item.key,
                        item.span,
                        format!(
                            "flit {} has no `**` in sdist patterns",
                            self.profile.flit_version().unwrap_or("")
                        ),
                    );
                    continue;
                }
                match check_sdist_pattern(item.text) {
                    Ok(p) if is_exclude => {
                        self.sdist_excludes
                            .push((item.key.clone(), item.span.clone(), p.clone()));
                        patterns.exclude.push(p);
                    }
                    Ok(p) => patterns.include.push(p),
                    Err(m) => self.error_help(
                        &item.key,
                        item.span,
                        m,
                        "patterns are relative to the project folder, e.g. \"docs/\" or \
                         \"tests/**/*.py\"",
                    ),
                }
            }
        }
        patterns
    }

    fn data_directory(&mut self, node: &Node) -> Option<String> {
        const KEY: &str = "tool.flit.external-data.directory";
        let dir = self.string(KEY, node)?;
        let norm = normpath(dir);
        let problem = if is_absish(&norm) {
            "the external-data directory must be a relative path".to_string()
        } else if norm == ".." || norm.starts_with("../") {
            "the external-data directory must be inside the project".to_string()
        } else if norm == "." {
            "the external-data directory cannot be the project directory itself".to_string()
        } else if !self.root.join(dir).is_dir() {
            format!("{dir} is not a directory")
        } else if !is_within(&self.root.join(dir), self.root) {
            format!("{dir} points outside the project directory")
        } else {
            return Some(dir.to_string());
        };
        self.error_help(
            KEY,
            node.span.clone(),
            problem,
            "the folder's files are installed under <prefix>/ from <name>.data/data/; \
             it must be a folder inside the project",
        );
        None
    }
}

/// flit 3.0's `re.sub(r"[^\w\d.]+", "_", s)`.
fn escape_keeping_dots(s: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out
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
    // A build asks this of one project folder many times; resolving it costs a readlink
    // per path component, so the last folder's resolution is kept.
    thread_local! {
        static LAST_DIR: std::cell::RefCell<Option<(PathBuf, PathBuf)>> =
            const { std::cell::RefCell::new(None) };
    }
    let resolved_dir = LAST_DIR.with_borrow_mut(|last| match last {
        Some((given, resolved)) if given == dir => Some(resolved.clone()),
        _ => {
            let resolved = dir.canonicalize().ok()?;
            *last = Some((dir.to_path_buf(), resolved.clone()));
            Some(resolved)
        }
    });
    match (path.canonicalize(), resolved_dir) {
        (Ok(p), Some(d)) => p.starts_with(d),
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
    // Anything the glob crate rejects (an unclosed `[`) would silently match nothing.
    if let Err(e) = glob::Pattern::new(&python_glob(&norm)) {
        return Err(format!("pattern {p:?} is not a valid glob: {}", e.msg));
    }
    Ok(norm)
}

/// Python's glob reads `**` as recursive only as a whole segment, elsewhere as `*`,
/// which the glob crate would reject.
fn python_glob(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| {
            let mut seg = seg.to_string();
            if seg != "**" {
                while seg.contains("**") {
                    seg = seg.replace("**", "*");
                }
            }
            seg
        })
        .collect::<Vec<_>>()
        .join("/")
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

fn suffix_lower(path: &str) -> Option<String> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let dot = file.rfind('.')?;
    // Python's Path.suffix ignores a leading dot (".readme" has no suffix).
    if dot == 0 {
        return None;
    }
    Some(file[dot..].to_lowercase())
}

/// The part of `span` on its first line: a table's `[header]`, not its whole body.
fn first_line(text: &str, span: &Range<usize>) -> Range<usize> {
    let body = text.get(span.clone()).unwrap_or("");
    let len = body.find(['\n', '\r']).unwrap_or(body.len());
    span.start..span.start + len
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
    fn flit_3_0_wheel_names_keep_dots() {
        // Measured: `Odd_-.Name` 1.0+local.7 → `Odd__.Name-1.0_local.7-py3-none-any.whl`.
        assert_eq!(escape_keeping_dots("Odd_-.Name"), "Odd__.Name");
        assert_eq!(escape_keeping_dots("1.0+local.7"), "1.0_local.7");
        assert_eq!(escape_keeping_dots("Old.Pkg-Name"), "Old.Pkg_Name");
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
