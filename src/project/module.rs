//! Which module or package a project ships, found the way flit finds it.

use std::path::{Path, PathBuf};

/// The import package or module, located in the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Import name; dots make it a namespace package (`ns1.ns2.pkg`); may end in
    /// `-stubs` for a stub-only package.
    pub name: String,
    /// Absolute path of the package folder or the `.py` file.
    pub path: PathBuf,
    pub is_package: bool,
    /// Absolute folder that import paths are relative to: the project or its `src/`.
    pub source_dir: PathBuf,
    /// `""` or `"src"`.
    pub prefix: &'static str,
}

impl Module {
    pub fn is_stub_package(&self) -> bool {
        self.name.ends_with("-stubs")
    }

    /// The file holding the docstring: `__init__.py` of a package, or the module file.
    pub fn main_file(&self) -> PathBuf {
        if self.is_package {
            self.path.join("__init__.py")
        } else {
            self.path.clone()
        }
    }

    /// The files `__version__` is read from, later ones taking precedence (flit's order);
    /// `with_version_files`: also
    /// `__version__.py`, `_version.py` and `version.py` (flit ≥ 3.9), before `__init__.py`.
    pub fn version_files(&self, with_version_files: bool) -> Vec<PathBuf> {
        if !self.is_package {
            return vec![self.path.clone()];
        }
        if !with_version_files {
            return vec![self.path.join("__init__.py")];
        }
        let mut files: Vec<PathBuf> = ["__version__.py", "_version.py", "version.py"]
            .iter()
            .map(|f| self.path.join(f))
            .filter(|p| p.is_file())
            .collect();
        files.push(self.path.join("__init__.py"));
        files
    }

    /// Namespace packages containing the module: `a.b.c` → `a`, `a.b`.
    pub fn namespace_parents(&self) -> Vec<String> {
        let parts: Vec<&str> = self.name.split('.').collect();
        (1..parts.len()).map(|i| parts[..i].join(".")).collect()
    }

    /// Looks for `<m>/`, `<m>.py`, `src/<m>/`, `src/<m>.py` (dots as folders); exactly
    /// one must exist.
    pub fn find(root: &Path, name: &str) -> Result<Module, String> {
        let as_path = name.replace('.', "/");
        let candidates: [(PathBuf, bool, &'static str); 4] = [
            (root.join(&as_path), true, ""),
            (root.join(format!("{as_path}.py")), false, ""),
            (root.join("src").join(&as_path), true, "src"),
            (root.join("src").join(format!("{as_path}.py")), false, "src"),
        ];
        let found: Vec<&(PathBuf, bool, &'static str)> = candidates
            .iter()
            .filter(|(p, is_dir, _)| if *is_dir { p.is_dir() } else { p.is_file() })
            .collect();
        match found.as_slice() {
            [(path, _, _)] if !super::is_within(path, root) => Err(format!(
                "refusing to package module {name}: {} resolves to {}, outside the project \
                 directory",
                relative_display(root, path, path.is_dir()),
                path.canonicalize()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| "an unreadable path".into())
            )),
            [(path, is_package, prefix)] => Ok(Module {
                name: name.to_string(),
                path: path.clone(),
                is_package: *is_package,
                source_dir: if prefix.is_empty() {
                    root.to_path_buf()
                } else {
                    root.join(prefix)
                },
                prefix,
            }),
            [] => Err(format!(
                "no file or folder found for module {name}; looked for {}",
                candidates
                    .iter()
                    .map(|(p, is_dir, _)| relative_display(root, p, *is_dir))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            many => Err(format!(
                "multiple files or folders could be module {name}: {}",
                many.iter()
                    .map(|(p, is_dir, _)| relative_display(root, p, *is_dir))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

fn relative_display(root: &Path, path: &Path, is_dir: bool) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut s = rel.to_string_lossy().replace('\\', "/");
    if is_dir {
        s.push('/');
    }
    s
}
