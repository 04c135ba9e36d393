//! The published responses page: once a consultation is published, the
//! responses whose consultees agreed, named or anonymised as each chose,
//! never with contact details, and as an officer redacted them.

use chrono::{DateTime, Utc};

use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationStatus, Publication};
use crate::service::{ServiceError, ServiceResult};

/// Published responses per page.
pub const PAGE_SIZE: usize = 25;

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
