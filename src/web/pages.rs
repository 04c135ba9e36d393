//! Public pages: the list of consultations and a consultation's document.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde_json::json;

use super::error::AppError;
use super::state::AppState;
use super::templates;
use super::view;
use crate::service;

/// `GET /`: open consultations, then closed and published ones.
pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let list = state.db(service::consultations::public_list).await?;
    let now = Utc::now();
    let data = json!({
        "open": list.open.iter().map(|c| view::listed(c, now)).collect::<Vec<_>>(),
        "past": list.past.iter().map(|c| view::listed(c, now)).collect::<Vec<_>>(),
    });
    html("home", &data)
}

/// `GET /consultations/{slug}`: the document, its structure and questions.
pub async fn consultation(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let document = state
        .db(move |conn| service::consultations::public_document(conn, &slug))
        .await?;
    html("consultation", &view::document(&document))
}

/// Renders a template as an HTML page.
pub fn html(template: &str, data: &serde_json::Value) -> Result<HttpResponse, AppError> {
    let body = templates::render(template, data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}
