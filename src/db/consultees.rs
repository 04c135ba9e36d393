//! Queries on `consultees`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::consultees;
use crate::domain::{ConsultationId, ConsulteeId, ConsulteeKind};

/// A consultee row. `contact_name` and `contact_email` are personal data:
/// never exported publicly.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consultees)]
pub struct Consultee {
    pub id: ConsulteeId,
    pub consultation_id: ConsultationId,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: ConsulteeKind,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A consultee to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = consultees, treat_none_as_default_value = false)]
pub struct NewConsultee<'a> {
    pub consultation_id: ConsultationId,
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub kind: ConsulteeKind,
    pub contact_name: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Inserts a consultee and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewConsultee<'_>) -> QueryResult<ConsulteeId> {
    diesel::insert_into(consultees::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(ConsulteeId)
}

/// The first consultee of a consultation with exactly this name, if any.
pub fn by_name(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    name: &str,
) -> QueryResult<Option<Consultee>> {
    consultees::table
        .filter(consultees::consultation_id.eq(consultation))
        .filter(consultees::name.eq(name))
        .order(consultees::id)
        .select(Consultee::as_select())
        .first(conn)
        .optional()
}

/// A consultation's consultees, in the order they were added.
pub fn of_consultation(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Consultee>> {
    consultees::table
        .filter(consultees::consultation_id.eq(id))
        .order(consultees::id)
        .select(Consultee::as_select())
        .load(conn)
}

/// Erases the contact details of a consultation's consultees; returns how
/// many consultees had some.
pub fn erase_contacts(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<usize> {
    diesel::update(
        consultees::table
            .filter(consultees::consultation_id.eq(id))
            .filter(
                consultees::contact_name
                    .is_not_null()
                    .or(consultees::contact_email.is_not_null()),
            ),
    )
    .set((
        consultees::contact_name.eq(None::<String>),
        consultees::contact_email.eq(None::<String>),
    ))
    .execute(conn)
}

/// A consultee of a consultation by id.
pub fn in_consultation(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    id: ConsulteeId,
) -> QueryResult<Option<Consultee>> {
    consultees::table
        .filter(consultees::consultation_id.eq(consultation))
        .filter(consultees::id.eq(id))
        .select(Consultee::as_select())
        .first(conn)
        .optional()
}

/// Renames a consultee and sets its short name and kind.
pub fn rename(
    conn: &mut DbConnection,
    id: ConsulteeId,
    (name, short_name, kind): (&str, Option<&str>, ConsulteeKind),
) -> QueryResult<usize> {
    diesel::update(consultees::table.find(id))
        .set((
            consultees::name.eq(name),
            consultees::short_name.eq(short_name),
            consultees::kind.eq(kind),
        ))
        .execute(conn)
}

/// Sets a consultee's contact details.
pub fn set_contacts(
    conn: &mut DbConnection,
    id: ConsulteeId,
    (name, email): (Option<&str>, Option<&str>),
) -> QueryResult<usize> {
    diesel::update(consultees::table.find(id))
        .set((
            consultees::contact_name.eq(name),
            consultees::contact_email.eq(email),
        ))
        .execute(conn)
}

/// How many responses each consultee of a consultation is named on.
pub fn response_counts(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(ConsulteeId, i64)>> {
    use super::schema::response_consultees;
    response_consultees::table
        .inner_join(consultees::table)
        .filter(consultees::consultation_id.eq(id))
        .group_by(response_consultees::consultee_id)
        .select((response_consultees::consultee_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Names `into` wherever `from` was named (a response naming both keeps
/// one), then deletes `from`.
pub fn merge(conn: &mut DbConnection, from: ConsulteeId, into: ConsulteeId) -> QueryResult<usize> {
    use super::schema::response_consultees;
    let both: Vec<crate::domain::ResponseId> = response_consultees::table
        .filter(response_consultees::consultee_id.eq(into))
        .select(response_consultees::response_id)
        .load(conn)?;
    diesel::delete(
        response_consultees::table
            .filter(response_consultees::consultee_id.eq(from))
            .filter(response_consultees::response_id.eq_any(&both)),
    )
    .execute(conn)?;
    let moved = diesel::update(
        response_consultees::table.filter(response_consultees::consultee_id.eq(from)),
    )
    .set(response_consultees::consultee_id.eq(into))
    .execute(conn)?;
    diesel::delete(consultees::table.find(from)).execute(conn)?;
    Ok(moved)
}
