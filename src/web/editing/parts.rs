//! Adding, changing and deleting the parts of a consultation on its
//! editor page: sections and questions of the document, bodies and links
//! of the structure. One handler of each kind serves every part: the part
//! says how its form is read, `service::editing` how it is checked and
//! stored.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Edit, apply};
use crate::service::editing::{
    self, Body, BodyInput, BodyLink, Changeable, LinkInput, Part, Question, QuestionInput, Section,
    SectionInput,
};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::form::{CheckedForm, FormData};
use crate::web::state::AppState;

/// A part whose input comes from an editor form.
pub trait FromForm: Part {
    /// The part's input as typed on its form.
    fn input(form: &FormData) -> Self::Input;
}

impl FromForm for Section {
    fn input(form: &FormData) -> SectionInput {
        SectionInput {
            heading: form.get("heading").into(),
            content: form.get("content").into(),
        }
    }
}

impl FromForm for Question {
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

/// `POST …/{parts}/{id}/delete`.
pub async fn delete<P: FromForm>(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
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
