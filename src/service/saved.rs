//! Save and return: a consultee keeps an unfinished response and comes back
//! to it by a private link until the closing time. The link's key is
//! random and stored hashed; the saved answers are forgotten once the
//! response is sent, or at the closing time.

use chrono::{DateTime, Duration, Utc};

use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::submission::SubmissionDraft;
use crate::security::{random_token, sha256_hex};
use crate::service::{ServiceError, ServiceResult};

/// How long answers are kept when the consultation has no closing date.
const WITHOUT_CLOSING_DATE: i64 = 28;

/// Saves `draft` for consultation `consultation`, under `key` when the
/// consultee is saving again, else under a new one; returns the key.
pub fn save(
    conn: &mut DbConnection,
    consultation: &Consultation,
    key: Option<&str>,
    draft: &SubmissionDraft,
    now: DateTime<Utc>,
) -> ServiceResult<String> {
    let expires = crate::service::consultations::closing_instant(consultation)
        .unwrap_or_else(|| (now + Duration::days(WITHOUT_CLOSING_DATE)).naive_utc());
    if expires <= now.naive_utc() {
        return Err(ServiceError::Closed(
            "This consultation has closed, so answers can no longer be saved.".into(),
        ));
    }
    // Saving again under a key of another consultation starts afresh.
    let known = match key.filter(|k| !k.is_empty()) {
        Some(k) => db::saved::by_key(conn, &sha256_hex(k))?
            .filter(|s| s.consultation_id == consultation.id)
            .map(|_| k.to_string()),
        None => None,
    };
    let key = known.unwrap_or_else(|| random_token(24));
    let json = serde_json::to_string(draft)
        .map_err(|e| ServiceError::Conflict(format!("the answers could not be saved: {e}")))?;
    db::write_transaction(conn, |conn| {
        db::saved::forget_expired(conn, now.naive_utc())?;
        db::saved::put(
            conn,
            consultation.id,
            &sha256_hex(&key),
            &json,
            (now.naive_utc(), expires),
        )?;
        Ok::<_, ServiceError>(())
    })?;
    Ok(key)
}

/// The answers saved under `key` for `consultation`, if they are still kept.
pub fn load(
    conn: &mut DbConnection,
    consultation: &Consultation,
    key: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Option<SubmissionDraft>> {
    let saved = db::saved::by_key(conn, &sha256_hex(key))?
        .filter(|s| s.consultation_id == consultation.id && s.expires_at > now.naive_utc());
    Ok(saved.and_then(|s| serde_json::from_str(&s.draft).ok()))
}

/// Forgets the answers saved under `key` (the response has been sent).
pub fn forget(conn: &mut DbConnection, key: &str) -> ServiceResult<()> {
    db::saved::forget(conn, &sha256_hex(key))?;
    Ok(())
}
