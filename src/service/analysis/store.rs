//! Writing what the analysis found: themes (new ones created, the rest
//! updated, empty automatic ones removed), which issues are in each,
//! repeats and campaigns, and suggested answers. Officers' decisions
//! (names, pins, placed issues) are kept as they are.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::result::Error as DbError;

use super::input::Read;
use super::{RunReport, StoredTerm, clamp};
use crate::analysis::engine::{AnalysisResult, Placement, ThemeResult, ThemeSlot};
use crate::analysis::repeats::RepeatGroup;
use crate::db::analysis::AnswerSuggestion;
use crate::db::responses::Response;
use crate::db::themes::Theme;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationId, IssueId, ResponseId, ThemeId, ThemeOrigin};

/// Places issues in no theme into the nearest theme (or marks that none
/// fits), leaving the themes as they are.
pub(super) fn place_new_issues(
    conn: &mut DbConnection,
    read: &Read,
    placements: Vec<Option<Placement>>,
    report: &mut RunReport,
) -> Result<(), DbError> {
    let mut no_fit = Vec::new();
    for (issue, placement) in read.issues.iter().zip(placements) {
        match placement {
            Some(Placement::Theme { theme, .. }) => {
                let theme = Some(read.themes[theme].id);
                db::analysis::set_issue_themes(conn, theme, &[issue.id])?;
            }
            Some(Placement::NoFit) => no_fit.push(issue.id),
            None => {}
        }
    }
    report.not_fitting = no_fit.len();
    report.themes = read.themes.len();
    db::analysis::flag_no_fit(conn, &no_fit).map(|_| ())
}

/// The database ids behind the engine's indices.
pub(super) struct StoredIds {
    issues: Vec<IssueId>,
    themes: Vec<ThemeId>,
    responses: Vec<ResponseId>,
}

impl StoredIds {
    pub(super) fn of(read: &Read, responses: &[Response]) -> Self {
        Self {
            issues: read.issues.iter().map(|i| i.id).collect(),
            themes: read.themes.iter().map(|t| t.id).collect(),
            responses: responses.iter().map(|r| r.id).collect(),
        }
    }
}

/// Where one full analysis is written.
pub(super) struct Saving<'a> {
    pub consultation: ConsultationId,
    pub ids: StoredIds,
    /// The themes before the run (index `t` of `ThemeSlot::Existing(t)`).
    pub existing: &'a [Theme],
    pub now: DateTime<Utc>,
}

impl Saving<'_> {
    /// Writes everything a full analysis found (in one transaction: the
    /// caller's).
    pub(super) fn store(
        &self,
        conn: &mut DbConnection,
        (result, campaigns): (&AnalysisResult, &[RepeatGroup]),
        report: &mut RunReport,
    ) -> Result<(), DbError> {
        let theme_ids = self.store_themes(conn, result, report)?;
        self.place_issues(conn, result, &theme_ids)?;
        self.remove_empty_themes(conn, &theme_ids, report)?;
        report.themes = theme_ids.len();
        self.store_repeats(conn, (result, campaigns), report)?;
        self.store_suggestions(conn, result, report)
    }

    /// A theme's top terms and representative issues, as stored (JSON).
    fn evidence(&self, theme: &ThemeResult) -> (String, String) {
        let terms: Vec<StoredTerm> = (theme.top_terms.iter())
            .map(|t| StoredTerm {
                term: t.term.clone(),
                surface: t.surface.clone(),
                weight: t.weight,
            })
            .collect();
        let representatives: Vec<i64> = (theme.representatives.iter())
            .map(|&i| self.ids.issues[i].0)
            .collect();
        let json = |value: serde_json::Result<String>| value.unwrap_or_else(|_| "[]".into());
        (
            json(serde_json::to_string(&terms)),
            json(serde_json::to_string(&representatives)),
        )
    }

    /// Creates new themes and updates the rest, largest first; the id of
    /// each slot.
    fn store_themes(
        &self,
        conn: &mut DbConnection,
        result: &AnalysisResult,
        report: &mut RunReport,
    ) -> Result<Vec<(ThemeSlot, ThemeId)>, DbError> {
        let mut order: Vec<usize> = (0..result.themes.len()).collect();
        order.sort_by(|&a, &b| {
            (result.themes[b].size)
                .cmp(&result.themes[a].size)
                .then(a.cmp(&b))
        });
        let mut theme_ids = Vec::with_capacity(order.len());
        for (position, &index) in order.iter().enumerate() {
            let theme = &result.themes[index];
            let (terms, representatives) = self.evidence(theme);
            let evidence = (terms.as_str(), representatives.as_str(), clamp(position));
            let id = match theme.slot {
                ThemeSlot::Existing(t) => {
                    // A name an officer gave is kept.
                    let label = (!self.existing[t].officer_named).then_some(theme.label.as_str());
                    db::analysis::set_theme_evidence(conn, self.ids.themes[t], label, evidence)?;
                    self.ids.themes[t]
                }
                ThemeSlot::New(_) => {
                    report.new_themes += 1;
                    let id = self.insert_theme(conn, &theme.label, evidence.2)?;
                    db::analysis::set_theme_evidence(conn, id, None, evidence)?;
                    id
                }
            };
            theme_ids.push((theme.slot, id));
        }
        Ok(theme_ids)
    }

    fn insert_theme(
        &self,
        conn: &mut DbConnection,
        label: &str,
        position: i32,
    ) -> Result<ThemeId, DbError> {
        db::themes::insert(
            conn,
            &db::themes::NewTheme {
                consultation_id: self.consultation,
                label,
                origin: ThemeOrigin::Analysis,
                officer_named: false,
                pinned: false,
                position,
                created_at: self.now.naive_utc(),
            },
        )
    }

    /// Issues into their themes, a batch per theme (grouped in one pass).
    fn place_issues(
        &self,
        conn: &mut DbConnection,
        result: &AnalysisResult,
        theme_ids: &[(ThemeSlot, ThemeId)],
    ) -> Result<(), DbError> {
        let mut members: HashMap<ThemeSlot, Vec<IssueId>> = HashMap::new();
        for (i, slot) in result.assignments.iter().enumerate() {
            if let Some(slot) = slot {
                members.entry(*slot).or_default().push(self.ids.issues[i]);
            }
        }
        for &(slot, id) in theme_ids {
            let issues = members.get(&slot).map_or(&[][..], Vec::as_slice);
            db::analysis::set_issue_themes(conn, Some(id), issues)?;
        }
        Ok(())
    }

    /// Automatic themes left with nothing in them go; officers' stay.
    fn remove_empty_themes(
        &self,
        conn: &mut DbConnection,
        theme_ids: &[(ThemeSlot, ThemeId)],
        report: &mut RunReport,
    ) -> Result<(), DbError> {
        for (t, theme) in self.existing.iter().enumerate() {
            let kept = (theme_ids.iter()).any(|(slot, _)| *slot == ThemeSlot::Existing(t));
            let automatic = theme.origin == ThemeOrigin::Analysis;
            if !kept && !theme.pinned && !theme.officer_named && automatic {
                db::analysis::delete_theme(conn, theme.id)?;
                report.removed_themes += 1;
            }
        }
        Ok(())
    }

    /// Repeated issues, and responses sent by a campaign.
    fn store_repeats(
        &self,
        conn: &mut DbConnection,
        (result, campaigns): (&AnalysisResult, &[RepeatGroup]),
        report: &mut RunReport,
    ) -> Result<(), DbError> {
        db::analysis::clear_repeats(conn, self.consultation)?;
        for group in &result.repeats {
            let first = self.ids.issues[group.members[0]];
            let rest: Vec<IssueId> = (group.members[1..].iter())
                .map(|&i| self.ids.issues[i])
                .collect();
            db::analysis::set_repeat_of(conn, first, &rest)?;
        }
        report.repeat_groups = result.repeats.len();
        for group in campaigns.iter().filter(|g| g.is_campaign()) {
            let first = self.ids.responses[group.members[0]];
            let rest: Vec<ResponseId> = (group.members[1..].iter())
                .map(|&i| self.ids.responses[i])
                .collect();
            db::analysis::set_campaign_of(conn, first, &rest)?;
            report.campaigns += 1;
        }
        Ok(())
    }

    /// Earlier answers suggested for each issue, best first.
    fn store_suggestions(
        &self,
        conn: &mut DbConnection,
        result: &AnalysisResult,
        report: &mut RunReport,
    ) -> Result<(), DbError> {
        let suggestions: Vec<AnswerSuggestion> = (result.suggestions.iter().enumerate())
            .flat_map(|(i, list)| {
                list.iter()
                    .enumerate()
                    .map(move |(rank, s)| AnswerSuggestion {
                        issue_id: self.ids.issues[i],
                        suggested_issue_id: self.ids.issues[s.issue],
                        similarity: s.similarity,
                        rank: clamp(rank),
                    })
            })
            .collect();
        report.suggestions = suggestions.len();
        db::analysis::replace_suggestions(conn, self.consultation, &suggestions)
    }
}
