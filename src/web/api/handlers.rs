//! API handlers: the same use cases as the pages, as JSON. Each extracts
//! its input, calls one use case (which applies the access policy) and
//! answers; the caller is the bearer token's staff user.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

use super::ApiStaff;
use super::schemas::*;
use crate::domain::Channel;
use crate::service::access::Caller;
use crate::service::editing::{
    self, Body, BodyInput, BodyLink, Changeable, DetailsInput, LinkInput, Part, Question,
    QuestionInput, Section, SectionInput,
};
use crate::service::model::Connection;
use crate::service::{self, ServiceResult, submission};
use crate::web::error::{ApiError, AppError};
use crate::web::state::AppState;

/// Runs a use case as the bearer token's user, at the service's time.
async fn as_staff<T, F>(state: &AppState, staff: ApiStaff, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Connection, &Caller, DateTime<Utc>) -> ServiceResult<T> + Send + 'static,
    T: Send + 'static,
{
    let (caller, now) = (Caller::Staff(staff.0.user), state.clock.now());
    Ok(state.db(move |conn| work(conn, &caller, now)).await?)
}

fn created(id: i64) -> HttpResponse {
    HttpResponse::Created().json(Created { id })
}

fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// Sign in for a bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "staff", request_body = SignIn,
    responses((status = 201, body = SessionOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json", description = "Wrong e-mail address or password"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { email, password } = body.into_inner();
    crate::web::auth::throttle_sign_in(&req, &state, &email)?;
    let (now, hours) = (state.clock.now(), state.settings.session_hours);
    // Wrong credentials are 401: the request was well formed, the
    // credentials were not good (RFC 9110 §15.5.2).
    let session = state
        .db(move |conn| service::auth::sign_in(conn, &email, &password, now, hours))
        .await
        .map_err(|e| match e {
            AppError::Invalid(errors) => AppError::Unauthorised(
                errors
                    .into_iter()
                    .next()
                    .map(|e| e.message)
                    .unwrap_or_default(),
            ),
            other => other,
        })?;
    Ok(HttpResponse::Created().json(SessionOut {
        token: session.token,
        expires_at: session.expires_at.to_rfc3339(),
    }))
}

/// End the bearer token's session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "staff", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_session(
    state: web::Data<AppState>,
    staff: ApiStaff,
) -> Result<HttpResponse, ApiError> {
    let token = staff.0.token.clone();
    state
        .db(move |conn| service::auth::sign_out(conn, &token))
        .await?;
    Ok(no_content())
}

/// Consultations the public can see (staff with a bearer token see drafts
/// of consultations they may work on too).
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations", security((), ("bearer" = [])),
    responses((status = 200, body = Vec<ConsultationListing>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Option<ApiStaff>,
) -> Result<HttpResponse, ApiError> {
    let caller = staff.map(|s| Caller::Staff(s.0.user));
    let visible = state
        .db(move |conn| service::consultations::visible_to(conn, caller.as_ref()))
        .await?;
    let out: Vec<ConsultationListing> = visible.iter().map(ConsultationListing::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// One consultation with its document and structure.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}", tag = "consultations", security((), ("bearer" = [])), params(("slug" = String, Path, max_length = 80)),
    responses((status = 200, body = ConsultationOut), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn show(
    state: web::Data<AppState>,
    staff: Option<ApiStaff>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (slug, caller) = (slug.into_inner(), staff.map(|s| Caller::Staff(s.0.user)));
    let document = state
        .db(move |conn| service::consultations::document_for(conn, caller.as_ref(), &slug))
        .await?;
    Ok(HttpResponse::Ok().json(ConsultationOut::from(&document)))
}

/// Create a draft consultation.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations", security(("bearer" = [])), request_body = DetailsInput,
    responses((status = 201, body = ConsultationListing), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    staff: ApiStaff,
    body: web::Json<DetailsInput>,
) -> Result<HttpResponse, ApiError> {
    let c = as_staff(&state, staff, move |conn, who, now| {
        editing::create(conn, who, &body, now)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/consultations/{}", c.slug),
        ))
        .json(ConsultationListing::from(&c)))
}

/// Change a consultation's details.
#[utoipa::path(patch, path = "/api/v1/consultations/{slug}", tag = "consultations", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = DetailsInput,
    responses((status = 204), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<DetailsInput>,
) -> Result<HttpResponse, ApiError> {
    as_staff(&state, staff, move |conn, who, now| {
        editing::change_details(conn, who, &slug, &body, now)
    })
    .await?;
    Ok(no_content())
}

/// Move a consultation one step: draft → open → closed → published.
/// Publishing checks that every public issue has an agreed response; to
/// publish before that, give `override_reason`.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/status", tag = "consultations", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = StatusChange,
    responses((status = 204), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn status(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let StatusChange {
        status,
        override_reason,
    } = body.into_inner();
    as_staff(&state, staff, move |conn, who, now| {
        editing::details::change_status(conn, who, &slug, &status, override_reason.as_deref(), now)
    })
    .await?;
    Ok(no_content())
}

/// Adds a part of a consultation (a section, question, body or link).
async fn add_part<P: Part>(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<P::Input>,
) -> Result<HttpResponse, ApiError>
where
    P::Input: Send + 'static,
{
    let id = as_staff(&state, staff, move |conn, who, now| {
        editing::add::<P>(conn, who, &slug, &body, now)
    })
    .await?;
    Ok(created(id))
}

/// Changes a part of a consultation.
async fn update_part<P: Changeable>(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
    body: web::Json<P::Input>,
) -> Result<HttpResponse, ApiError>
where
    P::Input: Send + 'static,
{
    let (slug, id) = path.into_inner();
    let id = item_id(&id)?;
    as_staff(&state, staff, move |conn, who, now| {
        editing::update::<P>(conn, who, &slug, (id, &body), now)
    })
    .await?;
    Ok(no_content())
}

/// Deletes a part of a consultation.
async fn delete_part<P: Part>(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let id = item_id(&id)?;
    as_staff(&state, staff, move |conn, who, now| {
        editing::delete::<P>(conn, who, &slug, id, now)
    })
    .await?;
    Ok(no_content())
}

/// Add a section to the document.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/sections", tag = "document", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = SectionInput,
    responses((status = 201, body = Created), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_section(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<SectionInput>,
) -> Result<HttpResponse, ApiError> {
    add_part::<Section>(state, staff, slug, body).await
}

/// Delete a section.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/sections/{section}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("section" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_section(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    delete_part::<Section>(state, staff, path).await
}

/// Add a question.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/questions", tag = "document", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = QuestionInput,
    responses((status = 201, body = Created), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    add_part::<Question>(state, staff, slug, body).await
}

/// Change a question's wording and whether it is required (its kind and choices stay).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/questions/{question}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("question" = i64, Path)), request_body = QuestionInput,
    responses((status = 204), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    update_part::<Question>(state, staff, path, body).await
}

/// Delete a question (refused, 409, while the consultation is open with responses).
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/questions/{question}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("question" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    delete_part::<Question>(state, staff, path).await
}

/// Add a body to the proposed structure.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/bodies", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = BodyInput,
    responses((status = 201, body = Created), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<BodyInput>,
) -> Result<HttpResponse, ApiError> {
    add_part::<Body>(state, staff, slug, body).await
}

/// Change a body.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/bodies/{body}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("body" = i64, Path)), request_body = BodyInput,
    responses((status = 204), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
    body: web::Json<BodyInput>,
) -> Result<HttpResponse, ApiError> {
    update_part::<Body>(state, staff, path, body).await
}

/// Delete a body and its links.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/bodies/{body}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("body" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    delete_part::<Body>(state, staff, path).await
}

/// Link two bodies.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/links", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80)), request_body = LinkInput,
    responses((status = 201, body = Created), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_link(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<LinkInput>,
) -> Result<HttpResponse, ApiError> {
    add_part::<BodyLink>(state, staff, slug, body).await
}

/// Delete a link.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/links/{link}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path, max_length = 80), ("link" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_link(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    delete_part::<BodyLink>(state, staff, path).await
}

/// An item's id from the path: a number that is no item's id (or does not
/// fit one) is "not found", as a missing item is.
fn item_id(path: &str) -> Result<i64, ApiError> {
    path.parse()
        .map_err(|_| ApiError(AppError::NotFound("item".into())))
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible characters.
/// Keys are scoped to the consultation (and bound to what was sent under
/// them, by the response writer), so one caller's key never reaches
/// another's response.
fn idempotency_key(req: &HttpRequest, slug: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError(AppError::BadRequest(
                "Idempotency-Key must be 1 to 255 visible characters".into(),
            ))
        })?;
    Ok(Some(format!(
        "api:{slug}:{}",
        crate::security::sha256_hex(key)
    )))
}

/// Submit a response. An `Idempotency-Key` header makes retries safe: the
/// same key with the same content returns the first response's receipt
/// (200); the same key with other content is refused (422).
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/responses", tag = "responses", params(("slug" = String, Path, max_length = 80), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$")), request_body = SubmissionIn,
    responses((status = 200, body = ReceiptOut, description = "The same request was received before under this Idempotency-Key"), (status = 201, body = ReceiptOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json", description = "The consultation has closed"), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json"), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Json<SubmissionIn>,
) -> Result<HttpResponse, ApiError> {
    crate::web::rate_limit::check_post(&req, &state)?;
    let slug = slug.into_inner();
    let key = idempotency_key(&req, &slug)?;
    let draft = body.into_inner().into_draft();
    let now = state.clock.now();
    let s = slug.clone();
    let (consultation, submission) = state
        .db(move |conn| {
            let (consultation, spec) = service::responses::form_of(conn, &s)?;
            if let Some(why) = service::responses::refusal(&consultation, now) {
                return Err(service::ServiceError::Closed(why));
            }
            let submission = submission::validate(&draft, &spec, Channel::Online)
                .map_err(service::ServiceError::Invalid)?;
            Ok((consultation, submission))
        })
        .await?;
    let email = submission.email().map(str::to_string);
    let receipt = state
        .submissions
        .enqueue(&slug, submission, key, now)
        .map_err(AppError::from)?
        .receipt()
        .await
        .map_err(AppError::from)?;
    if let Some(email) = email.filter(|_| !receipt.repeated) {
        crate::web::respond::send_receipt(&state, &req, &consultation, &receipt, email);
    }
    let link = format!(
        "/consultations/{slug}/responses/{}?key={}",
        receipt.reference,
        crate::web::respond::private_key(&state, &receipt.reference, &receipt.edit_salt)
    );
    let status = if receipt.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(ReceiptOut {
        reference: receipt.reference,
        private_link: link,
    }))
}
