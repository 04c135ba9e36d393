//! The task-and-finish group's answer to an issue.

use crate::text_enum;

text_enum! {
    /// What kind of answer the group gave.
    pub enum GroupResponseKind ("group response kind") {
        /// The group's own wording.
        Written => "written", "Written",
        /// Acknowledged without further comment; shown as "Noted".
        Noted => "noted", "Noted",
        /// "As above": the same answer as another issue's, optionally reworded.
        AsAbove => "as_above", "As above",
    }
}

text_enum! {
    /// Whether the group has agreed the answer.
    pub enum DraftStatus ("draft status") {
        Draft => "draft", "Draft",
        Agreed => "agreed", "Agreed",
    }
}

/// The words shown for a group response in the summary table: its own
/// wording when it has some, "Noted" for a bare noted answer, and for a bare
/// "As above" the linked answer's wording (`linked`).
pub fn shown_text(kind: GroupResponseKind, own: Option<&str>, linked: Option<&str>) -> String {
    match (own.map(str::trim).filter(|t| !t.is_empty()), kind) {
        (Some(text), _) => text.to_string(),
        (None, GroupResponseKind::Noted) => "Noted".to_string(),
        (None, GroupResponseKind::AsAbove) => linked.unwrap_or("As above").to_string(),
        (None, GroupResponseKind::Written) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_as_above_shows_the_linked_answer() {
        let shown = shown_text(
            GroupResponseKind::AsAbove,
            None,
            Some("The SLG will hold them."),
        );
        assert_eq!(shown, "The SLG will hold them.");
    }

    #[test]
    fn own_wording_wins_over_the_link() {
        let shown = shown_text(
            GroupResponseKind::AsAbove,
            Some("As above, yes."),
            Some("x"),
        );
        assert_eq!(shown, "As above, yes.");
    }

    #[test]
    fn a_bare_noted_reads_noted() {
        assert_eq!(
            shown_text(GroupResponseKind::Noted, Some("  "), None),
            "Noted"
        );
    }
}
