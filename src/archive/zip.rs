//! TODO: zip writer (issue 2).
