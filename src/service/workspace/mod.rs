//! The task-and-finish group's workspace: the responses inbox, splitting
//! and tagging issues, triage by theme, drafting the group's responses, and
//! who in the group works on which consultation.
//!
//! Every use case takes a [`Scope`](crate::service::access::Scope) from the
//! access policy, which checked the caller's role and, for group members,
//! their assignment; every change is audited in the same transaction as
//! the change itself.

pub mod consultees;
pub mod dashboard;
pub mod drafting;
pub mod inbox;
pub mod issues;
pub mod members;
pub mod themes;

use crate::db::{self, DbConnection};
use crate::domain::IssueId;
use crate::service::{ServiceError, ServiceResult};

/// Most characters in an issue or a group response: a long committee
/// answer fits; a pasted report does not.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The issue `id` if it belongs to `consultation` (otherwise "not found",
/// so ids of other consultations reveal nothing).
pub(crate) fn issue_in(
    conn: &mut DbConnection,
    consultation: &db::consultations::Consultation,
    id: IssueId,
) -> ServiceResult<db::issues::Issue> {
    db::issues::by_id(conn, id)?
        .filter(|i| i.consultation_id == consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("issue {}", id.0)))
}

/// The reference of the response an issue was raised in.
pub fn reference_of(conn: &mut DbConnection, issue: &db::issues::Issue) -> ServiceResult<String> {
    db::responses::references_of(conn, &[issue.response_id])?
        .pop()
        .map(|(_, reference)| reference)
        .ok_or_else(|| ServiceError::NotFound(format!("response of issue {}", issue.id.0)))
}

/// The reference of the response issue `id` of `consultation` was raised in.
pub fn reference_of_issue(
    conn: &mut DbConnection,
    consultation: &db::consultations::Consultation,
    id: IssueId,
) -> ServiceResult<String> {
    let issue = issue_in(conn, consultation, id)?;
    reference_of(conn, &issue)
}

/// The issue-level history that staff see on an item's page.
pub fn history(
    conn: &mut DbConnection,
    entity: &str,
    id: i64,
) -> ServiceResult<Vec<db::audit::AuditEntry>> {
    Ok(db::audit::for_entity(conn, entity, id)?)
}
