//! The validated project model, built from the parsed pyproject.toml.

pub mod classifiers;
pub mod license;
pub mod pysource;
pub mod requirement;
pub mod version;
