//! Queries on `consultations`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::connection::{DbConnection, last_insert_id};
use super::schema::consultations;
use crate::domain::{ConsultationId, ConsultationStatus, SignOff};

/// A consultation row.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: ConsultationId,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub run_by: String,
    pub group_name: String,
    pub reference_prefix: String,
    pub responses_received: i64,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub status: ConsultationStatus,
    pub source_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When it became `published` (retention counts from here).
    pub published_at: Option<NaiveDateTime>,
    /// Days after publication when contact details are erased; never if unset.
    pub retention_days: Option<i32>,
    /// When it actually closed: an officer may close it before its
    /// closing date.
    pub closed_at: Option<NaiveDateTime>,
    /// Who may agree the group's responses.
    pub sign_off_by: SignOff,
    /// An officer's recorded reason for publishing before every public
    /// issue had an agreed response.
    pub publish_override: Option<String>,
    /// The revised structure shown on the published outcome page.
    pub outcome_version_id: Option<crate::domain::StructureVersionId>,
    /// When the outcome ("you said, we did") was published.
    pub outcome_published_at: Option<NaiveDateTime>,
}

/// A consultation to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = consultations)]
pub struct NewConsultation<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub run_by: &'a str,
    pub group_name: &'a str,
    pub reference_prefix: &'a str,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub status: ConsultationStatus,
    pub source_note: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts a consultation and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewConsultation<'_>) -> QueryResult<ConsultationId> {
    diesel::insert_into(consultations::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(ConsultationId)
}

/// The consultation with this slug, if any.
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Consultation>> {
    consultations::table
        .filter(consultations::slug.eq(slug))
        .select(Consultation::as_select())
        .first(conn)
        .optional()
}

/// The consultation with this id, if any.
pub fn by_id(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Option<Consultation>> {
    consultations::table
        .find(id)
        .select(Consultation::as_select())
        .first(conn)
        .optional()
}

/// Every consultation, the latest closing first (undated ones last).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Consultation>> {
    let mut rows: Vec<Consultation> = consultations::table
        .select(Consultation::as_select())
        .load(conn)?;
    // Sorted here, not in SQL: the backends order NULLs differently.
    rows.sort_by(|a, b| b.closes_at.cmp(&a.closes_at).then(a.slug.cmp(&b.slug)));
    Ok(rows)
}

/// Consultations in the given statuses, the latest closing first.
pub fn with_status(
    conn: &mut DbConnection,
    statuses: &[ConsultationStatus],
) -> QueryResult<Vec<Consultation>> {
    let mut rows = all(conn)?;
    rows.retain(|c| statuses.contains(&c.status));
    Ok(rows)
}

/// Moves a consultation to `status`.
pub fn set_status(
    conn: &mut DbConnection,
    id: ConsultationId,
    status: ConsultationStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::status.eq(status),
            consultations::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Takes the next response number for a consultation. The row update locks
/// the consultation on PostgreSQL (and the database on SQLite), so two
/// concurrent submissions never get the same reference. Call inside the
/// transaction that inserts the response.
pub fn take_response_number(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i64> {
    take_response_numbers(conn, id, 1)
}

/// Takes `count` reference numbers at once and returns the last; the block
/// is `last - count + 1 ..= last`. (An import takes its numbers in one
/// update: updating the same row once per response in one transaction
/// slows PostgreSQL down quadratically.)
pub fn take_response_numbers(
    conn: &mut DbConnection,
    id: ConsultationId,
    count: i64,
) -> QueryResult<i64> {
    // One round trip: the response writer takes numbers in every batch.
    // (`$1` comes before `$2` in the text: SQLite numbers named parameters
    // in order of appearance.)
    let taken: Taken = diesel::sql_query(
        "UPDATE consultations SET responses_received = responses_received + $1 \
         WHERE id = $2 RETURNING responses_received",
    )
    .bind::<BigInt, _>(count)
    .bind::<BigInt, _>(id)
    .get_result(conn)?;
    Ok(taken.responses_received)
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = BigInt)]
    responses_received: i64,
}

/// Changes a consultation's descriptive fields.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = consultations, treat_none_as_null = true)]
pub struct DetailsChange<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub run_by: &'a str,
    pub group_name: &'a str,
    pub reference_prefix: &'a str,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Applies a details change; `None` dates are written as NULL (cleared).
pub fn update_details(
    conn: &mut DbConnection,
    id: ConsultationId,
    change: &DetailsChange<'_>,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(change)
        .execute(conn)
}

/// Records when a consultation was published.
pub fn set_published_at(
    conn: &mut DbConnection,
    id: ConsultationId,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(consultations::published_at.eq(Some(at)))
        .execute(conn)
}

/// Sets (or clears) the retention period.
pub fn set_retention_days(
    conn: &mut DbConnection,
    id: ConsultationId,
    days: Option<i32>,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(consultations::retention_days.eq(days))
        .execute(conn)
}

/// Sets who may agree the group's responses.
pub fn set_sign_off(
    conn: &mut DbConnection,
    id: ConsultationId,
    sign_off: SignOff,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(consultations::sign_off_by.eq(sign_off))
        .execute(conn)
}

/// Records when a consultation actually closed.
pub fn set_closed_at(
    conn: &mut DbConnection,
    id: ConsultationId,
    at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(consultations::closed_at.eq(at))
        .execute(conn)
}

/// Records an officer's reason for publishing before every public issue
/// had an agreed response (or clears it).
pub fn set_publish_override(
    conn: &mut DbConnection,
    id: ConsultationId,
    reason: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(consultations::table.find(id))
        .set(consultations::publish_override.eq(reason))
        .execute(conn)
}
