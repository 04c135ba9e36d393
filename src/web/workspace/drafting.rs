//! Drafting the group's response to one issue.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Done, Refused, act, history_json, load, notice, page};
use crate::domain::{DraftStatus, GroupResponseKind, IssueId};
use crate::service::workspace::drafting::{self, DraftInput};
use crate::web::auth::{StaffUser, check_csrf};
use crate::web::error::AppError;
use crate::web::form::FormData;
use crate::web::staff::see_other;
use crate::web::state::AppState;

fn draft_url(slug: &str, id: IssueId) -> String {
    format!("/staff/consultations/{slug}/issues/{}/draft", id.0)
}

/// A short extract of an issue for lists (whole words, at most ~120 chars).
fn extract(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{words}…")
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    staff: &StaffUser,
    slug: String,
    id: IssueId,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (consultation, (view, may_agree)) = load(state, staff, slug, move |conn, s| {
        let view = drafting::draft_view(conn, s, id)?;
        Ok((view, s.may(crate::service::access::Action::SignOff)))
    })
    .await?;
    let typed = refused.as_ref().map(|r| &r.typed);
    let saved = view.answer.as_ref();
    let field = |name: &str, saved: Option<String>| -> String {
        typed
            .and_then(|t| t[name].as_str().map(str::to_string))
            .or(saved)
            .unwrap_or_default()
    };
    let kind = field("kind", saved.map(|a| a.kind.as_str().to_string()));
    let kind = if kind.is_empty() {
        GroupResponseKind::Written.as_str().to_string()
    } else {
        kind
    };
    let status = field("status", saved.map(|a| a.status.as_str().to_string()));
    let status = if status.is_empty() {
        DraftStatus::Draft.as_str().to_string()
    } else {
        status
    };
    let same_as = field(
        "same_as",
        saved.and_then(|a| a.same_as_issue_id.map(|i| i.0.to_string())),
    );
    let content = field("content", saved.and_then(|a| a.content.clone()));
    let data = json!({
        "issue": {
            "id": view.issue.id.0, "content": view.issue.content, "kind": view.issue.kind.label(),
            "reference": view.reference,
            "raised_by": view.raised_by.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(" / "),
            "theme": view.theme.as_ref().map(|t| json!({ "id": t.id.0, "label": t.label })),
        },
        "answer": saved.map(|a| json!({
            "version": a.version, "kind": a.kind.label(), "status": a.status.label(),
            "content": a.content, "updated": super::when(a.updated_at),
        })),
        "version": saved.map(|a| a.version),
        "linked": view.linked.as_ref().map(|(issue, shown)| json!({ "id": issue.id.0, "content": extract(&issue.content), "shown": shown })),
        "suggestions": view.suggestions.iter().map(|s| json!({
            "id": s.issue.id.0, "content": extract(&s.issue.content), "shown": s.shown,
            "similarity": format!("{:.0}%", s.similarity * 100.0),
        })).collect::<Vec<_>>(),
        "answered": view.answered.iter().map(|(issue, shown)| json!({
            "id": issue.id.0, "label": format!("Issue {}: {}", issue.id.0, extract(&issue.content)),
            "selected": issue.id.0.to_string() == same_as, "shown": extract(shown),
        })).collect::<Vec<_>>(),
        "repeats": view.repeats.len(),
        "form": {
            "kinds": GroupResponseKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label(), "checked": k.as_str() == kind })).collect::<Vec<_>>(),
            "statuses": DraftStatus::ALL.iter().map(|s| json!({ "value": s.as_str(), "label": s.label(), "checked": s.as_str() == status })).collect::<Vec<_>>(),
            "may_agree": may_agree,
            "content": content,
        },
        "history": history_json(&view.history),
        "notice": notice(done),
    });
    Ok(page(
        req,
        state,
        staff,
        &consultation,
        ("ws_draft", "themes"),
        data,
        refused.as_ref(),
    ))
}

/// `GET /staff/consultations/{slug}/issues/{id}/draft`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    show(
        &req,
        &state,
        &staff,
        slug,
        IssueId(id),
        done.done.as_deref(),
        None,
    )
    .await
}

/// `POST /staff/consultations/{slug}/issues/{id}/draft`.
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let input = DraftInput {
        version: form.get("version").parse().ok(),
        kind: form.get("kind").into(),
        content: form.get("content").into(),
        same_as: form.get("same_as").into(),
        status: form.get("status").into(),
    };
    let typed = serde_json::to_value(&input).unwrap_or(Value::Null);
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        drafting::save(conn, s, id, &input, now)
    })
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("{}?done=drafted", draft_url(&slug, id)))),
        Err(e) => {
            let refused = Refused::from_error(e, "draft".into(), typed)?;
            show(&req, &state, &staff, slug, id, None, Some(refused)).await
        }
    }
}

/// `POST …/issues/{id}/repeats`: answers the issue's repeats "As above".
pub async fn answer_repeats(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, i64)>,
    form: FormData,
) -> Result<HttpResponse, AppError> {
    check_csrf(&req, &state, &form)?;
    let (slug, id) = path.into_inner();
    let id = IssueId(id);
    let now = state.clock.now();
    let outcome = act(&state, &staff, slug.clone(), move |conn, s| {
        drafting::answer_repeats(conn, s, id, now)
    })
    .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("{}?done=repeats", draft_url(&slug, id)))),
        Err(e) => {
            let refused = Refused::from_error(e, "repeats".into(), Value::Null)?;
            show(&req, &state, &staff, slug, id, None, Some(refused)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn long_issues_are_cut_at_a_word() {
        let long = "word ".repeat(40);
        let cut = extract(&long);
        assert!(cut.ends_with("word…"));
        assert!(cut.chars().count() <= 121);
        assert_eq!(extract("short"), "short");
    }
}
