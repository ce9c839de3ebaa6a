//! PEP 508 requirements and specifier sets, as `packaging.requirements`. TODO (issue 4).
