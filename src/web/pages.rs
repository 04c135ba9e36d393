//! Public pages: the list of consultations, a consultation's document and
//! its published responses.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::error::AppError;
use super::render::{self, Page, Pagination};
use super::state::AppState;
use super::view::{DocumentView, Listed};
use crate::domain::text::thousands;
use crate::domain::time;
use crate::service;
use crate::service::publication::responses::PublishedResponse;

#[derive(Debug, Serialize)]
struct HomeView {
    open: Vec<Listed>,
    past: Vec<Listed>,
    /// The filters as asked, to show them again.
    q: String,
    statuses: Vec<crate::web::render::Choice>,
    filtered: bool,
    found: usize,
}

/// `?status=&q=` on the home page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
}

/// `GET /`: open consultations, then closed and published ones, as cards;
/// filtered by status and searched by words when asked.
pub async fn home(
    state: web::Data<AppState>,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = service::consultations::HomeFilter::new(&query.status, &query.q);
    if !filter.is_set()
        && let Some(page) = state.pages.get("/")
    {
        return Ok(html_page(page));
    }
    let f = filter.clone();
    let list = state
        .db(move |conn| service::consultations::filtered_list(conn, &f))
        .await?;
    let now = state.clock.now();
    let chosen = filter.status.map_or("", |s| s.as_str());
    let mut statuses = vec![crate::web::render::Choice {
        value: String::new(),
        label: "All".into(),
        chosen: chosen.is_empty(),
    }];
    statuses.extend(
        [
            crate::domain::ConsultationStatus::Open,
            crate::domain::ConsultationStatus::Closed,
            crate::domain::ConsultationStatus::Published,
        ]
        .iter()
        .map(|s| crate::web::render::Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            chosen: s.as_str() == chosen,
        }),
    );
    let view = HomeView {
        found: list.open.len() + list.past.len(),
        open: list.open.iter().map(|c| Listed::of(c, now)).collect(),
        past: list.past.iter().map(|c| Listed::of(c, now)).collect(),
        q: query.q.chars().take(200).collect(),
        statuses,
        filtered: filter.is_set(),
    };
    if filter.is_set() {
        let page = web::Bytes::from(render::html("home", &view, None, None)?);
        return Ok(html_page(page));
    }
    cached(&state, "/", "home", &view)
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
    let view = DocumentView::of(&document, state.clock.now());
    cached(&state, &key, "consultation", &view)
}

/// `GET /consultations/{slug}/structure.svg`: the proposed structure's
/// diagram alone, full size (the page scales it to fit a phone's width).
pub async fn structure_drawing(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let document = state
        .db(move |conn| service::consultations::public_document(conn, &slug))
        .await?;
    if document.bodies.is_empty() {
        return Err(AppError::NotFound("a structure diagram".into()));
    }
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .body(crate::web::view::structure_diagram(&document)))
}

/// `GET /privacy`: what is collected from consultees, why, and for how long.
pub async fn privacy(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    cached(&state, "/privacy", "privacy", &())
}

/// `GET /accessibility`: the accessibility statement public bodies must publish.
pub async fn accessibility(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    cached(&state, "/accessibility", "accessibility", &())
}

/// Renders a public page and keeps it in the page cache under `key`.
fn cached<V: Serialize>(
    state: &AppState,
    key: &str,
    template: &str,
    view: &V,
) -> Result<HttpResponse, AppError> {
    let page = web::Bytes::from(render::html(template, view, None, None)?);
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

#[derive(Debug, Serialize)]
struct ConsultationLink {
    slug: String,
    title: String,
}

#[derive(Debug, Serialize)]
struct PublishedView {
    reference: String,
    from: String,
    kinds: String,
    received: String,
    text: String,
    redacted: bool,
}

impl PublishedView {
    fn of(r: &PublishedResponse) -> Self {
        Self {
            reference: r.reference.clone(),
            from: r.from.clone(),
            kinds: r.kinds.join(", "),
            received: time::long_date(r.received_at),
            text: r.text.clone(),
            redacted: r.redacted,
        }
    }
}

#[derive(Debug, Serialize)]
struct PublishedPageView {
    consultation: ConsultationLink,
    total: String,
    responses: Vec<PublishedView>,
    pagination: Pagination,
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
    let view = PublishedPageView {
        consultation: ConsultationLink {
            slug: slug.clone(),
            title: found.consultation.title.clone(),
        },
        total: thousands(found.total),
        responses: found.responses.iter().map(PublishedView::of).collect(),
        pagination: Pagination::new(found.page, found.pages, |p| {
            format!("/consultations/{slug}/responses?page={p}")
        }),
    };
    Ok(Page::ok("published_responses", &view).plain())
}
