//! Importing responses from a CSV file (officers): upload, map the columns,
//! preview every problem and the first rows, then import all or nothing.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, act, load, notice, page, when};
use crate::domain::text::thousands;
use crate::domain::{QuestionId, time};
use crate::import::{Field, Mapping, Table};
use crate::service::import::{self, Preview};
use crate::web::auth::{StaffUser, check_csrf, check_csrf_token};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

/// The largest file accepted: 100,000 rows of a few hundred words each.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The upload form's fields.
#[derive(Debug, MultipartForm)]
pub struct UploadForm {
    csrf_token: Text<String>,
    #[multipart(limit = "64MiB")]
    file: FileBytes,
}

/// Limits for file uploads (the whole file is read into memory to be
/// decoded), and their errors answered as pages like any other.
pub fn multipart_config() -> actix_multipart::form::MultipartFormConfig {
    actix_multipart::form::MultipartFormConfig::default()
        .total_limit(MAX_UPLOAD_BYTES + 64 * 1024)
        .memory_limit(MAX_UPLOAD_BYTES + 64 * 1024)
        .error_handler(|error, _| {
            let app = match error {
                actix_multipart::MultipartError::Payload(payload) => {
                    crate::web::error::payload_error(&payload)
                }
                other => AppError::BadRequest(format!(
                    "The upload could not be read: {other}. Choose a CSV file and try again."
                )),
            };
            app.into()
        })
}

fn import_url(slug: &str, id: i64) -> String {
    format!("/staff/consultations/{slug}/responses/import/{id}")
}

/// `GET /staff/consultations/{slug}/responses/import`.
pub async fn upload_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (consultation, ()) = load(&state, &staff, slug.into_inner(), |_, s| {
        s.require(crate::service::access::Action::Run)
    })
    .await?;
    let data = json!({ "fields": field_help() });
    Ok(page(
        &req,
        &state,
        &staff,
        &consultation,
        ("ws_import", "inbox"),
        data,
        None,
    ))
}

fn field_help() -> Vec<Value> {
    Field::ALL
        .iter()
        .map(|f| json!({ "key": f.key(), "label": f.label() }))
        .collect()
}

/// `POST /staff/consultations/{slug}/responses/import` (multipart).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    // Who may import is checked before the body is read.
    act(&state, &staff, slug.to_string(), |_, s| {
        s.require(crate::service::access::Action::Run)
    })
    .await?;
    let mut payload = payload.into_inner();
    let form =
        <MultipartForm<UploadForm> as actix_web::FromRequest>::from_request(&req, &mut payload)
            .await
            .map_err(|e| match e.as_response_error().status_code().as_u16() {
                413 => AppError::PayloadTooLarge,
                408 => AppError::RequestTimeout,
                _ => AppError::BadRequest(format!("The upload could not be read: {e}")),
            })?;
    check_csrf_token(&req, &state, &form.csrf_token)?;
    let slug = slug.into_inner();
    let form = form.into_inner();
    let filename = form
        .file
        .file_name
        .clone()
        .unwrap_or_else(|| "upload.csv".into());
    let bytes = form.file.data.to_vec();
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        import::upload(conn, s, &filename, &bytes, now)
    })
    .await;
    match outcome {
        Ok(id) => Ok(see_other(&import_url(&slug, id))),
        Err(e) => {
            let refused = Refused::from_error(e, "upload".into(), Value::Null)?;
            let (consultation, ()) = load(&state, &staff, slug, |_, _| Ok(())).await?;
            let data = json!({ "fields": field_help() });
            Ok(page(
                &req,
                &state,
                &staff,
                &consultation,
                ("ws_import", "inbox"),
                data,
                Some(&refused),
            ))
        }
    }
}

/// The mapping chosen on the preview form: `map-{field}` and
/// `question-{id}` hold a column index, or "" for none.
fn chosen_mapping(
    form: &FormData,
    table: &Table,
    questions: &[(QuestionId, i32, String)],
) -> Mapping {
    let column = |name: &str| {
        form.get(name)
            .parse::<usize>()
            .ok()
            .filter(|&c| c < table.headers.len())
    };
    Mapping {
        fields: Field::ALL
            .iter()
            .filter_map(|f| column(&format!("map-{}", f.key())).map(|c| (*f, c)))
            .collect(),
        questions: questions
            .iter()
            .filter_map(|(id, _, _)| column(&format!("question-{}", id.0)).map(|c| (*id, c)))
            .collect(),
    }
}

fn preview_json(
    table: &Table,
    questions: &[(QuestionId, i32, String)],
    mapping: &Mapping,
    preview: &Preview,
) -> Value {
    let options = |selected: Option<usize>| {
        table
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| json!({ "index": i, "name": if h.is_empty() { format!("Column {}", i + 1) } else { h.clone() }, "selected": selected == Some(i) }))
            .collect::<Vec<_>>()
    };
    json!({
        "encoding": table.encoding.label(), "converted": table.encoding != crate::import::Encoding::Utf8,
        "rows": thousands(preview.rows), "repeats": preview.repeats,
        "to_import": thousands(preview.rows.saturating_sub(preview.repeats)),
        "fields": Field::ALL.iter().map(|f| json!({
            "key": f.key(), "label": f.label(), "options": options(mapping.column(*f)), "unmapped": mapping.column(*f).is_none(),
        })).collect::<Vec<_>>(),
        "questions": questions.iter().map(|(id, position, prompt)| json!({
            "id": id.0, "label": format!("Question {position}: {prompt}"), "options": options(mapping.question_column(*id)),
            "unmapped": mapping.question_column(*id).is_none(),
        })).collect::<Vec<_>>(),
        "problem_count": preview.problems.len(),
        "problems": preview.problems.iter().take(500).map(import::describe).collect::<Vec<_>>(),
        "more_problems": preview.problems.len().saturating_sub(500),
        "sample": preview.sample.iter().map(|r| json!({
            "line": r.line, "consultee": r.consultee(), "name": r.name, "kind": r.kind.label(), "channel": r.channel.label(),
            "received": time::date_and_time(r.received_at), "publication": r.publication.label(),
            "text": r.text.chars().take(300).collect::<String>(), "answers": r.answers.len(),
        })).collect::<Vec<_>>(),
    })
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id): (String, i64),
    choice: Option<FormData>,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (consultation, (upload, preview_data, problems)) =
        load(state, staff, slug, move |conn, s| {
            let (upload, table) = import::uploaded(conn, s, id)?;
            let (questions, _) = import::questions(conn, s)?;
            let mapping = match &choice {
                Some(form) => chosen_mapping(form, &table, &questions),
                None => Mapping::guess(&table.headers, &questions),
            };
            let preview = import::preview(conn, s, &table, &mapping, now)?;
            let problems = preview.problems.len();
            Ok((
                upload,
                preview_json(&table, &questions, &mapping, &preview),
                problems,
            ))
        })
        .await?;
    let mut data = json!({
        "upload": {
            "id": upload.id, "filename": upload.filename, "uploaded": when(upload.uploaded_at),
            "imported": upload.imported_at.map(when), "imported_count": upload.imported, "skipped": upload.skipped,
        },
        "preview": preview_data,
        "notice": notice(done),
    });
    data["can_import"] = json!(problems == 0 && upload.imported_at.is_none());
    let mut response = page(
        req,
        state,
        staff,
        &consultation,
        ("ws_import_preview", "inbox"),
        data,
        refused.as_ref(),
    );
    if refused.is_none() && problems > 0 {
        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET …/responses/import/{id}`: the mapping guessed from the column names.
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    show(
        &req,
        &state,
        &staff,
        path.into_inner(),
        None,
        done.done.as_deref(),
        None,
    )
    .await
}

/// `POST …/responses/import/{id}`: `action=preview` checks the chosen
/// mapping again; `action=import` imports with it.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    if form.get("action") != "import" {
        return show(&req, &state, &staff, (slug, id), Some(form), None, None).await;
    }
    let now = state.clock.now();
    let chosen = form.clone();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        let (_, table) = import::uploaded(conn, s, id)?;
        let (questions, _) = import::questions(conn, s)?;
        let mapping = chosen_mapping(&chosen, &table, &questions);
        import::import_upload(conn, s, id, &mapping, now)
    })
    .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "{}?done=imported",
            import_url(&slug, id)
        ))),
        Err(e) => {
            let refused = Refused::from_error(e, "mapping".into(), Value::Null)?;
            show(
                &req,
                &state,
                &staff,
                (slug, id),
                Some(form),
                None,
                Some(refused),
            )
            .await
        }
    }
}
