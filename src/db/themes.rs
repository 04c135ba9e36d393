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
