//! `GET /staff/consultations/{slug}/workspace`: the consultation's
//! overview for the group, with charts and their tables.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Screen, load};
use crate::domain::text::thousands;
use crate::export::chart;
use crate::service::workspace::dashboard;
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// One row of a chart's table.
#[derive(Debug, Serialize)]
struct Count {
    label: String,
    count: String,
}

/// A chart, with the same figures as a table for those who cannot see it.
#[derive(Debug, Serialize)]
struct Chart {
    id: &'static str,
    heading: &'static str,
    /// The summary of the table's disclosure ("Responses by kind as a table").
    table: &'static str,
    svg: String,
    /// What a row is ("Day", "Theme"…) and what is counted.
    row: &'static str,
    counted: &'static str,
    rows: Vec<Count>,
    /// Said when there are no rows.
    empty: &'static str,
}

#[derive(Debug, Serialize)]
struct OverviewView {
    responses: String,
    held: usize,
    issues: String,
    answered: String,
    agreed: String,
    closes: Option<String>,
    charts: Vec<Chart>,
}

fn counts(list: &[(String, usize)]) -> Vec<Count> {
    list.iter()
        .map(|(label, n)| Count {
            label: label.clone(),
            count: thousands(*n),
        })
        .collect()
}

fn charts(d: &dashboard::Dashboard) -> Vec<Chart> {
    let p = &d.progress;
    let drafting = vec![
        ("Agreed".to_string(), p.agreed),
        ("Drafted, not yet agreed".to_string(), p.answered - p.agreed),
        ("Not yet answered".to_string(), p.issues - p.answered),
    ];
    let days: Vec<(String, usize)> = d
        .per_day
        .iter()
        .map(|(day, n)| (day.format("%-d %B %Y").to_string(), *n))
        .collect();
    let bars = |(id, heading, table), row, counted, list: &[(String, usize)]| Chart {
        id,
        heading,
        table,
        svg: chart::bars(heading, list),
        row,
        counted,
        rows: counts(list),
        empty: "None yet",
    };
    vec![
        Chart {
            id: "chart-days",
            heading: "Responses received per day",
            table: "Responses per day as a table",
            svg: chart::timeline("Responses received per day", &d.per_day, d.closes),
            row: "Day",
            counted: "Responses",
            rows: counts(&days),
            empty: "No responses yet",
        },
        bars(
            (
                "chart-kinds",
                "Responses by kind of consultee",
                "Responses by kind as a table",
            ),
            "Kind",
            "Responses",
            &d.by_kind,
        ),
        bars(
            (
                "chart-themes",
                "Issues per theme",
                "Issues per theme as a table",
            ),
            "Theme",
            "Issues",
            &d.per_theme,
        ),
        bars(
            (
                "chart-drafting",
                "Drafting progress",
                "Drafting progress as a table",
            ),
            "Stage",
            "Issues",
            &drafting,
        ),
    ]
}

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
    let p = &d.progress;
    let view = OverviewView {
        responses: thousands(d.responses),
        held: d.held,
        issues: thousands(p.issues),
        answered: thousands(p.answered),
        agreed: thousands(p.agreed),
        closes: d.closes.map(|c| c.format("%-d %B %Y").to_string()),
        charts: charts(&d),
    };
    let screen = Screen::new("ws_overview", "overview");
    Ok(screen.render(&req, &state, &staff, &consultation, &view))
}
