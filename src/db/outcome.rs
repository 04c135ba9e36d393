//! Queries after the consultation: revised structures (`structure_versions`,
//! `version_bodies`, `version_links`), their recorded changes with the
//! issues behind them, the committee pack's covering report, and the
//! published outcome.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::{
    committee_reports, consultations, responses, structure_change_issues, structure_changes,
    structure_versions, version_bodies, version_links,
};
use crate::domain::{
    BodyId, BodyStatus, ChangeAction, ConsultationId, IssueId, Relation, ResponseId,
    StructureChangeId, StructureVersionId, VersionBodyId, VersionLinkId,
};

/// A revised structure.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = structure_versions)]
pub struct Version {
    pub id: StructureVersionId,
    pub consultation_id: ConsultationId,
    /// 1 for the first revision; the consulted structure is version 0.
    pub number: i32,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// A body of a revised structure; `consulted_body_id` is the body of the
/// consulted structure it carries on (none when it is new).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = version_bodies)]
pub struct VersionBody {
    pub id: VersionBodyId,
    pub version_id: StructureVersionId,
    pub consulted_body_id: Option<BodyId>,
    pub position: i32,
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    pub role: String,
    pub membership: String,
    pub meets: String,
}

/// A body to write into a version.
#[derive(Debug, Insertable)]
#[diesel(table_name = version_bodies)]
pub struct NewVersionBody<'a> {
    pub version_id: StructureVersionId,
    pub consulted_body_id: Option<BodyId>,
    pub position: i32,
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub status: BodyStatus,
    pub role: &'a str,
    pub membership: &'a str,
    pub meets: &'a str,
}

/// A link of a revised structure.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = version_links)]
pub struct VersionLink {
    pub id: VersionLinkId,
    pub version_id: StructureVersionId,
    pub from_body_id: VersionBodyId,
    pub to_body_id: VersionBodyId,
    pub relation: Relation,
    pub note: Option<String>,
}

/// A link to write into a version.
#[derive(Debug, Insertable)]
#[diesel(table_name = version_links)]
pub struct NewVersionLink<'a> {
    pub version_id: StructureVersionId,
    pub from_body_id: VersionBodyId,
    pub to_body_id: VersionBodyId,
    pub relation: Relation,
    pub note: Option<&'a str>,
}

/// One recorded change and why.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = structure_changes)]
pub struct Change {
    pub id: StructureChangeId,
    pub version_id: StructureVersionId,
    pub action: ChangeAction,
    /// What changed: a body's name, or a link in words.
    pub subject: String,
    /// The change in the officers' words.
    pub summary: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// The covering report of the committee pack, as officers edited it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committee_reports)]
pub struct CommitteeReport {
    pub consultation_id: ConsultationId,
    pub committee: String,
    pub meeting_date: Option<NaiveDate>,
    pub purpose: String,
    pub next_steps: String,
    pub updated_at: NaiveDateTime,
}

/// A consultation's versions, oldest first.
pub fn versions_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Version>> {
    structure_versions::table
        .filter(structure_versions::consultation_id.eq(id))
        .order(structure_versions::number)
        .select(Version::as_select())
        .load(conn)
}

/// Version `number` of a consultation.
pub fn version_numbered(
    conn: &mut DbConnection,
    id: ConsultationId,
    number: i32,
) -> QueryResult<Option<Version>> {
    structure_versions::table
        .filter(structure_versions::consultation_id.eq(id))
        .filter(structure_versions::number.eq(number))
        .select(Version::as_select())
        .first(conn)
        .optional()
}

/// A version by id.
pub fn version(conn: &mut DbConnection, id: StructureVersionId) -> QueryResult<Option<Version>> {
    structure_versions::table
        .find(id)
        .select(Version::as_select())
        .first(conn)
        .optional()
}

/// Starts version `number`; returns its id.
pub fn insert_version(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    number: i32,
    at: NaiveDateTime,
    by: &str,
) -> QueryResult<StructureVersionId> {
    diesel::insert_into(structure_versions::table)
        .values((
            structure_versions::consultation_id.eq(consultation),
            structure_versions::number.eq(number),
            structure_versions::created_at.eq(at),
            structure_versions::created_by.eq(by),
        ))
        .execute(conn)?;
    last_insert_id(conn).map(StructureVersionId)
}

/// A version's bodies in order.
pub fn bodies_of(
    conn: &mut DbConnection,
    version: StructureVersionId,
) -> QueryResult<Vec<VersionBody>> {
    version_bodies::table
        .filter(version_bodies::version_id.eq(version))
        .order((version_bodies::position, version_bodies::id))
        .select(VersionBody::as_select())
        .load(conn)
}

/// A version's links in the order they were recorded.
pub fn links_of(
    conn: &mut DbConnection,
    version: StructureVersionId,
) -> QueryResult<Vec<VersionLink>> {
    version_links::table
        .filter(version_links::version_id.eq(version))
        .order(version_links::id)
        .select(VersionLink::as_select())
        .load(conn)
}

/// Writes a body into a version; returns its id.
pub fn insert_body(
    conn: &mut DbConnection,
    new: &NewVersionBody<'_>,
) -> QueryResult<VersionBodyId> {
    diesel::insert_into(version_bodies::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(VersionBodyId)
}

/// Rewrites a body's description (its origin and position stay).
pub fn update_body(
    conn: &mut DbConnection,
    id: VersionBodyId,
    change: &NewVersionBody<'_>,
) -> QueryResult<usize> {
    diesel::update(version_bodies::table.find(id))
        .set((
            version_bodies::name.eq(change.name),
            version_bodies::short_name.eq(change.short_name),
            version_bodies::status.eq(change.status),
            version_bodies::role.eq(change.role),
            version_bodies::membership.eq(change.membership),
            version_bodies::meets.eq(change.meets),
        ))
        .execute(conn)
}

/// Takes a body (and, by cascade, its links) out of a version.
pub fn delete_body(conn: &mut DbConnection, id: VersionBodyId) -> QueryResult<usize> {
    diesel::delete(version_bodies::table.find(id)).execute(conn)
}

/// Writes a link into a version; returns its id.
pub fn insert_link(
    conn: &mut DbConnection,
    new: &NewVersionLink<'_>,
) -> QueryResult<VersionLinkId> {
    diesel::insert_into(version_links::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(VersionLinkId)
}

/// Takes a link out of a version.
pub fn delete_link(conn: &mut DbConnection, id: VersionLinkId) -> QueryResult<usize> {
    diesel::delete(version_links::table.find(id)).execute(conn)
}

/// Records a change and the issues that prompted it; returns its id.
pub fn insert_change(
    conn: &mut DbConnection,
    version: StructureVersionId,
    (action, subject, summary): (ChangeAction, &str, &str),
    issues: &[IssueId],
    (at, by): (NaiveDateTime, &str),
) -> QueryResult<StructureChangeId> {
    diesel::insert_into(structure_changes::table)
        .values((
            structure_changes::version_id.eq(version),
            structure_changes::action.eq(action),
            structure_changes::subject.eq(subject),
            structure_changes::summary.eq(summary),
            structure_changes::created_at.eq(at),
            structure_changes::created_by.eq(by),
        ))
        .execute(conn)?;
    let id = StructureChangeId(last_insert_id(conn)?);
    copy_reasons(conn, id, issues)?;
    Ok(id)
}

fn copy_reasons(
    conn: &mut DbConnection,
    change: StructureChangeId,
    issues: &[IssueId],
) -> QueryResult<()> {
    for issue in issues {
        diesel::insert_into(structure_change_issues::table)
            .values((
                structure_change_issues::change_id.eq(change),
                structure_change_issues::issue_id.eq(issue),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The changes recorded in a version, in order.
pub fn changes_of(
    conn: &mut DbConnection,
    version: StructureVersionId,
) -> QueryResult<Vec<Change>> {
    structure_changes::table
        .filter(structure_changes::version_id.eq(version))
        .order(structure_changes::id)
        .select(Change::as_select())
        .load(conn)
}

/// The changes recorded in every version up to and including `number`,
/// oldest first: what a version changed from the consulted structure.
pub fn changes_up_to(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    number: i32,
) -> QueryResult<Vec<Change>> {
    structure_changes::table
        .inner_join(structure_versions::table)
        .filter(structure_versions::consultation_id.eq(consultation))
        .filter(structure_versions::number.le(number))
        .order((structure_versions::number, structure_changes::id))
        .select(Change::as_select())
        .load(conn)
}

/// The issues behind each of `changes`, as (change, issue) pairs.
pub fn reasons_of(
    conn: &mut DbConnection,
    changes: &[StructureChangeId],
) -> QueryResult<Vec<(StructureChangeId, IssueId)>> {
    structure_change_issues::table
        .filter(structure_change_issues::change_id.eq_any(changes))
        .order((
            structure_change_issues::change_id,
            structure_change_issues::issue_id,
        ))
        .select((
            structure_change_issues::change_id,
            structure_change_issues::issue_id,
        ))
        .load(conn)
}

/// A consultation's covering report, if officers have written one.
pub fn report_of(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Option<CommitteeReport>> {
    committee_reports::table
        .find(id)
        .select(CommitteeReport::as_select())
        .first(conn)
        .optional()
}

/// Writes a consultation's covering report.
pub fn save_report(conn: &mut DbConnection, report: &CommitteeReport) -> QueryResult<usize> {
    let updated = diesel::update(committee_reports::table.find(report.consultation_id))
        .set(report)
        .execute(conn)?;
    if updated > 0 {
        return Ok(updated);
    }
    diesel::insert_into(committee_reports::table)
        .values(report)
        .execute(conn)
}

/// Publishes the outcome with `version`'s structure.
pub fn publish_outcome(
    conn: &mut DbConnection,
    id: ConsultationId,
    version: Option<StructureVersionId>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::outcome_version_id.eq(version),
            consultations::outcome_published_at.eq(Some(at)),
        ))
        .execute(conn)
}

/// Takes the outcome page down again.
pub fn withdraw_outcome(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::outcome_version_id.eq(None::<StructureVersionId>),
            consultations::outcome_published_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Records that a response asked to hear about the outcome.
pub fn set_tell_me_outcome(
    conn: &mut DbConnection,
    id: ResponseId,
    yes: bool,
) -> QueryResult<usize> {
    diesel::update(responses::table.find(id))
        .set(responses::tell_me_outcome.eq(yes))
        .execute(conn)
}

/// Responses that asked to hear about the outcome and have not been told:
/// their ids and references.
pub fn to_tell(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(ResponseId, String)>> {
    responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(responses::tell_me_outcome.eq(true))
        .filter(responses::outcome_sent_at.is_null())
        .order(responses::id)
        .select((responses::id, responses::reference))
        .load(conn)
}

/// Marks responses as told about the outcome.
pub fn mark_told(
    conn: &mut DbConnection,
    ids: &[ResponseId],
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(responses::table.filter(responses::id.eq_any(ids)))
        .set(responses::outcome_sent_at.eq(Some(at)))
        .execute(conn)
}
