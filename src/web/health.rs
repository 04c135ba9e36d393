//! `GET /healthz`: is the service able to do its work?

use actix_web::{HttpResponse, web};

use super::state::AppState;
use crate::service::{self, ServiceError};

/// 200 when the database answers, 503 otherwise; for load balancers.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let result = state
        .db(|conn| service::health::check_database(conn).map_err(ServiceError::from))
        .await;
    match result {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": "ok" })),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unhealthy", "database": "unavailable" }))
        }
    }
}
