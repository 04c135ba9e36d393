//! The response form as typed: parsed from the posted fields, validated
//! into a [`Submission`] with GOV.UK-style messages, and written back into
//! hidden fields for the "check your answers" page. Nothing typed is lost.

use std::collections::BTreeMap;

use crate::db::document::{Question, Section};
use crate::db::structure::Body;
use crate::domain::consultee::MAX_NAME_CHARS;
use crate::domain::question::AGREE_SCALE;
use crate::domain::text::{optional_text, required_text};
use crate::domain::{
    BodyId, Channel, ConsulteeKind, EmailAddress, Publication, QuestionId, QuestionKind, SectionId,
    ValidationError,
};
use crate::service::responses::{ConsulteeInput, PointInput, Submission};
use crate::web::form::FormData;

/// The longest point accepted: committees write long answers.
pub const MAX_POINT_CHARS: usize = 10_000;
/// The most separate points one response may make.
pub const MAX_POINTS: usize = 20;
/// The most further organisations a joint response may name.
pub const MAX_JOINT: usize = 10;
/// The longest answer to a question.
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// One point as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedPoint {
    pub text: String,
    pub sections: Vec<String>,
    pub bodies: Vec<String>,
}

/// A further organisation of a joint response, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedOrganisation {
    pub name: String,
    pub kind: String,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RespondForm {
    pub name: String,
    pub email: String,
    pub on_behalf: String,
    pub organisation: String,
    pub organisation_kind: String,
    pub joint: Vec<TypedOrganisation>,
    pub answers: BTreeMap<i64, String>,
    pub points: Vec<TypedPoint>,
    pub publication: String,
    /// The honeypot: hidden from people, filled in by bots.
    pub website: String,
}

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

impl RespondForm {
    /// A blank form with one empty point.
    pub fn blank() -> Self {
        Self {
            points: vec![TypedPoint::default()],
            ..Self::default()
        }
    }

    /// Reads every field of the posted form, keeping them as typed.
    pub fn from_form(form: &FormData) -> Self {
        let text = |name: &str| form.get(name).to_string();
        let points = numbered(form, "point-", "-text")
            .into_iter()
            .take(MAX_POINTS)
            .map(|n| TypedPoint {
                text: text(&format!("point-{n}-text")),
                sections: form
                    .all(&format!("point-{n}-section"))
                    .into_iter()
                    .map(String::from)
                    .collect(),
                bodies: form
                    .all(&format!("point-{n}-body"))
                    .into_iter()
                    .map(String::from)
                    .collect(),
            })
            .collect();
        let joint = numbered(form, "joint-", "-name")
            .into_iter()
            .take(MAX_JOINT)
            .map(|n| TypedOrganisation {
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
        Self {
            name: text("name"),
            email: text("email"),
            on_behalf: text("on_behalf"),
            organisation: text("organisation"),
            organisation_kind: text("organisation_kind"),
            joint,
            answers,
            points,
            publication: text("publication"),
            website: text("website"),
        }
    }

    /// Applies an editing action ("Add another point", "Remove").
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::AddPoint if self.points.len() < MAX_POINTS => {
                self.points.push(TypedPoint::default())
            }
            Action::RemovePoint(n) if n >= 1 && n <= self.points.len() => {
                self.points.remove(n - 1);
                if self.points.is_empty() {
                    self.points.push(TypedPoint::default());
                }
            }
            Action::AddOrganisation if self.joint.len() < MAX_JOINT => {
                self.joint.push(TypedOrganisation::default())
            }
            Action::RemoveOrganisation(n) if n >= 1 && n <= self.joint.len() => {
                self.joint.remove(n - 1);
            }
            _ => {}
        }
    }

    /// The form as (name, value) pairs: hidden fields of the check page.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("name".to_string(), self.name.clone()),
            ("email".into(), self.email.clone()),
            ("on_behalf".into(), self.on_behalf.clone()),
            ("organisation".into(), self.organisation.clone()),
            ("organisation_kind".into(), self.organisation_kind.clone()),
            ("publication".into(), self.publication.clone()),
            ("website".into(), self.website.clone()),
        ];
        for (i, org) in self.joint.iter().enumerate() {
            pairs.push((format!("joint-{}-name", i + 1), org.name.clone()));
            pairs.push((format!("joint-{}-kind", i + 1), org.kind.clone()));
        }
        for (question, value) in &self.answers {
            pairs.push((format!("answer-{question}"), value.clone()));
        }
        for (i, point) in self.points.iter().enumerate() {
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

    /// A form prefilled from a stored submission (the consultee's change page).
    pub fn from_submission(s: &Submission) -> Self {
        let mut consultees = s.consultees.iter();
        let first = consultees.next();
        let on_behalf = first.is_some_and(|c| c.kind != ConsulteeKind::Individual);
        Self {
            name: s.respondent_name.clone(),
            email: s.email.clone().unwrap_or_default(),
            on_behalf: if on_behalf { "yes" } else { "no" }.into(),
            organisation: if on_behalf {
                first.map(|c| c.name.clone()).unwrap_or_default()
            } else {
                String::new()
            },
            organisation_kind: if on_behalf {
                first
                    .map(|c| c.kind.as_str().to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            },
            joint: consultees
                .map(|c| TypedOrganisation {
                    name: c.name.clone(),
                    kind: c.kind.as_str().into(),
                })
                .collect(),
            answers: s.answers.iter().map(|(q, v)| (q.0, v.clone())).collect(),
            points: if s.points.is_empty() {
                vec![TypedPoint::default()]
            } else {
                s.points
                    .iter()
                    .map(|p| TypedPoint {
                        text: p.text.clone(),
                        sections: p.sections.iter().map(|id| id.0.to_string()).collect(),
                        bodies: p.bodies.iter().map(|id| id.0.to_string()).collect(),
                    })
                    .collect()
            },
            publication: s.publication.as_str().into(),
            website: String::new(),
        }
    }

    /// Validates against the consultation's questions, sections and bodies.
    pub fn validate(
        &self,
        questions: &[Question],
        sections: &[Section],
        bodies: &[Body],
    ) -> Result<Submission, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, ValidationError>| match result {
            Ok(value) => value,
            Err(error) => {
                errors.push(error);
                String::new()
            }
        };
        let respondent_name = keep(
            required_text("name", "Your name", &self.name, MAX_NAME_CHARS).map_err(|mut e| {
                if self.name.trim().is_empty() {
                    e.message = "Enter your name".into();
                }
                e
            }),
        );
        let email = if self.email.trim().is_empty() {
            None
        } else {
            Some(keep(
                EmailAddress::parse("email", &self.email).map(|e| e.as_str().to_string()),
            ))
        };
        let mut consultees = Vec::new();
        match self.on_behalf.as_str() {
            "yes" => {
                let name = keep(required_text(
                    "organisation",
                    "The name of your organisation or committee",
                    &self.organisation,
                    MAX_NAME_CHARS,
                ));
                match self.organisation_kind.parse::<ConsulteeKind>() {
                    Ok(kind) if kind != ConsulteeKind::Individual => {
                        consultees.push(ConsulteeInput { name, kind })
                    }
                    _ => errors.push(ValidationError::new(
                        "organisation_kind",
                        "Select the type of organisation or committee",
                    )),
                }
            }
            "no" => consultees.push(ConsulteeInput {
                name: respondent_name.clone(),
                kind: ConsulteeKind::Individual,
            }),
            _ => errors.push(ValidationError::new(
                "on_behalf",
                "Select yes if you are responding on behalf of an organisation or committee",
            )),
        }
        for (i, org) in self.joint.iter().enumerate() {
            let n = i + 1;
            if org.name.trim().is_empty() && org.kind.is_empty() {
                continue;
            }
            let field = format!("joint-{n}-name");
            let name =
                match required_text(&field, "The organisation's name", &org.name, MAX_NAME_CHARS) {
                    Ok(name) => name,
                    Err(mut e) => {
                        e.message =
                            format!("Enter the name of joint organisation {n}, or remove it");
                        errors.push(e);
                        continue;
                    }
                };
            match org.kind.parse::<ConsulteeKind>() {
                Ok(kind) => consultees.push(ConsulteeInput { name, kind }),
                Err(_) => errors.push(ValidationError::new(
                    format!("joint-{n}-kind"),
                    format!("Select the type of {name}"),
                )),
            }
        }
        let answers = self.validate_answers(questions, &mut errors);
        let points = self.validate_points(sections, bodies, &mut errors);
        if points.is_empty()
            && answers.is_empty()
            && !errors.iter().any(|e| e.field.starts_with("point-"))
        {
            errors.push(ValidationError::new(
                "point-1-text",
                "Enter at least one point, or answer a question",
            ));
        }
        let publication = match self.publication.parse::<Publication>() {
            Ok(p) => p,
            Err(_) => {
                errors.push(ValidationError::new(
                    "publication",
                    "Select whether we may publish your response",
                ));
                Publication::NotPublished
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Submission {
            respondent_name,
            email,
            consultees,
            answers,
            points,
            publication,
            channel: Channel::Online,
            held: !self.website.trim().is_empty(),
        })
    }

    fn validate_answers(
        &self,
        questions: &[Question],
        errors: &mut Vec<ValidationError>,
    ) -> Vec<(QuestionId, String)> {
        let mut answers = Vec::new();
        for (n, q) in (1..).zip(questions) {
            let field = format!("answer-{}", q.id.0);
            let value = self
                .answers
                .get(&q.id.0)
                .map(String::as_str)
                .unwrap_or("")
                .trim();
            if value.is_empty() {
                if q.required {
                    let verb = if q.kind == QuestionKind::FreeText {
                        "Enter your answer to"
                    } else {
                        "Select an answer to"
                    };
                    errors.push(ValidationError::new(field, format!("{verb} question {n}")));
                }
                continue;
            }
            let allowed = match q.kind {
                QuestionKind::FreeText => true,
                QuestionKind::SingleChoice => q.choice_list().iter().any(|c| c == value),
                QuestionKind::AgreeScale => AGREE_SCALE.contains(&value),
            };
            match optional_text(
                &field,
                &format!("Your answer to question {n}"),
                value,
                MAX_ANSWER_CHARS,
            ) {
                Ok(Some(text)) if allowed => answers.push((q.id, text)),
                Ok(_) => errors.push(ValidationError::new(
                    field,
                    format!("Select one of the answers to question {n}"),
                )),
                Err(e) => errors.push(e),
            }
        }
        answers
    }

    fn validate_points(
        &self,
        sections: &[Section],
        bodies: &[Body],
        errors: &mut Vec<ValidationError>,
    ) -> Vec<PointInput> {
        let mut points = Vec::new();
        for (i, point) in self.points.iter().enumerate() {
            let n = i + 1;
            let field = format!("point-{n}-text");
            match optional_text(&field, &format!("Point {n}"), &point.text, MAX_POINT_CHARS) {
                Ok(Some(text)) => {
                    let section_ids = ids(&point.sections, |id| {
                        sections.iter().find(|s| s.id.0 == id).map(|s| s.id)
                    });
                    let body_ids = ids(&point.bodies, |id| {
                        bodies.iter().find(|b| b.id.0 == id).map(|b| b.id)
                    });
                    match (section_ids, body_ids) {
                        (Some(sections), Some(bodies)) => points.push(PointInput { text, sections, bodies }),
                        _ => errors.push(ValidationError::new(field, format!("Point {n} is tagged with a part of the document that does not exist"))),
                    }
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        points
    }
}

/// Parses typed ids through `find`; `None` if any is unknown.
fn ids<T>(typed: &[String], find: impl Fn(i64) -> Option<T>) -> Option<Vec<T>> {
    typed
        .iter()
        .map(|t| t.parse::<i64>().ok().and_then(&find))
        .collect()
}

/// Ids typed for sections, for re-rendering checkboxes.
pub fn is_checked(typed: &[String], id: i64) -> bool {
    typed.iter().any(|t| t.parse::<i64>().ok() == Some(id))
}

/// Convenience for tests and callers: the id types behind the strings.
pub fn section_ids(point: &TypedPoint) -> Vec<SectionId> {
    point
        .sections
        .iter()
        .filter_map(|s| s.parse().ok())
        .map(SectionId)
        .collect()
}

/// See [`section_ids`].
pub fn body_ids(point: &TypedPoint) -> Vec<BodyId> {
    point
        .bodies
        .iter()
        .filter_map(|s| s.parse().ok())
        .map(BodyId)
        .collect()
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
    fn every_missing_required_field_gets_its_own_message() {
        let errors = RespondForm::blank()
            .validate(&[], &[], &[])
            .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["name", "on_behalf", "point-1-text", "publication"]
        );
        assert_eq!(errors[0].message, "Enter your name");
    }

    #[test]
    fn a_joint_response_lists_every_organisation_in_order() {
        let typed = RespondForm::from_form(&form(&[
            ("name", "Ann"),
            ("on_behalf", "yes"),
            (
                "organisation",
                "St Philip and St. James Residents Association",
            ),
            ("organisation_kind", "residents_association"),
            ("joint-1-name", "Stronger Communities Partnership"),
            ("joint-1-kind", "partnership"),
            ("point-1-text", "Welcomed the formal role of NCGs"),
            ("publication", "with_names"),
        ]));
        let submission = typed.validate(&[], &[], &[]).expect("valid");
        let names: Vec<&str> = submission
            .consultees
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "St Philip and St. James Residents Association",
                "Stronger Communities Partnership"
            ]
        );
        assert!(!submission.held);
    }

    #[test]
    fn points_are_kept_in_order_and_removing_renumbers_them() {
        let mut typed = RespondForm::from_form(&form(&[
            ("point-2-text", "second"),
            ("point-1-text", "first"),
            ("point-3-text", "third"),
        ]));
        assert_eq!(
            typed
                .points
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>(),
            vec!["first", "second", "third"]
        );
        typed.apply(Action::RemovePoint(2));
        assert_eq!(
            typed
                .points
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>(),
            vec!["first", "third"]
        );
        typed.apply(Action::AddPoint);
        assert_eq!(typed.points.len(), 3);
        assert_eq!(
            RespondForm::from_form(&FormData::from_pairs(typed.to_pairs())),
            typed
        );
    }

    #[test]
    fn an_over_long_point_is_refused_with_the_limit() {
        let long = "a".repeat(MAX_POINT_CHARS + 1);
        let typed = RespondForm::from_form(&form(&[("point-1-text", &long)]));
        let errors = typed.validate(&[], &[], &[]).expect_err("too long");
        assert!(errors.iter().any(|e| e.field == "point-1-text"
            && e.message == "Point 1 must be 10,000 characters or fewer"));
    }

    #[test]
    fn a_filled_honeypot_marks_the_submission_held() {
        let typed = RespondForm::from_form(&form(&[
            ("name", "Bot"),
            ("on_behalf", "no"),
            ("point-1-text", "Buy now"),
            ("publication", "anonymous"),
            ("website", "http://spam.example"),
        ]));
        assert!(typed.validate(&[], &[], &[]).expect("valid").held);
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
