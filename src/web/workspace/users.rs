//! `/staff/users`: the admin's list of staff users, adding one, and
//! disabling or enabling one.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Done, notice, settle};
use crate::domain::{Role, UserId};
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::model::User;
use crate::service::users;
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::{FailedForm, Screen};
use crate::web::form::CheckedForm;
use crate::web::render::Choice;
use crate::web::state::AppState;

#[derive(Debug, Serialize)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: &'static str,
    disabled: bool,
    /// The user looking at the page (who cannot disable themselves).
    me: bool,
}

#[derive(Debug, Serialize)]
struct UsersView {
    users: Vec<UserRow>,
    roles: Vec<Choice>,
}

fn caller(staff: &StaffUser) -> Caller {
    Caller::Staff(staff.user.clone())
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let who = caller(staff);
    let all: Vec<User> = state.db(move |conn| users::all(conn, &who)).await?;
    let role = (screen.failed.and_then(|f| f.typed("role"))).unwrap_or(Role::GroupMember.as_str());
    let view = UsersView {
        users: (all.iter())
            .map(|u| UserRow {
                id: u.id.0,
                email: u.email.clone(),
                name: u.display_name.clone(),
                role: u.role.label(),
                disabled: u.disabled,
                me: u.id == staff.user.id,
            })
            .collect(),
        roles: Choice::list(Role::ALL, |r| r.as_str(), |r| r.label(), role),
    };
    Ok(screen.render(req, state, staff, &view))
}

/// `GET /staff/users`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let screen = Screen::new("staff_users").notice(notice(done.done.as_deref()));
    show(&req, &state, &staff, screen).await
}

/// `POST /staff/users`: adds a user.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (email, name, role, password) = (
        form.get("email").to_string(),
        form.get("name").to_string(),
        form.get("role").to_string(),
        form.get("password").to_string(),
    );
    let who = caller(&staff);
    let outcome = state
        .db(move |conn| {
            let role = role
                .parse::<Role>()
                .map_err(|_| ServiceError::invalid("role", "Choose a role"))?;
            users::add_as(conn, &who, &email, &name, role, &password)
        })
        .await
        .map(|_| "/staff/users?done=user-added".to_string());
    // The password is never typed back into the page (FailedForm drops it).
    settle(outcome, ("user", &form), |failed: FailedForm| async move {
        show(
            &req,
            &state,
            &staff,
            Screen::new("staff_users").failed(Some(&failed)),
        )
        .await
    })
    .await
}

/// `POST /staff/users/{id}/disabled`: `disabled=true|false`.
pub async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    id: web::Path<i64>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let disabled = form.get("disabled") == "true";
    let (id, who) = (UserId(id.into_inner()), caller(&staff));
    let outcome = state
        .db(move |conn| users::set_disabled(conn, &who, id, disabled))
        .await
        .map(|()| {
            let done = if disabled {
                "user-disabled"
            } else {
                "user-enabled"
            };
            format!("/staff/users?done={done}")
        });
    settle(outcome, ("users", &form), |failed: FailedForm| async move {
        show(
            &req,
            &state,
            &staff,
            Screen::new("staff_users").failed(Some(&failed)),
        )
        .await
    })
    .await
}
