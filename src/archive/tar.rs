//! TODO: tar writer (issue 2).
