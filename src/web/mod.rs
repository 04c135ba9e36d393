//! The HTTP layer: routes, handlers, templates, errors.

pub mod assets;
pub mod clock;
pub mod csrf;
pub mod error;
pub mod form;
pub mod health;
pub mod pages;
pub mod rate_limit;
pub mod respond;
pub mod state;
pub mod templates;
pub mod view;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

pub use error::AppError;
pub use state::{AppState, WebSettings};

/// The whole URL map.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/static/app.css", web::get().to(assets::stylesheet))
        .route("/consultations/{slug}", web::get().to(pages::consultation))
        .route(
            "/consultations/{slug}/respond",
            web::get().to(respond::form),
        )
        .route(
            "/consultations/{slug}/respond",
            web::post().to(respond::post),
        )
        .route(
            "/consultations/{slug}/responses/{reference}",
            web::get().to(respond::private),
        )
        .route(
            "/consultations/{slug}/responses/{reference}",
            web::post().to(respond::change),
        )
        .route(
            "/consultations/{slug}/responses/{reference}/change",
            web::get().to(respond::change_form),
        )
        .route(
            "/consultations/{slug}/responses/{reference}/confirmation",
            web::get().to(respond::confirmation),
        );
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
            .wrap(security_headers())
            .wrap(TracingLogger::default())
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(form::MAX_FORM_BYTES))
            .configure(routes)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(shutdown_grace_secs)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every response (OWASP Secure Headers): no inline script or
/// style, no framing, no MIME sniffing, no referrer (private edit links
/// carry their key in the URL).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// Any URL not in the map.
async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound("page".into()))
}
