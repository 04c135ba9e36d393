//! Queries on `themes`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::themes;
use crate::domain::{ConsultationId, ThemeId, ThemeOrigin};

/// A theme row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = themes)]
pub struct Theme {
    pub id: ThemeId,
    pub consultation_id: ConsultationId,
    pub label: String,
    pub origin: ThemeOrigin,
    pub officer_named: bool,
    pub pinned: bool,
    pub position: i32,
    pub created_at: NaiveDateTime,
    /// The group member (or officer) working on it.
    pub assigned_to: Option<crate::domain::UserId>,
}

/// A theme to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = themes)]
pub struct NewTheme<'a> {
    pub consultation_id: ConsultationId,
    pub label: &'a str,
    pub origin: ThemeOrigin,
    pub officer_named: bool,
    pub pinned: bool,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

/// Inserts a theme and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewTheme<'_>) -> QueryResult<ThemeId> {
    diesel::insert_into(themes::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(ThemeId)
}

/// A consultation's themes in display order.
pub fn of_consultation(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Theme>> {
    themes::table
        .filter(themes::consultation_id.eq(id))
        .order((themes::position, themes::id))
        .select(Theme::as_select())
        .load(conn)
}

/// One theme, if it exists.
pub fn by_id(conn: &mut DbConnection, id: ThemeId) -> QueryResult<Option<Theme>> {
    themes::table
        .find(id)
        .select(Theme::as_select())
        .first(conn)
        .optional()
}

/// Renames a theme as an officer (analysis keeps the name from then on).
pub fn rename(conn: &mut DbConnection, id: ThemeId, label: &str) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set((themes::label.eq(label), themes::officer_named.eq(true)))
        .execute(conn)
}

/// Pins or unpins a theme (a pinned theme keeps every issue in it).
pub fn set_pinned(conn: &mut DbConnection, id: ThemeId, pinned: bool) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set(themes::pinned.eq(pinned))
        .execute(conn)
}

/// The next free display position in a consultation.
pub fn next_position(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i32> {
    themes::table
        .filter(themes::consultation_id.eq(id))
        .select(diesel::dsl::max(themes::position))
        .first::<Option<i32>>(conn)
        .map(|p| p.map_or(0, |p| p + 1))
}

/// A theme's evidence: top terms with weights and representative issue ids,
/// as stored by the analysis (JSON text).
pub fn evidence(conn: &mut DbConnection, id: ThemeId) -> QueryResult<(String, String)> {
    themes::table
        .find(id)
        .select((themes::top_terms, themes::representatives))
        .first(conn)
}

/// Assigns a theme to a user (or to nobody).
pub fn assign(
    conn: &mut DbConnection,
    id: ThemeId,
    user: Option<crate::domain::UserId>,
) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set(themes::assigned_to.eq(user))
        .execute(conn)
}
