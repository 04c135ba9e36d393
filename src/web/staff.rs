//! Officers' pages: the consultations dashboard and the consultation editor
//! (details, life cycle, sections, questions, bodies and links).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{StaffUser, check_csrf};
use super::csrf::{self, CsrfCookie};
use super::error::AppError;
use super::form::FormData;
use super::state::AppState;
use crate::db::{self, DbConnection};
use crate::domain::{
    BodyId, BodyLinkId, BodyStatus, ConsultationStatus, QuestionId, QuestionKind, Relation, Role,
    SectionId, ValidationError, time,
};
use crate::service::ServiceResult;
use crate::service::access::Caller;
use crate::service::editing::{
    self, BodyInput, DetailsInput, LinkInput, QuestionInput, SectionInput,
};
use crate::templates;

/// Who may edit consultations.
const EDITORS: &[Role] = &[Role::Officer, Role::Admin];

fn actor(staff: &StaffUser) -> Caller {
    Caller::Staff(staff.user.clone())
}

pub(crate) fn render(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    template: &str,
    mut data: Value,
    staff: &StaffUser,
) -> HttpResponse {
    let secure = state.settings.secure_cookies;
    let cookie = CsrfCookie::from_request(req, secure);
    data["csrf_token"] = json!(csrf::issue(&state.signer, &cookie.value, state.clock.now()));
    data["staff"] = json!({ "email": staff.user.email, "role": staff.user.role.label() });
    let mut builder = HttpResponse::build(status);
    if cookie.is_new {
        builder.cookie(cookie.cookie(secure));
    }
    match templates::render(template, &data) {
        Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
        Err(e) => actix_web::ResponseError::error_response(&AppError::Internal(e.to_string())),
    }
}

/// `GET /staff`: every consultation, drafts included.
pub async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    staff.require(&[Role::Officer, Role::Admin, Role::GroupMember])?;
    let user = staff.user.clone();
    // Group members see the consultations they are in; others see all.
    let all = state
        .db(move |conn| {
            let all = db::consultations::all(conn)?;
            if user.role != Role::GroupMember {
                return Ok(all);
            }
            let mine = db::members::consultations_of(conn, user.id)?;
            Ok(all.into_iter().filter(|c| mine.contains(&c.id)).collect())
        })
        .await?;
    let rows: Vec<Value> = all
        .iter()
        .map(|c| json!({
            "slug": c.slug, "title": c.title, "status": c.status.label(),
            "closes": crate::service::consultations::closing_instant(c).map(|t| time::short_date(time::from_db(t))), "responses": c.responses_received,
        }))
        .collect();
    let editor = EDITORS.contains(&staff.user.role);
    Ok(render(
        &req,
        &state,
        StatusCode::OK,
        "staff_dashboard",
        json!({ "consultations": rows, "editor": editor, "admin": staff.user.role == Role::Admin }),
        &staff,
    ))
}

/// `GET /staff/consultations/new`.
pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    staff.require(EDITORS)?;
    Ok(render(
        &req,
        &state,
        StatusCode::OK,
        "staff_new",
        details_view(&DetailsInput::default(), &[]),
        &staff,
    ))
}

/// Reads a GOV.UK date input (`{name}-day`, `-month`, `-year`) as `YYYY-MM-DD`;
/// partly filled dates are passed through to fail validation clearly.
fn date_field(form: &FormData, name: &str) -> Option<String> {
    let (d, m, y) = (
        form.get(&format!("{name}-day")).trim(),
        form.get(&format!("{name}-month")).trim(),
        form.get(&format!("{name}-year")).trim(),
    );
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
        (Ok(d), Ok(m), Ok(y)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        _ => Some(format!("{y}-{m}-{d}")),
    }
}

fn details_input(form: &FormData) -> DetailsInput {
    DetailsInput {
        slug: form.get("slug").into(),
        title: form.get("title").into(),
        summary: form.get("summary").into(),
        run_by: form.get("run_by").into(),
        group_name: form.get("group_name").into(),
        reference_prefix: form.get("reference_prefix").into(),
        opens: date_field(form, "opens"),
        closes: date_field(form, "closes"),
        retention_days: Some(form.get("retention_days").into()),
        sign_off_by: Some(form.get("sign_off_by").into()),
    }
}

fn date_parts(value: Option<&str>) -> Value {
    let parts: Vec<&str> = value.unwrap_or("").split('-').collect();
    let part = |i: usize| {
        parts
            .get(i)
            .map(|p| p.trim_start_matches('0'))
            .unwrap_or("")
            .to_string()
    };
    json!({ "year": parts.first().copied().unwrap_or(""), "month": part(1), "day": part(2) })
}

fn details_view(input: &DetailsInput, errors: &[ValidationError]) -> Value {
    let error = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| e.message.clone())
    };
    json!({
        "errors": errors,
        "details": {
            "slug": input.slug, "title": input.title, "summary": input.summary, "run_by": input.run_by,
            "group_name": input.group_name, "reference_prefix": input.reference_prefix,
            "opens": date_parts(input.opens.as_deref()), "closes": date_parts(input.closes.as_deref()),
            "retention_days": input.retention_days.clone().unwrap_or_default(),
            "sign_off_by": input.sign_off_by.clone().unwrap_or_default(),
            "sign_offs": crate::domain::SignOff::ALL.iter().map(|s| json!({
                "value": s.as_str(), "label": s.label(),
                "checked": input.sign_off_by.as_deref().map_or(*s == crate::domain::SignOff::Officers, |t| t == s.as_str() || (t.is_empty() && *s == crate::domain::SignOff::Officers)),
            })).collect::<Vec<_>>(),
        },
        "error": {
            "slug": error("slug"), "title": error("title"), "summary": error("summary"), "run_by": error("run_by"),
            "group_name": error("group_name"), "reference_prefix": error("reference_prefix"), "opens": error("opens"), "closes": error("closes"),
            "retention_days": error("retention_days"), "sign_off_by": error("sign_off_by"),
        },
    })
}

/// `POST /staff/consultations`: creates a draft.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(EDITORS)?;
    check_csrf(&req, &state, &form)?;
    let input = details_input(&form);
    let (who, typed, now) = (actor(&staff), input.clone(), state.clock.now());
    match state
        .db(move |conn| editing::create(conn, &who, &typed, now))
        .await
    {
        Ok(c) => Ok(see_other(&format!(
            "/staff/consultations/{}?done=created",
            c.slug
        ))),
        Err(AppError::Invalid(errors)) => Ok(render(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "staff_new",
            details_view(&input, &errors),
            &staff,
        )),
        Err(e) => Err(e),
    }
}

pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// `?done=` after an edit: what to confirm at the top of the page.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// What an edit is: which form it came from (to show again if it fails),
/// what was typed, and the word for the confirmation.
struct Edit {
    form: &'static str,
    typed: Value,
    done: &'static str,
}

/// A form on the editor page that failed, to show again as typed.
struct Failed {
    form: &'static str,
    typed: Value,
    errors: Vec<ValidationError>,
}

fn editor_data(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Value> {
    let editing::Editor {
        consultation: c,
        sections,
        questions,
        bodies,
        links,
        responses,
        held,
    } = editing::editor(conn, caller, slug)?;
    let name = |id| {
        bodies
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.name.clone())
            .unwrap_or_default()
    };
    let date = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| {
            time::london_date(time::from_db(t))
                .format("%Y-%m-%d")
                .to_string()
        })
    };
    let details = DetailsInput {
        slug: c.slug.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        run_by: c.run_by.clone(),
        group_name: c.group_name.clone(),
        reference_prefix: c.reference_prefix.clone(),
        opens: date(c.opens_at),
        closes: date(c.closes_at),
        retention_days: c.retention_days.map(|d| d.to_string()),
        sign_off_by: Some(c.sign_off_by.as_str().to_string()),
    };
    let mut data = details_view(&details, &[]);
    data["consultation"] = json!({ "slug": c.slug, "title": c.title, "status": c.status.label(), "public": c.status.is_public() });
    data["next_status"] = json!(
        c.status
            .next()
            .map(|s| json!({ "value": s.as_str(), "label": s.label(), "publish": s == ConsultationStatus::Published }))
    );
    data["responses"] = json!(responses);
    data["held"] = json!(
        held.iter()
            .map(|(r, who)| json!({
                "reference": r.reference,
                "received": time::date_and_time(time::from_db(r.received_at)),
                "from": who.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" / "),
                "content": r.content,
            }))
            .collect::<Vec<_>>()
    );
    data["locked_questions"] = json!(c.status == ConsultationStatus::Open && responses > 0);
    data["sections"] = json!(sections.iter().map(|s| json!({ "id": s.id.0, "position": s.position, "heading": s.heading, "content": s.content })).collect::<Vec<_>>());
    data["questions"] = json!(questions.iter().map(|q| json!({ "id": q.id.0, "position": q.position, "prompt": q.prompt, "kind": q.kind.label(), "required": q.required })).collect::<Vec<_>>());
    data["bodies"] = json!(bodies.iter().map(|b| json!({
        "id": b.id.0, "name": b.name, "short_name": b.short_name, "role": b.role, "membership": b.membership, "meets": b.meets,
        "statuses": BodyStatus::ALL.iter().map(|s| json!({ "value": s.as_str(), "label": s.label(), "selected": *s == b.status })).collect::<Vec<_>>(),
    })).collect::<Vec<_>>());
    data["links"] = json!(links.iter().map(|l| json!({ "id": l.id.0, "from": name(l.from_body_id), "relation": l.relation.label(), "to": name(l.to_body_id), "note": l.note })).collect::<Vec<_>>());
    data["kinds"] = json!(
        QuestionKind::ALL
            .iter()
            .map(|k| json!({ "value": k.as_str(), "label": k.label() }))
            .collect::<Vec<_>>()
    );
    data["body_statuses"] = json!(
        BodyStatus::ALL
            .iter()
            .map(|s| json!({ "value": s.as_str(), "label": s.label() }))
            .collect::<Vec<_>>()
    );
    data["relations"] = json!(
        Relation::ALL
            .iter()
            .map(|r| json!({ "value": r.as_str(), "label": r.label() }))
            .collect::<Vec<_>>()
    );
    data["body_options"] = json!(
        bodies
            .iter()
            .map(|b| json!({ "value": b.id.0, "label": b.name }))
            .collect::<Vec<_>>()
    );
    Ok(data)
}

async fn editor(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    status: StatusCode,
    notice: Option<String>,
    failed: Option<Failed>,
) -> Result<HttpResponse, AppError> {
    let caller = actor(staff);
    let mut data = state
        .db(move |conn| editor_data(conn, &caller, &slug))
        .await?;
    data["notice"] = json!(notice);
    let forms: &[(&str, &[&str])] = &[
        ("new_section", &["heading", "content"]),
        (
            "new_question",
            &["prompt", "kind", "choices", "required", "section_id"],
        ),
        (
            "new_body",
            &[
                "name",
                "short_name",
                "status",
                "role",
                "membership",
                "meets",
            ],
        ),
        (
            "new_link",
            &["from_body_id", "to_body_id", "relation", "note"],
        ),
    ];
    for (name, fields) in forms {
        let mine = failed.as_ref().filter(|f| f.form == *name);
        data["forms"][*name] = form_state(
            fields,
            mine.map(|f| &f.typed),
            mine.map(|f| f.errors.as_slice()).unwrap_or(&[]),
        );
    }
    if let Some(failed) = failed {
        data["errors"] = json!(failed.errors);
        if failed.form == "details" {
            let mut view = details_view(
                &serde_json::from_value(failed.typed).unwrap_or_default(),
                &failed.errors,
            );
            data["details"] = view["details"].take();
            data["error"] = view["error"].take();
        }
    }
    Ok(render(
        req,
        state,
        status,
        "staff_consultation",
        data,
        staff,
    ))
}

/// Every field of a form with its typed value ("" when none) and its error
/// (null when none), so templates in strict mode can read any of them.
fn form_state(fields: &[&str], typed: Option<&Value>, errors: &[ValidationError]) -> Value {
    let value = |f: &str| match typed.and_then(|t| t.get(f)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let error = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| e.message.clone())
    };
    json!({
        "values": fields.iter().map(|f| (f.to_string(), json!(value(f)))).collect::<serde_json::Map<_, _>>(),
        "errors": fields.iter().map(|f| (f.to_string(), json!(error(f)))).collect::<serde_json::Map<_, _>>(),
    })
}

/// The confirmation for `?done=`, from a fixed list: the URL chooses which
/// message, never its words (a link could otherwise put "Re-enter your
/// password at …" on the page).
fn done_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "Consultation created as a draft.",
        "details" => "Saved: details.",
        "status" => "Saved: status.",
        "published" => "The consultation was published.",
        "section-added" => "Saved: section added.",
        "section-changed" => "Saved: section changed.",
        "section-deleted" => "Saved: section deleted.",
        "question-added" => "Saved: question added.",
        "question-changed" => "Saved: question changed.",
        "question-deleted" => "Saved: question deleted.",
        "body-added" => "Saved: body added.",
        "body-changed" => "Saved: body changed.",
        "body-deleted" => "Saved: body deleted.",
        "link-added" => "Saved: link added.",
        "link-deleted" => "Saved: link deleted.",
        "held-response-accepted" => "Saved: held response accepted.",
        "held-response-rejected" => "Saved: held response rejected.",
        _ => return None,
    })
}

/// `GET /staff/consultations/{slug}`: the editor.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = query
        .done
        .as_deref()
        .and_then(done_notice)
        .map(str::to_string);
    editor(
        &req,
        &state,
        &staff,
        slug.into_inner(),
        StatusCode::OK,
        notice,
        None,
    )
    .await
}

/// Runs one edit: role and CSRF checks, the service call, then back to the
/// editor (303), or the editor again with the failed form as typed (422/409).
async fn apply<F>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: String,
    edit: Edit,
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &Caller, &str, chrono::DateTime<chrono::Utc>) -> ServiceResult<()>
        + Send
        + 'static,
{
    let (who, now) = (actor(&staff), state.clock.now());
    let s = slug.clone();
    match state.db(move |conn| work(conn, &who, &s, now)).await {
        Ok(()) => Ok(see_other(&format!(
            "/staff/consultations/{slug}?done={}",
            edit.done
        ))),
        Err(AppError::Invalid(errors)) => {
            editor(
                &req,
                &state,
                &staff,
                slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(Failed {
                    form: edit.form,
                    typed: edit.typed,
                    errors,
                }),
            )
            .await
        }
        Err(AppError::Conflict(why)) => {
            editor(
                &req,
                &state,
                &staff,
                slug,
                StatusCode::CONFLICT,
                Some(why),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /staff/consultations/{slug}`: saves the details.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let input = details_input(&form);
    let typed = serde_json::to_value(&input).unwrap_or_default();
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "details",
            typed,
            done: "details",
        },
        move |conn, who, slug, now| editing::update(conn, who, slug, &input, now),
    )
    .await
}

/// `POST …/responses/{reference}/review`: accept or reject a held response.
pub async fn review_held(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(EDITORS)?;
    check_csrf(&req, &state, &form)?;
    let (slug, reference) = path.into_inner();
    let accept = match form.get("decision") {
        "accept" => true,
        "reject" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose whether to accept or reject the response".into(),
            ));
        }
    };
    let done = if accept {
        "held-response-accepted"
    } else {
        "held-response-rejected"
    };
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "held",
            typed: Value::Null,
            done,
        },
        move |c, w, s, now| {
            crate::service::responses::review_held(c, w, s, &reference, accept, now)
        },
    )
    .await
}

/// `POST /staff/consultations/{slug}/status`: one step along the life cycle.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(EDITORS)?;
    check_csrf(&req, &state, &form)?;
    let to = form
        .get("to")
        .parse::<ConsultationStatus>()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "status",
            typed: Value::Null,
            done: "status",
        },
        move |conn, who, slug, now| editing::move_status(conn, who, slug, to, now),
    )
    .await
}

fn section_input(form: &FormData) -> SectionInput {
    SectionInput {
        heading: form.get("heading").into(),
        content: form.get("content").into(),
    }
}

fn id_of(path: &str) -> Result<i64, AppError> {
    path.parse().map_err(|_| AppError::NotFound("item".into()))
}

/// `POST …/sections`: adds a section.
pub async fn add_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let input = section_input(&form);
    let typed = serde_json::to_value(&input).unwrap_or_default();
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "new_section",
            typed,
            done: "section-added",
        },
        move |c, w, s, now| editing::add_section(c, w, s, &input, now).map(|_| ()),
    )
    .await
}

/// `POST …/sections/{id}`: changes a section.
pub async fn update_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let (id, input) = (SectionId(id_of(&id)?), section_input(&form));
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "section",
            typed: Value::Null,
            done: "section-changed",
        },
        move |c, w, s, now| editing::update_section(c, w, s, id, &input, now),
    )
    .await
}

/// `POST …/sections/{id}/delete`.
pub async fn delete_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = SectionId(id_of(&id)?);
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "section",
            typed: Value::Null,
            done: "section-deleted",
        },
        move |c, w, s, now| editing::delete_section(c, w, s, id, now),
    )
    .await
}

/// `POST …/questions`: adds a question.
pub async fn add_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let input = QuestionInput {
        prompt: form.get("prompt").into(),
        kind: form.get("kind").into(),
        choices: form.get("choices").into(),
        required: form.get("required") == "yes",
        section_id: form.get("section_id").parse().ok(),
    };
    let typed = serde_json::to_value(&input).unwrap_or_default();
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "new_question",
            typed,
            done: "question-added",
        },
        move |c, w, s, now| editing::add_question(c, w, s, &input, now).map(|_| ()),
    )
    .await
}

/// `POST …/questions/{id}`: changes a question's wording.
pub async fn update_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = QuestionId(id_of(&id)?);
    let input = QuestionInput {
        prompt: form.get("prompt").into(),
        required: form.get("required") == "yes",
        ..QuestionInput::default()
    };
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "question",
            typed: Value::Null,
            done: "question-changed",
        },
        move |c, w, s, now| editing::update_question(c, w, s, id, &input, now),
    )
    .await
}

/// `POST …/questions/{id}/delete`.
pub async fn delete_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = QuestionId(id_of(&id)?);
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "question",
            typed: Value::Null,
            done: "question-deleted",
        },
        move |c, w, s, now| editing::delete_question(c, w, s, id, now),
    )
    .await
}

fn body_input(form: &FormData) -> BodyInput {
    BodyInput {
        name: form.get("name").into(),
        short_name: form.get("short_name").into(),
        status: form.get("status").into(),
        role: form.get("role").into(),
        membership: form.get("membership").into(),
        meets: form.get("meets").into(),
    }
}

/// `POST …/bodies`: adds a body.
pub async fn add_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let input = body_input(&form);
    let typed = serde_json::to_value(&input).unwrap_or_default();
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "new_body",
            typed,
            done: "body-added",
        },
        move |c, w, s, now| editing::add_body(c, w, s, &input, now).map(|_| ()),
    )
    .await
}

/// `POST …/bodies/{id}`: changes a body.
pub async fn update_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let (id, input) = (BodyId(id_of(&id)?), body_input(&form));
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "body",
            typed: Value::Null,
            done: "body-changed",
        },
        move |c, w, s, now| editing::update_body(c, w, s, id, &input, now),
    )
    .await
}

/// `POST …/bodies/{id}/delete`.
pub async fn delete_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = BodyId(id_of(&id)?);
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "body",
            typed: Value::Null,
            done: "body-deleted",
        },
        move |c, w, s, now| editing::delete_body(c, w, s, id, now),
    )
    .await
}

/// `POST …/links`: links two bodies.
pub async fn add_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let input = LinkInput {
        from_body_id: form.get("from_body_id").parse().unwrap_or(0),
        to_body_id: form.get("to_body_id").parse().unwrap_or(0),
        relation: form.get("relation").into(),
        note: form.get("note").into(),
    };
    let typed = serde_json::to_value(&input).unwrap_or_default();
    apply(
        req,
        state,
        staff,
        slug.into_inner(),
        Edit {
            form: "new_link",
            typed,
            done: "link-added",
        },
        move |c, w, s, now| editing::add_link(c, w, s, &input, now).map(|_| ()),
    )
    .await
}

/// `POST …/links/{id}/delete`.
pub async fn delete_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = BodyLinkId(id_of(&id)?);
    apply(
        req,
        state,
        staff,
        slug,
        Edit {
            form: "link",
            typed: Value::Null,
            done: "link-deleted",
        },
        move |c, w, s, now| editing::delete_link(c, w, s, id, now),
    )
    .await
}
