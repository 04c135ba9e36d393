//! Drafting the group's response to each issue: its own wording, "Noted",
//! or "As above" linking to an earlier answer (with or without wording of
//! its own); draft or agreed. Two people saving the same response: the
//! second is told, and nothing is lost (optimistic locking on `version`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{MAX_TEXT_CHARS, issue_in};
use crate::db::audit::AuditEntry;
use crate::db::consultations::Consultation;
use crate::db::consultees::Consultee;
use crate::db::group_responses::{Draft, GroupResponse, NewGroupResponse};
use crate::db::issues::Issue;
use crate::db::themes::Theme;
use crate::db::{self, DbConnection};
use crate::domain::group_response::shown_text;
use crate::domain::text::optional_text;
use crate::domain::{DraftStatus, GroupResponseKind, IssueId, ValidationError};
use crate::service::access::{Action, Scope};
use crate::service::audit::{self, Actor, Change};
use crate::service::{ServiceError, ServiceResult};

/// An earlier answered issue offered as "As above".
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub issue: Issue,
    /// The answer as the summary table would show it.
    pub shown: String,
    /// Cosine similarity of the two issues (0–1), from the analysis.
    pub similarity: f32,
}

/// Everything the drafting page shows for one issue.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub issue: Issue,
    pub reference: String,
    pub raised_by: Vec<Consultee>,
    pub theme: Option<Theme>,
    pub group_response: Option<GroupResponse>,
    /// For "As above": the linked issue and the text the table will show.
    pub linked: Option<(Issue, String)>,
    pub suggestions: Vec<Suggestion>,
    /// Every other answered issue, as (issue, shown answer), for choosing
    /// an "As above" link by hand.
    pub answered: Vec<(Issue, String)>,
    /// Unanswered repeats of this issue that one answer can cover.
    pub repeats: Vec<Issue>,
    pub history: Vec<AuditEntry>,
    /// Each response's reference, for naming issues as `CHL-0006/2`.
    pub references: HashMap<crate::domain::ResponseId, String>,
}

impl DraftView {
    /// How the group names an issue: its response's reference and point
    /// number (`CHL-0006/2`), never a database id.
    pub fn name_of(&self, issue: &Issue) -> String {
        match self.references.get(&issue.response_id) {
            Some(reference) => format!("{reference}/{}", issue.position),
            None => format!("point {}", issue.position),
        }
    }
}

/// The text the summary table shows for `issue`'s answer (a bare
/// "As above" shows the linked wording).
fn shown_for(answers: &HashMap<IssueId, GroupResponse>, issue: IssueId) -> Option<String> {
    let answer = answers.get(&issue)?;
    let linked = answer
        .same_as_issue_id
        .and_then(|target| crate::service::summary::linked_text(answers, target));
    Some(shown_text(
        answer.kind,
        answer.content.as_deref(),
        linked.as_deref(),
    ))
}

/// The drafting page of one issue.
pub fn draft_view(conn: &mut DbConnection, scope: &Scope, id: IssueId) -> ServiceResult<DraftView> {
    let consultation = &scope.consultation;
    let issue = issue_in(conn, consultation, id)?;
    let reference = super::reference_of(conn, &issue)?;
    let raised_by = db::responses::consultees_of(conn, issue.response_id)?;
    let theme = match issue.theme_id {
        Some(t) => db::themes::by_id(conn, t)?,
        None => None,
    };
    let answers: HashMap<IssueId, GroupResponse> =
        db::group_responses::of_consultation(conn, consultation.id)?
            .into_iter()
            .map(|a| (a.issue_id, a))
            .collect();
    let all = db::issues::of_consultation(conn, consultation.id)?;
    let by_id: HashMap<IssueId, &Issue> = all.iter().map(|i| (i.id, i)).collect();
    let answer = answers.get(&id).cloned();
    let linked = answer
        .as_ref()
        .and_then(|a| a.same_as_issue_id)
        .and_then(|t| Some(((*by_id.get(&t)?).clone(), shown_for(&answers, t)?)));
    let mut suggestions: Vec<Suggestion> = db::analysis::suggestions_for(conn, id)?
        .into_iter()
        .filter_map(|s| {
            let issue = (*by_id.get(&s.suggested_issue_id)?).clone();
            let shown = shown_for(&answers, issue.id)?;
            Some(Suggestion {
                issue,
                shown,
                similarity: s.similarity,
            })
        })
        .collect();
    // Issues answered since the analysis ran are offered by their words.
    if !answers.contains_key(&id) {
        for found in words_alike(&all, id, &answers) {
            if suggestions.iter().all(|s| s.issue.id != found.issue.id) {
                suggestions.push(found);
            }
        }
        suggestions.truncate(crate::analysis::suggest::MAX_SUGGESTIONS + 2);
    }
    let answered = all
        .iter()
        .filter(|i| i.id != id)
        .filter_map(|i| Some((i.clone(), shown_for(&answers, i.id)?)))
        .collect();
    let repeats = all
        .iter()
        .filter(|i| i.repeat_of_id == Some(id) && !answers.contains_key(&i.id))
        .cloned()
        .collect();
    let history = db::audit::for_entity(conn, "issue", id.0)?;
    let response_ids: Vec<_> = {
        let mut ids: Vec<_> = all.iter().map(|i| i.response_id).collect();
        ids.dedup();
        ids
    };
    let references = db::responses::references_of(conn, &response_ids)?
        .into_iter()
        .collect();
    Ok(DraftView {
        references,
        issue,
        reference,
        raised_by,
        theme,
        group_response: answer,
        linked,
        suggestions,
        answered,
        repeats,
        history,
    })
}

/// Answered issues worded like issue `id`, by TF-IDF over the
/// consultation's issues.
fn words_alike(
    all: &[Issue],
    id: IssueId,
    answers: &HashMap<IssueId, GroupResponse>,
) -> Vec<Suggestion> {
    let Some(of) = all.iter().position(|i| i.id == id) else {
        return Vec::new();
    };
    let texts: Vec<&str> = all.iter().map(|i| i.content.as_str()).collect();
    let answered: Vec<usize> = (0..all.len())
        .filter(|&j| answers.contains_key(&all[j].id))
        .collect();
    crate::analysis::suggest::by_words(&texts, of, &answered)
        .into_iter()
        .filter_map(|s| {
            let issue = all[s.issue].clone();
            Some(Suggestion {
                shown: shown_for(answers, issue.id)?,
                issue,
                similarity: s.similarity,
            })
        })
        .collect()
}

/// The next issue without a group response after `after`, in the table's
/// order, within `theme` when given (from the start again after the last):
/// where "Save and go to the next" leads.
pub fn next_unanswered(
    conn: &mut DbConnection,
    scope: &Scope,
    after: IssueId,
    theme: Option<crate::domain::ThemeId>,
) -> ServiceResult<Option<IssueId>> {
    let c = &scope.consultation;
    let answered: std::collections::HashSet<IssueId> =
        db::group_responses::of_consultation(conn, c.id)?
            .into_iter()
            .map(|a| a.issue_id)
            .collect();
    let all: Vec<Issue> = db::issues::of_consultation(conn, c.id)?
        .into_iter()
        .filter(|i| theme.is_none() || i.theme_id == theme)
        .collect();
    let start = all.iter().position(|i| i.id == after).map_or(0, |p| p + 1);
    Ok(all[start..]
        .iter()
        .chain(&all[..start])
        .find(|i| i.id != after && !answered.contains(&i.id))
        .map(|i| i.id))
}

/// A group response as typed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DraftInput {
    /// The version the drafter opened; `None` when there was no answer yet.
    pub version: Option<i32>,
    pub kind: String,
    pub content: String,
    /// For "As above": the id of the issue whose answer this repeats.
    pub same_as: String,
    pub status: String,
}

struct ParsedDraft {
    kind: GroupResponseKind,
    content: Option<String>,
    same_as: Option<IssueId>,
    status: DraftStatus,
}

impl ParsedDraft {
    /// Whether the wording, kind or link differ from `saved`'s.
    fn differs_from(&self, saved: &GroupResponse) -> bool {
        self.kind != saved.kind
            || self.content.as_deref() != saved.content.as_deref()
            || self.same_as != saved.same_as_issue_id
    }
}

fn parse(input: &DraftInput) -> Result<ParsedDraft, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let kind = input
        .kind
        .parse::<GroupResponseKind>()
        .map_err(|_| {
            errors.push(ValidationError::new(
                "kind",
                "Choose whether to write a response, mark it “As above” or mark it “Noted”",
            ))
        })
        .ok();
    let content = optional_text("content", "The response", &input.content, MAX_TEXT_CHARS)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let status = input
        .status
        .parse::<DraftStatus>()
        .map_err(|_| errors.push(ValidationError::new("status", "Choose draft or agreed")))
        .ok();
    let same_as = match (kind, input.same_as.trim()) {
        (Some(GroupResponseKind::AsAbove), "") => {
            errors.push(ValidationError::new(
                "same_as",
                "Choose which earlier response this is “As above”",
            ));
            None
        }
        (Some(GroupResponseKind::AsAbove), id) => match id.parse::<i64>() {
            Ok(id) => Some(IssueId(id)),
            Err(_) => {
                errors.push(ValidationError::new(
                    "same_as",
                    "Choose an earlier response from the list",
                ));
                None
            }
        },
        _ => None,
    };
    if kind == Some(GroupResponseKind::Written) && content.is_none() {
        errors.push(ValidationError::new(
            "content",
            "Enter the group’s response",
        ));
    }
    match (kind, status) {
        (Some(kind), Some(status)) if errors.is_empty() => Ok(ParsedDraft {
            kind,
            content,
            same_as,
            status,
        }),
        _ => Err(errors),
    }
}

/// A group response's state as recorded in the audit log.
fn snapshot(answer: Option<&GroupResponse>) -> Option<String> {
    answer.map(|a| {
        json!({
            "kind": a.kind, "content": a.content, "same_as": a.same_as_issue_id.map(|i| i.0),
            "status": a.status, "version": a.version,
        })
        .to_string()
    })
}

/// Checks an "As above" link: another issue of the consultation that has
/// an answer, and not one that leads back here.
fn check_link(
    conn: &mut DbConnection,
    consultation: &Consultation,
    issue: IssueId,
    target: IssueId,
) -> ServiceResult<()> {
    let invalid = |m: &str| ServiceError::invalid("same_as", m);
    if target == issue {
        return Err(invalid(
            "An issue cannot be “As above” itself; choose another issue",
        ));
    }
    issue_in(conn, consultation, target)
        .map_err(|_| invalid("Choose an earlier response from the list"))?;
    let answers: HashMap<IssueId, GroupResponse> =
        db::group_responses::of_consultation(conn, consultation.id)?
            .into_iter()
            .map(|a| (a.issue_id, a))
            .collect();
    if !answers.contains_key(&target) {
        return Err(invalid(
            "The issue you chose has no response yet; choose one that has",
        ));
    }
    let mut step = Some(target);
    let mut seen = HashSet::new();
    while let Some(current) = step {
        if current == issue {
            return Err(invalid(
                "That issue is itself “As above” this one; choose an issue with its own wording",
            ));
        }
        if !seen.insert(current) {
            break;
        }
        step = answers
            .get(&current)
            .filter(|a| a.kind == GroupResponseKind::AsAbove)
            .and_then(|a| a.same_as_issue_id);
    }
    Ok(())
}

/// Saves the group's response to an issue.
pub fn save(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    input: &DraftInput,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let mut draft = parse(input).map_err(ServiceError::Invalid)?;
    db::write_transaction(conn, |conn| {
        issue_in(conn, consultation, id)?;
        if let Some(target) = draft.same_as {
            check_link(conn, consultation, id, target)?;
        }
        let existing = db::group_responses::for_issue(conn, id)?;
        let was_agreed = existing.as_ref().map(|e| e.status) == Some(DraftStatus::Agreed);
        let changed = existing.as_ref().is_none_or(|e| draft.differs_from(e));
        apply_sign_off(scope, &mut draft, (was_agreed, changed))?;
        write(
            conn,
            (id, existing.as_ref()),
            (&draft, input.version),
            (actor, now),
        )?;
        let saved = db::group_responses::for_issue(conn, id)?;
        let action = match (&existing, draft.status) {
            (_, DraftStatus::Agreed) if !was_agreed => "group response agreed",
            (_, DraftStatus::Agreed) if changed => "group response changed and agreed again",
            (Some(_), DraftStatus::Draft) if was_agreed && changed => {
                "group response changed after it was agreed: a draft again until agreed"
            }
            (Some(_), DraftStatus::Draft) if was_agreed => "group response returned to draft",
            (None, _) => "group response drafted",
            _ => "group response changed",
        };
        let (before, after) = (snapshot(existing.as_ref()), snapshot(saved.as_ref()));
        let change = Change {
            action,
            entity: "issue",
            id: id.0,
            before: before.as_deref(),
            after: after.as_deref(),
        };
        audit::record(conn, actor, now, change)?;
        Ok(())
    })
}

/// Agreeing is a sign-off. Someone who may not agree cannot agree a
/// draft; if they change an agreed response it is a draft again until
/// someone who may agrees it.
fn apply_sign_off(
    scope: &Scope,
    draft: &mut ParsedDraft,
    (was_agreed, changed): (bool, bool),
) -> ServiceResult<()> {
    if draft.status != DraftStatus::Agreed || scope.may(Action::SignOff) {
        return Ok(());
    }
    if !was_agreed {
        let why = scope.require(Action::SignOff).err();
        return Err(ServiceError::invalid(
            "status",
            why.map_or_else(String::new, |e| e.to_string()),
        ));
    }
    if changed {
        draft.status = DraftStatus::Draft;
    }
    Ok(())
}

/// Writes the draft over `existing` (if the version the drafter opened is
/// still the latest), or as the issue's first answer.
fn write(
    conn: &mut DbConnection,
    (id, existing): (IssueId, Option<&GroupResponse>),
    (draft, version): (&ParsedDraft, Option<i32>),
    (actor, now): (&Actor, DateTime<Utc>),
) -> ServiceResult<()> {
    let stamp = now.naive_utc();
    let conflict = || ServiceError::Conflict(super::issues::CHANGED_SINCE_OPENED.into());
    match (existing, version) {
        (Some(current), Some(version)) => {
            let changes = Draft {
                kind: draft.kind,
                content: draft.content.as_deref(),
                same_as_issue_id: draft.same_as,
                status: draft.status,
                updated_by: actor.user_id,
                updated_at: stamp,
            };
            if db::group_responses::update(conn, current.id, version, &changes)? == 0 {
                return Err(conflict());
            }
        }
        (None, None) => {
            let new = NewGroupResponse {
                issue_id: id,
                kind: draft.kind,
                content: draft.content.as_deref(),
                same_as_issue_id: draft.same_as,
                status: draft.status,
                updated_by: actor.user_id,
                updated_at: stamp,
            };
            db::group_responses::insert(conn, &new)?;
        }
        // Someone answered (or the page was forged) in between.
        _ => return Err(conflict()),
    }
    Ok(())
}

/// Answers every unanswered repeat of an issue "As above" it (draft).
pub fn answer_repeats(
    conn: &mut DbConnection,
    scope: &Scope,
    id: IssueId,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let consultation = &scope.consultation;
    db::write_transaction(conn, |conn| {
        issue_in(conn, consultation, id)?;
        if db::group_responses::for_issue(conn, id)?.is_none() {
            return Err(ServiceError::Conflict(
                "Write the response to this issue first; its repeats will then be “As above” it."
                    .into(),
            ));
        }
        let repeats: Vec<Issue> = db::issues::of_consultation(conn, consultation.id)?
            .into_iter()
            .filter(|i| i.repeat_of_id == Some(id))
            .collect();
        let mut answered = 0;
        for repeat in repeats {
            if db::group_responses::for_issue(conn, repeat.id)?.is_some() {
                continue;
            }
            let input = DraftInput {
                version: None,
                kind: GroupResponseKind::AsAbove.as_str().into(),
                content: String::new(),
                same_as: id.0.to_string(),
                status: DraftStatus::Draft.as_str().into(),
            };
            save(conn, scope, repeat.id, &input, now)?;
            answered += 1;
        }
        Ok(answered)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(
        issue: i64,
        kind: GroupResponseKind,
        content: Option<&str>,
        same_as: Option<i64>,
    ) -> GroupResponse {
        GroupResponse {
            id: crate::domain::GroupResponseId(issue),
            issue_id: IssueId(issue),
            kind,
            content: content.map(str::to_string),
            same_as_issue_id: same_as.map(IssueId),
            status: DraftStatus::Draft,
            version: 1,
            updated_by: None,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn a_chain_of_bare_as_above_answers_shows_the_first_wording() {
        let answers: HashMap<_, _> = [
            answer(
                1,
                GroupResponseKind::Written,
                Some("The SLG will hold them."),
                None,
            ),
            answer(2, GroupResponseKind::AsAbove, None, Some(1)),
            answer(3, GroupResponseKind::AsAbove, None, Some(2)),
            answer(
                4,
                GroupResponseKind::AsAbove,
                Some("As above, and more."),
                Some(1),
            ),
        ]
        .into_iter()
        .map(|a| (a.issue_id, a))
        .collect();
        assert_eq!(
            shown_for(&answers, IssueId(3)).as_deref(),
            Some("The SLG will hold them.")
        );
        assert_eq!(
            shown_for(&answers, IssueId(4)).as_deref(),
            Some("As above, and more.")
        );
        assert_eq!(shown_for(&answers, IssueId(9)), None);
    }

    #[test]
    fn a_loop_of_links_ends_instead_of_spinning() {
        let answers: HashMap<_, _> = [
            answer(1, GroupResponseKind::AsAbove, None, Some(2)),
            answer(2, GroupResponseKind::AsAbove, None, Some(1)),
        ]
        .into_iter()
        .map(|a| (a.issue_id, a))
        .collect();
        assert_eq!(shown_for(&answers, IssueId(1)).as_deref(), Some("As above"));
    }

    #[test]
    fn each_missing_part_of_a_draft_is_named() {
        let input = DraftInput {
            kind: "as_above".into(),
            status: "final".into(),
            ..DraftInput::default()
        };
        let errors = parse(&input).err().unwrap();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "same_as"]);
        let written = DraftInput {
            kind: "written".into(),
            status: "draft".into(),
            ..DraftInput::default()
        };
        assert_eq!(parse(&written).err().unwrap()[0].field, "content");
        let noted = DraftInput {
            kind: "noted".into(),
            status: "agreed".into(),
            ..DraftInput::default()
        };
        assert!(parse(&noted).is_ok());
    }
}
