//! Queries that store the analysis: runs, themes' evidence, issues' themes
//! and repeats, campaign responses, and suggested answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::connection::{DbConnection, last_insert_id};
use super::schema::{analysis_runs, answer_suggestions, issues, responses, themes};
use crate::domain::{ConsultationId, IssueId, ResponseId, ThemeId, UserId};

/// Rows changed per statement when updating many issues at once.
const BATCH: usize = 500;

/// One analysis run.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = analysis_runs)]
pub struct AnalysisRun {
    pub id: i64,
    pub consultation_id: ConsultationId,
    pub status: String,
    pub stage: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub issues: i32,
    pub themes: i32,
    pub message: Option<String>,
    pub started_by: Option<UserId>,
}

/// A run still marked running after this long was cut off (its process
/// died); it no longer blocks a new run. The largest measured run (1M
/// issues) takes under a minute.
const ABANDONED_AFTER_MINUTES: i64 = 60;

/// Records a run as started, unless one is already running for the
/// consultation (on any instance): then `None`.
pub fn start_run(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    started_by: Option<UserId>,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    let cut_off = now - chrono::Duration::minutes(ABANDONED_AFTER_MINUTES);
    diesel::update(
        analysis_runs::table
            .filter(analysis_runs::consultation_id.eq(consultation))
            .filter(analysis_runs::status.eq("running"))
            .filter(analysis_runs::started_at.lt(cut_off)),
    )
    .set((
        analysis_runs::status.eq("failed"),
        analysis_runs::stage.eq("failed"),
        analysis_runs::message.eq("abandoned: the process running it stopped"),
        analysis_runs::finished_at.eq(Some(now)),
    ))
    .execute(conn)?;
    let inserted = diesel::insert_into(analysis_runs::table)
        .values((
            analysis_runs::consultation_id.eq(consultation),
            analysis_runs::status.eq("running"),
            analysis_runs::stage.eq("starting"),
            analysis_runs::started_at.eq(now),
            analysis_runs::started_by.eq(started_by),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => last_insert_id(conn).map(Some),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Notes which step a run has reached.
pub fn set_stage(conn: &mut DbConnection, run: i64, stage: &str) -> QueryResult<usize> {
    diesel::update(analysis_runs::table.find(run))
        .set(analysis_runs::stage.eq(stage))
        .execute(conn)
}

/// Closes a run as `done` or `failed`.
pub fn finish_run(
    conn: &mut DbConnection,
    run: i64,
    status: &str,
    counts: (i32, i32),
    message: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(analysis_runs::table.find(run))
        .set((
            analysis_runs::status.eq(status),
            analysis_runs::stage.eq(status),
            analysis_runs::finished_at.eq(Some(now)),
            analysis_runs::issues.eq(counts.0),
            analysis_runs::themes.eq(counts.1),
            analysis_runs::message.eq(message),
        ))
        .execute(conn)
}

/// The latest run of a consultation.
pub fn latest_run(
    conn: &mut DbConnection,
    consultation: ConsultationId,
) -> QueryResult<Option<AnalysisRun>> {
    analysis_runs::table
        .filter(analysis_runs::consultation_id.eq(consultation))
        .order(analysis_runs::id.desc())
        .select(AnalysisRun::as_select())
        .first(conn)
        .optional()
}

/// Stores what the analysis found about a theme; the label only when given
/// (an officer's name is never overwritten).
pub fn set_theme_evidence(
    conn: &mut DbConnection,
    theme: ThemeId,
    label: Option<&str>,
    (top_terms, representatives, position): (&str, &str, i32),
) -> QueryResult<usize> {
    let target = themes::table.find(theme);
    match label {
        Some(label) => diesel::update(target)
            .set((
                themes::label.eq(label),
                themes::top_terms.eq(top_terms),
                themes::representatives.eq(representatives),
                themes::position.eq(position),
            ))
            .execute(conn),
        None => diesel::update(target)
            .set((
                themes::top_terms.eq(top_terms),
                themes::representatives.eq(representatives),
                themes::position.eq(position),
            ))
            .execute(conn),
    }
}

/// Deletes a theme (its issues lose their theme).
pub fn delete_theme(conn: &mut DbConnection, theme: ThemeId) -> QueryResult<usize> {
    diesel::delete(themes::table.find(theme)).execute(conn)
}

/// Puts issues in a theme (or none), leaving issues an officer placed.
pub fn set_issue_themes(
    conn: &mut DbConnection,
    theme: Option<ThemeId>,
    ids: &[IssueId],
) -> QueryResult<usize> {
    let mut changed = 0;
    for chunk in ids.chunks(BATCH) {
        changed += diesel::update(
            issues::table
                .filter(issues::id.eq_any(chunk))
                .filter(issues::theme_set_by_officer.eq(false)),
        )
        .set((issues::theme_id.eq(theme), issues::fits_no_theme.eq(false)))
        .execute(conn)?;
    }
    Ok(changed)
}

/// Flags issues that fit no theme.
pub fn flag_no_fit(conn: &mut DbConnection, ids: &[IssueId]) -> QueryResult<usize> {
    let mut changed = 0;
    for chunk in ids.chunks(BATCH) {
        changed += diesel::update(issues::table.filter(issues::id.eq_any(chunk)))
            .set(issues::fits_no_theme.eq(true))
            .execute(conn)?;
    }
    Ok(changed)
}

/// Forgets the repeats found last time.
pub fn clear_repeats(conn: &mut DbConnection, consultation: ConsultationId) -> QueryResult<()> {
    diesel::update(issues::table.filter(issues::consultation_id.eq(consultation)))
        .set(issues::repeat_of_id.eq(None::<IssueId>))
        .execute(conn)?;
    diesel::update(responses::table.filter(responses::consultation_id.eq(consultation)))
        .set(responses::campaign_of_id.eq(None::<ResponseId>))
        .execute(conn)?;
    Ok(())
}

/// Marks issues as repeating `first`.
pub fn set_repeat_of(
    conn: &mut DbConnection,
    first: IssueId,
    ids: &[IssueId],
) -> QueryResult<usize> {
    let mut changed = 0;
    for chunk in ids.chunks(BATCH) {
        changed += diesel::update(issues::table.filter(issues::id.eq_any(chunk)))
            .set(issues::repeat_of_id.eq(Some(first)))
            .execute(conn)?;
    }
    Ok(changed)
}

/// Marks responses as copies of the campaign's first response.
pub fn set_campaign_of(
    conn: &mut DbConnection,
    first: ResponseId,
    ids: &[ResponseId],
) -> QueryResult<usize> {
    let mut changed = 0;
    for chunk in ids.chunks(BATCH) {
        changed += diesel::update(responses::table.filter(responses::id.eq_any(chunk)))
            .set(responses::campaign_of_id.eq(Some(first)))
            .execute(conn)?;
    }
    Ok(changed)
}

/// A suggested earlier answer.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = answer_suggestions)]
pub struct AnswerSuggestion {
    pub issue_id: IssueId,
    pub suggested_issue_id: IssueId,
    pub similarity: f32,
    pub rank: i32,
}

/// Replaces a consultation's suggestions.
pub fn replace_suggestions(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    rows: &[AnswerSuggestion],
) -> QueryResult<()> {
    let ids = issues::table
        .filter(issues::consultation_id.eq(consultation))
        .select(issues::id);
    diesel::delete(answer_suggestions::table.filter(answer_suggestions::issue_id.eq_any(ids)))
        .execute(conn)?;
    // Multi-row inserts are not available through the multi-backend
    // connection; the rows are numbers only, so a literal VALUES list is
    // safe and keeps large consultations to a few statements.
    for chunk in rows.chunks(BATCH) {
        let values: Vec<String> = chunk
            .iter()
            .map(|r| {
                format!(
                    "({}, {}, {}, {})",
                    r.issue_id.0,
                    r.suggested_issue_id.0,
                    if r.similarity.is_finite() {
                        r.similarity
                    } else {
                        0.0
                    },
                    r.rank
                )
            })
            .collect();
        diesel::sql_query(format!(
            "INSERT INTO answer_suggestions (issue_id, suggested_issue_id, similarity, rank) VALUES {}",
            values.join(", ")
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// The suggestions for one issue, best first.
pub fn suggestions_for(
    conn: &mut DbConnection,
    issue: IssueId,
) -> QueryResult<Vec<AnswerSuggestion>> {
    answer_suggestions::table
        .filter(answer_suggestions::issue_id.eq(issue))
        .order(answer_suggestions::rank)
        .select(AnswerSuggestion::as_select())
        .load(conn)
}
