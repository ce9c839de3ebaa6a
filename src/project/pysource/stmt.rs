//! Logical lines to the two facts flit wants, plus the statement-level checks that keep us from
//! answering for source that `ast.parse` rejects.
//!
//! A logical line at indentation level 0 that does not open a compound statement holds
//! top-level simple statements, separated by `;`. Of those we recognise assignments (split at
//! `=` signs outside brackets and lambda parameter lists), annotated assignments, and constant
//! expressions; anything else is some other statement.

use super::lexer::{StrLit, Tok, Token};
use super::nfkc::{self, NameMatch};
use super::{literal, Constant, Fail, VersionRule};

/// A constant expression's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// Implicitly concatenated `str` literals.
    Str(Vec<StrLit>),
    /// Implicitly concatenated `bytes` literals.
    Bytes(Vec<StrLit>),
    Number(String),
    Bool(bool),
    None,
    Ellipsis,
}

pub(super) struct Found {
    /// The string parts of a docstring.
    pub docstring: Option<Vec<StrLit>>,
    /// The value of the first assignment to `__version__` that the rule accepts.
    pub version: Option<Value>,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Keywords that open a compound statement; `@` (decorators) does too.
const COMPOUND: &[&str] = &[
    "if", "while", "for", "try", "with", "def", "class", "async", "elif", "else", "except",
    "finally",
];

pub(super) fn analyse(tokens: &[Token], rule: VersionRule) -> Result<Found, Fail> {
    check_string_mixing(tokens)?;
    let mut found = Found {
        docstring: None,
        version: None,
    };
    let mut level = 0usize;
    let mut expect_block = false;
    let mut first = true;
    let mut i = 0;
    while i < tokens.len() {
        let mut indented = false;
        while let Some(t) = tokens.get(i) {
            match t.tok {
                Tok::Indent => {
                    level += 1;
                    indented = true;
                }
                Tok::Dedent => level = level.saturating_sub(1),
                _ => break,
            }
            i += 1;
        }
        let start = i;
        while tokens.get(i).is_some_and(|t| t.tok != Tok::Newline) {
            i += 1;
        }
        let line = &tokens[start..i.min(tokens.len())];
        i += 1;
        let Some(head) = line.first() else { continue };
        // Only a block header (a line ending in `:`) may be followed by, and must be followed
        // by, an indented block.
        if indented != expect_block {
            let message = if indented {
                "unexpected indent"
            } else {
                "expected an indented block"
            };
            return Err(Fail::syntax(head.start, message));
        }
        expect_block = line.last().is_some_and(|t| t.tok == Tok::Op(":"));
        if opens_compound(line) {
            first = false;
            continue;
        }
        let statements = split_semicolons(line)?;
        if first {
            first = false;
            if let Some(Value::Str(parts)) = statements.first().and_then(|s| constant(s)) {
                found.docstring = Some(parts);
            }
        }
        for statement in statements {
            let assigned = assignment(statement)?;
            if level == 0 && found.version.is_none() {
                found.version = assigned
                    .filter(|(form, value)| rule.accepts(*form, value))
                    .map(|(_, value)| value);
            }
        }
    }
    if expect_block {
        let end = tokens.last().map_or(0, |t| t.start);
        return Err(Fail::syntax(end, "expected an indented block"));
    }
    Ok(found)
}

/// The `str` value of concatenated literals.
pub(super) fn string_value(chars: &[char], parts: &[StrLit]) -> Result<String, Fail> {
    let mut out = String::new();
    for lit in parts {
        let units = literal::units(chars, lit)?;
        out.push_str(&literal::to_string(&units, lit.body.0)?);
    }
    Ok(out)
}

pub(super) fn constant_value(chars: &[char], value: &Value) -> Result<Constant, Fail> {
    Ok(match value {
        Value::Str(parts) => Constant::Str(string_value(chars, parts)?),
        Value::Bytes(parts) => {
            let mut out = Vec::new();
            for lit in parts {
                // Byte literals decode to values below 256 by construction.
                out.extend(
                    literal::units(chars, lit)?
                        .units
                        .iter()
                        .map(|&u| u8::try_from(u).unwrap_or(u8::MAX)),
                );
            }
            Constant::Bytes(out)
        }
        Value::Number(text) => {
            let lower = text.to_ascii_lowercase();
            if lower.ends_with('j') {
                Constant::Complex(text.clone())
            } else if lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b")
            {
                Constant::Int(text.clone())
            } else if lower.contains(['.', 'e']) {
                Constant::Float(text.clone())
            } else {
                Constant::Int(text.clone())
            }
        }
        Value::Bool(b) => Constant::Bool(*b),
        Value::None => Constant::None,
        Value::Ellipsis => Constant::Ellipsis,
    })
}

fn name(t: &Token) -> Option<&str> {
    match &t.tok {
        Tok::Name(n) => Some(n),
        _ => None,
    }
}

fn is_op(t: &Token, op: &str) -> bool {
    matches!(t.tok, Tok::Op(o) if o == op)
}

fn is_identifier(t: &Token) -> bool {
    name(t).is_some_and(|n| !KEYWORDS.contains(&n))
}

fn opens_compound(line: &[Token]) -> bool {
    line.first()
        .is_some_and(|t| is_op(t, "@") || name(t).is_some_and(|n| COMPOUND.contains(&n)))
}

/// +1 for an opening bracket, -1 for a closing one.
fn bracket(t: &Token) -> i32 {
    match t.tok {
        Tok::Op("(" | "[" | "{") => 1,
        Tok::Op(")" | "]" | "}") => -1,
        _ => 0,
    }
}

/// CPython refuses `"a" b"b"`, also when an f-string is involved.
fn check_string_mixing(tokens: &[Token]) -> Result<(), Fail> {
    let mut run: Option<bool> = None;
    for t in tokens {
        let bytes = match &t.tok {
            Tok::Str(lit) => lit.bytes,
            Tok::FStr => false,
            _ => {
                run = None;
                continue;
            }
        };
        match run {
            Some(b) if b != bytes => {
                return Err(Fail::syntax(
                    t.start,
                    "cannot mix bytes and nonbytes literals",
                ));
            }
            _ => run = Some(bytes),
        }
    }
    Ok(())
}

/// Splits a logical line into simple statements. Only a final `;` may leave nothing after it.
fn split_semicolons(line: &[Token]) -> Result<Vec<&[Token]>, Fail> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut from = 0;
    for (k, t) in line.iter().enumerate() {
        depth += bracket(t);
        if is_op(t, ";") {
            if depth != 0 || k == from {
                return Err(Fail::syntax(t.start, "invalid syntax"));
            }
            out.push(&line[from..k]);
            from = k + 1;
        }
    }
    if from < line.len() || out.is_empty() {
        out.push(&line[from..]);
    }
    Ok(out)
}

/// Splits at `=` outside brackets and outside lambda parameter lists (`lambda x=1: x`).
fn split_assign(statement: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut lambdas = 0;
    let mut from = 0;
    for (k, t) in statement.iter().enumerate() {
        depth += bracket(t);
        if depth != 0 {
            continue;
        }
        if name(t) == Some("lambda") {
            lambdas += 1;
        } else if is_op(t, ":") && lambdas > 0 {
            lambdas -= 1;
        } else if is_op(t, "=") && lambdas == 0 {
            out.push(&statement[from..k]);
            from = k + 1;
        }
    }
    out.push(&statement[from..]);
    out
}

/// The `:` of an annotated assignment, if the first part has one.
fn annotation_colon(target: &[Token]) -> Option<usize> {
    let mut depth = 0;
    let mut lambdas = 0;
    for (k, t) in target.iter().enumerate() {
        depth += bracket(t);
        if depth != 0 {
            continue;
        }
        if name(t) == Some("lambda") {
            lambdas += 1;
        } else if is_op(t, ":") {
            if lambdas == 0 {
                return Some(k);
            }
            lambdas -= 1;
        }
    }
    None
}

/// What a simple statement assigns to `__version__`, if it is such an assignment with a
/// constant value. Fails on assignments Python rejects.
fn assignment(statement: &[Token]) -> Result<Option<(Form, Value)>, Fail> {
    // PEP 695 `type X = ...` is a TypeAlias, not an Assign.
    if let [first, second, ..] = statement {
        if name(first) == Some("type") && name(second).is_some() {
            return Ok(None);
        }
    }
    let parts = split_assign(statement);
    if parts.len() < 2 {
        return Ok(None);
    }
    let at = statement.first().map_or(0, |t| t.start);
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Fail::syntax(at, "invalid syntax"));
    }
    let (value, targets) = match parts.split_last() {
        Some(split) => split,
        None => return Ok(None),
    };
    let mut is_version = false;
    let form = if annotation_colon(parts[0]).is_some() {
        Form::Annotated
    } else if targets.len() == 1 {
        Form::Plain
    } else {
        Form::Chained
    };
    if let Some(colon) = annotation_colon(parts[0]) {
        let (target, annotation) = (&parts[0][..colon], &parts[0][colon + 1..]);
        if parts.len() != 2 || annotation.is_empty() || !single_target(target) {
            return Err(Fail::syntax(at, "invalid syntax"));
        }
        is_version = version_name(target)?;
    } else {
        for target in targets {
            if !star_targets(target) {
                return Err(Fail::syntax(
                    target.first().map_or(at, |t| t.start),
                    "cannot assign to expression",
                ));
            }
            is_version |= version_name(target)?;
        }
    }
    Ok(if is_version {
        constant(value).map(|v| (form, v))
    } else {
        None
    })
}

/// The shape of an assignment to `__version__`, which decides whether a flit release's
/// AST reading sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `__version__ = ...`: one target.
    Plain,
    /// `a = __version__ = ...`.
    Chained,
    /// `__version__: T = ...`.
    Annotated,
}

impl VersionRule {
    fn accepts(&self, form: Form, value: &Value) -> bool {
        let form_ok = match form {
            Form::Plain => true,
            Form::Chained => self.chained,
            Form::Annotated => self.annotated,
        };
        form_ok && (self.any_constant || matches!(value, Value::Str(_)))
    }
}

/// Whether a target is the name `__version__`, possibly parenthesised (still an `ast.Name`).
fn version_name(target: &[Token]) -> Result<bool, Fail> {
    match strip_parens(target) {
        [t] => match name(t).map(nfkc::is_version) {
            Some(NameMatch::Yes) => Ok(true),
            Some(NameMatch::BadStart) => {
                Err(Fail::syntax(t.start, "invalid character in identifier"))
            }
            _ => Ok(false),
        },
        _ => Ok(false),
    }
}

/// The tokens form an `ast.Constant`: literals only, maybe in redundant parentheses.
fn constant(tokens: &[Token]) -> Option<Value> {
    let inner = strip_parens(tokens);
    let first = inner.first()?;
    if let Tok::Str(lit) = first.tok {
        let mut parts = Vec::new();
        for t in inner {
            match t.tok {
                Tok::Str(lit) => parts.push(lit),
                // An f-string makes the whole concatenation a JoinedStr.
                _ => return None,
            }
        }
        return Some(if lit.bytes {
            Value::Bytes(parts)
        } else {
            Value::Str(parts)
        });
    }
    if inner.len() != 1 {
        return None;
    }
    match &first.tok {
        Tok::Number(text) => Some(Value::Number(text.clone())),
        Tok::Name(n) if n == "True" => Some(Value::Bool(true)),
        Tok::Name(n) if n == "False" => Some(Value::Bool(false)),
        Tok::Name(n) if n == "None" => Some(Value::None),
        Tok::Op("...") => Some(Value::Ellipsis),
        _ => None,
    }
}

/// Removes parentheses that enclose the whole slice.
fn strip_parens(mut tokens: &[Token]) -> &[Token] {
    while let Some(inner) = group(tokens, "(") {
        if inner.is_empty() {
            break;
        }
        tokens = inner;
    }
    tokens
}

/// The inside of `tokens` when they are exactly one bracketed group opened by `open`.
fn group<'t>(tokens: &'t [Token], open: &str) -> Option<&'t [Token]> {
    let first = tokens.first()?;
    if !is_op(first, open) {
        return None;
    }
    let close = matching(tokens, 0)?;
    (close == tokens.len() - 1).then(|| &tokens[1..close])
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        depth += bracket(t);
        if depth == 0 {
            return Some(k);
        }
    }
    None
}

fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut from = 0;
    for (k, t) in tokens.iter().enumerate() {
        depth += bracket(t);
        if depth == 0 && is_op(t, ",") {
            out.push(&tokens[from..k]);
            from = k + 1;
        }
    }
    out.push(&tokens[from..]);
    out
}

/// `star_targets` of the grammar: targets separated by commas, any of them starred (`*a = x`
/// parses; only the compiler rejects it).
fn star_targets(tokens: &[Token]) -> bool {
    let items = split_commas(tokens);
    let last = items.len() - 1;
    items.iter().enumerate().all(|(k, item)| match item {
        // Only a trailing comma after at least one item.
        [] => k == last && k > 0,
        [star, rest @ ..] if is_op(star, "*") => {
            rest.first().is_some_and(|t| !is_op(t, "*")) && target(rest)
        }
        _ => target(item),
    })
}

/// `target_with_star_atom`: a name, a tuple or list of targets, an attribute or a subscript.
fn target(tokens: &[Token]) -> bool {
    if let Some(inner) = group(tokens, "(") {
        return inner.is_empty()
            || if split_commas(inner).len() > 1 {
                star_targets(inner)
            } else {
                target(inner)
            };
    }
    if let Some(inner) = group(tokens, "[") {
        return inner.is_empty() || star_targets(inner);
    }
    attribute_or_subscript(tokens)
}

/// What an annotated assignment allows: a name, an attribute or a subscript, maybe in
/// parentheses; never a tuple or a starred item.
fn single_target(tokens: &[Token]) -> bool {
    if let Some(inner) = group(tokens, "(") {
        return !inner.is_empty() && single_target(inner);
    }
    attribute_or_subscript(tokens)
}

/// A bare identifier, or an atom with trailers ending in `.name` or `[...]`.
fn attribute_or_subscript(tokens: &[Token]) -> bool {
    if let [t] = tokens {
        return is_identifier(t);
    }
    let Some(mut i) = atom_end(tokens) else {
        return false;
    };
    let mut assignable = false;
    while i < tokens.len() {
        let t = &tokens[i];
        if is_op(t, ".") {
            if !tokens.get(i + 1).is_some_and(is_identifier) {
                return false;
            }
            i += 2;
            assignable = true;
        } else if is_op(t, "(") || is_op(t, "[") {
            let Some(close) = matching(tokens, i) else {
                return false;
            };
            assignable = is_op(t, "[");
            i = close + 1;
        } else {
            return false;
        }
    }
    assignable
}

/// Where the atom at the start of `tokens` ends.
fn atom_end(tokens: &[Token]) -> Option<usize> {
    let first = tokens.first()?;
    match &first.tok {
        Tok::Name(n) => (!KEYWORDS.contains(&n.as_str())
            || ["True", "False", "None"].contains(&n.as_str()))
        .then_some(1),
        Tok::Number(_) | Tok::Op("...") => Some(1),
        Tok::Str(_) | Tok::FStr => Some(
            tokens
                .iter()
                .take_while(|t| matches!(t.tok, Tok::Str(_) | Tok::FStr))
                .count(),
        ),
        Tok::Op("(" | "[" | "{") => matching(tokens, 0).map(|close| close + 1),
        _ => None,
    }
}
