//! Adding, changing and deleting the parts of a consultation on its
//! editor page: sections and questions of the document, bodies and links
//! of the structure. One handler of each kind serves every part: the part
//! says how its form is read, `service::editing` how it is checked and
//! stored.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Edit, apply};
use crate::service::access::{Action, Caller};
use crate::service::editing::Editor;
use crate::service::editing::{
    self, Body, BodyInput, BodyLink, Changeable, LinkInput, Part, Question, QuestionInput, Section,
    SectionInput,
};
use crate::web::auth::StaffUser;
use crate::web::confirm::{self, Confirmation};
use crate::web::error::AppError;
use crate::web::form::{CheckedForm, FormData};
use crate::web::state::AppState;

/// A part whose input comes from an editor form.
pub trait FromForm: Part {
    /// The part's input as typed on its form.
    fn input(form: &FormData) -> Self::Input;

    /// For the "Are you sure?" page: what deleting part `id` asks and what
    /// it quotes (none: no such part).
    fn describe(editor: &Editor, id: i64) -> Option<(String, Option<String>)>;
}

impl FromForm for Section {
    fn describe(editor: &Editor, id: i64) -> Option<(String, Option<String>)> {
        let s = editor.sections.iter().find(|s| s.id.0 == id)?;
        Some((
            format!("Delete the section “{}”?", s.heading),
            Some(crate::web::view::opening(&s.content, 300)),
        ))
    }

    fn input(form: &FormData) -> SectionInput {
        SectionInput {
            heading: form.get("heading").into(),
            content: form.get("content").into(),
        }
    }
}

impl FromForm for Question {
    fn describe(editor: &Editor, id: i64) -> Option<(String, Option<String>)> {
        let q = editor.questions.iter().find(|q| q.id.0 == id)?;
        Some(("Remove this question?".into(), Some(q.prompt.clone())))
    }

    fn input(form: &FormData) -> QuestionInput {
        QuestionInput {
            prompt: form.get("prompt").into(),
            kind: form.get("kind").into(),
            choices: form.get("choices").into(),
            required: form.get("required") == "yes",
            section_id: form.get("section_id").parse().ok(),
        }
    }
}

impl FromForm for Body {
    fn describe(editor: &Editor, id: i64) -> Option<(String, Option<String>)> {
        let b = editor.bodies.iter().find(|b| b.id.0 == id)?;
        Some((
            format!("Delete {} and its links?", b.name),
            Some(b.role.clone()).filter(|r| !r.is_empty()),
        ))
    }

    fn input(form: &FormData) -> BodyInput {
        BodyInput {
            name: form.get("name").into(),
            short_name: form.get("short_name").into(),
            status: form.get("status").into(),
            role: form.get("role").into(),
            membership: form.get("membership").into(),
            meets: form.get("meets").into(),
        }
    }
}

impl FromForm for BodyLink {
    fn describe(editor: &Editor, id: i64) -> Option<(String, Option<String>)> {
        let l = editor.links.iter().find(|l| l.id.0 == id)?;
        let name = |body| {
            (editor.bodies.iter())
                .find(|b| b.id == body)
                .map_or(String::new(), |b| b.name.clone())
        };
        Some((
            "Remove this link?".into(),
            Some(format!(
                "{} {} {}",
                name(l.from_body_id),
                l.relation.label(),
                name(l.to_body_id)
            )),
        ))
    }

    fn input(form: &FormData) -> LinkInput {
        LinkInput {
            from_body_id: form.get("from_body_id").parse().unwrap_or(0),
            to_body_id: form.get("to_body_id").parse().unwrap_or(0),
            relation: form.get("relation").into(),
            note: form.get("note").into(),
        }
    }
}

/// An id from the path: one that is no number is no part's.
fn id_of(path: &str) -> Result<i64, AppError> {
    path.parse().map_err(|_| AppError::NotFound("item".into()))
}

/// `POST …/{parts}`: adds a part; its form is `new_{part}`.
pub async fn add<P: FromForm>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError>
where
    P::Input: Send + 'static,
{
    let input = P::input(&form);
    let edit = Edit::new(format!("new_{}", P::NAME), format!("{}-added", P::NAME));
    apply(
        (req, state, staff),
        slug.into_inner(),
        (edit, &form),
        move |c, w, s, now| editing::add::<P>(c, w, s, &input, now).map(|_| ()),
    )
    .await
}

/// `POST …/{parts}/{id}`: changes a part.
pub async fn update<P: FromForm + Changeable>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError>
where
    P::Input: Send + 'static,
{
    let (slug, id) = path.into_inner();
    let (id, input) = (id_of(&id)?, P::input(&form));
    let edit = Edit::new(P::NAME.into(), format!("{}-changed", P::NAME));
    apply(
        (req, state, staff),
        slug,
        (edit, &form),
        move |c, w, s, now| editing::update::<P>(c, w, s, (id, &input), now),
    )
    .await
}

/// `GET …/{parts}/{id}/delete`: asks before deleting.
pub async fn confirm_delete<P: FromForm>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    // An id that is no number is no part's: found missing after the
    // caller's access is checked.
    let id = id.parse().unwrap_or(0);
    let caller = Caller::Staff(staff.user.clone());
    let s = slug.clone();
    let editor = state
        .db(move |conn| editing::editor(conn, &caller, &s))
        .await?;
    let (title, detail) =
        P::describe(&editor, id).ok_or_else(|| AppError::NotFound(P::NAME.into()))?;
    let confirmation = Confirmation {
        caption: editor.consultation.title.clone(),
        title,
        detail,
        warning: "This cannot be undone. The change is recorded in the audit log.".into(),
        action: req.path().to_string(),
        button: format!("Yes, delete the {}", P::NAME),
        cancel: format!("/staff/consultations/{slug}"),
        ..Default::default()
    };
    Ok(confirm::page(&req, &state, &staff, &confirmation))
}

/// `POST …/{parts}/{id}/delete`: after the "Are you sure?" page.
pub async fn delete<P: FromForm>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    if !confirm::confirmed(&form) {
        return confirm::ask((&req, &state, &staff), slug, Action::Run, "").await;
    }
    let id = id_of(&id)?;
    let edit = Edit::new(P::NAME.into(), format!("{}-deleted", P::NAME));
    apply(
        (req, state, staff),
        slug,
        (edit, &form),
        move |c, w, s, now| editing::delete::<P>(c, w, s, id, now),
    )
    .await
}
