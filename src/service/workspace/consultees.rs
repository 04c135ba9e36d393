//! Officers keeping consultees right: a name, short name and kind as the
//! committee table should show them ("Gloucestershire County Council
//! (GCC)", then "GCC"), and two records of one organisation merged into
//! one, so the table names it once.

use chrono::{DateTime, Utc};

use crate::db::consultees::Consultee;
use crate::db::{self, DbConnection};
use crate::domain::text::{optional_line, required_line};
use crate::domain::{ConsulteeId, ConsulteeKind, ValidationError};
use crate::service::access::{Action, Scope};
use crate::service::audit::{self, Change};
use crate::service::{ServiceError, ServiceResult};

/// A consultee and the number of responses naming it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub consultee: Consultee,
    pub responses: i64,
}

/// A consultation's consultees, by name.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<Vec<Listed>> {
    let id = scope.consultation.id;
    let counts: std::collections::HashMap<ConsulteeId, i64> =
        db::consultees::response_counts(conn, id)?
            .into_iter()
            .collect();
    let mut listed: Vec<Listed> = db::consultees::of_consultation(conn, id)?
        .into_iter()
        .map(|c| Listed {
            responses: counts.get(&c.id).copied().unwrap_or(0),
            consultee: c,
        })
        .collect();
    listed.sort_by(|a, b| {
        a.consultee
            .name
            .to_lowercase()
            .cmp(&b.consultee.name.to_lowercase())
            .then(a.consultee.id.cmp(&b.consultee.id))
    });
    Ok(listed)
}

/// A consultee as typed by an officer.
#[derive(Debug, Clone, Default)]
pub struct ConsulteeInput {
    pub name: String,
    pub short_name: String,
    pub kind: String,
}

fn found(conn: &mut DbConnection, scope: &Scope, id: ConsulteeId) -> ServiceResult<Consultee> {
    db::consultees::in_consultation(conn, scope.consultation.id, id)?
        .ok_or_else(|| ServiceError::NotFound("consultee".into()))
}

/// Changes a consultee's name, short name and kind.
pub fn edit(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ConsulteeId,
    input: &ConsulteeInput,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    scope.require(Action::Run)?;
    let mut errors = Vec::new();
    let name = required_line("name", "Name", &input.name, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let short_name = optional_line("short_name", "Short name", &input.short_name, 20)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let kind = input
        .kind
        .parse::<ConsulteeKind>()
        .map_err(|_| errors.push(ValidationError::new("kind", "Select the kind of consultee")));
    let Ok(kind) = kind else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    db::write_transaction(conn, |conn| {
        let before = found(conn, scope, id)?;
        db::consultees::rename(conn, id, (&name, short_name.as_deref(), kind))?;
        let after = match &short_name {
            Some(short) => format!("{name} ({short}), {}", kind.label()),
            None => format!("{name}, {}", kind.label()),
        };
        let change = Change {
            action: "consultee changed",
            entity: "consultee",
            id: id.0,
            before: Some(&before.name),
            after: Some(&after),
        };
        audit::record(conn, &scope.actor(), now, change)?;
        Ok(())
    })
}

/// Merges consultee `from` into `into`: every response naming `from` names
/// `into`, which keeps its own contact details (or takes `from`'s when it
/// has none); `from` is deleted.
pub fn merge(
    conn: &mut DbConnection,
    scope: &Scope,
    from: ConsulteeId,
    into: Option<ConsulteeId>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    scope.require(Action::Run)?;
    let Some(into) = into.filter(|&i| i != from) else {
        return Err(ServiceError::invalid(
            "into",
            "Choose another consultee to merge this one into",
        ));
    };
    db::write_transaction(conn, |conn| {
        let gone = found(conn, scope, from)?;
        let kept = db::consultees::in_consultation(conn, scope.consultation.id, into)?.ok_or_else(
            || ServiceError::invalid("into", "Choose a consultee of this consultation"),
        )?;
        if kept.contact_email.is_none() && kept.contact_name.is_none() {
            db::consultees::set_contacts(
                conn,
                into,
                (gone.contact_name.as_deref(), gone.contact_email.as_deref()),
            )?;
        }
        db::consultees::merge(conn, from, into)?;
        let change = Change {
            action: "consultees merged",
            entity: "consultee",
            id: into.0,
            before: Some(&gone.name),
            after: Some(&kept.name),
        };
        audit::record(conn, &scope.actor(), now, change)?;
        Ok(())
    })
}
