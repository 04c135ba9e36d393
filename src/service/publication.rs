//! What the public sees of individual responses once a consultation is
//! published: the responses whose consultees agreed, named or anonymised as
//! each chose, never with contact details, and as an officer redacted them
//! (the original stays, for staff, with who redacted what and why).

use chrono::{DateTime, Utc};

use super::audit::{self, Actor, Change};
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::responses::Redaction;
use crate::db::{self, DbConnection};
use crate::domain::text::required_text;
use crate::domain::{ConsultationStatus, Publication};

/// Published responses per page.
pub const PAGE_SIZE: usize = 25;

/// The longest reason for a redaction.
pub const MAX_REASON_CHARS: usize = 500;

/// One response as the public sees it.
#[derive(Debug, Clone)]
pub struct PublishedResponse {
    pub reference: String,
    /// Consultee names joined with " / ", or "Name withheld".
    pub from: String,
    /// The kinds of consultee (shown even when names are withheld).
    pub kinds: Vec<String>,
    pub received_at: DateTime<Utc>,
    /// The text, redacted where an officer did so.
    pub text: String,
    pub redacted: bool,
}

/// A page of published responses.
#[derive(Debug, Clone)]
pub struct PublishedPage {
    pub consultation: Consultation,
    pub responses: Vec<PublishedResponse>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// The published responses of a published consultation (404 otherwise, as
/// if they did not exist).
pub fn published(conn: &mut DbConnection, slug: &str, page: usize) -> ServiceResult<PublishedPage> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .filter(|c| c.status == ConsultationStatus::Published)
        .ok_or_else(|| ServiceError::NotFound(format!("published responses of “{slug}”")))?;
    let size = PAGE_SIZE as i64;
    let requested = page.max(1);
    let offset = i64::try_from(requested - 1).unwrap_or(0) * size;
    let (entries, total) = db::responses::publishable(conn, consultation.id, (offset, size))?;
    let total = usize::try_from(total).unwrap_or(0);
    let ids: Vec<_> = entries.iter().map(|e| e.id).collect();
    let consultees = db::responses::consultees_of_some(conn, &ids)?;
    let responses = entries
        .into_iter()
        .map(|e| {
            let who: Vec<_> = consultees
                .iter()
                .filter(|(r, _)| *r == e.id)
                .map(|(_, c)| c)
                .collect();
            let from = match e.publication {
                Publication::WithNames => who
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" / "),
                _ => "Name withheld".to_string(),
            };
            let mut kinds: Vec<String> = who.iter().map(|c| c.kind.label().to_string()).collect();
            kinds.dedup();
            PublishedResponse {
                reference: e.reference,
                from,
                kinds,
                received_at: crate::domain::time::from_db(e.received_at),
                redacted: e.redacted_content.is_some(),
                text: e.redacted_content.unwrap_or(e.content),
            }
        })
        .collect();
    Ok(PublishedPage {
        consultation,
        responses,
        total,
        page: requested,
        pages: total.div_ceil(PAGE_SIZE).max(1),
    })
}

/// Replaces the text the public will see with `text` (the original with
/// parts removed), for `reason`. The original is kept.
pub fn redact(
    conn: &mut DbConnection,
    actor: &Actor,
    consultation: &Consultation,
    reference: &str,
    (text, reason): (&str, &str),
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let text = required_text(
        "redacted",
        "The text to publish",
        text,
        crate::import::rows::MAX_TEXT_CHARS,
    )
    .map_err(|e| errors.push(e))
    .ok();
    let reason = required_text(
        "reason",
        "The reason for the redaction",
        reason,
        MAX_REASON_CHARS,
    )
    .map_err(|e| errors.push(e))
    .ok();
    let (Some(text), Some(reason)) = (text, reason) else {
        return Err(ServiceError::Invalid(errors));
    };
    db::write_transaction(conn, |conn| {
        let response = db::responses::by_reference(conn, reference)?
            .filter(|r| r.consultation_id == consultation.id)
            .ok_or_else(|| ServiceError::NotFound(format!("response {reference}")))?;
        if text == response.content.trim() {
            return Err(ServiceError::invalid(
                "redacted",
                "The text to publish is the same as the response; remove the parts that must not be published, for example by replacing them with [redacted]",
            ));
        }
        let before = db::responses::redaction_of(conn, response.id)?;
        let shown_before = before
            .redacted_content
            .unwrap_or_else(|| response.content.clone());
        db::responses::set_redaction(
            conn,
            response.id,
            &Redaction {
                redacted_content: Some(text.clone()),
                redaction_reason: Some(reason.clone()),
                redacted_by: actor.user_id,
                redacted_at: Some(now.naive_utc()),
            },
        )?;
        let after = format!("{text}\n\nReason: {reason}");
        let change = Change {
            action: "response redacted for publication",
            entity: "response",
            id: response.id.0,
            before: Some(&shown_before),
            after: Some(&after),
        };
        audit::record(conn, actor, now, change)?;
        Ok(())
    })
}
