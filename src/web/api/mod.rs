//! The JSON API (`/api/v1`) and its OpenAPI document (`/api/openapi.json`),
//! generated from the handlers' annotations so it cannot drift from them.

pub mod handlers;
pub mod patterns;
pub mod schemas;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use utoipa::OpenApi;

use self::patterns::Patterns;
use super::Access;
use super::auth::StaffUser;
use super::error::{ApiError, AppError};

/// A staff user of an API call: bearer tokens only. Session cookies are not
/// accepted here, so a page on another site cannot make a signed-in
/// browser call the API (no CSRF tokens needed for JSON).
#[derive(Debug, Clone)]
pub struct ApiStaff(pub StaffUser);

impl FromRequest for ApiStaff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let has_bearer = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
        let staff = StaffUser::from_request(req, payload);
        Box::pin(async move {
            if !has_bearer {
                return Err(ApiError(AppError::SignInRequired(String::new())));
            }
            staff.await.map(ApiStaff).map_err(ApiError)
        })
    }
}

/// Declares the API routes once: registers them, and lists them for the
/// test that checks the OpenAPI document covers every one.
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:path, $access:ident),+ $(,)?) => {
        /// Every API route as (method, path, who may call it).
        pub const API_ROUTES: &[(&str, &str, Access)] = &[$((stringify!($method), $path, Access::$access)),+];

        /// Registers the API routes; any other method on their paths is
        /// answered 405 with the methods it takes.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            cfg.app_data(json_config());
            $(cfg.route($path, web::$method().to($handler));)+
            let mut paths: Vec<&str> = API_ROUTES.iter().map(|(_, path, _)| *path).collect();
            paths.dedup();
            paths.sort_unstable();
            paths.dedup();
            for path in paths {
                cfg.service(web::resource(path).to(method_not_allowed));
            }
        }
    };
}

api_routes! {
    post "/api/v1/sessions" => handlers::create_session, Anyone,
    delete "/api/v1/sessions/current" => handlers::delete_session, SignedIn,
    get "/api/v1/consultations" => handlers::list, Anyone,
    post "/api/v1/consultations" => handlers::create, CreateConsultations,
    get "/api/v1/consultations/{slug}" => handlers::show, Anyone,
    patch "/api/v1/consultations/{slug}" => handlers::update, Run,
    post "/api/v1/consultations/{slug}/status" => handlers::status, Run,
    post "/api/v1/consultations/{slug}/sections" => handlers::add_section, Run,
    delete "/api/v1/consultations/{slug}/sections/{section}" => handlers::delete_section, Run,
    post "/api/v1/consultations/{slug}/questions" => handlers::add_question, Run,
    put "/api/v1/consultations/{slug}/questions/{question}" => handlers::update_question, Run,
    delete "/api/v1/consultations/{slug}/questions/{question}" => handlers::delete_question, Run,
    post "/api/v1/consultations/{slug}/bodies" => handlers::add_body, Run,
    put "/api/v1/consultations/{slug}/bodies/{body}" => handlers::update_body, Run,
    delete "/api/v1/consultations/{slug}/bodies/{body}" => handlers::delete_body, Run,
    post "/api/v1/consultations/{slug}/links" => handlers::add_link, Run,
    delete "/api/v1/consultations/{slug}/links/{link}" => handlers::delete_link, Run,
    post "/api/v1/consultations/{slug}/responses" => handlers::submit, Anyone,
}

/// Any method an API path does not take: 405, with the ones it does.
async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let pattern = req.match_pattern().unwrap_or_default();
    let allow: Vec<String> = API_ROUTES
        .iter()
        .filter(|(_, path, _)| *path == pattern)
        .map(|(method, _, _)| method.to_uppercase())
        .collect();
    let detail = format!("This address takes {}", allow.join(", "));
    let problem = schemas::Problem::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        ("Method not allowed", detail),
        &[],
    );
    let mut builder = HttpResponse::MethodNotAllowed();
    builder.insert_header((actix_web::http::header::ALLOW, allow.join(", ")));
    problem.respond(builder)
}

/// JSON bodies: bounded, and malformed ones answered as problem details.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(super::form::MAX_FORM_BYTES)
        .error_handler(|error, _| {
            let app = match &error {
                actix_web::error::JsonPayloadError::ContentType => AppError::UnsupportedMediaType(
                    "Send JSON with Content-Type: application/json".into(),
                ),
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    AppError::PayloadTooLarge
                }
                actix_web::error::JsonPayloadError::Payload(payload) => {
                    crate::web::error::payload_error(payload)
                }
                other => AppError::BadRequest(format!("The JSON body could not be read: {other}")),
            };
            ApiError(app).into()
        })
}

/// Adds the bearer-token security scheme.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// OpenAPI requires a description on every response; where a handler's
/// annotation gives none, use the status code's reason phrase.
struct ResponseDescriptions;

impl utoipa::Modify for ResponseDescriptions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for (code, response) in operation.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(response) = response
                        && response.description.is_empty()
                    {
                        let reason = code
                            .parse::<u16>()
                            .ok()
                            .and_then(|c| actix_web::http::StatusCode::from_u16(c).ok())
                            .and_then(|c| c.canonical_reason())
                            .unwrap_or("Response");
                        response.description = reason.to_string();
                    }
                }
            }
        }
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Sounding API", description = "Public consultations: consultations, their documents and structures, and responses."),
    paths(
        handlers::create_session, handlers::delete_session, handlers::list, handlers::create, handlers::show,
        handlers::update, handlers::status, handlers::add_section, handlers::delete_section, handlers::add_question,
        handlers::update_question, handlers::delete_question, handlers::add_body, handlers::update_body, handlers::delete_body, handlers::add_link,
        handlers::delete_link, handlers::submit,
    ),
    modifiers(&BearerScheme, &ResponseDescriptions, &Patterns),
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
