//! Staff sign-in: checking passwords and keeping sessions.

use chrono::{DateTime, Duration, Utc};

use super::{ServiceError, ServiceResult, passwords};
use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::security::{random_token, sha256_hex};

/// A new session: the token goes in the cookie (or bearer header); only its
/// hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// A well-formed argon2id hash of a random password, checked when the email
/// is unknown so that a wrong email takes as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ";

/// The longest e-mail address and password a sign-in reads.
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PASSWORD_CHARS: usize = 1_024;

/// The message for any failed sign-in: it does not say which part was wrong.
pub const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

/// Checks an email and password; on success starts a session of `hours`.
pub fn sign_in(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
    hours: i64,
) -> ServiceResult<NewSession> {
    // No e-mail address or password is this long: refused before hashing.
    if email.chars().count() > MAX_EMAIL_CHARS || password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ServiceError::invalid("email", WRONG_CREDENTIALS));
    }
    let user = db::users::by_email(conn, email.trim())?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .unwrap_or(DECOY_HASH);
    let matches = passwords::verify(password, hash);
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => return Err(ServiceError::invalid("email", WRONG_CREDENTIALS)),
    };
    let token = random_token(32);
    let expires_at = now + Duration::hours(hours);
    db::sessions::delete_expired(conn, now.naive_utc())?;
    db::sessions::insert(
        conn,
        &sha256_hex(&token),
        user.id,
        now.naive_utc(),
        expires_at.naive_utc(),
    )?;
    Ok(NewSession {
        token,
        user,
        expires_at,
    })
}

/// The signed-in user of a session token, if it is valid now.
pub fn user_for(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Option<User>> {
    Ok(db::sessions::user(
        conn,
        &sha256_hex(token),
        now.naive_utc(),
    )?)
}

/// Ends a session (sign-out).
pub fn sign_out(conn: &mut DbConnection, token: &str) -> ServiceResult<()> {
    db::sessions::delete(conn, &sha256_hex(token))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_decoy_hash_is_well_formed_so_unknown_emails_cost_a_full_check() {
        use argon2::password_hash::PasswordHash;
        assert!(PasswordHash::new(super::DECOY_HASH).is_ok());
        assert!(!super::passwords::verify("anything", super::DECOY_HASH));
    }
}
