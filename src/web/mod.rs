//! The HTTP layer: routes, handlers, templates, errors.

pub mod api;
pub mod assets;
pub mod auth;
pub mod client;
pub mod clock;
pub mod connections;
pub mod csrf;
pub mod error;
pub mod form;
pub mod health;
pub mod page_cache;
pub mod pages;
pub mod publish;
pub mod rate_limit;
pub mod render;
pub mod respond;
pub mod staff;
pub mod state;
pub mod stream;
pub mod summary;
pub mod view;
pub mod workspace;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

pub use error::AppError;
pub use state::{AppState, WebSettings};

/// The whole URL map. Kept as a table (not reflowed by rustfmt) so it
/// reads on one screen.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg
        // Public pages
        .route("/", get().to(pages::home))
        .route("/healthz", get().to(health::healthz))
        .route("/static/app.css", get().to(assets::stylesheet))
        .route("/consultations/{slug}", get().to(pages::consultation))
        .route("/consultations/{slug}/summary", get().to(summary::page))
        .route("/consultations/{slug}/responses", get().to(pages::published_responses))
        .route("/consultations/{slug}/summary.csv", get().to(summary::csv))
        .route("/consultations/{slug}/summary.xlsx", get().to(summary::xlsx))
        // Consultees responding
        .route("/consultations/{slug}/respond", get().to(respond::form))
        .route("/consultations/{slug}/respond", post().to(respond::post))
        .route("/consultations/{slug}/responses/{reference}", get().to(respond::private))
        .route("/consultations/{slug}/responses/{reference}", post().to(respond::change))
        .route("/consultations/{slug}/responses/{reference}/change", get().to(respond::change_form))
        .route("/consultations/{slug}/responses/{reference}/confirmation", get().to(respond::confirmation))
        // Staff
        .route("/sign-in", get().to(auth::sign_in_form))
        .route("/sign-in", post().to(auth::sign_in))
        .route("/sign-out", post().to(auth::sign_out))
        .route("/staff", get().to(staff::dashboard))
        .route("/staff/consultations", post().to(staff::create))
        .route("/staff/consultations/new", get().to(staff::new_form))
        .route("/staff/consultations/{slug}", get().to(staff::edit))
        .route("/staff/consultations/{slug}", post().to(staff::update))
        .route("/staff/consultations/{slug}/status", post().to(staff::status))
        .route("/staff/consultations/{slug}/publish", get().to(publish::form))
        .route("/staff/consultations/{slug}/publish", post().to(publish::publish))
        .route("/staff/consultations/{slug}/sections", post().to(staff::add_section))
        .route("/staff/consultations/{slug}/sections/{id}", post().to(staff::update_section))
        .route("/staff/consultations/{slug}/sections/{id}/delete", post().to(staff::delete_section))
        .route("/staff/consultations/{slug}/questions", post().to(staff::add_question))
        .route("/staff/consultations/{slug}/questions/{id}", post().to(staff::update_question))
        .route("/staff/consultations/{slug}/questions/{id}/delete", post().to(staff::delete_question))
        .route("/staff/consultations/{slug}/bodies", post().to(staff::add_body))
        .route("/staff/consultations/{slug}/bodies/{id}", post().to(staff::update_body))
        .route("/staff/consultations/{slug}/bodies/{id}/delete", post().to(staff::delete_body))
        .route("/staff/consultations/{slug}/links", post().to(staff::add_link))
        .route("/staff/consultations/{slug}/links/{id}/delete", post().to(staff::delete_link))
        .route("/staff/consultations/{slug}/summary-with-contacts.csv", post().to(summary::csv_with_contacts))
        .route("/staff/consultations/{slug}/responses/{reference}/review", post().to(staff::review_held))
        .route("/staff/users", get().to(workspace::users::list))
        .route("/staff/users", post().to(workspace::users::add))
        .route("/staff/users/{id}/disabled", post().to(workspace::users::set_disabled))
        // The group's workspace
        .route("/staff/consultations/{slug}/workspace", get().to(workspace::overview::show))
        .route("/staff/consultations/{slug}/group", get().to(workspace::group::list))
        .route("/staff/consultations/{slug}/group", post().to(workspace::group::change))
        .route("/staff/consultations/{slug}/inbox", get().to(workspace::inbox::page_handler))
        .route("/staff/consultations/{slug}/responses/import", get().to(workspace::import::upload_form))
        .route("/staff/consultations/{slug}/responses/import", post().to(workspace::import::upload))
        .route("/staff/consultations/{slug}/responses/import/{id}", get().to(workspace::import::preview))
        .route("/staff/consultations/{slug}/responses/import/{id}", post().to(workspace::import::confirm))
        .route("/staff/consultations/{slug}/inbox/{reference}", get().to(workspace::responses::detail))
        .route("/staff/consultations/{slug}/inbox/{reference}/accept", post().to(workspace::responses::accept))
        .route("/staff/consultations/{slug}/inbox/{reference}/issues", post().to(workspace::responses::add))
        .route("/staff/consultations/{slug}/inbox/{reference}/redact", post().to(workspace::responses::redact))
        .route("/staff/consultations/{slug}/inbox/{reference}/checked", post().to(workspace::responses::checked))
        .route("/staff/consultations/{slug}/issues/{id}", post().to(workspace::responses::edit))
        .route("/staff/consultations/{slug}/issues/{id}/merge-next", post().to(workspace::responses::merge_next))
        .route("/staff/consultations/{slug}/issues/{id}/split", post().to(workspace::responses::split))
        .route("/staff/consultations/{slug}/issues/{id}/remove", post().to(workspace::responses::remove))
        .route("/staff/consultations/{slug}/issues/{id}/draft", get().to(workspace::drafting::form))
        .route("/staff/consultations/{slug}/issues/{id}/draft", post().to(workspace::drafting::save))
        .route("/staff/consultations/{slug}/issues/{id}/repeats", post().to(workspace::drafting::answer_repeats))
        .route("/staff/consultations/{slug}/themes", get().to(workspace::themes::triage))
        .route("/staff/consultations/{slug}/themes", post().to(workspace::themes::create))
        .route("/staff/consultations/{slug}/themes/move", post().to(workspace::themes::move_issues))
        .route("/staff/consultations/{slug}/themes/{id}", get().to(workspace::themes::theme))
        .route("/staff/consultations/{slug}/themes/{id}/rename", post().to(workspace::themes::rename))
        .route("/staff/consultations/{slug}/themes/{id}/pin", post().to(workspace::themes::pin))
        .route("/staff/consultations/{slug}/themes/{id}/merge", post().to(workspace::themes::merge))
        .route("/staff/consultations/{slug}/themes/{id}/split", post().to(workspace::themes::split))
        .route("/staff/consultations/{slug}/analysis", get().to(workspace::analysis::status))
        .route("/staff/consultations/{slug}/analysis", post().to(workspace::analysis::start))
        // API
        .route("/api/openapi.json", get().to(api::openapi))
        .configure(api::routes);
}

/// Starts the server on an already-bound listener (tests bind port 0).
/// Actix handles SIGTERM and SIGINT by finishing in-flight requests within
/// `shutdown_grace_secs` before exiting.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown_grace_secs: u64,
) -> std::io::Result<Server> {
    let counts = std::sync::Arc::new(connections::ConnectionCounts::default());
    let hook = connections::on_connect(
        counts,
        state.settings.connections_per_client,
        state.settings.trusted_proxies.clone(),
    );
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(connections::guard))
            .wrap(security_headers())
            .wrap(actix_web::middleware::from_fn(strict_transport_security))
            .wrap(actix_web::middleware::from_fn(private_not_stored))
            .wrap(actix_web::middleware::from_fn(
                page_cache::forget_after_changes,
            ))
            .wrap(TracingLogger::default())
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(form::MAX_FORM_BYTES))
            .app_data(workspace::import::multipart_config())
            .configure(routes)
            .default_service(web::to(not_found))
    })
    .on_connect(hook)
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

/// HSTS on responses served over TLS (directly, or behind a proxy that
/// says so with `X-Forwarded-Proto`/`Forwarded`); never over plain HTTP,
/// where it would be ignored and could mislead.
async fn strict_transport_security(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let tls = req.connection_info().scheme() == "https";
    let mut response = next.call(req).await?;
    if tls {
        response.headers_mut().insert(
            actix_web::http::header::STRICT_TRANSPORT_SECURITY,
            actix_web::http::header::HeaderValue::from_static(
                "max-age=31536000; includeSubDomains",
            ),
        );
    }
    Ok(response)
}

/// Whether a path serves something only its reader should keep: staff
/// pages and exports, sign-in, the API, a consultee's private pages
/// (their change form holds their e-mail address).
pub fn is_private_path(path: &str) -> bool {
    let consultee_private = path.starts_with("/consultations/")
        && path
            .split('/')
            .nth(3)
            .is_some_and(|part| part == "responses")
        && path
            .split('/')
            .nth(4)
            .is_some_and(|reference| !reference.is_empty());
    path.starts_with("/staff")
        || path.starts_with("/sign-in")
        || path.starts_with("/sign-out")
        || path.starts_with("/api/v1")
        || consultee_private
}

/// `Cache-Control: no-store` on private pages, so no browser or proxy
/// cache keeps a copy (OWASP ASVS V8.2.1).
async fn private_not_stored(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let private = is_private_path(req.path());
    let mut response = next.call(req).await?;
    if private {
        response.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

/// Any URL not in the map.
async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound("page".into()))
}
