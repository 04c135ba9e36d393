//! `GET /staff/consultations/{slug}/workspace`: the consultation's
//! overview for the group, with charts and their tables.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{load, page};
use crate::domain::text::thousands;
use crate::export::chart;
use crate::service::workspace::dashboard;
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::state::AppState;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (consultation, d) = load(&state, &staff, slug.into_inner(), |conn, s| {
        dashboard::dashboard(conn, s)
    })
    .await?;
    let p = d.progress;
    let drafting = vec![
        ("Agreed".to_string(), p.agreed),
        ("Drafted, not yet agreed".to_string(), p.answered - p.agreed),
        ("Not yet answered".to_string(), p.issues - p.answered),
    ];
    let rows = |list: &[(String, usize)]| {
        list.iter()
            .map(|(label, n)| json!({ "label": label, "count": thousands(*n) }))
            .collect::<Vec<_>>()
    };
    let day_rows: Vec<_> = d
        .per_day
        .iter()
        .map(|(day, n)| json!({ "label": day.format("%-d %B %Y").to_string(), "count": thousands(*n) }))
        .collect();
    let data = json!({
        "responses": thousands(d.responses), "held": d.held,
        "issues": thousands(p.issues), "answered": thousands(p.answered), "agreed": thousands(p.agreed),
        "charts": {
            "timeline": chart::timeline("Responses received per day", &d.per_day, d.closes),
            "kinds": chart::bars("Responses by kind of consultee", &d.by_kind),
            "themes": chart::bars("Issues per theme", &d.per_theme),
            "drafting": chart::bars("Drafting progress (issues)", &drafting),
        },
        "tables": {
            "days": day_rows, "kinds": rows(&d.by_kind), "themes": rows(&d.per_theme), "drafting": rows(&drafting),
        },
        "closes": d.closes.map(|c| c.format("%-d %B %Y").to_string()),
    });
    Ok(page(
        &req,
        &state,
        &staff,
        &consultation,
        ("ws_overview", "overview"),
        data,
        None,
    ))
}
