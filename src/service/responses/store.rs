//! Storing a batch of responses at once: ids reserved, references taken
//! in one block per consultation, every row written together.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::result::Error as DieselError;

use super::Submission;
use crate::analysis::kind::classify;
use crate::db::bulk::{
    AnswerRow, ConsulteeRow, IssueBodyRow, IssueRow, IssueSectionRow, NewRows,
    ResponseConsulteeRow, ResponseRow, Wanted,
};
use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::{
    ConsultationId, ConsulteeId, IssueId, IssueKind, ReferencePrefix, ResponseId, ResponseStatus,
};
use crate::service::audit::{self, Actor, Change};
use crate::service::{ServiceError, ServiceResult};

/// A response to store: a consultee's submission, or an imported row.
pub struct Stored<'a> {
    pub submission: &'a Submission,
    /// Each point's kind when already classified; `None` classifies them
    /// while storing.
    pub kinds: Option<&'a [IssueKind]>,
    pub received_at: DateTime<Utc>,
    /// False when only the day is known (a dated letter).
    pub received_time_known: bool,
    /// Makes storing it again find this response (form token, import key).
    pub submission_key: Option<&'a str>,
    /// The key of the consultee's private link (none for imports).
    pub edit_salt: Option<&'a str>,
    /// A digest of what was sent under `submission_key`
    /// ([`Submission::digest`]).
    pub submission_hash: Option<&'a str>,
    /// How the audit log describes it ("response received", "response imported").
    pub action: &'a str,
}

/// A response to store and the consultation it answers.
pub struct ToStore<'a> {
    pub consultation: &'a Consultation,
    pub stored: Stored<'a>,
}

/// Stores responses with their consultees, answers and issues (one per
/// point) and records each in the audit log; returns their ids and new
/// references, in order. Runs inside the caller's write transaction and
/// writes the whole batch at once (see [`db::bulk`]); reference numbers
/// are taken in one block per consultation (in id order, so two instances
/// lock consultations alike) and given out in order.
pub fn store_all(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    items: &[ToStore<'_>],
) -> ServiceResult<Vec<(ResponseId, String)>> {
    // Ids and contents first: ids come from sequences on PostgreSQL, so
    // taking them holds up nobody. Reference numbers lock their
    // consultation's row until the commit, which makes another instance's
    // writer wait: keep that stretch short.
    let submissions = || items.iter().map(|item| item.stored.submission);
    let ids = db::bulk::reserve_ids(
        conn,
        Wanted {
            responses: items.len(),
            consultees: submissions().map(|s| s.consultees.len()).sum(),
            issues: submissions().map(|s| s.points.len()).sum(),
        },
    )?;
    let contents: Vec<String> = submissions().map(Submission::content).collect();
    let references = take_references(conn, items)?;
    let mut rows = Rows {
        rows: NewRows::default(),
        consultee_ids: Box::new(ids.consultees.into_iter().map(ConsulteeId)),
        issue_ids: Box::new(ids.issues.into_iter().map(IssueId)),
        stamp: now.naive_utc(),
    };
    let mut stored = Vec::with_capacity(items.len());
    for (((item, id), reference), content) in (items.iter())
        .zip(ids.responses.into_iter().map(ResponseId))
        .zip(&references)
        .zip(&contents)
    {
        rows.response(item, (id, reference), content)?;
        let change = Change {
            action: item.stored.action,
            entity: "response",
            id: id.0,
            before: None,
            after: Some(reference),
        };
        rows.rows.audit.push(audit::entry(actor, now, change));
        stored.push((id, reference.clone()));
    }
    db::bulk::insert(conn, &rows.rows)?;
    Ok(stored)
}

/// The next references of each consultation, in the order of `items`.
fn take_references(conn: &mut DbConnection, items: &[ToStore<'_>]) -> ServiceResult<Vec<String>> {
    let mut wanted: BTreeMap<ConsultationId, i64> = BTreeMap::new();
    for item in items {
        *wanted.entry(item.consultation.id).or_default() += 1;
    }
    let mut next_number = HashMap::with_capacity(wanted.len());
    for (id, count) in wanted {
        let last = db::consultations::take_response_numbers(conn, id, count)?;
        next_number.insert(id, last - count + 1);
    }
    let mut references = Vec::with_capacity(items.len());
    for item in items {
        let prefix = ReferencePrefix::parse(&item.consultation.reference_prefix)?;
        let number = next_number.entry(item.consultation.id).or_default();
        references.push(prefix.reference(*number));
        *number += 1;
    }
    Ok(references)
}

/// The rows of a batch, built a response at a time from reserved ids.
struct Rows<'a> {
    rows: NewRows<'a>,
    consultee_ids: Box<dyn Iterator<Item = ConsulteeId>>,
    issue_ids: Box<dyn Iterator<Item = IssueId>>,
    stamp: chrono::NaiveDateTime,
}

impl<'a> Rows<'a> {
    /// A response's row, and its consultees', answers' and issues'.
    fn response(
        &mut self,
        item: &'a ToStore<'a>,
        (id, reference): (ResponseId, &'a str),
        content: &'a str,
    ) -> ServiceResult<()> {
        let submission = item.stored.submission;
        self.rows.responses.push(ResponseRow {
            id,
            response: db::responses::NewResponse {
                consultation_id: item.consultation.id,
                reference,
                channel: submission.channel,
                received_at: item.stored.received_at.naive_utc(),
                publication: submission.publication,
                status: if submission.held {
                    ResponseStatus::Held
                } else {
                    ResponseStatus::Received
                },
                content,
                created_at: self.stamp,
                updated_at: self.stamp,
                submission_key: item.stored.submission_key,
                edit_salt: item.stored.edit_salt,
                submission_hash: item.stored.submission_hash,
                tell_me_outcome: submission.tell_me_outcome,
                received_time_known: item.stored.received_time_known,
            },
        });
        self.consultees(item, id)?;
        for (question, value) in &submission.answers {
            self.rows.answers.push(AnswerRow {
                response_id: id,
                question_id: *question,
                value,
            });
        }
        self.issues(item, id)
    }

    fn consultees(&mut self, item: &'a ToStore<'a>, id: ResponseId) -> ServiceResult<()> {
        let submission = item.stored.submission;
        for (position, who) in (1..).zip(&submission.consultees) {
            let consultee_id = self.consultee_ids.next().ok_or_else(too_few_ids)?;
            // Contact details go on the first consultee only: that is who wrote.
            let first = position == 1;
            self.rows.consultees.push(ConsulteeRow {
                id: consultee_id,
                consultee: db::consultees::NewConsultee {
                    consultation_id: item.consultation.id,
                    name: &who.name,
                    short_name: None,
                    kind: who.kind,
                    contact_name: (first.then_some(submission.respondent_name.as_str()))
                        .filter(|n| !n.is_empty()),
                    contact_email: submission.email.as_deref().filter(|_| first),
                    created_at: self.stamp,
                },
            });
            self.rows.response_consultees.push(ResponseConsulteeRow {
                response_id: id,
                consultee_id,
                position,
            });
        }
        Ok(())
    }

    /// One issue per point, classified unless its kind is known.
    fn issues(&mut self, item: &'a ToStore<'a>, id: ResponseId) -> ServiceResult<()> {
        let kinds = item.stored.kinds.unwrap_or_default();
        for (index, point) in item.stored.submission.points.iter().enumerate() {
            let position = i32::try_from(index + 1).unwrap_or(i32::MAX);
            let issue_id = self.issue_ids.next().ok_or_else(too_few_ids)?;
            let kind = kinds.get(index).copied();
            self.rows.issues.push(IssueRow {
                id: issue_id,
                issue: db::issues::NewIssue {
                    consultation_id: item.consultation.id,
                    response_id: id,
                    position,
                    content: &point.text,
                    kind: kind.unwrap_or_else(|| classify(&point.text)),
                },
            });
            let sections = point.sections.iter();
            (self.rows.issue_sections).extend(sections.map(|&section_id| IssueSectionRow {
                issue_id,
                section_id,
            }));
            let bodies = point.bodies.iter();
            (self.rows.issue_bodies)
                .extend(bodies.map(|&body_id| IssueBodyRow { issue_id, body_id }));
        }
        Ok(())
    }
}

/// `reserve_ids` gives as many ids as asked; this would be a bug.
fn too_few_ids() -> ServiceError {
    ServiceError::Database(DieselError::QueryBuilderError(
        "fewer ids were reserved than rows to insert".into(),
    ))
}
