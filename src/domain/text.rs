//! Text as the app stores and compares it.
//!
//! - **One form for one text:** input is normalised to NFC, so `cafe` + a combining acute and
//!   the precomposed `café` are the same title, found by the same search.
//! - **Nothing hidden:** control characters and the bidi overrides and isolates (which can
//!   make text read differently from what it is) are refused with a clear message, and a
//!   title must show at least one visible character.
//! - **One fold, computed by the app:** search and title order compare [`fold`]ed text that
//!   the app writes beside each title and description, so SQLite and PostgreSQL (whose own
//!   `lower()` and `ILIKE` fold differently) find and order exactly the same rows.

use unicode_normalization::UnicodeNormalization;

/// `text` in Unicode Normalization Form C.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// The key search and title order compare: NFC, lower case, final sigma as sigma and
/// sharp s as "ss" (so `ΟΔΟΣ`, `οδος` and `Οδοσ` are one word, and so are `STRASSE` and
/// `straße`).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfc().flat_map(char::to_lowercase) {
        match c {
            'ς' => folded.push('σ'),
            'ß' => folded.push_str("ss"),
            c => folded.push(c),
        }
    }
    folded
}

/// Characters a text may not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Control characters (NUL, bell, escape, and line breaks where none belong).
    Control,
    /// Bidi embeddings, overrides and isolates.
    BidiControl,
}

/// What `text` holds that it may not, if anything. Tabs and line breaks are allowed only
/// where `multiline`.
pub fn refusal(text: &str, multiline: bool) -> Option<Refusal> {
    if text
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
    {
        Some(Refusal::Control)
    } else if text.chars().any(is_bidi_control) {
        Some(Refusal::BidiControl)
    } else {
        None
    }
}

/// True when some character of `text` shows: not a space and not an invisible one.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(|c| !c.is_whitespace() && !is_invisible(c))
}

/// Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: zero-width spaces and joiners, marks, fillers.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    ) || is_bidi_control(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_makes_one_key_of_case_and_composition_variants() {
        assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
        assert_eq!(fold("Zoë"), fold("ZOË"));
        assert_eq!(fold("cafe\u{301}"), fold("CAFÉ"));
        assert_eq!(fold("STRASSE"), fold("straße"));
        assert_eq!(fold("İzmir"), "i\u{307}zmir");
    }

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        assert_eq!(refusal("ok title", false), None);
        assert_eq!(refusal("bell\u{7}", false), Some(Refusal::Control));
        assert_eq!(refusal("line\nbreak", false), Some(Refusal::Control));
        assert_eq!(refusal("line\nbreak\tand tab", true), None);
        assert_eq!(refusal("nul\0", true), Some(Refusal::Control));
        assert_eq!(
            refusal("evil\u{202E}txt.exe", false),
            Some(Refusal::BidiControl)
        );
    }

    #[test]
    fn only_invisible_characters_show_nothing() {
        assert!(!has_visible("\t \u{a0}\u{200b}"));
        assert!(!has_visible("\u{feff}\u{3164}"));
        assert!(has_visible("\u{200b}a"));
    }
}
