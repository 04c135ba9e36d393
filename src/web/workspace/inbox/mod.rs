//! `/staff/consultations/{slug}/inbox`: the responses inbox, and (in
//! [`response`]) one response opened from it.

pub mod response;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde::Serialize;

use super::{Screen, load};
use crate::domain::text::thousands;
use crate::domain::{Channel, ResponseStatus};
use crate::service::workspace::inbox::{self, InboxQuery, InboxRow};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::render::{Choice, Pagination};
use crate::web::state::AppState;

/// The inbox's query string.
#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    channel: String,
    /// `new`, `in_progress` or `done`.
    #[serde(default)]
    work: String,
    #[serde(default)]
    page: Option<String>,
}

/// A link to another page of the same search.
fn page_link(slug: &str, params: &InboxParams, page: usize) -> String {
    let mut link = format!("/staff/consultations/{slug}/inbox?page={page}");
    for (name, value) in [
        ("q", &params.q),
        ("channel", &params.channel),
        ("work", &params.work),
    ] {
        if !value.is_empty() {
            link.push_str(&format!(
                "&{name}={}",
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
    }
    link
}

/// A response as the inbox lists it.
#[derive(Debug, Serialize)]
struct Row {
    reference: String,
    from: String,
    channel: &'static str,
    received: String,
    status: &'static str,
    held: bool,
    issues: i64,
    campaign: bool,
    work: &'static str,
}

impl Row {
    fn of(r: &InboxRow) -> Self {
        Self {
            reference: r.reference.clone(),
            from: r.from.join(" / "),
            channel: r.channel.label(),
            received: super::received(r.received_at, r.received_time_known),
            status: r.status.label(),
            held: r.status != ResponseStatus::Received,
            issues: r.issues,
            campaign: r.campaign,
            work: r.work_status.label(),
        }
    }
}

#[derive(Debug, Serialize)]
struct InboxView {
    rows: Vec<Row>,
    channels: Vec<Choice>,
    works: Vec<Choice>,
    q: String,
    matching: String,
    searched: bool,
    ignored_words: usize,
    pagination: Pagination,
}

/// `GET /staff/consultations/{slug}/inbox`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    params: web::Query<InboxParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let query = InboxQuery {
        search: params.q.chars().take(500).collect(),
        channel: params.channel.parse::<Channel>().ok(),
        work: params.work.parse::<crate::domain::WorkStatus>().ok(),
        page: params
            .page
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1),
    };
    let (consultation, found) = load(&state, &staff, slug.into_inner(), move |conn, s| {
        inbox::inbox(conn, s, &query)
    })
    .await?;
    let slug = &consultation.slug;
    let view = InboxView {
        rows: found.rows.iter().map(Row::of).collect(),
        channels: Choice::list(Channel::ALL, |c| c.as_str(), |c| c.label(), &params.channel),
        works: Choice::list(
            crate::domain::WorkStatus::ALL,
            |w| w.as_str(),
            |w| w.label(),
            &params.work,
        ),
        matching: thousands(found.matching),
        searched: !params.q.trim().is_empty()
            || !params.channel.is_empty()
            || !params.work.is_empty(),
        ignored_words: found.ignored_words,
        pagination: Pagination::new(found.page, found.pages, |p| page_link(slug, &params, p)),
        q: params.q.clone(),
    };
    let screen = Screen::new("ws_inbox", "inbox");
    Ok(screen.render(&req, &state, &staff, &consultation, &view))
}
