//! `/staff/consultations/{slug}/consultees`: who responded, as the
//! committee table names them; officers correct a name, short name or kind
//! and merge two records of one organisation.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Screen, act, load, settle};
use crate::domain::{ConsulteeId, ConsulteeKind};
use crate::service::access::Action;
use crate::service::workspace::consultees::{self, ConsulteeInput, Listed};
use crate::web::auth::StaffUser;
use crate::web::confirm::{self, Choices, Confirmation};
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::CheckedForm;
use crate::web::render::Choice;
use crate::web::state::AppState;

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    /// The form's id (`consultee-12`).
    form: String,
    name: String,
    short_name: String,
    kind: &'static str,
    kinds: Vec<Choice>,
    responses: i64,
    /// As the committee table first names it.
    shown: String,
    open: bool,
    error: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct ConsulteesView {
    consultees: Vec<Row>,
    total: usize,
    pagination: crate::web::render::Pagination,
}

/// Consultees on one page: a consultation of hundreds of letters has
/// hundreds of them.
const PAGE: usize = 50;

/// `?page=` (and `?done=`) on the consultees page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Paged {
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn row(l: &Listed, failed: Option<&FailedForm>) -> Row {
    let c = &l.consultee;
    let form = format!("consultee-{}", c.id.0);
    let mine = failed.filter(|f| f.form == form);
    let typed = |field: &str, saved: &str| {
        mine.and_then(|f| f.typed(field))
            .unwrap_or(saved)
            .to_string()
    };
    let kind = typed("kind", c.kind.as_str());
    Row {
        id: c.id.0,
        name: typed("name", &c.name),
        short_name: typed("short_name", c.short_name.as_deref().unwrap_or("")),
        kind: c.kind.label(),
        kinds: Choice::list(ConsulteeKind::ALL, |k| k.as_str(), |k| k.label(), &kind),
        responses: l.responses,
        shown: crate::domain::consultee::table_name(&c.name, c.short_name.as_deref(), true),
        open: mine.is_some(),
        error: mine.map(|f| f.view().error).unwrap_or_default(),
        form,
    }
}

fn screen() -> Screen<'static> {
    Screen::new("ws_consultees", "consultees")
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, page): (String, usize),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, listed) = load(state, staff, slug, consultees::list).await?;
    let pages = listed.len().div_ceil(PAGE).max(1);
    // A refused form shows again on the page that holds it.
    let page = screen
        .failed
        .and_then(|f| {
            listed
                .iter()
                .position(|l| format!("consultee-{}", l.consultee.id.0) == f.form)
        })
        .map_or(page, |at| at / PAGE + 1)
        .clamp(1, pages);
    let slug = consultation.slug.clone();
    let view = ConsulteesView {
        total: listed.len(),
        consultees: (listed.iter().skip((page - 1) * PAGE).take(PAGE))
            .map(|l| row(l, screen.failed))
            .collect(),
        pagination: crate::web::render::Pagination::new(page, pages, |p| {
            format!("/staff/consultations/{slug}/consultees?page={p}")
        }),
    };
    Ok(screen.render(req, state, staff, &consultation, &view))
}

/// `GET /staff/consultations/{slug}/consultees`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    query: web::Query<Paged>,
) -> Result<HttpResponse, AppError> {
    let screen = screen().done(query.done.as_deref());
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    show(&req, &state, &staff, (slug.into_inner(), page), screen).await
}

/// `POST /staff/consultations/{slug}/consultees/{consultee}`: a new name,
/// short name or kind.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = ConsulteeId(id);
    let input = ConsulteeInput {
        name: form.get("name").into(),
        short_name: form.get("short_name").into(),
        kind: form.get("kind").into(),
    };
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        consultees::edit(conn, s, id, &input, now)
    })
    .await
    .map(|()| {
        format!(
            "/staff/consultations/{slug}/consultees?done=consultee-changed#consultee-{}",
            id.0
        )
    });
    let form_id = format!("consultee-{}", id.0);
    settle(
        outcome,
        (&form_id, &form),
        |failed: FailedForm| async move {
            show(
                &req,
                &state,
                &staff,
                (slug, 1),
                screen().failed(Some(&failed)),
            )
            .await
        },
    )
    .await
}

/// `POST …/consultees/{consultee}/merge` (`into=`): after the "Are you
/// sure?" page.
pub async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    if !confirm::confirmed(&form) {
        let query = format!("into={}", form.get("into").parse::<i64>().unwrap_or(0));
        return confirm::ask((&req, &state, &staff), slug, Action::Run, &query).await;
    }
    let (from, into) = (
        ConsulteeId(id),
        form.get("into").parse().ok().map(ConsulteeId),
    );
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        consultees::merge(conn, s, from, into, now)
    })
    .await
    .map(|()| format!("/staff/consultations/{slug}/consultees?done=consultees-merged"));
    settle(
        outcome,
        ("confirm", &form),
        |failed: FailedForm| async move {
            show(
                &req,
                &state,
                &staff,
                (slug, 1),
                screen().failed(Some(&failed)),
            )
            .await
        },
    )
    .await
}

/// `GET …/consultees/{consultee}/merge`: asks before merging, with the
/// consultee to keep chosen (or to choose).
pub async fn confirm_merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    query: web::Query<confirm::MergeInto>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (consultation, listed) = load(&state, &staff, slug.clone(), |conn, s| {
        s.require(Action::Run)?;
        consultees::list(conn, s)
    })
    .await?;
    let gone = (listed.iter())
        .find(|l| l.consultee.id.0 == id)
        .ok_or_else(|| AppError::NotFound("consultee".into()))?;
    let into = query.into.clone().unwrap_or_default();
    let options = (listed.iter())
        .filter(|l| l.consultee.id.0 != id)
        .map(|l| Choice {
            value: l.consultee.id.0.to_string(),
            label: l.consultee.name.clone(),
            chosen: l.consultee.id.0.to_string() == into,
        })
        .collect();
    let confirmation = Confirmation {
        caption: consultation.title.clone(),
        title: format!("Merge “{}” into another consultee?", gone.consultee.name),
        detail: Some(format!(
            "Named on {} response(s). They will name the consultee you choose instead.",
            gone.responses
        )),
        warning: "This record is deleted; the one you choose keeps its name. The change is recorded in the audit log.".into(),
        action: req.path().to_string(),
        button: "Yes, merge them".into(),
        cancel: format!("/staff/consultations/{slug}/consultees#consultee-{id}"),
        choices: Some(Choices {
            name: "into",
            label: "The consultee to keep",
            options,
        }),
        ..Default::default()
    };
    Ok(confirm::page(&req, &state, &staff, &confirmation))
}
