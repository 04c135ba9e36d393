//! The one validator of responses: a [`SubmissionDraft`] from the web form,
//! the JSON API or an imported row becomes a checked [`Submission`] here,
//! with GOV.UK-style messages naming each field, and the limits of
//! [`limits`]. A `Submission` cannot be made any other way, so nothing
//! unchecked reaches the database.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::kind::classify;
use crate::db::document::{Question, Section};
use crate::db::structure::Body;
use crate::db::{self, DbConnection};
use crate::domain::consultee::MAX_NAME_CHARS;
use crate::domain::question::AGREE_SCALE;
use crate::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use crate::domain::text::{optional_text, required_line, thousands};
use crate::domain::{
    BodyId, Channel, ConsultationId, ConsulteeKind, EmailAddress, IssueKind, Publication,
    QuestionId, QuestionKind, SectionId, ValidationError,
};
use crate::service::{ServiceResult, limits};

/// What a consultation's form accepts: its questions, and the sections and
/// bodies an issue may be tagged with.
#[derive(Debug, Clone, Default)]
pub struct FormSpec {
    pub questions: Vec<Question>,
    pub sections: Vec<Section>,
    pub bodies: Vec<Body>,
}

impl FormSpec {
    /// The form of consultation `id`.
    pub fn of(conn: &mut DbConnection, id: ConsultationId) -> ServiceResult<Self> {
        Ok(Self {
            questions: db::document::questions_of(conn, id)?,
            sections: db::document::sections_of(conn, id)?,
            bodies: db::structure::bodies_of(conn, id)?,
        })
    }
}

/// Who a response is from: the first is the responding person or
/// organisation, any more make it a joint response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsulteeInput {
    pub name: String,
    pub kind: ConsulteeKind,
}

/// One checked issue, with the sections and bodies it is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PointInput {
    pub text: String,
    pub sections: Vec<SectionId>,
    pub bodies: Vec<BodyId>,
}

/// Proof that a submission went through [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked;

/// A checked submission, ready to store. Its parts are read through
/// methods: once checked, nothing outside the service changes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submission {
    /// The person's name (personal data; empty for a letter signed by an
    /// organisation only).
    pub(crate) respondent_name: String,
    /// For a receipt and the outcome (personal data).
    pub(crate) email: Option<String>,
    pub(crate) consultees: Vec<ConsulteeInput>,
    pub(crate) answers: Vec<(QuestionId, String)>,
    pub(crate) points: Vec<PointInput>,
    pub(crate) publication: Publication,
    pub(crate) channel: Channel,
    /// The consultee wants an e-mail when the outcome is published.
    pub(crate) tell_me_outcome: bool,
    /// Tripped the honeypot: kept, but held for an officer.
    pub(crate) held: bool,
    #[serde(skip)]
    checked: Checked,
}

impl Submission {
    /// The e-mail address a receipt goes to, if the consultee gave one.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// Who the response is from, the responding person or organisation
    /// first.
    pub fn consultees(&self) -> &[ConsulteeInput] {
        &self.consultees
    }

    /// The points made, each to become an issue.
    pub fn points(&self) -> &[PointInput] {
        &self.points
    }

    /// Answers to the consultation's questions.
    pub fn answers(&self) -> &[(QuestionId, String)] {
        &self.answers
    }

    /// What the consultee agreed to about publication.
    pub fn publication(&self) -> Publication {
        self.publication
    }

    /// Whether it tripped the honeypot.
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// The response's text as a whole: its points, separated by blank lines.
    pub fn content(&self) -> String {
        self.points
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Each point's kind, by the rules of [`classify`]. The response writer
    /// works alone, so request handlers classify before queueing.
    pub fn point_kinds(&self) -> Vec<IssueKind> {
        self.points.iter().map(|p| classify(&p.text)).collect()
    }

    /// A response read back as it was stored (it was checked when it was
    /// received): what the consultee sees through their private link.
    pub fn read_back(view: &crate::service::responses::PrivateView) -> Self {
        let first = view.consultees.first();
        Self {
            respondent_name: first
                .and_then(|c| c.contact_name.clone())
                .unwrap_or_default(),
            email: first.and_then(|c| c.contact_email.clone()),
            consultees: view
                .consultees
                .iter()
                .map(|c| ConsulteeInput {
                    name: c.name.clone(),
                    kind: c.kind,
                })
                .collect(),
            answers: view.answers.clone(),
            points: view
                .points
                .iter()
                .map(|(issue, sections, bodies)| PointInput {
                    text: issue.content.clone(),
                    sections: sections.clone(),
                    bodies: bodies.clone(),
                })
                .collect(),
            publication: view.response.publication,
            channel: view.response.channel,
            tell_me_outcome: view.response.tell_me_outcome,
            held: view.response.status == crate::domain::ResponseStatus::Held,
            checked: Checked,
        }
    }

    /// The same submission marked as held (a change to a held response
    /// stays held).
    pub fn held(mut self, held: bool) -> Self {
        self.held = held;
        self
    }

    /// A digest of everything sent: an idempotency key is bound to it, so
    /// the same key with other content is refused rather than answered
    /// with someone else's receipt.
    pub fn digest(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        crate::security::sha256_hex(&json)
    }
}

/// Checks a draft against a consultation's form, collecting every problem.
/// Online responses need the person's name and answers to the required
/// questions; letters, e-mails and imports need the name of the person or
/// of the organisation, and answer what they answer.
pub fn validate(
    draft: &SubmissionDraft,
    spec: &FormSpec,
    channel: Channel,
) -> Result<Submission, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let respondent_name = respondent(draft, channel, &mut errors);
    let email = if draft.email.trim().is_empty() {
        None
    } else {
        Some(keep(
            &mut errors,
            EmailAddress::parse("email", &draft.email).map(|e| e.as_str().to_string()),
        ))
    };
    let mut consultees = on_behalf_of(draft, &respondent_name, &mut errors);
    consultees.extend(joint(&draft.joint, &mut errors));
    // Letters, e-mails and imported rows were not written on the form:
    // only the form's own answers are required.
    let online = channel == Channel::Online;
    let answers = answers(&draft.answers, &spec.questions, online, &mut errors);
    let points = points(&draft.issues, spec, &mut errors);
    check_length(&points, &answers, &mut errors);
    let publication = draft
        .publication
        .parse::<Publication>()
        .unwrap_or_else(|_| {
            errors.push(ValidationError::new(
                "publication",
                "Select whether we may publish your response",
            ));
            Publication::NotPublished
        });
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
        channel,
        tell_me_outcome: draft.tell_me_outcome,
        held: !draft.honeypot.trim().is_empty(),
        checked: Checked,
    })
}

/// The person who wrote: their name is needed online, and elsewhere
/// unless an organisation is named.
fn respondent(
    draft: &SubmissionDraft,
    channel: Channel,
    errors: &mut Vec<ValidationError>,
) -> String {
    let name_required = channel == Channel::Online || draft.on_behalf != "yes";
    if !name_required {
        let name =
            crate::domain::text::optional_line("name", "Your name", &draft.name, MAX_NAME_CHARS);
        return keep(errors, name.map(Option::unwrap_or_default));
    }
    let name = required_line("name", "Your name", &draft.name, MAX_NAME_CHARS).map_err(|mut e| {
        if draft.name.trim().is_empty() {
            e.message = "Enter your name".into();
        }
        e
    });
    keep(errors, name)
}

/// The organisation the response is from, or the person as an individual.
fn on_behalf_of(
    draft: &SubmissionDraft,
    respondent_name: &str,
    errors: &mut Vec<ValidationError>,
) -> Vec<ConsulteeInput> {
    match draft.on_behalf.as_str() {
        "yes" => {
            let name = keep(
                errors,
                required_line(
                    "organisation",
                    "The name of your organisation or committee",
                    &draft.organisation.name,
                    MAX_NAME_CHARS,
                ),
            );
            match draft.organisation.kind.parse::<ConsulteeKind>() {
                Ok(kind) if kind != ConsulteeKind::Individual => {
                    vec![ConsulteeInput { name, kind }]
                }
                _ => {
                    errors.push(ValidationError::new(
                        "organisation_kind",
                        "Select the type of organisation or committee",
                    ));
                    Vec::new()
                }
            }
        }
        "no" => vec![ConsulteeInput {
            name: respondent_name.to_string(),
            kind: ConsulteeKind::Individual,
        }],
        _ => {
            errors.push(ValidationError::new(
                "on_behalf",
                "Select yes if you are responding on behalf of an organisation or committee",
            ));
            Vec::new()
        }
    }
}

/// A response says something (a point or an answer), within the length
/// of one response.
fn check_length(
    points: &[PointInput],
    answers: &[(QuestionId, String)],
    errors: &mut Vec<ValidationError>,
) {
    if points.is_empty()
        && answers.is_empty()
        && !errors.iter().any(|e| e.field.starts_with("point-"))
    {
        errors.push(ValidationError::new(
            "point-1-text",
            "Enter at least one point, or answer a question",
        ));
    }
    let length: usize = points.iter().map(|p| p.text.chars().count()).sum::<usize>()
        + answers
            .iter()
            .map(|(_, a)| a.chars().count())
            .sum::<usize>();
    if length > limits::RESPONSE_CHARS {
        errors.push(ValidationError::new(
            "point-1-text",
            format!(
                "Your response is {} characters long; it can be up to {} characters. Shorten it, or send the rest as a second response",
                thousands(length),
                thousands(limits::RESPONSE_CHARS)
            ),
        ));
    }
}

/// The value of a check, or an empty string after recording its error.
fn keep(errors: &mut Vec<ValidationError>, result: Result<String, ValidationError>) -> String {
    result.unwrap_or_else(|error| {
        errors.push(error);
        String::new()
    })
}

/// The further organisations of a joint response; blank rows are skipped.
fn joint(typed: &[OrganisationDraft], errors: &mut Vec<ValidationError>) -> Vec<ConsulteeInput> {
    if typed.len() > limits::JOINT_ORGANISATIONS {
        errors.push(ValidationError::new(
            format!("joint-{}-name", limits::JOINT_ORGANISATIONS + 1),
            format!(
                "A joint response can name up to {} further organisations",
                limits::JOINT_ORGANISATIONS
            ),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (n, org) in (1..).zip(typed) {
        if org.name.trim().is_empty() && org.kind.is_empty() {
            continue;
        }
        let field = format!("joint-{n}-name");
        let name = match required_line(&field, "The organisation's name", &org.name, MAX_NAME_CHARS)
        {
            Ok(name) => name,
            Err(mut e) => {
                if org.name.trim().is_empty() {
                    e.message = format!("Enter the name of joint organisation {n}, or remove it");
                }
                errors.push(e);
                continue;
            }
        };
        match org.kind.parse::<ConsulteeKind>() {
            Ok(kind) => out.push(ConsulteeInput { name, kind }),
            Err(_) => errors.push(ValidationError::new(
                format!("joint-{n}-kind"),
                format!("Select the type of {name}"),
            )),
        }
    }
    out
}

/// Answers to the consultation's questions: required ones must be there,
/// choices must be offered ones, and no answer may name another question.
fn answers(
    typed: &BTreeMap<i64, String>,
    questions: &[Question],
    required: bool,
    errors: &mut Vec<ValidationError>,
) -> Vec<(QuestionId, String)> {
    if let Some(foreign) = typed
        .keys()
        .find(|id| !questions.iter().any(|q| q.id.0 == **id))
    {
        errors.push(ValidationError::new(
            format!("answer-{foreign}"),
            format!("There is no question {foreign} in this consultation"),
        ));
    }
    let mut answers = Vec::new();
    for (n, q) in (1..).zip(questions) {
        let field = format!("answer-{}", q.id.0);
        let value = typed.get(&q.id.0).map(String::as_str).unwrap_or("").trim();
        if value.is_empty() {
            if q.required && required {
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
            limits::ANSWER_CHARS,
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

/// The points made, each tagged with sections and bodies of this
/// consultation (each at most once); empty ones are skipped.
fn points(
    typed: &[IssueDraft],
    spec: &FormSpec,
    errors: &mut Vec<ValidationError>,
) -> Vec<PointInput> {
    if typed.len() > limits::ISSUES_PER_RESPONSE {
        errors.push(ValidationError::new(
            format!("point-{}-text", limits::ISSUES_PER_RESPONSE + 1),
            format!(
                "You can make up to {} separate points in one response; this one has {}. Join some together, or send the rest as a second response",
                limits::ISSUES_PER_RESPONSE,
                typed.len()
            ),
        ));
        return Vec::new();
    }
    let mut points = Vec::new();
    for (n, point) in (1..).zip(typed) {
        let field = format!("point-{n}-text");
        match optional_text(
            &field,
            &format!("Point {n}"),
            &point.text,
            limits::ISSUE_CHARS,
        ) {
            Ok(Some(text)) => {
                let sections = known(&point.sections, |id| {
                    spec.sections.iter().find(|s| s.id.0 == id).map(|s| s.id)
                });
                let bodies = known(&point.bodies, |id| {
                    spec.bodies.iter().find(|b| b.id.0 == id).map(|b| b.id)
                });
                match (sections, bodies) {
                    (Some(sections), Some(bodies)) => points.push(PointInput {
                        text,
                        sections,
                        bodies,
                    }),
                    _ => errors.push(ValidationError::new(
                        field,
                        format!(
                            "Point {n} is tagged with a part of the document that does not exist"
                        ),
                    )),
                }
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    points
}

/// Typed ids through `find`, each once, in order; `None` if any is unknown.
fn known<T: Ord + Copy>(typed: &[String], find: impl Fn(i64) -> Option<T>) -> Option<Vec<T>> {
    let ids: Option<BTreeSet<T>> = typed
        .iter()
        .map(|t| t.trim().parse::<i64>().ok().and_then(&find))
        .collect();
    ids.map(|ids| ids.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> SubmissionDraft {
        SubmissionDraft {
            name: "Ann".into(),
            on_behalf: "no".into(),
            issues: vec![IssueDraft {
                text: "The SLG should include the police".into(),
                ..IssueDraft::default()
            }],
            publication: "with_names".into(),
            ..SubmissionDraft::default()
        }
    }

    fn fields(errors: &[ValidationError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_missing_required_field_gets_its_own_message() {
        let errors = validate(
            &SubmissionDraft::blank(),
            &FormSpec::default(),
            Channel::Online,
        )
        .expect_err("invalid");
        assert_eq!(
            fields(&errors),
            vec!["name", "on_behalf", "point-1-text", "publication"]
        );
        assert_eq!(errors[0].message, "Enter your name");
    }

    #[test]
    fn a_joint_response_lists_every_organisation_in_order() {
        let typed = SubmissionDraft {
            on_behalf: "yes".into(),
            organisation: OrganisationDraft {
                name: "St Philip and St. James Residents Association".into(),
                kind: "residents_association".into(),
            },
            joint: vec![OrganisationDraft {
                name: "Stronger Communities Partnership".into(),
                kind: "partnership".into(),
            }],
            ..draft()
        };
        let submission = validate(&typed, &FormSpec::default(), Channel::Online).expect("valid");
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
    fn an_over_long_point_is_refused_with_the_limit() {
        let mut typed = draft();
        typed.issues[0].text = "a".repeat(limits::ISSUE_CHARS + 1);
        let errors = validate(&typed, &FormSpec::default(), Channel::Online).expect_err("too long");
        assert!(errors.iter().any(|e| e.field == "point-1-text"
            && e.message == "Point 1 must be 10,000 characters or fewer"));
    }

    #[test]
    fn too_many_points_are_refused_not_dropped() {
        let mut typed = draft();
        typed.issues = (0..=limits::ISSUES_PER_RESPONSE)
            .map(|i| IssueDraft {
                text: format!("point {i}"),
                ..IssueDraft::default()
            })
            .collect();
        let errors = validate(&typed, &FormSpec::default(), Channel::Online).expect_err("too many");
        assert_eq!(fields(&errors), vec!["point-51-text"]);
        assert!(errors[0].message.contains("up to 50 separate points"));
    }

    #[test]
    fn a_response_longer_than_the_limit_in_all_is_refused() {
        let mut typed = draft();
        typed.issues = (0..6)
            .map(|_| IssueDraft {
                text: "a".repeat(limits::ISSUE_CHARS),
                ..IssueDraft::default()
            })
            .collect();
        let errors = validate(&typed, &FormSpec::default(), Channel::Online).expect_err("too long");
        assert!(
            errors[0].message.contains("60,000 characters long"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_filled_honeypot_marks_the_submission_held() {
        let typed = SubmissionDraft {
            honeypot: "http://spam.example".into(),
            ..draft()
        };
        assert!(
            validate(&typed, &FormSpec::default(), Channel::Online)
                .expect("valid")
                .held
        );
    }

    #[test]
    fn a_letter_from_an_organisation_needs_no_persons_name() {
        let typed = SubmissionDraft {
            name: String::new(),
            on_behalf: "yes".into(),
            organisation: OrganisationDraft {
                name: "Glos Police Authority".into(),
                kind: "police".into(),
            },
            ..draft()
        };
        assert!(validate(&typed, &FormSpec::default(), Channel::Letter).is_ok());
        let errors = validate(&typed, &FormSpec::default(), Channel::Online).expect_err("online");
        assert_eq!(fields(&errors), vec!["name"]);
    }

    #[test]
    fn an_answer_to_a_question_of_another_consultation_is_refused() {
        let mut typed = draft();
        typed.answers.insert(99, "Yes".into());
        let errors = validate(&typed, &FormSpec::default(), Channel::Online).expect_err("foreign");
        assert_eq!(fields(&errors), vec!["answer-99"]);
    }

    #[test]
    fn a_section_named_twice_is_tagged_once() {
        let spec = FormSpec {
            sections: vec![Section {
                id: SectionId(21),
                consultation_id: ConsultationId(1),
                position: 1,
                heading: "The SLG".into(),
                content: String::new(),
            }],
            ..FormSpec::default()
        };
        let mut typed = draft();
        typed.issues[0].sections = vec!["21".into(), "21".into()];
        let submission = validate(&typed, &spec, Channel::Online).expect("valid");
        assert_eq!(submission.points[0].sections, vec![SectionId(21)]);
    }
}
