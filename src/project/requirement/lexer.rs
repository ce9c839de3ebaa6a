//! The context-sensitive tokens of `packaging._tokenizer`, matched by hand.
//!
//! `packaging` asks "does token X match here?" rather than splitting the input up front, so
//! the cursor offers one check per token kind. Its regexes are Python `str` patterns: `\b`
//! and `\s` are Unicode-aware, and the rules below follow that.

use super::RequirementError;
use crate::project::version::is_py_space;

/// Python's `\w` (used by `\b`): alphanumerics and underscore. Rust's Unicode tables are
/// close enough: a non-ASCII word character next to a token only ever decides which error
/// is reported, never whether the input is accepted.
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn is_identifier_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// A position in the source, with token checks that never consume on failure.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    pub(crate) src: &'a str,
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(src: &'a str) -> Cursor<'a> {
        Cursor { src, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn prev(&self) -> Option<char> {
        self.src[..self.pos].chars().next_back()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.src.len()
    }

    /// Consumes `tok` if the input continues with it.
    pub(crate) fn eat(&mut self, tok: &str) -> bool {
        if self.rest().starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    /// The `WS` token, `[ \t]+`: only spaces and tabs separate requirement tokens.
    pub(crate) fn eat_ws(&mut self) -> bool {
        let n = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.pos += n;
        n > 0
    }

    /// Whether `\bWORD\b` matches here.
    pub(crate) fn keyword_at(&self, word: &str) -> bool {
        self.rest().starts_with(word)
            && !is_word(self.prev())
            && !is_word(self.src[self.pos + word.len()..].chars().next())
    }

    /// The `IDENTIFIER` token, `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`: its end, if it matches.
    /// The regex backtracks from the longest run to the first length that ends on a word
    /// boundary, so `a-` followed by a space is the identifier `a`.
    pub(crate) fn identifier_end(&self) -> Option<usize> {
        let bytes = self.rest().as_bytes();
        if !bytes.first().is_some_and(u8::is_ascii_alphanumeric) || is_word(self.prev()) {
            return None;
        }
        let run = bytes.iter().take_while(|b| is_identifier_char(**b)).count();
        (1..=run).rev().find_map(|len| {
            let before = Some(char::from(bytes[len - 1]));
            let after = self.rest()[len..].chars().next();
            (is_word(before) != is_word(after)).then_some(self.pos + len)
        })
    }

    /// The `QUOTED_STRING` token: its end (after the closing quote), if it matches.
    pub(crate) fn quoted_end(&self) -> Option<usize> {
        let quote = self.peek().filter(|q| matches!(q, '\'' | '"'))?;
        self.rest()[1..].find(quote).map(|i| self.pos + 1 + i + 1)
    }

    /// Skips Python whitespace (`\s*`), as `packaging`'s specifier regex allows after an operator.
    pub(crate) fn skip_py_space(&mut self) {
        let n = self.rest().len() - self.rest().trim_start_matches(is_py_space).len();
        self.pos += n;
    }

    /// What was found at the cursor, for messages.
    pub(crate) fn found(&self) -> String {
        match self.peek() {
            Some(c) => format!("{c:?}"),
            None => "the end".to_owned(),
        }
    }

    /// An error pointing at the cursor.
    pub(crate) fn error(&self, message: impl Into<String>) -> RequirementError {
        RequirementError {
            message: message.into(),
            offset: self.pos,
            end: self.pos,
        }
    }

    /// An error reporting what was expected here and what was found instead.
    pub(crate) fn expected(&self, what: &str) -> RequirementError {
        self.error(format!("expected {what}, found {}", self.found()))
    }
}
