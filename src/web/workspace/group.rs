//! `…/group`: who in the task-and-finish group works on a consultation
//! (officers add and remove group members).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, act, load, notice, page};
use crate::domain::{Role, UserId};
use crate::service::workspace::members;
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

/// Who may change a group.
const OFFICERS: &[Role] = &[Role::Officer, Role::Admin];

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, group) = load(state, staff, slug, members::group).await?;
    let user = |u: &crate::db::users::User| json!({ "id": u.id.0, "email": u.email, "name": u.display_name });
    let data = json!({
        "members": group.members.iter().map(user).collect::<Vec<_>>(),
        "others": group.others.iter().map(user).collect::<Vec<_>>(),
        "notice": notice(done),
    });
    Ok(page(
        req,
        state,
        staff,
        &consultation,
        ("ws_group", "group"),
        data,
        refused.as_ref(),
    ))
}

/// `GET /staff/consultations/{slug}/group`.
pub async fn list(
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
        done.done.as_deref(),
        None,
    )
    .await
}

/// `POST /staff/consultations/{slug}/group`: `user=` and `change=add|remove`.
pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(OFFICERS)?;
    check_csrf(&req, &state, &form)?;
    let slug = slug.into_inner();
    let add = form.get("change") != "remove";
    let user = form.get("user").parse().map(UserId).unwrap_or(UserId(0));
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        members::set_member(conn, s, user, add, now)
    })
    .await;
    match outcome {
        Ok(()) => {
            let done = if add {
                "member-added"
            } else {
                "member-removed"
            };
            Ok(see_other(&format!(
                "/staff/consultations/{slug}/group?done={done}"
            )))
        }
        Err(e) => {
            let refused = Refused::from_error(e, "group".into(), Value::Null)?;
            show(&req, &state, &staff, slug, None, Some(refused)).await
        }
    }
}
