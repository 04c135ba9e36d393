//! Triage by theme: the themes with their size, label, evidence and
//! progress; renaming, pinning, merging and splitting themes; moving issues
//! between them; and the repeated issues one answer can cover. Every change
//! here is an officer's decision that re-running the analysis keeps.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::issue_in;
use crate::db::analysis::AnalysisRun;
use crate::db::audit::AuditEntry;
use crate::db::consultations::Consultation;
use crate::db::group_responses::GroupResponse;
use crate::db::issues::Issue;
use crate::db::themes::{NewTheme, Theme};
use crate::db::{self, DbConnection};
use crate::domain::text::required_line;
use crate::domain::{DraftStatus, IssueId, ThemeId, ThemeOrigin};
use crate::service::access::Scope;
use crate::service::analysis::StoredTerm;
use crate::service::audit::{self, Actor, Change};
use crate::service::{ServiceError, ServiceResult};

/// Longest theme name.
pub const MAX_LABEL_CHARS: usize = 200;

/// How far drafting has got over some issues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub issues: usize,
    /// Issues with a group response (draft or agreed).
    pub answered: usize,
    pub agreed: usize,
}

impl Progress {
    /// Counts one issue and its answer, if any.
    pub fn count(&mut self, group_response: Option<&GroupResponse>) {
        self.issues += 1;
        if let Some(answer) = group_response {
            self.answered += 1;
            if answer.status == DraftStatus::Agreed {
                self.agreed += 1;
            }
        }
    }
}

/// A theme as the triage page lists it.
#[derive(Debug, Clone)]
pub struct ThemeSummary {
    pub theme: Theme,
    pub progress: Progress,
    pub top_terms: Vec<StoredTerm>,
    /// Up to [`EXAMPLES`] of the theme's issues as it stands now: those the
    /// analysis found closest to its centre that are still in it, then its
    /// other issues in order (an officer's theme has only these).
    pub representatives: Vec<(IssueId, String)>,
    /// Who it is assigned to, by name.
    pub assignee: Option<String>,
}

/// How many example issues the themes list shows for each theme.
pub const EXAMPLES: usize = 3;

/// Issues repeated word for word (or nearly): one answer can cover them.
#[derive(Debug, Clone)]
pub struct RepeatGroup {
    pub first: IssueId,
    pub text: String,
    /// Issues in the group, the first included.
    pub size: usize,
    /// Issues of the group without a group response.
    pub unanswered: usize,
}

/// The whole triage page.
#[derive(Debug, Clone)]
pub struct Triage {
    pub themes: Vec<ThemeSummary>,
    /// Issues in no theme (not yet analysed, or taken out by an officer).
    pub unthemed: Progress,
    /// Issues the analysis found fit no theme.
    pub not_fitting: usize,
    pub overall: Progress,
    pub repeats: Vec<RepeatGroup>,
    pub latest_run: Option<AnalysisRun>,
}

/// Themes, progress and repeats of a consultation.
pub fn triage(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<Triage> {
    let consultation = &scope.consultation;
    let issues = db::issues::of_consultation(conn, consultation.id)?;
    let answers: HashMap<IssueId, GroupResponse> =
        db::group_responses::of_consultation(conn, consultation.id)?
            .into_iter()
            .map(|a| (a.issue_id, a))
            .collect();
    let text: HashMap<IssueId, &str> = issues.iter().map(|i| (i.id, i.content.as_str())).collect();
    let mut by_theme: HashMap<ThemeId, Progress> = HashMap::new();
    let mut members: HashMap<ThemeId, Vec<IssueId>> = HashMap::new();
    let (mut unthemed, mut overall, mut not_fitting) =
        (Progress::default(), Progress::default(), 0);
    let mut repeats: HashMap<IssueId, (usize, usize)> = HashMap::new();
    for issue in &issues {
        let answer = answers.get(&issue.id);
        overall.count(answer);
        match issue.theme_id {
            Some(theme) => {
                by_theme.entry(theme).or_default().count(answer);
                members.entry(theme).or_default().push(issue.id);
            }
            None => unthemed.count(answer),
        }
        not_fitting += usize::from(issue.fits_no_theme);
        let head = issue.repeat_of_id.unwrap_or(issue.id);
        let entry = repeats.entry(head).or_default();
        entry.0 += 1;
        entry.1 += usize::from(answer.is_none());
    }
    let people: HashMap<crate::domain::UserId, String> = assignable(conn, scope)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let mut themes = Vec::new();
    for theme in db::themes::of_consultation(conn, consultation.id)? {
        let (terms, representatives) = db::themes::evidence(conn, theme.id)?;
        let top_terms: Vec<StoredTerm> = serde_json::from_str(&terms).unwrap_or_default();
        let found: Vec<i64> = serde_json::from_str(&representatives).unwrap_or_default();
        let members = members.get(&theme.id).map_or(&[][..], Vec::as_slice);
        let representatives = examples(&found, members)
            .into_iter()
            .filter_map(|id| text.get(&id).map(|t| (id, (*t).to_string())))
            .collect();
        themes.push(ThemeSummary {
            assignee: theme.assigned_to.and_then(|u| people.get(&u).cloned()),
            progress: by_theme.get(&theme.id).copied().unwrap_or_default(),
            theme,
            top_terms,
            representatives,
        });
    }
    let mut repeats: Vec<RepeatGroup> = repeats
        .into_iter()
        .filter(|(_, (size, _))| *size > 1)
        .map(|(first, (size, unanswered))| RepeatGroup {
            first,
            text: text
                .get(&first)
                .map(|t| (*t).to_string())
                .unwrap_or_default(),
            size,
            unanswered,
        })
        .collect();
    repeats.sort_by(|a, b| b.size.cmp(&a.size).then(a.first.cmp(&b.first)));
    let latest_run = db::analysis::latest_run(conn, consultation.id)?;
    Ok(Triage {
        themes,
        unthemed,
        not_fitting,
        overall,
        repeats,
        latest_run,
    })
}

/// One theme's issues (or the issues in no theme), for moving and drafting.
#[derive(Debug, Clone)]
pub struct ThemeDetail {
    /// `None` for the issues in no theme.
    pub theme: Option<Theme>,
    pub issues: Vec<(Issue, Option<GroupResponse>, String)>,
    /// Every theme of the consultation, to move issues to.
    pub all_themes: Vec<Theme>,
    pub history: Vec<AuditEntry>,
}

fn theme_in(
    conn: &mut DbConnection,
    consultation: &Consultation,
    id: ThemeId,
) -> ServiceResult<Theme> {
    db::themes::by_id(conn, id)?
        .filter(|t| t.consultation_id == consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("theme {}", id.0)))
}

/// A theme's issues with their answers and response references.
pub fn theme_detail(
    conn: &mut DbConnection,
    scope: &Scope,
    id: Option<ThemeId>,
) -> ServiceResult<ThemeDetail> {
    let consultation = &scope.consultation;
    let (theme, issues) = match id {
        Some(id) => {
            let theme = theme_in(conn, consultation, id)?;
            (Some(theme), db::issues::of_theme(conn, id)?)
        }
        None => {
            let all = db::issues::of_consultation(conn, consultation.id)?;
            (
                None,
                all.into_iter().filter(|i| i.theme_id.is_none()).collect(),
            )
        }
    };
    let ids: Vec<IssueId> = issues.iter().map(|i| i.id).collect();
    let mut answers: HashMap<IssueId, GroupResponse> = HashMap::new();
    for chunk in ids.chunks(500) {
        answers.extend(
            db::group_responses::for_issues(conn, chunk)?
                .into_iter()
                .map(|a| (a.issue_id, a)),
        );
    }
    let mut response_ids: Vec<_> = issues.iter().map(|i| i.response_id).collect();
    response_ids.sort_unstable();
    response_ids.dedup();
    let mut references = HashMap::new();
    for chunk in response_ids.chunks(500) {
        references.extend(db::responses::references_of(conn, chunk)?);
    }
    let issues = issues
        .into_iter()
        .map(|i| {
            let reference = references.get(&i.response_id).cloned().unwrap_or_default();
            let answer = answers.remove(&i.id);
            (i, answer, reference)
        })
        .collect();
    let history = match id {
        Some(id) => db::audit::for_entity(conn, "theme", id.0)?,
        None => Vec::new(),
    };
    Ok(ThemeDetail {
        theme,
        issues,
        all_themes: db::themes::of_consultation(conn, consultation.id)?,
        history,
    })
}

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    theme: ThemeId,
    (before, after): (Option<&str>, Option<&str>),
) -> ServiceResult<()> {
    let change = Change {
        action,
        entity: "theme",
        id: theme.0,
        before,
        after,
    };
    audit::record(conn, actor, now, change)?;
    Ok(())
}

/// Names a theme; the analysis keeps an officer's name.
pub fn rename(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ThemeId,
    label: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let label = required_line("label", "The theme's name", label, MAX_LABEL_CHARS)?;
    db::write_transaction(conn, |conn| {
        let theme = theme_in(conn, consultation, id)?;
        db::themes::rename(conn, id, &label)?;
        record(
            conn,
            actor,
            now,
            "theme renamed",
            id,
            (Some(&theme.label), Some(&label)),
        )
    })
}

/// Pins (or unpins) a theme: a pinned theme keeps all its issues when the
/// analysis is re-run.
pub fn set_pinned(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ThemeId,
    pinned: bool,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    db::write_transaction(conn, |conn| {
        let theme = theme_in(conn, consultation, id)?;
        db::themes::set_pinned(conn, id, pinned)?;
        let (before, after) = (theme.pinned.to_string(), pinned.to_string());
        let action = if pinned {
            "theme pinned"
        } else {
            "theme unpinned"
        };
        record(conn, actor, now, action, id, (Some(&before), Some(&after)))
    })
}

/// Creates an officer's theme (empty until issues are moved into it).
pub fn create(
    conn: &mut DbConnection,
    scope: &Scope,
    label: &str,
    now: DateTime<Utc>,
) -> ServiceResult<ThemeId> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let label = required_line("label", "The theme's name", label, MAX_LABEL_CHARS)?;
    db::write_transaction(conn, |conn| {
        let position = db::themes::next_position(conn, consultation.id)?;
        let id = db::themes::insert(
            conn,
            &NewTheme {
                consultation_id: consultation.id,
                label: &label,
                origin: ThemeOrigin::Officer,
                officer_named: true,
                pinned: false,
                position,
                created_at: now.naive_utc(),
            },
        )?;
        record(conn, actor, now, "theme created", id, (None, Some(&label)))?;
        Ok(id)
    })
}

/// A theme's examples as it stands now: the analysis's representatives
/// still among its `members` (moves and merges are seen at once), then
/// its other members in order, [`EXAMPLES`] at most.
fn examples(found: &[i64], members: &[IssueId]) -> Vec<IssueId> {
    let mut chosen: Vec<IssueId> = (found.iter())
        .map(|&id| IssueId(id))
        .filter(|id| members.contains(id))
        .take(EXAMPLES)
        .collect();
    for &id in members {
        if chosen.len() == EXAMPLES {
            break;
        }
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    chosen
}

/// Moves issues to a theme (or out of every theme). Each move is an
/// officer's decision: the analysis leaves these issues where they are put.
pub fn move_issues(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[IssueId],
    to: Option<ThemeId>,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    if ids.is_empty() {
        return Err(ServiceError::invalid(
            "issues",
            "Select at least one issue to move",
        ));
    }
    db::write_transaction(conn, |conn| {
        let target = to.map(|t| theme_in(conn, consultation, t)).transpose()?;
        let target_label = target.as_ref().map_or("no theme", |t| t.label.as_str());
        for &id in ids {
            let issue = issue_in(conn, consultation, id)?;
            let from = match issue.theme_id {
                Some(t) => db::themes::by_id(conn, t)?.map(|t| t.label),
                None => None,
            };
            let from = from.unwrap_or_else(|| "no theme".into());
            audit::record(
                conn,
                actor,
                now,
                Change {
                    action: "issue moved",
                    entity: "issue",
                    id: id.0,
                    before: Some(&from),
                    after: Some(target_label),
                },
            )?;
            if let Some(theme) = issue.theme_id {
                let note = format!("issue {} moved to {target_label}", id.0);
                record(
                    conn,
                    actor,
                    now,
                    "issue moved out",
                    theme,
                    (None, Some(&note)),
                )?;
            }
        }
        let moved = db::issues::place_in_theme(conn, ids, to)?;
        if let Some(to) = to {
            let note = format!("{moved} issue(s) moved in");
            record(conn, actor, now, "issues moved in", to, (None, Some(&note)))?;
        }
        Ok(moved)
    })
}

/// Merges theme `from` into theme `into`: its issues move (as officers'
/// decisions) and `from` is deleted.
pub fn merge(
    conn: &mut DbConnection,
    scope: &Scope,
    from: ThemeId,
    into: ThemeId,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    if from == into {
        return Err(ServiceError::invalid(
            "into",
            "Choose a different theme to merge with",
        ));
    }
    db::write_transaction(conn, |conn| {
        let source = theme_in(conn, consultation, from)?;
        let target = theme_in(conn, consultation, into)?;
        let ids: Vec<IssueId> = db::issues::of_theme(conn, from)?
            .iter()
            .map(|i| i.id)
            .collect();
        let moved = db::issues::place_in_theme(conn, &ids, Some(into))?;
        db::analysis::delete_theme(conn, from)?;
        let note = format!(
            "“{}” ({moved} issue(s)) merged into “{}”",
            source.label, target.label
        );
        record(
            conn,
            actor,
            now,
            "theme merged away",
            from,
            (Some(&source.label), Some(&note)),
        )?;
        record(
            conn,
            actor,
            now,
            "theme merged in",
            into,
            (None, Some(&note)),
        )?;
        for id in &ids {
            let change = Change {
                action: "issue moved (themes merged)",
                entity: "issue",
                id: id.0,
                before: Some(&source.label),
                after: Some(&target.label),
            };
            audit::record(conn, actor, now, change)?;
        }
        Ok(moved)
    })
}

/// Splits the selected issues of a theme out into a new theme named
/// `label`.
pub fn split(
    conn: &mut DbConnection,
    scope: &Scope,
    from: ThemeId,
    ids: &[IssueId],
    label: &str,
    now: DateTime<Utc>,
) -> ServiceResult<ThemeId> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    if ids.is_empty() {
        return Err(ServiceError::invalid(
            "issues",
            "Select the issues for the new theme",
        ));
    }
    db::write_transaction(conn, |conn| {
        let source = theme_in(conn, consultation, from)?;
        for &id in ids {
            if issue_in(conn, consultation, id)?.theme_id != Some(from) {
                return Err(ServiceError::Conflict(format!(
                    "Issue {} is no longer in “{}”; reload the page.",
                    id.0, source.label
                )));
            }
        }
        let new = create(conn, scope, label, now)?;
        move_issues(conn, scope, ids, Some(new), now)?;
        let note = format!("{} issue(s) split out into theme {}", ids.len(), new.0);
        record(conn, actor, now, "theme split", from, (None, Some(&note)))?;
        Ok(new)
    })
}

/// Who a theme may be assigned to: the consultation's group members, and
/// officers and admins (enabled), by name.
pub fn assignable(
    conn: &mut DbConnection,
    scope: &Scope,
) -> ServiceResult<Vec<crate::db::users::User>> {
    use crate::domain::Role;
    let members: Vec<crate::domain::UserId> =
        db::members::of_consultation(conn, scope.consultation.id)?
            .into_iter()
            .map(|u| u.id)
            .collect();
    let mut people: Vec<crate::db::users::User> = db::users::all(conn)?
        .into_iter()
        .filter(|u| !u.disabled)
        .filter(|u| u.role != Role::GroupMember || members.contains(&u.id))
        .collect();
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(people)
}

/// Assigns theme `id` to `user` (none: to nobody): anyone working on the
/// consultation may share out its themes.
pub fn assign(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ThemeId,
    user: Option<crate::domain::UserId>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let theme = db::themes::by_id(conn, id)?
            .filter(|t| t.consultation_id == scope.consultation.id)
            .ok_or_else(|| ServiceError::NotFound("theme".into()))?;
        let person = match user {
            None => None,
            Some(u) => Some(
                assignable(conn, scope)?
                    .into_iter()
                    .find(|p| p.id == u)
                    .ok_or_else(|| {
                        ServiceError::invalid(
                            "assigned_to",
                            "Choose someone in the consultation's group, or an officer",
                        )
                    })?,
            ),
        };
        db::themes::assign(conn, id, user)?;
        let name = person.as_ref().map(|p| p.email.as_str());
        let change = Change {
            action: "theme assigned",
            entity: "theme",
            id: id.0,
            before: Some(&theme.label),
            after: name,
        };
        audit::record(conn, &scope.actor(), now, change)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[i64]) -> Vec<IssueId> {
        list.iter().map(|&id| IssueId(id)).collect()
    }

    #[test]
    fn examples_keep_the_analysis_choice_while_it_holds_then_fill_from_members() {
        // All three representatives still in the theme: shown as found.
        assert_eq!(examples(&[7, 3, 9], &ids(&[1, 3, 7, 9])), ids(&[7, 3, 9]));
        // 3 moved away: the next member fills its place.
        assert_eq!(examples(&[7, 3, 9], &ids(&[1, 7, 9])), ids(&[7, 9, 1]));
        // An officer's theme has no representatives: its first members.
        assert_eq!(examples(&[], &ids(&[4, 5, 6, 8])), ids(&[4, 5, 6]));
        // A theme emptied by moves shows nothing.
        assert_eq!(examples(&[7, 3], &[]), Vec::<IssueId>::new());
    }
}
