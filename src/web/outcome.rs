//! After the consultation. Officers draw up the revised structure, edit
//! the covering report, download the committee pack and publish the
//! outcome at `/staff/consultations/{slug}/outcome`; everyone reads it at
//! `/consultations/{slug}/outcome` once published.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Datelike;
use serde::Serialize;

use super::auth::StaffUser;
use super::error::AppError;
use super::failed::{FailedForm, Screen, settle};
use super::form::{CheckedForm, FormData};
use super::render::{Choice, Page};
use super::state::AppState;
use super::workspace::{Done, notice, when};
use crate::domain::{
    BodyStatus, ChangeAction, ConsultationStatus, Relation, VersionBodyId, VersionLinkId,
};
use crate::export::pack::PackFormat;
use crate::service::access::{Audience, Caller};
use crate::service::editing::{BodyInput, LinkInput};
use crate::service::outcome::compare::{ComparedBody, ComparedLink};
use crate::service::outcome::pack::{self, ReportInput};
use crate::service::outcome::publish::{self, Notice};
use crate::service::outcome::versions::{self, Edit, ReasonInput};
use crate::service::outcome::workspace::{self, Workspace};
use crate::service::outcome::{self, ChangeView, Outcome};

/// A form on the page: its id, its values (as saved, or as typed when it
/// was refused), its errors, and whether to show it open.
#[derive(Debug, Serialize, Default)]
struct FormView {
    form: String,
    values: BTreeMap<String, String>,
    error: BTreeMap<String, String>,
    open: bool,
    statuses: Vec<Choice>,
}

impl FormView {
    fn new(form: &str, values: &[(&str, &str)], failed: Option<&FailedForm>) -> Self {
        let mut view = FormView {
            form: form.to_string(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..FormView::default()
        };
        if let Some(f) = failed.filter(|f| f.form == form) {
            view.values = f.typed.clone();
            view.error = f.view().error;
            view.open = true;
        }
        let status = view.values.get("status").cloned().unwrap_or_default();
        view.statuses = Choice::list(BodyStatus::ALL, |s| s.as_str(), |s| s.label(), &status);
        view
    }
}

fn mark_label(mark: Option<ChangeAction>) -> Option<&'static str> {
    mark.map(|m| match m {
        ChangeAction::Added => "New",
        ChangeAction::Changed => "Changed",
        ChangeAction::Removed => "Removed",
    })
}

/// A body of the revised structure, with its forms.
#[derive(Debug, Serialize)]
struct BodyView<'a> {
    /// The version body's id (none for a removed consulted body).
    id: Option<i64>,
    anchor: &'a str,
    name: &'a str,
    short_name: Option<&'a str>,
    status: &'static str,
    status_label: &'static str,
    role: &'a str,
    membership: &'a str,
    meets: &'a str,
    mark_label: Option<&'static str>,
    changed: String,
    change: Option<FormView>,
    remove: Option<FormView>,
}

fn body_view<'a>(b: &'a ComparedBody, failed: Option<&FailedForm>) -> BodyView<'a> {
    let forms = b.version_body.map(|id| {
        let short = b.short_name.as_deref().unwrap_or("");
        (
            FormView::new(
                &format!("body-{id}"),
                &[
                    ("name", &b.name),
                    ("short_name", short),
                    ("status", b.status.as_str()),
                    ("role", &b.role),
                    ("membership", &b.membership),
                    ("meets", &b.meets),
                ],
                failed,
            ),
            FormView::new(&format!("remove-body-{id}"), &[], failed),
        )
    });
    let (change, remove) = forms.map_or((None, None), |(c, r)| (Some(c), Some(r)));
    BodyView {
        id: b.version_body.map(|id| id.0),
        anchor: &b.anchor,
        name: &b.name,
        short_name: b.short_name.as_deref(),
        status: b.status.as_str(),
        status_label: b.status.label(),
        role: &b.role,
        membership: &b.membership,
        meets: &b.meets,
        mark_label: mark_label(b.mark),
        changed: b.changed.join(", "),
        change,
        remove,
    }
}

#[derive(Debug, Serialize)]
struct LinkView<'a> {
    id: Option<i64>,
    words: &'a str,
    mark_label: Option<&'static str>,
    remove: Option<FormView>,
}

fn link_view<'a>(l: &'a ComparedLink, failed: Option<&FailedForm>) -> LinkView<'a> {
    LinkView {
        id: l.version_link.map(|id| id.0),
        words: &l.words,
        mark_label: mark_label(l.mark),
        remove: l
            .version_link
            .map(|id| FormView::new(&format!("remove-link-{id}"), &[], failed)),
    }
}

#[derive(Debug, Serialize)]
struct VersionLine {
    number: i32,
    started: String,
    by: String,
    shown: bool,
}

#[derive(Debug, Serialize)]
struct DateParts {
    day: String,
    month: String,
    year: String,
}

#[derive(Debug, Serialize)]
struct ReportView {
    values: BTreeMap<String, String>,
    error: BTreeMap<String, String>,
    date: DateParts,
}

/// The staff page.
#[derive(Debug, Serialize)]
struct StaffView<'a> {
    slug: &'a str,
    title: &'a str,
    status: &'static str,
    closed: bool,
    summary_published: bool,
    prefix: &'a str,
    versions: Vec<VersionLine>,
    next_version: i32,
    latest_version: i32,
    editing: Option<i32>,
    locked: Option<&'a str>,
    diagram: String,
    bodies: Vec<BodyView<'a>>,
    links: Vec<LinkView<'a>>,
    new_body: FormView,
    new_link: FormView,
    from_bodies: Vec<Choice>,
    to_bodies: Vec<Choice>,
    relations: Vec<Choice>,
    changes: &'a [ChangeView],
    report: ReportView,
    published: bool,
    published_at: Option<String>,
    shown_version: Option<i32>,
    tell: usize,
    /// Whether an SMTP relay is set up to tell them.
    mail: bool,
}

fn report_view(w: &Workspace, failed: Option<&FailedForm>) -> ReportView {
    let r = &w.report;
    let date = r.meeting_date;
    let mut values: BTreeMap<String, String> = [
        ("committee", r.committee.clone()),
        ("purpose", r.purpose.clone()),
        ("next_steps", r.next_steps.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut error = BTreeMap::new();
    let mut parts = DateParts {
        day: date.map(|d| d.day().to_string()).unwrap_or_default(),
        month: date.map(|d| d.month().to_string()).unwrap_or_default(),
        year: date.map(|d| d.year().to_string()).unwrap_or_default(),
    };
    if let Some(f) = failed.filter(|f| f.form == "report_form") {
        values = f.typed.clone();
        error = f.view().error;
        let typed = |k: &str| f.typed(k).unwrap_or("").to_string();
        parts = DateParts {
            day: typed("meeting_date-day"),
            month: typed("meeting_date-month"),
            year: typed("meeting_date-year"),
        };
    }
    ReportView {
        values,
        error,
        date: parts,
    }
}

fn staff_view<'a>(
    w: &'a Workspace,
    (tell, mail): (usize, bool),
    failed: Option<&FailedForm>,
) -> StaffView<'a> {
    let o = &w.outcome;
    let c = &o.consultation;
    let editing = w.editable.as_ref().ok().map(|v| v.number);
    let latest = w.versions.last().map_or(0, |v| v.number);
    let typed = |field: &str| {
        failed
            .filter(|f| f.form == "new_link")
            .and_then(|f| f.typed(field))
            .unwrap_or("")
            .to_string()
    };
    let drawn: Vec<&ComparedBody> = o
        .comparison
        .bodies
        .iter()
        .filter(|b| b.version_body.is_some())
        .collect();
    let options = |field: &str| {
        let chosen = typed(field);
        drawn
            .iter()
            .filter_map(|b| {
                let id = b.version_body?.0.to_string();
                Some(Choice {
                    chosen: id == chosen,
                    value: id,
                    label: b.name.clone(),
                })
            })
            .collect::<Vec<_>>()
    };
    StaffView {
        slug: &c.slug,
        title: &c.title,
        status: c.status.label(),
        closed: matches!(
            c.status,
            ConsultationStatus::Closed | ConsultationStatus::Published
        ),
        summary_published: c.status == ConsultationStatus::Published,
        prefix: &c.reference_prefix,
        versions: w
            .versions
            .iter()
            .map(|v| VersionLine {
                number: v.number,
                started: when(v.created_at),
                by: v.created_by.clone(),
                shown: o.published && c.outcome_version_id == Some(v.id),
            })
            .collect(),
        next_version: latest + 1,
        latest_version: latest,
        editing,
        locked: w.editable.as_ref().err().map(String::as_str),
        diagram: o.diagram(),
        bodies: o
            .comparison
            .bodies
            .iter()
            .map(|b| body_view(b, failed))
            .collect(),
        links: o
            .comparison
            .links
            .iter()
            .map(|l| link_view(l, failed))
            .collect(),
        new_body: FormView::new("new_body", &[("status", "proposed")], failed),
        new_link: FormView::new("new_link", &[], failed),
        from_bodies: options("from_body_id"),
        to_bodies: options("to_body_id"),
        relations: Choice::list(
            Relation::ALL,
            |r| r.as_str(),
            |r| r.label(),
            &typed("relation"),
        ),
        changes: &o.changes,
        report: report_view(w, failed),
        published: o.published,
        published_at: c.outcome_published_at.map(when),
        shown_version: o.version.as_ref().filter(|_| o.published).map(|v| v.number),
        tell,
        mail,
    }
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    (failed, done): (Option<&FailedForm>, Option<&str>),
) -> Result<HttpResponse, AppError> {
    let caller = Caller::Staff(staff.user.clone());
    let (w, tell) = state
        .db(move |conn| {
            let w = workspace::workspace(conn, &caller, &slug)?;
            let tell = crate::db::outcome::to_tell(conn, w.outcome.consultation.id)?.len();
            Ok((w, tell))
        })
        .await?;
    let view = staff_view(&w, (tell, state.mailer.is_some()), failed);
    let screen = Screen::new("staff_outcome")
        .failed(failed)
        .notice(notice(done));
    Ok(screen.render(req, state, staff, &view))
}

/// `GET /staff/consultations/{slug}/outcome`.
pub async fn staff_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    show(
        &req,
        &state,
        &staff,
        slug.into_inner(),
        (None, done.done.as_deref()),
    )
    .await
}

/// Runs a change from form `form` and returns to the page (at `anchor`),
/// or shows the page again with the form's errors.
async fn act<F>(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    slug: String,
    (form_id, form, anchor): (String, CheckedForm, &'static str),
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut crate::db::DbConnection, &Caller) -> crate::service::ServiceResult<&'static str>
        + Send
        + 'static,
{
    let caller = Caller::Staff(staff.user.clone());
    let s = slug.clone();
    let outcome = state
        .db(move |conn| work(conn, &caller))
        .await
        .map(|done| format!("/staff/consultations/{s}/outcome?done={done}{anchor}"));
    let typed: &FormData = &form;
    settle(
        outcome,
        (&form_id, typed),
        |failed: FailedForm| async move {
            show(&req, &state, &staff, slug, (Some(&failed), None)).await
        },
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

fn reason_input(form: &FormData) -> ReasonInput {
    ReasonInput {
        summary: form.get("summary").into(),
        issues: form.get("issues").into(),
    }
}

/// An id from the path; one that is no number is no body's or link's (0),
/// found missing after the caller's access is checked, so a 404 never
/// comes before a 403.
fn id_of(path: &str) -> i64 {
    path.parse().unwrap_or(0)
}

/// `POST /staff/consultations/{slug}/outcome/versions`: starts the next version.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let slug = slug.into_inner();
    let s = slug.clone();
    act(
        (req, state, staff),
        slug,
        ("start".into(), form, "#revised"),
        move |conn, caller| versions::start(conn, caller, &s, now).map(|_| "version-started"),
    )
    .await
}

/// A change to the revised structure as asked on a form.
enum Asked {
    AddBody(BodyInput),
    ChangeBody(VersionBodyId, BodyInput),
    RemoveBody(VersionBodyId),
    AddLink(LinkInput),
    RemoveLink(VersionLinkId),
}

impl Asked {
    fn edit(&self) -> Edit<'_> {
        match self {
            Asked::AddBody(input) => Edit::AddBody(input),
            Asked::ChangeBody(id, input) => Edit::ChangeBody(*id, input),
            Asked::RemoveBody(id) => Edit::RemoveBody(*id),
            Asked::AddLink(input) => Edit::AddLink(input),
            Asked::RemoveLink(id) => Edit::RemoveLink(*id),
        }
    }

    /// The id of the form it came from, which shows its errors.
    fn form(&self) -> String {
        match self {
            Asked::AddBody(_) => "new_body".into(),
            Asked::ChangeBody(id, _) => format!("body-{id}"),
            Asked::RemoveBody(id) => format!("remove-body-{id}"),
            Asked::AddLink(_) => "new_link".into(),
            Asked::RemoveLink(id) => format!("remove-link-{id}"),
        }
    }
}

/// Makes the change asked on `form`, with the reason typed on it.
async fn change_structure(
    parts: (HttpRequest, web::Data<AppState>, StaffUser),
    slug: String,
    form: CheckedForm,
    asked: Asked,
) -> Result<HttpResponse, AppError> {
    let now = parts.1.clock.now();
    let (reason, s, form_id) = (reason_input(&form), slug.clone(), asked.form());
    act(
        parts,
        slug,
        (form_id, form, "#revised"),
        move |conn, caller| {
            versions::edit(conn, caller, &s, (asked.edit(), &reason), now)
                .map(|_| "structure-changed")
        },
    )
    .await
}

/// `POST /staff/consultations/{slug}/outcome/bodies`: adds a body.
pub async fn add_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let asked = Asked::AddBody(body_input(&form));
    change_structure((req, state, staff), slug.into_inner(), form, asked).await
}

/// `POST /staff/consultations/{slug}/outcome/bodies/{version_body}`: changes a body.
pub async fn change_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let asked = Asked::ChangeBody(VersionBodyId(id_of(&id)), body_input(&form));
    change_structure((req, state, staff), slug, form, asked).await
}

/// `POST /staff/consultations/{slug}/outcome/bodies/{version_body}/remove`.
pub async fn remove_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let asked = Asked::RemoveBody(VersionBodyId(id_of(&id)));
    change_structure((req, state, staff), slug, form, asked).await
}

/// `POST /staff/consultations/{slug}/outcome/links`: adds a link.
pub async fn add_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let asked = Asked::AddLink(LinkInput {
        from_body_id: form.get("from_body_id").parse().unwrap_or(0),
        to_body_id: form.get("to_body_id").parse().unwrap_or(0),
        relation: form.get("relation").into(),
        note: form.get("note").into(),
    });
    change_structure((req, state, staff), slug.into_inner(), form, asked).await
}

/// `POST /staff/consultations/{slug}/outcome/links/{version_link}/remove`.
pub async fn remove_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let asked = Asked::RemoveLink(VersionLinkId(id_of(&id)));
    change_structure((req, state, staff), slug, form, asked).await
}

/// `POST /staff/consultations/{slug}/outcome/report`: the covering report.
pub async fn save_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (now, slug) = (state.clock.now(), slug.into_inner());
    let input = ReportInput {
        committee: form.get("committee").into(),
        meeting_date: super::editing::date_field(&form, "meeting_date"),
        purpose: form.get("purpose").into(),
        next_steps: form.get("next_steps").into(),
    };
    let s = slug.clone();
    act(
        (req, state, staff),
        slug,
        ("report_form".into(), form, "#report"),
        move |conn, caller| {
            pack::save_report(conn, caller, &s, &input, now).map(|()| "report-saved")
        },
    )
    .await
}

/// `POST /staff/consultations/{slug}/outcome/publish`: publishes the
/// outcome, then e-mails those who asked (after commit, never awaited).
pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (now, slug) = (state.clock.now(), slug.into_inner());
    let caller = Caller::Staff(staff.user.clone());
    let s = slug.clone();
    let can_mail = state.mailer.is_some();
    let result = state
        .db(move |conn| publish::publish(conn, &caller, &s, now, can_mail))
        .await;
    let outcome = match result {
        Ok(notices) => {
            tell(&state, &req, &slug, notices);
            Ok(format!(
                "/staff/consultations/{slug}/outcome?done=outcome-published#outcome"
            ))
        }
        Err(e) => Err(e),
    };
    let typed: &FormData = &form;
    settle(
        outcome,
        ("publish_outcome", typed),
        |failed: FailedForm| async move {
            show(&req, &state, &staff, slug, (Some(&failed), None)).await
        },
    )
    .await
}

/// E-mails each notice in the background; a failure is logged.
fn tell(state: &AppState, req: &HttpRequest, slug: &str, notices: Vec<Notice>) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    let url = format!(
        "{}/consultations/{slug}/outcome",
        super::respond::base_url(state, req)
    );
    for n in notices {
        let mail = crate::mail::OutcomeNotice {
            to: n.to,
            consultation_title: n.consultation_title,
            reference: n.reference,
            outcome_url: url.clone(),
        };
        let mailer = mailer.clone();
        let reference = mail.reference.clone();
        super::respond::send_later("outcome notice", reference, move || {
            mailer.send_outcome(&mail)
        });
    }
}

/// `POST /staff/consultations/{slug}/outcome/withdraw`.
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (now, slug) = (state.clock.now(), slug.into_inner());
    let s = slug.clone();
    act(
        (req, state, staff),
        slug,
        ("withdraw".into(), form, "#outcome"),
        move |conn, caller| publish::withdraw(conn, caller, &s, now).map(|()| "outcome-withdrawn"),
    )
    .await
}

/// The committee pack of `slug` in `format`, as a download.
async fn pack_file(
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: String,
    format: PackFormat,
) -> Result<HttpResponse, AppError> {
    let (caller, s) = (Caller::Staff(staff.user), slug.clone());
    let document = state
        .db(move |conn| pack::pack(conn, &caller, &s).map(|p| p.document))
        .await?;
    let bytes = web::block(move || format.write(&document))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let file = format!("{slug}-committee-pack.{}", format.extension());
    Ok(super::summary::attachment(&file, format.content_type()).body(bytes))
}

/// `GET /staff/consultations/{slug}/pack.docx`: the committee pack.
pub async fn pack_docx(
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    pack_file(state, staff, slug.into_inner(), PackFormat::Docx).await
}

/// `GET /staff/consultations/{slug}/pack.html`: the pack as a printable page.
pub async fn pack_html(
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    pack_file(state, staff, slug.into_inner(), PackFormat::Html).await
}

/// The public page.
#[derive(Debug, Serialize)]
struct PublicView<'a> {
    slug: &'a str,
    title: &'a str,
    run_by: &'a str,
    published: bool,
    counts: outcome::page::Counts,
    version: Option<i32>,
    diagram: String,
    changes: Vec<PublicChange<'a>>,
    bodies: Vec<BodyView<'a>>,
    links: Vec<LinkView<'a>>,
    unchanged: &'a [crate::service::summary::Row],
    change_count: usize,
    unchanged_count: usize,
}

#[derive(Debug, Serialize)]
struct PublicChange<'a> {
    #[serde(flatten)]
    change: &'a ChangeView,
    action_word: &'static str,
}

fn public_view(o: &Outcome) -> PublicView<'_> {
    let c = &o.consultation;
    PublicView {
        slug: &c.slug,
        title: &c.title,
        run_by: &c.run_by,
        published: o.published,
        counts: o.counts,
        version: o.version.as_ref().map(|v| v.number),
        diagram: o.diagram(),
        changes: o
            .changes
            .iter()
            .map(|change| PublicChange {
                change,
                action_word: change.action.as_str(),
            })
            .collect(),
        bodies: o
            .comparison
            .bodies
            .iter()
            .map(|b| BodyView {
                change: None,
                remove: None,
                ..body_view(b, None)
            })
            .collect(),
        links: o
            .comparison
            .links
            .iter()
            .map(|l| LinkView {
                remove: None,
                ..link_view(l, None)
            })
            .collect(),
        unchanged: &o.unchanged,
        change_count: o.changes.len(),
        unchanged_count: o.unchanged.len(),
    }
}

/// `GET /consultations/{slug}/outcome`: "we asked, you said, we did".
pub async fn page(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (slug, who) = (slug.into_inner(), staff.map(|s| Caller::Staff(s.user)));
    let o = state
        .db(move |conn| outcome::outcome(conn, who.as_ref(), &slug))
        .await?;
    let mut response = Page::ok("outcome", &public_view(&o)).plain();
    if o.audience == Audience::Staff {
        // A staff preview is never kept by a shared cache.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}
