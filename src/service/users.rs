//! Staff user management.

use chrono::Utc;
use diesel::Connection;

use super::{ServiceError, ServiceResult, passwords};
use crate::db::{self, DbConnection};
use crate::domain::{EmailAddress, Role, UserId};

/// Creates a staff user with a hashed password.
pub fn add(
    conn: &mut DbConnection,
    email: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> ServiceResult<UserId> {
    let email = EmailAddress::parse("email", email)?;
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
    conn.transaction(|conn| {
        if db::users::by_email(conn, &email)?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "a user with the email address {email} already exists"
            )));
        }
        let now = Utc::now().naive_utc();
        let name = if display_name.trim().is_empty() {
            email.as_str()
        } else {
            display_name.trim()
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
        db::audit::record(
            conn,
            &db::audit::NewAuditEntry {
                at: now,
                user_id: None,
                actor: "cli",
                action: "user added",
                entity: "user",
                entity_id: Some(id.0),
                before_value: None,
                after_value: Some(&format!("{email} ({role})")),
            },
        )?;
        Ok(id)
    })
}
