//! Taking responses from consultees: submitting, viewing and changing them.

use super::access::{self, Action, Caller, Scope};
use super::audit::{self, Actor, Change};
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{ServiceError, ServiceResult};
use crate::analysis::kind::classify;
use crate::db::consultations::Consultation;
use crate::db::consultees::Consultee;
use crate::db::issues::Issue;
use crate::db::responses::Response;
use crate::db::{self, DbConnection};
use crate::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use crate::domain::time;
use crate::domain::{
    BodyId, ConsultationStatus, ConsulteeKind, IssueKind, QuestionId, ResponseStatus, SectionId,
};
use crate::security::random_token;

pub use super::submission::{ConsulteeInput, FormSpec, PointInput, Submission};

mod store;
pub use store::{Stored, ToStore, store_all};

/// What the consultee is told after submitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
    /// Salt of the private edit link (the web layer signs it into a key).
    pub edit_salt: String,
    /// True when this was a resubmission of a form already received.
    pub repeated: bool,
}

/// Why a consultation does not take responses now, in words for the page;
/// `None` when it does.
pub fn refusal(consultation: &Consultation, now: DateTime<Utc>) -> Option<String> {
    let closes = super::consultations::closing_instant(consultation).map(time::from_db);
    match (consultation.status, closes) {
        (ConsultationStatus::Open, Some(closes)) if now > closes => Some(format!(
            "This consultation closed on {}.",
            time::date_and_time(closes)
        )),
        (ConsultationStatus::Open, _) => None,
        (ConsultationStatus::Draft, _) => Some("This consultation is not open yet.".into()),
        (_, Some(closes)) => Some(format!(
            "This consultation closed on {}.",
            time::date_and_time(closes)
        )),
        (_, None) => Some("This consultation is closed.".into()),
    }
}

/// The consultation with this slug if it is public.
pub fn public_consultation(conn: &mut DbConnection, slug: &str) -> ServiceResult<Consultation> {
    db::consultations::by_slug(conn, slug)?
        .filter(|c| c.status.is_public())
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))
}

/// Two copies of one form raced (on two instances, say) and the loser's
/// insert broke the unique key: the loser finds the winner's response.
pub(crate) fn after_race(
    conn: &mut DbConnection,
    result: ServiceResult<Receipt>,
    (submission_key, digest): (Option<&str>, &str),
) -> ServiceResult<Receipt> {
    match (result, submission_key) {
        (
            Err(ServiceError::Database(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))),
            Some(key),
        ) => {
            let existing = db::responses::by_submission_key(conn, key)?.ok_or_else(|| {
                ServiceError::Conflict(
                    "the response could not be saved; please send it again".into(),
                )
            })?;
            repeated_if_same(existing, digest)
        }
        (other, _) => other,
    }
}

/// The same key sent again: the first receipt if the content is the same
/// (a retry); refused if it differs, so a key never hands out another
/// response's receipt and private link (IETF Idempotency-Key draft, §2.6).
pub(crate) fn repeated_if_same(existing: Response, digest: &str) -> ServiceResult<Receipt> {
    match existing.submission_hash.as_deref() {
        Some(first) if first != digest => Err(ServiceError::invalid("idempotency_key", KEY_REUSED)),
        _ => Ok(repeated(existing)),
    }
}

/// Why a key sent again with other content is refused.
pub const KEY_REUSED: &str = "This request was already sent with different content. Send the new content as a new request (a new Idempotency-Key, or a fresh form).";

fn repeated(existing: Response) -> Receipt {
    Receipt {
        reference: existing.reference,
        edit_salt: existing.edit_salt.unwrap_or_default(),
        repeated: true,
    }
}

/// Checks and stores one submission inside the caller's transaction (the
/// group-commit writer's, in a savepoint); a copy sent before under the same
/// key returns the first receipt.
pub(crate) fn write_submission(
    conn: &mut DbConnection,
    slug: &str,
    (submission, digest): (&Submission, &str),
    submission_key: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<Receipt> {
    let consultation = public_consultation(conn, slug)?;
    let earlier = match submission_key {
        Some(key) => db::responses::by_submission_key(conn, key)?,
        None => None,
    };
    let references = References::needed_by(conn, &consultation, submission)?;
    match check(
        earlier,
        &consultation,
        &references,
        (submission, digest),
        now,
    )? {
        Checked::Repeated(receipt) => Ok(receipt),
        Checked::New => {
            let edit_salt = random_token(16);
            let item = ToStore {
                consultation: &consultation,
                stored: received(
                    submission,
                    (submission_key, Some(digest)),
                    &edit_salt,
                    now,
                    None,
                ),
            };
            let stored = store_all(conn, &Actor::system("consultee"), now, &[item])?;
            let reference = stored
                .into_iter()
                .next()
                .map(|(_, r)| r)
                .unwrap_or_default();
            Ok(Receipt {
                reference,
                edit_salt,
                repeated: false,
            })
        }
    }
}

/// A submission checked against its consultation, before anything is written.
pub(crate) enum Checked {
    /// To be stored as a new response.
    New,
    /// A copy under the same key was stored before: its receipt.
    Repeated(Receipt),
}

/// Checks a submission without writing: `earlier`, the response stored
/// under its key before (if any), the closing time, and references to
/// another consultation's questions, sections or bodies.
pub(crate) fn check(
    earlier: Option<Response>,
    consultation: &Consultation,
    references: &References,
    (submission, digest): (&Submission, &str),
    now: DateTime<Utc>,
) -> ServiceResult<Checked> {
    if let Some(existing) = earlier {
        return repeated_if_same(existing, digest).map(Checked::Repeated);
    }
    if let Some(why) = refusal(consultation, now) {
        return Err(ServiceError::Closed(why));
    }
    references.check(submission)?;
    Ok(Checked::New)
}

/// A consultee's submission as a response to store, with the salt of its
/// private link.
pub(crate) fn received<'a>(
    submission: &'a Submission,
    (submission_key, submission_hash): (Option<&'a str>, Option<&'a str>),
    edit_salt: &'a str,
    now: DateTime<Utc>,
    kinds: Option<&'a [IssueKind]>,
) -> Stored<'a> {
    Stored {
        submission,
        kinds,
        received_at: now,
        received_time_known: true,
        submission_key,
        submission_hash,
        edit_salt: Some(edit_salt),
        action: if submission.held {
            "response held (honeypot)"
        } else {
            "response received"
        },
    }
}

fn tag_point(
    conn: &mut DbConnection,
    issue: crate::domain::IssueId,
    point: &PointInput,
) -> ServiceResult<()> {
    for section in &point.sections {
        db::issues::tag_section(conn, issue, *section)?;
    }
    for body in &point.bodies {
        db::issues::tag_body(conn, issue, *body)?;
    }
    Ok(())
}

/// The questions, sections and bodies a consultation's form may refer to;
/// a forged form names another consultation's.
#[derive(Debug, Default)]
pub(crate) struct References {
    questions: HashSet<QuestionId>,
    sections: HashSet<SectionId>,
    bodies: HashSet<BodyId>,
}

impl References {
    /// All of the consultation's (for a batch of submissions).
    pub(crate) fn of(conn: &mut DbConnection, consultation: &Consultation) -> ServiceResult<Self> {
        let ids = db::document::referable_ids_of(conn, consultation.id)?;
        Ok(Self {
            questions: ids.questions.into_iter().collect(),
            sections: ids.sections.into_iter().collect(),
            bodies: ids.bodies.into_iter().collect(),
        })
    }

    /// Only what `submission` needs checked: nothing when it answers no
    /// question and tags no point.
    pub(crate) fn needed_by(
        conn: &mut DbConnection,
        consultation: &Consultation,
        submission: &Submission,
    ) -> ServiceResult<Self> {
        let tagged = submission
            .points
            .iter()
            .any(|p| !p.sections.is_empty() || !p.bodies.is_empty());
        if submission.answers.is_empty() && !tagged {
            return Ok(Self::default());
        }
        Self::of(conn, consultation)
    }

    /// Refuses questions, sections and bodies that are not the consultation's.
    pub(crate) fn check(&self, submission: &Submission) -> ServiceResult<()> {
        let foreign = submission
            .answers
            .iter()
            .any(|(q, _)| !self.questions.contains(q))
            || submission.points.iter().any(|p| {
                p.sections.iter().any(|s| !self.sections.contains(s))
                    || p.bodies.iter().any(|b| !self.bodies.contains(b))
            });
        if foreign {
            return Err(ServiceError::invalid(
                "points",
                "The form refers to questions, sections or bodies of another consultation",
            ));
        }
        Ok(())
    }
}

/// A response as its consultee sees it through their private link.
#[derive(Debug, Clone)]
pub struct PrivateView {
    pub consultation: Consultation,
    pub response: Response,
    pub consultees: Vec<Consultee>,
    pub answers: Vec<(QuestionId, String)>,
    pub points: Vec<(Issue, Vec<SectionId>, Vec<BodyId>)>,
    /// The consultation's questions, in order (the answers' prompts).
    pub questions: Vec<crate::db::document::Question>,
}

impl PrivateView {
    /// Each answer with its question's prompt, in the document's order.
    pub fn answered(&self) -> Vec<(&str, &str)> {
        (self.questions.iter())
            .filter_map(|q| {
                let answer = self.answers.iter().find(|(id, _)| *id == q.id)?;
                Some((q.prompt.as_str(), answer.1.as_str()))
            })
            .filter(|(_, value)| !value.trim().is_empty())
            .collect()
    }

    /// The response as stored.
    pub fn as_submission(&self) -> Submission {
        Submission::read_back(self)
    }

    /// The response as it would be typed, to prefill the change form.
    pub fn as_draft(&self) -> SubmissionDraft {
        let mut consultees = self.consultees.iter();
        let first = consultees.next();
        let on_behalf = first.is_some_and(|c| c.kind != ConsulteeKind::Individual);
        let organisation = first.filter(|_| on_behalf).map(|c| OrganisationDraft {
            name: c.name.clone(),
            kind: c.kind.as_str().into(),
        });
        SubmissionDraft {
            name: first
                .and_then(|c| c.contact_name.clone())
                .unwrap_or_default(),
            email: first
                .and_then(|c| c.contact_email.clone())
                .unwrap_or_default(),
            on_behalf: if on_behalf { "yes" } else { "no" }.into(),
            organisation: organisation.unwrap_or_default(),
            joint: consultees
                .map(|c| OrganisationDraft {
                    name: c.name.clone(),
                    kind: c.kind.as_str().into(),
                })
                .collect(),
            answers: self.answers.iter().map(|(q, v)| (q.0, v.clone())).collect(),
            issues: self
                .points
                .iter()
                .map(|(issue, sections, bodies)| IssueDraft {
                    text: issue.content.clone(),
                    sections: sections.iter().map(|id| id.0.to_string()).collect(),
                    bodies: bodies.iter().map(|id| id.0.to_string()).collect(),
                })
                .collect(),
            publication: self.response.publication.as_str().into(),
            tell_me_outcome: false,
            honeypot: String::new(),
        }
    }
}

/// Loads a response of a public consultation by its reference.
pub fn private_view(
    conn: &mut DbConnection,
    slug: &str,
    reference: &str,
) -> ServiceResult<PrivateView> {
    let consultation = public_consultation(conn, slug)?;
    let response = db::responses::by_reference(conn, reference)?
        .filter(|r| r.consultation_id == consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("response {reference}")))?;
    let consultees = db::responses::consultees_of(conn, response.id)?;
    let answers = db::responses::answers_of(conn, response.id)?;
    let mut points = Vec::new();
    for issue in db::issues::of_response(conn, response.id)? {
        let (sections, bodies) = db::issues::structure_tags_of(conn, issue.id)?;
        points.push((issue, sections, bodies));
    }
    let questions = db::document::questions_of(conn, consultation.id)?;
    Ok(PrivateView {
        consultation,
        response,
        consultees,
        answers,
        points,
        questions,
    })
}

/// Applies a consultee's change to their response, before the closing time.
/// The old version is kept in the response's history; points keep their
/// place (and any triage) where they still exist.
pub fn change(
    conn: &mut DbConnection,
    slug: &str,
    reference: &str,
    expected_version: i32,
    changed: &Submission,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let before = private_view(conn, slug, reference)?;
        if let Some(why) = refusal(&before.consultation, now) {
            return Err(ServiceError::Closed(why));
        }
        References::needed_by(conn, &before.consultation, changed)?.check(changed)?;
        let stamp = now.naive_utc();
        let snapshot = serde_json::to_string(&before.as_draft()).unwrap_or_default();
        let response = &before.response;
        db::revisions::record(
            conn,
            response.id,
            response.version,
            &snapshot,
            stamp,
            "consultee",
        )?;
        let updated = db::responses::update_content(
            conn,
            response.id,
            expected_version,
            &changed.content(),
            changed.publication,
            stamp,
        )?;
        if updated == 0 {
            return Err(ServiceError::Conflict(
                "Your response was changed in another window since you opened this page. Your text is below: copy it, reload the page and make your change again.".into(),
            ));
        }
        // A redaction was made of the old text: it no longer fits. The
        // response goes back to unchecked, so the publish step asks an
        // officer to look again; nothing of it is public before then.
        if db::responses::redaction_of(conn, response.id)?
            .redacted_content
            .is_some()
        {
            db::responses::set_redaction(conn, response.id, &db::responses::Redaction::none())?;
        }
        db::responses::set_reviewed(conn, response.id, None)?;
        replace_answers_and_points(conn, &before, changed)?;
        audit::record(
            conn,
            &Actor::system("consultee"),
            now,
            Change {
                action: "response changed",
                entity: "response",
                id: response.id.0,
                before: Some(&snapshot),
                after: Some(&serde_json::to_string(changed).unwrap_or_default()),
            },
        )?;
        Ok(())
    })
}

/// A changed response's answers and points: points kept in place are
/// reworded (and lose an officer's public wording and their tags), new
/// ones added, ones no longer there removed.
fn replace_answers_and_points(
    conn: &mut DbConnection,
    before: &PrivateView,
    changed: &Submission,
) -> ServiceResult<()> {
    let response = &before.response;
    db::responses::clear_answers(conn, response.id)?;
    for (question, value) in &changed.answers {
        db::responses::add_answer(conn, response.id, *question, value)?;
    }
    for (index, point) in changed.points.iter().enumerate() {
        let issue = match before.points.get(index) {
            Some((existing, _, _)) => {
                if existing.content != point.text {
                    let kind = classify(&point.text);
                    db::issues::set_content(conn, existing.id, &point.text, kind)?;
                }
                db::issues::set_public_content(conn, existing.id, None)?;
                db::issues::clear_structure_tags(conn, existing.id)?;
                existing.id
            }
            None => db::issues::insert(
                conn,
                &db::issues::NewIssue {
                    consultation_id: before.consultation.id,
                    response_id: response.id,
                    position: i32::try_from(index + 1).unwrap_or(i32::MAX),
                    content: &point.text,
                    kind: classify(&point.text),
                },
            )?,
        };
        tag_point(conn, issue, point)?;
    }
    for (removed, _, _) in before.points.iter().skip(changed.points.len()) {
        db::issues::delete(conn, removed.id)?;
    }
    Ok(())
}

/// Responses held for review (they tripped the spam honeypot), with who
/// they say they are from, oldest first.
pub fn held(
    conn: &mut DbConnection,
    scope: &Scope,
) -> ServiceResult<Vec<(Response, Vec<Consultee>)>> {
    let mut held = Vec::new();
    for response in db::responses::of_consultation(conn, scope.consultation.id)? {
        if response.status == ResponseStatus::Held {
            let who = db::responses::consultees_of(conn, response.id)?;
            held.push((response, who));
        }
    }
    Ok(held)
}

/// An officer's decision on a held response: accept it as a real response,
/// or reject it as spam (kept, marked withdrawn, never counted).
pub fn review_held(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    (reference, decision): (&str, &str),
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let scope = access::open_for(conn, caller, slug, Action::Run)?;
        let accept = match decision {
            "accept" => true,
            "reject" => false,
            _ => {
                return Err(ServiceError::invalid(
                    "decision",
                    "Choose whether to accept or reject the response",
                ));
            }
        };
        let consultation = &scope.consultation;
        let actor = &scope.actor();
        let response = db::responses::by_reference(conn, reference)?
            .filter(|r| r.consultation_id == consultation.id && r.status == ResponseStatus::Held)
            .ok_or_else(|| ServiceError::NotFound(format!("held response {reference}")))?;
        let status = if accept {
            ResponseStatus::Received
        } else {
            ResponseStatus::Withdrawn
        };
        db::responses::set_status(conn, response.id, status, now.naive_utc())?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: if accept {
                    "held response accepted"
                } else {
                    "held response rejected as spam"
                },
                entity: "response",
                id: response.id.0,
                before: Some(ResponseStatus::Held.as_str()),
                after: Some(status.as_str()),
            },
        )?;
        Ok(())
    })
}

/// A public consultation and what its response form accepts.
pub fn form_of(conn: &mut DbConnection, slug: &str) -> ServiceResult<(Consultation, FormSpec)> {
    let consultation = public_consultation(conn, slug)?;
    let spec = FormSpec::of(conn, consultation.id)?;
    Ok((consultation, spec))
}
