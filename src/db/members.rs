//! Queries on `consultation_members`: which group members work on which
//! consultation.

use diesel::prelude::*;

use super::connection::DbConnection;
use super::schema::{consultation_members, users};
use super::users::User;
use crate::domain::{ConsultationId, UserId};

/// Whether `user` is assigned to `consultation`.
pub fn is_member(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    user: UserId,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        consultation_members::table
            .filter(consultation_members::consultation_id.eq(consultation))
            .filter(consultation_members::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// Assigns a user (no change if already assigned).
pub fn assign(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    user: UserId,
) -> QueryResult<usize> {
    if is_member(conn, consultation, user)? {
        return Ok(0);
    }
    diesel::insert_into(consultation_members::table)
        .values((
            consultation_members::consultation_id.eq(consultation),
            consultation_members::user_id.eq(user),
        ))
        .execute(conn)
}

/// Removes a user from a consultation's group.
pub fn unassign(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    user: UserId,
) -> QueryResult<usize> {
    diesel::delete(
        consultation_members::table
            .filter(consultation_members::consultation_id.eq(consultation))
            .filter(consultation_members::user_id.eq(user)),
    )
    .execute(conn)
}

/// The users assigned to a consultation, by e-mail address.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation: ConsultationId,
) -> QueryResult<Vec<User>> {
    consultation_members::table
        .inner_join(users::table)
        .filter(consultation_members::consultation_id.eq(consultation))
        .order(users::email)
        .select(User::as_select())
        .load(conn)
}

/// The consultations a user is assigned to.
pub fn consultations_of(conn: &mut DbConnection, user: UserId) -> QueryResult<Vec<ConsultationId>> {
    consultation_members::table
        .filter(consultation_members::user_id.eq(user))
        .select(consultation_members::consultation_id)
        .load(conn)
}
