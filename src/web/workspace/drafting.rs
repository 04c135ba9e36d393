//! Drafting the group's response to one issue.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Done, HistoryEntry, Screen, act, history, load, settle, when};
use crate::db;
use crate::domain::{DraftStatus, GroupResponseKind, IssueId};
use crate::service::access::Action;
use crate::service::workspace::drafting::{self, DraftInput, DraftView};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::CheckedForm;
use crate::web::render::Choice;
use crate::web::state::AppState;

fn draft_url(slug: &str, id: IssueId) -> String {
    format!("/staff/consultations/{slug}/issues/{}/draft", id.0)
}

/// A short extract of an issue for lists (whole words, at most ~120 chars).
fn extract(text: &str) -> String {
    crate::domain::text::opening(text, 120)
}

#[derive(Debug, Serialize)]
struct ThemeLink {
    id: i64,
    label: String,
}

#[derive(Debug, Serialize)]
struct IssueView {
    id: i64,
    /// `CHL-0006/2`: how the group names it.
    name: String,
    point: i32,
    content: String,
    kind: &'static str,
    reference: String,
    raised_by: String,
    theme: Option<ThemeLink>,
}

/// The group's response as saved.
#[derive(Debug, Serialize)]
struct SavedResponse {
    version: i32,
    kind: &'static str,
    status: &'static str,
    content: Option<String>,
    updated: String,
}

/// An answered issue: its id, an extract, and the answer the table shows.
#[derive(Debug, Serialize)]
struct Answered {
    id: i64,
    /// `CHL-0006/2`.
    name: String,
    content: String,
    shown: String,
    /// For the "As above" list: its label and whether it is chosen.
    label: String,
    chosen: bool,
    /// For suggestions: how similar it is.
    similarity: String,
}

/// The drafting form as typed, or as saved.
#[derive(Debug, Serialize)]
struct DraftForm {
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    may_agree: bool,
    content: String,
}

#[derive(Debug, Serialize)]
struct DraftPage {
    issue: IssueView,
    group_response: Option<SavedResponse>,
    linked: Option<Answered>,
    suggestions: Vec<Answered>,
    answered: Vec<Answered>,
    repeats: usize,
    form: DraftForm,
    history: Vec<HistoryEntry>,
}

fn answered((id, name): (IssueId, String), content: &str, shown: &str, same_as: &str) -> Answered {
    Answered {
        id: id.0,
        label: format!("{name}: {}", extract(content)),
        name,
        content: extract(content),
        shown: shown.to_string(),
        chosen: id.0.to_string() == same_as,
        similarity: String::new(),
    }
}

/// The form's values: as typed when it was refused, else as saved, else
/// the defaults (a written draft).
fn draft_form(view: &DraftView, failed: Option<&FailedForm>, may_agree: bool) -> DraftForm {
    let saved = view.group_response.as_ref();
    let field = |name: &str, saved: Option<String>| -> String {
        failed
            .and_then(|f| f.typed(name).map(str::to_string))
            .or(saved)
            .unwrap_or_default()
    };
    let kind = field("kind", saved.map(|a| a.kind.as_str().into()));
    let kind = if kind.is_empty() {
        GroupResponseKind::Written.as_str().into()
    } else {
        kind
    };
    let status = field("status", saved.map(|a| a.status.as_str().into()));
    let status = if status.is_empty() {
        DraftStatus::Draft.as_str().into()
    } else {
        status
    };
    DraftForm {
        kinds: Choice::list(GroupResponseKind::ALL, |k| k.as_str(), |k| k.label(), &kind),
        statuses: Choice::list(DraftStatus::ALL, |s| s.as_str(), |s| s.label(), &status),
        may_agree,
        content: field("content", saved.and_then(|a| a.content.clone())),
    }
}

fn draft_page(view: &DraftView, failed: Option<&FailedForm>, may_agree: bool) -> DraftPage {
    let saved = view.group_response.as_ref();
    let same_as = failed.and_then(|f| f.typed("same_as")).map_or_else(
        || {
            saved
                .and_then(|a| a.same_as_issue_id)
                .map(|i| i.0.to_string())
                .unwrap_or_default()
        },
        str::to_string,
    );
    DraftPage {
        issue: IssueView {
            id: view.issue.id.0,
            name: view.name_of(&view.issue),
            point: view.issue.position,
            content: view.issue.content.clone(),
            kind: view.issue.kind.label(),
            reference: view.reference.clone(),
            raised_by: (view.raised_by.iter())
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(" / "),
            theme: view.theme.as_ref().map(|t| ThemeLink {
                id: t.id.0,
                label: t.label.clone(),
            }),
        },
        group_response: saved.map(|a| SavedResponse {
            version: a.version,
            kind: a.kind.label(),
            status: a.status.label(),
            content: a.content.clone(),
            updated: when(a.updated_at),
        }),
        linked: (view.linked.as_ref()).map(|(issue, shown)| {
            answered((issue.id, view.name_of(issue)), &issue.content, shown, "")
        }),
        suggestions: (view.suggestions.iter())
            .map(|s| Answered {
                similarity: format!("{:.0}%", s.similarity * 100.0),
                ..answered(
                    (s.issue.id, view.name_of(&s.issue)),
                    &s.issue.content,
                    &s.shown,
                    "",
                )
            })
            .collect(),
        answered: (view.answered.iter())
            .map(|(issue, shown)| {
                let name = view.name_of(issue);
                answered((issue.id, name), &issue.content, &extract(shown), &same_as)
            })
            .collect(),
        repeats: view.repeats.len(),
        form: draft_form(view, failed, may_agree),
        history: history(&view.history),
    }
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id): (String, IssueId),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, (view, may_agree)) = load(state, staff, slug, move |conn, s| {
        Ok((drafting::draft_view(conn, s, id)?, s.may(Action::SignOff)))
    })
    .await?;
    let page = draft_page(&view, screen.failed, may_agree);
    Ok(screen.render(req, state, staff, &consultation, &page))
}

fn screen() -> Screen<'static> {
    Screen::new("ws_draft", "themes")
}

/// `GET /staff/consultations/{slug}/issues/{id}/draft`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let screen = screen().done(done.done.as_deref());
    show(&req, &state, &staff, (slug, IssueId(id)), screen).await
}

/// `POST /staff/consultations/{slug}/issues/{id}/draft`.
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let input = DraftInput {
        version: form.get("version").parse().ok(),
        kind: form.get("kind").into(),
        content: form.get("content").into(),
        same_as: form.get("same_as").into(),
        status: form.get("status").into(),
    };
    let then = form.get("then").to_string();
    let now = state.clock.now();
    let s2 = slug.clone();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        drafting::save(conn, s, id, &input, now)?;
        let theme = match then.as_str() {
            "next" => None,
            "next-in-theme" => match db::issues::by_id(conn, id)?.and_then(|i| i.theme_id) {
                Some(theme) => Some(theme),
                None => return Ok(format!("{}?done=drafted#draft", draft_url(&s2, id))),
            },
            // Back at the form, the saved response in view.
            _ => return Ok(format!("{}?done=drafted#draft", draft_url(&s2, id))),
        };
        Ok(match drafting::next_unanswered(conn, s, id, theme)? {
            Some(next) => format!("{}?done=drafted-next", draft_url(&s2, next)),
            None => match theme {
                Some(t) => format!("/staff/consultations/{s2}/themes/{}?done=all-answered", t.0),
                None => format!("/staff/consultations/{s2}/themes?done=all-answered"),
            },
        })
    })
    .await;
    settle(outcome, ("draft", &form), |failed: FailedForm| async move {
        show(
            &req,
            &state,
            &staff,
            (slug, id),
            screen().failed(Some(&failed)),
        )
        .await
    })
    .await
}

/// `POST …/issues/{id}/repeats`: answers the issue's repeats "As above".
pub async fn answer_repeats(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        drafting::answer_repeats(conn, s, id, now)
    })
    .await
    .map(|_| format!("{}?done=repeats", draft_url(&slug, id)));
    settle(
        outcome,
        ("repeats", &form),
        |failed: FailedForm| async move {
            show(
                &req,
                &state,
                &staff,
                (slug, id),
                screen().failed(Some(&failed)),
            )
            .await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn long_issues_are_cut_at_a_word() {
        let long = "word ".repeat(40);
        let cut = extract(&long);
        assert!(cut.ends_with("word…"));
        assert!(cut.chars().count() <= 121);
        assert_eq!(extract("short"), "short");
    }
}
