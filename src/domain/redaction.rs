//! Carrying an officer's redaction of a response to everything published
//! from it.
//!
//! An officer redacts a response by editing its whole text (replacing "John
//! Smith at 12 High Street" with "[redacted]"). The issues split from the
//! response were copied from the original, and so were the words of any
//! label drawn from them; they must lose the same words. A word the officer
//! removed is *withheld* when it appears nowhere in the redacted text, and
//! every public text drawn from the response shows "[redacted]" in its
//! place, wherever it occurs (over-masking is safe; a missed name is not).

use std::collections::BTreeSet;

/// What replaces withheld words in public text.
pub const MARK: &str = "[redacted]";

/// The words an officer's redaction withheld from the public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withheld {
    words: BTreeSet<String>,
}

/// Words as the mask compares them: letters and digits, lower-cased.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.char_indices()
        .filter(|&(i, c)| {
            c.is_alphanumeric()
                && text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|p| !p.is_alphanumeric())
        })
        .map(move |(start, _)| {
            let end = text[start..]
                .char_indices()
                .find(|&(_, c)| !c.is_alphanumeric())
                .map_or(text.len(), |(offset, _)| start + offset);
            (start, &text[start..end])
        })
}

impl Withheld {
    /// The words of `original` that `redacted` no longer has anywhere.
    pub fn between(original: &str, redacted: &str) -> Self {
        let kept: BTreeSet<String> = words(redacted).map(|(_, w)| w.to_lowercase()).collect();
        let marker: BTreeSet<String> = words(MARK).map(|(_, w)| w.to_lowercase()).collect();
        let words = words(original)
            .map(|(_, w)| w.to_lowercase())
            .filter(|w| !kept.contains(w) && !marker.contains(w))
            .collect();
        Self { words }
    }

    /// Several redactions' withheld words together.
    pub fn union<'a>(all: impl IntoIterator<Item = &'a Withheld>) -> Self {
        Self {
            words: all
                .into_iter()
                .flat_map(|w| w.words.iter().cloned())
                .collect(),
        }
    }

    /// Whether nothing is withheld.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `text` with every withheld word replaced by [`MARK`]; neighbouring
    /// marks with only spaces or punctuation between them become one.
    pub fn apply(&self, text: &str) -> String {
        if self.words.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut pending_gap: Option<&str> = None;
        for (start, word) in words(text) {
            let gap = &text[last..start];
            let end = start + word.len();
            if self.words.contains(&word.to_lowercase()) {
                match pending_gap.take() {
                    // A mark just before, with nothing but spaces and
                    // punctuation between: one mark covers both.
                    Some(_) if !gap.contains(char::is_alphanumeric) => {}
                    _ => {
                        out.push_str(gap);
                        out.push_str(MARK);
                    }
                }
                pending_gap = Some("");
            } else {
                out.push_str(gap);
                out.push_str(word);
                pending_gap = None;
            }
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Whether `text` still holds a withheld word (checks a public text).
    pub fn leaks(&self, text: &str) -> bool {
        words(text).any(|(_, w)| self.words.contains(&w.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_an_officer_removed_are_masked_in_an_issue_split_from_the_response() {
        let original =
            "Please contact John Smith at 12 High Street. The SLG needs police at the table.";
        let redacted = "Please contact [redacted]. The SLG needs police at the table.";
        let withheld = Withheld::between(original, redacted);
        let issue = "Please contact John Smith at 12 High Street.";
        let public = withheld.apply(issue);
        assert_eq!(public, "Please contact [redacted] at [redacted].");
        assert!(!withheld.leaks(&public));
        assert!(!public.contains("John Smith"));
        // Words still in the redacted text are not withheld.
        assert_eq!(
            withheld.apply("The SLG needs police at the table."),
            "The SLG needs police at the table."
        );
    }

    #[test]
    fn withheld_words_are_masked_wherever_and_however_they_are_written() {
        let withheld = Withheld::between("Ask SMITH", "Ask [redacted]");
        assert_eq!(
            withheld.apply("smith, and Smith's view"),
            "[redacted], and [redacted]'s view"
        );
    }

    #[test]
    fn nothing_withheld_changes_nothing() {
        let withheld = Withheld::between("Same text", "Same text");
        assert!(withheld.is_empty());
        assert_eq!(withheld.apply("Same text"), "Same text");
    }
}
