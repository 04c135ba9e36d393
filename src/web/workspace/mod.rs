//! The group's workspace pages: overview, the inbox and a response's
//! issues, triage by theme, drafting, the analysis job, the group's
//! members; and the admin's users page. Handlers here are thin: they call
//! the service (which applies the access policy), then redirect with a
//! notice or show the page again with the failed form as typed.

pub mod analysis;
pub mod consultees;
pub mod drafting;
pub mod group;
pub mod import;
pub mod inbox;
pub mod overview;
pub mod themes;
pub mod users;

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::auth::StaffUser;
use super::error::AppError;
pub(crate) use super::failed::settle;
use super::failed::{self, FailedForm};
use super::state::AppState;
use crate::domain::time;
use crate::service::ServiceResult;
use crate::service::access::{self, Caller, Duty, Scope};
use crate::service::model::{AuditEntry, Connection, Consultation};

/// The issues ticked on a form (`issues=`, each an id); anything else sent
/// there is ignored.
pub(crate) fn selected_issues(form: &super::form::FormData) -> Vec<crate::domain::IssueId> {
    form.all("issues")
        .into_iter()
        .filter_map(|v| v.parse().ok().map(crate::domain::IssueId))
        .collect()
}

/// Loads what a page needs from a consultation the user may work on.
pub(crate) async fn load<T, F>(
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    work: F,
) -> Result<(Consultation, T), AppError>
where
    F: FnOnce(&mut Connection, &Scope) -> ServiceResult<T> + Send + 'static,
    T: Send + 'static,
{
    act(state, staff, slug, move |conn, scope| {
        let found = work(conn, scope)?;
        Ok((scope.consultation.clone(), found))
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
    F: FnOnce(&mut Connection, &Scope) -> ServiceResult<T> + Send + 'static,
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

/// The consultation as the top of every workspace page names it.
#[derive(Debug, Serialize)]
struct Heading {
    slug: String,
    title: String,
    status: &'static str,
    group_name: String,
}

/// What every workspace page has around its own view (and the forms'
/// frame around that).
#[derive(Debug, Serialize)]
struct WorkspaceFrame<'a, V: Serialize> {
    #[serde(flatten)]
    view: &'a V,
    consultation: Heading,
    /// `nav.{current}`: which tab is this page's.
    nav: BTreeMap<&'a str, bool>,
    /// Whether to link to the consultation's editor.
    officer: bool,
}

/// Which workspace page to show, and what happened just before.
pub(crate) struct Screen<'a> {
    /// The tab it belongs to: overview, inbox, themes or group.
    nav: &'a str,
    page: failed::Screen<'a>,
    pub failed: Option<&'a FailedForm>,
}

impl<'a> Screen<'a> {
    /// Page `template` under tab `nav`.
    pub fn new(template: &'a str, nav: &'a str) -> Self {
        Self {
            nav,
            page: failed::Screen::new(template),
            failed: None,
        }
    }

    /// With the confirmation for `?done=`.
    pub fn done(mut self, done: Option<&str>) -> Self {
        self.page = self.page.notice(notice(done));
        self
    }

    /// With a form the service refused.
    pub fn failed(mut self, failed: Option<&'a FailedForm>) -> Self {
        self.failed = failed;
        self.page = self.page.failed(failed);
        self
    }

    /// Renders the page: the consultation and the sub-navigation are
    /// always there; a failed form adds the error summary.
    pub fn render<V: Serialize>(
        &self,
        req: &HttpRequest,
        state: &AppState,
        staff: &StaffUser,
        consultation: &Consultation,
        view: &V,
    ) -> HttpResponse {
        let frame = WorkspaceFrame {
            view,
            consultation: Heading {
                slug: consultation.slug.clone(),
                title: consultation.title.clone(),
                status: consultation.status.label(),
                group_name: consultation.group_name.clone(),
            },
            nav: BTreeMap::from([(self.nav, true)]),
            officer: access::has_duty(
                &Caller::Staff(staff.user.clone()),
                Duty::CreateConsultations,
            ),
        };
        self.page.render(req, state, staff, &frame)
    }
}

/// One change in an audit trail, as the history table shows it.
#[derive(Debug, Serialize)]
pub(crate) struct HistoryEntry {
    at: String,
    actor: String,
    action: String,
    before: Option<String>,
    after: Option<String>,
}

/// An audit trail for templates (oldest first).
pub(crate) fn history(entries: &[AuditEntry]) -> Vec<HistoryEntry> {
    entries
        .iter()
        .map(|e| HistoryEntry {
            at: when(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            before: e.before_value.clone(),
            after: e.after_value.clone(),
        })
        .collect()
}

/// A UK date and time from a stored timestamp.
pub(crate) fn when(at: chrono::NaiveDateTime) -> String {
    time::date_and_time(time::from_db(at))
}

/// When a response arrived: the date alone for a letter dated but not
/// timed (its stored time is a stand-in).
pub(crate) fn received(at: chrono::NaiveDateTime, time_known: bool) -> String {
    if time_known {
        when(at)
    } else {
        time::short_date(time::from_db(at))
    }
}

/// A notice for `?done=…` after a redirect, from a fixed list (so the URL
/// cannot put words on the page).
pub(crate) fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
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
        "drafted-next" => "The group’s response was saved. This is the next issue without one.",
        "all-answered" => "The group’s response was saved. Every issue here now has a response.",
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
        "assigned" => "The theme’s assignment was saved.",
        "consultee-changed" => "The consultee was changed; the committee table names them so.",
        "consultees-merged" => "The consultees were merged.",
        "version-started" => "A new version of the revised structure was started.",
        "structure-changed" => "The change to the revised structure was saved with its reason.",
        "report-saved" => "The covering report was saved.",
        "outcome-published" => "The outcome page was published.",
        "outcome-withdrawn" => "The outcome page was withdrawn.",
        _ => return None,
    })
}

/// `?done=` on workspace pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}
