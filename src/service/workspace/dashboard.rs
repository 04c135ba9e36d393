//! The figures on a consultation's workspace overview: responses per day
//! against the closing date, responses by consultee kind, issues per theme
//! and drafting progress.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::themes::Progress;
use crate::db::group_responses::GroupResponse;
use crate::db::{self, DbConnection};
use crate::domain::{IssueId, ResponseStatus, ThemeId, time};
use crate::service::ServiceResult;
use crate::service::access::Scope;

/// What the overview shows.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// Received responses per UK day.
    pub per_day: Vec<(NaiveDate, usize)>,
    pub closes: Option<NaiveDate>,
    /// Consultee kind label → responses (a joint response counts once per
    /// kind among its consultees).
    pub by_kind: Vec<(String, usize)>,
    /// Theme label → issues, largest first; "No theme" last.
    pub per_theme: Vec<(String, usize)>,
    pub progress: Progress,
    pub responses: usize,
    pub held: usize,
}

/// The overview figures of a consultation.
pub fn dashboard(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<Dashboard> {
    let consultation = &scope.consultation;
    let responses = db::responses::inbox(conn, consultation.id)?;
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut held = 0;
    for r in &responses {
        if r.status == ResponseStatus::Received {
            *per_day
                .entry(time::london_date(time::from_db(r.received_at)))
                .or_default() += 1;
        } else if r.status == ResponseStatus::Held {
            held += 1;
        }
    }
    let received: std::collections::HashSet<_> = responses
        .iter()
        .filter(|r| r.status == ResponseStatus::Received)
        .map(|r| r.id)
        .collect();
    let mut kinds_of: HashMap<_, std::collections::BTreeSet<&'static str>> = HashMap::new();
    for (response, consultee) in db::responses::consultees_of_responses(conn, consultation.id)? {
        if received.contains(&response) {
            kinds_of
                .entry(response)
                .or_default()
                .insert(consultee.kind.label());
        }
    }
    let mut by_kind: HashMap<&str, usize> = HashMap::new();
    for kinds in kinds_of.values() {
        for kind in kinds {
            *by_kind.entry(kind).or_default() += 1;
        }
    }
    let mut by_kind: Vec<(String, usize)> = by_kind
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let issues = db::issues::of_consultation(conn, consultation.id)?;
    let answers: HashMap<IssueId, GroupResponse> =
        db::group_responses::of_consultation(conn, consultation.id)?
            .into_iter()
            .map(|a| (a.issue_id, a))
            .collect();
    let mut progress = Progress::default();
    let mut sizes: HashMap<Option<ThemeId>, usize> = HashMap::new();
    for issue in &issues {
        progress.count(answers.get(&issue.id));
        *sizes.entry(issue.theme_id).or_default() += 1;
    }
    let mut per_theme: Vec<(String, usize)> = db::themes::of_consultation(conn, consultation.id)?
        .into_iter()
        .map(|t| (t.label, sizes.get(&Some(t.id)).copied().unwrap_or(0)))
        .collect();
    per_theme.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if let Some(&n) = sizes.get(&None) {
        per_theme.push(("No theme".into(), n));
    }
    Ok(Dashboard {
        per_day: per_day.into_iter().collect(),
        closes: consultation
            .closes_at
            .map(|c| time::london_date(time::from_db(c))),
        by_kind,
        per_theme,
        progress,
        responses: received.len(),
        held,
    })
}
