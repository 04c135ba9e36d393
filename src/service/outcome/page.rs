//! The outcome of a consultation as its page (and the pack's Appendix C)
//! shows it: the revised structure beside the consulted one, every change
//! with the issues behind it and who raised them, the counts, and the
//! issues that changed nothing with the group's answer.
//!
//! The public see it once an officer has published the outcome, and then
//! only through the public table (issues not for publication are counted,
//! never shown); staff who may work on the consultation see a preview.

use std::collections::{HashMap, HashSet};

use super::compare::{Comparison, compare};
use crate::db::consultations::Consultation;
use crate::db::outcome::Version;
use crate::db::{self, DbConnection};
use crate::domain::{ChangeAction, IssueId};
use crate::service::access::{self, Audience, Caller};
use crate::service::summary::{self, Options, Row, Table};
use crate::service::{ServiceError, ServiceResult};

/// An issue a change came from, as the table shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Because {
    /// Its row in the table this audience sees (none: not published).
    pub row: Option<usize>,
    pub issue: String,
    pub who_raised: String,
}

/// One change and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangeView {
    pub action: ChangeAction,
    pub subject: String,
    pub summary: String,
    /// Empty: the officers' own decision.
    pub because: Vec<Because>,
}

/// How many took part and what they raised.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Counts {
    pub responses: usize,
    pub consultees: usize,
    pub issues: usize,
    pub themes: usize,
}

/// Everything the outcome page shows.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub consultation: Consultation,
    pub audience: Audience,
    /// The revised structure shown (none: not drawn up yet).
    pub version: Option<Version>,
    pub comparison: Comparison,
    pub changes: Vec<ChangeView>,
    pub counts: Counts,
    /// The table's rows whose issues prompted no change.
    pub unchanged: Vec<Row>,
    pub published: bool,
}

/// The outcome of consultation `slug` as `caller` (if signed in) may see
/// it: the public once it is published; staff who may work on it always.
pub fn outcome(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
) -> ServiceResult<Outcome> {
    let not_found = || ServiceError::NotFound(format!("outcome of “{slug}”"));
    let consultation = db::consultations::by_slug(conn, slug)?.ok_or_else(not_found)?;
    let audience = access::audience(conn, caller, &consultation)?;
    let published = consultation.outcome_published_at.is_some();
    if audience == Audience::Public && !published {
        return Err(not_found());
    }
    let version = match consultation.outcome_version_id.filter(|_| published) {
        Some(id) => db::outcome::version(conn, id)?,
        None => db::outcome::versions_of(conn, consultation.id)?.pop(),
    };
    let table = match audience {
        Audience::Public => summary::table(conn, None, slug, &Options::default())?,
        Audience::Staff => summary::table(conn, caller, slug, &Options::default())?,
    };
    build(conn, consultation, audience, version, &table)
}

/// The outcome of `consultation` with `version`, read through `table`.
pub(crate) fn build(
    conn: &mut DbConnection,
    consultation: Consultation,
    audience: Audience,
    version: Option<Version>,
    table: &Table,
) -> ServiceResult<Outcome> {
    let id = consultation.id;
    let consulted = (
        db::structure::bodies_of(conn, id)?,
        db::structure::links_of(conn, id)?,
    );
    let (comparison, changes) = match &version {
        Some(v) => {
            let revised = (
                db::outcome::bodies_of(conn, v.id)?,
                db::outcome::links_of(conn, v.id)?,
            );
            let comparison = compare((&consulted.0, &consulted.1), (&revised.0, &revised.1));
            let changes = db::outcome::changes_up_to(conn, id, v.number)?;
            (comparison, changes)
        }
        None => (Comparison::default(), Vec::new()),
    };
    let ids: Vec<_> = changes.iter().map(|c| c.id).collect();
    let reasons = db::outcome::reasons_of(conn, &ids)?;
    let rows: HashMap<IssueId, &Row> = table.rows().map(|r| (r.issue_id, r)).collect();
    let cited: HashSet<IssueId> = reasons.iter().map(|(_, issue)| *issue).collect();
    let changes = changes
        .into_iter()
        .map(|c| ChangeView {
            because: reasons
                .iter()
                .filter(|(change, _)| *change == c.id)
                .map(|(_, issue)| match rows.get(issue) {
                    Some(row) => Because {
                        row: Some(row.number),
                        issue: row.issue.clone(),
                        who_raised: row.who_raised.clone(),
                    },
                    None => Because {
                        row: None,
                        issue: "An issue from a response that is not published".into(),
                        who_raised: String::new(),
                    },
                })
                .collect(),
            action: c.action,
            subject: c.subject,
            summary: c.summary,
        })
        .collect();
    let themes: HashSet<&str> = table
        .rows()
        .map(|r| r.theme.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let counts = Counts {
        responses: table.responses,
        consultees: table.consultees,
        issues: table.rows().count(),
        themes: themes.len(),
    };
    let unchanged = table
        .rows()
        .filter(|r| !cited.contains(&r.issue_id))
        .cloned()
        .collect();
    Ok(Outcome {
        published: consultation.outcome_published_at.is_some(),
        consultation,
        audience,
        version,
        comparison,
        changes,
        counts,
        unchanged,
    })
}

impl Outcome {
    /// The diagram's text alternative: what it shows and every change.
    pub fn diagram_title(&self) -> String {
        let title = &self.consultation.title;
        let marked: Vec<String> = self
            .comparison
            .bodies
            .iter()
            .filter_map(|b| {
                b.mark
                    .map(|m| format!("{} ({})", b.name, m.label().to_lowercase()))
            })
            .collect();
        if marked.is_empty() {
            format!("Diagram of the revised structure after {title}: no body changed")
        } else {
            format!(
                "Diagram of the revised structure after {title}. Changes: {}",
                marked.join("; ")
            )
        }
    }

    /// The revised structure drawn, with every change marked (empty when
    /// there is no revised structure).
    pub fn diagram(&self) -> String {
        let (bodies, links) = self.comparison.diagram();
        crate::export::diagram::render(&self.diagram_title(), &bodies, &links)
    }
}
