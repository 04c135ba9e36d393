//! A response as someone typed or sent it, before it is checked: from the
//! web form, the JSON API or a row of an imported file. Nothing here is
//! trusted; `service::submission::validate` turns a draft into a checked
//! submission, with one set of rules and limits for every way in.

use std::collections::BTreeMap;

/// An organisation as typed: its name and its kind (a
/// [`ConsulteeKind`](super::ConsulteeKind) word such as `county_council`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: String,
}

/// One issue as typed, with the ids of the sections and bodies it is about
/// (as sent: they are checked against the consultation).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssueDraft {
    pub text: String,
    pub sections: Vec<String>,
    pub bodies: Vec<String>,
}

/// A whole response as typed or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubmissionDraft {
    /// The person responding.
    pub name: String,
    pub email: String,
    /// "yes" when responding for an organisation or committee, "no" when
    /// for themselves, anything else when not answered.
    pub on_behalf: String,
    pub organisation: OrganisationDraft,
    /// Further organisations of a joint response.
    pub joint: Vec<OrganisationDraft>,
    /// Answers by question id.
    pub answers: BTreeMap<i64, String>,
    pub issues: Vec<IssueDraft>,
    /// A [`Publication`](super::Publication) word: `with_names`,
    /// `anonymous` or `not_published`.
    pub publication: String,
    /// The consultee wants an e-mail when the outcome is published.
    pub tell_me_outcome: bool,
    /// The honeypot: hidden from people, filled in by bots.
    pub honeypot: String,
}

impl SubmissionDraft {
    /// A blank draft with one empty issue (a new form).
    pub fn blank() -> Self {
        Self {
            issues: vec![IssueDraft::default()],
            ..Self::default()
        }
    }
}
