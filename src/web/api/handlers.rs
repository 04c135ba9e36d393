//! API handlers: the same use cases as the pages, as JSON.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::ApiStaff;
use super::schemas::*;
use crate::domain::{BodyId, BodyLinkId, ConsultationStatus, QuestionId, Role, SectionId};
use crate::service::editing::{
    self, Actor, BodyInput, DetailsInput, LinkInput, QuestionInput, SectionInput,
};
use crate::service::workspace::access;
use crate::service::{self, ServiceError};
use crate::web::error::{ApiError, AppError};
use crate::web::respond::form_model::{RespondForm, TypedOrganisation, TypedPoint};
use crate::web::state::AppState;

const EDITORS: &[Role] = &[Role::Officer, Role::Admin];

fn editor(staff: &ApiStaff) -> Result<Actor, ApiError> {
    staff.0.require(EDITORS)?;
    Ok(Actor::staff(&staff.0.user))
}

/// Sign in for a bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "staff", request_body = SignIn,
    responses((status = 201, body = SessionOut), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    if let Some(address) = req.peer_addr().map(|a| a.ip())
        && !state.sign_in_limiter.allow(address)
    {
        return Err(AppError::TooManyRequests.into());
    }
    let (now, hours) = (state.clock.now(), state.settings.session_hours);
    let SignIn { email, password } = body.into_inner();
    let session = state
        .db(move |conn| service::auth::sign_in(conn, &email, &password, now, hours))
        .await?;
    Ok(HttpResponse::Created().json(SessionOut {
        token: session.token,
        expires_at: session.expires_at.to_rfc3339(),
    }))
}

/// End the bearer token's session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "staff", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn delete_session(
    state: web::Data<AppState>,
    staff: ApiStaff,
) -> Result<HttpResponse, ApiError> {
    let token = staff.0.token.clone();
    state
        .db(move |conn| service::auth::sign_out(conn, &token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Consultations the public can see (staff with a bearer token see drafts too).
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations",
    responses((status = 200, body = Vec<ConsultationSummary>)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Option<ApiStaff>,
) -> Result<HttpResponse, ApiError> {
    let user = staff.map(|s| s.0.user);
    let visible: Vec<ConsultationSummary> = state
        .db(move |conn| {
            let mut visible = Vec::new();
            for c in crate::db::consultations::all(conn)? {
                let staff_view = match &user {
                    Some(user) => access::sees_as_staff(conn, user, &c)?,
                    None => false,
                };
                if staff_view || c.status.is_public() {
                    visible.push(ConsultationSummary::from(&c));
                }
            }
            Ok(visible)
        })
        .await?;
    Ok(HttpResponse::Ok().json(visible))
}

/// One consultation with its document and structure.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}", tag = "consultations", params(("slug" = String, Path)),
    responses((status = 200, body = ConsultationOut), (status = 404, body = Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    staff: Option<ApiStaff>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (slug, user) = (slug.into_inner(), staff.map(|s| s.0.user));
    let document = state
        .db(move |conn| {
            if let Some(user) = user {
                let c = editing::consultation(conn, &slug)?;
                if access::sees_as_staff(conn, &user, &c)? {
                    return service::consultations::document_of(conn, c);
                }
            }
            service::consultations::public_document(conn, &slug)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ConsultationOut::from(&document)))
}

/// Create a draft consultation.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations", security(("bearer" = [])), request_body = DetailsInput,
    responses((status = 201, body = ConsultationSummary), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: ApiStaff,
    body: web::Json<DetailsInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let created = state
        .db(move |conn| editing::create(conn, &who, &body))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/consultations/{}", created.slug),
        ))
        .json(ConsultationSummary::from(&created)))
}

/// Change a consultation's details.
#[utoipa::path(patch, path = "/api/v1/consultations/{slug}", tag = "consultations", security(("bearer" = [])), params(("slug" = String, Path)), request_body = DetailsInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<DetailsInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    state
        .db(move |conn| editing::update(conn, &who, &slug, &body))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a consultation one step: draft → open → closed → published.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/status", tag = "consultations", security(("bearer" = [])), params(("slug" = String, Path)), request_body = StatusChange,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn status(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let to = body
        .status
        .parse::<ConsultationStatus>()
        .map_err(|e| ServiceError::invalid("status", e.to_string()))?;
    let now = state.clock.now();
    state
        .db(move |conn| editing::move_status(conn, &who, &slug, to, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a section to the document.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/sections", tag = "document", security(("bearer" = [])), params(("slug" = String, Path)), request_body = SectionInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_section(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<SectionInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let id = state
        .db(move |conn| editing::add_section(conn, &who, &slug, &body))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// Delete a section.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/sections/{id}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_section(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::delete_section(conn, &who, &slug, SectionId(id)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a question.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/questions", tag = "document", security(("bearer" = [])), params(("slug" = String, Path)), request_body = QuestionInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let id = state
        .db(move |conn| editing::add_question(conn, &who, &slug, &body))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// Change a question's wording and whether it is required (its kind and choices stay).
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/questions/{id}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)), request_body = QuestionInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::update_question(conn, &who, &slug, QuestionId(id), &body))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a question (refused, 409, while the consultation is open with responses).
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/questions/{id}", tag = "document", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_question(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::delete_question(conn, &who, &slug, QuestionId(id)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a body to the proposed structure.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/bodies", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path)), request_body = BodyInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<BodyInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let id = state
        .db(move |conn| editing::add_body(conn, &who, &slug, &body))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// Change a body.
#[utoipa::path(put, path = "/api/v1/consultations/{slug}/bodies/{id}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)), request_body = BodyInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
    body: web::Json<BodyInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::update_body(conn, &who, &slug, BodyId(id), &body))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a body and its links.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/bodies/{id}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_body(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::delete_body(conn, &who, &slug, BodyId(id)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Link two bodies.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/links", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path)), request_body = LinkInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_link(
    state: web::Data<AppState>,
    staff: ApiStaff,
    slug: web::Path<String>,
    body: web::Json<LinkInput>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let id = state
        .db(move |conn| editing::add_link(conn, &who, &slug, &body))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// Delete a link.
#[utoipa::path(delete, path = "/api/v1/consultations/{slug}/links/{id}", tag = "structure", security(("bearer" = [])), params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_link(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let who = editor(&staff)?;
    let (slug, id) = path.into_inner();
    state
        .db(move |conn| editing::delete_link(conn, &who, &slug, BodyLinkId(id)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The API submission as the web form would have typed it, so both are
/// validated by the same rules.
fn as_form(s: &SubmissionIn) -> RespondForm {
    let org = s.organisation.as_ref();
    RespondForm {
        name: s.name.clone(),
        email: s.email.clone().unwrap_or_default(),
        on_behalf: if org.is_some() { "yes" } else { "no" }.into(),
        organisation: org.map(|o| o.name.clone()).unwrap_or_default(),
        organisation_kind: org.map(|o| o.kind.clone()).unwrap_or_default(),
        joint: s
            .joint
            .iter()
            .map(|o| TypedOrganisation {
                name: o.name.clone(),
                kind: o.kind.clone(),
            })
            .collect(),
        answers: s.answers.clone(),
        points: s
            .points
            .iter()
            .map(|p| TypedPoint {
                text: p.text.clone(),
                sections: p.section_ids.iter().map(ToString::to_string).collect(),
                bodies: p.body_ids.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        publication: s.publication.clone(),
        website: String::new(),
    }
}

/// Submit a response. An `Idempotency-Key` header makes retries safe: the
/// same key returns the first response's receipt.
#[utoipa::path(post, path = "/api/v1/consultations/{slug}/responses", tag = "responses", params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = SubmissionIn,
    responses((status = 201, body = ReceiptOut), (status = 404, body = Problem), (status = 410, body = Problem, description = "The consultation has closed"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Json<SubmissionIn>,
) -> Result<HttpResponse, ApiError> {
    if let Some(address) = req.peer_addr().map(|a| a.ip())
        && !state.limiter.allow(address)
    {
        return Err(AppError::TooManyRequests.into());
    }
    let slug = slug.into_inner();
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("api:{}", k.trim()))
        .filter(|k| k.len() > 4 && k.len() < 200);
    let typed = as_form(&body);
    let email = body.email.clone().filter(|e| !e.trim().is_empty());
    let now = state.clock.now();
    let s = slug.clone();
    let (consultation, submission) = state
        .db(move |conn| {
            let consultation = service::responses::public_consultation(conn, &s)?;
            if let Some(why) = service::responses::refusal(&consultation, now) {
                return Err(ServiceError::Closed(why));
            }
            let id = consultation.id;
            let questions = crate::db::document::questions_of(conn, id)?;
            let sections = crate::db::document::sections_of(conn, id)?;
            let bodies = crate::db::structure::bodies_of(conn, id)?;
            let mut submission = typed
                .validate(&questions, &sections, &bodies)
                .map_err(ServiceError::Invalid)?;
            submission.channel = crate::domain::Channel::Online;
            Ok((consultation, submission))
        })
        .await?;
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
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(ReceiptOut {
        reference: receipt.reference,
        private_link: link,
    }))
}
