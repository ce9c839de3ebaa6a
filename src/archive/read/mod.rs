//! Readers for what the writers produce, for checking published artifacts: a gzip reader
//! (with deflate-level detection), a tar reader and a zip reader, all working on in-memory
//! input that may come from anywhere. They never panic, bound what they allocate, and
//! refuse anything other tools could read differently; [`safety`] decides whether a
//! member list can be extracted without leaving the destination folder.
//!
//! Deflate decoding is [`crate::archive::inflate`].

pub mod gzip;
pub mod safety;
pub mod tar;
pub mod zip;
