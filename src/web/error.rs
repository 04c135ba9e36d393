//! The one error type of the request cycle, mapped to HTTP once.
//!
//! HTML routes return [`AppError`] and get an error page; API routes return
//! [`ApiError`] (the same error) and get JSON problem details (RFC 9457)
//! with field errors.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::domain::ValidationError;
use crate::service::ServiceError;

/// Why a request failed. 5xx bodies are opaque; the cause is logged.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or item.
    #[error("{0} not found")]
    NotFound(String),
    /// The input was unusable.
    #[error("{0}")]
    BadRequest(String),
    /// Field-by-field validation failures.
    #[error("invalid input")]
    Invalid(Vec<ValidationError>),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The thing asked for has ended (a consultation that has closed).
    #[error("{0}")]
    Gone(String),
    /// Staff pages need a signed-in user; carries where to return to.
    #[error("sign in required")]
    SignInRequired(String),
    /// Credentials that are not good (a wrong password).
    #[error("{0}")]
    Unauthorised(String),
    /// Signed in, but not allowed (wrong role or consultation, bad CSRF token).
    #[error("{0}")]
    Forbidden(String),
    /// Too many posts from one address.
    #[error("too many requests")]
    TooManyRequests,
    /// The body is larger than the route accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body did not arrive in time.
    #[error("request body too slow")]
    RequestTimeout,
    /// The body is not of a type the route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The database could not be reached in time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else; never shown to the user.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(errors) => Self::Invalid(errors),
            ServiceError::NotFound(what) => Self::NotFound(what),
            ServiceError::Conflict(why) => Self::Conflict(why),
            ServiceError::Closed(why) => Self::Gone(why),
            ServiceError::Forbidden(why) => Self::Forbidden(why),
            ServiceError::Unavailable(why) => Self::Unavailable(why),
            ServiceError::Database(e) => database_error(e),
        }
    }
}

/// Connection-level failures are 503 (try again); anything else is a bug.
fn database_error(error: diesel::result::Error) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
            AppError::Unavailable(info.message().to_string())
        }
        Error::BrokenTransactionManager => AppError::Unavailable(error.to_string()),
        other => {
            let text = other.to_string();
            // SQLite reports a lock timeout or a full disk as plain errors;
            // PostgreSQL reports a lost server as an unknown error.
            let unavailable = [
                "database is locked",
                "disk is full",
                "busy",
                "server closed the connection",
                "connection refused",
                "terminating connection",
            ];
            if unavailable
                .iter()
                .any(|needle| text.to_lowercase().contains(needle))
            {
                AppError::Unavailable(text)
            } else {
                AppError::Internal(text)
            }
        }
    }
}

impl AppError {
    /// The page heading and explanation people see.
    pub fn public_message(&self) -> (&'static str, String) {
        match self {
            Self::NotFound(_) => ("Page not found", "If you typed the web address, check it is correct.".into()),
            Self::BadRequest(why) => ("There is a problem", why.clone()),
            Self::Invalid(errors) => (
                "There is a problem",
                errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(". "),
            ),
            Self::Conflict(why) => ("This cannot be done now", why.clone()),
            Self::Gone(why) => ("This consultation has closed", why.clone()),
            Self::SignInRequired(_) => ("Sign in", "You need to sign in to see this page.".into()),
            Self::Unauthorised(why) => ("Sign in", why.clone()),
            Self::Forbidden(why) => ("You cannot do this", why.clone()),
            Self::TooManyRequests => (
                "Too many attempts",
                "We received a lot of forms from your network in a short time. Wait a minute and send again.".into(),
            ),
            Self::PayloadTooLarge => (
                "What you sent is too long",
                "Shorten your text (each point can be up to 10,000 characters) and send again.".into(),
            ),
            Self::UnsupportedMediaType(why) => ("There is a problem", why.clone()),
            Self::RequestTimeout => (
                "What you sent took too long to arrive",
                "Nothing was saved. Check your connection and send it again.".into(),
            ),
            Self::Unavailable(_) => (
                "Sorry, the service is unavailable",
                "Nothing you sent has been saved. Please try again in a few minutes.".into(),
            ),
            Self::Internal(_) => ("Sorry, there is a problem with the service", "Please try again later.".into()),
        }
    }

    fn log(&self) {
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

/// The error page: what went wrong, in words for the public.
#[derive(Debug, serde::Serialize)]
struct ErrorView<'a> {
    heading: &'a str,
    message: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::SignInRequired(_) => StatusCode::SEE_OTHER,
            Self::Unauthorised(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        if let Self::SignInRequired(next) = self {
            let location = format!(
                "/sign-in?next={}",
                percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let (heading, message) = self.public_message();
        let view = ErrorView {
            heading,
            message: &message,
        };
        let body = super::render::html("error", &view, None, None)
            .unwrap_or_else(|_| format!("{heading}. {message}"));
        with_retry_after(self.status_code(), HttpResponse::build(self.status_code()))
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// The error for a request body that could not be read: too large, too
/// slow (the body deadline), or broken.
pub fn payload_error(error: &actix_web::error::PayloadError) -> AppError {
    use actix_web::error::PayloadError;
    match error {
        PayloadError::Overflow => AppError::PayloadTooLarge,
        PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => AppError::RequestTimeout,
        other => AppError::BadRequest(format!("The request could not be read: {other}")),
    }
}

/// Adds `Retry-After` to 429 and 503 answers.
pub fn with_retry_after(
    status: StatusCode,
    mut response: actix_web::HttpResponseBuilder,
) -> actix_web::HttpResponseBuilder {
    match status {
        StatusCode::SERVICE_UNAVAILABLE => {
            response.insert_header((header::RETRY_AFTER, "30"));
        }
        StatusCode::TOO_MANY_REQUESTS => {
            response.insert_header((header::RETRY_AFTER, "60"));
        }
        _ => {}
    }
    response
}

/// An [`AppError`] from an API route: answered as JSON problem details.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        Self(AppError::from(error))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            AppError::SignInRequired(_) => StatusCode::UNAUTHORIZED,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let status = self.status_code();
        let (title, detail) = self.0.public_message();
        let errors: &[ValidationError] = match &self.0 {
            AppError::Invalid(errors) => errors,
            _ => &[],
        };
        let words = match self.0 {
            AppError::SignInRequired(_) => (
                "Authentication required",
                "Send a bearer token from POST /api/v1/sessions".to_string(),
            ),
            _ => (title, detail),
        };
        let problem = super::api::schemas::Problem::new(status, words, errors);
        problem.respond(with_retry_after(status, HttpResponse::build(status)))
    }
}
