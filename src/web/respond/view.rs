//! Template data for the response form, the check page and the private page.

use serde_json::{Value, json};

use super::form_model::{is_checked, to_pairs};
use crate::db::consultations::Consultation;
use crate::db::document::{Question, Section};
use crate::db::structure::Body;
use crate::domain::question::AGREE_SCALE;
use crate::domain::submission::SubmissionDraft;
use crate::domain::text::thousands;
use crate::domain::{ConsulteeKind, Publication, QuestionKind, ValidationError, time};
use crate::service::limits;

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

fn error_for<'a>(errors: &'a [ValidationError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

fn text_field(value: &str, errors: &[ValidationError], field: &str) -> Value {
    json!({ "value": value, "error": error_for(errors, field) })
}

fn kind_options(selected: &str, organisations_only: bool) -> Vec<Value> {
    ConsulteeKind::ALL
        .iter()
        .filter(|k| !organisations_only || **k != ConsulteeKind::Individual)
        .map(|k| json!({ "value": k.as_str(), "label": k.label(), "selected": k.as_str() == selected }))
        .collect()
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

/// Data for `respond.hbs`.
pub fn form_page(
    ctx: &FormContext<'_>,
    typed: &SubmissionDraft,
    errors: &[ValidationError],
    csrf_token: &str,
    mode: &FormMode,
    notice: Option<&str>,
) -> Value {
    let (form_action, change) = match mode {
        FormMode::New => (
            format!("/consultations/{}/respond", ctx.consultation.slug),
            None,
        ),
        FormMode::Change {
            reference,
            key,
            version,
        } => (
            format!(
                "/consultations/{}/responses/{}",
                ctx.consultation.slug, reference
            ),
            Some(json!({ "reference": reference, "key": key, "version": version })),
        ),
    };
    let questions: Vec<Value> = (1..)
        .zip(ctx.questions)
        .map(|(n, q)| {
            let value = typed.answers.get(&q.id.0).cloned().unwrap_or_default();
            let choices: Vec<String> = match q.kind {
                QuestionKind::FreeText => Vec::new(),
                QuestionKind::SingleChoice => q.choice_list(),
                QuestionKind::AgreeScale => AGREE_SCALE.iter().map(|s| s.to_string()).collect(),
            };
            let options: Vec<Value> = (1..)
                .zip(&choices)
                .map(|(i, c)| json!({ "value": c, "checked": *c == value, "id": if i == 1 { format!("answer-{}", q.id.0) } else { format!("answer-{}-{}", q.id.0, i) } }))
                .collect();
            json!({
                "n": n, "id": q.id.0, "prompt": q.prompt, "required": q.required,
                "free_text": q.kind == QuestionKind::FreeText, "value": value, "options": options,
                "error": error_for(errors, &format!("answer-{}", q.id.0)),
            })
        })
        .collect();
    let points: Vec<Value> = (1..)
        .zip(&typed.issues)
        .map(|(n, p)| {
            json!({
                "n": n, "text": p.text, "error": error_for(errors, &format!("point-{n}-text")),
                "removable": typed.issues.len() > 1,
                "sections": ctx.sections.iter().map(|s| json!({ "id": s.id.0, "heading": s.heading, "checked": is_checked(&p.sections, s.id.0) })).collect::<Vec<_>>(),
                "bodies": ctx.bodies.iter().map(|b| json!({ "id": b.id.0, "name": b.name, "checked": is_checked(&p.bodies, b.id.0) })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let joint: Vec<Value> = (1..)
        .zip(&typed.joint)
        .map(|(n, o)| json!({
            "n": n, "name": o.name, "kinds": kind_options(&o.kind, false),
            "name_error": error_for(errors, &format!("joint-{n}-name")), "kind_error": error_for(errors, &format!("joint-{n}-kind")),
        }))
        .collect();
    json!({
        "consultation": { "title": ctx.consultation.title, "slug": ctx.consultation.slug, "run_by": ctx.consultation.run_by },
        "closes": closes_text(ctx.consultation),
        "form_action": form_action,
        "change": change,
        "notice": notice,
        "csrf_token": csrf_token,
        "errors": errors,
        "name": text_field(&typed.name, errors, "name"),
        "email": text_field(&typed.email, errors, "email"),
        "on_behalf": { "yes": typed.on_behalf == "yes", "no": typed.on_behalf == "no", "error": error_for(errors, "on_behalf") },
        "organisation": text_field(&typed.organisation.name, errors, "organisation"),
        "organisation_kind": { "options": kind_options(&typed.organisation.kind, true), "error": error_for(errors, "organisation_kind") },
        "joint": joint,
        "can_add_organisation": typed.joint.len() < limits::JOINT_ORGANISATIONS,
        "questions": questions,
        "points": points,
        "can_add_point": typed.issues.len() < limits::ISSUES_PER_RESPONSE,
        "max_point_chars": thousands(limits::ISSUE_CHARS),
        "max_points": limits::ISSUES_PER_RESPONSE,
        "has_sections": !ctx.sections.is_empty(),
        "has_bodies": !ctx.bodies.is_empty(),
        "publication": {
            "options": Publication::ALL.iter().map(|p| json!({ "value": p.as_str(), "label": p.label(), "hint": publication_hint(*p), "checked": p.as_str() == typed.publication })).collect::<Vec<_>>(),
            "error": error_for(errors, "publication"),
        },
        "website": typed.honeypot,
        "tell_me_outcome": typed.tell_me_outcome,
        "receipts": ctx.receipts,
    })
}

/// Data for `respond_check.hbs`: what will be sent, and the form again as
/// hidden fields.
pub fn check_page(ctx: &FormContext<'_>, typed: &SubmissionDraft, csrf_token: &str) -> Value {
    let kind_label = |word: &str| {
        word.parse::<ConsulteeKind>()
            .map(|k| k.label())
            .unwrap_or("")
    };
    let mut who = Vec::new();
    if typed.on_behalf == "yes" {
        who.push(format!(
            "{} ({})",
            typed.organisation.name.trim(),
            kind_label(&typed.organisation.kind)
        ));
    }
    who.extend(
        typed
            .joint
            .iter()
            .filter(|o| !o.name.trim().is_empty())
            .map(|o| format!("{} ({})", o.name.trim(), kind_label(&o.kind))),
    );
    let answers: Vec<Value> = (1..)
        .zip(ctx.questions)
        .filter_map(|(n, q)| {
            let value = typed.answers.get(&q.id.0)?.trim();
            (!value.is_empty()).then(|| json!({ "n": n, "prompt": q.prompt, "value": value }))
        })
        .collect();
    let points: Vec<Value> = typed
        .issues
        .iter()
        .filter(|p| !p.text.trim().is_empty())
        .enumerate()
        .map(|(i, p)| {
            let tags: Vec<&str> = ctx
                .sections
                .iter()
                .filter(|s| is_checked(&p.sections, s.id.0))
                .map(|s| s.heading.as_str())
                .chain(
                    ctx.bodies
                        .iter()
                        .filter(|b| is_checked(&p.bodies, b.id.0))
                        .map(|b| b.name.as_str()),
                )
                .collect();
            json!({ "n": i + 1, "paragraphs": paragraphs(&p.text), "tags": tags.join(", ") })
        })
        .collect();
    let publication = typed
        .publication
        .parse::<Publication>()
        .map(|p| p.label())
        .unwrap_or("");
    json!({
        "consultation": { "title": ctx.consultation.title, "slug": ctx.consultation.slug },
        "form_action": format!("/consultations/{}/respond", ctx.consultation.slug),
        "csrf_token": csrf_token,
        "name": typed.name.trim(),
        "email": typed.email.trim(),
        "who": who,
        "answers": answers,
        "points": points,
        "publication": publication,
        "hidden": to_pairs(typed).into_iter().map(|(name, value)| json!({ "name": name, "value": value })).collect::<Vec<_>>(),
    })
}

/// Splits text into paragraphs for display.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Data for `respond_refused.hbs`: why the response could not be taken, and
/// everything that was typed, so nothing is lost.
pub fn refused_page(
    heading: &str,
    message: &str,
    typed: &SubmissionDraft,
    slug: Option<&str>,
) -> Value {
    let mut fields: Vec<Value> = Vec::new();
    let mut add = |label: String, value: &str| {
        if !value.trim().is_empty() {
            fields.push(json!({ "label": label, "value": value, "id": format!("typed-{}", fields.len() + 1), "rows": value.lines().count().clamp(2, 12) }));
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
    json!({ "title": heading, "heading": heading, "message": message, "typed": fields, "slug": slug })
}
