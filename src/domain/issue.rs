//! Issues: the points raised in responses, the unit of analysis.

use crate::text_enum;

text_enum! {
    /// What sort of point an issue makes.
    pub enum IssueKind ("issue kind") {
        Question => "question", "Question",
        Concern => "concern", "Concern",
        Suggestion => "suggestion", "Suggestion",
        Support => "support", "Support",
        Objection => "objection", "Objection",
        Comment => "comment", "Comment",
    }
}

text_enum! {
    /// Where a theme came from; officers' themes are never replaced by analysis.
    pub enum ThemeOrigin ("theme origin") {
        Analysis => "analysis", "Found by analysis",
        Officer => "officer", "Made by an officer",
    }
}
