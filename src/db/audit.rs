//! The audit log: who changed what, when, from what to what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::schema::audit_log;
use crate::domain::UserId;

/// An audit entry row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
}

/// An audit entry to record. `actor` names who acted even without a user
/// (e.g. `cli` or `fixtures`).
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct NewAuditEntry<'a> {
    pub at: NaiveDateTime,
    pub user_id: Option<UserId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before_value: Option<&'a str>,
    pub after_value: Option<&'a str>,
}

/// Records an entry.
pub fn record(conn: &mut DbConnection, entry: &NewAuditEntry<'_>) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
}

/// The history of one item, oldest first.
pub fn for_entity(conn: &mut DbConnection, entity: &str, id: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(id))
        .order(audit_log::id)
        .select(AuditEntry::as_select())
        .load(conn)
}
