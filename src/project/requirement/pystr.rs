//! Marker strings are Python string literals: `packaging` hands the quoted token to
//! `ast.literal_eval`, so escapes such as `\n`, `\x41` and `\u00e9` are decoded and a
//! backslash before the closing quote makes the literal unterminated.

/// Decodes the text between the quotes of a single-quoted (not triple-quoted, no prefix)
/// Python string literal. The error is a message and the byte offset within `body`.
pub(crate) fn decode(body: &str) -> Result<String, (String, usize)> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\0' => return Err(("a NUL character cannot appear in a string".to_owned(), at)),
            // Python reads `\r\n` and `\r` in source as line ends, which end the literal.
            '\n' | '\r' => {
                return Err((
                    "a line break cannot appear in a quoted string".to_owned(),
                    at,
                ))
            }
            '\\' => {
                let Some((_, escape)) = chars.next() else {
                    return Err((
                        "the backslash escapes the closing quote, leaving the string unterminated"
                            .to_owned(),
                        at,
                    ));
                };
                match escape {
                    // A backslash before a line end continues the literal on the next line.
                    '\n' => {}
                    '\r' => {
                        chars.next_if(|&(_, c)| c == '\n');
                    }
                    '\0' => {
                        return Err(("a NUL character cannot appear in a string".to_owned(), at))
                    }
                    '\\' | '\'' | '"' => out.push(escape),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '0'..='7' => {
                        let mut value = escape.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.next_if(|&(_, c)| c.is_digit(8)) {
                                Some((_, d)) => value = value * 8 + d.to_digit(8).unwrap_or(0),
                                None => break,
                            }
                        }
                        // At most 0o777, always a valid scalar value.
                        out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                    }
                    'x' | 'u' | 'U' => {
                        let width = match escape {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut value: u32 = 0;
                        for _ in 0..width {
                            match chars.next_if(|&(_, c)| c.is_ascii_hexdigit()) {
                                Some((_, d)) => value = value * 16 + d.to_digit(16).unwrap_or(0),
                                None => {
                                    return Err((
                                        format!(
                                            "truncated \\{escape} escape: it needs {width} hex \
                                             digits"
                                        ),
                                        at,
                                    ))
                                }
                            }
                        }
                        match char::from_u32(value) {
                            Some(c) => out.push(c),
                            // Python would build a string holding a lone surrogate, which
                            // cannot be written out as UTF-8; code points past U+10FFFF it
                            // rejects itself.
                            None => {
                                return Err((
                                    format!("\\{escape} escape is not a Unicode scalar value"),
                                    at,
                                ))
                            }
                        }
                    }
                    // Decoding `\N{name}` needs the Unicode name table, which we do not carry.
                    'N' => {
                        return Err((
                            "\\N{...} escapes are not supported in marker strings".to_owned(),
                            at,
                        ))
                    }
                    // Python keeps unknown escapes as written (with a warning).
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_python_escapes() {
        assert_eq!(decode(r"a\x41\u00e9\101\q").unwrap(), "aAéA\\q");
        assert_eq!(decode("a\\\r\nb").unwrap(), "ab");
        assert_eq!(decode(r"\0").unwrap(), "\0");
        assert!(decode("a\\").is_err());
        assert!(decode(r"\x4").is_err());
        assert!(decode(r"\ud800").is_err());
        assert!(decode("a\rb").is_err());
    }
}
