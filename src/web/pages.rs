//! Public pages: the list of consultations and a consultation's document.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde_json::json;

use super::error::AppError;
use super::state::AppState;
use super::view;
use crate::service;
use crate::templates;

/// `GET /`: open consultations, then closed and published ones.
pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(page) = state.pages.get("/") {
        return Ok(html_page(page));
    }
    let list = state.db(service::consultations::public_list).await?;
    let now = Utc::now();
    let data = json!({
        "open": list.open.iter().map(|c| view::listed(c, now)).collect::<Vec<_>>(),
        "past": list.past.iter().map(|c| view::listed(c, now)).collect::<Vec<_>>(),
    });
    cached(&state, "/", "home", &data)
}

/// `GET /consultations/{slug}`: the document, its structure and questions.
pub async fn consultation(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let key = format!("/consultations/{slug}");
    if let Some(page) = state.pages.get(&key) {
        return Ok(html_page(page));
    }
    let document = state
        .db(move |conn| service::consultations::public_document(conn, &slug))
        .await?;
    cached(
        &state,
        &key,
        "consultation",
        &view::document(&document, state.clock.now()),
    )
}

/// Renders a public page and keeps it in the page cache under `key`.
fn cached(
    state: &AppState,
    key: &str,
    template: &str,
    data: &serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let body = templates::render(template, data).map_err(|e| AppError::Internal(e.to_string()))?;
    let page = web::Bytes::from(body);
    state.pages.put(key, page.clone());
    Ok(html_page(page))
}

fn html_page(page: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// `?page=` on paged lists.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `GET /consultations/{slug}/responses`: once a consultation is published,
/// the responses whose consultees agreed, as each chose (with names or
/// without), redacted where an officer did so; never contact details.
pub async fn published_responses(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let found = state
        .db(move |conn| service::publication::published(conn, &slug, page))
        .await?;
    let slug = &found.consultation.slug;
    let link = |p: usize| format!("/consultations/{slug}/responses?page={p}");
    let data = json!({
        "consultation": { "slug": slug, "title": found.consultation.title },
        "total": crate::domain::text::thousands(found.total),
        "responses": found.responses.iter().map(|r| json!({
            "reference": r.reference, "from": r.from, "kinds": r.kinds.join(", "),
            "received": crate::domain::time::long_date(r.received_at), "text": r.text, "redacted": r.redacted,
        })).collect::<Vec<_>>(),
        "page": found.page, "pages": found.pages,
        "previous": (found.page > 1).then(|| link(found.page - 1)),
        "next": (found.page < found.pages).then(|| link(found.page + 1)),
    });
    html("published_responses", &data)
}

/// Renders a template as an HTML page.
pub fn html(template: &str, data: &serde_json::Value) -> Result<HttpResponse, AppError> {
    let body = templates::render(template, data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(html_page(web::Bytes::from(body)))
}
