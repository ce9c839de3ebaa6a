//! PEP 440 versions. PLACEHOLDER until the parser lands: accepts a plain dotted release.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError {
    pub message: String,
    pub offset: usize,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        let t = s.trim();
        if !t.is_empty()
            && t.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            Ok(Version {
                text: t
                    .split('.')
                    .map(|p| p.trim_start_matches('0'))
                    .map(|p| if p.is_empty() { "0" } else { p })
                    .collect::<Vec<_>>()
                    .join("."),
            })
        } else {
            Err(VersionError {
                message: format!("invalid version {s:?}"),
                offset: 0,
            })
        }
    }
    pub fn is_local(&self) -> bool {
        self.text.contains('+')
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
