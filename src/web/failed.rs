//! The one failed-form type: a form the service refused, with what was
//! typed and why, so the page it came from shows again with nothing lost
//! (GOV.UK: an error summary at the top, each message by its field).

use std::collections::BTreeMap;
use std::future::Future;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;

use super::error::AppError;
use super::form::FormData;
use super::render::ErrorLink;
use crate::domain::ValidationError;

/// A form that was refused: which one, what was typed, and why.
#[derive(Debug, Clone)]
pub struct FailedForm {
    /// The form's id on the page (`new_section`, `issue-12`…): its fields'
    /// ids start with it, and only that form shows the errors.
    pub form: String,
    /// What was typed, field by field (the first value of each).
    pub typed: BTreeMap<String, String>,
    pub errors: Vec<ValidationError>,
    /// Set when someone else saved first (409).
    pub conflict: Option<String>,
}

impl FailedForm {
    /// The failure of form `form` for an error the page can show next to
    /// it (invalid input, a conflict); any other error is the error page's.
    pub fn from_error(
        error: AppError,
        form: impl Into<String>,
        typed: &FormData,
    ) -> Result<Self, AppError> {
        let (errors, conflict) = match error {
            AppError::Invalid(errors) => (errors, None),
            AppError::Conflict(why) => (Vec::new(), Some(why)),
            other => return Err(other),
        };
        let mut kept = BTreeMap::new();
        for (name, value) in typed.pairs() {
            // Secrets are never typed back into a page.
            if name != "password" && name != "csrf_token" {
                kept.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        Ok(Self {
            form: form.into(),
            typed: kept,
            errors,
            conflict,
        })
    }

    /// 409 for a conflict, 422 for invalid input.
    pub fn status(&self) -> StatusCode {
        if self.conflict.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// What was typed in `field`, if the form sent it.
    pub fn typed(&self, field: &str) -> Option<&str> {
        self.typed.get(field).map(String::as_str)
    }

    /// What templates read of it: `typed.{field}`, `error.{field}` (the
    /// first message of each field) and `conflict`.
    pub fn view(&self) -> FailedFormView {
        let mut error = BTreeMap::new();
        for e in &self.errors {
            error
                .entry(e.field.clone())
                .or_insert_with(|| e.message.clone());
        }
        FailedFormView {
            form: self.form.clone(),
            typed: self.typed.clone(),
            error,
            conflict: self.conflict.clone(),
        }
    }

    /// The error summary's entries, each linked to its field
    /// (`{form}-{field}`), and the conflict linked to the form.
    pub fn summary(&self) -> Vec<ErrorLink> {
        let mut list = super::render::error_links(&self.errors, &format!("{}-", self.form));
        if let Some(why) = &self.conflict {
            list.push(ErrorLink {
                field: self.form.clone(),
                message: why.clone(),
            });
        }
        list
    }
}

/// After a change: to `Ok(location)` (POST/redirect/GET), or, when the
/// service refused form `form`, its page again with what was typed.
pub async fn settle<Show, Shown>(
    outcome: Result<String, AppError>,
    (form, typed): (&str, &FormData),
    show_again: Show,
) -> Result<HttpResponse, AppError>
where
    Show: FnOnce(FailedForm) -> Shown,
    Shown: Future<Output = Result<HttpResponse, AppError>>,
{
    match outcome {
        Ok(location) => Ok(super::render::see_other(&location)),
        Err(error) => show_again(FailedForm::from_error(error, form, typed)?).await,
    }
}

/// A failed form as templates read it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedFormView {
    pub form: String,
    pub typed: BTreeMap<String, String>,
    pub error: BTreeMap<String, String>,
    pub conflict: Option<String>,
}

/// What a page with forms has around its own view: the error summary
/// (`errors`), the failed form (`refused`, and the same as `forms.{id}`,
/// so each form shows only its own errors and typed values) and the
/// confirmation of the last change (`notice`).
#[derive(Debug, Serialize)]
pub struct FormsFrame<'a, V: Serialize> {
    #[serde(flatten)]
    view: &'a V,
    errors: Vec<ErrorLink>,
    refused: Option<FailedFormView>,
    forms: BTreeMap<String, FailedFormView>,
    notice: Option<&'a str>,
}

impl<'a, V: Serialize> FormsFrame<'a, V> {
    /// `view` with the failed form (if any) and the notice (if any).
    pub fn new(view: &'a V, failed: Option<&FailedForm>, notice: Option<&'a str>) -> Self {
        Self {
            view,
            errors: failed.map(FailedForm::summary).unwrap_or_default(),
            refused: failed.map(FailedForm::view),
            forms: failed
                .map(|f| (f.form.clone(), f.view()))
                .into_iter()
                .collect(),
            notice,
        }
    }
}

/// A staff page: its template, what happened just before (a notice, or a
/// form the service refused) and how to render it.
pub struct Screen<'a> {
    pub template: &'a str,
    pub notice: Option<&'a str>,
    pub failed: Option<&'a FailedForm>,
}

impl<'a> Screen<'a> {
    /// Page `template`, as first shown.
    pub fn new(template: &'a str) -> Self {
        Self {
            template,
            notice: None,
            failed: None,
        }
    }

    /// With the confirmation of the change just made.
    pub fn notice(mut self, notice: Option<&'a str>) -> Self {
        self.notice = notice;
        self
    }

    /// With a form the service refused (422, or 409 for a conflict).
    pub fn failed(mut self, failed: Option<&'a FailedForm>) -> Self {
        self.failed = failed;
        self
    }

    /// Renders `view` in the frame, for `staff`.
    pub fn render<V: Serialize>(
        &self,
        req: &actix_web::HttpRequest,
        state: &super::state::AppState,
        staff: &super::auth::StaffUser,
        view: &V,
    ) -> actix_web::HttpResponse {
        let frame = FormsFrame::new(view, self.failed, self.notice);
        let status = self.failed.map_or(StatusCode::OK, FailedForm::status);
        super::render::Page::ok(self.template, &frame)
            .with_status(status)
            .render(req, state, Some(staff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_what_was_typed_but_never_a_password() {
        let typed = FormData::from_pairs(vec![
            ("csrf_token".into(), "t".into()),
            ("email".into(), "a@example.gov.uk".into()),
            ("password".into(), "secret".into()),
        ]);
        let errors = vec![ValidationError::new("password", "Too short")];
        let failed =
            FailedForm::from_error(AppError::Invalid(errors), "user", &typed).expect("shown");
        assert_eq!(failed.typed("email"), Some("a@example.gov.uk"));
        assert_eq!(failed.typed("password"), None);
        assert_eq!(failed.typed("csrf_token"), None);
        assert_eq!(failed.summary()[0].field, "user-password");
        assert_eq!(failed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn other_errors_go_to_the_error_page() {
        let typed = FormData::default();
        let error = AppError::Forbidden("no".into());
        assert!(FailedForm::from_error(error, "x", &typed).is_err());
        let conflict =
            FailedForm::from_error(AppError::Conflict("first".into()), "x", &typed).expect("shown");
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        assert_eq!(conflict.summary()[0].field, "x");
    }
}
