//! A fixture's outcome: the revised structure the papers describe, made
//! through the same use cases an officer's form goes through, and
//! optionally the covering report and the published outcome page.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::versions::{self, Edit, Reason};
use crate::db::{self, DbConnection};
use crate::domain::{BodyId, ChangeAction, IssueId};
use crate::service::access::Caller;
use crate::service::editing::BodyInput;
use crate::service::{ServiceError, ServiceResult};

/// The revised structure and outcome of a fixture.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureRevision {
    pub changes: Vec<FixtureChange>,
    #[serde(default)]
    pub committee_report: Option<FixtureReport>,
    #[serde(default)]
    pub outcome_published: bool,
}

/// One change to a consulted body, by key; unset fields stay as they were.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureChange {
    pub action: ChangeAction,
    pub body: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub membership: Option<String>,
    #[serde(default)]
    pub meets: Option<String>,
    pub summary: String,
    /// Keys of the issues that prompted it.
    #[serde(default)]
    pub issues: Vec<String>,
}

/// The covering report of the committee pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureReport {
    pub committee: String,
    pub meeting_date: Option<NaiveDate>,
}

const FIXTURES: Caller = Caller::System("fixtures");

/// Draws up `revision` for consultation `slug`, whose consulted bodies and
/// issues were written with these keys.
pub fn apply(
    conn: &mut DbConnection,
    slug: &str,
    revision: &FixtureRevision,
    (bodies, issues): (&HashMap<&str, BodyId>, &HashMap<&str, IssueId>),
) -> ServiceResult<()> {
    let now = Utc::now();
    versions::start(conn, &FIXTURES, slug, now)?;
    let unknown = |what: &str, key: &str| {
        ServiceError::invalid(
            "fixture",
            format!("fixture revision refers to unknown {what} “{key}”"),
        )
    };
    for change in &revision.changes {
        let consulted = *bodies
            .get(change.body.as_str())
            .ok_or_else(|| unknown("body", &change.body))?;
        let reasons = change
            .issues
            .iter()
            .map(|k| {
                issues
                    .get(k.as_str())
                    .copied()
                    .ok_or_else(|| unknown("issue", k))
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let reason = Reason {
            summary: change.summary.clone(),
            issues: reasons,
        };
        let scope = crate::service::access::open(conn, &FIXTURES, slug)?;
        let version = versions::editable(conn, &scope)?;
        let body = db::outcome::bodies_of(conn, version.id)?
            .into_iter()
            .find(|b| b.consulted_body_id == Some(consulted))
            .ok_or_else(|| unknown("body", &change.body))?;
        let edit_input;
        let edit = match change.action {
            ChangeAction::Removed => Edit::RemoveBody(body.id),
            ChangeAction::Changed => {
                edit_input = BodyInput {
                    name: body.name.clone(),
                    short_name: body.short_name.clone().unwrap_or_default(),
                    status: body.status.as_str().into(),
                    role: change.role.clone().unwrap_or(body.role),
                    membership: change.membership.clone().unwrap_or(body.membership),
                    meets: change.meets.clone().unwrap_or(body.meets),
                };
                Edit::ChangeBody(body.id, &edit_input)
            }
            ChangeAction::Added => {
                return Err(ServiceError::invalid(
                    "fixture",
                    "fixture revisions change or remove consulted bodies",
                ));
            }
        };
        versions::edit_with(conn, &FIXTURES, slug, (edit, reason), now)?;
    }
    if let Some(report) = &revision.committee_report {
        let scope = crate::service::access::open(conn, &FIXTURES, slug)?;
        let mut saved = super::pack::report(conn, &scope)?;
        saved.committee = report.committee.clone();
        saved.meeting_date = report.meeting_date;
        saved.updated_at = now.naive_utc();
        db::outcome::save_report(conn, &saved)?;
    }
    if revision.outcome_published {
        super::publish::publish(conn, &FIXTURES, slug, now, false)?;
    }
    Ok(())
}
