//! Environment markers, as `packaging.markers.Marker`.
//!
//! The tree keeps `packaging`'s shape (a flat list of atoms joined by `and`/`or`, with
//! parenthesised groups nested) because `str(Marker)` is defined on that shape: redundant
//! parentheses disappear, needed ones stay, and precedence is only applied on evaluation.

use std::fmt;

use super::lexer::Cursor;
use super::{canonicalize_name, pystr, RequirementError};

/// A marker variable. The dotted spellings (`os.name`) and `python_implementation` are
/// accepted and normalised, as `packaging` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerVariable {
    /// `implementation_name`
    ImplementationName,
    /// `implementation_version`
    ImplementationVersion,
    /// `os_name`
    OsName,
    /// `platform_machine`
    PlatformMachine,
    /// `platform_python_implementation`
    PlatformPythonImplementation,
    /// `platform_release`
    PlatformRelease,
    /// `platform_system`
    PlatformSystem,
    /// `platform_version`
    PlatformVersion,
    /// `python_full_version`
    PythonFullVersion,
    /// `python_version`
    PythonVersion,
    /// `sys_platform`
    SysPlatform,
    /// `extra`
    Extra,
    /// `extras`: lock files only (PEP 751); `packaging` parses it anywhere.
    Extras,
    /// `dependency_groups`: lock files only (PEP 751); `packaging` parses it anywhere.
    DependencyGroups,
}

/// Every spelling `packaging`'s `VARIABLE` token accepts, and what it means.
const SPELLINGS: &[(&str, MarkerVariable)] = &[
    ("python_version", MarkerVariable::PythonVersion),
    ("python_full_version", MarkerVariable::PythonFullVersion),
    ("os_name", MarkerVariable::OsName),
    ("os.name", MarkerVariable::OsName),
    ("sys_platform", MarkerVariable::SysPlatform),
    ("sys.platform", MarkerVariable::SysPlatform),
    ("platform_release", MarkerVariable::PlatformRelease),
    ("platform_system", MarkerVariable::PlatformSystem),
    ("platform_version", MarkerVariable::PlatformVersion),
    ("platform.version", MarkerVariable::PlatformVersion),
    ("platform_machine", MarkerVariable::PlatformMachine),
    ("platform.machine", MarkerVariable::PlatformMachine),
    (
        "platform_python_implementation",
        MarkerVariable::PlatformPythonImplementation,
    ),
    (
        "platform.python_implementation",
        MarkerVariable::PlatformPythonImplementation,
    ),
    (
        "python_implementation",
        MarkerVariable::PlatformPythonImplementation,
    ),
    ("implementation_name", MarkerVariable::ImplementationName),
    (
        "implementation_version",
        MarkerVariable::ImplementationVersion,
    ),
    ("extra", MarkerVariable::Extra),
    ("extras", MarkerVariable::Extras),
    ("dependency_groups", MarkerVariable::DependencyGroups),
];

impl MarkerVariable {
    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerVariable::ImplementationName => "implementation_name",
            MarkerVariable::ImplementationVersion => "implementation_version",
            MarkerVariable::OsName => "os_name",
            MarkerVariable::PlatformMachine => "platform_machine",
            MarkerVariable::PlatformPythonImplementation => "platform_python_implementation",
            MarkerVariable::PlatformRelease => "platform_release",
            MarkerVariable::PlatformSystem => "platform_system",
            MarkerVariable::PlatformVersion => "platform_version",
            MarkerVariable::PythonFullVersion => "python_full_version",
            MarkerVariable::PythonVersion => "python_version",
            MarkerVariable::SysPlatform => "sys_platform",
            MarkerVariable::Extra => "extra",
            MarkerVariable::Extras => "extras",
            MarkerVariable::DependencyGroups => "dependency_groups",
        }
    }

    /// Whether the variable only has a value in lock files (`extras`, `dependency_groups`),
    /// so that it does not belong in package metadata.
    pub fn is_lock_file_only(self) -> bool {
        matches!(
            self,
            MarkerVariable::Extras | MarkerVariable::DependencyGroups
        )
    }

    /// The `VARIABLE` token, `\b(...)\b`, at the cursor.
    fn at(c: &Cursor<'_>) -> Option<(usize, MarkerVariable)> {
        // Of two spellings where one extends the other (`extra`, `extras`) only one can be
        // followed by a word boundary, so the first that fits is the regex's answer.
        SPELLINGS
            .iter()
            .find(|(word, _)| c.keyword_at(word))
            .map(|(word, var)| (word.len(), *var))
    }
}

impl fmt::Display for MarkerVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MarkerValue {
    /// An environment variable.
    Variable(MarkerVariable),
    /// A quoted string, decoded (Python escapes applied). Strings compared with `extra`, or
    /// tested for membership in `extras`/`dependency_groups`, are held normalised.
    Literal(String),
}

impl fmt::Display for MarkerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkerValue::Variable(v) => v.fmt(f),
            // Parsing refused strings holding both quote characters.
            MarkerValue::Literal(s) if s.contains('"') => write!(f, "'{s}'"),
            MarkerValue::Literal(s) => write!(f, "\"{s}\""),
        }
    }
}

/// A comparison operator in a marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerOperator {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
    /// `~=`
    Compatible,
    /// `===`
    ArbitraryEqual,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl MarkerOperator {
    /// The operator as `packaging` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerOperator::Equal => "==",
            MarkerOperator::NotEqual => "!=",
            MarkerOperator::Less => "<",
            MarkerOperator::LessEqual => "<=",
            MarkerOperator::Greater => ">",
            MarkerOperator::GreaterEqual => ">=",
            MarkerOperator::Compatible => "~=",
            MarkerOperator::ArbitraryEqual => "===",
            MarkerOperator::In => "in",
            MarkerOperator::NotIn => "not in",
        }
    }
}

impl fmt::Display for MarkerOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `lhs op rhs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MarkerItem {
    /// Left side.
    pub lhs: MarkerValue,
    /// Operator.
    pub op: MarkerOperator,
    /// Right side.
    pub rhs: MarkerValue,
}

impl fmt::Display for MarkerItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.lhs, self.op, self.rhs)
    }
}

/// `and` or `or`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    /// `and`, which binds tighter.
    And,
    /// `or`
    Or,
}

impl BoolOp {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            BoolOp::And => "and",
            BoolOp::Or => "or",
        }
    }
}

/// A comparison or a parenthesised sub-expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MarkerAtom {
    /// A comparison.
    Item(MarkerItem),
    /// `( ... )` as written.
    Group(MarkerList),
}

/// `atom (op atom)*` as written, without precedence applied: `ops[i]` joins `atoms[i]` and
/// `atoms[i + 1]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MarkerList {
    /// At least one.
    pub atoms: Vec<MarkerAtom>,
    /// One fewer than `atoms`.
    pub ops: Vec<BoolOp>,
}

impl MarkerList {
    /// `packaging.markers._format_marker`: a list of one is printed as its only atom, and a
    /// longer list gets parentheses unless it is the outermost.
    fn write(&self, out: &mut String, outermost: bool) {
        if let [only] = self.atoms.as_slice() {
            write_atom(only, out, outermost);
            return;
        }
        if !outermost {
            out.push('(');
        }
        for (i, atom) in self.atoms.iter().enumerate() {
            if i > 0 {
                out.push(' ');
                out.push_str(self.ops.get(i - 1).map_or("and", |op| op.as_str()));
                out.push(' ');
            }
            write_atom(atom, out, false);
        }
        if !outermost {
            out.push(')');
        }
    }

    fn visit_items<'a>(&'a self, f: &mut dyn FnMut(&'a MarkerItem)) {
        for atom in &self.atoms {
            match atom {
                MarkerAtom::Item(item) => f(item),
                MarkerAtom::Group(list) => list.visit_items(f),
            }
        }
    }
}

fn write_atom(atom: &MarkerAtom, out: &mut String, outermost: bool) {
    match atom {
        MarkerAtom::Item(item) => out.push_str(&item.to_string()),
        MarkerAtom::Group(list) => list.write(out, outermost),
    }
}

/// A parsed marker expression. `Display` matches `str(packaging.markers.Marker(s))`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Marker {
    list: MarkerList,
}

impl Marker {
    /// Parses a marker expression as `packaging.markers.Marker(s)` does.
    pub fn parse(s: &str) -> Result<Marker, RequirementError> {
        let mut c = Cursor::new(s);
        let marker = parse_marker(&mut c)?;
        if !c.at_end() {
            return Err(c.expected("'and', 'or' or the end of the marker expression"));
        }
        Ok(marker)
    }

    /// The expression tree.
    pub fn tree(&self) -> &MarkerList {
        &self.list
    }

    /// Every comparison, left to right.
    pub fn items(&self) -> Vec<&MarkerItem> {
        let mut items = Vec::new();
        self.list.visit_items(&mut |item| items.push(item));
        items
    }

    /// The variables used, left to right (repeats included).
    pub fn variables(&self) -> Vec<MarkerVariable> {
        let mut vars = Vec::new();
        for item in self.items() {
            for side in [&item.lhs, &item.rhs] {
                if let MarkerValue::Variable(v) = side {
                    vars.push(*v);
                }
            }
        }
        vars
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.list.write(&mut out, true);
        f.write_str(&out)
    }
}

/// `marker = atom (BOOLOP atom)*`; the cursor is left after any trailing whitespace.
pub(crate) fn parse_marker(c: &mut Cursor<'_>) -> Result<Marker, RequirementError> {
    Ok(Marker {
        list: parse_list(c, 0)?,
    })
}

/// Nesting beyond this is refused rather than risking the stack on hostile input.
/// `packaging` itself gives up (RecursionError) somewhere past 300 levels.
const MAX_DEPTH: usize = 200;

fn parse_list(c: &mut Cursor<'_>, depth: usize) -> Result<MarkerList, RequirementError> {
    let mut list = MarkerList {
        atoms: vec![parse_atom(c, depth)?],
        ops: Vec::new(),
    };
    loop {
        let op = if c.keyword_at("or") {
            BoolOp::Or
        } else if c.keyword_at("and") {
            BoolOp::And
        } else {
            return Ok(list);
        };
        c.pos += op.as_str().len();
        list.ops.push(op);
        list.atoms.push(parse_atom(c, depth)?);
    }
}

fn parse_atom(c: &mut Cursor<'_>, depth: usize) -> Result<MarkerAtom, RequirementError> {
    c.eat_ws();
    let atom = if c.rest().starts_with('(') {
        if depth >= MAX_DEPTH {
            return Err(c.error(format!(
                "marker expression nests parentheses more than {MAX_DEPTH} deep"
            )));
        }
        let open = c.pos;
        c.pos += 1;
        c.eat_ws();
        let list = parse_list(c, depth + 1)?;
        c.eat_ws();
        if !c.eat(")") {
            return Err(c.expected(&format!(
                "'and', 'or' or ')' to close the '(' at byte {open}"
            )));
        }
        MarkerAtom::Group(list)
    } else {
        MarkerAtom::Item(parse_item(c)?)
    };
    c.eat_ws();
    Ok(atom)
}

fn parse_item(c: &mut Cursor<'_>) -> Result<MarkerItem, RequirementError> {
    c.eat_ws();
    let lhs = parse_value(c)?;
    c.eat_ws();
    let op = parse_op(c)?;
    c.eat_ws();
    let rhs = parse_value(c)?;
    c.eat_ws();
    Ok(normalize_extras(MarkerItem { lhs, op, rhs }))
}

fn parse_value(c: &mut Cursor<'_>) -> Result<MarkerValue, RequirementError> {
    if let Some((len, var)) = MarkerVariable::at(c) {
        c.pos += len;
        return Ok(MarkerValue::Variable(var));
    }
    let Some(end) = c.quoted_end() else {
        let mut e = c.expected("a marker variable (such as python_version) or a quoted string");
        if matches!(c.peek(), Some('\'' | '"')) {
            e.message = "quoted string has no closing quote".to_owned();
        }
        return Err(e);
    };
    let start = c.pos;
    let body = &c.src[start + 1..end - 1];
    let value = pystr::decode(body).map_err(|(message, rel)| RequirementError {
        message: format!("invalid quoted string: {message}"),
        offset: start + 1 + rel,
        end,
    })?;
    if value.contains('"') && value.contains('\'') {
        return Err(RequirementError {
            message: "a marker string cannot hold both quote characters: it could not be \
                      written back out"
                .to_owned(),
            offset: start,
            end,
        });
    }
    c.pos = end;
    Ok(MarkerValue::Literal(value))
}

fn parse_op(c: &mut Cursor<'_>) -> Result<MarkerOperator, RequirementError> {
    if c.keyword_at("in") {
        c.pos += 2;
        return Ok(MarkerOperator::In);
    }
    if c.keyword_at("not") {
        c.pos += 3;
        if !c.eat_ws() {
            return Err(c.expected("whitespace after 'not'"));
        }
        if !c.keyword_at("in") {
            return Err(c.expected("'in' after 'not'"));
        }
        c.pos += 2;
        return Ok(MarkerOperator::NotIn);
    }
    const OPS: [(&str, MarkerOperator); 8] = [
        ("===", MarkerOperator::ArbitraryEqual),
        ("==", MarkerOperator::Equal),
        ("~=", MarkerOperator::Compatible),
        ("!=", MarkerOperator::NotEqual),
        ("<=", MarkerOperator::LessEqual),
        (">=", MarkerOperator::GreaterEqual),
        ("<", MarkerOperator::Less),
        (">", MarkerOperator::Greater),
    ];
    for (text, op) in OPS {
        if c.eat(text) {
            return Ok(op);
        }
    }
    Err(c.expected("a marker operator (one of == != < <= > >= ~= === in, not in)"))
}

/// PEP 685 (and PEP 735): `packaging` normalises the string compared with `extra`, and the
/// one tested for membership in `extras` or `dependency_groups`, when it parses the marker.
fn normalize_extras(mut item: MarkerItem) -> MarkerItem {
    use MarkerValue::{Literal, Variable};
    match (&mut item.lhs, &mut item.rhs) {
        (Variable(MarkerVariable::Extra), Literal(s))
        | (Literal(s), Variable(MarkerVariable::Extra))
        | (Literal(s), Variable(MarkerVariable::Extras | MarkerVariable::DependencyGroups)) => {
            *s = canonicalize_name(s)
        }
        _ => {}
    }
    item
}

#[cfg(test)]
mod tests {
    use super::Marker;

    fn norm(s: &str) -> String {
        Marker::parse(s)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {}", e.message))
    }

    #[test]
    fn displays_like_packaging() {
        assert_eq!(
            norm("python_version<'3' or (os_name=='a' and (extra=='B' or extra == 'C'))"),
            r#"python_version < "3" or (os_name == "a" and (extra == "b" or extra == "c"))"#
        );
        assert_eq!(
            norm("(python_version<'3') and (os_name=='a')"),
            r#"python_version < "3" and os_name == "a""#
        );
        assert_eq!(norm("((os.name == 'x'))"), r#"os_name == "x""#);
        assert_eq!(norm("'Foo' in extras"), r#""foo" in extras"#);
        assert_eq!(norm("extras == 'Foo'"), r#"extras == "Foo""#);
        assert_eq!(norm("os_name not \t in 'a\"'"), r#"os_name not in 'a"'"#);
        assert!(norm("os_name == '\\x22\\x27'").starts_with("error"));
        assert!(norm("os_name=='a'\n").starts_with("error"));
    }

    #[test]
    fn bounds_nesting_instead_of_overflowing() {
        let nested = |n: usize| format!("{}os_name == 'a'{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(norm(&nested(super::MAX_DEPTH)), r#"os_name == "a""#);
        assert!(norm(&nested(super::MAX_DEPTH + 1)).starts_with("error"));
        assert!(norm(&"(".repeat(100_000)).starts_with("error"));
    }
}
