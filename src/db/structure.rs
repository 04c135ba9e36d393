//! Queries on the proposed structure: `bodies` and `body_links`.

use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::{bodies, body_links};
use crate::domain::{BodyId, BodyLinkId, BodyStatus, ConsultationId, Relation};

/// A body row.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = bodies)]
pub struct Body {
    pub id: BodyId,
    pub consultation_id: ConsultationId,
    pub position: i32,
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    pub role: String,
    pub membership: String,
    pub meets: String,
}

/// A body to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = bodies)]
pub struct NewBody<'a> {
    pub consultation_id: ConsultationId,
    pub position: i32,
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub status: BodyStatus,
    pub role: &'a str,
    pub membership: &'a str,
    pub meets: &'a str,
}

/// A link row: `from_body` *relation* `to_body`.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = body_links)]
pub struct BodyLink {
    pub id: BodyLinkId,
    pub consultation_id: ConsultationId,
    pub from_body_id: BodyId,
    pub to_body_id: BodyId,
    pub relation: Relation,
    pub note: Option<String>,
}

/// A link to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = body_links)]
pub struct NewBodyLink<'a> {
    pub consultation_id: ConsultationId,
    pub from_body_id: BodyId,
    pub to_body_id: BodyId,
    pub relation: Relation,
    pub note: Option<&'a str>,
}

/// Inserts a body and returns its id.
pub fn insert_body(conn: &mut DbConnection, new: &NewBody<'_>) -> QueryResult<BodyId> {
    diesel::insert_into(bodies::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(BodyId)
}

/// A consultation's bodies in document order.
pub fn bodies_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Body>> {
    bodies::table
        .filter(bodies::consultation_id.eq(id))
        .order(bodies::position)
        .select(Body::as_select())
        .load(conn)
}

/// Inserts a link and returns its id.
pub fn insert_link(conn: &mut DbConnection, new: &NewBodyLink<'_>) -> QueryResult<BodyLinkId> {
    diesel::insert_into(body_links::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(BodyLinkId)
}

/// A consultation's links in the order they were recorded.
pub fn links_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<BodyLink>> {
    body_links::table
        .filter(body_links::consultation_id.eq(id))
        .order(body_links::id)
        .select(BodyLink::as_select())
        .load(conn)
}

/// Changes a body's description.
pub fn update_body(
    conn: &mut DbConnection,
    id: BodyId,
    change: &NewBody<'_>,
) -> QueryResult<usize> {
    diesel::update(bodies::table.find(id))
        .set((
            bodies::name.eq(change.name),
            bodies::short_name.eq(change.short_name),
            bodies::status.eq(change.status),
            bodies::role.eq(change.role),
            bodies::membership.eq(change.membership),
            bodies::meets.eq(change.meets),
        ))
        .execute(conn)
}

/// Deletes a body and (by cascade) its links.
pub fn delete_body(conn: &mut DbConnection, id: BodyId) -> QueryResult<usize> {
    diesel::delete(bodies::table.find(id)).execute(conn)
}

/// Deletes a link.
pub fn delete_link(conn: &mut DbConnection, id: BodyLinkId) -> QueryResult<usize> {
    diesel::delete(body_links::table.find(id)).execute(conn)
}

/// The next free position for a consultation's bodies.
pub fn next_body_position(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i32> {
    let max: Option<i32> = bodies::table
        .filter(bodies::consultation_id.eq(id))
        .select(diesel::dsl::max(bodies::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Body `id` if it belongs to consultation `of`.
pub fn body_of(
    conn: &mut DbConnection,
    of: ConsultationId,
    id: BodyId,
) -> QueryResult<Option<Body>> {
    bodies::table
        .filter(bodies::consultation_id.eq(of))
        .filter(bodies::id.eq(id))
        .select(Body::as_select())
        .first(conn)
        .optional()
}

/// Link `id` if it belongs to consultation `of`.
pub fn link_of(
    conn: &mut DbConnection,
    of: ConsultationId,
    id: BodyLinkId,
) -> QueryResult<Option<BodyLink>> {
    body_links::table
        .filter(body_links::consultation_id.eq(of))
        .filter(body_links::id.eq(id))
        .select(BodyLink::as_select())
        .first(conn)
        .optional()
}

/// The body of consultation `of` called `name`, if any.
pub fn body_named(
    conn: &mut DbConnection,
    of: ConsultationId,
    name: &str,
) -> QueryResult<Option<Body>> {
    bodies::table
        .filter(bodies::consultation_id.eq(of))
        .filter(bodies::name.eq(name))
        .select(Body::as_select())
        .first(conn)
        .optional()
}

/// How many bodies and links a consultation's structure has.
pub fn counts(conn: &mut DbConnection, of: ConsultationId) -> QueryResult<(i64, i64)> {
    let bodies = bodies::table
        .filter(bodies::consultation_id.eq(of))
        .count()
        .get_result(conn)?;
    let links = body_links::table
        .filter(body_links::consultation_id.eq(of))
        .count()
        .get_result(conn)?;
    Ok((bodies, links))
}
