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
