//! The one error type of the request cycle, mapped to HTTP once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use super::templates;
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
            ServiceError::Unavailable(why) => Self::Unavailable(why),
            ServiceError::Database(e) => database_error(e),
        }
    }
}

/// Connection-level failures are 503 (try again); anything else is a bug.
fn database_error(error: diesel::result::Error) -> AppError {
    use diesel::result::Error;
    match error {
        Error::DatabaseError(diesel::result::DatabaseErrorKind::ClosedConnection, info) => {
            AppError::Unavailable(info.message().to_string())
        }
        Error::BrokenTransactionManager => AppError::Unavailable(error.to_string()),
        other => {
            let text = other.to_string();
            // SQLite reports a lock timeout or a full disk as plain errors.
            if text.contains("database is locked")
                || text.contains("disk is full")
                || text.contains("busy")
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
    fn public_message(&self) -> (&'static str, String) {
        match self {
            Self::NotFound(_) => (
                "Page not found",
                "If you typed the web address, check it is correct.".into(),
            ),
            Self::BadRequest(why) => ("There is a problem", why.clone()),
            Self::Invalid(errors) => (
                "There is a problem",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(". "),
            ),
            Self::Conflict(why) => ("This cannot be done now", why.clone()),
            Self::Unavailable(_) => (
                "Sorry, the service is unavailable",
                "Nothing you sent has been lost on our side. Please try again in a few minutes."
                    .into(),
            ),
            Self::Internal(_) => (
                "Sorry, there is a problem with the service",
                "Please try again later.".into(),
            ),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let (heading, message) = self.public_message();
        let body = templates::render(
            "error",
            &serde_json::json!({ "title": heading, "heading": heading, "message": message }),
        )
        .unwrap_or_else(|_| format!("{heading}. {message}"));
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header(("Retry-After", "30"));
        }
        response.content_type("text/html; charset=utf-8").body(body)
    }
}
