//! A response opened in the workspace: its text and its issues, with the
//! forms to accept the splitter's proposals and to edit, tag, merge, split,
//! add and remove issues.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, act, history_json, load, notice, page};
use crate::domain::{IssueId, IssueKind};
use crate::service::workspace::issues::{self, IssueEdit};
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

fn response_url(slug: &str, reference: &str) -> String {
    format!("/staff/consultations/{slug}/inbox/{reference}")
}

/// Renders the response page, with a refused form's typed values if any.
async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    reference: String,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, (detail, sections, bodies, redaction)) =
        load(state, staff, slug, move |conn, s| {
            let detail = issues::response_detail(conn, s, &reference)?;
            let sections = crate::db::document::sections_of(conn, s.consultation.id)?;
            let bodies = crate::db::structure::bodies_of(conn, s.consultation.id)?;
            let redaction = crate::db::responses::redaction_of(conn, detail.response.id)?;
            let by = match redaction.redacted_by {
                Some(user) => crate::db::users::by_id(conn, user)?.map(|u| u.email),
                None => None,
            };
            Ok((detail, sections, bodies, (redaction, by)))
        })
        .await?;
    let (redaction, redacted_by) = redaction;
    let redact_form = refused.as_ref().filter(|r| r.form == "redact");
    let redact_text = redact_form
        .and_then(|r| r.typed["redacted"].as_str().map(str::to_string))
        .or(redaction.redacted_content.clone())
        .unwrap_or_else(|| detail.response.content.clone());
    let redact_reason = redact_form
        .and_then(|r| r.typed["reason"].as_str().map(str::to_string))
        .or(redaction.redaction_reason.clone())
        .unwrap_or_default();
    let issue_views: Vec<Value> = detail
        .issues
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let form = format!("issue-{}", d.issue.id.0);
            let typed = refused.as_ref().filter(|r| r.form == form).map(|r| &r.typed);
            let content = typed
                .and_then(|t| t["content"].as_str())
                .unwrap_or(&d.issue.content);
            let kind = typed
                .and_then(|t| t["kind"].as_str())
                .unwrap_or(d.issue.kind.as_str());
            let tags = typed
                .and_then(|t| t["tags"].as_str())
                .map_or_else(|| d.tags.join(", "), str::to_string);
            let split_form = format!("split-{}", d.issue.id.0);
            let split_refused = refused.as_ref().filter(|r| r.form == split_form);
            let split_text = split_refused
                .and_then(|r| r.typed["parts"].as_str())
                .unwrap_or(&d.issue.content);
            let split_error = split_refused
                .and_then(|r| r.errors.first().map(|e| e.message.clone()).or(r.conflict.clone()));
            json!({
                "id": d.issue.id.0, "number": n + 1, "version": d.issue.version, "content": content,
                "saved_content": d.issue.content, "form": form, "split_text": split_text, "split_error": split_error,
                "kinds": IssueKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label(), "selected": k.as_str() == kind })).collect::<Vec<_>>(),
                "sections": sections.iter().map(|s| json!({ "id": s.id.0, "label": format!("{}. {}", s.position, s.heading), "checked": d.sections.contains(&s.id) })).collect::<Vec<_>>(),
                "bodies": bodies.iter().map(|b| json!({ "id": b.id.0, "label": b.name, "checked": d.bodies.contains(&b.id) })).collect::<Vec<_>>(),
                "tags": tags, "theme": d.theme.as_ref().map(|t| json!({ "id": t.id.0, "label": t.label })),
                "answer": d.answer.as_ref().map(|a| json!({ "kind": a.kind.label(), "status": a.status.label() })),
                "edited": d.issue.edited_by_officer, "last": n + 1 == detail.issues.len(),
                "refused": refused.as_ref().filter(|r| r.form == form).map(Refused::to_json),
            })
        })
        .collect();
    let proposals: Vec<Value> = detail
        .proposals
        .iter()
        .map(|p| json!({ "text": p.text, "kind": p.kind.label() }))
        .collect();
    let data = json!({
        "response": {
            "reference": detail.response.reference, "content": detail.response.content,
            "channel": detail.response.channel.label(), "received": super::when(detail.response.received_at),
            "status": detail.response.status.label(), "publication": detail.response.publication.label(),
            "from": detail.consultees.iter().map(|c| json!({ "name": c.name, "kind": c.kind.label() })).collect::<Vec<_>>(),
        },
        "issues": issue_views, "proposal_count": proposals.len(), "proposals": proposals,
        "redaction": {
            "done": redaction.redacted_content.is_some(), "text": redaction.redacted_content, "reason": redaction.redaction_reason,
            "by": redacted_by, "at": redaction.redacted_at.map(super::when),
            "checked": detail.response.reviewed_at.map(super::when),
            "form_text": redact_text, "form_reason": redact_reason,
        }, "history": history_json(&detail.history),
        "notice": notice(done),
    });
    Ok(page(
        req,
        state,
        staff,
        &consultation,
        ("ws_response", "inbox"),
        data,
        refused.as_ref(),
    ))
}

pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let (slug, reference) = path.into_inner();
    show(
        &req,
        &state,
        &staff,
        slug,
        reference,
        done.done.as_deref(),
        None,
    )
    .await
}

/// After a change: back to the response page (anchored at `anchor`), or
/// the page again with the refusal.
async fn after(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    (slug, reference): (String, String),
    outcome: Result<&str, AppError>,
    refused: impl FnOnce(AppError) -> Result<Refused, AppError>,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Ok(done) => Ok(see_other(&format!(
            "{}?done={done}",
            response_url(&slug, &reference)
        ))),
        Err(error) => {
            let refused = refused(error)?;
            show(req, state, staff, slug, reference, None, Some(refused)).await
        }
    }
}

/// `POST …/inbox/{reference}/redact` (officers): the text the public will
/// see, with parts removed, and why.
pub async fn redact(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, reference) = path.into_inner();
    let (text, reason) = (
        form.get("redacted").to_string(),
        form.get("reason").to_string(),
    );
    let typed = json!({ "redacted": text, "reason": reason });
    let (r, now) = (reference.clone(), state.clock.now());
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        crate::service::publication::redaction::redact(conn, s, &r, (&text, &reason), now)
    })
    .await
    .map(|()| "redacted");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, "redact".into(), typed)
    })
    .await
}

/// `POST …/inbox/{reference}/checked` (officers): the response was read
/// for publication and holds nothing to redact.
pub async fn checked(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, reference) = path.into_inner();
    let (r, now) = (reference.clone(), state.clock.now());
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        crate::service::publication::redaction::mark_checked(conn, s, &r, now)
    })
    .await
    .map(|()| "checked");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, "redact".into(), Value::Null)
    })
    .await
}

/// `POST …/inbox/{reference}/accept`: the splitter's proposals become issues.
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, reference) = path.into_inner();
    let (r, now) = (reference.clone(), state.clock.now());
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        issues::accept_proposals(conn, s, &r, now)
    })
    .await
    .map(|_| "accepted");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, "proposals".into(), Value::Null)
    })
    .await
}

/// `POST …/inbox/{reference}/issues`: adds an issue the splitter missed.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, reference) = path.into_inner();
    let text = form.get("new_issue").to_string();
    let (r, typed, now) = (reference.clone(), text.clone(), state.clock.now());
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        issues::add_issue(conn, s, &r, &typed, now)
    })
    .await
    .map(|_| "added");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, "add".into(), json!({ "new_issue": text }))
    })
    .await
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

/// `POST …/issues/{id}`: saves an issue's wording, kind and tags.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let reference = reference_of(&state, &staff, &slug, id).await?;
    let input = IssueEdit {
        version: form.get("version").parse().unwrap_or(-1),
        content: form.get("content").into(),
        kind: form.get("kind").into(),
        sections: form
            .all("sections")
            .into_iter()
            .map(str::to_string)
            .collect(),
        bodies: form.all("bodies").into_iter().map(str::to_string).collect(),
        tags: form.get("tags").into(),
    };
    let typed = json!({ "content": input.content, "kind": input.kind, "tags": input.tags });
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        issues::edit_issue(conn, s, id, &input, now)
    })
    .await
    .map(|_| "saved");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, format!("issue-{}", id.0), typed)
    })
    .await
}

/// An action on one issue that takes nothing but the CSRF token; back to
/// its response with `done`, or the page with the refusal by that issue.
async fn issue_action<F>(
    (req, state, staff): (HttpRequest, web::Data<AppState>, StaffUser),
    path: web::Path<(String, i64)>,
    form: FormData,
    done: &'static str,
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut crate::db::DbConnection,
            &crate::service::access::Scope,
            IssueId,
        ) -> crate::service::ServiceResult<()>
        + Send
        + 'static,
{
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let reference = reference_of(&state, &staff, &slug, id).await?;
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        work(conn, s, id)
    })
    .await
    .map(|()| done);
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, format!("issue-{}", id.0), Value::Null)
    })
    .await
}

/// `POST …/issues/{id}/merge-next`: joins an issue with the one after it.
pub async fn merge_next(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    issue_action(
        (req, state, staff),
        path,
        form,
        "merged",
        move |conn, s, id| issues::merge_with_next(conn, s, id, now),
    )
    .await
}

/// `POST …/issues/{id}/split`: the text, with a blank line where it splits.
pub async fn split(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let reference = reference_of(&state, &staff, &slug, id).await?;
    let text = form.get("parts").replace("\r\n", "\n");
    let parts: Vec<String> = text.split("\n\n").map(str::to_string).collect();
    let version = form.get("version").parse().unwrap_or(-1);
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        issues::split_issue(conn, s, id, version, &parts, now)
    })
    .await
    .map(|_| "split");
    after(&req, &state, &staff, (slug, reference), outcome, |e| {
        Refused::from_error(e, format!("split-{}", id.0), json!({ "parts": text }))
    })
    .await
}

/// `POST …/issues/{id}/remove`: removes something that is not an issue.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    issue_action(
        (req, state, staff),
        path,
        form,
        "removed",
        move |conn, s, id| issues::remove_issue(conn, s, id, now),
    )
    .await
}
