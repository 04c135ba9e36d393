//! The consultee's side: the response form, "check your answers", the
//! confirmation with a reference and private link, and changing a response.
//!
//! Refusals (closed, rate limited, unavailable, forged) always show the
//! consultee what they typed, so nothing is lost.

pub mod form_model;
pub mod view;

use std::sync::{Arc, OnceLock};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use serde::Serialize;

use self::form_model::{Action, apply, from_form};
use self::view::{FormContext, FormMode};
use super::csrf;
use super::error::{AppError, with_retry_after};
use super::form::FormData;
use super::render::{self, Page, see_other};
use super::state::AppState;
use crate::domain::submission::SubmissionDraft;
use crate::domain::{Channel, ValidationError, time};
use crate::service;
use crate::service::model::Consultation;
use crate::service::submission::{self, FormSpec};

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
                let view = view::form_page(
                    &self.context(),
                    &SubmissionDraft::blank(),
                    (&[], None),
                    &FormMode::New,
                );
                let html = render::html("respond", &view, Some(TOKEN_SLOT), None)?;
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

/// Renders a consultee's page: with a fresh CSRF token for its form.
fn page<V: serde::Serialize>(
    (req, state): (&HttpRequest, &AppState),
    status: StatusCode,
    template: &str,
    view: &V,
) -> HttpResponse {
    Page::ok(template, view)
        .with_status(status)
        .render(req, state, None)
}

/// A refusal page that gives back everything typed.
fn refused(error: AppError, typed: &SubmissionDraft, slug: Option<&str>) -> HttpResponse {
    let status = actix_web::ResponseError::status_code(&error);
    if status.is_server_error() {
        tracing::error!(%error, "response could not be taken");
    }
    let (heading, message) = error.public_message();
    let view = view::refused_page(heading, &message, typed, slug);
    with_retry_after(status, HttpResponse::build(status))
        .content_type("text/html; charset=utf-8")
        .body(render::html("respond_refused", &view, None, None).unwrap_or(message))
}

/// `GET /consultations/{slug}/respond`: the form, or a "closed" page.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<ResumeQuery>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    if let Some(why) = service::responses::refusal(&loaded.consultation, state.clock.now()) {
        return Ok(refused(
            AppError::Gone(why),
            &SubmissionDraft::default(),
            Some(&loaded.consultation.slug),
        ));
    }
    if let Some(key) = query
        .resume
        .as_deref()
        .filter(|k| !k.is_empty() && k.len() <= 64)
    {
        return resume(&req, &state, &loaded, key.to_string()).await;
    }
    let secure = state.settings.secure_cookies;
    let cookie = csrf::CsrfCookie::from_request(&req, secure);
    let token = csrf::issue(&state.signer, &cookie.value, state.clock.now());
    let html = loaded.blank_form(&token)?;
    let mut response = HttpResponse::Ok();
    if cookie.is_new {
        response.cookie(cookie.cookie(secure));
    }
    Ok(response.content_type("text/html; charset=utf-8").body(html))
}

/// `?resume=` on the form: the key of saved answers.
#[derive(Debug, Default, Deserialize)]
pub struct ResumeQuery {
    #[serde(default)]
    resume: Option<String>,
}

/// The form with the answers saved under `key`, or blank with a note when
/// they are gone (sent, or past the closing time).
async fn resume(
    req: &HttpRequest,
    state: &AppState,
    loaded: &LoadedForm,
    key: String,
) -> Result<HttpResponse, AppError> {
    let (consultation, now, k) = (loaded.consultation.clone(), state.clock.now(), key.clone());
    let saved = state
        .db(move |conn| service::saved::load(conn, &consultation, &k, now))
        .await?;
    let ctx = loaded.context();
    let view = match &saved {
        Some(draft) => view::form_page(
            &ctx,
            draft,
            (
                &[],
                Some("Welcome back: your saved answers are below. They have not been sent yet."),
            ),
            &FormMode::New,
        )
        .resuming(&key),
        None => view::form_page(
            &ctx,
            &SubmissionDraft::blank(),
            (
                &[],
                Some(
                    "We could not find those saved answers: they are deleted once the response is sent, and when the consultation closes.",
                ),
            ),
            &FormMode::New,
        ),
    };
    Ok(page((req, state), StatusCode::OK, "respond", &view))
}

/// Saves the answers for later and shows (and e-mails, where SMTP is set)
/// the private link.
async fn save_for_later(
    req: &HttpRequest,
    state: &AppState,
    consultation: &Consultation,
    (typed, key): (&SubmissionDraft, String),
) -> Result<HttpResponse, AppError> {
    let (c, draft, now) = (consultation.clone(), typed.clone(), state.clock.now());
    let key = state
        .db(move |conn| {
            service::saved::save(
                conn,
                &c,
                Some(key.as_str()).filter(|k| !k.is_empty()),
                &draft,
                now,
            )
        })
        .await?;
    let link = format!(
        "{}/consultations/{}/respond?resume={key}",
        base_url(state, req),
        consultation.slug
    );
    let email = typed.email.trim().to_string();
    let valid = crate::domain::consultee::EmailAddress::parse("email", &email).is_ok();
    let emailed_to = match (state.mailer.clone(), valid) {
        (Some(mailer), true) => {
            let mail = crate::mail::SavedLink {
                to: email.clone(),
                consultation_title: consultation.title.clone(),
                link: link.clone(),
                closes: view::closes_text(consultation),
            };
            send_later("saved-answers link", String::new(), move || {
                mailer.send_saved(&mail)
            });
            Some(email)
        }
        _ => None,
    };
    let view = view::SavedPage {
        consultation: view::ConsultationName::of(consultation),
        link,
        closes: view::closes_text(consultation),
        emailed_to,
    };
    Ok(page((req, state), StatusCode::OK, "respond_saved", &view))
}

/// What the form says when it comes back from "Check your answers".
const CHANGE_NOTICE: &str = "Change your answer, then select Continue to check your answers again.";

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
    let mut typed = from_form(&form);
    let slug = slug.into_inner();
    let loaded = match admit(&req, &state, &slug).await {
        Ok(loaded) => loaded,
        Err(error) => return refused(error, &typed, Some(&slug)),
    };
    let ctx = loaded.context();
    // Answers continued from a saved copy keep its key on every round trip.
    let resume_key = form.get("resume").chars().take(64).collect::<String>();
    let again = |typed: &SubmissionDraft, (status, errors, notice): Shown<'_>| {
        let view = view::form_page(&ctx, typed, (errors, notice), &FormMode::New);
        let view = if resume_key.is_empty() {
            view
        } else {
            view.resuming(&resume_key)
        };
        page((&req, &state), status, "respond", &view)
    };
    let nonce = match verify(&req, &state, &form) {
        Ok(nonce) => nonce,
        Err(why) => {
            // 403, but the form comes back with everything typed and a fresh token.
            let notice = format!(
                "We could not confirm this form came from this browser ({why}). Your answers are kept below: check them and continue."
            );
            return again(&typed, (StatusCode::FORBIDDEN, &[], Some(&notice)));
        }
    };
    let action = Action::from_form(&form);
    if action == Action::Save {
        let saved = save_for_later(
            &req,
            &state,
            &loaded.consultation,
            (&typed, resume_key.clone()),
        );
        return match saved.await {
            Ok(page) => page,
            Err(error) => refused(error, &typed, Some(&loaded.consultation.slug)),
        };
    }
    if action == Action::Change {
        // Back from "Check your answers" at the field to change (the
        // button's #anchor), then on to the check page again.
        return again(&typed, (StatusCode::OK, &[], Some(CHANGE_NOTICE)));
    }
    if !matches!(action, Action::Check | Action::Submit) {
        apply(&mut typed, action);
        return again(&typed, (StatusCode::OK, &[], None));
    }
    let submission = match submission::validate(&typed, &loaded.spec, Channel::Online) {
        Ok(s) => s,
        Err(errors) => return again(&typed, (StatusCode::UNPROCESSABLE_ENTITY, &errors, None)),
    };
    if action == Action::Check {
        let view = view::check_page(&ctx, &typed).resuming(&resume_key);
        return page((&req, &state), StatusCode::OK, "respond_check", &view);
    }
    match submit(&req, &state, &loaded.consultation, submission, nonce).await {
        Ok(link) => {
            if !resume_key.is_empty() {
                // Sent: the saved copy (personal data) is no longer needed.
                let key = resume_key.clone();
                if let Err(error) = state
                    .db(move |conn| service::saved::forget(conn, &key))
                    .await
                {
                    tracing::warn!(%error, "saved answers not forgotten");
                }
            }
            see_other(&link)
        }
        Err(AppError::Invalid(errors)) => {
            again(&typed, (StatusCode::UNPROCESSABLE_ENTITY, &errors, None))
        }
        Err(error) => refused(error, &typed, Some(&loaded.consultation.slug)),
    }
}

/// How the form is shown again: its status, the errors by their fields,
/// and a notice at the top.
type Shown<'a> = (StatusCode, &'a [ValidationError], Option<&'a str>);

/// Lets a post in: within the rate limit, to a consultation that exists
/// and is open.
async fn admit(
    req: &HttpRequest,
    state: &AppState,
    slug: &str,
) -> Result<Arc<LoadedForm>, AppError> {
    super::rate_limit::check_post(req, state)?;
    let loaded = load(state, slug.to_string()).await?;
    match service::responses::refusal(&loaded.consultation, state.clock.now()) {
        Some(why) => Err(AppError::Gone(why)),
        None => Ok(loaded),
    }
}

/// The form's CSRF check; its nonce makes the submission idempotent.
fn verify(req: &HttpRequest, state: &AppState, form: &FormData) -> Result<String, String> {
    let secure = state.settings.secure_cookies;
    csrf::verify(
        &state.signer,
        csrf::cookie_value(req, secure).as_deref(),
        form.get("csrf_token"),
        state.clock.now(),
    )
    .map_err(|why| why.to_string())
}

/// Stores a checked submission (once, however often it is sent) and
/// e-mails a receipt; the private confirmation link.
async fn submit(
    req: &HttpRequest,
    state: &AppState,
    consultation: &Consultation,
    submission: submission::Submission,
    key: String,
) -> Result<String, AppError> {
    let now = state.clock.now();
    let email = submission.email().map(str::to_string);
    let receipt = state
        .submissions
        .enqueue(&consultation.slug, submission, Some(key), now)?
        .receipt()
        .await?;
    if let Some(email) = email.filter(|_| !receipt.repeated) {
        send_receipt(state, req, consultation, &receipt, email);
    }
    Ok(confirmation_link(
        state,
        &consultation.slug,
        &receipt.reference,
        &receipt.edit_salt,
    ))
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
    let reference = mail.reference.clone();
    send_later("receipt", reference, move || mailer.send_receipt(&mail));
}

/// Sends one e-mail on the blocking pool after the reply, never awaited:
/// a slow or broken relay never delays a page; the outcome is logged with
/// `what` it was and the response `reference` it is about.
pub(crate) fn send_later(
    what: &'static str,
    reference: String,
    send: impl FnOnce() -> Result<(), crate::mail::MailError> + Send + 'static,
) {
    actix_web::rt::spawn(async move {
        match web::block(send).await {
            Ok(Ok(())) => tracing::info!(%reference, what, "mail sent"),
            Ok(Err(error)) => tracing::warn!(%reference, %error, what, "mail not sent"),
            Err(error) => tracing::warn!(%reference, %error, what, "mail task failed"),
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

/// The confirmation page.
#[derive(Debug, Serialize)]
struct DoneView {
    reference: String,
    consultation: view::ConsultationName,
    closes: Option<String>,
    private_link: String,
    private_url: String,
    emailed: bool,
}

/// `GET …/responses/{reference}/confirmation?key=`: the confirmation page.
pub async fn confirmation(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let found = authorised_view(&state, slug, reference, &query.key).await?;
    let link = format!(
        "/consultations/{}/responses/{}?key={}",
        found.consultation.slug, found.response.reference, query.key
    );
    let view = DoneView {
        reference: found.response.reference.clone(),
        consultation: view::ConsultationName::of(&found.consultation),
        closes: view::closes_text(&found.consultation),
        private_url: format!("{}{link}", base_url(&state, &req)),
        private_link: link,
        emailed: state.mailer.is_some()
            && found
                .consultees
                .first()
                .is_some_and(|c| c.contact_email.is_some()),
    };
    Ok(Page::ok("respond_done", &view).plain())
}

#[derive(Debug, Serialize)]
struct PointView {
    paragraphs: Vec<String>,
}

/// An answer to one of the consultation's questions.
#[derive(Debug, Serialize)]
struct AnswerView {
    prompt: String,
    paragraphs: Vec<String>,
}

/// A consultee's own response.
#[derive(Debug, Serialize)]
struct PrivateView {
    reference: String,
    consultation: view::ConsultationName,
    saved: bool,
    received: String,
    from: String,
    publication: &'static str,
    version_note: Option<String>,
    answers: Vec<AnswerView>,
    points: Vec<PointView>,
    closed: Option<String>,
    closes: Option<String>,
    change_link: String,
}

/// `GET …/responses/{reference}?key=`: the consultee's own response.
pub async fn private(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let found = authorised_view(&state, slug, reference, &query.key).await?;
    let (c, r) = (&found.consultation, &found.response);
    let view = PrivateView {
        reference: r.reference.clone(),
        consultation: view::ConsultationName::of(c),
        saved: query.saved.is_some(),
        received: time::date_and_time(time::from_db(r.received_at)),
        from: (found.consultees.iter())
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" / "),
        publication: r.publication.label(),
        version_note: (r.version > 1).then(|| {
            format!(
                "Changed {} time(s); earlier versions are kept",
                r.version - 1
            )
        }),
        answers: (found.answered().into_iter())
            .map(|(prompt, value)| AnswerView {
                prompt: prompt.to_owned(),
                paragraphs: view::paragraphs(value),
            })
            .collect(),
        points: (found.points.iter())
            .map(|(issue, _, _)| PointView {
                paragraphs: view::paragraphs(&issue.content),
            })
            .collect(),
        closed: service::responses::refusal(c, state.clock.now()),
        closes: view::closes_text(c),
        change_link: format!(
            "/consultations/{}/responses/{}/change?key={}",
            c.slug, r.reference, query.key
        ),
    };
    Ok(Page::ok("response_private", &view).plain())
}

/// `GET …/responses/{reference}/change?key=`: the form, prefilled.
pub async fn change_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let found = authorised_view(&state, slug.clone(), reference, &query.key).await?;
    if let Some(why) = service::responses::refusal(&found.consultation, state.clock.now()) {
        return Err(AppError::Gone(why));
    }
    let loaded = load(&state, slug).await?;
    let mode = FormMode::Change {
        reference: found.response.reference.clone(),
        key: query.key.clone(),
        version: found.response.version,
    };
    let view = view::form_page(&loaded.context(), &found.as_draft(), (&[], None), &mode);
    Ok(page((&req, &state), StatusCode::OK, "respond", &view))
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
    let (found, loaded) = match admit_change(&req, &state, (&slug, &reference), &key).await {
        Ok(both) => both,
        Err(error) => return refused(error, &typed, Some(&slug)),
    };
    let version: i32 = form
        .get("version")
        .parse()
        .unwrap_or(found.response.version);
    let mode = FormMode::Change {
        reference: reference.clone(),
        key: key.clone(),
        version,
    };
    let ctx = loaded.context();
    let again = |typed: &SubmissionDraft, (status, errors, notice): Shown<'_>| {
        let view = view::form_page(&ctx, typed, (errors, notice), &mode);
        page((&req, &state), status, "respond", &view)
    };
    if let Err(why) = verify(&req, &state, &form) {
        let notice = format!(
            "We could not confirm this form came from this browser ({why}). Your changes are kept below: check them and save again."
        );
        return again(&typed, (StatusCode::FORBIDDEN, &[], Some(&notice)));
    }
    let action = Action::from_form(&form);
    if action != Action::Submit && action != Action::Check {
        apply(&mut typed, action);
        return again(&typed, (StatusCode::OK, &[], None));
    }
    let changed = match submission::validate(&typed, &loaded.spec, Channel::Online) {
        Ok(s) => s.held(found.response.status == crate::domain::ResponseStatus::Held),
        Err(errors) => return again(&typed, (StatusCode::UNPROCESSABLE_ENTITY, &errors, None)),
    };
    let (s, r, now) = (slug.clone(), reference.clone(), state.clock.now());
    match state
        .db(move |conn| service::responses::change(conn, &s, &r, version, &changed, now))
        .await
    {
        Ok(()) => see_other(&format!(
            "/consultations/{slug}/responses/{reference}?key={key}&saved=1"
        )),
        Err(AppError::Conflict(why)) => again(&typed, (StatusCode::CONFLICT, &[], Some(&why))),
        Err(error) => refused(error, &typed, Some(&slug)),
    }
}

/// Lets a change in: within the rate limit, with the response's private
/// key, to a consultation whose form loads.
async fn admit_change(
    req: &HttpRequest,
    state: &AppState,
    (slug, reference): (&str, &str),
    key: &str,
) -> Result<(service::responses::PrivateView, Arc<LoadedForm>), AppError> {
    super::rate_limit::check_post(req, state)?;
    let found = authorised_view(state, slug.into(), reference.into(), key).await?;
    let loaded = load(state, slug.to_string()).await?;
    Ok((found, loaded))
}
