//! Classifying an issue's kind with transparent, ordered rules.
//!
//! Each rule is a plain list of cues; the first rule that matches wins, so an
//! officer can read why a point was classed as it was (and change it).

use crate::domain::IssueKind;

/// One rule: a kind and the cues that signal it.
struct Rule {
    kind: IssueKind,
    /// Phrases matched at word boundaries anywhere in the lower-cased text.
    phrases: &'static [&'static str],
    /// Words that signal the kind when they open the point.
    openers: &'static [&'static str],
}

/// The rules, in the order they are tried. Objection before support
/// ("do not support"), question before the rest (a question mark or an
/// interrogative opener), concern before suggestion ("risk … should").
const RULES: &[Rule] = &[
    Rule {
        kind: IssueKind::Objection,
        phrases: &[
            "object to",
            "oppose",
            "opposed to",
            "disagree",
            "do not support",
            "don't support",
            "does not support",
            "reject",
            "against the proposal",
        ],
        openers: &[],
    },
    Rule {
        kind: IssueKind::Question,
        phrases: &[
            "?",
            "raised a question",
            "asked if",
            "asked whether",
            "query whether",
        ],
        openers: &[
            "will", "how", "should", "is", "are", "what", "why", "who", "when", "where", "which",
            "can", "could", "does", "do", "would",
        ],
    },
    Rule {
        kind: IssueKind::Concern,
        phrases: &[
            "concern",
            "concerned",
            "risk",
            "worried",
            "worry",
            "may weaken",
            "not frequent enough",
            "danger",
            "too many",
            "too bureaucratic",
            "problem",
        ],
        openers: &[],
    },
    Rule {
        kind: IssueKind::Suggestion,
        phrases: &[
            "but suggested",
            "should",
            "need to",
            "needs to",
            "need for",
            "needs be",
            "suggest",
            "recommend",
            "must",
            "ought to",
            "develop",
            "consider",
        ],
        openers: &["need", "develop", "ensure", "identify", "provide"],
    },
    Rule {
        kind: IssueKind::Support,
        phrases: &[
            "welcome",
            "welcomed",
            "welcomes",
            "support",
            "supports",
            "fully supports",
            "agree with",
            "pleased",
            "endorse",
            "beneficial",
        ],
        openers: &[],
    },
];

/// The kind of a point, by the first matching rule; `Comment` otherwise.
pub fn classify(text: &str) -> IssueKind {
    let lower = text.to_lowercase();
    let first_word: String = lower
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    RULES
        .iter()
        .find(|rule| {
            rule.openers.contains(&first_word.as_str())
                || rule.phrases.iter().any(|p| contains_phrase(&lower, p))
        })
        .map(|rule| rule.kind)
        .unwrap_or(IssueKind::Comment)
}

/// Whether `phrase` starts a word in `text` (so "risk" does not match
/// "brisk"); punctuation phrases such as "?" match anywhere.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    if !phrase.chars().any(char::is_alphanumeric) {
        return text.contains(phrase);
    }
    // Only the start must be a word boundary: a following letter is allowed
    // for inflections ("concerns", "welcomed").
    text.match_indices(phrase).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_mark_or_an_interrogative_opener_is_a_question() {
        assert_eq!(
            classify("Should Positive Participation just meet every 6 months?"),
            IssueKind::Question
        );
        assert_eq!(
            classify("How will cross-cutting issues be dealt with"),
            IssueKind::Question
        );
        assert_eq!(
            classify("Raised a question about how the new structures will work"),
            IssueKind::Question
        );
    }

    #[test]
    fn welcomed_and_supports_are_support() {
        assert_eq!(
            classify("GCC fully supports the vision and objectives."),
            IssueKind::Support
        );
        assert_eq!(
            classify("Welcomed the proposals as reducing the number of partnerships."),
            IssueKind::Support
        );
    }

    #[test]
    fn should_and_need_to_are_suggestions() {
        assert_eq!(
            classify("Businesses need to be more clearly involved."),
            IssueKind::Suggestion
        );
        assert_eq!(
            classify("Develop linkages between district and county structures"),
            IssueKind::Suggestion
        );
        assert_eq!(
            classify("Welcomed new structure – but suggested a police authority presence."),
            IssueKind::Suggestion
        );
    }

    #[test]
    fn concern_and_risk_are_concerns() {
        assert_eq!(
            classify("This may weaken the districts' contribution."),
            IssueKind::Concern
        );
        assert_eq!(
            classify("There is a concern about costs."),
            IssueKind::Concern
        );
        assert_eq!(
            classify("A brisk walk"),
            IssueKind::Comment,
            "risk must match as a word"
        );
    }

    #[test]
    fn opposing_words_are_objections_even_with_support_in_them() {
        assert_eq!(
            classify("We do not support disbanding the partnership."),
            IssueKind::Objection
        );
        assert_eq!(classify("We object to the proposal."), IssueKind::Objection);
    }

    #[test]
    fn anything_else_is_a_comment() {
        assert_eq!(
            classify("LAA partnership desks (co-location)"),
            IssueKind::Comment
        );
        assert_eq!(classify(""), IssueKind::Comment);
    }
}
