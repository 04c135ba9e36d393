//! Recording changes in the audit log: who, when, what, from what to what.
//! Every use case that changes something a committee relies on calls
//! [`record`] inside its own transaction, so the entry and the change land
//! together or not at all.

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::domain::UserId;

/// Who made a change: a staff user, or a named part of the system
/// (`consultee`, `cli`, `analysis`, `retention`, `fixtures`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
}

impl Actor {
    /// A signed-in staff user, named by e-mail address.
    pub fn staff(user: &User) -> Self {
        Self {
            user_id: Some(user.id),
            name: user.email.clone(),
        }
    }

    /// A part of the system acting without a user.
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            name: name.to_string(),
        }
    }
}

/// One change to one item.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub action: &'a str,
    /// The kind of item: `consultation`, `response`, `issue`, `theme`,
    /// `group response`, `user`.
    pub entity: &'a str,
    pub id: i64,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Records a change made at `at`.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> QueryResult<()> {
    db::audit::record(conn, &entry(actor, at, change))?;
    Ok(())
}

/// The audit row for a change made at `at`, for callers that write many
/// rows at once.
pub fn entry<'a>(
    actor: &'a Actor,
    at: DateTime<Utc>,
    change: Change<'a>,
) -> db::audit::NewAuditEntry<'a> {
    db::audit::NewAuditEntry {
        at: at.naive_utc(),
        user_id: actor.user_id,
        actor: &actor.name,
        action: change.action,
        entity: change.entity,
        entity_id: Some(change.id),
        before_value: change.before,
        after_value: change.after,
    }
}
