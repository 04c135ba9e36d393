//! What the analysis engine is given: a consultation's issues and themes
//! as they stand, the officers' decisions it must keep, and the
//! abbreviations its bodies and consultees use.

use std::collections::HashSet;

use crate::analysis::cluster::ClusterOptions;
use crate::analysis::engine::{AnalysisInput, ExistingTheme, IssueInput};
use crate::analysis::tokenize::Abbreviation;
use crate::db::issues::Issue;
use crate::db::themes::Theme;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationId, IssueId, ThemeId};
use crate::service::ServiceResult;

/// A consultation read for analysis: its rows, and the engine's input
/// made of them (index `i` of the input is row `i`).
pub(super) struct Read {
    pub issues: Vec<Issue>,
    pub themes: Vec<Theme>,
    pub input: AnalysisInput,
}

/// Short names the consultation's bodies and consultees go by ("SLG" for
/// the Strategic Leadership Group), so that both spellings count as one.
fn abbreviations(
    conn: &mut DbConnection,
    consultation: ConsultationId,
) -> ServiceResult<Vec<Abbreviation>> {
    let bodies = db::structure::bodies_of(conn, consultation)?
        .into_iter()
        .map(|b| (b.short_name, b.name));
    let consultees = db::consultees::of_consultation(conn, consultation)?
        .into_iter()
        .map(|c| (c.short_name, c.name));
    Ok(bodies
        .chain(consultees)
        .filter_map(|(short, full)| short.map(|short| Abbreviation { short, full }))
        .collect())
}

/// Reads consultation `consultation` for the engine.
pub(super) fn read(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    (options, fresh): (&ClusterOptions, bool),
) -> ServiceResult<Read> {
    let issues = db::issues::of_consultation(conn, consultation)?;
    let themes = db::themes::of_consultation(conn, consultation)?;
    let answered: HashSet<IssueId> = db::group_responses::of_consultation(conn, consultation)?
        .into_iter()
        .map(|g| g.issue_id)
        .collect();
    let theme_index =
        |id: Option<ThemeId>| id.and_then(|id| themes.iter().position(|t| t.id == id));
    let input = AnalysisInput {
        issues: (issues.iter())
            .map(|i| IssueInput {
                text: i.content.clone(),
                theme: theme_index(i.theme_id),
                placed_by_officer: i.theme_set_by_officer,
                answered: answered.contains(&i.id),
            })
            .collect(),
        themes: (themes.iter())
            .map(|t| ExistingTheme {
                label: t.label.clone(),
                officer_named: t.officer_named,
                pinned: t.pinned,
            })
            .collect(),
        dictionary: abbreviations(conn, consultation)?,
        options: *options,
        fresh,
    };
    Ok(Read {
        issues,
        themes,
        input,
    })
}
