//! The committee pack: a covering report (fields officers edit, pre-filled
//! from the consultation), Appendix A the consultation document, Appendix
//! B the respondent–issue–response table, Appendix C the changes to the
//! structure. This module gathers it as plain data; `export::pack` writes
//! it as a Word document or a printable page.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::page::{Outcome, build};
use crate::db::outcome::CommitteeReport;
use crate::db::{self, DbConnection};
use crate::domain::ValidationError;
use crate::domain::text::{optional_text, required_line};
use crate::domain::time::{from_db, long_date};
use crate::export::pack::{PackBody, PackChange, PackDocument, Picture};
use crate::service::access::{self, Action, Caller, Scope};
use crate::service::editing::details::parse_date;
use crate::service::editing::{Audited, change};
use crate::service::summary::{self, Options};
use crate::service::{ServiceError, ServiceResult};

/// The covering report as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportInput {
    #[serde(default)]
    pub committee: String,
    /// London date, `YYYY-MM-DD`; empty when not set yet.
    #[serde(default)]
    pub meeting_date: Option<String>,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub next_steps: String,
}

/// The covering report: as officers saved it, or pre-filled.
pub fn report(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<CommitteeReport> {
    let c = &scope.consultation;
    if let Some(saved) = db::outcome::report_of(conn, c.id)? {
        return Ok(saved);
    }
    let ran = match (
        c.opens_at,
        crate::service::consultations::closing_instant(c),
    ) {
        (Some(opens), Some(closes)) => format!(
            ", which ran from {} to {}",
            long_date(from_db(opens)),
            long_date(from_db(closes))
        ),
        (None, Some(closes)) => format!(", which closed on {}", long_date(from_db(closes))),
        _ => String::new(),
    };
    Ok(CommitteeReport {
        consultation_id: c.id,
        committee: format!("{} Overview and Scrutiny Committee", c.run_by),
        meeting_date: None,
        purpose: format!(
            "To consider the responses to the consultation “{}”{ran}, the response of the {} to each issue raised (Appendix B) and the changes to the proposed structure that follow from them (Appendix C). The consultation document is Appendix A.",
            c.title, c.group_name
        ),
        next_steps: format!(
            "A working group will draft a report on the way forward, taking account of the responses and the revised structure, for the next meeting of the {}, and then for the Cabinet.",
            c.run_by
        ),
        updated_at: c.updated_at,
    })
}

/// Saves the covering report of consultation `slug`.
pub fn save_report(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: &ReportInput,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    change(conn, caller, slug, now, |conn, scope| {
        let mut errors = Vec::new();
        let committee = required_line("committee", "Committee", &input.committee, 200)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let meeting_date: Option<NaiveDate> = parse_date(
            "meeting_date",
            "Meeting date",
            input.meeting_date.as_deref(),
            &mut errors,
        );
        let mut long = |field: &str, label: &str, value: &str| {
            optional_text(field, label, value, 5_000)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
                .unwrap_or_default()
        };
        let purpose = long(
            "purpose",
            "Why it has come to the committee",
            &input.purpose,
        );
        let next_steps = long("next_steps", "Next steps", &input.next_steps);
        if purpose.is_empty() {
            errors.push(ValidationError::new(
                "purpose",
                "Enter why the report has come to the committee",
            ));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let c = &scope.consultation;
        db::outcome::save_report(
            conn,
            &CommitteeReport {
                consultation_id: c.id,
                committee,
                meeting_date,
                purpose,
                next_steps,
                updated_at: now.naive_utc(),
            },
        )?;
        Ok(Audited::new(
            (),
            "committee report changed",
            ("consultation", c.id.0),
        ))
    })
}

/// Everything the pack holds, for those who may run consultation `slug`.
pub struct Pack {
    pub report: CommitteeReport,
    pub outcome: Outcome,
    /// The consulted structure drawn (SVG; empty without bodies).
    pub consulted_diagram: String,
    pub document: PackDocument,
}

/// Gathers the committee pack of consultation `slug`.
pub fn pack(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Pack> {
    let scope = access::open_for(conn, caller, slug, Action::Run)?;
    let report = report(conn, &scope)?;
    let table = summary::table(conn, Some(caller), slug, &Options::default())?;
    let c = scope.consultation.clone();
    let version = match c
        .outcome_version_id
        .filter(|_| c.outcome_published_at.is_some())
    {
        Some(id) => db::outcome::version(conn, id)?,
        None => db::outcome::versions_of(conn, c.id)?.pop(),
    };
    let outcome = build(conn, c.clone(), table.audience, version, &table)?;
    let sections = db::document::sections_of(conn, c.id)?;
    let questions = db::document::questions_of(conn, c.id)?;
    let bodies = db::structure::bodies_of(conn, c.id)?;
    let links = db::structure::links_of(conn, c.id)?;
    let consulted_diagram =
        crate::service::consultations::structure_diagram(&c.title, &bodies, &links);
    let revised_diagram = outcome.diagram();
    let closes = crate::service::consultations::closing_instant(&c);
    let dates = match (c.opens_at, closes) {
        (Some(o), Some(cl)) => format!(
            "The consultation ran from {} to {}.",
            long_date(from_db(o)),
            long_date(from_db(cl))
        ),
        (None, Some(cl)) => format!("The consultation closed on {}.", long_date(from_db(cl))),
        _ => "The consultation has no closing date.".into(),
    };
    let counts = outcome.counts;
    let reach = format!(
        "{} responses from {} consultees raised {} issues, grouped in {} themes.",
        counts.responses, counts.consultees, counts.issues, counts.themes
    );
    let headings =
        crate::export::summary::headings(&c.group_name, crate::export::summary::Columns::Standard);
    let document = PackDocument {
        title: c.title.clone(),
        run_by: c.run_by.clone(),
        group_name: c.group_name.clone(),
        committee: report.committee.clone(),
        meeting_date: report
            .meeting_date
            .map(|d| d.format("%-d %B %Y").to_string()),
        purpose: report.purpose.clone(),
        next_steps: report.next_steps.clone(),
        dates,
        reach,
        description: c.description.clone(),
        sections: sections
            .iter()
            .map(|s| (s.heading.clone(), s.content.clone()))
            .collect(),
        questions: questions.iter().map(|q| q.prompt.clone()).collect(),
        bodies: bodies
            .iter()
            .map(|b| PackBody {
                name: b.name.clone(),
                status: b.status.label().to_string(),
                role: b.role.clone(),
                membership: b.membership.clone(),
                meets: b.meets.clone(),
                mark: None,
            })
            .collect(),
        consulted_diagram: Picture::of_svg(&consulted_diagram),
        headings: [
            headings[0].clone(),
            headings[1].clone(),
            headings[2].clone(),
        ],
        rows: table
            .rows()
            .map(|r| [r.issue.clone(), r.who_raised.clone(), r.response.clone()])
            .collect(),
        changes: outcome
            .changes
            .iter()
            .map(|ch| PackChange {
                action: ch.action.label().to_string(),
                subject: ch.subject.clone(),
                summary: ch.summary.clone(),
                because: if ch.because.is_empty() {
                    "Officers' decision".into()
                } else {
                    ch.because
                        .iter()
                        .map(|b| match b.row {
                            Some(n) if b.who_raised.is_empty() => format!("row {n}"),
                            Some(n) => format!("row {n} ({})", b.who_raised),
                            None => b.issue.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            })
            .collect(),
        revised: outcome.version.as_ref().map(|v| v.number),
        revised_bodies: outcome
            .comparison
            .bodies
            .iter()
            .map(|b| PackBody {
                name: b.name.clone(),
                status: b.status.label().to_string(),
                role: b.role.clone(),
                membership: b.membership.clone(),
                meets: b.meets.clone(),
                mark: b.mark.map(|m| m.label().to_string()),
            })
            .collect(),
        revised_diagram: Picture::of_svg(&revised_diagram),
        consulted_svg: consulted_diagram.clone(),
        revised_svg: revised_diagram,
    };
    Ok(Pack {
        report,
        outcome,
        consulted_diagram,
        document,
    })
}
