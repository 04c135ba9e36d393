//! The response form's fields: read from a post into a
//! [`SubmissionDraft`] (every field kept as typed, however many were sent:
//! the one validator in `service::submission` says what is wrong), changed
//! by the form's buttons, and written back into hidden fields for the
//! "check your answers" page. Nothing typed is lost.

use crate::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use crate::service::limits;
use crate::web::form::FormData;

/// What the button pressed asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AddPoint,
    RemovePoint(usize),
    AddOrganisation,
    RemoveOrganisation(usize),
    /// Back from the check page to the form.
    Change,
    /// "Continue": validate and show the check page.
    Check,
    /// "Submit response" (or "Save changes").
    Submit,
    /// "Save and come back later": keep the answers, send a private link.
    Save,
}

impl Action {
    /// Reads the `action` button; anything unknown means "Continue".
    pub fn from_form(form: &FormData) -> Self {
        let action = form.get("action");
        let index = |prefix: &str| {
            action
                .strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
        };
        match action {
            "add-point" => Self::AddPoint,
            "add-organisation" => Self::AddOrganisation,
            "change" => Self::Change,
            "submit" => Self::Submit,
            "save" => Self::Save,
            _ => {
                if let Some(n) = index("remove-point-") {
                    Self::RemovePoint(n)
                } else if let Some(n) = index("remove-organisation-") {
                    Self::RemoveOrganisation(n)
                } else {
                    Self::Check
                }
            }
        }
    }
}

/// Numbered fields (`point-3-text`) in the order of their numbers.
fn numbered(form: &FormData, prefix: &str, suffix: &str) -> Vec<usize> {
    let mut numbers: Vec<usize> = form
        .pairs()
        .iter()
        .filter_map(|(name, _)| {
            name.strip_prefix(prefix)?
                .strip_suffix(suffix)?
                .parse()
                .ok()
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// Reads every field of the posted form, keeping them as typed.
pub fn from_form(form: &FormData) -> SubmissionDraft {
    let text = |name: &str| form.get(name).to_string();
    let all =
        |name: String| -> Vec<String> { form.all(&name).into_iter().map(String::from).collect() };
    let issues = numbered(form, "point-", "-text")
        .into_iter()
        .map(|n| IssueDraft {
            text: text(&format!("point-{n}-text")),
            sections: all(format!("point-{n}-section")),
            bodies: all(format!("point-{n}-body")),
        })
        .collect();
    let joint = numbered(form, "joint-", "-name")
        .into_iter()
        .map(|n| OrganisationDraft {
            name: text(&format!("joint-{n}-name")),
            kind: text(&format!("joint-{n}-kind")),
        })
        .collect();
    let answers = form
        .pairs()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.strip_prefix("answer-")?.parse().ok()?, value.clone()))
        })
        .collect();
    SubmissionDraft {
        name: text("name"),
        email: text("email"),
        on_behalf: text("on_behalf"),
        organisation: OrganisationDraft {
            name: text("organisation"),
            kind: text("organisation_kind"),
        },
        joint,
        answers,
        issues,
        publication: text("publication"),
        tell_me_outcome: form.get("tell_me_outcome") == "yes",
        honeypot: text("website"),
    }
}

/// Applies an editing action ("Add another point", "Remove").
pub fn apply(draft: &mut SubmissionDraft, action: Action) {
    match action {
        Action::AddPoint if draft.issues.len() < limits::ISSUES_PER_RESPONSE => {
            draft.issues.push(IssueDraft::default())
        }
        Action::RemovePoint(n) if n >= 1 && n <= draft.issues.len() => {
            draft.issues.remove(n - 1);
            if draft.issues.is_empty() {
                draft.issues.push(IssueDraft::default());
            }
        }
        Action::AddOrganisation if draft.joint.len() < limits::JOINT_ORGANISATIONS => {
            draft.joint.push(OrganisationDraft::default())
        }
        Action::RemoveOrganisation(n) if n >= 1 && n <= draft.joint.len() => {
            draft.joint.remove(n - 1);
        }
        _ => {}
    }
}

/// The form as (name, value) pairs: hidden fields of the check page.
pub fn to_pairs(draft: &SubmissionDraft) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("name".to_string(), draft.name.clone()),
        ("email".into(), draft.email.clone()),
        ("on_behalf".into(), draft.on_behalf.clone()),
        ("organisation".into(), draft.organisation.name.clone()),
        ("organisation_kind".into(), draft.organisation.kind.clone()),
        ("publication".into(), draft.publication.clone()),
        ("website".into(), draft.honeypot.clone()),
    ];
    if draft.tell_me_outcome {
        pairs.push(("tell_me_outcome".into(), "yes".into()));
    }
    for (i, org) in draft.joint.iter().enumerate() {
        pairs.push((format!("joint-{}-name", i + 1), org.name.clone()));
        pairs.push((format!("joint-{}-kind", i + 1), org.kind.clone()));
    }
    for (question, value) in &draft.answers {
        pairs.push((format!("answer-{question}"), value.clone()));
    }
    for (i, point) in draft.issues.iter().enumerate() {
        pairs.push((format!("point-{}-text", i + 1), point.text.clone()));
        pairs.extend(
            point
                .sections
                .iter()
                .map(|s| (format!("point-{}-section", i + 1), s.clone())),
        );
        pairs.extend(
            point
                .bodies
                .iter()
                .map(|b| (format!("point-{}-body", i + 1), b.clone())),
        );
    }
    pairs
}

/// Whether id `id` is among the typed ids (checkboxes to tick again).
pub fn is_checked(typed: &[String], id: i64) -> bool {
    typed.iter().any(|t| t.parse::<i64>().ok() == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn points_are_kept_in_order_and_removing_renumbers_them() {
        let mut typed = from_form(&form(&[
            ("point-2-text", "second"),
            ("point-1-text", "first"),
            ("point-3-text", "third"),
        ]));
        let texts = |d: &SubmissionDraft| -> Vec<String> {
            d.issues.iter().map(|p| p.text.clone()).collect()
        };
        assert_eq!(texts(&typed), vec!["first", "second", "third"]);
        apply(&mut typed, Action::RemovePoint(2));
        assert_eq!(texts(&typed), vec!["first", "third"]);
        apply(&mut typed, Action::AddPoint);
        assert_eq!(typed.issues.len(), 3);
        assert_eq!(from_form(&FormData::from_pairs(to_pairs(&typed))), typed);
    }

    #[test]
    fn every_point_sent_is_read_however_many_there_are() {
        let pairs: Vec<(String, String)> = (1..=30)
            .map(|n| (format!("point-{n}-text"), format!("point {n}")))
            .collect();
        assert_eq!(from_form(&FormData::from_pairs(pairs)).issues.len(), 30);
    }

    #[test]
    fn buttons_name_their_action() {
        assert_eq!(
            Action::from_form(&form(&[("action", "remove-point-3")])),
            Action::RemovePoint(3)
        );
        assert_eq!(
            Action::from_form(&form(&[("action", "submit")])),
            Action::Submit
        );
        assert_eq!(Action::from_form(&form(&[])), Action::Check);
    }
}
