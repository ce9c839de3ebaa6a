//! TODO: gzip writer (issue 2).
