//! Running the analysis engine on a consultation and storing what it found
//! (themes, theme membership, repeats, campaigns, suggested answers),
//! never overwriting an officer's decisions.
//!
//! The engine runs outside any transaction (it is pure computation); the
//! results are then written in one transaction, so readers see the old
//! analysis or the new one, never half of each. A run is recorded in
//! `analysis_runs`; a unique index lets only one run per consultation at a
//! time, across every instance of the service.

use super::audit::{self, Actor, Change};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ServiceError, ServiceResult};
use crate::analysis::cluster::ClusterOptions;
use crate::analysis::engine::{
    self, AnalysisInput, AnalysisResult, ExistingTheme, IssueInput, Placement, Stage, ThemeSlot,
};
use crate::analysis::repeats;
use crate::analysis::tokenize::Abbreviation;
use crate::db::analysis::AnswerSuggestion;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationId, IssueId, ResponseId, ThemeId, ThemeOrigin, UserId};

/// Full re-analysis, or only placing issues that have no theme yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Full,
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
    let outcome = analyse_and_store(conn, consultation, run_id, mode, options, now, progress);
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

fn clamp(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn analyse_and_store(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    run_id: i64,
    mode: Mode,
    options: &ClusterOptions,
    now: DateTime<Utc>,
    progress: &dyn Fn(&str),
) -> ServiceResult<RunReport> {
    progress("reading");
    db::analysis::set_stage(conn, run_id, "reading")?;
    let issues = db::issues::of_consultation(conn, consultation)?;
    let themes = db::themes::of_consultation(conn, consultation)?;
    let answered: std::collections::HashSet<IssueId> =
        db::group_responses::of_consultation(conn, consultation)?
            .into_iter()
            .map(|g| g.issue_id)
            .collect();
    let mut dictionary: Vec<Abbreviation> = Vec::new();
    for body in db::structure::bodies_of(conn, consultation)? {
        if let Some(short) = body.short_name {
            dictionary.push(Abbreviation {
                short,
                full: body.name,
            });
        }
    }
    for consultee in db::consultees::of_consultation(conn, consultation)? {
        if let Some(short) = consultee.short_name {
            dictionary.push(Abbreviation {
                short,
                full: consultee.name,
            });
        }
    }
    let theme_index =
        |id: Option<ThemeId>| id.and_then(|id| themes.iter().position(|t| t.id == id));
    let input = AnalysisInput {
        issues: issues
            .iter()
            .map(|i| IssueInput {
                text: i.content.clone(),
                theme: theme_index(i.theme_id),
                placed_by_officer: i.theme_set_by_officer,
                answered: answered.contains(&i.id),
            })
            .collect(),
        themes: themes
            .iter()
            .map(|t| ExistingTheme {
                label: t.label.clone(),
                officer_named: t.officer_named,
                pinned: t.pinned,
            })
            .collect(),
        dictionary,
        options: *options,
    };

    db::analysis::set_stage(conn, run_id, "analysing")?;
    let stage_names = |stage: Stage| match stage {
        Stage::Reading => "reading",
        Stage::Clustering => "clustering",
        Stage::Labelling => "labelling",
        Stage::Repeats => "finding repeats",
        Stage::Suggesting => "suggesting answers",
        Stage::Done => "saving",
    };
    let mut report = RunReport {
        issues: issues.len(),
        ..RunReport::default()
    };
    if mode == Mode::NewIssuesOnly {
        progress("placing new issues");
        let placements = engine::place_new_issues(&input);
        db::analysis::set_stage(conn, run_id, "saving")?;
        db::write_transaction(conn, |conn| {
            let mut no_fit = Vec::new();
            for (issue, placement) in issues.iter().zip(placements) {
                match placement {
                    Some(Placement::Theme { theme, .. }) => {
                        db::analysis::set_issue_themes(conn, Some(themes[theme].id), &[issue.id])?;
                    }
                    Some(Placement::NoFit) => no_fit.push(issue.id),
                    None => {}
                }
            }
            report.not_fitting = no_fit.len();
            db::analysis::flag_no_fit(conn, &no_fit)?;
            Ok::<_, diesel::result::Error>(())
        })?;
        report.themes = themes.len();
        progress("done");
        return Ok(report);
    }

    let result = engine::analyse(&input, &|stage| progress(stage_names(stage)));
    let responses = db::responses::of_consultation(conn, consultation)?;
    let campaigns = repeats::find_repeats(
        &responses
            .iter()
            .map(|r| r.content.as_str())
            .collect::<Vec<_>>(),
    );

    db::analysis::set_stage(conn, run_id, "saving")?;
    let ids = StoredIds {
        issues: issues.iter().map(|i| i.id).collect(),
        themes: themes.iter().map(|t| t.id).collect(),
        responses: responses.iter().map(|r| r.id).collect(),
    };
    db::write_transaction(conn, |conn| {
        store(
            conn,
            consultation,
            &ids,
            &themes,
            &result,
            &campaigns,
            now,
            &mut report,
        )
    })?;
    audit::record(
        conn,
        &Actor::system("analysis"),
        now,
        Change {
            action: "analysis run",
            entity: "consultation",
            id: consultation.0,
            before: None,
            after: Some(&format!(
                "{} issues, {} themes ({} new, {} removed), {} repeat groups, {} campaigns",
                report.issues,
                report.themes,
                report.new_themes,
                report.removed_themes,
                report.repeat_groups,
                report.campaigns
            )),
        },
    )?;
    progress("done");
    Ok(report)
}

/// The database ids behind the engine's indices.
struct StoredIds {
    issues: Vec<IssueId>,
    themes: Vec<ThemeId>,
    responses: Vec<ResponseId>,
}

#[allow(clippy::too_many_arguments)]
fn store(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    ids: &StoredIds,
    existing: &[db::themes::Theme],
    result: &AnalysisResult,
    campaigns: &[repeats::RepeatGroup],
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), diesel::result::Error> {
    // Themes first: create new ones, update the rest, in order of size.
    let mut order: Vec<usize> = (0..result.themes.len()).collect();
    order.sort_by(|&a, &b| {
        result.themes[b]
            .size
            .cmp(&result.themes[a].size)
            .then(a.cmp(&b))
    });
    let mut theme_ids: Vec<(ThemeSlot, ThemeId)> = Vec::new();
    for (position, &index) in order.iter().enumerate() {
        let theme = &result.themes[index];
        let terms: Vec<StoredTerm> = theme
            .top_terms
            .iter()
            .map(|t| StoredTerm {
                term: t.term.clone(),
                surface: t.surface.clone(),
                weight: t.weight,
            })
            .collect();
        let terms = serde_json::to_string(&terms).unwrap_or_else(|_| "[]".into());
        let representatives: Vec<i64> = theme
            .representatives
            .iter()
            .map(|&i| ids.issues[i].0)
            .collect();
        let representatives =
            serde_json::to_string(&representatives).unwrap_or_else(|_| "[]".into());
        let position = clamp(position);
        let id = match theme.slot {
            ThemeSlot::Existing(t) => {
                let keep_name = existing[t].officer_named;
                db::analysis::set_theme_evidence(
                    conn,
                    ids.themes[t],
                    (!keep_name).then_some(theme.label.as_str()),
                    &terms,
                    &representatives,
                    position,
                )?;
                ids.themes[t]
            }
            ThemeSlot::New(_) => {
                report.new_themes += 1;
                let id = db::themes::insert(
                    conn,
                    &db::themes::NewTheme {
                        consultation_id: consultation,
                        label: &theme.label,
                        origin: ThemeOrigin::Analysis,
                        officer_named: false,
                        pinned: false,
                        position,
                        created_at: now.naive_utc(),
                    },
                )?;
                db::analysis::set_theme_evidence(
                    conn,
                    id,
                    None,
                    &terms,
                    &representatives,
                    position,
                )?;
                id
            }
        };
        theme_ids.push((theme.slot, id));
    }
    // Issues into their themes, a batch per theme (grouped in one pass).
    let mut members: std::collections::HashMap<ThemeSlot, Vec<IssueId>> =
        std::collections::HashMap::new();
    for (i, slot) in result.assignments.iter().enumerate() {
        if let Some(slot) = slot {
            members.entry(*slot).or_default().push(ids.issues[i]);
        }
    }
    for &(slot, id) in &theme_ids {
        let issues = members.get(&slot).map_or(&[][..], Vec::as_slice);
        db::analysis::set_issue_themes(conn, Some(id), issues)?;
    }
    // Automatic themes left with nothing in them go.
    for (t, theme) in existing.iter().enumerate() {
        let kept = theme_ids
            .iter()
            .any(|(slot, _)| *slot == ThemeSlot::Existing(t));
        if !kept && !theme.pinned && !theme.officer_named && theme.origin == ThemeOrigin::Analysis {
            db::analysis::delete_theme(conn, theme.id)?;
            report.removed_themes += 1;
        }
    }
    report.themes = theme_ids.len();

    db::analysis::clear_repeats(conn, consultation)?;
    for group in &result.repeats {
        let first = ids.issues[group.members[0]];
        let rest: Vec<IssueId> = group.members[1..].iter().map(|&i| ids.issues[i]).collect();
        db::analysis::set_duplicate_of(conn, first, &rest)?;
    }
    report.repeat_groups = result.repeats.len();
    for group in campaigns.iter().filter(|g| g.is_campaign()) {
        let first = ids.responses[group.members[0]];
        let rest: Vec<ResponseId> = group.members[1..]
            .iter()
            .map(|&i| ids.responses[i])
            .collect();
        db::analysis::set_campaign_of(conn, first, &rest)?;
        report.campaigns += 1;
    }

    let suggestions: Vec<AnswerSuggestion> = result
        .suggestions
        .iter()
        .enumerate()
        .flat_map(|(i, list)| {
            list.iter()
                .enumerate()
                .map(move |(rank, s)| AnswerSuggestion {
                    issue_id: ids.issues[i],
                    suggested_issue_id: ids.issues[s.issue],
                    similarity: s.similarity,
                    rank: clamp(rank),
                })
        })
        .collect();
    report.suggestions = suggestions.len();
    db::analysis::replace_suggestions(conn, consultation, &suggestions)?;
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
