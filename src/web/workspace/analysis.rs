//! Starting the analysis from the workspace and watching it run. The run is
//! claimed in the request (so a second click is told one is running, on
//! any instance), then goes on in a background thread with its own
//! database connection; the status page refreshes itself while it runs.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{Done, Refused, act, load, notice, page, when};
use crate::analysis::cluster::ClusterOptions;
use crate::service::analysis::{self, Claim, Mode};
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

/// The most themes an officer may ask for.
const MAX_THEMES: usize = 200;

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, run) = load(state, staff, slug, |conn, s| {
        Ok(crate::db::analysis::latest_run(conn, s.consultation.id)?)
    })
    .await?;
    let running = run.as_ref().is_some_and(|r| r.status == "running");
    let run = run.map(|r| json!({
        "status": r.status, "stage": r.stage, "started": when(r.started_at),
        "finished": r.finished_at.map(when), "issues": r.issues, "themes": r.themes, "message": r.message,
        "failed": r.status == "failed", "done": r.status == "done",
    }));
    let data = json!({ "run": run, "running": running, "notice": notice(done) });
    let mut response = page(
        req,
        state,
        staff,
        &consultation,
        ("ws_analysis", "themes"),
        data,
        refused.as_ref(),
    );
    if running {
        // Refresh while it runs (no script needed; the CSP forbids inline script anyway).
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("refresh"),
            actix_web::http::header::HeaderValue::from_static("3"),
        );
    }
    Ok(response)
}

/// `GET /staff/consultations/{slug}/analysis`.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    show(
        &req,
        &state,
        &staff,
        slug.into_inner(),
        done.done.as_deref(),
        None,
    )
    .await
}

/// The officer's choices: all issues or only new ones; a number of themes
/// or automatic.
fn options(form: &FormData) -> Result<(Mode, ClusterOptions), crate::service::ServiceError> {
    use crate::service::ServiceError;
    let mode = match form.get("mode") {
        "new" => Mode::NewIssuesOnly,
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
    Ok((
        mode,
        ClusterOptions {
            themes,
            ..ClusterOptions::default()
        },
    ))
}

/// `POST /staff/consultations/{slug}/analysis`: starts a run.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let slug = slug.into_inner();
    let typed = json!({ "themes": form.get("themes"), "mode": form.get("mode") });
    let chosen = options(&form);
    let now = state.clock.now();
    let user = staff.user.id;
    let claimed = act(&state, &staff, slug.clone(), move |conn, s| {
        chosen.and_then(|chosen| {
            Ok((
                analysis::claim(conn, &s.consultation.slug, Some(user), now)?,
                chosen,
            ))
        })
    })
    .await;
    match claimed {
        Ok((claim, (mode, options))) => {
            run_in_background(&state, claim, mode, options);
            Ok(see_other(&format!(
                "/staff/consultations/{slug}/analysis?done=started"
            )))
        }
        Err(e) => {
            let refused = Refused::from_error(e, "analysis".into(), typed)?;
            show(&req, &state, &staff, slug, None, Some(refused)).await
        }
    }
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
                .map_err(|e| crate::service::ServiceError::Unavailable(e.to_string()))
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
