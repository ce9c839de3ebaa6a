//! The configuration format flit_core 3.x reads besides `[project]`:
//! `[tool.flit.metadata]` (with its `requires-extra` and `urls` tables),
//! `[tool.flit.scripts]` and `[tool.flit.entrypoints]`, mapped to the same `Project` as
//! `[project]` is (conformance/flit-versions.md §2.3). Version and summary are always
//! read from the module.

use std::collections::BTreeMap;
use std::ops::Range;

use super::checks::{self, is_dotted_identifier};
use super::{first_line, normpath, quote_key, Checker, License, Located, Module, Project, Readme};
use crate::profile::{ConfigFormats, LicenseLayout};
use crate::pyproject::{Node, Table, Value};

const TABLE: &str = "tool.flit.metadata";

/// The keys `[tool.flit.metadata]` accepts (the same set in 3.0–3.12).
pub const OLD_METADATA_KEYS: &[&str] = &[
    "module",
    "dist-name",
    "author",
    "author-email",
    "maintainer",
    "maintainer-email",
    "home-page",
    "license",
    "keywords",
    "requires-python",
    "description-file",
    "classifiers",
    "requires",
    "requires-extra",
    "dev-requires",
    "urls",
];

/// Free-text keys written verbatim as the header of the same meaning.
const TEXT_KEYS: &[&str] = &[
    "author",
    "author-email",
    "maintainer",
    "maintainer-email",
    "home-page",
    "keywords",
];

impl<'a> Checker<'a> {
    /// Which format the document uses under this profile: `Some(node)` of
    /// `[tool.flit.metadata]` when the old one is to be read, `None` for `[project]`.
    /// Reports a document the release could not read at all.
    pub(super) fn old_format_table(&mut self) -> Result<Option<&'a Node>, ()> {
        let doc: &'a crate::pyproject::PyProject = self.doc;
        let flit = doc
            .root
            .get("tool")
            .and_then(|t| t.value.as_table())
            .and_then(|t| t.get("flit"))
            .and_then(|t| t.value.as_table());
        let metadata = flit.and_then(|t| t.entry("metadata"));
        let release = self.profile.flit_version().unwrap_or("");
        match (self.profile.config_formats, metadata) {
            (ConfigFormats::ProjectOnly, _) => Ok(None),
            (ConfigFormats::OldOnly, None) => {
                let (key, span) = match doc.root.entry("project") {
                    Some(p) => ("project", first_line(&doc.text, &p.node.span)),
                    None => (TABLE, 0..0),
                };
                let d = doc
                    .error(
                        key,
                        span,
                        format!(
                            "flit {release} reads metadata only from [tool.flit.metadata], \
                             and this pyproject.toml has none"
                        ),
                    )
                    .with_help(
                        "[project] tables are read from flit 3.2 on: use a newer flit profile, \
                         or write the metadata as [tool.flit.metadata]",
                    );
                self.diags.push(d);
                Err(())
            }
            (ConfigFormats::OldOnly, Some(e)) => {
                if let Some(p) = doc.root.entry("project") {
                    let d = doc.warning(
                        "project",
                        first_line(&doc.text, &p.node.span),
                        format!("flit {release} ignores [project]; the metadata comes from [tool.flit.metadata]"),
                    );
                    self.diags.push(d);
                }
                Ok(Some(&e.node))
            }
            (ConfigFormats::Both, Some(e)) => {
                if let Some(p) = doc.root.entry("project") {
                    self.error_help(
                        TABLE,
                        e.key_span.clone(),
                        "use [project] or [tool.flit.metadata] for the metadata, not both",
                        format!(
                            "remove one of them (the [project] table starts on line {})",
                            line_of(&doc.text, p.key_span.start)
                        ),
                    );
                    return Err(());
                }
                Ok(Some(&e.node))
            }
            (ConfigFormats::Both, None) => Ok(None),
        }
    }

    /// The old tables next to `[project]`: refused, with the replacement named.
    pub(super) fn check_old_flit_tables(&mut self, flit: &Node) {
        let Some(t) = flit.value.as_table() else {
            return;
        };
        let mixed = self.profile.config_formats == ConfigFormats::Both;
        for e in &t.entries {
            let key = format!("tool.flit.{}", quote_key(&e.key));
            let replacement = match e.key.as_str() {
                "metadata" => "move the metadata to the standard [project] table",
                "scripts" | "entrypoints" => {
                    "use [project.scripts], [project.gui-scripts] or [project.entry-points]"
                }
                _ => continue,
            };
            let message = if mixed {
                format!(
                    "[tool.flit.{}] cannot be mixed with [project] metadata",
                    e.key
                )
            } else {
                format!("the [tool.flit.{}] table is no longer supported", e.key)
            };
            self.error_help(&key, e.key_span.clone(), message, replacement);
        }
    }

    /// Builds the project from `[tool.flit.metadata]` (`node`), `[tool.flit.scripts]` and
    /// `[tool.flit.entrypoints]`, as flit 3.x does.
    pub(super) fn old_format_project(&mut self, node: &Node, flit: &Node) -> Option<Project> {
        let doc = self.doc;
        let md = self.table(TABLE, node)?;
        self.header = first_line(&doc.text, &node.span);
        self.unknown_keys(md, TABLE, OLD_METADATA_KEYS);
        for required in ["module", "author"] {
            if !md.contains(required) {
                let header = self.header.clone();
                self.error_help(
                    TABLE,
                    header,
                    format!("`{TABLE}.{required}` is missing"),
                    format!("flit 3.x requires `module` and `author` in [{TABLE}]"),
                );
            }
        }
        let mut text = BTreeMap::new();
        for key in TEXT_KEYS {
            if let Some(n) = md.get(key) {
                let full = format!("{TABLE}.{key}");
                if let Some(s) = self.string(&full, n) {
                    if self.one_line(&full, &n.span, s, key) {
                        text.insert(*key, s.to_string());
                    }
                }
            }
        }
        let module_name = md.get("module").and_then(|n| self.old_module_name(n));
        let name = match md.get("dist-name") {
            Some(n) => self.string(&format!("{TABLE}.dist-name"), n).and_then(|s| {
                match checks::name(s) {
                    Ok(()) => Some(s.to_string()),
                    Err(p) => {
                        self.string_problem(
                            &format!("{TABLE}.dist-name"),
                            &n.span,
                            s,
                            &format!("invalid dist-name {s:?}:"),
                            p,
                            Some("a name is ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit"),
                        );
                        None
                    }
                }
            }),
            None => module_name.clone(),
        };
        let forge = self.forge_table();
        let search_root = self.module_search_root(&forge);
        let module = module_name
            .as_deref()
            .and_then(|m| match Module::find(&search_root, m) {
                Ok(module) => Some(module),
                Err(message) => {
                    let span = md
                        .get("module")
                        .map_or(self.header.clone(), |n| n.span.clone());
                    self.error(&format!("{TABLE}.module"), span, message);
                    None
                }
            });
        let (summary, version) = match &module {
            Some(m) => self.module_facts(m, true, true),
            None => (None, None),
        };
        let version = version.and_then(|(v, file)| self.dynamic_version(&v, &file));

        let readme = md
            .get("description-file")
            .and_then(|n| self.description_file(n));
        let license_field = md.get("license").and_then(|n| self.old_license(n));
        let requires_python = md
            .get("requires-python")
            .and_then(|n| self.requires_python(&format!("{TABLE}.requires-python"), n));
        let classifiers = self.classifiers(
            &format!("{TABLE}.classifiers"),
            md.get("classifiers"),
            &License::None,
        );
        let project_urls = self.urls(&format!("{TABLE}.urls"), md.get("urls"));
        let (requires_dist, provides_extra) = self.dependencies(
            md.get("requires")
                .map(|n| ("tool.flit.metadata.requires", n)),
            md.get("requires-extra")
                .map(|n| ("tool.flit.metadata.requires-extra", n)),
            md.get("dev-requires")
                .map(|n| ("tool.flit.metadata.dev-requires", n)),
        );
        let flit_table = flit.value.as_table();
        let entry_points = self.old_entry_points(flit_table);
        let (data_dir, sdist_patterns) = self.tool_flit(flit);

        let mut referenced_files = vec!["pyproject.toml".to_string()];
        if let Some(Value::String(f)) = md.get("description-file").map(|n| &n.value) {
            referenced_files.push(normpath(f));
        }
        let mut license_files = Vec::new();
        if self.profile.license_layout == LicenseLayout::Pep639 {
            // flit 3.11–3.12 apply the default globs to the old format too.
            for pattern in self.profile.license_globs {
                match crate::layout::license_glob(self.root, pattern) {
                    Ok(found) => license_files.extend(found),
                    Err(message) => {
                        let header = self.header.clone();
                        self.error(TABLE, header, message);
                    }
                }
            }
            license_files.sort();
            license_files.dedup();
            referenced_files.extend(license_files.iter().cloned());
        }
        if let Some(m) = &module {
            self.crucial_excludes(&referenced_files, m);
        }
        let text_value = |k: &str| text.get(k).cloned();
        Some(Project {
            root: self.root.to_path_buf(),
            name: name?,
            version: version?,
            summary,
            readme,
            requires_python,
            license: License::None,
            license_files,
            author: text_value("author"),
            author_email: text_value("author-email"),
            maintainer: text_value("maintainer"),
            maintainer_email: text_value("maintainer-email"),
            keywords: text_value("keywords"),
            classifiers,
            project_urls,
            requires_dist,
            provides_extra,
            entry_points,
            import_names: Vec::new(),
            import_namespaces: Vec::new(),
            module: module?,
            data_dir,
            sdist_patterns,
            referenced_files,
            forge,
            dist_name_lowercase: self.profile.wheel_name_lowercase,
            dist_name_keeps_dots: self.profile.wheel_name_keeps_dots,
            home_page: text_value("home-page"),
            license_field,
        })
    }

    /// `module`: an identifier, dotted only where the release has namespace packages.
    fn old_module_name(&mut self, n: &Node) -> Option<String> {
        let key = format!("{TABLE}.module");
        let s = self.string(&key, n)?;
        let dotted_ok = self.profile.namespace_modules;
        if is_dotted_identifier(s) && (dotted_ok || !s.contains('.')) {
            return Some(s.to_string());
        }
        let help = if s.contains('.') && !dotted_ok {
            format!(
                "flit {} has no namespace packages (from 3.5 on): use a newer flit profile",
                self.profile.flit_version().unwrap_or("")
            )
        } else {
            "the module is the import name, such as \"my_package\"".to_string()
        };
        self.error_help(
            &key,
            n.span.clone(),
            format!("{s:?} is not a valid module name"),
            help,
        );
        None
    }

    /// `description-file`: the readme, its type from the extension (matched
    /// case-sensitively by flit ≤ 3.1; an unknown one only warns).
    fn description_file(&mut self, n: &Node) -> Option<Readme> {
        let key = format!("{TABLE}.description-file");
        let path = self.string(&key, n)?;
        let text = self.read_text_file(&key, n.span.clone(), path)?;
        let file = path.rsplit('/').next().unwrap_or(path);
        // Python's Path.suffix: from the last dot, unless the name starts with it.
        let suffix = file.rfind('.').filter(|&i| i > 0).map(|i| &file[i..]);
        let suffix = match suffix {
            Some(s) if self.profile.readme_suffix_any_case => Some(s.to_lowercase()),
            other => other.map(str::to_string),
        };
        let content_type = match suffix.as_deref() {
            Some(".md") => Some("text/markdown".to_string()),
            Some(".rst") => Some("text/x-rst".to_string()),
            Some(".txt") => Some("text/plain".to_string()),
            other => {
                let what = other.map_or("no extension".into(), |s| format!("the extension {s:?}"));
                self.warn(
                    &key,
                    n.span.clone(),
                    format!(
                        "{path:?} has {what}, which flit {} does not recognise; no \
                         Description-Content-Type is written",
                        self.profile.flit_version().unwrap_or("")
                    ),
                );
                None
            }
        };
        Some(Readme { text, content_type })
    }

    /// `license`: free text for `License:`. Folded releases may take several lines (no
    /// blank one); the others write line breaks raw, which readers misparse.
    fn old_license(&mut self, n: &Node) -> Option<String> {
        let key = format!("{TABLE}.license");
        let s = self.string(&key, n)?;
        self.license_text(&key, n, s);
        let multi_line = crate::metadata::python_splitlines(s).len() > 1;
        let raw = !self.profile.fold_multiline || self.profile.license_after_content_type;
        if multi_line && raw {
            self.warn(
                &key,
                n.span.clone(),
                format!(
                    "flit {} writes this multi-line license without continuation indents, \
                     so metadata readers take its second line as the start of the description",
                    self.profile.flit_version().unwrap_or("")
                ),
            );
        }
        Some(s.to_string())
    }

    /// `[tool.flit.scripts]` (console_scripts) and `[tool.flit.entrypoints]`, whose
    /// nested tables are flattened to dotted group names (`[entrypoints.a.b]` → `a.b`).
    fn old_entry_points(
        &mut self,
        flit: Option<&Table>,
    ) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut groups = BTreeMap::new();
        let Some(flit) = flit else {
            return groups;
        };
        if let Some(n) = flit.get("entrypoints") {
            if let Some(t) = self.table("tool.flit.entrypoints", n) {
                for e in &t.entries {
                    let key = format!("tool.flit.entrypoints.{}", quote_key(&e.key));
                    if self.table(&key, &e.node).is_some() {
                        self.flatten_group(&e.key, &key, &e.node, &mut groups);
                    }
                }
            }
        }
        if let Some(e) = flit.entry("scripts") {
            if let Some(entries) = self.string_table("tool.flit.scripts", &e.node) {
                if !entries.is_empty() {
                    if groups.contains_key("console_scripts") {
                        self.error_help(
                            "tool.flit.scripts",
                            e.key_span.clone(),
                            "console scripts are given both in [tool.flit.scripts] and in \
                             [tool.flit.entrypoints.console_scripts]",
                            "keep one of the two tables",
                        );
                    } else {
                        let g = self.entry_point_group(entries, true);
                        groups.insert("console_scripts".to_string(), g);
                    }
                }
            }
        }
        groups
    }

    fn flatten_group(
        &mut self,
        group: &str,
        key: &str,
        node: &Node,
        groups: &mut BTreeMap<String, BTreeMap<String, String>>,
    ) {
        let Value::Table(t) = &node.value else {
            return;
        };
        let mut entries = Vec::new();
        for e in &t.entries {
            let entry_key = format!("{key}.{}", quote_key(&e.key));
            match &e.node.value {
                Value::Table(_) => {
                    let sub = format!("{group}.{}", e.key);
                    self.flatten_group(&sub, &entry_key, &e.node, groups);
                }
                Value::String(s) => entries.push((
                    Located {
                        key: entry_key.clone(),
                        text: &e.key,
                        span: e.key_span.clone(),
                    },
                    Located {
                        key: entry_key,
                        text: s,
                        span: e.node.span.clone(),
                    },
                )),
                _ => self.expect_type(&entry_key, &e.node, "a string or a table"),
            }
        }
        if entries.is_empty() {
            return;
        }
        if !super::is_entry_point_group(group) {
            let span: Range<usize> = first_line(&self.doc.text, &node.span);
            self.error_help(
                key,
                span,
                format!("invalid entry-point group name {group:?}"),
                "a group is dot-separated words of letters, digits and `_`",
            );
            return;
        }
        let g = self.entry_point_group(entries, group == "console_scripts");
        groups.insert(group.to_string(), g);
    }
}

/// 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}
