//! Running the analysis on a stored consultation: themes stored, officers'
//! decisions kept on a re-run, new issues placed, one run at a time.

use chrono::{TimeZone, Utc};
use diesel::prelude::*;

use sounding::analysis::cluster::ClusterOptions;
use sounding::db;
use sounding::db::schema::{issues, themes};
use sounding::service::analysis::{Mode, run as run_analysis};
use sounding::service::fixtures;

use crate::db_test;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2011, 9, 10, 10, 0, 0)
        .single()
        .expect("valid time")
}

fn analyse(conn: &mut db::DbConnection, mode: Mode) -> sounding::service::analysis::RunReport {
    run_analysis(
        conn,
        "cheltenham-2011",
        mode,
        &ClusterOptions::default(),
        None,
        now(),
        &|_| {},
    )
    .expect("analysis runs")
}

db_test! {
    fn the_themes_list_shows_examples_as_the_themes_stand_now(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("fixture");
        analyse(conn, Mode::Full);
        let scope = sounding::service::access::open(conn, &sounding::service::access::Caller::System("test"), "cheltenham-2011").expect("scope");
        let before = sounding::service::workspace::themes::triage(conn, &scope).expect("triage");
        let (from, to) = {
            let mut with_examples = before.themes.iter().filter(|t| !t.representatives.is_empty());
            (with_examples.next().expect("a theme"), with_examples.next().expect("another theme"))
        };
        let (moved, _) = from.representatives[0].clone();
        sounding::service::workspace::themes::move_issues(conn, &scope, &[moved], Some(to.theme.id), now()).expect("move");

        let after = sounding::service::workspace::themes::triage(conn, &scope).expect("triage");
        let theme = |id| after.themes.iter().find(|t| t.theme.id == id).expect("theme");
        let examples = |id| theme(id).representatives.iter().map(|(i, _)| *i).collect::<Vec<_>>();
        assert!(!examples(from.theme.id).contains(&moved), "a moved issue is no longer an example of its old theme");
        assert_eq!(theme(from.theme.id).progress.issues, from.progress.issues - 1, "counts follow the move");
        assert_eq!(theme(to.theme.id).progress.issues, to.progress.issues + 1);
        if to.representatives.len() < sounding::service::workspace::themes::EXAMPLES {
            assert!(examples(to.theme.id).contains(&moved), "a theme short of examples shows its new issue");
        }
        // Every example shown is a member of its theme, now.
        for t in &after.themes {
            let members = db::issues::of_theme(conn, t.theme.id).expect("members");
            assert!(t.representatives.iter().all(|(id, _)| members.iter().any(|m| m.id == *id)), "{}", t.theme.label);
            assert!(t.representatives.len() <= sounding::service::workspace::themes::EXAMPLES);
            assert_eq!(t.representatives.len(), members.len().min(sounding::service::workspace::themes::EXAMPLES), "{}", t.theme.label);
        }
    }

    fn the_cheltenham_issues_are_grouped_into_stored_themes(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        let report = analyse(conn, Mode::Full);
        assert_eq!(report.issues, 24);
        assert!((3..=7).contains(&report.themes), "{report:?}");
        assert_eq!(report.new_themes, report.themes);
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let stored = db::themes::of_consultation(conn, c.id).expect("themes");
        assert_eq!(stored.len(), report.themes);
        let all = db::issues::of_consultation(conn, c.id).expect("issues");
        assert!(all.iter().all(|i| i.theme_id.is_some()), "every issue has a theme");
        // Theme evidence is stored: top terms and representative issues.
        let (terms, reps): (String, String) = themes::table
            .filter(themes::id.eq(stored[0].id))
            .select((themes::top_terms, themes::representatives))
            .first(conn)
            .expect("evidence");
        assert!(terms.contains("surface"), "{terms}");
        let reps: Vec<i64> = serde_json::from_str(&reps).expect("JSON ids");
        assert!(!reps.is_empty() && reps.iter().all(|id| all.iter().any(|i| i.id.0 == *id)));
        let latest = db::analysis::latest_run(conn, c.id).expect("query").expect("a run");
        assert_eq!((latest.status.as_str(), latest.issues), ("done", 24));
    }

    fn a_re_run_keeps_what_officers_decided(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        analyse(conn, Mode::Full);
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let stored = db::themes::of_consultation(conn, c.id).expect("themes");
        let all = db::issues::of_consultation(conn, c.id).expect("issues");
        // An officer names the first theme, pins the second, and moves
        // issue 21 (police authority on the leadership group) into the first.
        diesel::update(themes::table.find(stored[0].id))
            .set((themes::label.eq("Membership of the SLG"), themes::officer_named.eq(true)))
            .execute(conn).expect("name");
        diesel::update(themes::table.find(stored[1].id))
            .set(themes::pinned.eq(true))
            .execute(conn).expect("pin");
        diesel::update(issues::table.find(all[20].id))
            .set((issues::theme_id.eq(Some(stored[0].id)), issues::theme_set_by_officer.eq(true)))
            .execute(conn).expect("move");
        let pinned_members: Vec<_> = all.iter().filter(|i| i.theme_id == Some(stored[1].id) && i.id != all[20].id).map(|i| i.id).collect();

        analyse(conn, Mode::Full);
        let after = db::themes::of_consultation(conn, c.id).expect("themes");
        let named = after.iter().find(|t| t.id == stored[0].id).expect("named theme kept");
        assert_eq!(named.label, "Membership of the SLG");
        assert!(after.iter().any(|t| t.id == stored[1].id && t.pinned), "pinned theme kept");
        let issues_after = db::issues::of_consultation(conn, c.id).expect("issues");
        assert_eq!(issues_after[20].theme_id, Some(stored[0].id), "the moved issue stays");
        for id in pinned_members {
            let issue = issues_after.iter().find(|i| i.id == id).expect("issue");
            assert_eq!(issue.theme_id, Some(stored[1].id), "pinned theme keeps its issues");
        }
    }

    fn new_issues_only_places_unthemed_issues_without_reclustering(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        analyse(conn, Mode::Full);
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let before = db::issues::of_consultation(conn, c.id).expect("issues");
        diesel::update(issues::table.find(before[3].id))
            .set(issues::theme_id.eq(None::<sounding::domain::ThemeId>))
            .execute(conn).expect("unset");
        let report = analyse(conn, Mode::NewIssuesOnly);
        let after = db::issues::of_consultation(conn, c.id).expect("issues");
        let placed = after[3].theme_id.is_some() || after[3].fits_no_theme;
        assert!(placed, "the new issue is placed or flagged");
        assert!(report.not_fitting <= 1);
        for (b, a) in before.iter().zip(&after).filter(|(b, _)| b.id != before[3].id) {
            assert_eq!(b.theme_id, a.theme_id, "other issues untouched");
        }
    }

    fn only_one_analysis_runs_at_a_time(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let first = db::analysis::start_run(conn, c.id, None, now().naive_utc()).expect("start");
        assert!(first.is_some());
        let err = run_analysis(conn, "cheltenham-2011", Mode::Full, &ClusterOptions::default(), None, now(), &|_| {})
            .expect_err("second run refused");
        assert!(err.to_string().contains("already running"), "{err}");
        db::analysis::finish_run(conn, first.expect("id"), "done", (0, 0), None, now().naive_utc()).expect("finish");
        analyse(conn, Mode::Full);
    }

    fn an_unknown_consultation_is_a_clear_error(conn) {
        let err = run_analysis(conn, "nowhere", Mode::Full, &ClusterOptions::default(), None, now(), &|_| {})
            .expect_err("refused");
        assert!(err.to_string().contains("nowhere"), "{err}");
    }
}
