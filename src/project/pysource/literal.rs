//! Values of string literals (every Python 3 escape) and a few facts about number literals.

use super::lexer::StrLit;
use super::Fail;

/// A literal's decoded code units: characters (which in Python may be lone surrogates) for
/// `str`, byte values for `bytes`.
pub(super) struct Units {
    pub units: Vec<u32>,
    /// Where the first `\N{...}` escape is: its value needs the Unicode name database.
    pub named_escape: Option<usize>,
}

/// Fails where CPython's parser would, when it decodes the literal.
pub(super) fn validate(s: &[char], lit: &StrLit) -> Result<(), Fail> {
    units(s, lit).map(drop)
}

/// Decodes a literal body like CPython's `unicode_escape`/`bytes` escape decoders.
pub(super) fn units(s: &[char], lit: &StrLit) -> Result<Units, Fail> {
    let (start, end) = lit.body;
    let body = &s[start..end];
    let mut out = Units {
        units: Vec::with_capacity(body.len()),
        named_escape: None,
    };
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if lit.bytes && !c.is_ascii() {
            return Err(Fail::syntax(
                start + i,
                "bytes can only contain ASCII literal characters",
            ));
        }
        if c != '\\' || lit.raw {
            out.units.push(u32::from(c));
            i += 1;
            continue;
        }
        let at = start + i;
        // The tokenizer never ends a body with a lone backslash.
        let Some(&e) = body.get(i + 1) else {
            return Err(Fail::syntax(at, "trailing backslash in string literal"));
        };
        i += 2;
        let simple = match e {
            '\n' => Some(None),
            '\\' | '\'' | '"' => Some(Some(u32::from(e))),
            'a' => Some(Some(7)),
            'b' => Some(Some(8)),
            'f' => Some(Some(12)),
            'n' => Some(Some(10)),
            'r' => Some(Some(13)),
            't' => Some(Some(9)),
            'v' => Some(Some(11)),
            _ => None,
        };
        if let Some(unit) = simple {
            out.units.extend(unit);
            continue;
        }
        match e {
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match body.get(i).and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                // `b"\777"` keeps the low byte, as CPython's C code does.
                out.units.push(if lit.bytes { value & 0xff } else { value });
            }
            'x' => out.units.push(hex_escape(body, &mut i, 2, at, "\\xXX")?),
            'u' if !lit.bytes => out.units.push(hex_escape(body, &mut i, 4, at, "\\uXXXX")?),
            'U' if !lit.bytes => {
                let value = hex_escape(body, &mut i, 8, at, "\\UXXXXXXXX")?;
                if value > 0x10ffff {
                    return Err(Fail::syntax(at, "illegal Unicode character"));
                }
                out.units.push(value);
            }
            'N' if !lit.bytes => {
                let close = (body.get(i) == Some(&'{'))
                    .then(|| body[i..].iter().position(|&c| c == '}'))
                    .flatten();
                match close {
                    // `{` and `}` around at least one character.
                    Some(k) if k > 1 => {
                        out.named_escape.get_or_insert(at);
                        // Keep a placeholder so lengths stay meaningful; never shown as a value.
                        out.units.push(0xfffd);
                        i += k + 1;
                    }
                    _ => return Err(Fail::syntax(at, "malformed \\N character escape")),
                }
            }
            _ => {
                // An unknown escape is kept as written (a warning in Python, not an error).
                out.units.push(u32::from('\\'));
                out.units.push(u32::from(e));
            }
        }
    }
    Ok(out)
}

fn hex_escape(
    body: &[char],
    i: &mut usize,
    count: usize,
    at: usize,
    form: &str,
) -> Result<u32, Fail> {
    let mut value = 0u32;
    for _ in 0..count {
        match body.get(*i).and_then(|c| c.to_digit(16)) {
            Some(d) => {
                value = value * 16 + d;
                *i += 1;
            }
            None => return Err(Fail::syntax(at, format!("truncated {form} escape"))),
        }
    }
    Ok(value)
}

/// The `str` value of decoded units, or why it cannot be a Rust string.
pub(super) fn to_string(units: &Units, at: usize) -> Result<String, Fail> {
    if let Some(escape) = units.named_escape {
        return Err(Fail::unsupported(
            escape,
            "\\N{...} escapes are not supported (they need the Unicode name database); \
             write the character itself",
        ));
    }
    units
        .units
        .iter()
        .map(|&u| char::from_u32(u))
        .collect::<Option<String>>()
        .ok_or_else(|| {
            Fail::unsupported(
                at,
                "the string contains a lone surrogate, which has no UTF-8 form",
            )
        })
}

/// Whether an int literal (`0x_0`, `00`, `1_000`) is not zero.
pub(super) fn int_is_nonzero(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let digits = ["0x", "0o", "0b"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    digits.chars().any(|c| c != '0' && c != '_')
}

/// Whether a float literal is not zero once rounded to a double (`1e-400` is zero).
pub(super) fn float_is_nonzero(text: &str) -> bool {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.parse::<f64>() {
        Ok(v) => v != 0.0,
        // Not expected for tokenizer-approved text; judge by the digits before any exponent.
        Err(_) => clean
            .split(['e', 'E'])
            .next()
            .is_some_and(|m| m.chars().any(|c| c.is_ascii_digit() && c != '0')),
    }
}
