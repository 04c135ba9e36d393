//! Queries on `sessions`: staff sign-ins, stored by the hash of their token.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::schema::{sessions, users};
use super::users::User;
use crate::domain::UserId;

/// Records a new session.
pub fn insert(
    conn: &mut DbConnection,
    id_hash: &str,
    user: UserId,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_hash.eq(id_hash),
            sessions::user_id.eq(user),
            sessions::created_at.eq(created_at),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The user of an unexpired session, if the user is not disabled.
pub fn user(
    conn: &mut DbConnection,
    id_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id_hash.eq(id_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Ends a session.
pub fn delete(conn: &mut DbConnection, id_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::id_hash.eq(id_hash))).execute(conn)
}

/// Forgets sessions that have expired.
pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

/// Ends every session of a user (when they are disabled).
pub fn delete_of_user(conn: &mut DbConnection, user: UserId) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(conn)
}
