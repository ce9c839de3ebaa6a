//! PEP 508 requirements. PLACEHOLDER until the parser lands.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementError {
    pub message: String,
    pub offset: usize,
}

#[derive(Clone, Debug)]
pub struct Requirement {
    pub name: String,
}

impl Requirement {
    pub fn parse(s: &str) -> Result<Requirement, RequirementError> {
        let name: String = s
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
            .collect();
        if name.is_empty() {
            return Err(RequirementError {
                message: "expected a package name".into(),
                offset: 0,
            });
        }
        Ok(Requirement { name })
    }
}

#[derive(Clone, Debug)]
pub struct SpecifierSet;

impl SpecifierSet {
    pub fn parse(_s: &str) -> Result<SpecifierSet, RequirementError> {
        Ok(SpecifierSet)
    }
}

pub fn normalize_extra(s: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in s.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    if sep {
        out.push('-');
    }
    out
}

pub fn is_valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

pub fn is_valid_extra(s: &str) -> bool {
    is_valid_name(s)
}
