//! Importing responses from a CSV file (officers): upload, map the columns,
//! preview every problem and the first rows, then import all or nothing.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Done, Screen, act, load, settle, when};
use crate::domain::text::thousands;
use crate::domain::{QuestionId, time};
use crate::import::{Encoding, Field, ImportRow, Mapping, Table};
use crate::service::access::Action;
use crate::service::import::{self, Preview};
use crate::web::auth::{StaffUser, check_csrf_token};
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::{CheckedForm, FormData};
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

/// A field of a response that a column can hold.
#[derive(Debug, Serialize)]
struct FieldHelp {
    key: &'static str,
    label: &'static str,
}

#[derive(Debug, Serialize)]
struct UploadView {
    fields: Vec<FieldHelp>,
}

fn upload_view() -> UploadView {
    UploadView {
        fields: (Field::ALL.iter())
            .map(|f| FieldHelp {
                key: f.key(),
                label: f.label(),
            })
            .collect(),
    }
}

fn upload_screen() -> Screen<'static> {
    Screen::new("ws_import", "inbox")
}

/// `GET /staff/consultations/{slug}/responses/import`.
pub async fn upload_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (consultation, ()) = load(&state, &staff, slug.into_inner(), |_, s| {
        s.require(Action::Run)
    })
    .await?;
    Ok(upload_screen().render(&req, &state, &staff, &consultation, &upload_view()))
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
        s.require(Action::Run)
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
    .await
    .map(|id| import_url(&slug, id));
    settle(
        outcome,
        ("upload", &FormData::default()),
        |failed: FailedForm| async move {
            let (consultation, ()) = load(&state, &staff, slug, |_, _| Ok(())).await?;
            let screen = upload_screen().failed(Some(&failed));
            Ok(screen.render(&req, &state, &staff, &consultation, &upload_view()))
        },
    )
    .await
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

/// A column of the file, as a choice for a field.
#[derive(Debug, Serialize)]
struct ColumnChoice {
    index: usize,
    name: String,
    chosen: bool,
}

/// A field (or a question) and the column chosen for it.
#[derive(Debug, Serialize)]
struct ColumnFor {
    /// `map-{key}` or `question-{key}` on the form.
    key: String,
    label: String,
    options: Vec<ColumnChoice>,
    unmapped: bool,
}

/// A row of the file as it will be stored.
#[derive(Debug, Serialize)]
struct SampleRow {
    line: usize,
    consultee: String,
    name: Option<String>,
    kind: &'static str,
    channel: &'static str,
    received: String,
    publication: &'static str,
    text: String,
    answers: usize,
}

impl SampleRow {
    fn of(r: &ImportRow) -> Self {
        Self {
            line: r.line,
            consultee: r.consultee().to_string(),
            name: r.name.clone(),
            kind: r.kind.label(),
            channel: r.channel.label(),
            received: time::date_and_time(r.received_at),
            publication: r.publication.label(),
            text: r.text.chars().take(300).collect(),
            answers: r.answers.len(),
        }
    }
}

#[derive(Debug, Serialize)]
struct PreviewView {
    encoding: &'static str,
    converted: bool,
    rows: String,
    repeats: usize,
    to_import: String,
    fields: Vec<ColumnFor>,
    questions: Vec<ColumnFor>,
    problem_count: usize,
    problems: Vec<String>,
    more_problems: usize,
    sample: Vec<SampleRow>,
}

/// What the preview shows about a file read with `mapping`.
struct Checked<'a> {
    table: &'a Table,
    questions: &'a [(QuestionId, i32, String)],
    mapping: &'a Mapping,
    preview: &'a Preview,
}

impl Checked<'_> {
    fn view(&self) -> PreviewView {
        let (table, preview) = (self.table, self.preview);
        let column_for = |key: String, label: String, chosen: Option<usize>| ColumnFor {
            key,
            label,
            options: (table.headers.iter().enumerate())
                .map(|(i, h)| ColumnChoice {
                    index: i,
                    name: if h.is_empty() {
                        format!("Column {}", i + 1)
                    } else {
                        h.clone()
                    },
                    chosen: chosen == Some(i),
                })
                .collect(),
            unmapped: chosen.is_none(),
        };
        PreviewView {
            encoding: table.encoding.label(),
            converted: table.encoding != Encoding::Utf8,
            rows: thousands(preview.rows),
            repeats: preview.repeats,
            to_import: thousands(preview.rows.saturating_sub(preview.repeats)),
            fields: (Field::ALL.iter())
                .map(|f| {
                    column_for(
                        format!("map-{}", f.key()),
                        f.label().into(),
                        self.mapping.column(*f),
                    )
                })
                .collect(),
            questions: (self.questions.iter())
                .map(|(id, position, prompt)| {
                    let label = format!("Question {position}: {prompt}");
                    column_for(
                        format!("question-{}", id.0),
                        label,
                        self.mapping.question_column(*id),
                    )
                })
                .collect(),
            problem_count: preview.problems.len(),
            problems: preview
                .problems
                .iter()
                .take(500)
                .map(import::describe)
                .collect(),
            more_problems: preview.problems.len().saturating_sub(500),
            sample: preview.sample.iter().map(SampleRow::of).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct UploadSummary {
    id: i64,
    filename: String,
    uploaded: String,
    imported: Option<String>,
    imported_count: i32,
    skipped: i32,
}

#[derive(Debug, Serialize)]
struct PreviewPage {
    upload: UploadSummary,
    preview: PreviewView,
    can_import: bool,
}

fn preview_screen() -> Screen<'static> {
    Screen::new("ws_import_preview", "inbox")
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, id, choice): (String, i64, Option<FormData>),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (consultation, (upload, preview)) = load(state, staff, slug, move |conn, s| {
        let (upload, table) = import::uploaded(conn, s, id)?;
        let (questions, _) = import::questions(conn, s)?;
        let mapping = match &choice {
            Some(form) => chosen_mapping(form, &table, &questions),
            None => Mapping::guess(&table.headers, &questions),
        };
        let preview = import::preview(conn, s, &table, &mapping, now)?;
        let checked = Checked {
            table: &table,
            questions: &questions,
            mapping: &mapping,
            preview: &preview,
        };
        Ok((upload, checked.view()))
    })
    .await?;
    let problems = preview.problem_count;
    let page = PreviewPage {
        can_import: problems == 0 && upload.imported_at.is_none(),
        upload: UploadSummary {
            id: upload.id,
            filename: upload.filename,
            uploaded: when(upload.uploaded_at),
            imported: upload.imported_at.map(when),
            imported_count: upload.imported,
            skipped: upload.skipped,
        },
        preview,
    };
    let refused = screen.failed.is_some();
    let mut response = screen.render(req, state, staff, &consultation, &page);
    if !refused && problems > 0 {
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
    let (slug, id) = path.into_inner();
    let screen = preview_screen().done(done.done.as_deref());
    show(&req, &state, &staff, (slug, id, None), screen).await
}

/// `POST …/responses/import/{id}`: `action=preview` checks the chosen
/// mapping again; `action=import` imports with it.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let CheckedForm(form) = form;
    if form.get("action") != "import" {
        return show(
            &req,
            &state,
            &staff,
            (slug, id, Some(form)),
            preview_screen(),
        )
        .await;
    }
    let now = state.clock.now();
    let chosen = form.clone();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        let (_, table) = import::uploaded(conn, s, id)?;
        let (questions, _) = import::questions(conn, s)?;
        let mapping = chosen_mapping(&chosen, &table, &questions);
        import::import_upload(conn, s, id, &mapping, now)
    })
    .await
    .map(|_| format!("{}?done=imported", import_url(&slug, id)));
    let typed = form.clone();
    settle(
        outcome,
        ("mapping", &typed),
        |failed: FailedForm| async move {
            let screen = preview_screen().failed(Some(&failed));
            show(&req, &state, &staff, (slug, id, Some(form)), screen).await
        },
    )
    .await
}
