//! Queries on `response_revisions`: earlier versions of a response.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::schema::response_revisions;
use crate::domain::ResponseId;

/// One replaced version of a response; `snapshot` is JSON.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = response_revisions)]
pub struct Revision {
    pub id: i64,
    pub response_id: ResponseId,
    pub version: i32,
    pub snapshot: String,
    pub replaced_at: NaiveDateTime,
    pub replaced_by: String,
}

/// Keeps the text a response had before a change.
pub fn record(
    conn: &mut DbConnection,
    response: ResponseId,
    version: i32,
    snapshot: &str,
    replaced_at: NaiveDateTime,
    replaced_by: &str,
) -> QueryResult<usize> {
    diesel::insert_into(response_revisions::table)
        .values((
            response_revisions::response_id.eq(response),
            response_revisions::version.eq(version),
            response_revisions::snapshot.eq(snapshot),
            response_revisions::replaced_at.eq(replaced_at),
            response_revisions::replaced_by.eq(replaced_by),
        ))
        .execute(conn)
}

/// A response's earlier versions, oldest first.
pub fn of_response(conn: &mut DbConnection, response: ResponseId) -> QueryResult<Vec<Revision>> {
    response_revisions::table
        .filter(response_revisions::response_id.eq(response))
        .order(response_revisions::version)
        .select(Revision::as_select())
        .load(conn)
}
