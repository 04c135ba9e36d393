//! Redacting a response before publication, and checking it: the officer
//! gives the text the public will see; the original stays, for staff, with
//! who redacted what and why. The words withheld are withheld from every
//! public text drawn from the response, its issues' public wording first
//! (see [`crate::domain::redaction`]).

use chrono::{DateTime, Utc};

use crate::db::responses::{Redaction, Response};
use crate::db::{self, DbConnection};
use crate::domain::redaction::Withheld;
use crate::domain::text::required_text;
use crate::domain::{ConsultationId, ResponseId};
use crate::service::access::{Action, Scope};
use crate::service::audit::{self, Change};
use crate::service::{ServiceError, ServiceResult, limits};

/// The longest reason for a redaction.
pub const MAX_REASON_CHARS: usize = 500;

fn response_in(conn: &mut DbConnection, scope: &Scope, reference: &str) -> ServiceResult<Response> {
    db::responses::by_reference(conn, reference)?
        .filter(|r| r.consultation_id == scope.consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("response {reference}")))
}

/// Replaces the text the public will see with `text` (the original with
/// parts removed), for `reason`. The original is kept; the response counts
/// as checked for publication.
pub fn redact(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    (text, reason): (&str, &str),
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    scope.require(Action::Run)?;
    let mut errors = Vec::new();
    let text = required_text(
        "redacted",
        "The text to publish",
        text,
        limits::RESPONSE_CHARS,
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
    let actor = scope.actor();
    db::write_transaction(conn, |conn| {
        let response = response_in(conn, scope, reference)?;
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
        db::responses::set_reviewed(conn, response.id, Some((actor.user_id, now.naive_utc())))?;
        let withheld = Withheld::between(&response.content, &text);
        for issue in db::issues::of_response(conn, response.id)? {
            let public = withheld.apply(&issue.content);
            let public = (public != issue.content).then_some(public);
            db::issues::set_public_content(conn, issue.id, public.as_deref())?;
        }
        let after = format!("{text}\n\nReason: {reason}");
        let change = Change {
            action: "response redacted for publication",
            entity: "response",
            id: response.id.0,
            before: Some(&shown_before),
            after: Some(&after),
        };
        audit::record(conn, &actor, now, change)?;
        Ok(())
    })
}

/// Records that an officer checked a response and found nothing to redact.
pub fn mark_checked(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    scope.require(Action::Run)?;
    let actor = scope.actor();
    db::write_transaction(conn, |conn| {
        let response = response_in(conn, scope, reference)?;
        db::responses::set_reviewed(conn, response.id, Some((actor.user_id, now.naive_utc())))?;
        let change = Change {
            action: "response checked for publication: nothing to redact",
            entity: "response",
            id: response.id.0,
            before: None,
            after: None,
        };
        audit::record(conn, &actor, now, change)?;
        Ok(())
    })
}

/// The words withheld by a response's redaction (none if it has none).
pub fn withheld_of(conn: &mut DbConnection, response: ResponseId) -> ServiceResult<Withheld> {
    let redaction = db::responses::redaction_of(conn, response)?;
    let Some(redacted) = redaction.redacted_content else {
        return Ok(Withheld::default());
    };
    let original = db::responses::content_of(conn, response)?;
    Ok(Withheld::between(&original, &redacted))
}

/// Every word withheld by any redaction in a consultation: public texts
/// drawn from many responses at once (theme labels) are masked with it.
pub fn withheld_in(conn: &mut DbConnection, id: ConsultationId) -> ServiceResult<Withheld> {
    let each: Vec<Withheld> = db::responses::redactions_of(conn, id)?
        .iter()
        .map(|(original, redacted)| Withheld::between(original, redacted))
        .collect();
    Ok(Withheld::union(&each))
}

/// Sets an issue's public wording again after its text changed (an
/// officer's edit, a merge or split), from its response's redaction.
pub fn refresh_public_wording(
    conn: &mut DbConnection,
    response: ResponseId,
    issue: crate::domain::IssueId,
    content: &str,
) -> ServiceResult<()> {
    let withheld = withheld_of(conn, response)?;
    let public = withheld.apply(content);
    let public = (public != content).then_some(public);
    db::issues::set_public_content(conn, issue, public.as_deref())?;
    Ok(())
}
