//! The consultee's side: the response form, "check your answers", the
//! confirmation with a reference and private link, and changing a response.
//!
//! Refusals (closed, rate limited, unavailable, forged) always show the
//! consultee what they typed, so nothing is lost.

pub mod form_model;
pub mod view;

use std::sync::{Arc, OnceLock};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use self::form_model::{Action, apply, from_form};
use self::view::{FormContext, FormMode};
use super::csrf::{self, CsrfCookie};
use super::error::{AppError, with_retry_after};
use super::form::FormData;
use super::state::AppState;
use crate::domain::submission::SubmissionDraft;
use crate::domain::{Channel, ValidationError, time};
use crate::service;
use crate::service::model::Consultation;
use crate::service::submission::{self, FormSpec};
use crate::templates;

/// What the form needs from the database.
pub struct LoadedForm {
    receipts: bool,
    consultation: Consultation,
    spec: FormSpec,
    /// The blank form, rendered once and cut where each reader's token goes.
    blank: OnceLock<Vec<String>>,
}

impl LoadedForm {
    /// The blank form with `token` in it. The form is the same for everyone
    /// but its token: it is rendered once with a slot for the token, and
    /// each reader's copy is the pieces joined by their token.
    fn blank_form(&self, token: &str) -> Result<String, AppError> {
        let pieces = match self.blank.get() {
            Some(pieces) => pieces,
            None => {
                let data = view::form_page(
                    &self.context(),
                    &SubmissionDraft::blank(),
                    &[],
                    TOKEN_SLOT,
                    &FormMode::New,
                    None,
                );
                let html = templates::render("respond", &data)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                // Two readers may both render it; either copy will do.
                let _ = self
                    .blank
                    .set(html.split(TOKEN_SLOT).map(str::to_string).collect());
                self.blank
                    .get()
                    .ok_or_else(|| AppError::Internal("blank form".into()))?
            }
        };
        Ok(pieces.join(token))
    }

    fn context(&self) -> FormContext<'_> {
        FormContext {
            consultation: &self.consultation,
            questions: &self.spec.questions,
            sections: &self.spec.sections,
            bodies: &self.spec.bodies,
            receipts: self.receipts,
        }
    }
}

/// What the form needs, from the form cache or the database.
async fn load(state: &AppState, slug: String) -> Result<Arc<LoadedForm>, AppError> {
    if let Some(loaded) = state.forms.get(&slug) {
        return Ok(loaded);
    }
    let receipts = state.mailer.is_some();
    let key = slug.clone();
    let loaded = state
        .db(move |conn| {
            let (consultation, spec) = service::responses::form_of(conn, &slug)?;
            Ok(LoadedForm {
                receipts,
                blank: OnceLock::new(),
                consultation,
                spec,
            })
        })
        .await?;
    let loaded = Arc::new(loaded);
    state.forms.put(&key, loaded.clone());
    Ok(loaded)
}

/// Renders a page, setting the CSRF cookie when it is new.
fn page(
    status: StatusCode,
    template: &str,
    data: &serde_json::Value,
    cookie: Option<&CsrfCookie>,
    secure: bool,
) -> HttpResponse {
    let mut builder = with_retry_after(status, HttpResponse::build(status));
    if let Some(cookie) = cookie.filter(|c| c.is_new) {
        builder.cookie(cookie.cookie(secure));
    }
    match templates::render(template, data) {
        Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
        Err(e) => actix_web::ResponseError::error_response(&AppError::Internal(e.to_string())),
    }
}

/// A refusal page that gives back everything typed.
fn refused(
    state: &AppState,
    error: AppError,
    typed: &SubmissionDraft,
    slug: Option<&str>,
) -> HttpResponse {
    let status = actix_web::ResponseError::status_code(&error);
    if status.is_server_error() {
        tracing::error!(%error, "response could not be taken");
    }
    let (heading, message) = error.public_message();
    page(
        status,
        "respond_refused",
        &view::refused_page(heading, &message, typed, slug),
        None,
        state.settings.secure_cookies,
    )
}

/// `GET /consultations/{slug}/respond`: the form, or a "closed" page.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    if let Some(why) = service::responses::refusal(&loaded.consultation, state.clock.now()) {
        return Ok(refused(
            &state,
            AppError::Gone(why),
            &SubmissionDraft::default(),
            Some(&loaded.consultation.slug),
        ));
    }
    let secure = state.settings.secure_cookies;
    let cookie = CsrfCookie::from_request(&req, secure);
    let token = csrf::issue(&state.signer, &cookie.value, state.clock.now());
    let html = loaded.blank_form(&token)?;
    let mut response = HttpResponse::Ok();
    if cookie.is_new {
        response.cookie(cookie.cookie(secure));
    }
    Ok(response.content_type("text/html; charset=utf-8").body(html))
}

/// Where the blank form's CSRF token goes (never a real token's shape).
const TOKEN_SLOT: &str = "__sounding_csrf_token__";

/// `POST /consultations/{slug}/respond`: every button of the form and the
/// check page.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: FormData,
) -> HttpResponse {
    let typed = from_form(&form);
    let slug = slug.into_inner();
    if let Err(error) = super::rate_limit::check_post(&req, &state) {
        return refused(&state, error, &typed, Some(&slug));
    }
    let loaded = match load(&state, slug.clone()).await {
        Ok(loaded) => loaded,
        Err(error) => return refused(&state, error, &typed, Some(&slug)),
    };
    let now = state.clock.now();
    if let Some(why) = service::responses::refusal(&loaded.consultation, now) {
        return refused(&state, AppError::Gone(why), &typed, Some(&slug));
    }
    let secure = state.settings.secure_cookies;
    let cookie = CsrfCookie::from_request(&req, secure);
    let nonce = match csrf::verify(
        &state.signer,
        csrf::cookie_value(&req, secure).as_deref(),
        form.get("csrf_token"),
        now,
    ) {
        Ok(nonce) => nonce,
        Err(why) => {
            // 403, but the form comes back with everything typed and a fresh token.
            let token = csrf::issue(&state.signer, &cookie.value, now);
            let notice = format!(
                "We could not confirm this form came from this browser ({why}). Your answers are kept below: check them and continue."
            );
            let data = view::form_page(
                &loaded.context(),
                &typed,
                &[],
                &token,
                &FormMode::New,
                Some(&notice),
            );
            return page(
                StatusCode::FORBIDDEN,
                "respond",
                &data,
                Some(&cookie),
                secure,
            );
        }
    };
    let mut typed = typed;
    let action = Action::from_form(&form);
    let ctx = loaded.context();
    let fresh_token = || csrf::issue(&state.signer, &cookie.value, now);
    match action {
        Action::Check | Action::Submit => {
            let submission = match submission::validate(&typed, &loaded.spec, Channel::Online) {
                Ok(s) => s,
                Err(errors) => {
                    return form_with_errors(
                        &state,
                        &ctx,
                        &typed,
                        &errors,
                        &fresh_token(),
                        &cookie,
                    );
                }
            };
            if action == Action::Check {
                return page(
                    StatusCode::OK,
                    "respond_check",
                    &view::check_page(&ctx, &typed, &fresh_token()),
                    Some(&cookie),
                    secure,
                );
            }
            let key = nonce;
            let email = submission.email().map(str::to_string);
            let result = match state.submissions.enqueue(&slug, submission, Some(key), now) {
                Ok(ticket) => ticket.receipt().await.map_err(AppError::from),
                Err(error) => Err(AppError::from(error)),
            };
            match result {
                Ok(receipt) => {
                    if let Some(email) = email.filter(|_| !receipt.repeated) {
                        send_receipt(&state, &req, &loaded.consultation, &receipt, email);
                    }
                    let link = confirmation_link(
                        &state,
                        &loaded.consultation.slug,
                        &receipt.reference,
                        &receipt.edit_salt,
                    );
                    HttpResponse::SeeOther()
                        .insert_header((header::LOCATION, link))
                        .finish()
                }
                Err(AppError::Invalid(errors)) => {
                    form_with_errors(&state, &ctx, &typed, &errors, &fresh_token(), &cookie)
                }
                Err(error) => refused(&state, error, &typed, Some(&loaded.consultation.slug)),
            }
        }
        other => {
            apply(&mut typed, other);
            let data = view::form_page(&ctx, &typed, &[], &fresh_token(), &FormMode::New, None);
            page(StatusCode::OK, "respond", &data, Some(&cookie), secure)
        }
    }
}

fn form_with_errors(
    state: &AppState,
    ctx: &FormContext<'_>,
    typed: &SubmissionDraft,
    errors: &[ValidationError],
    token: &str,
    cookie: &CsrfCookie,
) -> HttpResponse {
    let data = view::form_page(ctx, typed, errors, token, &FormMode::New, None);
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "respond",
        &data,
        Some(cookie),
        state.settings.secure_cookies,
    )
}

/// The private key of a response's link: a signature over its reference and
/// random salt, so it cannot be guessed and any instance can check it.
pub fn private_key(state: &AppState, reference: &str, salt: &str) -> String {
    state
        .signer
        .sign("response-link", &format!("{reference}|{salt}"))
}

/// The service's own address: configured, or as the request reached it.
pub fn base_url(state: &AppState, req: &HttpRequest) -> String {
    match &state.settings.public_url {
        Some(url) => url.clone(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// E-mails a receipt in the background, after the response is committed;
/// the consultee's reply never waits for the mail relay.
pub fn send_receipt(
    state: &AppState,
    req: &HttpRequest,
    consultation: &Consultation,
    receipt: &service::responses::Receipt,
    to: String,
) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    let mail = crate::mail::Receipt {
        to,
        consultation_title: consultation.title.clone(),
        reference: receipt.reference.clone(),
        private_url: format!(
            "{}/consultations/{}/responses/{}?key={}",
            base_url(state, req),
            consultation.slug,
            receipt.reference,
            private_key(state, &receipt.reference, &receipt.edit_salt)
        ),
        closes: view::closes_text(consultation),
    };
    actix_web::rt::spawn(async move {
        let reference = mail.reference.clone();
        match web::block(move || mailer.send_receipt(&mail)).await {
            Ok(Ok(())) => tracing::info!(%reference, "receipt sent"),
            Ok(Err(error)) => tracing::warn!(%reference, %error, "receipt not sent"),
            Err(error) => tracing::warn!(%reference, %error, "receipt task failed"),
        }
    });
}

fn confirmation_link(state: &AppState, slug: &str, reference: &str, salt: &str) -> String {
    format!(
        "/consultations/{slug}/responses/{reference}/confirmation?key={}",
        private_key(state, reference, salt)
    )
}

/// `?key=` on private pages.
#[derive(Debug, Deserialize)]
pub struct KeyQuery {
    #[serde(default)]
    key: String,
    #[serde(default)]
    saved: Option<String>,
}

/// Loads a response if `key` is its private key; "not found" otherwise, so
/// references cannot be probed.
async fn authorised_view(
    state: &AppState,
    slug: String,
    reference: String,
    key: &str,
) -> Result<service::responses::PrivateView, AppError> {
    let view = state
        .db(move |conn| service::responses::private_view(conn, &slug, &reference))
        .await?;
    let salt = view.response.edit_salt.clone().unwrap_or_default();
    let expected = format!("{}|{}", view.response.reference, salt);
    if salt.is_empty() || !state.signer.verify("response-link", &expected, key) {
        return Err(AppError::NotFound("response".into()));
    }
    Ok(view)
}

/// `GET …/responses/{reference}/confirmation?key=`: the confirmation page.
pub async fn confirmation(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let view = authorised_view(&state, slug, reference, &query.key).await?;
    let link = format!(
        "/consultations/{}/responses/{}?key={}",
        view.consultation.slug, view.response.reference, query.key
    );
    let data = serde_json::json!({
        "reference": view.response.reference,
        "consultation": { "title": view.consultation.title, "slug": view.consultation.slug, "group_name": view.consultation.group_name },
        "closes": view::closes_text(&view.consultation),
        "private_link": link,
        "private_url": format!("{}{link}", base_url(&state, &req)),
        "emailed": state.mailer.is_some() && view.consultees.first().is_some_and(|c| c.contact_email.is_some()),
    });
    Ok(page(
        StatusCode::OK,
        "respond_done",
        &data,
        None,
        state.settings.secure_cookies,
    ))
}

/// `GET …/responses/{reference}?key=`: the consultee's own response.
pub async fn private(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let view = authorised_view(&state, slug, reference, &query.key).await?;
    let closed = service::responses::refusal(&view.consultation, state.clock.now());
    let from = view
        .consultees
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(" / ");
    let data = serde_json::json!({
        "reference": view.response.reference,
        "consultation": { "title": view.consultation.title },
        "saved": query.saved.is_some(),
        "received": time::date_and_time(time::from_db(view.response.received_at)),
        "from": from,
        "publication": view.response.publication.label(),
        "version_note": (view.response.version > 1).then(|| format!("Changed {} time(s); earlier versions are kept", view.response.version - 1)),
        "points": view.points.iter().map(|(issue, _, _)| serde_json::json!({ "paragraphs": view::paragraphs(&issue.content) })).collect::<Vec<_>>(),
        "closed": closed,
        "closes": view::closes_text(&view.consultation),
        "change_link": format!("/consultations/{}/responses/{}/change?key={}", view.consultation.slug, view.response.reference, query.key),
    });
    Ok(page(
        StatusCode::OK,
        "response_private",
        &data,
        None,
        state.settings.secure_cookies,
    ))
}

/// `GET …/responses/{reference}/change?key=`: the form, prefilled.
pub async fn change_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let view = authorised_view(&state, slug.clone(), reference, &query.key).await?;
    if let Some(why) = service::responses::refusal(&view.consultation, state.clock.now()) {
        return Err(AppError::Gone(why));
    }
    let loaded = load(&state, slug).await?;
    let cookie = CsrfCookie::from_request(&req, state.settings.secure_cookies);
    let token = csrf::issue(&state.signer, &cookie.value, state.clock.now());
    let mode = FormMode::Change {
        reference: view.response.reference.clone(),
        key: query.key.clone(),
        version: view.response.version,
    };
    let typed = view.as_draft();
    let data = view::form_page(&loaded.context(), &typed, &[], &token, &mode, None);
    Ok(page(
        StatusCode::OK,
        "respond",
        &data,
        Some(&cookie),
        state.settings.secure_cookies,
    ))
}

/// `POST …/responses/{reference}`: saves a consultee's change.
pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: FormData,
) -> HttpResponse {
    let (slug, reference) = path.into_inner();
    let mut typed = from_form(&form);
    let key = form.get("key").to_string();
    if let Err(error) = super::rate_limit::check_post(&req, &state) {
        return refused(&state, error, &typed, Some(&slug));
    }
    let view = match authorised_view(&state, slug.clone(), reference.clone(), &key).await {
        Ok(view) => view,
        Err(error) => return refused(&state, error, &typed, Some(&slug)),
    };
    let loaded = match load(&state, slug.clone()).await {
        Ok(loaded) => loaded,
        Err(error) => return refused(&state, error, &typed, Some(&slug)),
    };
    let now = state.clock.now();
    let secure = state.settings.secure_cookies;
    let cookie = CsrfCookie::from_request(&req, secure);
    let version: i32 = form.get("version").parse().unwrap_or(view.response.version);
    let mode = FormMode::Change {
        reference: reference.clone(),
        key: key.clone(),
        version,
    };
    let token = csrf::issue(&state.signer, &cookie.value, now);
    if let Err(why) = csrf::verify(
        &state.signer,
        csrf::cookie_value(&req, secure).as_deref(),
        form.get("csrf_token"),
        now,
    ) {
        let notice = format!(
            "We could not confirm this form came from this browser ({why}). Your changes are kept below: check them and save again."
        );
        return page(
            StatusCode::FORBIDDEN,
            "respond",
            &view::form_page(&loaded.context(), &typed, &[], &token, &mode, Some(&notice)),
            Some(&cookie),
            secure,
        );
    }
    let action = Action::from_form(&form);
    if action != Action::Submit && action != Action::Check {
        apply(&mut typed, action);
        return page(
            StatusCode::OK,
            "respond",
            &view::form_page(&loaded.context(), &typed, &[], &token, &mode, None),
            Some(&cookie),
            secure,
        );
    }
    let changed = match submission::validate(&typed, &loaded.spec, Channel::Online) {
        Ok(s) => s.held(view.response.status == crate::domain::ResponseStatus::Held),
        Err(errors) => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "respond",
                &view::form_page(&loaded.context(), &typed, &errors, &token, &mode, None),
                Some(&cookie),
                secure,
            );
        }
    };
    let (s, r) = (slug.clone(), reference.clone());
    match state
        .db(move |conn| service::responses::change(conn, &s, &r, version, &changed, now))
        .await
    {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/consultations/{slug}/responses/{reference}?key={key}&saved=1"),
            ))
            .finish(),
        Err(AppError::Conflict(why)) => page(
            StatusCode::CONFLICT,
            "respond",
            &view::form_page(&loaded.context(), &typed, &[], &token, &mode, Some(&why)),
            Some(&cookie),
            secure,
        ),
        Err(error) => refused(&state, error, &typed, Some(&slug)),
    }
}
