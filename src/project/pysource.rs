//! Python source facts. PLACEHOLDER until the tokenizer lands: finds only the simplest
//! `__version__ = "..."` line and a one-line `"""docstring"""`.

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Str(String),
    Bytes(Vec<u8>),
    Int(String),
    Float(String),
    Complex(String),
    Bool(bool),
    None,
    Ellipsis,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleFacts {
    pub docstring: Option<String>,
    pub version: Option<Constant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PySourceError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

pub fn read_module_facts(source: &[u8]) -> Result<ModuleFacts, PySourceError> {
    let text = String::from_utf8_lossy(source);
    let mut facts = ModuleFacts::default();
    for line in text.lines() {
        if facts.docstring.is_none()
            && line.starts_with("\"\"\"")
            && line.len() > 6
            && line.ends_with("\"\"\"")
        {
            facts.docstring = Some(line[3..line.len() - 3].trim().to_string());
        }
        if let Some(rest) = line.strip_prefix("__version__ = ") {
            if facts.version.is_none() {
                facts.version = Some(Constant::Str(
                    rest.trim()
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_string(),
                ));
            }
        }
    }
    Ok(facts)
}
