//! Triage by theme: the themes page, one theme's issues, and the forms to
//! rename, pin, merge, split and create themes and to move issues.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::analysis::RunView;
use super::{HistoryEntry, Screen, act, history, load, settle};
use crate::domain::text::thousands;
use crate::domain::{IssueId, ThemeId, ThemeOrigin};
use crate::service::ServiceError;
use crate::service::workspace::themes::{self, Progress, ThemeDetail, ThemeSummary, Triage};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::CheckedForm;
use crate::web::state::AppState;

/// How far the group's responses have got, in figures and percentages.
#[derive(Debug, Serialize)]
struct ProgressView {
    issues: String,
    answered: String,
    agreed: String,
    answered_percent: usize,
    agreed_percent: usize,
}

impl ProgressView {
    fn of(p: &Progress) -> Self {
        let percent = |n: usize| (n * 100).checked_div(p.issues).unwrap_or(0);
        Self {
            issues: thousands(p.issues),
            answered: thousands(p.answered),
            agreed: thousands(p.agreed),
            answered_percent: percent(p.answered),
            agreed_percent: percent(p.agreed),
        }
    }
}

/// A term that marks a theme, with its weight.
#[derive(Debug, Serialize)]
struct TermView {
    surface: String,
    weight: String,
}

/// An issue (or a theme) as a link: its id and what it says.
#[derive(Debug, Serialize)]
struct Linked {
    id: i64,
    text: String,
}

#[derive(Debug, Serialize)]
struct ThemeRow {
    id: i64,
    label: String,
    pinned: bool,
    named: bool,
    officer: bool,
    size: usize,
    progress: ProgressView,
    terms: Vec<TermView>,
    representatives: Vec<Linked>,
    assignee: Option<String>,
}

impl ThemeRow {
    fn of(t: &ThemeSummary) -> Self {
        Self {
            id: t.theme.id.0,
            assignee: t.assignee.clone(),
            label: t.theme.label.clone(),
            pinned: t.theme.pinned,
            named: t.theme.officer_named,
            officer: t.theme.origin == ThemeOrigin::Officer,
            size: t.progress.issues,
            progress: ProgressView::of(&t.progress),
            terms: (t.top_terms.iter().take(6))
                .map(|s| TermView {
                    surface: s.surface.clone(),
                    weight: format!("{:.2}", s.weight),
                })
                .collect(),
            representatives: (t.representatives.iter())
                .map(|(id, text)| Linked {
                    id: id.0,
                    text: text.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct RepeatRow {
    id: i64,
    text: String,
    size: usize,
    unanswered: usize,
}

#[derive(Debug, Serialize)]
struct TriageView {
    themes: Vec<ThemeRow>,
    unthemed: ProgressView,
    has_unthemed: bool,
    not_fitting: usize,
    overall: ProgressView,
    repeats: Vec<RepeatRow>,
    run: Option<RunView>,
    /// `?show=`: the filter in use, for its link's `aria-current`.
    show: BTreeMap<&'static str, bool>,
    filtered: bool,
}

/// `?show=` on the themes and a theme's page: `mine` (themes assigned to
/// the reader), `unanswered` (with issues not answered), `draft` (with
/// draft answers).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Show {
    #[serde(default)]
    pub show: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

/// Issues on one page of a theme: a theme of a large consultation holds
/// hundreds.
const ISSUES_PER_PAGE: usize = 100;

impl Show {
    fn filter(&self) -> &'static str {
        match self.show.as_deref() {
            Some("mine") => "mine",
            Some("unanswered") => "unanswered",
            Some("draft") => "draft",
            _ => "all",
        }
    }
}

impl TriageView {
    fn of(triage: &Triage, show: &'static str, me: crate::domain::UserId) -> Self {
        let keep = |t: &&ThemeSummary| match show {
            "mine" => t.theme.assigned_to == Some(me),
            "unanswered" => t.progress.issues > t.progress.answered,
            "draft" => t.progress.answered > t.progress.agreed,
            _ => true,
        };
        Self {
            show: BTreeMap::from([(show, true)]),
            filtered: show != "all",
            themes: triage
                .themes
                .iter()
                .filter(keep)
                .map(ThemeRow::of)
                .collect(),
            unthemed: ProgressView::of(&triage.unthemed),
            has_unthemed: triage.unthemed.issues > 0,
            not_fitting: triage.not_fitting,
            overall: ProgressView::of(&triage.overall),
            repeats: (triage.repeats.iter().take(50))
                .map(|r| RepeatRow {
                    id: r.first.0,
                    text: r.text.clone(),
                    size: r.size,
                    unanswered: r.unanswered,
                })
                .collect(),
            run: triage.latest_run.as_ref().map(RunView::of),
        }
    }
}

async fn show_triage(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, show): (String, &'static str),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, triage) = load(state, staff, slug, themes::triage).await?;
    let view = TriageView::of(&triage, show, staff.user.id);
    Ok(screen.render(req, state, staff, &consultation, &view))
}

/// `GET /staff/consultations/{slug}/themes`.
pub async fn triage(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    query: web::Query<Show>,
) -> Result<HttpResponse, AppError> {
    let screen = Screen::new("ws_themes", "themes").done(query.done.as_deref());
    let view = (slug.into_inner(), query.filter());
    show_triage(&req, &state, &staff, view, screen).await
}

#[derive(Debug, Serialize)]
struct ResponseState {
    kind: &'static str,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct IssueRow {
    id: i64,
    content: String,
    reference: String,
    kind: &'static str,
    placed: bool,
    no_fit: bool,
    group_response: Option<ResponseState>,
}

#[derive(Debug, Serialize)]
struct ThemeHeading {
    id: i64,
    label: String,
    pinned: bool,
    named: bool,
}

#[derive(Debug, Serialize)]
struct ThemeView {
    theme: Option<ThemeHeading>,
    issue_count: usize,
    issues: Vec<IssueRow>,
    /// The themes its issues can move to.
    others: Vec<Linked>,
    history: Vec<HistoryEntry>,
    /// Who it may be assigned to, the one it is chosen.
    people: Vec<crate::web::render::Choice>,
    assignee: Option<String>,
    show: BTreeMap<&'static str, bool>,
    /// The filter in force (`all`, `unanswered`, `draft`), kept by a move.
    filter: &'static str,
    filtered: bool,
    pagination: crate::web::render::Pagination,
}

impl ThemeView {
    fn of(
        detail: &ThemeDetail,
        (id, slug): (Option<ThemeId>, &str),
        (people, show, page): (&[crate::db::users::User], &'static str, usize),
    ) -> Self {
        let assigned = detail.theme.as_ref().and_then(|t| t.assigned_to);
        let issues: Vec<IssueRow> = (detail.issues.iter())
            .filter(|(_, answer, _)| shown(show, answer.as_ref()))
            .map(|(issue, answer, reference)| IssueRow {
                id: issue.id.0,
                content: issue.content.clone(),
                reference: reference.clone(),
                kind: issue.kind.label(),
                placed: issue.theme_set_by_officer,
                no_fit: issue.fits_no_theme,
                group_response: answer.as_ref().map(|a| ResponseState {
                    kind: a.kind.label(),
                    status: a.status.label(),
                }),
            })
            .collect();
        let pages = issues.len().div_ceil(ISSUES_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let issue_count = issues.len();
        let issues: Vec<IssueRow> = issues
            .into_iter()
            .skip((page - 1) * ISSUES_PER_PAGE)
            .take(ISSUES_PER_PAGE)
            .collect();
        let url = theme_url(slug, id);
        Self {
            pagination: crate::web::render::Pagination::new(page, pages, |p| {
                format!("{url}?show={show}&page={p}")
            }),
            theme: detail.theme.as_ref().map(|t| ThemeHeading {
                id: t.id.0,
                label: t.label.clone(),
                pinned: t.pinned,
                named: t.officer_named,
            }),
            issue_count,
            issues,
            others: (detail.all_themes.iter())
                .filter(|t| Some(t.id) != id)
                .map(|t| Linked {
                    id: t.id.0,
                    text: t.label.clone(),
                })
                .collect(),
            history: history(&detail.history),
            assignee: (people.iter())
                .find(|p| Some(p.id) == assigned)
                .map(|p| p.display_name.clone()),
            people: (people.iter())
                .map(|p| crate::web::render::Choice {
                    value: p.id.0.to_string(),
                    label: format!("{} ({})", p.display_name, p.email),
                    chosen: Some(p.id) == assigned,
                })
                .collect(),
            show: BTreeMap::from([(show, true)]),
            filter: show,
            filtered: show != "all",
        }
    }
}

/// Whether an issue with `answer` is listed under the filter `show`.
fn shown(show: &str, answer: Option<&crate::db::group_responses::GroupResponse>) -> bool {
    match show {
        "unanswered" => answer.is_none(),
        "draft" => answer.is_some_and(|a| a.status == crate::domain::DraftStatus::Draft),
        _ => true,
    }
}

/// Where the list stands after `moved` leave it: the issue listed after
/// the first of them (or, at the end, before it) that stays.
fn neighbour(detail: &ThemeDetail, show: &str, moved: &[IssueId]) -> Option<IssueId> {
    let listed: Vec<IssueId> = (detail.issues.iter())
        .filter(|(_, answer, _)| shown(show, answer.as_ref()))
        .map(|(issue, _, _)| issue.id)
        .collect();
    let first = listed.iter().position(|id| moved.contains(id))?;
    let stays = |id: &&IssueId| !moved.contains(id);
    (listed[first..].iter().find(stays))
        .or_else(|| listed[..first].iter().rev().find(stays))
        .copied()
}

async fn show_theme(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id): (String, Option<ThemeId>),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    show_theme_as(req, state, staff, (slug, id, "all", 1), screen).await
}

async fn show_theme_as(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id, show, page): (String, Option<ThemeId>, &'static str, usize),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, (detail, people)) = load(state, staff, slug, move |conn, s| {
        Ok((
            themes::theme_detail(conn, s, id)?,
            themes::assignable(conn, s)?,
        ))
    })
    .await?;
    let view = ThemeView::of(&detail, (id, &consultation.slug), (&people, show, page));
    Ok(screen.render(req, state, staff, &consultation, &view))
}

fn theme_screen() -> Screen<'static> {
    Screen::new("ws_theme", "themes")
}

fn theme_path(id: &str) -> Result<Option<ThemeId>, AppError> {
    if id == "none" {
        return Ok(None);
    }
    id.parse::<i64>()
        .map(|id| Some(ThemeId(id)))
        .map_err(|_| AppError::NotFound("theme".into()))
}

/// `GET /staff/consultations/{slug}/themes/{id}` (`none`: issues in no theme).
pub async fn theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    query: web::Query<Show>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = theme_path(&id)?;
    let screen = theme_screen().done(query.done.as_deref());
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let view = (slug, id, query.filter(), page);
    show_theme_as(&req, &state, &staff, view, screen).await
}

/// `POST …/themes/{id}/assign` (`assigned_to=` a user's id, or empty for
/// nobody).
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = ThemeId(id);
    let user = form
        .get("assigned_to")
        .parse::<i64>()
        .ok()
        .map(crate::domain::UserId);
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        themes::assign(conn, s, id, user, now)
    })
    .await
    .map(|()| format!("{}?done=assigned#assign", theme_url(&slug, Some(id))));
    settle(
        outcome,
        ("assign", &form),
        |failed: FailedForm| async move {
            let screen = theme_screen().failed(Some(&failed));
            show_theme(&req, &state, &staff, (slug, Some(id)), screen).await
        },
    )
    .await
}

fn theme_url(slug: &str, id: Option<ThemeId>) -> String {
    match id {
        Some(id) => format!("/staff/consultations/{slug}/themes/{}", id.0),
        None => format!("/staff/consultations/{slug}/themes/none"),
    }
}

/// `POST …/themes`: creates an officer's theme.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (label, now) = (form.get("label").to_string(), state.clock.now());
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        themes::create(conn, s, &label, now)
    })
    .await
    .map(|id| format!("{}?done=created", theme_url(&slug, Some(id))));
    settle(
        outcome,
        ("new_theme", &form),
        |failed: FailedForm| async move {
            let screen = Screen::new("ws_themes", "themes").failed(Some(&failed));
            show_triage(&req, &state, &staff, (slug, "all"), screen).await
        },
    )
    .await
}

/// What a form on a theme's page asks for.
enum ThemeChange {
    Rename(String),
    Pin(bool),
    Merge(Option<ThemeId>),
    Split(Vec<IssueId>, String),
}

impl ThemeChange {
    /// The form it comes from.
    fn form(&self) -> &'static str {
        match self {
            ThemeChange::Rename(_) => "rename",
            ThemeChange::Pin(_) => "pin",
            ThemeChange::Merge(_) => "merge",
            ThemeChange::Split(..) => "split",
        }
    }
}

async fn change_theme(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    path: web::Path<(String, i64)>,
    form: CheckedForm,
    change: ThemeChange,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = ThemeId(id);
    let now = state.clock.now();
    let form_id = change.form();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| match change {
        ThemeChange::Rename(label) => {
            themes::rename(conn, s, id, &label, now).map(|()| ("renamed", Some(id)))
        }
        ThemeChange::Pin(pinned) => themes::set_pinned(conn, s, id, pinned, now)
            .map(|()| (if pinned { "pinned" } else { "unpinned" }, Some(id))),
        ThemeChange::Merge(Some(into)) => {
            themes::merge(conn, s, id, into, now).map(|_| ("themes-merged", Some(into)))
        }
        ThemeChange::Merge(None) => Err(ServiceError::invalid(
            "into",
            "Choose the theme to merge this one into",
        )),
        ThemeChange::Split(ids, label) => {
            themes::split(conn, s, id, &ids, &label, now).map(|new| ("theme-split", Some(new)))
        }
    })
    .await
    .map(|(done, target)| {
        // Back at the form just used when the page stays the same theme's.
        let anchor = match form_id {
            "rename" | "pin" => format!("#{form_id}"),
            _ => String::new(),
        };
        format!("{}?done={done}{anchor}", theme_url(&slug, target))
    });
    settle(outcome, (form_id, &form), |failed: FailedForm| async move {
        let screen = theme_screen().failed(Some(&failed));
        show_theme(&req, &state, &staff, (slug, Some(id)), screen).await
    })
    .await
}

/// `POST …/themes/{id}/rename`.
pub async fn rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Rename(form.get("label").into());
    change_theme((req, state, staff), path, form, change).await
}

/// `POST …/themes/{id}/pin` (`pinned=true|false`).
pub async fn pin(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Pin(form.get("pinned") == "true");
    change_theme((req, state, staff), path, form, change).await
}

/// `POST …/themes/{id}/merge` (`into=` another theme).
pub async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    if !crate::web::confirm::confirmed(&form) {
        let slug = path.into_inner().0;
        let query = format!("into={}", form.get("into").parse::<i64>().unwrap_or(0));
        let work = crate::service::access::Action::Work;
        return crate::web::confirm::ask((&req, &state, &staff), slug, work, &query).await;
    }
    let into = form.get("into").parse().ok().map(ThemeId);
    change_theme((req, state, staff), path, form, ThemeChange::Merge(into)).await
}

/// `GET …/themes/{id}/merge`: asks before merging, with the theme to
/// merge into chosen (or to choose).
pub async fn confirm_merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    query: web::Query<crate::web::confirm::MergeInto>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = ThemeId(id);
    let (consultation, all) = load(&state, &staff, slug.clone(), move |conn, s| {
        Ok(crate::db::themes::of_consultation(conn, s.consultation.id)?)
    })
    .await?;
    let theme = (all.iter())
        .find(|t| t.id == id)
        .ok_or_else(|| AppError::NotFound("theme".into()))?;
    let into = query.into.clone().unwrap_or_default();
    let options: Vec<crate::web::render::Choice> = (all.iter())
        .filter(|t| t.id != id)
        .map(|t| crate::web::render::Choice {
            value: t.id.0.to_string(),
            label: t.label.clone(),
            chosen: t.id.0.to_string() == into,
        })
        .collect();
    let confirmation = crate::web::confirm::Confirmation {
        caption: consultation.title.clone(),
        title: format!("Merge the theme “{}” into another?", theme.label),
        detail: None,
        warning: "Its issues move to the theme you choose and this theme is deleted. The change is recorded in the audit log.".into(),
        action: req.path().to_string(),
        button: "Yes, merge the themes".into(),
        cancel: theme_url(&slug, Some(id)),
        choices: Some(crate::web::confirm::Choices {
            name: "into",
            label: "The theme to merge it into",
            options,
        }),
        ..Default::default()
    };
    Ok(crate::web::confirm::page(
        &req,
        &state,
        &staff,
        &confirmation,
    ))
}

/// `POST …/themes/{id}/split` (`issues=` the selected issues, `label=`).
pub async fn split(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Split(super::selected_issues(&form), form.get("label").into());
    change_theme((req, state, staff), path, form, change).await
}

/// `POST …/themes/move`: the selected issues (`issues=`) to theme `to`
/// (`none` for no theme); `from` says which page to return to.
pub async fn move_issues(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let from = theme_path(form.get("from")).unwrap_or(None);
    // Back to the same filter and page, at the issue after those moved.
    let listing = Show {
        show: Some(form.get("show").to_string()),
        ..Show::default()
    };
    let show = listing.filter();
    let page = form.get("page").parse::<usize>().unwrap_or(1).max(1);
    let ids = super::selected_issues(&form);
    let to = match form.get("to") {
        "none" => Ok(None),
        id => id.parse().map(|id| Some(ThemeId(id))).map_err(|_| ()),
    };
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| match to {
        Ok(to) => {
            let before = themes::theme_detail(conn, s, from).ok();
            themes::move_issues(conn, s, &ids, to, now)?;
            Ok(before.and_then(|d| neighbour(&d, show, &ids)))
        }
        Err(()) => Err(ServiceError::invalid(
            "to",
            "Choose the theme to move the issues to",
        )),
    })
    .await
    .map(|next| {
        let anchor = match next {
            Some(id) => format!("#issue-{}", id.0),
            None => "#move-issues".to_string(),
        };
        let url = theme_url(&slug, from);
        format!("{url}?show={show}&page={page}&done=moved{anchor}")
    });
    settle(outcome, ("move", &form), |failed: FailedForm| async move {
        let screen = theme_screen().failed(Some(&failed));
        show_theme(&req, &state, &staff, (slug, from), screen).await
    })
    .await
}
