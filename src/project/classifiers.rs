//! Trove classifiers, checked against the list PyPI validates uploads with
//! (the `trove-classifiers` release [`TROVE_CLASSIFIERS_VERSION`], embedded by
//! `tools/generate_data.py`).

mod trove_data;

/// The `trove-classifiers` release the embedded list comes from.
pub const TROVE_CLASSIFIERS_VERSION: &str = trove_data::VERSION;

/// What the pinned trove list says about one classifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassifierStatus {
    /// In the list, or a `Private ::` classifier.
    Known,
    /// Deprecated; PyPI rejects it. `replacements` may be empty.
    Deprecated {
        /// The classifiers to use instead, as the trove list gives them.
        replacements: &'static [&'static str],
    },
    /// Not in the list; PyPI rejects it.
    Unknown,
}

/// Looks `classifier` up, exactly as written (classifiers are case- and
/// space-sensitive on PyPI too).
///
/// `Private ::` classifiers count as known: they are not in the list by design,
/// and a project uses one so that it builds normally but PyPI refuses to take
/// the upload (PyPI rejects every classifier starting with `Private ::`). The
/// build has no reason to complain about them.
pub fn status(classifier: &str) -> ClassifierStatus {
    if classifier.starts_with("Private ::") {
        return ClassifierStatus::Known;
    }
    if trove_data::CLASSIFIERS.binary_search(&classifier).is_ok() {
        return ClassifierStatus::Known;
    }
    match trove_data::DEPRECATED.binary_search_by(|(name, _)| name.cmp(&classifier)) {
        Ok(i) => ClassifierStatus::Deprecated {
            replacements: trove_data::DEPRECATED.get(i).map_or(&[], |(_, r)| r),
        },
        Err(_) => ClassifierStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(trove_data::CLASSIFIERS.windows(2).all(|w| w[0] < w[1]));
        assert!(trove_data::DEPRECATED.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(trove_data::CLASSIFIERS.len() > 800);
    }

    #[test]
    fn known() {
        for c in [
            "Development Status :: 4 - Beta",
            "Programming Language :: Python :: 3",
            "License :: OSI Approved :: MIT License",
            "Typing :: Typed",
            "Topic :: Software Development :: Build Tools",
        ] {
            assert_eq!(status(c), ClassifierStatus::Known, "{c}");
        }
        assert_eq!(status(trove_data::CLASSIFIERS[0]), ClassifierStatus::Known);
        let last = trove_data::CLASSIFIERS[trove_data::CLASSIFIERS.len() - 1];
        assert_eq!(status(last), ClassifierStatus::Known);
    }

    #[test]
    fn deprecated_with_and_without_replacement() {
        assert_eq!(
            status("Natural Language :: Ukranian"),
            ClassifierStatus::Deprecated {
                replacements: &["Natural Language :: Ukrainian"]
            }
        );
        assert_eq!(
            status("Topic :: Communications :: Chat :: AOL Instant Messenger"),
            ClassifierStatus::Deprecated { replacements: &[] }
        );
        // A replacement is itself a current classifier.
        assert_eq!(
            status("Natural Language :: Ukrainian"),
            ClassifierStatus::Known
        );
    }

    #[test]
    fn unknown() {
        for c in [
            "",
            "Fuzzy :: Wuzzy :: Was :: A :: Bear",
            "development status :: 4 - beta",
            "Development Status :: 4 - Beta ",
            "Development Status ::  4 - Beta",
            "Development Status",
            "Private",
            "Private: Do Not Upload",
        ] {
            assert_eq!(status(c), ClassifierStatus::Unknown, "{c:?}");
        }
    }

    #[test]
    fn private_classifiers_are_known() {
        assert_eq!(status("Private :: Do Not Upload"), ClassifierStatus::Known);
        assert_eq!(
            status("Private :: Anything at all"),
            ClassifierStatus::Known
        );
        assert_eq!(status("Private ::"), ClassifierStatus::Known);
    }

    #[test]
    fn version_is_recorded() {
        assert_eq!(TROVE_CLASSIFIERS_VERSION, "2026.9.21.13");
    }
}
