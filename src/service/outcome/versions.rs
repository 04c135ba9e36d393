//! Officers drawing up the revised structure after the consultation. A
//! version starts as a copy of the one before (the first, of the consulted
//! structure, which never changes); only the newest is changed, and only
//! until its outcome is published. Every change records what it did, in
//! the officers' words, and the issues that prompted it (none: the
//! officers' own decision).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::db::outcome::{NewVersionBody, NewVersionLink, Version, VersionBody};
use crate::db::{self, DbConnection};
use crate::domain::text::required_text;
use crate::domain::{
    ChangeAction, ConsultationStatus, IssueId, StructureVersionId, ValidationError, VersionBodyId,
    VersionLinkId,
};
use crate::service::access::{Caller, Scope};
use crate::service::editing::structure::{BodyInput, LinkInput, ParsedBody, parse_body};
use crate::service::editing::{Audited, change};
use crate::service::{ServiceError, ServiceResult, limits};

/// Why a change was made, as typed: a sentence for the committee and the
/// issues behind it (`CHL-0006/2`: a response reference and point number).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReasonInput {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub issues: String,
}

/// The most issues one change may cite.
const REASONS: usize = 50;

/// A reason as checked.
#[derive(Debug, Clone)]
pub struct Reason {
    pub summary: String,
    pub issues: Vec<IssueId>,
}

/// Checks a reason: the summary is required; every issue reference must be
/// a point of a response to this consultation.
pub fn parse_reason(
    conn: &mut DbConnection,
    scope: &Scope,
    input: &ReasonInput,
) -> ServiceResult<Reason> {
    let mut errors = Vec::new();
    let summary = required_text("summary", "What changed", &input.summary, 1_000)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let mut issues = Vec::new();
    let tokens: Vec<&str> = input
        .issues
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() > REASONS {
        errors.push(ValidationError::new(
            "issues",
            format!("Cite up to {REASONS} issues for one change"),
        ));
    }
    let mut unknown = Vec::new();
    for token in tokens.iter().take(REASONS) {
        match issue_of(conn, scope, token)? {
            Some(id) if !issues.contains(&id) => issues.push(id),
            Some(_) => {}
            None => unknown.push(*token),
        }
    }
    if !unknown.is_empty() {
        errors.push(ValidationError::new(
            "issues",
            format!(
                "Enter each issue as a response reference and point number, like {}-0006/2: {} is not a point of a response to this consultation",
                scope.consultation.reference_prefix,
                unknown.join(", ")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(Reason { summary, issues })
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The issue `CHL-0006/2` names, if it is one of this consultation's.
fn issue_of(conn: &mut DbConnection, scope: &Scope, token: &str) -> ServiceResult<Option<IssueId>> {
    let Some((reference, point)) = token.split_once('/') else {
        return Ok(None);
    };
    let Ok(point) = point.parse::<i32>() else {
        return Ok(None);
    };
    let reference = reference.trim().to_uppercase();
    let Some(response) = db::responses::by_reference(conn, &reference)? else {
        return Ok(None);
    };
    if response.consultation_id != scope.consultation.id {
        return Ok(None);
    }
    Ok(db::issues::of_response(conn, response.id)?
        .into_iter()
        .find(|i| i.position == point)
        .map(|i| i.id))
}

/// Starts the next version of consultation `slug`'s structure, once it
/// has closed: a copy of the newest version, or of the consulted structure.
pub fn start(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    now: DateTime<Utc>,
) -> ServiceResult<i32> {
    change(conn, caller, slug, now, |conn, scope| {
        let c = &scope.consultation;
        if !matches!(
            c.status,
            ConsultationStatus::Closed | ConsultationStatus::Published
        ) {
            return Err(ServiceError::Conflict(
                "The revised structure is drawn up once the consultation has closed.".into(),
            ));
        }
        let versions = db::outcome::versions_of(conn, c.id)?;
        let number = versions.last().map_or(1, |v| v.number + 1);
        let by = scope.actor().name;
        let id = db::outcome::insert_version(conn, c.id, number, now.naive_utc(), &by)?;
        match versions.last() {
            Some(previous) => copy_version(conn, previous.id, id)?,
            None => copy_consulted(conn, scope, id)?,
        }
        Ok(Audited::new(
            number,
            "structure version started",
            ("structure version", id.0),
        )
        .after(format!("version {number}")))
    })
}

fn copy_consulted(
    conn: &mut DbConnection,
    scope: &Scope,
    into: StructureVersionId,
) -> ServiceResult<()> {
    let id = scope.consultation.id;
    let bodies = db::structure::bodies_of(conn, id)?;
    let mut ids = std::collections::HashMap::new();
    for b in &bodies {
        let new = db::outcome::insert_body(
            conn,
            &NewVersionBody {
                version_id: into,
                consulted_body_id: Some(b.id),
                position: b.position,
                name: &b.name,
                short_name: b.short_name.as_deref(),
                status: b.status,
                role: &b.role,
                membership: &b.membership,
                meets: &b.meets,
            },
        )?;
        ids.insert(b.id, new);
    }
    let links = db::structure::links_of(conn, id)?
        .into_iter()
        .map(|l| (l.from_body_id, l.to_body_id, l.relation, l.note));
    copy_links(conn, into, &ids, links)
}

fn copy_version(
    conn: &mut DbConnection,
    from: StructureVersionId,
    into: StructureVersionId,
) -> ServiceResult<()> {
    let mut ids = std::collections::HashMap::new();
    for b in db::outcome::bodies_of(conn, from)? {
        let new = db::outcome::insert_body(conn, &body_row(into, &b))?;
        ids.insert(b.id, new);
    }
    let links = db::outcome::links_of(conn, from)?
        .into_iter()
        .map(|l| (l.from_body_id, l.to_body_id, l.relation, l.note));
    copy_links(conn, into, &ids, links)
}

/// Writes `links` into version `into`, their ends mapped through `ids` (a
/// link whose end was not copied is left out).
fn copy_links<K: std::hash::Hash + Eq>(
    conn: &mut DbConnection,
    into: StructureVersionId,
    ids: &std::collections::HashMap<K, VersionBodyId>,
    links: impl Iterator<Item = (K, K, crate::domain::Relation, Option<String>)>,
) -> ServiceResult<()> {
    for (from, to, relation, note) in links {
        let (Some(&from), Some(&to)) = (ids.get(&from), ids.get(&to)) else {
            continue;
        };
        db::outcome::insert_link(
            conn,
            &NewVersionLink {
                version_id: into,
                from_body_id: from,
                to_body_id: to,
                relation,
                note: note.as_deref(),
            },
        )?;
    }
    Ok(())
}

fn body_row(into: StructureVersionId, b: &VersionBody) -> NewVersionBody<'_> {
    NewVersionBody {
        version_id: into,
        consulted_body_id: b.consulted_body_id,
        position: b.position,
        name: &b.name,
        short_name: b.short_name.as_deref(),
        status: b.status,
        role: &b.role,
        membership: &b.membership,
        meets: &b.meets,
    }
}

fn parsed_row(into: StructureVersionId, position: i32, b: &ParsedBody) -> NewVersionBody<'_> {
    NewVersionBody {
        version_id: into,
        consulted_body_id: None,
        position,
        name: &b.name,
        short_name: b.short_name.as_deref(),
        status: b.status,
        role: &b.role,
        membership: &b.membership,
        meets: &b.meets,
    }
}

/// The version officers may change now: the newest, unless its outcome
/// is published.
pub fn editable(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<Version> {
    let c = &scope.consultation;
    let newest = db::outcome::versions_of(conn, c.id)?
        .pop()
        .ok_or_else(|| ServiceError::Conflict("Start the revised structure first.".into()))?;
    if c.outcome_published_at.is_some() && c.outcome_version_id == Some(newest.id) {
        return Err(ServiceError::Conflict(format!(
            "Version {} is published on the outcome page: start a new version to change it.",
            newest.number
        )));
    }
    Ok(newest)
}

fn record(
    conn: &mut DbConnection,
    scope: &Scope,
    version: &Version,
    (action, subject): (ChangeAction, &str),
    reason: &Reason,
    now: DateTime<Utc>,
) -> ServiceResult<i64> {
    let by = scope.actor().name;
    let id = db::outcome::insert_change(
        conn,
        version.id,
        (action, subject, &reason.summary),
        &reason.issues,
        (now.naive_utc(), &by),
    )?;
    Ok(id.0)
}

fn body_in(
    conn: &mut DbConnection,
    version: &Version,
    id: VersionBodyId,
) -> ServiceResult<VersionBody> {
    db::outcome::bodies_of(conn, version.id)?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| ServiceError::NotFound("body of the revised structure".into()))
}

fn name_free(
    conn: &mut DbConnection,
    version: &Version,
    name: &str,
    except: Option<VersionBodyId>,
) -> ServiceResult<()> {
    let taken = db::outcome::bodies_of(conn, version.id)?
        .iter()
        .any(|b| b.name == name && Some(b.id) != except);
    if taken {
        return Err(ServiceError::invalid(
            "name",
            "The revised structure already has a body with this name",
        ));
    }
    Ok(())
}

/// A change as asked for; each is one audited transaction.
pub enum Edit<'a> {
    AddBody(&'a BodyInput),
    ChangeBody(VersionBodyId, &'a BodyInput),
    RemoveBody(VersionBodyId),
    AddLink(&'a LinkInput),
    RemoveLink(VersionLinkId),
}

/// Makes `edit` to the editable version of consultation `slug`, for the
/// reason given (typed, so issue references are checked here).
pub fn edit(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    (edit, reason): (Edit<'_>, &ReasonInput),
    now: DateTime<Utc>,
) -> ServiceResult<i64> {
    change(conn, caller, slug, now, |conn, scope| {
        // Check everything typed before saying anything is wrong, so the
        // form shows every problem at once.
        let parsed_reason = parse_reason(conn, scope, reason);
        let version = editable(conn, scope)?;
        apply(conn, scope, &version, edit, parsed_reason, now)
    })
}

/// Makes `edit` with issues already known (fixtures, tests).
pub fn edit_with(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    (edit, reason): (Edit<'_>, Reason),
    now: DateTime<Utc>,
) -> ServiceResult<i64> {
    change(conn, caller, slug, now, |conn, scope| {
        let version = editable(conn, scope)?;
        apply(conn, scope, &version, edit, Ok(reason), now)
    })
}

fn both<T>(first: ServiceResult<T>, reason: ServiceResult<Reason>) -> ServiceResult<(T, Reason)> {
    match (first, reason) {
        (Ok(t), Ok(r)) => Ok((t, r)),
        (Err(ServiceError::Invalid(mut a)), Err(ServiceError::Invalid(b))) => {
            a.extend(b);
            Err(ServiceError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

fn apply(
    conn: &mut DbConnection,
    scope: &Scope,
    version: &Version,
    edit: Edit<'_>,
    reason: ServiceResult<Reason>,
    now: DateTime<Utc>,
) -> ServiceResult<Audited<i64>> {
    match edit {
        Edit::AddBody(input) => {
            let (b, reason) = both(parse_body(input), reason)?;
            let bodies = db::outcome::bodies_of(conn, version.id)?;
            if bodies.len() >= limits::BODIES {
                return Err(ServiceError::invalid(
                    "name",
                    format!("A structure can have up to {} bodies", limits::BODIES),
                ));
            }
            name_free(conn, version, &b.name, None)?;
            let position = bodies.iter().map(|b| b.position).max().unwrap_or(0) + 1;
            let id = db::outcome::insert_body(conn, &parsed_row(version.id, position, &b))?;
            let change = record(
                conn,
                scope,
                version,
                (ChangeAction::Added, &b.name),
                &reason,
                now,
            )?;
            Ok(
                Audited::new(change, "revised body added", ("version body", id.0))
                    .after(b.name.clone()),
            )
        }
        Edit::ChangeBody(id, input) => {
            let (b, reason) = both(parse_body(input), reason)?;
            let before = body_in(conn, version, id)?;
            name_free(conn, version, &b.name, Some(id))?;
            let row = parsed_row(version.id, before.position, &b);
            let same = before.name == b.name
                && before.short_name == b.short_name
                && before.status == b.status
                && before.role == b.role
                && before.membership == b.membership
                && before.meets == b.meets;
            if same {
                return Err(ServiceError::invalid(
                    "name",
                    "Nothing has changed: change the body's description before saving",
                ));
            }
            db::outcome::update_body(conn, id, &row)?;
            let change = record(
                conn,
                scope,
                version,
                (ChangeAction::Changed, &b.name),
                &reason,
                now,
            )?;
            Ok(
                Audited::new(change, "revised body changed", ("version body", id.0))
                    .before(before.name)
                    .after(b.name.clone()),
            )
        }
        Edit::RemoveBody(id) => {
            let reason = reason?;
            let before = body_in(conn, version, id)?;
            db::outcome::delete_body(conn, id)?;
            let change = record(
                conn,
                scope,
                version,
                (ChangeAction::Removed, &before.name),
                &reason,
                now,
            )?;
            Ok(
                Audited::new(change, "revised body removed", ("version body", id.0))
                    .before(before.name),
            )
        }
        Edit::AddLink(input) => add_link(conn, scope, version, input, reason, now),
        Edit::RemoveLink(id) => {
            let reason = reason?;
            let links = db::outcome::links_of(conn, version.id)?;
            let link = links
                .iter()
                .find(|l| l.id == id)
                .ok_or_else(|| ServiceError::NotFound("link of the revised structure".into()))?;
            let words = link_words(
                conn,
                version,
                (link.from_body_id, link.to_body_id),
                link.relation,
            )?;
            db::outcome::delete_link(conn, id)?;
            let change = record(
                conn,
                scope,
                version,
                (ChangeAction::Removed, &words),
                &reason,
                now,
            )?;
            Ok(Audited::new(change, "revised link removed", ("version link", id.0)).before(words))
        }
    }
}

fn link_words(
    conn: &mut DbConnection,
    version: &Version,
    (from, to): (VersionBodyId, VersionBodyId),
    relation: crate::domain::Relation,
) -> ServiceResult<String> {
    let from = body_in(conn, version, from)?;
    let to = body_in(conn, version, to)?;
    Ok(format!("{} {} {}", from.name, relation.label(), to.name))
}

fn add_link(
    conn: &mut DbConnection,
    scope: &Scope,
    version: &Version,
    input: &LinkInput,
    reason: ServiceResult<Reason>,
    now: DateTime<Utc>,
) -> ServiceResult<Audited<i64>> {
    let mut errors = Vec::new();
    let relation = input
        .relation
        .parse::<crate::domain::Relation>()
        .map_err(|_| {
            errors.push(ValidationError::new(
                "relation",
                "Select how the bodies relate",
            ))
        })
        .ok();
    let bodies = db::outcome::bodies_of(conn, version.id)?;
    let mut find = |field: &str, id: i64| {
        let found = bodies.iter().find(|b| b.id.0 == id).map(|b| b.id);
        if found.is_none() {
            errors.push(ValidationError::new(
                field,
                "Select a body of the revised structure",
            ));
        }
        found
    };
    let from = find("from_body_id", input.from_body_id);
    let to = find("to_body_id", input.to_body_id);
    if input.from_body_id == input.to_body_id {
        errors.push(ValidationError::new(
            "to_body_id",
            "Select two different bodies",
        ));
    }
    let checked = match (from, to, relation) {
        (Some(f), Some(t), Some(r)) if errors.is_empty() => Ok((f, t, r)),
        _ => Err(ServiceError::Invalid(errors)),
    };
    let ((from, to, relation), reason) = both(checked, reason)?;
    if db::outcome::links_of(conn, version.id)?.len() >= limits::LINKS {
        return Err(ServiceError::invalid(
            "relation",
            format!("A structure can have up to {} links", limits::LINKS),
        ));
    }
    let note = input.note.trim();
    let id = db::outcome::insert_link(
        conn,
        &NewVersionLink {
            version_id: version.id,
            from_body_id: from,
            to_body_id: to,
            relation,
            note: (!note.is_empty()).then_some(note),
        },
    )?;
    let words = link_words(conn, version, (from, to), relation)?;
    let change = record(
        conn,
        scope,
        version,
        (ChangeAction::Added, &words),
        &reason,
        now,
    )?;
    Ok(Audited::new(change, "revised link added", ("version link", id.0)).after(words))
}
