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
