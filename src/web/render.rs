//! The one page renderer: a typed view (a `#[derive(Serialize)]` struct per
//! page) inside the frame every page shares — the CSRF token for its
//! forms, who is signed in, the notice after a change and the error
//! summary — rendered by its template, with the CSRF cookie set when new.

use actix_web::http::StatusCode;
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

/// What every page has besides its own view.
#[derive(Debug, Serialize)]
struct Frame<'a, V: Serialize> {
    #[serde(flatten)]
    view: &'a V,
    csrf_token: String,
    staff: Option<SignedIn>,
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

    /// Renders the page for `req`, as seen by `staff` (if signed in).
    pub fn render(
        &self,
        req: &HttpRequest,
        state: &AppState,
        staff: Option<&StaffUser>,
    ) -> HttpResponse {
        let secure = state.settings.secure_cookies;
        let cookie = CsrfCookie::from_request(req, secure);
        let frame = Frame {
            view: self.view,
            csrf_token: csrf::issue(&state.signer, &cookie.value, state.clock.now()),
            staff: staff.map(|s| SignedIn {
                email: s.user.email.clone(),
                role: s.user.role.label(),
            }),
        };
        let mut builder = with_retry_after(self.status, HttpResponse::build(self.status));
        if cookie.is_new {
            builder.cookie(cookie.cookie(secure));
        }
        match crate::templates::render(self.template, &frame) {
            Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
            Err(e) => actix_web::ResponseError::error_response(&AppError::Internal(e.to_string())),
        }
    }
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
