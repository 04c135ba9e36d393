//! Triage by theme: the themes page, one theme's issues, and the forms to
//! rename, pin, merge, split and create themes and to move issues.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, act, history_json, load, notice, page, when};
use crate::domain::text::thousands;
use crate::domain::{IssueId, ThemeId};
use crate::service::workspace::themes::{self, Progress};
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

fn progress_json(p: &Progress) -> Value {
    let percent = |n: usize| (n * 100).checked_div(p.issues).unwrap_or(0);
    json!({
        "issues": thousands(p.issues), "answered": thousands(p.answered), "agreed": thousands(p.agreed),
        "answered_percent": percent(p.answered), "agreed_percent": percent(p.agreed),
    })
}

async fn show_triage(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, triage) = load(state, staff, slug, themes::triage).await?;
    let themes: Vec<Value> = triage
        .themes
        .iter()
        .map(|t| json!({
            "id": t.theme.id.0, "label": t.theme.label, "pinned": t.theme.pinned, "named": t.theme.officer_named,
            "officer": t.theme.origin == crate::domain::ThemeOrigin::Officer,
            "size": t.progress.issues, "progress": progress_json(&t.progress),
            "terms": t.top_terms.iter().take(6).map(|s| json!({ "surface": s.surface, "weight": format!("{:.2}", s.weight) })).collect::<Vec<_>>(),
            "representatives": t.representatives.iter().map(|(id, text)| json!({ "id": id.0, "text": text })).collect::<Vec<_>>(),
        }))
        .collect();
    let repeats: Vec<Value> = triage
        .repeats
        .iter()
        .take(50)
        .map(|r| json!({ "id": r.first.0, "text": r.text, "size": r.size, "unanswered": r.unanswered }))
        .collect();
    let run = triage.latest_run.as_ref().map(|r| json!({
        "status": r.status, "stage": r.stage, "started": when(r.started_at),
        "finished": r.finished_at.map(when), "issues": r.issues, "themes": r.themes, "message": r.message,
        "running": r.status == "running",
    }));
    let data = json!({
        "themes": themes, "unthemed": progress_json(&triage.unthemed), "has_unthemed": triage.unthemed.issues > 0,
        "not_fitting": triage.not_fitting, "overall": progress_json(&triage.overall),
        "repeats": repeats, "run": run, "notice": notice(done),
    });
    Ok(page(
        req,
        state,
        staff,
        &consultation,
        ("ws_themes", "themes"),
        data,
        refused.as_ref(),
    ))
}

/// `GET /staff/consultations/{slug}/themes`.
pub async fn triage(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    show_triage(
        &req,
        &state,
        &staff,
        slug.into_inner(),
        done.done.as_deref(),
        None,
    )
    .await
}

async fn show_theme(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    id: Option<ThemeId>,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, detail) = load(state, staff, slug, move |conn, s| {
        themes::theme_detail(conn, s, id)
    })
    .await?;
    let issues: Vec<Value> = detail
        .issues
        .iter()
        .map(|(issue, answer, reference)| json!({
            "id": issue.id.0, "content": issue.content, "reference": reference, "kind": issue.kind.label(),
            "placed": issue.theme_set_by_officer, "no_fit": issue.fits_no_theme,
            "answer": answer.as_ref().map(|a| json!({ "kind": a.kind.label(), "status": a.status.label() })),
        }))
        .collect();
    let others: Vec<Value> = detail
        .all_themes
        .iter()
        .filter(|t| Some(t.id) != id)
        .map(|t| json!({ "id": t.id.0, "label": t.label }))
        .collect();
    let theme = detail.theme.as_ref().map(|t| {
        json!({
            "id": t.id.0, "label": t.label, "pinned": t.pinned, "named": t.officer_named,
        })
    });
    let data = json!({
        "theme": theme, "issue_count": issues.len(), "issues": issues, "others": others, "history": history_json(&detail.history),
        "notice": notice(done),
    });
    Ok(page(
        req,
        state,
        staff,
        &consultation,
        ("ws_theme", "themes"),
        data,
        refused.as_ref(),
    ))
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
    show_theme(&req, &state, &staff, slug, id, done.done.as_deref(), None).await
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
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let slug = slug.into_inner();
    let label = form.get("label").to_string();
    let (typed, now) = (label.clone(), state.clock.now());
    match act(&state, &staff, slug.clone(), move |conn, s| {
        themes::create(conn, s, &typed, now)
    })
    .await
    {
        Ok(id) => Ok(see_other(&format!(
            "{}?done=created",
            theme_url(&slug, Some(id))
        ))),
        Err(e) => {
            let refused = Refused::from_error(e, "new_theme".into(), json!({ "label": label }))?;
            show_triage(&req, &state, &staff, slug, None, Some(refused)).await
        }
    }
}

/// What a form on a theme's page asks for.
enum ThemeChange {
    Rename(String),
    Pin(bool),
    Merge(Option<ThemeId>),
    Split(Vec<IssueId>, String),
}

async fn change_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
    change: ThemeChange,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = ThemeId(id);
    let now = state.clock.now();
    let (form_id, typed) = match &change {
        ThemeChange::Rename(label) => ("rename", json!({ "label": label })),
        ThemeChange::Pin(_) => ("pin", Value::Null),
        ThemeChange::Merge(_) => ("merge", Value::Null),
        ThemeChange::Split(_, label) => ("split", json!({ "label": label })),
    };
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| match change {
        ThemeChange::Rename(label) => {
            themes::rename(conn, s, id, &label, now).map(|()| ("renamed", Some(id)))
        }
        ThemeChange::Pin(pinned) => themes::set_pinned(conn, s, id, pinned, now)
            .map(|()| (if pinned { "pinned" } else { "unpinned" }, Some(id))),
        ThemeChange::Merge(Some(into)) => {
            themes::merge(conn, s, id, into, now).map(|_| ("themes-merged", Some(into)))
        }
        ThemeChange::Merge(None) => Err(crate::service::ServiceError::invalid(
            "into",
            "Choose the theme to merge this one into",
        )),
        ThemeChange::Split(ids, label) => {
            themes::split(conn, s, id, &ids, &label, now).map(|new| ("theme-split", Some(new)))
        }
    })
    .await;
    match outcome {
        Ok((done, target)) => Ok(see_other(&format!(
            "{}?done={done}",
            theme_url(&slug, target)
        ))),
        Err(e) => {
            let refused = Refused::from_error(e, form_id.into(), typed)?;
            show_theme(&req, &state, &staff, slug, Some(id), None, Some(refused)).await
        }
    }
}

/// `POST …/themes/{id}/rename`.
pub async fn rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Rename(form.get("label").into());
    change_theme(req, state, staff, path, form, change).await
}

/// `POST …/themes/{id}/pin` (`pinned=true|false`).
pub async fn pin(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Pin(form.get("pinned") == "true");
    change_theme(req, state, staff, path, form, change).await
}

/// `POST …/themes/{id}/merge` (`into=` another theme).
pub async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let into = form.get("into").parse().ok().map(ThemeId);
    change_theme(req, state, staff, path, form, ThemeChange::Merge(into)).await
}

/// `POST …/themes/{id}/split` (`issues=` the selected issues, `label=`).
pub async fn split(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let change = ThemeChange::Split(selected_issues(&form), form.get("label").into());
    change_theme(req, state, staff, path, form, change).await
}

/// `POST …/themes/move`: the selected issues (`issues=`) to theme `to`
/// (`none` for no theme); `from` says which page to return to.
pub async fn move_issues(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
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
        Err(()) => Err(crate::service::ServiceError::invalid(
            "to",
            "Choose the theme to move the issues to",
        )),
    })
    .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("{}?done=moved", theme_url(&slug, from)))),
        Err(e) => {
            let refused = Refused::from_error(e, "move".into(), Value::Null)?;
            show_theme(&req, &state, &staff, slug, from, None, Some(refused)).await
        }
    }
}
