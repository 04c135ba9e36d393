//! The consultee's pages as templates read them: the response form, the
//! check page, the refusal that gives back what was typed, and the
//! confirmation and private pages.

use serde::Serialize;

use super::form_model::{is_checked, to_pairs};
use crate::domain::question::AGREE_SCALE;
use crate::domain::submission::SubmissionDraft;
use crate::domain::text::thousands;
use crate::domain::{ConsulteeKind, Publication, QuestionKind, ValidationError, time};
use crate::service::limits;
use crate::service::model::{Body, Consultation, Question, Section};
use crate::web::render::{Choice, ErrorLink, error_for, error_links};

/// What the form is for: a new response, or changing one.
#[derive(Debug, Clone)]
pub enum FormMode {
    /// A new response: continues to the check page.
    New,
    /// Changing a response through its private link.
    Change {
        reference: String,
        key: String,
        version: i32,
    },
}

/// Everything the form page needs besides what was typed.
pub struct FormContext<'a> {
    pub consultation: &'a Consultation,
    pub questions: &'a [Question],
    pub sections: &'a [Section],
    pub bodies: &'a [Body],
    /// Whether e-mail receipts are sent.
    pub receipts: bool,
}

/// What the page says about the consultation.
#[derive(Debug, Serialize)]
pub struct ConsultationName {
    title: String,
    slug: String,
    run_by: String,
    group_name: String,
}

impl ConsultationName {
    pub fn of(c: &Consultation) -> Self {
        Self {
            title: c.title.clone(),
            slug: c.slug.clone(),
            run_by: c.run_by.clone(),
            group_name: c.group_name.clone(),
        }
    }
}

/// A text field as typed, and its error.
#[derive(Debug, Serialize)]
struct TextField {
    value: String,
    error: Option<String>,
}

fn text_field(value: &str, errors: &[ValidationError], field: &str) -> TextField {
    TextField {
        value: value.to_string(),
        error: error_for(errors, field),
    }
}

fn kind_options(selected: &str, organisations_only: bool) -> Vec<Choice> {
    let kinds: Vec<ConsulteeKind> = (ConsulteeKind::ALL.iter().copied())
        .filter(|k| !organisations_only || *k != ConsulteeKind::Individual)
        .collect();
    Choice::list(&kinds, |k| k.as_str(), |k| k.label(), selected)
}

/// What each publication choice means for the published summary. The same
/// rule as `service::summary` applies it: say it where the choice is made.
pub fn publication_hint(choice: Publication) -> &'static str {
    match choice {
        Publication::WithNames => {
            "Your points will appear in the published summary with your name, or your organisation's, and your response will be published."
        }
        Publication::Anonymous => {
            "Your points will appear in the published summary and your response will be published, without your name (as “Name withheld”)."
        }
        Publication::NotPublished => {
            "The group will consider your points, but they will not appear in the published summary and your response will not be published. The summary will say how many points are not shown."
        }
    }
}

/// The closing line for the form's header.
pub fn closes_text(consultation: &Consultation) -> Option<String> {
    crate::service::consultations::closing_instant(consultation)
        .map(|t| time::date_and_time(time::from_db(t)))
}

#[derive(Debug, Serialize)]
struct ChangeOf {
    reference: String,
    key: String,
    version: i32,
}

#[derive(Debug, Serialize)]
struct OnBehalf {
    yes: bool,
    no: bool,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct KindField {
    options: Vec<Choice>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct JointField {
    n: usize,
    name: String,
    kinds: Vec<Choice>,
    name_error: Option<String>,
    kind_error: Option<String>,
}

/// An answer to choose: its value and the id of its radio.
#[derive(Debug, Serialize)]
struct AnswerOption {
    value: String,
    id: String,
    chosen: bool,
}

#[derive(Debug, Serialize)]
struct QuestionField {
    n: usize,
    id: i64,
    prompt: String,
    required: bool,
    free_text: bool,
    value: String,
    options: Vec<AnswerOption>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct PointField {
    n: usize,
    text: String,
    error: Option<String>,
    removable: bool,
    sections: Vec<Choice>,
    bodies: Vec<Choice>,
}

#[derive(Debug, Serialize)]
struct PublicationOption {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
    chosen: bool,
}

#[derive(Debug, Serialize)]
struct PublicationField {
    options: Vec<PublicationOption>,
    error: Option<String>,
}

impl CheckPage {
    /// The check page of answers saved under `key`.
    pub fn resuming(mut self, key: &str) -> Self {
        self.resume = Some(key.to_string()).filter(|k| !k.is_empty());
        self
    }
}

impl FormPage {
    /// The form continuing the answers saved under `key`.
    pub fn resuming(mut self, key: &str) -> Self {
        self.resume = Some(key.to_string());
        self
    }
}

/// The response form, as typed so far.
#[derive(Debug, Serialize)]
pub struct FormPage {
    /// The key of the answers this form continues (save and return).
    resume: Option<String>,
    consultation: ConsultationName,
    closes: Option<String>,
    form_action: String,
    change: Option<ChangeOf>,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    name: TextField,
    email: TextField,
    on_behalf: OnBehalf,
    organisation: TextField,
    organisation_kind: KindField,
    joint: Vec<JointField>,
    can_add_organisation: bool,
    /// The number the next joint organisation or point will have: "Add"
    /// posts to the form with that field's anchor, so the page comes back
    /// at the new field (no JavaScript needed).
    next_joint: usize,
    questions: Vec<QuestionField>,
    points: Vec<PointField>,
    can_add_point: bool,
    next_point: usize,
    max_point_chars: String,
    max_points: usize,
    has_sections: bool,
    has_bodies: bool,
    publication: PublicationField,
    website: String,
    tell_me_outcome: bool,
    receipts: bool,
}

fn question_fields(
    ctx: &FormContext<'_>,
    typed: &SubmissionDraft,
    errors: &[ValidationError],
) -> Vec<QuestionField> {
    (1..)
        .zip(ctx.questions)
        .map(|(n, q)| {
            let value = typed.answers.get(&q.id.0).cloned().unwrap_or_default();
            let choices: Vec<String> = match q.kind {
                QuestionKind::FreeText => Vec::new(),
                QuestionKind::SingleChoice => q.choice_list(),
                QuestionKind::AgreeScale => AGREE_SCALE.iter().map(|s| s.to_string()).collect(),
            };
            let options = (1..)
                .zip(&choices)
                .map(|(i, c)| AnswerOption {
                    chosen: *c == value,
                    id: if i == 1 {
                        format!("answer-{}", q.id.0)
                    } else {
                        format!("answer-{}-{}", q.id.0, i)
                    },
                    value: c.clone(),
                })
                .collect();
            QuestionField {
                n,
                id: q.id.0,
                prompt: q.prompt.clone(),
                required: q.required,
                free_text: q.kind == QuestionKind::FreeText,
                value,
                options,
                error: error_for(errors, &format!("answer-{}", q.id.0)),
            }
        })
        .collect()
}

fn point_fields(
    ctx: &FormContext<'_>,
    typed: &SubmissionDraft,
    errors: &[ValidationError],
) -> Vec<PointField> {
    let ticks = |ticked: &[String], all: Vec<(i64, String)>| -> Vec<Choice> {
        all.into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
                chosen: is_checked(ticked, id),
            })
            .collect()
    };
    (1..)
        .zip(&typed.issues)
        .map(|(n, p)| PointField {
            n,
            text: p.text.clone(),
            error: error_for(errors, &format!("point-{n}-text")),
            removable: typed.issues.len() > 1,
            sections: ticks(
                &p.sections,
                ctx.sections
                    .iter()
                    .map(|s| (s.id.0, s.heading.clone()))
                    .collect(),
            ),
            bodies: ticks(
                &p.bodies,
                ctx.bodies
                    .iter()
                    .map(|b| (b.id.0, b.name.clone()))
                    .collect(),
            ),
        })
        .collect()
}

/// Where the form is sent, and what a change carries.
fn action_of(ctx: &FormContext<'_>, mode: &FormMode) -> (String, Option<ChangeOf>) {
    let slug = &ctx.consultation.slug;
    match mode {
        FormMode::New => (format!("/consultations/{slug}/respond"), None),
        FormMode::Change {
            reference,
            key,
            version,
        } => (
            format!("/consultations/{slug}/responses/{reference}"),
            Some(ChangeOf {
                reference: reference.clone(),
                key: key.clone(),
                version: *version,
            }),
        ),
    }
}

/// The response form with what was typed, its errors and a notice.
pub fn form_page(
    ctx: &FormContext<'_>,
    typed: &SubmissionDraft,
    (errors, notice): (&[ValidationError], Option<&str>),
    mode: &FormMode,
) -> FormPage {
    let (form_action, change) = action_of(ctx, mode);
    let points = point_fields(ctx, typed, errors);
    FormPage {
        resume: None,
        consultation: ConsultationName::of(ctx.consultation),
        closes: closes_text(ctx.consultation),
        form_action,
        change,
        notice: notice.map(str::to_string),
        errors: error_links(errors, ""),
        name: text_field(&typed.name, errors, "name"),
        email: text_field(&typed.email, errors, "email"),
        on_behalf: OnBehalf {
            yes: typed.on_behalf == "yes",
            no: typed.on_behalf == "no",
            error: error_for(errors, "on_behalf"),
        },
        organisation: text_field(&typed.organisation.name, errors, "organisation"),
        organisation_kind: KindField {
            options: kind_options(&typed.organisation.kind, true),
            error: error_for(errors, "organisation_kind"),
        },
        joint: (1..)
            .zip(&typed.joint)
            .map(|(n, o)| JointField {
                n,
                name: o.name.clone(),
                kinds: kind_options(&o.kind, false),
                name_error: error_for(errors, &format!("joint-{n}-name")),
                kind_error: error_for(errors, &format!("joint-{n}-kind")),
            })
            .collect(),
        can_add_organisation: typed.joint.len() < limits::JOINT_ORGANISATIONS,
        next_joint: typed.joint.len() + 1,
        questions: question_fields(ctx, typed, errors),
        next_point: points.len() + 1,
        points,
        can_add_point: typed.issues.len() < limits::ISSUES_PER_RESPONSE,
        max_point_chars: thousands(limits::ISSUE_CHARS),
        max_points: limits::ISSUES_PER_RESPONSE,
        has_sections: !ctx.sections.is_empty(),
        has_bodies: !ctx.bodies.is_empty(),
        publication: PublicationField {
            options: (Publication::ALL.iter())
                .map(|p| PublicationOption {
                    value: p.as_str(),
                    label: p.label(),
                    hint: publication_hint(*p),
                    chosen: p.as_str() == typed.publication,
                })
                .collect(),
            error: error_for(errors, "publication"),
        },
        website: typed.honeypot.clone(),
        tell_me_outcome: typed.tell_me_outcome,
        receipts: ctx.receipts,
    }
}

#[derive(Debug, Serialize)]
struct CheckedAnswer {
    /// The question's id: its field is `answer-{id}`.
    id: i64,
    n: usize,
    prompt: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct CheckedPoint {
    n: usize,
    paragraphs: Vec<String>,
    /// The sections and the bodies it is about, each a row of its own
    /// (a section and a body can share a name).
    sections: String,
    bodies: String,
}

/// A field carried from the form through the check page.
#[derive(Debug, Serialize)]
struct Hidden {
    name: String,
    value: String,
}

/// "Check your answers": what will be sent, and the form again as hidden
/// fields.
#[derive(Debug, Serialize)]
pub struct CheckPage {
    /// The key of the saved answers this continues, if any.
    resume: Option<String>,
    consultation: ConsultationName,
    form_action: String,
    name: String,
    email: String,
    who: Vec<String>,
    answers: Vec<CheckedAnswer>,
    points: Vec<CheckedPoint>,
    publication: &'static str,
    hidden: Vec<Hidden>,
}

/// Who a response is from, as the check page lists them.
fn responding_for(typed: &SubmissionDraft) -> Vec<String> {
    let kind_label = |word: &str| {
        word.parse::<ConsulteeKind>()
            .map(|k| k.label())
            .unwrap_or("")
    };
    let organisation = (typed.on_behalf == "yes").then_some(&typed.organisation);
    organisation
        .into_iter()
        .chain(typed.joint.iter().filter(|o| !o.name.trim().is_empty()))
        .map(|o| format!("{} ({})", o.name.trim(), kind_label(&o.kind)))
        .collect()
}

fn checked_points(ctx: &FormContext<'_>, typed: &SubmissionDraft) -> Vec<CheckedPoint> {
    (typed.issues.iter())
        .filter(|p| !p.text.trim().is_empty())
        .enumerate()
        .map(|(i, p)| {
            let sections: Vec<&str> = (ctx.sections.iter())
                .filter(|s| is_checked(&p.sections, s.id.0))
                .map(|s| s.heading.as_str())
                .collect();
            let bodies: Vec<&str> = (ctx.bodies.iter())
                .filter(|b| is_checked(&p.bodies, b.id.0))
                .map(|b| b.name.as_str())
                .collect();
            CheckedPoint {
                n: i + 1,
                paragraphs: paragraphs(&p.text),
                sections: sections.join(", "),
                bodies: bodies.join(", "),
            }
        })
        .collect()
}

/// The check page for what was typed.
pub fn check_page(ctx: &FormContext<'_>, typed: &SubmissionDraft) -> CheckPage {
    CheckPage {
        resume: None,
        consultation: ConsultationName::of(ctx.consultation),
        form_action: format!("/consultations/{}/respond", ctx.consultation.slug),
        name: typed.name.trim().to_string(),
        email: typed.email.trim().to_string(),
        who: responding_for(typed),
        answers: (1..)
            .zip(ctx.questions)
            .filter_map(|(n, q)| {
                let value = typed.answers.get(&q.id.0)?.trim();
                (!value.is_empty()).then(|| CheckedAnswer {
                    id: q.id.0,
                    n,
                    prompt: q.prompt.clone(),
                    value: value.to_string(),
                })
            })
            .collect(),
        points: checked_points(ctx, typed),
        publication: (typed.publication.parse::<Publication>())
            .map(|p| p.label())
            .unwrap_or(""),
        hidden: (to_pairs(typed).into_iter())
            .map(|(name, value)| Hidden { name, value })
            .collect(),
    }
}

/// Splits text into paragraphs for display.
pub fn paragraphs(text: &str) -> Vec<String> {
    crate::web::view::paragraphs(text)
}

/// One thing typed, given back in a read-only box.
#[derive(Debug, Serialize)]
struct TypedBox {
    label: String,
    value: String,
    id: String,
    rows: usize,
}

/// Why the response could not be taken, and everything that was typed, so
/// nothing is lost.
#[derive(Debug, Serialize)]
pub struct RefusedPage {
    heading: String,
    message: String,
    typed: Vec<TypedBox>,
    slug: Option<String>,
}

/// The refusal page for what was typed.
pub fn refused_page(
    heading: &str,
    message: &str,
    typed: &SubmissionDraft,
    slug: Option<&str>,
) -> RefusedPage {
    let mut fields: Vec<TypedBox> = Vec::new();
    let mut add = |label: String, value: &str| {
        if !value.trim().is_empty() {
            fields.push(TypedBox {
                label,
                value: value.to_string(),
                id: format!("typed-{}", fields.len() + 1),
                rows: value.lines().count().clamp(2, 12),
            });
        }
    };
    add("Your name".into(), &typed.name);
    add("Email address".into(), &typed.email);
    add("Organisation or committee".into(), &typed.organisation.name);
    for (i, org) in typed.joint.iter().enumerate() {
        add(format!("Joint organisation {}", i + 1), &org.name);
    }
    for (question, value) in &typed.answers {
        add(
            format!("Your answer (question reference {question})"),
            value,
        );
    }
    for (i, point) in typed.issues.iter().enumerate() {
        add(format!("Point {}", i + 1), &point.text);
    }
    RefusedPage {
        heading: heading.to_string(),
        message: message.to_string(),
        typed: fields,
        slug: slug.map(str::to_string),
    }
}

/// The page after "Save and come back later".
#[derive(Debug, Serialize)]
pub struct SavedPage {
    pub consultation: ConsultationName,
    /// The private link, as a full URL.
    pub link: String,
    pub closes: Option<String>,
    /// Where the link was e-mailed (SMTP set and an address given).
    pub emailed_to: Option<String>,
}
