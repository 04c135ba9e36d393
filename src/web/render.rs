//! The one page renderer: a typed view (a `#[derive(Serialize)]` struct per
//! page) inside the frame every page shares — the CSRF token for its
//! forms and who is signed in — rendered by its template, with the CSRF
//! cookie set when new. Every HTML page, the error page included, is made
//! by [`html`].

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::auth::StaffUser;
use super::csrf::{self, CsrfCookie};
use super::error::{AppError, with_retry_after};
use super::state::AppState;
use crate::domain::ValidationError;

/// Who is signed in, as the staff bar shows them.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub email: String,
    pub role: &'static str,
}

impl SignedIn {
    fn of(staff: &StaffUser) -> Self {
        Self {
            email: staff.user.email.clone(),
            role: staff.user.role.label(),
        }
    }
}

/// What every page has besides its own view.
#[derive(Debug, Serialize)]
struct Frame<'a, V: Serialize> {
    #[serde(flatten)]
    view: &'a V,
    csrf_token: Option<&'a str>,
    staff: Option<SignedIn>,
    brand: &'static super::brand::Brand,
}

/// Renders `template` with `view` in the frame: the CSRF token for its
/// forms (if it has any) and who is signed in (if anyone).
pub fn html<V: Serialize>(
    template: &str,
    view: &V,
    csrf_token: Option<&str>,
    staff: Option<&StaffUser>,
) -> Result<String, AppError> {
    let frame = Frame {
        view,
        csrf_token,
        staff: staff.map(SignedIn::of),
        brand: super::brand::current(),
    };
    crate::templates::render(template, &frame).map_err(|e| AppError::Internal(e.to_string()))
}

/// A page to answer with: its template, status and view.
pub struct Page<'a, V: Serialize> {
    pub template: &'a str,
    pub status: StatusCode,
    pub view: &'a V,
}

impl<'a, V: Serialize> Page<'a, V> {
    /// A 200 page.
    pub fn ok(template: &'a str, view: &'a V) -> Self {
        Self {
            template,
            status: StatusCode::OK,
            view,
        }
    }

    /// The page with another status (422 for a refused form, 409…).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Renders the page for `req` with a fresh CSRF token for its forms,
    /// as seen by `staff` (if signed in).
    pub fn render(
        &self,
        req: &HttpRequest,
        state: &AppState,
        staff: Option<&StaffUser>,
    ) -> HttpResponse {
        let secure = state.settings.secure_cookies;
        let cookie = CsrfCookie::from_request(req, secure);
        let token = csrf::issue(&state.signer, &cookie.value, state.clock.now());
        let mut builder = with_retry_after(self.status, HttpResponse::build(self.status));
        if cookie.is_new {
            builder.cookie(cookie.cookie(secure));
        }
        respond_with(builder, html(self.template, self.view, Some(&token), staff))
    }

    /// Renders a page without forms, the same for everyone (public pages,
    /// which may be cached, and the error page).
    pub fn plain(&self) -> HttpResponse {
        let builder = with_retry_after(self.status, HttpResponse::build(self.status));
        respond_with(builder, html(self.template, self.view, None, None))
    }
}

fn respond_with(
    mut builder: actix_web::HttpResponseBuilder,
    body: Result<String, AppError>,
) -> HttpResponse {
    match body {
        Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}

/// 303 to `location`: where a form goes after a change (POST/redirect/GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// One entry of a page's error summary, linked to its field.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLink {
    pub field: String,
    pub message: String,
}

/// The error summary's entries for `errors`, each linked to `prefix` +
/// its field's id.
pub fn error_links(errors: &[ValidationError], prefix: &str) -> Vec<ErrorLink> {
    errors
        .iter()
        .map(|e| ErrorLink {
            field: format!("{prefix}{}", e.field),
            message: e.message.clone(),
        })
        .collect()
}

/// The first message for `field`, for the error shown by that field.
pub fn error_for(errors: &[ValidationError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A choice in a list of radios, checkboxes or a select.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Chosen (checked or selected).
    pub chosen: bool,
}

impl Choice {
    /// Every one of `all`, with `chosen` the one whose value is `typed`.
    pub fn list<T>(
        all: &[T],
        value: impl Fn(&T) -> &str,
        label: impl Fn(&T) -> &str,
        typed: &str,
    ) -> Vec<Choice> {
        all.iter()
            .map(|item| Choice {
                value: value(item).to_string(),
                label: label(item).to_string(),
                chosen: value(item) == typed,
            })
            .collect()
    }
}

/// Where a paged list is, and links to the pages either side.
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pagination {
    /// Page `page` of `pages`, each page's address made by `link`.
    pub fn new(page: usize, pages: usize, link: impl Fn(usize) -> String) -> Self {
        Self {
            page,
            pages,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}
