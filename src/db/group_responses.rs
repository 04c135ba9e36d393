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
