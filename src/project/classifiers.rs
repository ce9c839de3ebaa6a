//! Trove classifiers from a pinned `trove-classifiers` release. TODO (issue 4).
