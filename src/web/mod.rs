//! The HTTP layer: routes, handlers, templates, errors.

pub mod assets;
pub mod error;
pub mod health;
pub mod pages;
pub mod state;
pub mod templates;
pub mod view;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

pub use error::AppError;
pub use state::AppState;

/// The whole URL map.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/static/app.css", web::get().to(assets::stylesheet))
        .route("/consultations/{slug}", web::get().to(pages::consultation));
}

/// Starts the server on an already-bound listener (tests bind port 0).
/// Actix handles SIGTERM and SIGINT by finishing in-flight requests within
/// `shutdown_grace_secs` before exiting.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown_grace_secs: u64,
) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(TracingLogger::default())
            .app_data(data.clone())
            .configure(routes)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(shutdown_grace_secs)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Any URL not in the map.
async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound("page".into()))
}
