//! Shared state and the one bridge from async handlers to blocking diesel.

use actix_web::web;

use super::error::AppError;
use crate::db::{DbConnection, DbPool};
use crate::service::ServiceError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
}

impl AppState {
    /// Runs `work` with a pooled connection on the blocking thread pool, so
    /// diesel never blocks the async executor. A pool timeout becomes 503.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
        .map_err(AppError::from)
    }
}
