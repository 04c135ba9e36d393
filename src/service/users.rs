//! Staff user management.

use chrono::Utc;

use super::access::{self, Caller, Duty};
use super::audit::{self, Change};
use super::{ServiceError, ServiceResult, passwords};
use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::domain::{EmailAddress, Role, UserId};

/// Every staff user, for those who manage users.
pub fn all(conn: &mut DbConnection, caller: &Caller) -> ServiceResult<Vec<User>> {
    access::require_duty(caller, Duty::ManageUsers)?;
    Ok(db::users::all(conn)?)
}

/// Creates a staff user with a hashed password (from the command line).
pub fn add(
    conn: &mut DbConnection,
    email: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> ServiceResult<UserId> {
    add_as(
        conn,
        &Caller::System("cli"),
        email,
        display_name,
        role,
        password,
    )
}

/// Creates a staff user with a hashed password, recording who did: for
/// those who manage users.
pub fn add_as(
    conn: &mut DbConnection,
    caller: &Caller,
    email: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> ServiceResult<UserId> {
    access::require_duty(caller, Duty::ManageUsers)?;
    let email = EmailAddress::parse("email", email)?;
    let display_name =
        crate::domain::text::optional_line("name", "Name", display_name, 200)?.unwrap_or_default();
    if password.chars().count() < passwords::MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid(
            "password",
            format!(
                "Password must be {} characters or more",
                passwords::MIN_PASSWORD_CHARS
            ),
        ));
    }
    let email = email.as_str().to_lowercase();
    let hash = passwords::hash(password).map_err(|e| {
        ServiceError::invalid("password", format!("Password could not be hashed: {e}"))
    })?;
    db::write_transaction(conn, |conn| {
        if db::users::by_email(conn, &email)?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "a user with the email address {email} already exists"
            )));
        }
        let now = Utc::now().naive_utc();
        let name = if display_name.is_empty() {
            email.as_str()
        } else {
            display_name.as_str()
        };
        let id = db::users::insert(
            conn,
            &db::users::NewUser {
                email: &email,
                display_name: name,
                role,
                password_hash: &hash,
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            &caller.actor(),
            Utc::now(),
            Change {
                action: "user added",
                entity: "user",
                id: id.0,
                before: None,
                after: Some(&format!("{email} ({role})")),
            },
        )?;
        Ok(id)
    })
}

/// Disables (or re-enables) a user. A disabled user's sessions end at once.
/// Nobody can disable themselves, so an admin cannot lock everyone out.
pub fn set_disabled(
    conn: &mut DbConnection,
    caller: &Caller,
    id: UserId,
    disabled: bool,
) -> ServiceResult<()> {
    access::require_duty(caller, Duty::ManageUsers)?;
    if caller.user().map(|u| u.id) == Some(id) {
        return Err(ServiceError::Conflict(
            "You cannot disable your own account; ask another administrator.".into(),
        ));
    }
    db::write_transaction(conn, |conn| {
        let user = db::users::by_id(conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("user {}", id.0)))?;
        db::users::set_disabled(conn, id, disabled)?;
        if disabled {
            db::sessions::delete_of_user(conn, id)?;
        }
        let (before, after) = (user.disabled.to_string(), disabled.to_string());
        let action = if disabled {
            "user disabled"
        } else {
            "user enabled"
        };
        let change = Change {
            action,
            entity: "user",
            id: id.0,
            before: Some(&before),
            after: Some(&after),
        };
        audit::record(conn, &caller.actor(), Utc::now(), change)?;
        Ok(())
    })
}
