//! Staff authentication: the session cookie (pages) or bearer token (API),
//! the `StaffUser` extractor that every staff route takes, and the sign-in
//! and sign-out pages.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::csrf;
use super::error::AppError;
use super::form::FormData;
use super::render::{ErrorLink, Page};
use super::state::AppState;
use crate::service;
use crate::service::model::User;

/// The session cookie's name (`__Host-` when cookies are secure).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-sounding-session"
    } else {
        "sounding-session"
    }
}

/// The signed-in staff user of a request, and their session token.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub user: User,
    pub token: String,
}

/// The session token of a request: a bearer token, or the session cookie.
fn token(req: &HttpRequest, secure: bool) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| {
        req.cookie(cookie_name(secure))
            .map(|c| c.value().to_string())
    })
}

impl FromRequest for StaffUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/staff".into());
        let secure = state.as_ref().is_some_and(|s| s.settings.secure_cookies);
        let token = token(req, secure);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
            let Some(token) = token else {
                return Err(AppError::SignInRequired(path));
            };
            let now = state.clock.now();
            let lookup = token.clone();
            let user = state
                .db(move |conn| service::auth::user_for(conn, &lookup, now))
                .await?;
            match user {
                Some(user) => Ok(StaffUser { user, token }),
                None => Err(AppError::SignInRequired(path)),
            }
        })
    }
}

/// Where to go after signing in: only a path on this site (no open
/// redirect, OWASP Unvalidated Redirects). Browsers drop tabs and line
/// breaks and read `\\` as `/`, so `/\t/evil.example` would become
/// `//evil.example`: any control character, space or backslash, or a
/// second leading slash, sends the user to the staff home instead.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if local { next } else { "/staff" }
}

/// Refuses (429) a sign-in attempt over its address's or account's quota.
pub fn throttle_sign_in(req: &HttpRequest, state: &AppState, email: &str) -> Result<(), AppError> {
    super::rate_limit::check_sign_in(req, state, email)
}

/// `?next=` on the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The sign-in page: what was typed (never the password) and why it failed.
#[derive(Debug, Serialize)]
struct SignInView {
    email: String,
    next: String,
    errors: Vec<ErrorLink>,
    error: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    (email, next): (&str, &str),
    error: Option<&str>,
) -> HttpResponse {
    let view = SignInView {
        email: email.to_string(),
        next: safe_next(next).to_string(),
        errors: (error.iter())
            .map(|m| ErrorLink {
                field: "email".into(),
                message: m.to_string(),
            })
            .collect(),
        error: error.map(str::to_string),
    };
    Page::ok("sign_in", &view)
        .with_status(status)
        .render(req, state, None)
}

/// `GET /sign-in`.
pub async fn sign_in_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    sign_in_page(&state, &req, StatusCode::OK, ("", &query.next), None)
}

/// `POST /sign-in`: checks the password; sets the session cookie.
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let secure = state.settings.secure_cookies;
    let (email, password, next) = (
        form.get("email").to_string(),
        form.get("password").to_string(),
        form.get("next").to_string(),
    );
    let now = state.clock.now();
    if csrf::verify(
        &state.signer,
        csrf::cookie_value(&req, secure).as_deref(),
        form.get("csrf_token"),
        now,
    )
    .is_err()
    {
        return Ok(sign_in_page(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            (&email, &next),
            Some("Your sign-in form had expired. Enter your details again."),
        ));
    }
    throttle_sign_in(&req, &state, &email)?;
    let hours = state.settings.session_hours;
    let lookup = email.clone();
    match state
        .db(move |conn| service::auth::sign_in(conn, &lookup, &password, now, hours))
        .await
    {
        Ok(session) => {
            let cookie = Cookie::build(cookie_name(secure), session.token)
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Lax)
                .max_age(CookieDuration::hours(hours))
                .finish();
            Ok(HttpResponse::SeeOther()
                .cookie(cookie)
                .insert_header((header::LOCATION, safe_next(&next).to_string()))
                .finish())
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            Ok(sign_in_page(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                (&email, &next),
                Some(&message),
            ))
        }
        Err(other) => Err(other),
    }
}

/// `POST /sign-out`: ends the session and clears the cookie.
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let secure = state.settings.secure_cookies;
    csrf::verify(
        &state.signer,
        csrf::cookie_value(&req, secure).as_deref(),
        form.get("csrf_token"),
        state.clock.now(),
    )
    .map_err(|e| AppError::Forbidden(format!("Sign-out was refused: {e}")))?;
    let token = staff.token.clone();
    state
        .db(move |conn| service::auth::sign_out(conn, &token))
        .await?;
    let mut expired = Cookie::build(cookie_name(secure), "")
        .path("/")
        .http_only(true)
        .secure(secure)
        .finish();
    expired.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(expired)
        .insert_header((header::LOCATION, "/sign-in?signed_out=1"))
        .finish())
}

/// Checks a staff form's CSRF token (403 otherwise).
pub fn check_csrf(req: &HttpRequest, state: &AppState, form: &FormData) -> Result<(), AppError> {
    check_csrf_token(req, state, form.get("csrf_token"))
}

/// Checks a CSRF token sent some other way (a file upload's field).
pub fn check_csrf_token(req: &HttpRequest, state: &AppState, token: &str) -> Result<(), AppError> {
    let secure = state.settings.secure_cookies;
    csrf::verify(
        &state.signer,
        csrf::cookie_value(req, secure).as_deref(),
        token,
        state.clock.now(),
    )
    .map(|_| ())
    .map_err(|e| {
        AppError::Forbidden(format!(
            "The form was refused: {e}. Go back, reload the page and try again."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next("/staff/consultations/x"),
            "/staff/consultations/x"
        );
        assert_eq!(safe_next("//evil.example/"), "/staff");
        assert_eq!(safe_next("https://evil.example/"), "/staff");
        assert_eq!(safe_next("/\\evil.example"), "/staff");
        assert_eq!(safe_next(""), "/staff");
        // Browsers drop the tab and follow //evil.example/phish.
        assert_eq!(safe_next("/\t/evil.example/phish"), "/staff");
        assert_eq!(safe_next("/\n/evil.example"), "/staff");
        assert_eq!(safe_next("/a\\b"), "/staff");
        assert_eq!(safe_next("/staff?x=1#y"), "/staff?x=1#y");
    }
}
