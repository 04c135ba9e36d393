//! The analysis job: starting it (all issues, or only new ones; a number
//! of themes, or automatic) and following its progress.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Done, Screen, act, load, settle, when};
use crate::analysis::cluster::ClusterOptions;
use crate::service::ServiceError;
use crate::service::analysis::{self, Claim, Mode};
use crate::service::model::AnalysisRun;
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::{CheckedForm, FormData};
use crate::web::state::AppState;

/// The most themes an officer may ask for.
const MAX_THEMES: usize = 200;

/// A run of the analysis, as the page tells it.
#[derive(Debug, Serialize)]
pub(crate) struct RunView {
    status: String,
    stage: String,
    started: String,
    finished: Option<String>,
    issues: i32,
    themes: i32,
    message: Option<String>,
    running: bool,
    failed: bool,
    done: bool,
}

impl RunView {
    pub(crate) fn of(run: &AnalysisRun) -> Self {
        Self {
            status: run.status.clone(),
            stage: run.stage.clone(),
            started: when(run.started_at),
            finished: run.finished_at.map(when),
            issues: run.issues,
            themes: run.themes,
            message: run.message.clone(),
            running: run.status == "running",
            failed: run.status == "failed",
            done: run.status == "done",
        }
    }
}

#[derive(Debug, Serialize)]
struct AnalysisView {
    run: Option<RunView>,
    running: bool,
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, run) = load(state, staff, slug, analysis::latest_run).await?;
    let run = run.as_ref().map(RunView::of);
    let running = run.as_ref().is_some_and(|r| r.running);
    let view = AnalysisView { run, running };
    let mut response = screen.render(req, state, staff, &consultation, &view);
    if running {
        // Refresh while it runs (no script needed; the CSP forbids inline script anyway).
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("refresh"),
            actix_web::http::header::HeaderValue::from_static("3"),
        );
    }
    Ok(response)
}

fn screen() -> Screen<'static> {
    Screen::new("ws_analysis", "themes")
}

/// `GET /staff/consultations/{slug}/analysis`.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let screen = screen().done(done.done.as_deref());
    show(&req, &state, &staff, slug.into_inner(), screen).await
}

/// The officer's choices: all issues or only new ones; a number of themes
/// or automatic.
fn options(form: &FormData) -> Result<(Mode, ClusterOptions), ServiceError> {
    let mode = match form.get("mode") {
        "new" => Mode::NewIssuesOnly,
        "fresh" => Mode::Fresh,
        "" | "full" => Mode::Full,
        _ => return Err(ServiceError::invalid("mode", "Choose what to analyse")),
    };
    let themes = match form.get("themes").trim() {
        "" => None,
        n => match n.parse::<usize>() {
            Ok(n) if (2..=MAX_THEMES).contains(&n) => Some(n),
            _ => {
                return Err(ServiceError::invalid(
                    "themes",
                    format!(
                        "The number of themes must be a whole number from 2 to {MAX_THEMES}, or empty to choose it automatically"
                    ),
                ));
            }
        },
    };
    let options = ClusterOptions {
        themes,
        ..ClusterOptions::default()
    };
    Ok((mode, options))
}

/// `POST /staff/consultations/{slug}/analysis`: starts a run.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let chosen = options(&form);
    let (now, user) = (state.clock.now(), staff.user.id);
    let claimed = act(&state, &staff, slug.clone(), move |conn, s| {
        let chosen = chosen?;
        Ok((
            analysis::claim(conn, &s.consultation.slug, Some(user), now)?,
            chosen,
        ))
    })
    .await;
    let outcome = claimed.map(|(claim, (mode, options))| {
        run_in_background(&state, claim, mode, options);
        format!("/staff/consultations/{slug}/analysis?done=started")
    });
    settle(
        outcome,
        ("analysis", &form),
        |failed: FailedForm| async move {
            show(&req, &state, &staff, slug, screen().failed(Some(&failed))).await
        },
    )
    .await
}

/// Runs a claimed analysis on its own thread; how it ends is recorded in
/// `analysis_runs` (a run whose thread dies is later marked abandoned).
fn run_in_background(state: &AppState, claim: Claim, mode: Mode, options: ClusterOptions) {
    let pool = state.pool.clone();
    let now = state.clock.now();
    let spawned = std::thread::Builder::new()
        .name("analysis".into())
        .spawn(move || {
            let outcome = pool
                .get()
                .map_err(|e| ServiceError::Unavailable(e.to_string()))
                .and_then(|mut conn| {
                    analysis::execute(&mut conn, claim, mode, &options, now, &|_| {})
                });
            match outcome {
                Ok(report) => tracing::info!(
                    run = claim.run_id,
                    issues = report.issues,
                    themes = report.themes,
                    "analysis finished"
                ),
                Err(error) => tracing::error!(run = claim.run_id, %error, "analysis failed"),
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the analysis thread");
    }
}
