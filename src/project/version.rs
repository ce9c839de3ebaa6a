//! PEP 440 versions, parsed and normalised as `packaging.version.Version`. TODO (issue 4).
