//! SPDX license expressions, as `packaging.licenses.canonicalize_license_expression`. TODO.
