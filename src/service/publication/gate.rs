//! The publish step: what is not ready, and publishing only when it is, or
//! with an officer's explicit, recorded reason. The public table never
//! shows a draft: an issue without an agreed response shows "Response to
//! follow" (see [`crate::service::summary`]).

use chrono::{DateTime, Utc};

pub use crate::db::issues::Gap;
use crate::db::issues::GapKind;
use crate::db::{self, DbConnection};
use crate::domain::ConsultationStatus;
use crate::domain::text::required_text;
use crate::service::access::{self, Action, Caller, Scope};
use crate::service::audit::{self, Change};
use crate::service::{ServiceError, ServiceResult};

/// How many of each kind of gap the publish page lists (it counts all).
pub const LISTED: i64 = 50;

/// The longest reason for publishing before everything is ready.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Some items not ready, and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct Listed<T> {
    pub first: Vec<T>,
    pub total: usize,
}

impl<T> Listed<T> {
    fn new((first, total): (Vec<T>, i64)) -> Self {
        Self {
            first,
            total: usize::try_from(total).unwrap_or(0),
        }
    }
}

/// What stands between a consultation and publication.
#[derive(Debug, Clone)]
pub struct Readiness {
    pub scope: Scope,
    /// Issues the public will see.
    pub public_issues: usize,
    /// Issues from responses not for publication (never shown).
    pub withheld_issues: usize,
    /// Public issues without a group response.
    pub unanswered: Listed<Gap>,
    /// Public issues whose group response is still a draft.
    pub drafts: Listed<Gap>,
    /// Responses held for review (the spam honeypot): never published until
    /// an officer accepts them.
    pub held: usize,
    /// Responses for publication that no officer has checked (for names,
    /// addresses and other personal data to redact).
    pub unchecked: Listed<(String, chrono::NaiveDateTime)>,
}

impl Readiness {
    /// Whether everything is ready: every public issue has an agreed
    /// response, nothing is held and every public response was checked.
    pub fn ready(&self) -> bool {
        self.unanswered.total == 0
            && self.drafts.total == 0
            && self.held == 0
            && self.unchecked.total == 0
    }

    /// The gaps in one sentence, for a refusal.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut say = |n: usize, one: &str, many: &str| match n {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        };
        say(
            self.unanswered.total,
            "public issue has no response from the group",
            "public issues have no response from the group",
        );
        say(
            self.drafts.total,
            "response is still a draft",
            "responses are still drafts",
        );
        say(
            self.held,
            "response is held for review",
            "responses are held for review",
        );
        say(
            self.unchecked.total,
            "response has not been checked for redaction",
            "responses have not been checked for redaction",
        );
        parts.join("; ")
    }
}

/// What is not ready for publication of consultation `slug`.
pub fn readiness(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Readiness> {
    let scope = access::open_for(conn, caller, slug, Action::Run)?;
    readiness_of(conn, scope)
}

fn readiness_of(conn: &mut DbConnection, scope: Scope) -> ServiceResult<Readiness> {
    let id = scope.consultation.id;
    let (public, withheld) = db::issues::public_counts(conn, id)?;
    Ok(Readiness {
        public_issues: usize::try_from(public).unwrap_or(0),
        withheld_issues: usize::try_from(withheld).unwrap_or(0),
        unanswered: Listed::new(db::issues::publication_gaps(
            conn,
            id,
            GapKind::Unanswered,
            LISTED,
        )?),
        drafts: Listed::new(db::issues::publication_gaps(
            conn,
            id,
            GapKind::Draft,
            LISTED,
        )?),
        held: usize::try_from(db::responses::held_count(conn, id)?).unwrap_or(0),
        unchecked: Listed::new(db::responses::unreviewed(conn, id, LISTED)?),
        scope,
    })
}

/// Publishes a closed consultation: when everything is [ready](Readiness::ready),
/// or with `override_reason`, the officer's reason for publishing now,
/// which is recorded (and shown to staff). Anything not ready then shows
/// "Response to follow" in the public table.
pub fn publish(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    override_reason: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let reason = override_reason
        .map(|r| required_text("reason", "Why you are publishing now", r, MAX_REASON_CHARS))
        .transpose()?;
    db::write_transaction(conn, |conn| {
        let scope = access::open_for(conn, caller, slug, Action::Run)?;
        let c = scope.consultation.clone();
        if c.status != ConsultationStatus::Closed {
            return Err(ServiceError::Conflict(format!(
                "A {} consultation cannot be published: consultations go draft, open, closed, published, one step at a time",
                c.status.label().to_lowercase()
            )));
        }
        let readiness = readiness_of(conn, scope)?;
        let ready = readiness.ready();
        if !ready && reason.is_none() {
            return Err(ServiceError::Conflict(format!(
                "Not ready to publish: {}. Finish these, or give your reason for publishing now.",
                readiness.describe()
            )));
        }
        db::consultations::set_status(conn, c.id, ConsultationStatus::Published, now.naive_utc())?;
        db::consultations::set_published_at(conn, c.id, now.naive_utc())?;
        let recorded = reason.as_deref().filter(|_| !ready);
        db::consultations::set_publish_override(conn, c.id, recorded)?;
        let after = match recorded {
            Some(reason) => format!(
                "published before everything was ready ({}); reason: {reason}",
                readiness.describe()
            ),
            None => "published".to_string(),
        };
        let change = Change {
            action: "status changed",
            entity: "consultation",
            id: c.id.0,
            before: Some(c.status.as_str()),
            after: Some(&after),
        };
        audit::record(conn, &caller.actor(), now, change)?;
        Ok(())
    })
}
