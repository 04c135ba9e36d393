//! Queries on `imports`: uploaded files of responses.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::imports;
use crate::domain::{ConsultationId, UserId};

/// An uploaded file.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct Upload {
    pub id: i64,
    pub consultation_id: ConsultationId,
    pub filename: String,
    /// The file's text, decoded.
    pub content: String,
    /// How it was decoded: `UTF-8` or `Windows-1252`.
    pub encoding: String,
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: NaiveDateTime,
    pub imported_at: Option<NaiveDateTime>,
    pub imported: i32,
    pub skipped: i32,
}

/// A file to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = imports)]
pub struct NewUpload<'a> {
    pub consultation_id: ConsultationId,
    pub filename: &'a str,
    pub content: &'a str,
    pub encoding: &'a str,
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: NaiveDateTime,
}

/// Records an uploaded file and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewUpload<'_>) -> QueryResult<i64> {
    diesel::insert_into(imports::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn)
}

/// One upload, if it exists.
pub fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Upload>> {
    imports::table
        .find(id)
        .select(Upload::as_select())
        .first(conn)
        .optional()
}

/// Marks an upload as imported, with how many rows were stored and skipped.
pub fn mark_imported(
    conn: &mut DbConnection,
    id: i64,
    at: NaiveDateTime,
    (imported, skipped): (i32, i32),
) -> QueryResult<usize> {
    diesel::update(imports::table.find(id))
        .set((
            imports::imported_at.eq(Some(at)),
            imports::imported.eq(imported),
            imports::skipped.eq(skipped),
        ))
        .execute(conn)
}
