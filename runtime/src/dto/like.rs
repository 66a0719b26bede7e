//! `LIKE` patterns from user text, with `%` and `_` taken literally.

/// Where the text must occur.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LikeKind {
    /// Anywhere.
    Contains,
    /// At the start.
    StartsWith,
    /// At the end.
    EndsWith,
}

/// The escape character patterns use; statements say `ESCAPE '\'`.
pub const LIKE_ESCAPE: char = '\\';

/// The `LIKE` pattern matching `text` as `kind`, every `%`, `_` and `\` in
/// `text` escaped with [`LIKE_ESCAPE`], so user input is never a wildcard.
///
/// ```
/// use entable::dto::{LikeKind, like_pattern};
/// assert_eq!(like_pattern(LikeKind::Contains, "50%_off"), r"%50\%\_off%");
/// assert_eq!(like_pattern(LikeKind::StartsWith, r"C:\"), r"C:\\%");
/// assert_eq!(like_pattern(LikeKind::EndsWith, ".rs"), "%.rs");
/// ```
pub fn like_pattern(kind: LikeKind, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    if matches!(kind, LikeKind::Contains | LikeKind::EndsWith) {
        out.push('%');
    }
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    if matches!(kind, LikeKind::Contains | LikeKind::StartsWith) {
        out.push('%');
    }
    out
}
