//! The service layer's error: what went wrong in words the caller can act on.

use crate::domain::ValidationError;

/// Why a use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input that fails validation, field by field.
    #[error("{}", join_messages(.0))]
    Invalid(Vec<ValidationError>),
    /// Something named does not exist ("consultation “x”").
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with the current state (e.g. already closed).
    #[error("{0}")]
    Conflict(String),
    /// The consultation is closed (or not open) to what was asked.
    #[error("{0}")]
    Closed(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The database failed or refused (constraint, outage).
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// No connection could be had in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl ServiceError {
    /// One validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![ValidationError::new(field, message)])
    }
}

impl From<ValidationError> for ServiceError {
    fn from(error: ValidationError) -> Self {
        Self::Invalid(vec![error])
    }
}

fn join_messages(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;
