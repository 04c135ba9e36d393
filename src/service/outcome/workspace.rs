//! The officers' "after the consultation" page: the newest revised
//! structure beside the consulted one, whether it can be changed, every
//! version, the covering report and whether the outcome is published.

use super::page::{Outcome, build};
use super::versions::editable;
use crate::db::outcome::{CommitteeReport, Version};
use crate::db::{self, DbConnection};
use crate::service::ServiceResult;
use crate::service::access::{self, Action, Caller};
use crate::service::summary::{self, Options};

/// Everything the page shows.
pub struct Workspace {
    pub outcome: Outcome,
    pub versions: Vec<Version>,
    /// The version officers may change, or why none can be.
    pub editable: Result<Version, String>,
    pub report: CommitteeReport,
}

/// The page of consultation `slug`, for those who may run it.
pub fn workspace(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Workspace> {
    let scope = access::open_for(conn, caller, slug, Action::Run)?;
    let versions = db::outcome::versions_of(conn, scope.consultation.id)?;
    let editable = editable(conn, &scope).map_err(|e| e.to_string());
    let report = super::pack::report(conn, &scope)?;
    let table = summary::table(conn, Some(caller), slug, &Options::default())?;
    let outcome = build(
        conn,
        scope.consultation.clone(),
        table.audience,
        versions.last().cloned(),
        &table,
    )?;
    Ok(Workspace {
        outcome,
        versions,
        editable,
        report,
    })
}
