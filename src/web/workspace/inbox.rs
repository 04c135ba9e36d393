//! `GET /staff/consultations/{slug}/inbox`: the responses inbox.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{load, page, when};
use crate::domain::Channel;
use crate::domain::text::thousands;
use crate::service::workspace::inbox::{self, InboxQuery};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The inbox's query string.
#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    page: Option<String>,
}

/// A link to another page of the same search.
fn page_link(slug: &str, params: &InboxParams, page: usize) -> String {
    let mut link = format!("/staff/consultations/{slug}/inbox?page={page}");
    for (name, value) in [("q", &params.q), ("channel", &params.channel)] {
        if !value.is_empty() {
            link.push_str(&format!(
                "&{name}={}",
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
    }
    link
}

pub async fn page_handler(
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
    let rows: Vec<_> = found
        .rows
        .iter()
        .map(|r| json!({
            "reference": r.reference, "from": r.from.join(" / "), "channel": r.channel.label(),
            "received": when(r.received_at), "status": r.status.label(), "held": r.status != crate::domain::ResponseStatus::Received,
            "issues": r.issues, "campaign": r.campaign,
        }))
        .collect();
    let channels: Vec<_> = Channel::ALL
        .iter()
        .map(|c| json!({ "value": c.as_str(), "label": c.label(), "selected": c.as_str() == params.channel }))
        .collect();
    let data = json!({
        "rows": rows, "channels": channels, "q": params.q, "matching": thousands(found.matching),
        "searched": !params.q.trim().is_empty() || !params.channel.is_empty(),
        "page": found.page, "pages": found.pages, "ignored_words": found.ignored_words,
        "previous": (found.page > 1).then(|| page_link(slug, &params, found.page - 1)),
        "next": (found.page < found.pages).then(|| page_link(slug, &params, found.page + 1)),
    });
    Ok(page(
        &req,
        &state,
        &staff,
        &consultation,
        ("ws_inbox", "inbox"),
        data,
        None,
    ))
}
