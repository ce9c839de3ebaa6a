//! SPDX license expressions. PLACEHOLDER until the validator lands.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseExpression {
    pub normalized: String,
    pub deprecated_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseError {
    pub message: String,
    pub offset: Option<usize>,
}

pub fn canonicalize(expr: &str) -> Result<LicenseExpression, LicenseError> {
    Ok(LicenseExpression {
        normalized: expr.split_whitespace().collect::<Vec<_>>().join(" "),
        deprecated_ids: vec![],
    })
}

pub fn flit_canonicalize(expr: &str) -> Result<String, LicenseError> {
    canonicalize(expr).map(|e| e.normalized)
}
