//! Triage by theme: the themes page, one theme's issues, and the forms to
//! rename, pin, merge, split and create themes and to move issues.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::analysis::RunView;
use super::{Done, HistoryEntry, Screen, act, history, load, settle};
use crate::domain::text::thousands;
use crate::domain::{IssueId, ThemeId, ThemeOrigin};
use crate::service::ServiceError;
use crate::service::workspace::themes::{self, Progress, ThemeDetail, ThemeSummary, Triage};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::{CheckedForm, FormData};
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
}

impl ThemeRow {
    fn of(t: &ThemeSummary) -> Self {
        Self {
            id: t.theme.id.0,
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
}

impl TriageView {
    fn of(triage: &Triage) -> Self {
        Self {
            themes: triage.themes.iter().map(ThemeRow::of).collect(),
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
    slug: String,
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, triage) = load(state, staff, slug, themes::triage).await?;
    let view = TriageView::of(&triage);
    Ok(screen.render(req, state, staff, &consultation, &view))
}

/// `GET /staff/consultations/{slug}/themes`.
pub async fn triage(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let screen = Screen::new("ws_themes", "themes").done(done.done.as_deref());
    show_triage(&req, &state, &staff, slug.into_inner(), screen).await
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
}

impl ThemeView {
    fn of(detail: &ThemeDetail, id: Option<ThemeId>) -> Self {
        let issues: Vec<IssueRow> = (detail.issues.iter())
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
        Self {
            theme: detail.theme.as_ref().map(|t| ThemeHeading {
                id: t.id.0,
                label: t.label.clone(),
                pinned: t.pinned,
                named: t.officer_named,
            }),
            issue_count: issues.len(),
            issues,
            others: (detail.all_themes.iter())
                .filter(|t| Some(t.id) != id)
                .map(|t| Linked {
                    id: t.id.0,
                    text: t.label.clone(),
                })
                .collect(),
            history: history(&detail.history),
        }
    }
}

async fn show_theme(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id): (String, Option<ThemeId>),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, detail) = load(state, staff, slug, move |conn, s| {
        themes::theme_detail(conn, s, id)
    })
    .await?;
    let view = ThemeView::of(&detail, id);
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
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = theme_path(&id)?;
    let screen = theme_screen().done(done.done.as_deref());
    show_theme(&req, &state, &staff, (slug, id), screen).await
}

fn theme_url(slug: &str, id: Option<ThemeId>) -> String {
    match id {
        Some(id) => format!("/staff/consultations/{slug}/themes/{}", id.0),
        None => format!("/staff/consultations/{slug}/themes/none"),
    }
}

fn selected_issues(form: &FormData) -> Vec<IssueId> {
    form.all("issues")
        .into_iter()
        .filter_map(|v| v.parse().ok().map(IssueId))
        .collect()
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
            show_triage(&req, &state, &staff, slug, screen).await
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
    .map(|(done, target)| format!("{}?done={done}", theme_url(&slug, target)));
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

/// `?into=` on the merge confirmation.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Into {
    #[serde(default)]
    pub into: Option<String>,
}

/// `GET …/themes/{id}/merge`: asks before merging, with the theme to
/// merge into chosen (or to choose).
pub async fn confirm_merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    query: web::Query<Into>,
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
    let change = ThemeChange::Split(selected_issues(&form), form.get("label").into());
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
    let ids = selected_issues(&form);
    let to = match form.get("to") {
        "none" => Ok(None),
        id => id.parse().map(|id| Some(ThemeId(id))).map_err(|_| ()),
    };
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| match to {
        Ok(to) => themes::move_issues(conn, s, &ids, to, now),
        Err(()) => Err(ServiceError::invalid(
            "to",
            "Choose the theme to move the issues to",
        )),
    })
    .await
    .map(|_| format!("{}?done=moved", theme_url(&slug, from)));
    settle(outcome, ("move", &form), |failed: FailedForm| async move {
        let screen = theme_screen().failed(Some(&failed));
        show_theme(&req, &state, &staff, (slug, from), screen).await
    })
    .await
}
