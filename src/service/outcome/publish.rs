//! Publishing the outcome page, and who to tell: consultees who ticked
//! "tell me about the outcome" and left an e-mail address, each told once.

use chrono::{DateTime, Utc};

use crate::db::{self, DbConnection};
use crate::domain::ConsultationStatus;
use crate::service::access::Caller;
use crate::service::editing::{Audited, change};
use crate::service::{ServiceError, ServiceResult};

/// An e-mail to send once the outcome is published (after commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: String,
    pub reference: String,
    pub consultation_title: String,
}

/// Publishes the outcome of consultation `slug` with its newest revised
/// structure (if any); returns the e-mails to send. Without mail
/// (`can_mail` false: no SMTP relay is set) nobody is marked as told, so
/// publishing again once mail is set up still tells them.
pub fn publish(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    now: DateTime<Utc>,
    can_mail: bool,
) -> ServiceResult<Vec<Notice>> {
    change(conn, caller, slug, now, |conn, scope| {
        let c = &scope.consultation;
        if c.status != ConsultationStatus::Published {
            return Err(ServiceError::Conflict(
                "Publish the summary of responses first: the outcome page links each change to it."
                    .into(),
            ));
        }
        let version = db::outcome::versions_of(conn, c.id)?.pop();
        db::outcome::publish_outcome(conn, c.id, version.as_ref().map(|v| v.id), now.naive_utc())?;
        let mut notices = Vec::new();
        let mut told = Vec::new();
        let waiting = if can_mail {
            db::outcome::to_tell(conn, c.id)?
        } else {
            Vec::new()
        };
        for (response, reference) in waiting {
            let email = db::responses::consultees_of(conn, response)?
                .into_iter()
                .find_map(|k| k.contact_email.filter(|e| !e.trim().is_empty()));
            if let Some(to) = email {
                notices.push(Notice {
                    to,
                    reference,
                    consultation_title: c.title.clone(),
                });
            }
            told.push(response);
        }
        db::outcome::mark_told(conn, &told, now.naive_utc())?;
        let shown = version.map_or("no revised structure".to_string(), |v| {
            format!("version {}", v.number)
        });
        Ok(Audited::new(notices, "outcome published", ("consultation", c.id.0)).after(shown))
    })
}

/// Takes the outcome page down (to correct it); nobody is told twice.
pub fn withdraw(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    change(conn, caller, slug, now, |conn, scope| {
        let c = &scope.consultation;
        if c.outcome_published_at.is_none() {
            return Err(ServiceError::Conflict(
                "The outcome is not published.".into(),
            ));
        }
        db::outcome::withdraw_outcome(conn, c.id)?;
        Ok(Audited::new(
            (),
            "outcome withdrawn",
            ("consultation", c.id.0),
        ))
    })
}
