//! Queries on `saved_responses`: unfinished responses kept for their
//! consultee until the closing time.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::schema::saved_responses;
use crate::domain::ConsultationId;

/// A saved response: its consultation and the draft as JSON.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_responses)]
pub struct Saved {
    pub id: i64,
    pub consultation_id: ConsultationId,
    pub key_hash: String,
    pub draft: String,
    pub saved_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// The saved response with this key hash, if any.
pub fn by_key(conn: &mut DbConnection, key_hash: &str) -> QueryResult<Option<Saved>> {
    saved_responses::table
        .filter(saved_responses::key_hash.eq(key_hash))
        .select(Saved::as_select())
        .first(conn)
        .optional()
}

/// Keeps `draft` under `key_hash`, replacing what was saved under it.
pub fn put(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    key_hash: &str,
    draft: &str,
    (saved_at, expires_at): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<usize> {
    let updated =
        diesel::update(saved_responses::table.filter(saved_responses::key_hash.eq(key_hash)))
            .set((
                saved_responses::draft.eq(draft),
                saved_responses::saved_at.eq(saved_at),
                saved_responses::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
    if updated > 0 {
        return Ok(updated);
    }
    diesel::insert_into(saved_responses::table)
        .values((
            saved_responses::consultation_id.eq(consultation),
            saved_responses::key_hash.eq(key_hash),
            saved_responses::draft.eq(draft),
            saved_responses::saved_at.eq(saved_at),
            saved_responses::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// Forgets the saved response with this key hash.
pub fn forget(conn: &mut DbConnection, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(saved_responses::table.filter(saved_responses::key_hash.eq(key_hash)))
        .execute(conn)
}

/// Forgets every saved response past its closing time (they hold personal
/// data nobody can use any more).
pub fn forget_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(saved_responses::table.filter(saved_responses::expires_at.lt(now))).execute(conn)
}
