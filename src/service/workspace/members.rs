//! Who is in the group working on a consultation. Officers assign group
//! members; officers and admins need no assignment.

use chrono::{DateTime, Utc};

use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::domain::{Role, UserId};
use crate::service::access::{Action, Scope};
use crate::service::audit::{self, Change};
use crate::service::{ServiceError, ServiceResult};

/// The group of a consultation, and the group members who could join it.
#[derive(Debug, Clone)]
pub struct Group {
    pub members: Vec<User>,
    pub others: Vec<User>,
}

/// The consultation's group members and the other (enabled) group members.
pub fn group(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<Group> {
    let consultation = &scope.consultation;
    let members = db::members::of_consultation(conn, consultation.id)?;
    let others = db::users::all(conn)?
        .into_iter()
        .filter(|u| u.role == Role::GroupMember && !u.disabled)
        .filter(|u| members.iter().all(|m| m.id != u.id))
        .collect();
    Ok(Group { members, others })
}

/// Adds (`true`) or removes a group member: for those who may run the
/// consultation.
pub fn set_member(
    conn: &mut DbConnection,
    scope: &Scope,
    user: UserId,
    member: bool,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    scope.require(Action::Run)?;
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let user = db::users::by_id(conn, user)?
            .ok_or_else(|| ServiceError::invalid("user", "Choose a group member from the list"))?;
        if member && (user.role != Role::GroupMember || user.disabled) {
            return Err(ServiceError::invalid(
                "user",
                "Only enabled group members are added to a group; officers and admins already see every consultation",
            ));
        }
        let changed = if member {
            db::members::assign(conn, consultation.id, user.id)?
        } else {
            db::members::unassign(conn, consultation.id, user.id)?
        };
        if changed > 0 {
            let action = if member {
                "group member added"
            } else {
                "group member removed"
            };
            let change = Change {
                action,
                entity: "consultation",
                id: consultation.id.0,
                before: None,
                after: Some(&user.email),
            };
            audit::record(conn, actor, now, change)?;
        }
        Ok(())
    })
}
