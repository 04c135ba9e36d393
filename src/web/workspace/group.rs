//! `/staff/consultations/{slug}/group`: who is in the group working on a
//! consultation; officers add and remove group members.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Done, Screen, act, load, settle};
use crate::domain::UserId;
use crate::service::model::User;
use crate::service::workspace::members;
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::FailedForm;
use crate::web::form::CheckedForm;
use crate::web::state::AppState;

/// A staff user as the group page lists them.
#[derive(Debug, Serialize)]
struct Person {
    id: i64,
    email: String,
    name: String,
}

impl Person {
    fn of(user: &User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.clone(),
            name: user.display_name.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct GroupView {
    members: Vec<Person>,
    others: Vec<Person>,
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, group) = load(state, staff, slug, members::group).await?;
    let view = GroupView {
        members: group.members.iter().map(Person::of).collect(),
        others: group.others.iter().map(Person::of).collect(),
    };
    Ok(screen.render(req, state, staff, &consultation, &view))
}

fn screen() -> Screen<'static> {
    Screen::new("ws_group", "group")
}

/// `GET /staff/consultations/{slug}/group`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let screen = screen().done(done.done.as_deref());
    show(&req, &state, &staff, slug.into_inner(), screen).await
}

/// `POST /staff/consultations/{slug}/group`: `user=` and `change=add|remove`.
pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let add = form.get("change") != "remove";
    let user = form.get("user").parse().map(UserId).unwrap_or(UserId(0));
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        members::set_member(conn, s, user, add, now)
    })
    .await
    .map(|()| {
        let done = if add {
            "member-added"
        } else {
            "member-removed"
        };
        format!("/staff/consultations/{slug}/group?done={done}")
    });
    settle(outcome, ("group", &form), |failed: FailedForm| async move {
        show(&req, &state, &staff, slug, screen().failed(Some(&failed))).await
    })
    .await
}
