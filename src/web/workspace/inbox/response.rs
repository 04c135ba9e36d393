//! A response opened in the workspace: its text and its issues, with the
//! forms to accept the splitter's proposals and to edit, tag, merge, split,
//! add and remove issues, and (officers) to redact it for publication.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::{Done, HistoryEntry, Screen, act, history, load, settle, when};
use crate::domain::{IssueId, IssueKind};
use crate::service::ServiceResult;
use crate::service::access::Scope;
use crate::service::model::Connection;
use crate::service::publication::redaction;
use crate::service::workspace::issues::{self, IssueDetail, IssueEdit, ResponseDetail};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::failed::{FailedForm, FailedFormView};
use crate::web::render::Choice;
use crate::web::state::AppState;

fn response_url(slug: &str, reference: &str) -> String {
    format!("/staff/consultations/{slug}/inbox/{reference}")
}

/// Who a response is from.
#[derive(Debug, Serialize)]
struct Sender {
    name: String,
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct ResponseView {
    reference: String,
    content: String,
    channel: &'static str,
    received: String,
    status: &'static str,
    publication: &'static str,
    from: Vec<Sender>,
    /// Where the group is with it, as choices.
    work: Vec<Choice>,
}

/// The text for publication, and its form.
#[derive(Debug, Serialize)]
struct RedactionView {
    done: bool,
    text: Option<String>,
    reason: Option<String>,
    by: Option<String>,
    at: Option<String>,
    checked: Option<String>,
    form_text: String,
    form_reason: String,
}

#[derive(Debug, Serialize)]
struct ThemeLink {
    id: i64,
    label: String,
}

#[derive(Debug, Serialize)]
struct ResponseState {
    kind: &'static str,
    status: &'static str,
}

/// One issue of the response, with its forms.
#[derive(Debug, Serialize)]
struct IssueCard {
    id: i64,
    number: usize,
    version: i32,
    /// As typed when its form was refused, or as saved.
    content: String,
    saved_content: String,
    form: String,
    split_text: String,
    split_error: Option<String>,
    kinds: Vec<Choice>,
    sections: Vec<Choice>,
    bodies: Vec<Choice>,
    tags: String,
    /// What it is tagged with, in a line: the folded tagging fields' summary.
    tagged: String,
    theme: Option<ThemeLink>,
    group_response: Option<ResponseState>,
    edited: bool,
    last: bool,
    refused: Option<FailedFormView>,
}

#[derive(Debug, Serialize)]
struct Proposal {
    text: String,
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct ResponsePage {
    response: ResponseView,
    issues: Vec<IssueCard>,
    proposal_count: usize,
    proposals: Vec<Proposal>,
    redaction: RedactionView,
    history: Vec<HistoryEntry>,
    /// What can be done to the selected issues at once.
    bulk_actions: Vec<Choice>,
}

/// The bulk actions: tag with a section or a body, move to a theme.
fn bulk_actions(detail: &ResponseDetail, typed: &str) -> Vec<Choice> {
    let choice = |value: String, label: String| Choice {
        chosen: value == typed,
        value,
        label,
    };
    let mut all = Vec::new();
    for s in &detail.sections {
        all.push(choice(
            format!("section:{}", s.id.0),
            format!("Tag with the section “{}”", s.heading),
        ));
    }
    for b in &detail.bodies {
        all.push(choice(
            format!("body:{}", b.id.0),
            format!("Tag with the body “{}”", b.name),
        ));
    }
    for t in &detail.themes {
        all.push(choice(
            format!("theme:{}", t.id.0),
            format!("Move to the theme “{}”", t.label),
        ));
    }
    all.push(choice(
        "remove".into(),
        "Remove: they are not issues (asks first)".into(),
    ));
    if !detail.themes.is_empty() {
        all.push(choice("theme:none".into(), "Take out of its theme".into()));
    }
    all
}

fn issue_card(
    detail: &ResponseDetail,
    (number, d): (usize, &IssueDetail),
    failed: Option<&FailedForm>,
) -> IssueCard {
    let id = d.issue.id.0;
    let form = format!("issue-{id}");
    let mine = failed.filter(|f| f.form == form);
    let typed = |field: &str| mine.and_then(|f| f.typed(field));
    let kind = typed("kind").unwrap_or(d.issue.kind.as_str());
    let split = failed.filter(|f| f.form == format!("split-{id}"));
    let tick = |id: i64, label: String, chosen: bool| Choice {
        value: id.to_string(),
        label,
        chosen,
    };
    IssueCard {
        id,
        number,
        version: d.issue.version,
        content: typed("content").unwrap_or(&d.issue.content).to_string(),
        saved_content: d.issue.content.clone(),
        split_text: split
            .and_then(|f| f.typed("parts"))
            .unwrap_or(&d.issue.content)
            .to_string(),
        split_error: split.and_then(|f| {
            f.errors
                .first()
                .map(|e| e.message.clone())
                .or(f.conflict.clone())
        }),
        kinds: Choice::list(IssueKind::ALL, |k| k.as_str(), |k| k.label(), kind),
        sections: (detail.sections.iter())
            .map(|s| {
                let label = format!("{}. {}", s.position, s.heading);
                tick(s.id.0, label, d.sections.contains(&s.id))
            })
            .collect(),
        bodies: (detail.bodies.iter())
            .map(|b| tick(b.id.0, b.name.clone(), d.bodies.contains(&b.id)))
            .collect(),
        tagged: {
            let mut named: Vec<String> = (detail.sections.iter())
                .filter(|s| d.sections.contains(&s.id))
                .map(|s| s.heading.clone())
                .collect();
            named.extend(
                (detail.bodies.iter())
                    .filter(|b| d.bodies.contains(&b.id))
                    .map(|b| b.short_name.clone().unwrap_or_else(|| b.name.clone())),
            );
            named.extend(d.tags.iter().cloned());
            named.join(", ")
        },
        tags: typed("tags").map_or_else(|| d.tags.join(", "), str::to_string),
        theme: d.theme.as_ref().map(|t| ThemeLink {
            id: t.id.0,
            label: t.label.clone(),
        }),
        group_response: d.group_response.as_ref().map(|a| ResponseState {
            kind: a.kind.label(),
            status: a.status.label(),
        }),
        edited: d.issue.edited_by_officer,
        last: number == detail.issues.len(),
        refused: mine.map(FailedForm::view),
        form,
    }
}

fn redaction_view(detail: &ResponseDetail, failed: Option<&FailedForm>) -> RedactionView {
    let r = &detail.redaction;
    let typed = |field: &str| {
        failed
            .filter(|f| f.form == "redact")
            .and_then(|f| f.typed(field))
            .map(str::to_string)
    };
    RedactionView {
        done: r.redacted_content.is_some(),
        text: r.redacted_content.clone(),
        reason: r.redaction_reason.clone(),
        by: detail.redacted_by.clone(),
        at: r.redacted_at.map(when),
        checked: detail.response.reviewed_at.map(when),
        form_text: typed("redacted")
            .or(r.redacted_content.clone())
            .unwrap_or_else(|| detail.response.content.clone()),
        form_reason: typed("reason")
            .or(r.redaction_reason.clone())
            .unwrap_or_default(),
    }
}

fn response_page(detail: &ResponseDetail, failed: Option<&FailedForm>) -> ResponsePage {
    let response = &detail.response;
    ResponsePage {
        bulk_actions: bulk_actions(
            detail,
            failed
                .filter(|f| f.form == "bulk")
                .and_then(|f| f.typed("action"))
                .unwrap_or(""),
        ),
        response: ResponseView {
            reference: response.reference.clone(),
            content: response.content.clone(),
            channel: response.channel.label(),
            received: super::super::received(response.received_at, response.received_time_known),
            status: response.status.label(),
            work: Choice::list(
                crate::domain::WorkStatus::ALL,
                |w| w.as_str(),
                |w| w.label(),
                response.work_status.as_str(),
            ),
            publication: response.publication.label(),
            from: (detail.consultees.iter())
                .map(|c| Sender {
                    name: c.name.clone(),
                    kind: c.kind.label(),
                })
                .collect(),
        },
        issues: (1..)
            .zip(&detail.issues)
            .map(|numbered| issue_card(detail, numbered, failed))
            .collect(),
        proposal_count: detail.proposals.len(),
        proposals: (detail.proposals.iter())
            .map(|p| Proposal {
                text: p.text.clone(),
                kind: p.kind.label(),
            })
            .collect(),
        redaction: redaction_view(detail, failed),
        history: history(&detail.history),
    }
}

/// Renders the response page, with a refused form's typed values if any.
async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, reference): (String, String),
    screen: Screen<'_>,
) -> Result<HttpResponse, AppError> {
    let (consultation, detail) = load(state, staff, slug, move |conn, s| {
        issues::response_detail(conn, s, &reference)
    })
    .await?;
    let view = response_page(&detail, screen.failed);
    Ok(screen.render(req, state, staff, &consultation, &view))
}

fn screen() -> Screen<'static> {
    Screen::new("ws_response", "inbox")
}

/// `GET /staff/consultations/{slug}/inbox/{reference}`.
pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let screen = screen().done(done.done.as_deref());
    show(&req, &state, &staff, path.into_inner(), screen).await
}

/// What a change on the response page is: the form it came from, what
/// the confirmation says, and the change itself.
struct Change<F> {
    form: String,
    done: &'static str,
    work: F,
}

/// Runs a change on the consultation of response `reference`, then goes
/// back to the response, or shows it again with the refused form.
async fn change<F>(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    (slug, reference): (String, String),
    form: crate::web::form::CheckedForm,
    change: Change<F>,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Connection, &Scope) -> ServiceResult<()> + Send + 'static,
{
    // Back at the item just changed (`#issue-12`), without JavaScript.
    let anchor = match (change.form.as_str(), change.form.rsplit_once('-')) {
        ("redact", _) => "#redaction".to_string(),
        ("work", _) => "#work".to_string(),
        (_, Some((_, id))) if change.done != "removed" && id.parse::<i64>().is_ok() => {
            format!("#issue-{id}")
        }
        _ => "#issues".to_string(),
    };
    let outcome = act(&state, &staff, slug.clone(), change.work)
        .await
        .map(|()| {
            format!(
                "{}?done={}{anchor}",
                response_url(&slug, &reference),
                change.done
            )
        });
    settle(outcome, (&change.form, &form), |failed| async move {
        let screen = screen().failed(Some(&failed));
        show(&req, &state, &staff, (slug, reference), screen).await
    })
    .await
}

/// `POST …/inbox/{reference}/redact` (officers): the text the public will
/// see, with parts removed, and why.
pub async fn redact(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let (text, reason) = (
        form.get("redacted").to_string(),
        form.get("reason").to_string(),
    );
    let (r, now) = (reference.clone(), state.clock.now());
    let work = move |conn: &mut Connection, s: &Scope| {
        redaction::redact(conn, s, &r, (&text, &reason), now)
    };
    let done = Change {
        form: "redact".into(),
        done: "redacted",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// `POST …/inbox/{reference}/checked` (officers): the response was read
/// for publication and holds nothing to redact.
pub async fn checked(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let (r, now) = (reference.clone(), state.clock.now());
    let work = move |conn: &mut Connection, s: &Scope| redaction::mark_checked(conn, s, &r, now);
    let done = Change {
        form: "redact".into(),
        done: "checked",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// `POST …/inbox/{reference}/bulk` (`issues=` the selected, `action=`
/// `section:ID`, `body:ID`, `theme:ID`, `theme:none` or `remove`, which
/// asks first).
pub async fn bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let ids = crate::web::workspace::selected_issues(&form);
    let action = issues::Bulk::parse(form.get("action"));
    if action == Some(issues::Bulk::Remove)
        && !ids.is_empty()
        && !crate::web::confirm::confirmed(&form)
    {
        let mut query = String::from("action=remove");
        for id in &ids {
            query.push_str(&format!("&issues={}", id.0));
        }
        let work = crate::service::access::Action::Work;
        return crate::web::confirm::ask((&req, &state, &staff), slug, work, &query).await;
    }
    let (r, now) = (reference.clone(), state.clock.now());
    let work = move |conn: &mut Connection, s: &Scope| {
        issues::bulk(conn, s, &r, (&ids, action), now).map(|_| ())
    };
    let done = Change {
        form: "bulk".into(),
        done: "saved",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// `GET …/inbox/{reference}/bulk?action=remove&issues=…`: asks before
/// removing the selected issues, quoting each.
pub async fn confirm_bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let query = crate::web::form::FormData::parse(req.query_string().as_bytes())?;
    let chosen = crate::web::workspace::selected_issues(&query);
    let r = reference.clone();
    let (consultation, (_, selected)) = load(&state, &staff, slug.clone(), move |conn, s| {
        issues::selected_of(conn, s, &r, &chosen)
    })
    .await?;
    let back = format!("{}#issues", response_url(&slug, &reference));
    if query.get("action") != "remove" || selected.is_empty() {
        return Ok(crate::web::render::see_other(&back));
    }
    let mut confirmation = removal(&consultation.title, &reference, &selected);
    confirmation.carried = std::iter::once(("action", "remove".to_string()))
        .chain(selected.iter().map(|i| ("issues", i.id.0.to_string())))
        .map(|(name, value)| crate::web::confirm::Carried {
            name: name.into(),
            value,
        })
        .collect();
    confirmation.action = req.path().to_string();
    confirmation.cancel = back;
    Ok(crate::web::confirm::page(
        &req,
        &state,
        &staff,
        &confirmation,
    ))
}

/// "Remove …: it is not an issue?" for one issue or several of response
/// `reference`, each quoted (the caller sets where it posts and cancels to).
fn removal(
    title: &str,
    reference: &str,
    chosen: &[crate::db::issues::Issue],
) -> crate::web::confirm::Confirmation {
    let one = chosen.len() == 1;
    crate::web::confirm::Confirmation {
        caption: title.to_string(),
        title: match chosen {
            [issue] => format!(
                "Remove {reference}, point {}: it is not an issue?",
                issue.position
            ),
            many => format!(
                "Remove {} points of {reference}: they are not issues?",
                many.len()
            ),
        },
        quoted: (chosen.iter())
            .map(|i| format!("Point {}: {}", i.position, i.content))
            .collect(),
        warning: format!(
            "{} the committee table and the analysis; the response keeps its text. The change is recorded in the audit log.",
            if one { "It leaves" } else { "They leave" }
        ),
        button: if one {
            "Yes, remove it"
        } else {
            "Yes, remove them"
        }
        .into(),
        ..Default::default()
    }
}

/// `POST …/inbox/{reference}/work` (`work_status=`): new, in progress or done.
pub async fn work(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let (r, now, status) = (
        reference.clone(),
        state.clock.now(),
        form.get("work_status").to_string(),
    );
    let work =
        move |conn: &mut Connection, s: &Scope| issues::set_work_status(conn, s, &r, &status, now);
    let done = Change {
        form: "work".into(),
        done: "saved",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// `POST …/inbox/{reference}/accept`: the splitter's proposals become issues.
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let (r, now) = (reference.clone(), state.clock.now());
    let work = move |conn: &mut Connection, s: &Scope| {
        issues::accept_proposals(conn, s, &r, now).map(|_| ())
    };
    let done = Change {
        form: "proposals".into(),
        done: "accepted",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// `POST …/inbox/{reference}/issues`: adds an issue the splitter missed.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    let text = form.get("new_issue").to_string();
    let (r, now) = (reference.clone(), state.clock.now());
    let work = move |conn: &mut Connection, s: &Scope| {
        issues::add_issue(conn, s, &r, &text, now).map(|_| ())
    };
    let done = Change {
        form: "add".into(),
        done: "added",
        work,
    };
    change((req, state, staff), (slug, reference), form, done).await
}

/// The response an issue belongs to, for redirects.
async fn reference_of(
    state: &AppState,
    staff: &StaffUser,
    slug: &str,
    issue: IssueId,
) -> Result<String, AppError> {
    let (_, reference) = load(state, staff, slug.to_string(), move |conn, s| {
        crate::service::workspace::reference_of_issue(conn, &s.consultation, issue)
    })
    .await?;
    Ok(reference)
}

/// Runs a change to one issue, then back to its response.
async fn change_issue<F>(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    path: web::Path<(String, i64)>,
    form: crate::web::form::CheckedForm,
    (form_prefix, done): (&str, &'static str),
    work: impl FnOnce(IssueId) -> F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Connection, &Scope) -> ServiceResult<()> + Send + 'static,
{
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let reference = reference_of(&state, &staff, &slug, id).await?;
    let change_of = Change {
        form: format!("{form_prefix}-{}", id.0),
        done,
        work: work(id),
    };
    change((req, state, staff), (slug, reference), form, change_of).await
}

/// `POST …/issues/{id}`: saves an issue's wording, kind and tags.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let input = IssueEdit {
        version: form.get("version").parse().unwrap_or(-1),
        content: form.get("content").into(),
        kind: form.get("kind").into(),
        sections: form.all("sections").into_iter().map(String::from).collect(),
        bodies: form.all("bodies").into_iter().map(String::from).collect(),
        tags: form.get("tags").into(),
    };
    let now = state.clock.now();
    let work = move |id| {
        move |conn: &mut Connection, s: &Scope| issues::edit_issue(conn, s, id, &input, now)
    };
    change_issue((req, state, staff), path, form, ("issue", "saved"), work).await
}

/// `POST …/issues/{id}/merge-next`: joins an issue with the one after it.
pub async fn merge_next(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let work =
        move |id| move |conn: &mut Connection, s: &Scope| issues::merge_with_next(conn, s, id, now);
    change_issue((req, state, staff), path, form, ("issue", "merged"), work).await
}

/// `POST …/issues/{id}/split`: the text, with a blank line where it splits.
pub async fn split(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    let text = form.get("parts").replace("\r\n", "\n");
    let parts: Vec<String> = text.split("\n\n").map(str::to_string).collect();
    let version = form.get("version").parse().unwrap_or(-1);
    let now = state.clock.now();
    let work = move |id| {
        move |conn: &mut Connection, s: &Scope| {
            issues::split_issue(conn, s, id, version, &parts, now).map(|_| ())
        }
    };
    change_issue((req, state, staff), path, form, ("split", "split"), work).await
}

/// `POST …/issues/{id}/remove`: removes something that is not an issue.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: crate::web::form::CheckedForm,
) -> Result<HttpResponse, AppError> {
    if !crate::web::confirm::confirmed(&form) {
        let slug = path.into_inner().0;
        let work = crate::service::access::Action::Work;
        return crate::web::confirm::ask((&req, &state, &staff), slug, work, "").await;
    }
    let now = state.clock.now();
    let work =
        move |id| move |conn: &mut Connection, s: &Scope| issues::remove_issue(conn, s, id, now);
    change_issue((req, state, staff), path, form, ("issue", "removed"), work).await
}

/// `GET …/issues/{id}/remove`: asks before removing an issue.
pub async fn confirm_remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let (consultation, (issue, reference)) = load(&state, &staff, slug.clone(), move |conn, s| {
        let issue = crate::service::workspace::issue_in(conn, &s.consultation, id)?;
        let reference = crate::service::workspace::reference_of(conn, &issue)?;
        Ok((issue, reference))
    })
    .await?;
    let mut confirmation = removal(
        &consultation.title,
        &reference,
        std::slice::from_ref(&issue),
    );
    confirmation.action = req.path().to_string();
    confirmation.cancel = format!(
        "/staff/consultations/{slug}/inbox/{reference}#issue-{}",
        id.0
    );
    Ok(crate::web::confirm::page(
        &req,
        &state,
        &staff,
        &confirmation,
    ))
}
