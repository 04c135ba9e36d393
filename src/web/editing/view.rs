//! The consultation editor page: what it shows, from `service::editing`'s
//! [`Editor`], with a refused form's typed values where there is one.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::{DetailsView, EditorChoices, caller, details_input_of, saved_details};
use crate::domain::{BodyStatus, ConsultationStatus, time};
use crate::service::editing::{self, Editor};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::{FailedForm, Screen};
use crate::web::render::Choice;
use crate::web::state::AppState;

#[derive(Debug, Serialize)]
struct EditorHeading {
    slug: String,
    title: String,
    status: &'static str,
    public: bool,
}

/// The next step of the life cycle (publishing has its own page).
#[derive(Debug, Serialize)]
struct NextStatus {
    value: &'static str,
    label: &'static str,
    publish: bool,
}

/// A response held for review (a spam trap was filled in).
#[derive(Debug, Serialize)]
struct HeldRow {
    reference: String,
    received: String,
    from: String,
    content: String,
}

#[derive(Debug, Serialize)]
struct SectionRow {
    id: i64,
    position: i32,
    heading: String,
    content: String,
}

#[derive(Debug, Serialize)]
struct QuestionRow {
    id: i64,
    position: i32,
    prompt: String,
    kind: &'static str,
    required: bool,
}

#[derive(Debug, Serialize)]
struct BodyRow {
    id: i64,
    name: String,
    short_name: Option<String>,
    role: String,
    membership: String,
    meets: String,
    statuses: Vec<Choice>,
}

#[derive(Debug, Serialize)]
struct LinkRow {
    id: i64,
    from: String,
    relation: &'static str,
    to: String,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct EditorView {
    consultation: EditorHeading,
    details: DetailsView,
    next_status: Option<NextStatus>,
    responses: i64,
    held: Vec<HeldRow>,
    /// Questions cannot be removed while the consultation is open and has
    /// responses.
    locked_questions: bool,
    sections: Vec<SectionRow>,
    questions: Vec<QuestionRow>,
    bodies: Vec<BodyRow>,
    links: Vec<LinkRow>,
    #[serde(flatten)]
    choices: EditorChoices,
    /// The bodies, for the two ends of a new link.
    from_bodies: Vec<Choice>,
    to_bodies: Vec<Choice>,
}

fn structure_rows(e: &Editor) -> (Vec<BodyRow>, Vec<LinkRow>) {
    let name = |id| {
        (e.bodies.iter())
            .find(|b| b.id == id)
            .map(|b| b.name.clone())
            .unwrap_or_default()
    };
    let bodies = (e.bodies.iter())
        .map(|b| BodyRow {
            id: b.id.0,
            name: b.name.clone(),
            short_name: b.short_name.clone(),
            role: b.role.clone(),
            membership: b.membership.clone(),
            meets: b.meets.clone(),
            statuses: Choice::list(
                BodyStatus::ALL,
                |s| s.as_str(),
                |s| s.label(),
                b.status.as_str(),
            ),
        })
        .collect();
    let links = (e.links.iter())
        .map(|l| LinkRow {
            id: l.id.0,
            from: name(l.from_body_id),
            relation: l.relation.label(),
            to: name(l.to_body_id),
            note: l.note.clone(),
        })
        .collect();
    (bodies, links)
}

fn document_rows(e: &Editor) -> (Vec<SectionRow>, Vec<QuestionRow>) {
    let sections = (e.sections.iter())
        .map(|s| SectionRow {
            id: s.id.0,
            position: s.position,
            heading: s.heading.clone(),
            content: s.content.clone(),
        })
        .collect();
    let questions = (e.questions.iter())
        .map(|q| QuestionRow {
            id: q.id.0,
            position: q.position,
            prompt: q.prompt.clone(),
            kind: q.kind.label(),
            required: q.required,
        })
        .collect();
    (sections, questions)
}

fn editor_view(e: &Editor, failed: Option<&FailedForm>) -> EditorView {
    let c = &e.consultation;
    let details = match failed.filter(|f| f.form == "details") {
        Some(f) => details_input_of(f),
        None => saved_details(c),
    };
    let typed = |field: &str| {
        failed
            .filter(|f| f.form == "new_link")
            .and_then(|f| f.typed(field))
            .unwrap_or("")
    };
    let bodies_choosing = |field: &str| -> Vec<Choice> {
        (e.bodies.iter())
            .map(|b| Choice {
                value: b.id.0.to_string(),
                label: b.name.clone(),
                chosen: b.id.0.to_string() == typed(field),
            })
            .collect()
    };
    let (sections, questions) = document_rows(e);
    let (bodies, links) = structure_rows(e);
    EditorView {
        consultation: EditorHeading {
            slug: c.slug.clone(),
            title: c.title.clone(),
            status: c.status.label(),
            public: c.status.is_public(),
        },
        details: DetailsView::of(&details),
        next_status: c.status.next().map(|s| NextStatus {
            value: s.as_str(),
            label: s.label(),
            publish: s == ConsultationStatus::Published,
        }),
        responses: e.responses,
        held: (e.held.iter())
            .map(|(r, who)| HeldRow {
                reference: r.reference.clone(),
                received: time::date_and_time(time::from_db(r.received_at)),
                from: who
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" / "),
                content: r.content.clone(),
            })
            .collect(),
        locked_questions: c.status == ConsultationStatus::Open && e.responses > 0,
        sections,
        questions,
        bodies,
        links,
        choices: EditorChoices::new(failed),
        from_bodies: bodies_choosing("from_body_id"),
        to_bodies: bodies_choosing("to_body_id"),
    }
}

/// Renders the editor of consultation `slug` for `staff`.
pub(super) async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let who = caller(staff);
    let editor = state
        .db(move |conn| editing::editor(conn, &who, &slug))
        .await?;
    let view = editor_view(&editor, screen.failed);
    Ok(screen.render(req, state, staff, &view))
}
