//! Running the analysis engine on a consultation and storing what it found
//! (themes, theme membership, repeats, campaigns, suggested answers),
//! never overwriting an officer's decisions.
//!
//! The engine runs outside any transaction (it is pure computation); the
//! results are then written in one transaction, so readers see the old
//! analysis or the new one, never half of each. A run is recorded in
//! `analysis_runs`; a unique index lets only one run per consultation at a
//! time, across every instance of the service.

mod input;
mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::{ServiceError, ServiceResult};
use crate::analysis::cluster::ClusterOptions;
use crate::analysis::engine::{self, Stage};
use crate::analysis::repeats;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationId, UserId};

/// What a run does with the themes it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every issue: the existing themes carried forward (refined where
    /// there are new issues), or found on a first run.
    Full,
    /// Every issue, the automatic themes found again from nothing.
    Fresh,
    /// Only issues with no theme yet, placed into the existing themes.
    NewIssuesOnly,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub issues: usize,
    pub themes: usize,
    pub new_themes: usize,
    pub removed_themes: usize,
    pub repeat_groups: usize,
    pub campaigns: usize,
    pub not_fitting: usize,
    pub suggestions: usize,
}

/// A theme's evidence as stored (JSON in `themes.top_terms`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StoredTerm {
    pub term: String,
    pub surface: String,
    pub weight: f32,
}

/// A run that has been claimed: recorded as running, so no other run of
/// the same consultation can start until it finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub consultation: ConsultationId,
    pub run_id: i64,
}

/// Runs the analysis of the consultation named by `slug`. `progress` hears
/// each step ("reading", "clustering", …).
pub fn run(
    conn: &mut DbConnection,
    slug: &str,
    mode: Mode,
    options: &ClusterOptions,
    started_by: Option<UserId>,
    now: DateTime<Utc>,
    progress: &dyn Fn(&str),
) -> ServiceResult<RunReport> {
    let claim = claim(conn, slug, started_by, now)?;
    execute(conn, claim, mode, options, now, progress)
}

/// Claims the right to analyse a consultation, or says that a run is
/// already going (here or on another instance of the service).
pub fn claim(
    conn: &mut DbConnection,
    slug: &str,
    started_by: Option<UserId>,
    now: DateTime<Utc>,
) -> ServiceResult<Claim> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))?;
    match db::analysis::start_run(conn, consultation.id, started_by, now.naive_utc())? {
        Some(run_id) => Ok(Claim {
            consultation: consultation.id,
            run_id,
        }),
        None => Err(ServiceError::Conflict(
            "An analysis of this consultation is already running.".into(),
        )),
    }
}

/// The latest analysis of the consultation in `scope`, if any.
pub fn latest_run(
    conn: &mut DbConnection,
    scope: &crate::service::access::Scope,
) -> ServiceResult<Option<db::analysis::AnalysisRun>> {
    Ok(db::analysis::latest_run(conn, scope.consultation.id)?)
}

/// Runs a claimed analysis to the end and records how it finished.
pub fn execute(
    conn: &mut DbConnection,
    claim: Claim,
    mode: Mode,
    options: &ClusterOptions,
    now: DateTime<Utc>,
    progress: &dyn Fn(&str),
) -> ServiceResult<RunReport> {
    let Claim {
        consultation,
        run_id,
    } = claim;
    let outcome = analyse_and_store(conn, (consultation, run_id), (mode, options), now, progress);
    let finished = Utc::now().naive_utc().max(now.naive_utc());
    match &outcome {
        Ok(report) => db::analysis::finish_run(
            conn,
            run_id,
            "done",
            (clamp(report.issues), clamp(report.themes)),
            None,
            finished,
        )?,
        Err(error) => db::analysis::finish_run(
            conn,
            run_id,
            "failed",
            (0, 0),
            Some(&error.to_string()),
            finished,
        )?,
    };
    outcome
}

pub(crate) fn clamp(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Reads, analyses and stores one run (its stage recorded as it goes).
fn analyse_and_store(
    conn: &mut DbConnection,
    (consultation, run_id): (ConsultationId, i64),
    (mode, options): (Mode, &ClusterOptions),
    now: DateTime<Utc>,
    progress: &dyn Fn(&str),
) -> ServiceResult<RunReport> {
    progress("reading");
    db::analysis::set_stage(conn, run_id, "reading")?;
    let read = input::read(conn, consultation, (options, mode == Mode::Fresh))?;
    db::analysis::set_stage(conn, run_id, "analysing")?;
    let mut report = RunReport {
        issues: read.issues.len(),
        ..RunReport::default()
    };
    if mode == Mode::NewIssuesOnly {
        progress("placing new issues");
        let placements = engine::place_new_issues(&read.input);
        db::analysis::set_stage(conn, run_id, "saving")?;
        db::write_transaction(conn, |conn| {
            store::place_new_issues(conn, &read, placements, &mut report)
        })?;
        progress("done");
        return Ok(report);
    }
    let result = engine::analyse(&read.input, &|stage| progress(stage_name(stage)));
    let responses = db::responses::of_consultation(conn, consultation)?;
    let texts: Vec<&str> = responses.iter().map(|r| r.content.as_str()).collect();
    let campaigns = repeats::find_repeats(&texts);
    db::analysis::set_stage(conn, run_id, "saving")?;
    let saving = store::Saving {
        consultation,
        ids: store::StoredIds::of(&read, &responses),
        existing: &read.themes,
        now,
    };
    db::write_transaction(conn, |conn| {
        saving.store(conn, (&result, &campaigns), &mut report)
    })?;
    record_run(conn, consultation, now, &report)?;
    progress("done");
    Ok(report)
}

/// What the run page says the engine is doing.
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Reading => "reading",
        Stage::Clustering => "clustering",
        Stage::Labelling => "labelling",
        Stage::Repeats => "finding repeats",
        Stage::Suggesting => "suggesting answers",
        Stage::Done => "saving",
    }
}

/// Records the run in the audit log.
fn record_run(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    now: DateTime<Utc>,
    report: &RunReport,
) -> ServiceResult<()> {
    let summary = format!(
        "{} issues, {} themes ({} new, {} removed), {} repeat groups, {} campaigns",
        report.issues,
        report.themes,
        report.new_themes,
        report.removed_themes,
        report.repeat_groups,
        report.campaigns
    );
    let change = Change {
        action: "analysis run",
        entity: "consultation",
        id: consultation.0,
        before: None,
        after: Some(&summary),
    };
    audit::record(conn, &Actor::system("analysis"), now, change)?;
    Ok(())
}

/// Each theme of consultation `slug` with its issues, as the command line
/// prints them after a run.
pub fn themes_with_issues(
    conn: &mut DbConnection,
    caller: &crate::service::access::Caller,
    slug: &str,
) -> ServiceResult<Vec<(crate::db::themes::Theme, Vec<crate::db::issues::Issue>)>> {
    let scope = crate::service::access::open(conn, caller, slug)?;
    let issues = db::issues::of_consultation(conn, scope.consultation.id)?;
    Ok(db::themes::of_consultation(conn, scope.consultation.id)?
        .into_iter()
        .map(|theme| {
            let members = issues
                .iter()
                .filter(|i| i.theme_id == Some(theme.id))
                .cloned()
                .collect();
            (theme, members)
        })
        .collect())
}
