//! Queries on `group_responses`: the group's answer to each issue.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::{group_responses, issues};
use crate::domain::{
    ConsultationId, DraftStatus, GroupResponseId, GroupResponseKind, IssueId, UserId,
};

/// A group response row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_responses)]
pub struct GroupResponse {
    pub id: GroupResponseId,
    pub issue_id: IssueId,
    pub kind: GroupResponseKind,
    pub content: Option<String>,
    pub same_as_issue_id: Option<IssueId>,
    pub status: DraftStatus,
    pub version: i32,
    pub updated_by: Option<UserId>,
    pub updated_at: NaiveDateTime,
}

/// A group response to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = group_responses)]
pub struct NewGroupResponse<'a> {
    pub issue_id: IssueId,
    pub kind: GroupResponseKind,
    pub content: Option<&'a str>,
    pub same_as_issue_id: Option<IssueId>,
    pub status: DraftStatus,
    pub updated_by: Option<UserId>,
    pub updated_at: NaiveDateTime,
}

/// Inserts a group response and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewGroupResponse<'_>) -> QueryResult<GroupResponseId> {
    diesel::insert_into(group_responses::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(GroupResponseId)
}

/// Every group response of a consultation's issues.
pub fn of_consultation(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<GroupResponse>> {
    group_responses::table
        .inner_join(issues::table.on(issues::id.eq(group_responses::issue_id)))
        .filter(issues::consultation_id.eq(id))
        .order(group_responses::issue_id)
        .select(GroupResponse::as_select())
        .load(conn)
}

/// The group response to one issue, if any.
pub fn for_issue(conn: &mut DbConnection, issue: IssueId) -> QueryResult<Option<GroupResponse>> {
    group_responses::table
        .filter(group_responses::issue_id.eq(issue))
        .select(GroupResponse::as_select())
        .first(conn)
        .optional()
}

/// The group responses to some issues.
pub fn for_issues(conn: &mut DbConnection, ids: &[IssueId]) -> QueryResult<Vec<GroupResponse>> {
    group_responses::table
        .filter(group_responses::issue_id.eq_any(ids))
        .select(GroupResponse::as_select())
        .load(conn)
}

/// The wording, link and status of a group response.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = group_responses, treat_none_as_null = true)]
pub struct Draft<'a> {
    pub kind: GroupResponseKind,
    pub content: Option<&'a str>,
    pub same_as_issue_id: Option<IssueId>,
    pub status: DraftStatus,
    pub updated_by: Option<UserId>,
    pub updated_at: NaiveDateTime,
}

/// Changes a group response only if nobody saved it since
/// `expected_version` was read (returns 0 rows otherwise).
pub fn update(
    conn: &mut DbConnection,
    id: GroupResponseId,
    expected_version: i32,
    draft: &Draft<'_>,
) -> QueryResult<usize> {
    diesel::update(
        group_responses::table
            .find(id)
            .filter(group_responses::version.eq(expected_version)),
    )
    .set((
        draft,
        group_responses::version.eq(group_responses::version + 1),
    ))
    .execute(conn)
}

/// Moves a group response to another issue (when issues are merged).
pub fn move_to_issue(
    conn: &mut DbConnection,
    id: GroupResponseId,
    issue: IssueId,
) -> QueryResult<usize> {
    diesel::update(group_responses::table.find(id))
        .set(group_responses::issue_id.eq(issue))
        .execute(conn)
}

/// Points "As above" links at another issue (when the linked issue is
/// merged into it).
pub fn relink(conn: &mut DbConnection, from: IssueId, to: IssueId) -> QueryResult<usize> {
    diesel::update(group_responses::table.filter(group_responses::same_as_issue_id.eq(from)))
        .set(group_responses::same_as_issue_id.eq(to))
        .execute(conn)
}

/// Every issue of a consultation that an "As above" answer links to.
pub fn link_targets(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<IssueId>> {
    group_responses::table
        .inner_join(issues::table.on(issues::id.eq(group_responses::issue_id)))
        .filter(issues::consultation_id.eq(id))
        .filter(group_responses::same_as_issue_id.is_not_null())
        .select(group_responses::same_as_issue_id.assume_not_null())
        .distinct()
        .load(conn)
}
