//! "Are you sure?" (GOV.UK): destructive actions — deleting a part of a
//! consultation, removing an issue, merging themes — take a second step.
//! Their buttons post as before; a post without `confirm=yes` comes here
//! first, to a page that says what will go and asks again.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::auth::StaffUser;
use super::error::AppError;
use super::form::FormData;
use super::render::{Choice, Page, see_other};
use super::state::AppState;
use crate::service::access::{self, Action, Caller};

/// A select on the confirmation page (the theme to merge into).
#[derive(Debug, Serialize)]
pub struct Choices {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Choice>,
}

/// What a confirmation page says and where its button posts.
#[derive(Debug, Default, Serialize)]
pub struct Confirmation {
    /// The consultation's title, above the question.
    pub caption: String,
    /// The question: "Delete the section “Why we are changing”?"
    pub title: String,
    /// The text that will go, quoted.
    pub detail: Option<String>,
    /// Several texts that will go (selected issues), each quoted.
    pub quoted: Vec<String>,
    /// What the first post sent, sent again with `confirm=yes`.
    pub carried: Vec<Carried>,
    /// What cannot be undone.
    pub warning: String,
    pub action: String,
    pub button: String,
    pub cancel: String,
    pub choices: Option<Choices>,
}

/// A field of the first post, carried through the confirmation.
#[derive(Debug, Serialize)]
pub struct Carried {
    pub name: String,
    pub value: String,
}

/// `?into=` on a merge's confirmation: what to merge into, chosen already.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MergeInto {
    #[serde(default)]
    pub into: Option<String>,
}

/// Whether the form was sent from a confirmation page.
pub fn confirmed(form: &FormData) -> bool {
    form.get("confirm") == "yes"
}

/// To the confirmation page (`GET` of the same path, with `query`), for a
/// caller who may do `action` on consultation `slug` (others are refused
/// as the action itself would refuse them).
pub async fn ask(
    (req, state, staff): (&HttpRequest, &AppState, &StaffUser),
    slug: String,
    action: Action,
    query: &str,
) -> Result<HttpResponse, AppError> {
    let caller = Caller::Staff(staff.user.clone());
    state
        .db(move |conn| access::open_for(conn, &caller, &slug, action).map(|_| ()))
        .await?;
    let path = req.path();
    Ok(if query.is_empty() {
        see_other(path)
    } else {
        see_other(&format!("{path}?{query}"))
    })
}

/// The confirmation page.
pub fn page(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    confirmation: &Confirmation,
) -> HttpResponse {
    Page::ok("staff_confirm", confirmation).render(req, state, Some(staff))
}
