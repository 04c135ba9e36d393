//! `GET /healthz`: is the service able to do its work?

use actix_web::{HttpResponse, web};

use super::state::AppState;
use crate::service::{self, ServiceError};

/// What the health check says.
#[derive(Debug, serde::Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// 200 when the database answers, 503 otherwise; for load balancers.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let result = state
        .db(|conn| service::health::check_database(conn).map_err(ServiceError::from))
        .await;
    match result {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: "ok",
        }),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unhealthy",
                database: "unavailable",
            })
        }
    }
}
