//! Splitting a response into issues and tagging them: the splitter's
//! proposals accepted, issues edited, merged, split, added or removed.
//! Officers' edits are marked so that nothing automatic undoes them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{MAX_TEXT_CHARS, issue_in};
use crate::analysis::kind::classify;
use crate::analysis::split::{ProposedIssue, split};
use crate::db::audit::AuditEntry;
use crate::db::consultations::Consultation;
use crate::db::consultees::Consultee;
use crate::db::document::Section;
use crate::db::group_responses::GroupResponse;
use crate::db::issues::{Issue, NewIssue};
use crate::db::responses::{Redaction, Response};
use crate::db::structure::Body;
use crate::db::themes::Theme;
use crate::db::{self, DbConnection};
use crate::domain::text::required_text;
use crate::domain::{BodyId, IssueId, IssueKind, SectionId, ValidationError};
use crate::service::access::Scope;
use crate::service::audit::{self, Change};
use crate::service::publication::redaction::refresh_public_wording;
use crate::service::{ServiceError, ServiceResult};

/// Most free tags on one issue, and most characters in one.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;

/// An issue with everything the response page shows about it.
#[derive(Debug, Clone)]
pub struct IssueDetail {
    pub issue: Issue,
    pub sections: Vec<SectionId>,
    pub bodies: Vec<BodyId>,
    pub tags: Vec<String>,
    pub theme: Option<Theme>,
    pub group_response: Option<GroupResponse>,
}

/// A response opened in the workspace.
#[derive(Debug, Clone)]
pub struct ResponseDetail {
    pub response: Response,
    pub consultees: Vec<Consultee>,
    pub issues: Vec<IssueDetail>,
    /// What the splitter proposes when the response has no issues yet
    /// (letters and e-mails typed or imported as one text).
    pub proposals: Vec<ProposedIssue>,
    pub history: Vec<AuditEntry>,
    /// The document's sections and the structure's bodies, to tag issues with.
    pub sections: Vec<Section>,
    pub bodies: Vec<Body>,
    /// The consultation's themes, to move issues to.
    pub themes: Vec<crate::db::themes::Theme>,
    /// The text for publication, and the e-mail address of who redacted it.
    pub redaction: Redaction,
    pub redacted_by: Option<String>,
}

fn response_in(
    conn: &mut DbConnection,
    consultation: &Consultation,
    reference: &str,
) -> ServiceResult<Response> {
    db::responses::by_reference(conn, reference)?
        .filter(|r| r.consultation_id == consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("response {reference}")))
}

/// Response `reference` and those of its issues among `ids`, in the
/// response's order.
pub fn selected_of(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    ids: &[IssueId],
) -> ServiceResult<(Response, Vec<Issue>)> {
    let response = response_in(conn, &scope.consultation, reference)?;
    let mut issues = db::issues::of_response(conn, response.id)?;
    issues.retain(|i| ids.contains(&i.id));
    Ok((response, issues))
}

fn detail_of(conn: &mut DbConnection, issue: Issue) -> ServiceResult<IssueDetail> {
    let (sections, bodies) = db::issues::structure_tags_of(conn, issue.id)?;
    let tags = db::issues::tags_of(conn, issue.id)?;
    let theme = match issue.theme_id {
        Some(t) => db::themes::by_id(conn, t)?,
        None => None,
    };
    let answer = db::group_responses::for_issue(conn, issue.id)?;
    Ok(IssueDetail {
        issue,
        sections,
        bodies,
        tags,
        theme,
        group_response: answer,
    })
}

/// A response with its issues, or the splitter's proposals when it has none.
pub fn response_detail(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
) -> ServiceResult<ResponseDetail> {
    let consultation = &scope.consultation;
    let response = response_in(conn, consultation, reference)?;
    let consultees = db::responses::consultees_of(conn, response.id)?;
    let mut issues = Vec::new();
    for issue in db::issues::of_response(conn, response.id)? {
        issues.push(detail_of(conn, issue)?);
    }
    let proposals = if issues.is_empty() {
        split(&response.content)
    } else {
        Vec::new()
    };
    let history = db::audit::for_entity(conn, "response", response.id.0)?;
    let redaction = db::responses::redaction_of(conn, response.id)?;
    let redacted_by = match redaction.redacted_by {
        Some(user) => db::users::by_id(conn, user)?.map(|u| u.email),
        None => None,
    };
    Ok(ResponseDetail {
        response,
        consultees,
        issues,
        proposals,
        history,
        sections: db::document::sections_of(conn, consultation.id)?,
        bodies: db::structure::bodies_of(conn, consultation.id)?,
        themes: db::themes::of_consultation(conn, consultation.id)?,
        redaction,
        redacted_by,
    })
}

/// Stores the splitter's proposals as the response's issues.
pub fn accept_proposals(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let response = response_in(conn, consultation, reference)?;
        if db::issues::last_position(conn, response.id)? > 0 {
            return Err(ServiceError::Conflict(format!(
                "Response {reference} already has issues; edit them instead."
            )));
        }
        let proposals = split(&response.content);
        for (i, proposal) in proposals.iter().enumerate() {
            let id = db::issues::insert(
                conn,
                &NewIssue {
                    consultation_id: consultation.id,
                    response_id: response.id,
                    position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    content: &proposal.text,
                    kind: proposal.kind,
                },
            )?;
            refresh_public_wording(conn, response.id, id, &proposal.text)?;
        }
        let count = proposals.len().to_string();
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issues accepted from the splitter",
                entity: "response",
                id: response.id.0,
                before: None,
                after: Some(&count),
            },
        )?;
        Ok(proposals.len())
    })
}

/// An issue as typed on the response page.
#[derive(Debug, Clone, Default)]
pub struct IssueEdit {
    /// The version the editor opened.
    pub version: i32,
    pub content: String,
    pub kind: String,
    pub sections: Vec<String>,
    pub bodies: Vec<String>,
    /// Free tags, separated by commas.
    pub tags: String,
}

/// A valid edit.
struct ParsedEdit {
    content: String,
    kind: IssueKind,
    sections: BTreeSet<SectionId>,
    bodies: BTreeSet<BodyId>,
    tags: BTreeSet<String>,
}

fn parse_ids<T: Ord>(
    field: &str,
    what: &str,
    values: &[String],
    known: &[T],
    make: impl Fn(i64) -> T,
) -> Result<BTreeSet<T>, ValidationError> {
    let mut ids = BTreeSet::new();
    for value in values {
        let id = value
            .trim()
            .parse::<i64>()
            .ok()
            .map(&make)
            .filter(|id| known.contains(id))
            .ok_or_else(|| ValidationError::new(field, format!("Choose {what} from the list")))?;
        ids.insert(id);
    }
    Ok(ids)
}

/// Free tags from "a, b, c": trimmed, without repeats, case kept.
pub fn parse_tags(input: &str) -> Result<BTreeSet<String>, ValidationError> {
    let tags: BTreeSet<String> = input
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if tags.len() > MAX_TAGS {
        return Err(ValidationError::new(
            "tags",
            format!("Give {MAX_TAGS} tags or fewer"),
        ));
    }
    if let Some(long) = tags.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(ValidationError::new(
            "tags",
            format!("Tag “{long}” must be {MAX_TAG_CHARS} characters or fewer"),
        ));
    }
    if tags.iter().any(|t| t.chars().any(char::is_control)) {
        return Err(ValidationError::new(
            "tags",
            "Tags must not contain control characters",
        ));
    }
    Ok(tags)
}

fn parse_edit(
    conn: &mut DbConnection,
    consultation: &Consultation,
    edit: &IssueEdit,
) -> ServiceResult<ParsedEdit> {
    let sections: Vec<SectionId> = db::document::sections_of(conn, consultation.id)?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let bodies: Vec<BodyId> = db::structure::bodies_of(conn, consultation.id)?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut errors = Vec::new();
    let content = required_text("content", "The issue", &edit.content, MAX_TEXT_CHARS)
        .map_err(|e| errors.push(e))
        .ok();
    let kind = edit
        .kind
        .parse::<IssueKind>()
        .map_err(|_| {
            errors.push(ValidationError::new(
                "kind",
                "Choose what kind of issue this is",
            ))
        })
        .ok();
    let sections = parse_ids("sections", "sections", &edit.sections, &sections, SectionId)
        .map_err(|e| errors.push(e))
        .ok();
    let bodies = parse_ids("bodies", "bodies", &edit.bodies, &bodies, BodyId)
        .map_err(|e| errors.push(e))
        .ok();
    let tags = parse_tags(&edit.tags).map_err(|e| errors.push(e)).ok();
    match (content, kind, sections, bodies, tags) {
        (Some(content), Some(kind), Some(sections), Some(bodies), Some(tags))
            if errors.is_empty() =>
        {
            Ok(ParsedEdit {
                content,
                kind,
                sections,
                bodies,
                tags,
            })
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// An issue's editable state as recorded in the audit log.
fn snapshot(conn: &mut DbConnection, issue: &Issue) -> ServiceResult<String> {
    let (sections, bodies) = db::issues::structure_tags_of(conn, issue.id)?;
    let tags = db::issues::tags_of(conn, issue.id)?;
    Ok(json!({
        "content": issue.content, "kind": issue.kind,
        "sections": sections.iter().map(|s| s.0).collect::<Vec<_>>(),
        "bodies": bodies.iter().map(|b| b.0).collect::<Vec<_>>(),
        "tags": tags,
    })
    .to_string())
}

fn write_tags(
    conn: &mut DbConnection,
    issue: IssueId,
    sections: &BTreeSet<SectionId>,
    bodies: &BTreeSet<BodyId>,
    tags: &BTreeSet<String>,
) -> ServiceResult<()> {
    db::issues::clear_structure_tags(conn, issue)?;
    db::issues::clear_tags(conn, issue)?;
    for section in sections {
        db::issues::tag_section(conn, issue, *section)?;
    }
    for body in bodies {
        db::issues::tag_body(conn, issue, *body)?;
    }
    for tag in tags {
        db::issues::tag(conn, issue, tag)?;
    }
    Ok(())
}

/// The message when someone saved first.
pub const CHANGED_SINCE_OPENED: &str = "Someone else changed this since you opened it. Their version is shown; what you typed is kept so that you can apply it again.";

/// Saves an officer's or group member's edit of an issue, refusing it if
/// the issue changed since the editor opened it.
pub fn edit_issue(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    edit: &IssueEdit,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let parsed = parse_edit(conn, consultation, edit)?;
    db::write_transaction(conn, |conn| {
        let issue = issue_in(conn, consultation, id)?;
        let before = snapshot(conn, &issue)?;
        if db::issues::officer_edit(conn, id, edit.version, &parsed.content, parsed.kind)? == 0 {
            return Err(ServiceError::Conflict(CHANGED_SINCE_OPENED.into()));
        }
        refresh_public_wording(conn, issue.response_id, id, &parsed.content)?;
        write_tags(conn, id, &parsed.sections, &parsed.bodies, &parsed.tags)?;
        let changed = issue_in(conn, consultation, id)?;
        let after = snapshot(conn, &changed)?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issue edited",
                entity: "issue",
                id: id.0,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(())
    })
}

/// Joins an issue with the next one of the same response (one point the
/// splitter cut in two). The merged issue keeps both texts, every tag, and
/// a group response if either had one; "As above" links to the second
/// follow it.
pub fn merge_with_next(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let first = issue_in(conn, consultation, id)?;
        let second = db::issues::of_response(conn, first.response_id)?
            .into_iter()
            .find(|i| i.position > first.position)
            .ok_or_else(|| {
                ServiceError::Conflict(
                    "This is the response's last issue; there is nothing after it to merge with."
                        .into(),
                )
            })?;
        let first_answer = db::group_responses::for_issue(conn, first.id)?;
        let second_answer = db::group_responses::for_issue(conn, second.id)?;
        if first_answer.is_some() && second_answer.is_some() {
            return Err(ServiceError::Conflict(
                "Both issues already have a group response. Make one of them “As above” or clear it before merging, so that no answer is lost.".into(),
            ));
        }
        let before =
            json!({ "first": snapshot(conn, &first)?, "second": snapshot(conn, &second)? })
                .to_string();
        let content = format!("{}\n\n{}", first.content, second.content);
        let (s1, b1) = db::issues::structure_tags_of(conn, first.id)?;
        let (s2, b2) = db::issues::structure_tags_of(conn, second.id)?;
        let sections: BTreeSet<SectionId> = s1.into_iter().chain(s2).collect();
        let bodies: BTreeSet<BodyId> = b1.into_iter().chain(b2).collect();
        let tags: BTreeSet<String> = db::issues::tags_of(conn, first.id)?
            .into_iter()
            .chain(db::issues::tags_of(conn, second.id)?)
            .collect();
        if let Some(answer) = second_answer {
            db::group_responses::move_to_issue(conn, answer.id, first.id)?;
        }
        db::group_responses::relink(conn, second.id, first.id)?;
        db::issues::delete(conn, second.id)?;
        db::issues::officer_edit(conn, first.id, first.version, &content, classify(&content))?;
        refresh_public_wording(conn, first.response_id, first.id, &content)?;
        write_tags(conn, first.id, &sections, &bodies, &tags)?;
        let merged = issue_in(conn, consultation, first.id)?;
        let after = snapshot(conn, &merged)?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issues merged",
                entity: "issue",
                id: first.id.0,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issue merged into the one before",
                entity: "response",
                id: first.response_id.0,
                before: Some(&second.content),
                after: Some(&format!("merged into issue {}", first.id.0)),
            },
        )?;
        Ok(())
    })
}

/// Splits an issue into `parts` (two points the splitter kept together).
/// The first part stays in the issue (with its group response); the others
/// follow it in the response, with the same tags and theme.
pub fn split_issue(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    version: i32,
    parts: &[String],
    now: DateTime<Utc>,
) -> ServiceResult<Vec<IssueId>> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let parts: Vec<String> = parts
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return Err(ServiceError::invalid(
            "parts",
            "Separate the issue into at least two parts with a blank line between them",
        ));
    }
    if parts.iter().any(|p| p.chars().count() > MAX_TEXT_CHARS) {
        return Err(ServiceError::invalid(
            "parts",
            format!("Each part must be {MAX_TEXT_CHARS} characters or fewer"),
        ));
    }
    db::write_transaction(conn, |conn| {
        let issue = issue_in(conn, consultation, id)?;
        let before = snapshot(conn, &issue)?;
        if db::issues::officer_edit(conn, id, version, &parts[0], classify(&parts[0]))? == 0 {
            return Err(ServiceError::Conflict(CHANGED_SINCE_OPENED.into()));
        }
        refresh_public_wording(conn, issue.response_id, id, &parts[0])?;
        let (sections, bodies) = db::issues::structure_tags_of(conn, id)?;
        let tags: BTreeSet<String> = db::issues::tags_of(conn, id)?.into_iter().collect();
        let (sections, bodies): (BTreeSet<_>, BTreeSet<_>) =
            (sections.into_iter().collect(), bodies.into_iter().collect());
        let extra = i32::try_from(parts.len() - 1).unwrap_or(i32::MAX);
        db::issues::shift_after(conn, issue.response_id, issue.position, extra)?;
        let mut new_ids = Vec::new();
        for (offset, part) in (1..).zip(&parts[1..]) {
            let new_id = db::issues::insert(
                conn,
                &NewIssue {
                    consultation_id: consultation.id,
                    response_id: issue.response_id,
                    position: issue.position + offset,
                    content: part,
                    kind: classify(part),
                },
            )?;
            refresh_public_wording(conn, issue.response_id, new_id, part)?;
            write_tags(conn, new_id, &sections, &bodies, &tags)?;
            if issue.theme_set_by_officer {
                db::issues::place_in_theme(conn, &[new_id], issue.theme_id)?;
            } else {
                db::analysis::set_issue_themes(conn, issue.theme_id, &[new_id])?;
            }
            new_ids.push(new_id);
        }
        let after = json!({ "parts": parts, "new_issues": new_ids.iter().map(|i| i.0).collect::<Vec<_>>() }).to_string();
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issue split",
                entity: "issue",
                id: id.0,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(new_ids)
    })
}

/// Adds an issue the splitter missed at the end of a response.
pub fn add_issue(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    content: &str,
    now: DateTime<Utc>,
) -> ServiceResult<IssueId> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let content = required_text("new_issue", "The new issue", content, MAX_TEXT_CHARS)?;
    db::write_transaction(conn, |conn| {
        let response = response_in(conn, consultation, reference)?;
        let position = db::issues::last_position(conn, response.id)? + 1;
        let id = db::issues::insert(
            conn,
            &NewIssue {
                consultation_id: consultation.id,
                response_id: response.id,
                position,
                content: &content,
                kind: classify(&content),
            },
        )?;
        refresh_public_wording(conn, response.id, id, &content)?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issue added",
                entity: "issue",
                id: id.0,
                before: None,
                after: Some(&content),
            },
        )?;
        audit::record(
            conn,
            actor,
            now,
            Change {
                action: "issue added",
                entity: "response",
                id: response.id.0,
                before: None,
                after: Some(&content),
            },
        )?;
        Ok(id)
    })
}

/// Removes something that is not an issue (a greeting the splitter kept).
/// Refused while the group has answered it, so no answer is lost.
pub fn remove_issue(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let issue = issue_in(conn, consultation, id)?;
        if db::group_responses::for_issue(conn, id)?.is_some() {
            return Err(ServiceError::Conflict(
                "The group has answered this issue. Merge it with another issue instead, so that the answer is kept.".into(),
            ));
        }
        delete_audited(conn, actor, &issue, now)
    })
}

/// Deletes one issue, keeping what it was in the audit log.
fn delete_audited(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    issue: &Issue,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let before = snapshot(conn, issue)?;
    db::issues::delete(conn, issue.id)?;
    audit::record(
        conn,
        actor,
        now,
        Change {
            action: "issue removed",
            entity: "response",
            id: issue.response_id.0,
            before: Some(&before),
            after: None,
        },
    )?;
    Ok(())
}

/// Removes several issues of one response that are not issues, all or
/// none: refused, naming the points, while the group has answered any.
fn remove_issues(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[IssueId],
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let mut chosen = Vec::with_capacity(ids.len());
        let mut answered = Vec::new();
        for &id in ids {
            let issue = issue_in(conn, &scope.consultation, id)?;
            if db::group_responses::for_issue(conn, id)?.is_some() {
                answered.push(issue.position.to_string());
            }
            chosen.push(issue);
        }
        if !answered.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "The group has answered point {} of this response. Merge it with another issue instead, so that the answer is kept; nothing was removed.",
                answered.join(", ")
            )));
        }
        for issue in &chosen {
            delete_audited(conn, actor, issue, now)?;
        }
        Ok(chosen.len())
    })
}

/// Says where the group is with response `reference`: new, in progress or
/// done (audited).
pub fn set_work_status(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    status: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let status = status
        .parse::<crate::domain::WorkStatus>()
        .map_err(|_| ServiceError::invalid("work_status", "Select new, in progress or done"))?;
    db::write_transaction(conn, |conn| {
        let response = db::responses::by_reference(conn, reference)?
            .filter(|r| r.consultation_id == scope.consultation.id)
            .ok_or_else(|| ServiceError::NotFound(format!("response {reference}")))?;
        db::responses::set_work_status(conn, response.id, status)?;
        let change = crate::service::audit::Change {
            action: "response work status set",
            entity: "response",
            id: response.id.0,
            before: Some(response.work_status.label()),
            after: Some(status.label()),
        };
        crate::service::audit::record(conn, &scope.actor(), now, change)?;
        Ok(())
    })
}

/// What to do to several issues of one response at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// Tag each with a section of the document.
    Section(crate::domain::SectionId),
    /// Tag each with a body of the structure.
    Body(crate::domain::BodyId),
    /// Move each to a theme (none: out of its theme).
    Theme(Option<crate::domain::ThemeId>),
    /// Remove each: none of them is an issue (asked first, on the web).
    Remove,
}

impl Bulk {
    /// Reads `section:12`, `body:3`, `theme:7`, `theme:none` or `remove`.
    pub fn parse(text: &str) -> Option<Bulk> {
        if text == "remove" {
            return Some(Bulk::Remove);
        }
        let (what, id) = text.split_once(':')?;
        match (what, id) {
            ("theme", "none") => Some(Bulk::Theme(None)),
            ("section", id) => id
                .parse()
                .ok()
                .map(|i| Bulk::Section(crate::domain::SectionId(i))),
            ("body", id) => id
                .parse()
                .ok()
                .map(|i| Bulk::Body(crate::domain::BodyId(i))),
            ("theme", id) => id
                .parse()
                .ok()
                .map(|i| Bulk::Theme(Some(crate::domain::ThemeId(i)))),
            _ => None,
        }
    }
}

/// Applies `bulk` to the selected issues of response `reference`; how many
/// issues it changed.
pub fn bulk(
    conn: &mut DbConnection,
    scope: &Scope,
    reference: &str,
    (ids, bulk): (&[IssueId], Option<Bulk>),
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(ValidationError::new(
            "issues",
            "Select the issues to change",
        ));
    }
    if bulk.is_none() {
        errors.push(ValidationError::new(
            "action",
            "Choose what to do with the selected issues",
        ));
    }
    let (Some(bulk), true) = (bulk, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let consultation = &scope.consultation;
    let (response, selected) = selected_of(conn, scope, reference, ids)?;
    let mine: Vec<IssueId> = selected.into_iter().map(|i| i.id).collect();
    if mine.is_empty() {
        return Err(ServiceError::invalid(
            "issues",
            "Select issues of this response",
        ));
    }
    match bulk {
        Bulk::Theme(to) => {
            return crate::service::workspace::themes::move_issues(conn, scope, &mine, to, now);
        }
        Bulk::Remove => return remove_issues(conn, scope, &mine, now),
        Bulk::Section(_) | Bulk::Body(_) => {}
    }
    // The section or body is checked once, not once per issue.
    let unknown = match bulk {
        Bulk::Section(s) => !db::document::sections_of(conn, consultation.id)?
            .iter()
            .any(|x| x.id == s),
        Bulk::Body(b) => db::structure::body_of(conn, consultation.id, b)?.is_none(),
        Bulk::Theme(_) | Bulk::Remove => false,
    };
    if unknown {
        return Err(match bulk {
            Bulk::Section(_) => {
                ServiceError::invalid("action", "Choose a section of this document")
            }
            _ => ServiceError::invalid("action", "Choose a body of this structure"),
        });
    }
    db::write_transaction(conn, |conn| {
        let mut changed = 0;
        for &issue in &mine {
            let (sections, bodies) = db::issues::structure_tags_of(conn, issue)?;
            changed += match bulk {
                Bulk::Section(s) if !sections.contains(&s) => {
                    db::issues::tag_section(conn, issue, s)?
                }
                Bulk::Body(b) if !bodies.contains(&b) => db::issues::tag_body(conn, issue, b)?,
                _ => 0,
            };
        }
        let change = crate::service::audit::Change {
            action: "issues tagged together",
            entity: "response",
            id: response.id.0,
            before: None,
            after: Some(&format!("{changed} issue(s)")),
        };
        crate::service::audit::record(conn, &scope.actor(), now, change)?;
        Ok(changed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        let tags = parse_tags(" SLG, police ,SLG,, ").unwrap();
        assert_eq!(tags.into_iter().collect::<Vec<_>>(), vec!["SLG", "police"]);
    }

    #[test]
    fn too_many_or_too_long_tags_are_refused_with_a_reason() {
        let many = (0..=MAX_TAGS)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_tags(&many).unwrap_err().message.contains("20 tags"));
        let long = "x".repeat(MAX_TAG_CHARS + 1);
        assert!(
            parse_tags(&long)
                .unwrap_err()
                .message
                .contains("50 characters")
        );
    }

    #[test]
    fn unknown_section_ids_are_refused() {
        let known = [SectionId(1), SectionId(2)];
        let ok = parse_ids("sections", "sections", &["2".into()], &known, SectionId).unwrap();
        assert!(ok.contains(&SectionId(2)));
        for bad in ["3", "x", ""] {
            assert!(parse_ids("sections", "sections", &[bad.into()], &known, SectionId).is_err());
        }
    }
}
