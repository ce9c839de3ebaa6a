//! Whether a non-ASCII identifier means `__version__`.
//!
//! CPython's parser NFKC-normalises identifiers that contain non-ASCII characters, so
//! `_＿ｖｅｒｓｉｏｎ＿＿` *is* `__version__`. Carrying NFKC would mean carrying most of the
//! Unicode database; we only need to know which characters normalise to text made of the
//! letters of `__version__`. A string whose every character normalises to ASCII is already in
//! NFKC once concatenated (nothing composes with ASCII into ASCII), so checking character by
//! character is exact.

/// Every non-ASCII identifier character whose NFKC form consists of `_`, `v`, `e`, `r`, `s`,
/// `i`, `o`, `n` only, with that form and whether it may start an identifier. Generated from
/// Unicode 14 (CPython 3.11) with
/// `[c for c in map(chr, range(0x80, 0x110000)) if set(nfkc(c) or '?') <= set('_version')
/// and ('a' + c).isidentifier()]`; NFKC stability means later versions only add characters.
const TABLE: &[(char, &str, bool)] = &[
    ('\u{ba}', "o", true),
    ('\u{17f}', "s", true),
    ('\u{2b3}', "r", true),
    ('\u{2e2}', "s", true),
    ('\u{1d49}', "e", true),
    ('\u{1d52}', "o", true),
    ('\u{1d5b}', "v", true),
    ('\u{1d62}', "i", true),
    ('\u{1d63}', "r", true),
    ('\u{1d65}', "v", true),
    ('\u{2071}', "i", true),
    ('\u{207f}', "n", true),
    ('\u{2091}', "e", true),
    ('\u{2092}', "o", true),
    ('\u{2099}', "n", true),
    ('\u{209b}', "s", true),
    ('\u{212f}', "e", true),
    ('\u{2134}', "o", true),
    ('\u{2139}', "i", true),
    ('\u{2147}', "e", true),
    ('\u{2148}', "i", true),
    ('\u{2170}', "i", true),
    ('\u{2171}', "ii", true),
    ('\u{2172}', "iii", true),
    ('\u{2173}', "iv", true),
    ('\u{2174}', "v", true),
    ('\u{2175}', "vi", true),
    ('\u{2176}', "vii", true),
    ('\u{2177}', "viii", true),
    ('\u{fe33}', "_", false),
    ('\u{fe34}', "_", false),
    ('\u{fe4d}', "_", false),
    ('\u{fe4e}', "_", false),
    ('\u{fe4f}', "_", false),
    ('\u{ff3f}', "_", false),
    ('\u{ff45}', "e", true),
    ('\u{ff49}', "i", true),
    ('\u{ff4e}', "n", true),
    ('\u{ff4f}', "o", true),
    ('\u{ff52}', "r", true),
    ('\u{ff53}', "s", true),
    ('\u{ff56}', "v", true),
    ('\u{1d41e}', "e", true),
    ('\u{1d422}', "i", true),
    ('\u{1d427}', "n", true),
    ('\u{1d428}', "o", true),
    ('\u{1d42b}', "r", true),
    ('\u{1d42c}', "s", true),
    ('\u{1d42f}', "v", true),
    ('\u{1d452}', "e", true),
    ('\u{1d456}', "i", true),
    ('\u{1d45b}', "n", true),
    ('\u{1d45c}', "o", true),
    ('\u{1d45f}', "r", true),
    ('\u{1d460}', "s", true),
    ('\u{1d463}', "v", true),
    ('\u{1d486}', "e", true),
    ('\u{1d48a}', "i", true),
    ('\u{1d48f}', "n", true),
    ('\u{1d490}', "o", true),
    ('\u{1d493}', "r", true),
    ('\u{1d494}', "s", true),
    ('\u{1d497}', "v", true),
    ('\u{1d4be}', "i", true),
    ('\u{1d4c3}', "n", true),
    ('\u{1d4c7}', "r", true),
    ('\u{1d4c8}', "s", true),
    ('\u{1d4cb}', "v", true),
    ('\u{1d4ee}', "e", true),
    ('\u{1d4f2}', "i", true),
    ('\u{1d4f7}', "n", true),
    ('\u{1d4f8}', "o", true),
    ('\u{1d4fb}', "r", true),
    ('\u{1d4fc}', "s", true),
    ('\u{1d4ff}', "v", true),
    ('\u{1d522}', "e", true),
    ('\u{1d526}', "i", true),
    ('\u{1d52b}', "n", true),
    ('\u{1d52c}', "o", true),
    ('\u{1d52f}', "r", true),
    ('\u{1d530}', "s", true),
    ('\u{1d533}', "v", true),
    ('\u{1d556}', "e", true),
    ('\u{1d55a}', "i", true),
    ('\u{1d55f}', "n", true),
    ('\u{1d560}', "o", true),
    ('\u{1d563}', "r", true),
    ('\u{1d564}', "s", true),
    ('\u{1d567}', "v", true),
    ('\u{1d58a}', "e", true),
    ('\u{1d58e}', "i", true),
    ('\u{1d593}', "n", true),
    ('\u{1d594}', "o", true),
    ('\u{1d597}', "r", true),
    ('\u{1d598}', "s", true),
    ('\u{1d59b}', "v", true),
    ('\u{1d5be}', "e", true),
    ('\u{1d5c2}', "i", true),
    ('\u{1d5c7}', "n", true),
    ('\u{1d5c8}', "o", true),
    ('\u{1d5cb}', "r", true),
    ('\u{1d5cc}', "s", true),
    ('\u{1d5cf}', "v", true),
    ('\u{1d5f2}', "e", true),
    ('\u{1d5f6}', "i", true),
    ('\u{1d5fb}', "n", true),
    ('\u{1d5fc}', "o", true),
    ('\u{1d5ff}', "r", true),
    ('\u{1d600}', "s", true),
    ('\u{1d603}', "v", true),
    ('\u{1d626}', "e", true),
    ('\u{1d62a}', "i", true),
    ('\u{1d62f}', "n", true),
    ('\u{1d630}', "o", true),
    ('\u{1d633}', "r", true),
    ('\u{1d634}', "s", true),
    ('\u{1d637}', "v", true),
    ('\u{1d65a}', "e", true),
    ('\u{1d65e}', "i", true),
    ('\u{1d663}', "n", true),
    ('\u{1d664}', "o", true),
    ('\u{1d667}', "r", true),
    ('\u{1d668}', "s", true),
    ('\u{1d66b}', "v", true),
    ('\u{1d68e}', "e", true),
    ('\u{1d692}', "i", true),
    ('\u{1d697}', "n", true),
    ('\u{1d698}', "o", true),
    ('\u{1d69b}', "r", true),
    ('\u{1d69c}', "s", true),
    ('\u{1d69f}', "v", true),
];

/// How an identifier relates to `__version__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameMatch {
    No,
    Yes,
    /// It would normalise to `__version__`, but its first character cannot start an identifier,
    /// so CPython rejects the source.
    BadStart,
}

pub(super) fn is_version(name: &str) -> NameMatch {
    if name.is_ascii() {
        return if name == "__version__" {
            NameMatch::Yes
        } else {
            NameMatch::No
        };
    }
    let mut normal = String::new();
    for c in name.chars() {
        if c.is_ascii() {
            normal.push(c);
        } else if let Some(&(_, form, _)) = TABLE.iter().find(|&&(t, _, _)| t == c) {
            normal.push_str(form);
        } else {
            return NameMatch::No;
        }
        if !"__version__".starts_with(normal.as_str()) {
            return NameMatch::No;
        }
    }
    if normal != "__version__" {
        return NameMatch::No;
    }
    let first = name.chars().next();
    let can_start = TABLE
        .iter()
        .find(|&&(t, _, _)| Some(t) == first)
        .is_none_or(|&(_, _, start)| start);
    if can_start {
        NameMatch::Yes
    } else {
        NameMatch::BadStart
    }
}
