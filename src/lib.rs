//! forge_backend: a PEP 517 build backend for pure-Python projects.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//! `pyproject` (TOML with spans) → `project` (validated model) → `layout` (which files go
//! where) → `metadata` (METADATA/PKG-INFO, WHEEL, RECORD, entry points) → `archive`
//! (deflate, zip, tar, gzip) → `wheel` / `sdist` / `editable`. `cli` stays thin.

pub mod archive;
pub mod build;
pub mod cli;
pub mod diagnostic;
pub mod editable;
pub mod layout;
pub mod metadata;
pub mod profile;
pub mod project;
pub mod pyproject;
pub mod sdist;
pub mod timestamp;
pub mod verify;
pub mod wheel;
