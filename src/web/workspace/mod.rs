//! The group's workspace pages: overview, inbox, a response's issues, triage
//! by theme, drafting, the analysis job, the group's members; and the
//! admin's users page. Handlers here are thin: they check the CSRF token,
//! call `service::workspace` (which checks role and assignment), then
//! redirect with a notice or re-render the page with what was typed.

pub mod analysis;
pub mod drafting;
pub mod group;
pub mod import;
pub mod inbox;
pub mod overview;
pub mod responses;
pub mod themes;
pub mod users;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::auth::StaffUser;
use super::error::AppError;
use super::state::AppState;
use crate::db::DbConnection;
use crate::db::audit::AuditEntry;
use crate::db::consultations::Consultation;
use crate::domain::{ValidationError, time};
use crate::service::ServiceResult;
use crate::service::access::{self, Caller, Duty, Scope};

/// Loads what a page needs from a consultation the user may work on.
pub(crate) async fn load<T, F>(
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    work: F,
) -> Result<(Consultation, T), AppError>
where
    F: FnOnce(&mut DbConnection, &Scope) -> ServiceResult<T> + Send + 'static,
    T: Send + 'static,
{
    let caller = Caller::Staff(staff.user.clone());
    state
        .db(move |conn| {
            let scope = access::open(conn, &caller, &slug)?;
            let found = work(conn, &scope)?;
            Ok((scope.consultation, found))
        })
        .await
}

/// Makes a change to a consultation the user may work on, as that user.
pub(crate) async fn act<T, F>(
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    work: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection, &Scope) -> ServiceResult<T> + Send + 'static,
    T: Send + 'static,
{
    let caller = Caller::Staff(staff.user.clone());
    state
        .db(move |conn| {
            let scope = access::open(conn, &caller, &slug)?;
            work(conn, &scope)
        })
        .await
}

/// A form that was refused: which one, what was typed, and why. Pages
/// re-render with it so that nothing typed is lost.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    /// The form's id on the page (e.g. `issue-12`).
    pub form: String,
    pub typed: Value,
    pub errors: Vec<ValidationError>,
    /// Set when someone else saved first.
    pub conflict: Option<String>,
}

impl Refused {
    /// The refusal for an error the page can show next to the form; other
    /// errors go to the error page.
    pub fn from_error(error: AppError, form: String, typed: Value) -> Result<Self, AppError> {
        match error {
            AppError::Invalid(errors) => Ok(Self {
                form,
                typed,
                errors,
                conflict: None,
            }),
            AppError::Conflict(why) => Ok(Self {
                form,
                typed,
                errors: Vec::new(),
                conflict: Some(why),
            }),
            other => Err(other),
        }
    }

    /// 409 for a conflict, 422 for invalid input.
    pub fn status(&self) -> StatusCode {
        if self.conflict.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// What templates read: `refused.form`, `refused.typed`, one message
    /// per field in `refused.error`, and the error summary's list.
    pub fn to_json(&self) -> Value {
        let mut by_field = serde_json::Map::new();
        for e in &self.errors {
            by_field
                .entry(e.field.clone())
                .or_insert_with(|| json!(e.message));
        }
        json!({
            "form": self.form, "typed": self.typed, "error": by_field, "conflict": self.conflict,
        })
    }

    /// The error summary's entries, linked to the fields of this form.
    pub fn summary(&self) -> Vec<Value> {
        let mut list: Vec<Value> = self
            .errors
            .iter()
            .map(|e| json!({ "field": format!("{}-{}", self.form, e.field), "message": e.message }))
            .collect();
        if let Some(why) = &self.conflict {
            list.push(json!({ "field": self.form, "message": why }));
        }
        list
    }
}

/// Renders a workspace page: the consultation and the sub-navigation are
/// always there; a refusal adds the error summary.
pub(crate) fn page(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    consultation: &Consultation,
    (template, current): (&str, &str),
    mut data: Value,
    refused: Option<&Refused>,
) -> HttpResponse {
    let status = refused.map_or(StatusCode::OK, Refused::status);
    data["consultation"] = json!({
        "slug": consultation.slug, "title": consultation.title, "status": consultation.status.label(),
        "group_name": consultation.group_name,
    });
    data["nav"] = json!({ current: true });
    data["officer"] = json!(access::has_duty(
        &Caller::Staff(staff.user.clone()),
        Duty::CreateConsultations
    ));
    data["errors"] = json!(refused.map(Refused::summary).unwrap_or_default());
    data["refused"] = refused.map_or(Value::Null, Refused::to_json);
    // `forms.{id}` holds the refusal of the form with that id, so each form
    // on a page shows only its own errors and typed values.
    data["forms"] = refused.map_or_else(|| json!({}), |r| json!({ r.form.clone(): r.to_json() }));
    if data.get("notice").is_none() {
        data["notice"] = Value::Null;
    }
    super::staff::render(req, state, status, template, data, staff)
}

/// An audit trail for templates (oldest first).
pub(crate) fn history_json(entries: &[AuditEntry]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            json!({
                "at": time::date_and_time(time::from_db(e.at)), "actor": e.actor, "action": e.action,
                "before": e.before_value, "after": e.after_value,
            })
        })
        .collect()
}

/// A UK date and time from a stored timestamp.
pub(crate) fn when(at: chrono::NaiveDateTime) -> String {
    time::date_and_time(time::from_db(at))
}

/// A notice for `?done=…` after a redirect, from a fixed list (so the URL
/// cannot put words on the page).
pub(crate) fn notice(done: Option<&str>) -> Value {
    let text = match done.unwrap_or("") {
        "accepted" => "The proposed issues were saved.",
        "added" => "The issue was added.",
        "saved" => "Your changes were saved.",
        "merged" => "The issues were merged.",
        "split" => "The issue was split.",
        "removed" => "The issue was removed.",
        "renamed" => "The theme was renamed.",
        "pinned" => "The theme was pinned: it keeps its issues when the analysis is re-run.",
        "unpinned" => "The theme was unpinned.",
        "created" => "The theme was created.",
        "moved" => "The issues were moved.",
        "themes-merged" => "The themes were merged.",
        "theme-split" => "The selected issues are now a theme of their own.",
        "drafted" => "The group’s response was saved.",
        "repeats" => "The repeats were answered “As above”.",
        "started" => "The analysis has started.",
        "member-added" => "The group member was added.",
        "imported" => "The responses were imported.",
        "redacted" => {
            "The redacted text was saved; the public will see it once the consultation is published."
        }
        "member-removed" => "The group member was removed.",
        "checked" => "The response is marked as checked for publication.",
        "user-added" => "The user was added.",
        "user-disabled" => "The user was disabled; their sessions have ended.",
        "user-enabled" => "The user was enabled.",
        _ => return Value::Null,
    };
    json!(text)
}

/// `?done=` on workspace pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}
