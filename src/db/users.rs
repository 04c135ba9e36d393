//! Queries on `users` (staff).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::users;
use crate::domain::{Role, UserId};

/// A staff user row. `password_hash` is an argon2id PHC string.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
}

/// Inserts a user and returns the id.
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<UserId> {
    diesel::insert_into(users::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(UserId)
}

/// The user with this e-mail address (compared in lower case), if any.
pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The user with this id, if any.
pub fn by_id(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Every user, by e-mail address.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    users::table
        .order(users::email)
        .select(User::as_select())
        .load(conn)
}

/// Disables or re-enables a user; a disabled user cannot sign in.
pub fn set_disabled(conn: &mut DbConnection, id: UserId, disabled: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)
}
