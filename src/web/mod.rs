//! The HTTP layer: routes, handlers, templates, errors.

pub mod api;
pub mod assets;
pub mod auth;
pub mod brand;
pub mod client;
pub mod clock;
pub mod confirm;
pub mod connections;
pub mod csrf;
pub mod editing;
pub mod error;
pub mod failed;
pub mod form;
pub mod health;
pub mod outcome;
pub mod page_cache;
pub mod pages;
pub mod publish;
pub mod rate_limit;
pub mod render;
pub mod respond;
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

use crate::service::editing::{Body, BodyLink, Question, Section};
pub use error::AppError;
pub use state::{AppState, WebSettings};

/// Who may use a route. The access matrix test (`tests/api/access.rs`)
/// walks every route of [`ROUTES`] and [`api::API_ROUTES`] as every kind of
/// user, on a consultation in every status, and checks each answers as its
/// class says, so a new route cannot be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; staff who may work on the consultation may see more.
    Anyone,
    /// A consultee through their private link (its key).
    Consultee,
    /// Any signed-in staff user.
    SignedIn,
    /// Staff who may work on the consultation (its group, officers, admins).
    Work,
    /// Staff who may run the consultation (officers, admins).
    Run,
    /// Officers and admins.
    CreateConsultations,
    /// Admins.
    ManageUsers,
}

/// Declares the page routes once: registers them, and lists them with who
/// may use each.
macro_rules! page_routes {
    ($($method:ident $path:literal => $handler:path, $access:ident;)+) => {
        /// Every page route as (method, path, who may use it).
        pub const ROUTES: &[(&str, &str, Access)] = &[$((stringify!($method), $path, Access::$access)),+];

        /// The whole URL map: the page routes, then the API's.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)+
            cfg.configure(api::routes);
        }
    };
}

// The whole URL map, on one screen: method, path => handler, who may use it.
page_routes! {
    get "/"                                                         => pages::home, Anyone;
    get "/privacy"                                                  => pages::privacy, Anyone;
    get "/accessibility"                                            => pages::accessibility, Anyone;
    get "/healthz"                                                  => health::healthz, Anyone;
    get "/static/app.css"                                           => assets::stylesheet, Anyone;
    get "/static/app.js"                                            => assets::script, Anyone;
    get "/static/brand.css"                                         => brand::stylesheet, Anyone;
    get "/static/logo"                                              => brand::logo, Anyone;
    get "/consultations/{slug}"                                     => pages::consultation, Anyone;
    get "/consultations/{slug}/structure.svg"                       => pages::structure_drawing, Anyone;
    get "/consultations/{slug}/summary"                             => summary::page, Anyone;
    get "/consultations/{slug}/responses"                           => pages::published_responses, Anyone;
    get "/consultations/{slug}/outcome"                             => outcome::page, Anyone;
    get "/consultations/{slug}/summary.csv"                         => summary::csv, Anyone;
    get "/consultations/{slug}/summary.xlsx"                        => summary::xlsx, Anyone;
    get "/consultations/{slug}/respond"                             => respond::form, Anyone;
    post "/consultations/{slug}/respond"                            => respond::post, Anyone;
    get "/consultations/{slug}/responses/{reference}"               => respond::private, Consultee;
    post "/consultations/{slug}/responses/{reference}"              => respond::change, Consultee;
    get "/consultations/{slug}/responses/{reference}/change"        => respond::change_form, Consultee;
    get "/consultations/{slug}/responses/{reference}/confirmation"  => respond::confirmation, Consultee;
    get "/sign-in"                                                  => auth::sign_in_form, Anyone;
    post "/sign-in"                                                 => auth::sign_in, Anyone;
    post "/sign-out"                                                => auth::sign_out, SignedIn;
    get "/staff"                                                    => editing::dashboard, SignedIn;
    post "/staff/consultations"                                     => editing::create, CreateConsultations;
    get "/staff/consultations/new"                                  => editing::new_form, CreateConsultations;
    get "/staff/consultations/{slug}"                               => editing::edit, Run;
    post "/staff/consultations/{slug}"                              => editing::update, Run;
    post "/staff/consultations/{slug}/status"                       => editing::status, Run;
    get "/staff/consultations/{slug}/publish"                       => publish::form, Run;
    post "/staff/consultations/{slug}/publish"                      => publish::publish, Run;
    post "/staff/consultations/{slug}/sections"                     => editing::parts::add::<Section>, Run;
    post "/staff/consultations/{slug}/sections/{section}"           => editing::parts::update::<Section>, Run;
    post "/staff/consultations/{slug}/sections/{section}/delete"    => editing::parts::delete::<Section>, Run;
    get "/staff/consultations/{slug}/sections/{section}/delete"    => editing::parts::confirm_delete::<Section>, Run;
    post "/staff/consultations/{slug}/questions"                    => editing::parts::add::<Question>, Run;
    post "/staff/consultations/{slug}/questions/{question}"         => editing::parts::update::<Question>, Run;
    post "/staff/consultations/{slug}/questions/{question}/delete"  => editing::parts::delete::<Question>, Run;
    get "/staff/consultations/{slug}/questions/{question}/delete"  => editing::parts::confirm_delete::<Question>, Run;
    post "/staff/consultations/{slug}/bodies"                       => editing::parts::add::<Body>, Run;
    post "/staff/consultations/{slug}/bodies/{body}"                => editing::parts::update::<Body>, Run;
    post "/staff/consultations/{slug}/bodies/{body}/delete"         => editing::parts::delete::<Body>, Run;
    get "/staff/consultations/{slug}/bodies/{body}/delete"         => editing::parts::confirm_delete::<Body>, Run;
    post "/staff/consultations/{slug}/links"                        => editing::parts::add::<BodyLink>, Run;
    post "/staff/consultations/{slug}/links/{link}/delete"          => editing::parts::delete::<BodyLink>, Run;
    get "/staff/consultations/{slug}/links/{link}/delete"          => editing::parts::confirm_delete::<BodyLink>, Run;
    post "/staff/consultations/{slug}/summary-with-contacts.csv"    => summary::csv_with_contacts, Run;
    get "/staff/consultations/{slug}/outcome"                       => outcome::staff_page, Run;
    post "/staff/consultations/{slug}/outcome/versions"             => outcome::start, Run;
    post "/staff/consultations/{slug}/outcome/bodies"               => outcome::add_body, Run;
    post "/staff/consultations/{slug}/outcome/bodies/{version_body}" => outcome::change_body, Run;
    post "/staff/consultations/{slug}/outcome/bodies/{version_body}/remove" => outcome::remove_body, Run;
    post "/staff/consultations/{slug}/outcome/links"                => outcome::add_link, Run;
    post "/staff/consultations/{slug}/outcome/links/{version_link}/remove" => outcome::remove_link, Run;
    post "/staff/consultations/{slug}/outcome/report"               => outcome::save_report, Run;
    post "/staff/consultations/{slug}/outcome/publish"              => outcome::publish, Run;
    post "/staff/consultations/{slug}/outcome/withdraw"             => outcome::withdraw, Run;
    get "/staff/consultations/{slug}/pack.docx"                     => outcome::pack_docx, Run;
    get "/staff/consultations/{slug}/pack.html"                     => outcome::pack_html, Run;
    post "/staff/consultations/{slug}/responses/{reference}/review" => editing::review_held, Run;
    get "/staff/users"                                              => workspace::users::list, ManageUsers;
    post "/staff/users"                                             => workspace::users::add, ManageUsers;
    post "/staff/users/{user}/disabled"                             => workspace::users::set_disabled, ManageUsers;
    get "/staff/consultations/{slug}/workspace"                     => workspace::overview::show, Work;
    get "/staff/consultations/{slug}/group"                         => workspace::group::list, Work;
    get "/staff/consultations/{slug}/consultees"                    => workspace::consultees::list, Work;
    post "/staff/consultations/{slug}/consultees/{consultee}"       => workspace::consultees::edit, Run;
    get "/staff/consultations/{slug}/consultees/{consultee}/merge"  => workspace::consultees::confirm_merge, Run;
    post "/staff/consultations/{slug}/consultees/{consultee}/merge" => workspace::consultees::merge, Run;
    post "/staff/consultations/{slug}/group"                        => workspace::group::change, Run;
    get "/staff/consultations/{slug}/inbox"                         => workspace::inbox::list, Work;
    get "/staff/consultations/{slug}/responses/import"              => workspace::import::upload_form, Run;
    post "/staff/consultations/{slug}/responses/import"             => workspace::import::upload, Run;
    get "/staff/consultations/{slug}/responses/import/{upload}"     => workspace::import::preview, Run;
    post "/staff/consultations/{slug}/responses/import/{upload}"    => workspace::import::confirm, Run;
    get "/staff/consultations/{slug}/inbox/{reference}"             => workspace::inbox::response::detail, Work;
    post "/staff/consultations/{slug}/inbox/{reference}/accept"     => workspace::inbox::response::accept, Work;
    post "/staff/consultations/{slug}/inbox/{reference}/issues"     => workspace::inbox::response::add, Work;
    post "/staff/consultations/{slug}/inbox/{reference}/redact"     => workspace::inbox::response::redact, Run;
    post "/staff/consultations/{slug}/inbox/{reference}/checked"    => workspace::inbox::response::checked, Run;
    post "/staff/consultations/{slug}/inbox/{reference}/work"       => workspace::inbox::response::work, Work;
    post "/staff/consultations/{slug}/inbox/{reference}/bulk"       => workspace::inbox::response::bulk, Work;
    get "/staff/consultations/{slug}/inbox/{reference}/bulk"        => workspace::inbox::response::confirm_bulk, Work;
    post "/staff/consultations/{slug}/issues/{issue}"               => workspace::inbox::response::edit, Work;
    post "/staff/consultations/{slug}/issues/{issue}/merge-next"    => workspace::inbox::response::merge_next, Work;
    post "/staff/consultations/{slug}/issues/{issue}/split"         => workspace::inbox::response::split, Work;
    post "/staff/consultations/{slug}/issues/{issue}/remove"        => workspace::inbox::response::remove, Work;
    get "/staff/consultations/{slug}/issues/{issue}/remove"         => workspace::inbox::response::confirm_remove, Work;
    get "/staff/consultations/{slug}/issues/{issue}/draft"          => workspace::drafting::form, Work;
    post "/staff/consultations/{slug}/issues/{issue}/draft"         => workspace::drafting::save, Work;
    post "/staff/consultations/{slug}/issues/{issue}/repeats"       => workspace::drafting::answer_repeats, Work;
    get "/staff/consultations/{slug}/themes"                        => workspace::themes::triage, Work;
    post "/staff/consultations/{slug}/themes"                       => workspace::themes::create, Work;
    post "/staff/consultations/{slug}/themes/move"                  => workspace::themes::move_issues, Work;
    get "/staff/consultations/{slug}/themes/{theme}"                => workspace::themes::theme, Work;
    post "/staff/consultations/{slug}/themes/{theme}/rename"        => workspace::themes::rename, Work;
    post "/staff/consultations/{slug}/themes/{theme}/pin"           => workspace::themes::pin, Work;
    post "/staff/consultations/{slug}/themes/{theme}/assign"        => workspace::themes::assign, Work;
    post "/staff/consultations/{slug}/themes/{theme}/merge"         => workspace::themes::merge, Work;
    get "/staff/consultations/{slug}/themes/{theme}/merge"          => workspace::themes::confirm_merge, Work;
    post "/staff/consultations/{slug}/themes/{theme}/split"         => workspace::themes::split, Work;
    get "/staff/consultations/{slug}/analysis"                      => workspace::analysis::status, Work;
    post "/staff/consultations/{slug}/analysis"                     => workspace::analysis::start, Work;
    get "/api/openapi.json"                                         => api::openapi, Anyone;
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
            "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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
