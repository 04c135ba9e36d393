//! `/staff/users`: the admin's list of staff users, adding one, and
//! disabling or enabling one.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, notice};
use crate::db;
use crate::domain::{Role, UserId};
use crate::service::audit::Actor;
use crate::service::users;
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::{render, see_other};
use crate::web::state::AppState;

const ADMINS: &[Role] = &[Role::Admin];

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let all = state.db(|conn| Ok(db::users::all(conn)?)).await?;
    let typed_role = refused
        .as_ref()
        .and_then(|r| r.typed["role"].as_str().map(str::to_string))
        .unwrap_or_else(|| Role::GroupMember.as_str().to_string());
    let data = json!({
        "users": all.iter().map(|u| json!({
            "id": u.id.0, "email": u.email, "name": u.display_name, "role": u.role.label(),
            "disabled": u.disabled, "me": u.id == staff.user.id,
        })).collect::<Vec<_>>(),
        "roles": Role::ALL.iter().map(|r| json!({ "value": r.as_str(), "label": r.label(), "checked": r.as_str() == typed_role })).collect::<Vec<_>>(),
        "notice": notice(done),
        "errors": refused.as_ref().map(Refused::summary).unwrap_or_default(),
        "refused": refused.as_ref().map_or(Value::Null, Refused::to_json),
    });
    let status = refused.as_ref().map_or(StatusCode::OK, Refused::status);
    Ok(render(req, state, status, "staff_users", data, staff))
}

/// `GET /staff/users`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    staff.require(ADMINS)?;
    show(&req, &state, &staff, done.done.as_deref(), None).await
}

/// `POST /staff/users`: adds a user.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(ADMINS)?;
    check_csrf(&req, &state, &form)?;
    let (email, name, role, password) = (
        form.get("email").to_string(),
        form.get("name").to_string(),
        form.get("role").to_string(),
        form.get("password").to_string(),
    );
    // The password is never typed back into the page.
    let typed = json!({ "email": email, "name": name, "role": role });
    let actor = Actor::staff(&staff.user);
    let outcome = state
        .db(move |conn| {
            let role = role
                .parse::<Role>()
                .map_err(|_| crate::service::ServiceError::invalid("role", "Choose a role"))?;
            users::add_as(conn, &actor, &email, &name, role, &password)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other("/staff/users?done=user-added")),
        Err(e) => {
            let refused = Refused::from_error(e, "user".into(), typed)?;
            show(&req, &state, &staff, None, Some(refused)).await
        }
    }
}

/// `POST /staff/users/{id}/disabled`: `disabled=true|false`.
pub async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    id: web::Path<i64>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(ADMINS)?;
    check_csrf(&req, &state, &form)?;
    let disabled = form.get("disabled") == "true";
    let (id, actor) = (UserId(id.into_inner()), Actor::staff(&staff.user));
    let outcome = state
        .db(move |conn| users::set_disabled(conn, &actor, id, disabled))
        .await;
    match outcome {
        Ok(()) => Ok(see_other(if disabled {
            "/staff/users?done=user-disabled"
        } else {
            "/staff/users?done=user-enabled"
        })),
        Err(e) => {
            let refused = Refused::from_error(e, "users".into(), Value::Null)?;
            show(&req, &state, &staff, None, Some(refused)).await
        }
    }
}
