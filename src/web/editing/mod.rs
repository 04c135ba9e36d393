//! Officers' pages, the web side of `service::editing`: the consultations
//! dashboard, creating a consultation, and its editor (details, life
//! cycle, held responses, and the parts of its document and structure,
//! in [`parts`]).

pub mod parts;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffUser;
use super::error::AppError;
use super::failed::{FailedForm, Screen};
use super::form::{CheckedForm, FormData};
use super::render::Choice;
use super::state::AppState;
use crate::domain::{BodyStatus, QuestionKind, Relation, SignOff, time};
use crate::service::ServiceResult;
use crate::service::access::{self, Caller, Duty};
use crate::service::editing::{self, DetailsInput};
use crate::service::model::{Connection, Consultation};

fn caller(staff: &StaffUser) -> Caller {
    Caller::Staff(staff.user.clone())
}

/// A consultation as the dashboard lists it.
#[derive(Debug, Serialize)]
struct DashboardRow {
    slug: String,
    title: String,
    status: &'static str,
    closes: Option<String>,
    responses: i64,
}

#[derive(Debug, Serialize)]
struct DashboardView {
    consultations: Vec<DashboardRow>,
    /// May create and edit consultations.
    editor: bool,
    /// May manage staff users.
    admin: bool,
}

/// `GET /staff`: the consultations the user may work on, drafts included.
pub async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    let who = caller(&staff);
    let all = state.db(move |conn| access::workable(conn, &who)).await?;
    let view = DashboardView {
        consultations: (all.iter())
            .map(|c| DashboardRow {
                slug: c.slug.clone(),
                title: c.title.clone(),
                status: c.status.label(),
                closes: crate::service::consultations::closing_instant(c)
                    .map(|t| time::short_date(time::from_db(t))),
                responses: c.responses_received,
            })
            .collect(),
        editor: access::has_duty(&caller(&staff), Duty::CreateConsultations),
        admin: access::has_duty(&caller(&staff), Duty::ManageUsers),
    };
    Ok(Screen::new("staff_dashboard").render(&req, &state, &staff, &view))
}

/// A GOV.UK date input's three boxes.
#[derive(Debug, Serialize)]
struct DateParts {
    day: String,
    month: String,
    year: String,
}

impl DateParts {
    /// The boxes of `YYYY-MM-DD` as typed (or as stored).
    fn of(value: Option<&str>) -> Self {
        let parts: Vec<&str> = value.unwrap_or("").split('-').collect();
        let part = |i: usize| {
            parts
                .get(i)
                .map(|p| p.trim_start_matches('0'))
                .unwrap_or("")
                .to_string()
        };
        Self {
            year: parts.first().copied().unwrap_or("").to_string(),
            month: part(1),
            day: part(2),
        }
    }
}

/// A consultation's details on their form (`forms.details` holds the
/// errors when it was refused).
#[derive(Debug, Serialize)]
struct DetailsView {
    slug: String,
    title: String,
    description: String,
    run_by: String,
    group_name: String,
    reference_prefix: String,
    opens: DateParts,
    closes: DateParts,
    retention_days: String,
    sign_offs: Vec<Choice>,
}

impl DetailsView {
    fn of(input: &DetailsInput) -> Self {
        let sign_off = match input.sign_off_by.as_deref() {
            None | Some("") => SignOff::Officers.as_str(),
            Some(typed) => typed,
        };
        Self {
            slug: input.slug.clone(),
            title: input.title.clone(),
            description: input.description.clone(),
            run_by: input.run_by.clone(),
            group_name: input.group_name.clone(),
            reference_prefix: input.reference_prefix.clone(),
            opens: DateParts::of(input.opens.as_deref()),
            closes: DateParts::of(input.closes.as_deref()),
            retention_days: input.retention_days.clone().unwrap_or_default(),
            sign_offs: Choice::list(SignOff::ALL, |s| s.as_str(), |s| s.label(), sign_off),
        }
    }
}

/// Reads a GOV.UK date input (`{name}-day`, `-month`, `-year`) as `YYYY-MM-DD`;
/// partly filled dates are passed through to fail validation clearly.
pub(crate) fn date_field(form: &FormData, name: &str) -> Option<String> {
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
        description: form.get("description").into(),
        run_by: form.get("run_by").into(),
        group_name: form.get("group_name").into(),
        reference_prefix: form.get("reference_prefix").into(),
        opens: date_field(form, "opens"),
        closes: date_field(form, "closes"),
        retention_days: Some(form.get("retention_days").into()),
        sign_off_by: Some(form.get("sign_off_by").into()),
    }
}

/// The details as typed on a refused form.
fn details_input_of(failed: &FailedForm) -> DetailsInput {
    let pairs = failed.typed.iter().map(|(k, v)| (k.clone(), v.clone()));
    details_input(&FormData::from_pairs(pairs.collect()))
}

/// The details of a saved consultation, as its form shows them.
fn saved_details(c: &Consultation) -> DetailsInput {
    let date = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| {
            time::london_date(time::from_db(t))
                .format("%Y-%m-%d")
                .to_string()
        })
    };
    DetailsInput {
        slug: c.slug.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        run_by: c.run_by.clone(),
        group_name: c.group_name.clone(),
        reference_prefix: c.reference_prefix.clone(),
        opens: date(c.opens_at),
        closes: date(c.closes_at),
        retention_days: c.retention_days.map(|d| d.to_string()),
        sign_off_by: Some(c.sign_off_by.as_str().to_string()),
    }
}

#[derive(Debug, Serialize)]
struct NewView {
    details: DetailsView,
}

/// `GET /staff/consultations/new`.
pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    access::require_duty(&caller(&staff), Duty::CreateConsultations)?;
    let view = NewView {
        details: DetailsView::of(&DetailsInput::default()),
    };
    Ok(Screen::new("staff_new").render(&req, &state, &staff, &view))
}

/// `POST /staff/consultations`: creates a draft.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let input = details_input(&form);
    let (who, now) = (caller(&staff), state.clock.now());
    let outcome = state
        .db(move |conn| editing::create(conn, &who, &input, now))
        .await
        .map(|c| format!("/staff/consultations/{}?done=created", c.slug));
    crate::web::failed::settle(
        outcome,
        ("details", &form),
        |failed: FailedForm| async move {
            let view = NewView {
                details: DetailsView::of(&details_input_of(&failed)),
            };
            let screen = Screen::new("staff_new").failed(Some(&failed));
            Ok(screen.render(&req, &state, &staff, &view))
        },
    )
    .await
}

/// `?done=` after an edit: what to confirm at the top of the page.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
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

mod view;

/// `GET /staff/consultations/{slug}`: the editor.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = query.done.as_deref().and_then(done_notice);
    let screen = Screen::new("staff_consultation").notice(notice);
    view::show(&req, &state, &staff, slug.into_inner(), screen).await
}

/// One change made on the editor page: the form it came from (shown again
/// with its errors if refused) and the code of its confirmation.
pub(crate) struct Edit {
    form: String,
    done: String,
}

impl Edit {
    pub(crate) fn new(form: String, done: String) -> Self {
        Self { form, done }
    }
}

/// Runs one edit as the signed-in officer (the service checks they may),
/// then back to the editor (303), or the editor again with the refused
/// form as typed (422, or 409 if someone else changed it first).
pub(crate) async fn apply<F>(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    slug: String,
    (edit, form): (Edit, &FormData),
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Connection, &Caller, &str, DateTime<Utc>) -> ServiceResult<()> + Send + 'static,
{
    let (who, now, s) = (caller(&staff), state.clock.now(), slug.clone());
    let outcome = state
        .db(move |conn| work(conn, &who, &s, now))
        .await
        .map(|()| format!("/staff/consultations/{slug}?done={}", edit.done));
    crate::web::failed::settle(
        outcome,
        (&edit.form, form),
        |failed: FailedForm| async move {
            let screen = Screen::new("staff_consultation").failed(Some(&failed));
            view::show(&req, &state, &staff, slug, screen).await
        },
    )
    .await
}

/// `POST /staff/consultations/{slug}`: saves the details.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let input = details_input(&form);
    let edit = Edit::new("details".into(), "details".into());
    apply(
        (req, state, staff),
        slug.into_inner(),
        (edit, &form),
        move |conn, who, slug, now| editing::change_details(conn, who, slug, &input, now),
    )
    .await
}

/// `POST …/responses/{reference}/review`: accept or reject a held response.
pub async fn review_held(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let decision = form.get("decision").to_string();
    let done = if decision == "accept" {
        "held-response-accepted"
    } else {
        "held-response-rejected"
    };
    let edit = Edit::new("held".into(), done.into());
    apply(
        (req, state, staff),
        slug,
        (edit, &form),
        move |c, w, s, now| {
            crate::service::responses::review_held(c, w, s, (&reference, &decision), now)
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
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let to = form.get("to").to_string();
    let edit = Edit::new("status".into(), "status".into());
    apply(
        (req, state, staff),
        slug.into_inner(),
        (edit, &form),
        move |conn, who, slug, now| {
            editing::details::change_status(conn, who, slug, &to, None, now)
        },
    )
    .await
}

/// The lists the editor's add forms choose from.
#[derive(Debug, Serialize)]
struct EditorChoices {
    kinds: Vec<Choice>,
    body_statuses: Vec<Choice>,
    relations: Vec<Choice>,
}

impl EditorChoices {
    fn new(failed: Option<&FailedForm>) -> Self {
        let typed = |form: &str, field: &str| {
            failed
                .filter(|f| f.form == form)
                .and_then(|f| f.typed(field))
        };
        Self {
            kinds: Choice::list(
                QuestionKind::ALL,
                |k| k.as_str(),
                |k| k.label(),
                typed("new_question", "kind").unwrap_or(""),
            ),
            body_statuses: Choice::list(
                BodyStatus::ALL,
                |s| s.as_str(),
                |s| s.label(),
                typed("new_body", "status").unwrap_or(""),
            ),
            relations: Choice::list(
                Relation::ALL,
                |r| r.as_str(),
                |r| r.label(),
                typed("new_link", "relation").unwrap_or(""),
            ),
        }
    }
}
