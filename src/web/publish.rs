//! `/staff/consultations/{slug}/publish`: the publish step. It lists what
//! is not ready (public issues without a response from the group, draft
//! responses, held responses, responses not checked for redaction) and
//! publishes when everything is ready, or with the officer's recorded
//! reason for publishing now.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::auth::StaffUser;
use super::error::AppError;
use super::failed::{FailedForm, Screen, settle};
use super::form::CheckedForm;
use super::state::AppState;
use crate::domain::{ConsultationStatus, time};
use crate::service::access::Caller;
use crate::service::publication::gate::{self, Gap, Readiness};

/// An issue not ready, linked to where it is answered.
#[derive(Debug, Serialize)]
struct GapView {
    reference: String,
    position: i32,
    text: String,
    link: String,
}

/// Some items not ready, and how many in all.
#[derive(Debug, Serialize)]
struct ListedView<T> {
    total: usize,
    more: usize,
    first: Vec<T>,
}

/// A response not checked for redaction.
#[derive(Debug, Serialize)]
struct UncheckedView {
    reference: String,
    received: String,
    link: String,
}

/// The publish page.
#[derive(Debug, Serialize)]
struct PublishView {
    slug: String,
    title: String,
    status: &'static str,
    closed: bool,
    ready: bool,
    public_issues: usize,
    withheld_issues: usize,
    unanswered: ListedView<GapView>,
    drafts: ListedView<GapView>,
    held: usize,
    unchecked: ListedView<UncheckedView>,
}

fn listed<T, V>(items: &gate::Listed<T>, view: impl Fn(&T) -> V) -> ListedView<V> {
    ListedView {
        total: items.total,
        more: items.total.saturating_sub(items.first.len()),
        first: items.first.iter().map(view).collect(),
    }
}

fn view_of(r: &Readiness) -> PublishView {
    let c = &r.scope.consultation;
    let slug = c.slug.clone();
    let gap = |g: &Gap| GapView {
        reference: g.reference.clone(),
        position: g.position,
        text: g.content.chars().take(200).collect(),
        link: format!("/staff/consultations/{slug}/issues/{}/draft", g.id.0),
    };
    PublishView {
        title: c.title.clone(),
        status: c.status.label(),
        closed: c.status == ConsultationStatus::Closed,
        ready: r.ready(),
        public_issues: r.public_issues,
        withheld_issues: r.withheld_issues,
        unanswered: listed(&r.unanswered, gap),
        drafts: listed(&r.drafts, gap),
        held: r.held,
        unchecked: listed(&r.unchecked, |(reference, received)| UncheckedView {
            reference: reference.clone(),
            received: time::date_and_time(time::from_db(*received)),
            link: format!("/staff/consultations/{slug}/inbox/{reference}#redaction"),
        }),
        slug,
    }
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    failed: Option<&FailedForm>,
) -> Result<HttpResponse, AppError> {
    let caller = Caller::Staff(staff.user.clone());
    let readiness = state
        .db(move |conn| gate::readiness(conn, &caller, &slug))
        .await?;
    let screen = Screen::new("staff_publish").failed(failed);
    Ok(screen.render(req, state, staff, &view_of(&readiness)))
}

/// `GET /staff/consultations/{slug}/publish`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show(&req, &state, &staff, slug.into_inner(), None).await
}

/// `POST /staff/consultations/{slug}/publish`: publishes, with the
/// officer's reason when something is not ready.
pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (caller, now, s) = (
        Caller::Staff(staff.user.clone()),
        state.clock.now(),
        slug.clone(),
    );
    let reason = form.get("reason").to_string();
    let outcome = state
        .db(move |conn| {
            let reason = Some(reason.as_str()).filter(|r| !r.trim().is_empty());
            gate::publish(conn, &caller, &s, reason, now)
        })
        .await
        .map(|()| format!("/staff/consultations/{slug}?done=published"));
    settle(
        outcome,
        ("publish", &form),
        |failed: FailedForm| async move { show(&req, &state, &staff, slug, Some(&failed)).await },
    )
    .await
}
