//! The seed fixtures load, idempotently, with the seed's facts.

use std::collections::HashMap;

use sounding::db;
use sounding::domain::*;
use sounding::service::fixtures::{self, LoadOutcome};

use crate::db_test;

db_test! {
    fn the_practice_consultation_is_open_from_today_with_the_document_and_no_responses(conn) {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date").and_hms_opt(18, 0, 0).expect("time");
        assert!(matches!(fixtures::load_practice(conn, now).expect("loads"), LoadOutcome::Loaded(_)));
        let c = db::consultations::by_slug(conn, fixtures::PRACTICE_SLUG).expect("query").expect("found");
        assert_eq!(c.status, ConsultationStatus::Open);
        assert!(c.title.starts_with("Practice: "), "{}", c.title);
        // Open to the end of the 28th day after today, London time (GMT in December).
        let closes = c.closes_at.expect("a closing time");
        assert_eq!(closes.date(), chrono::NaiveDate::from_ymd_opt(2026, 12, 29).expect("date"));
        assert!(!db::document::sections_of(conn, c.id).expect("sections").is_empty());
        assert!(!db::structure::bodies_of(conn, c.id).expect("bodies").is_empty());
        assert_eq!(db::responses::count(conn, c.id).expect("count"), 0);
        assert!(db::consultees::of_consultation(conn, c.id).expect("consultees").is_empty());
        // Loading again changes nothing, and the real Cheltenham paper loads beside it.
        assert_eq!(fixtures::load_practice(conn, now).expect("again"), LoadOutcome::AlreadyLoaded);
        assert!(matches!(fixtures::load(conn, "cheltenham-2011").expect("loads"), LoadOutcome::Loaded(_)));
    }

    fn every_fixture_loads_twice_without_duplicates(conn) {
        for name in fixtures::names() {
            assert!(matches!(fixtures::load(conn, name).expect("first load"), LoadOutcome::Loaded(_)), "{name}");
        }
        let before = counts(conn);
        for name in fixtures::names() {
            assert_eq!(fixtures::load(conn, name).expect("second load"), LoadOutcome::AlreadyLoaded, "{name}");
        }
        assert_eq!(counts(conn), before);
        assert_eq!(before.len(), 3);
    }

    fn the_cheltenham_fixture_holds_the_seed_table(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        assert_eq!(c.group_name, "CSP task and finish group");
        assert_eq!(db::consultees::of_consultation(conn, c.id).expect("consultees").len(), 8);
        let issues = db::issues::of_consultation(conn, c.id).expect("issues");
        assert_eq!(issues.len(), 24);
        let answers = db::group_responses::of_consultation(conn, c.id).expect("answers");
        assert_eq!(answers.len(), 24);

        // Row 21 ("As above …") points back at row 17's response.
        let as_above: Vec<_> = answers.iter().filter(|a| a.same_as_issue_id.is_some()).collect();
        assert_eq!(as_above.len(), 1);
        let position = |id: IssueId| issues.iter().position(|i| i.id == id).map(|p| p + 1);
        assert_eq!(position(as_above[0].issue_id), Some(21));
        assert_eq!(as_above[0].same_as_issue_id.and_then(position), Some(17));
        assert_eq!(as_above[0].kind, GroupResponseKind::AsAbove);
        assert!(issues[16].content.starts_with("Within this there is a debate"));

        // Joint responses keep every consultee, in order.
        let responses = db::responses::of_consultation(conn, c.id).expect("responses");
        let raised = db::responses::consultees_of_responses(conn, c.id).expect("raised");
        let joint: Vec<String> = responses.iter().map(|r| {
            raised.iter().filter(|(rid, _)| *rid == r.id).map(|(_, k)| k.name.clone()).collect::<Vec<_>>().join(" / ")
        }).collect();
        assert_eq!(joint[2], "St Philip and St. James Residents Association / Stronger Communities Partnership");
        assert_eq!(responses.iter().map(|r| r.reference.as_str()).collect::<Vec<_>>()[..3], ["CHL-0001", "CHL-0002", "CHL-0003"]);
    }

    fn the_cheltenham_closing_date_is_the_end_of_2_september_in_london(conn) {
        fixtures::load(conn, "cheltenham-2011").expect("loads");
        let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let closes = c.closes_at.map(time::from_db).expect("closing time");
        assert_eq!(closes.to_rfc3339(), "2011-09-02T22:59:59+00:00");
        assert_eq!(closes.with_timezone(&chrono_tz::Europe::London).to_rfc3339(), "2011-09-02T23:59:59+01:00");
    }

    fn the_structures_of_all_three_papers_are_data(conn) {
        for name in fixtures::names() {
            fixtures::load(conn, name).expect("loads");
        }
        let short_names = |slug: &str, conn: &mut sounding::db::DbConnection| {
            let c = db::consultations::by_slug(conn, slug).expect("query").expect("found");
            db::structure::bodies_of(conn, c.id).expect("bodies").into_iter().filter_map(|b| b.short_name).collect::<Vec<_>>()
        };
        assert_eq!(short_names("gloucestershire-2008", conn)[..3], ["GSP", "ABG", "CSEB"]);
        assert!(short_names("cheltenham-2011", conn).contains(&"SLG".to_string()));
        let cw = db::consultations::by_slug(conn, "cheshire-west-2008").expect("query").expect("found");
        assert_eq!(db::document::questions_of(conn, cw.id).expect("questions").len(), 5);
        let bodies = db::structure::bodies_of(conn, cw.id).expect("bodies");
        assert_eq!(bodies.iter().filter(|b| b.name.ends_with("Area Partnership Board")).count(), 5);
        let cheltenham = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        let disbanded: Vec<_> = db::structure::bodies_of(conn, cheltenham.id).expect("bodies").into_iter()
            .filter(|b| b.status == BodyStatus::Disbanded).map(|b| b.name).collect();
        assert_eq!(disbanded, vec!["Cheltenham Community Safety Partnership"]);
    }
}

#[test]
fn an_unknown_fixture_names_the_available_ones() {
    let err = fixtures::parse("nowhere-1999").expect_err("no such fixture");
    assert!(
        err.to_string()
            .contains("available: cheltenham-2011, gloucestershire-2008, cheshire-west-2008"),
        "{err}"
    );
}

fn counts(conn: &mut sounding::db::DbConnection) -> HashMap<String, (usize, usize, usize)> {
    db::consultations::all(conn)
        .expect("consultations")
        .into_iter()
        .map(|c| {
            let issues = db::issues::of_consultation(conn, c.id)
                .expect("issues")
                .len();
            let responses = db::responses::of_consultation(conn, c.id)
                .expect("responses")
                .len();
            let bodies = db::structure::bodies_of(conn, c.id).expect("bodies").len();
            (c.slug, (issues, responses, bodies))
        })
        .collect()
}

mod retention {
    use chrono::{Duration, Utc};
    use diesel::prelude::*;
    use sounding::db;
    use sounding::service::{fixtures, retention};

    use crate::db_test;

    db_test! {
        fn contact_details_are_erased_after_the_retention_period_and_the_table_kept(conn) {
            fixtures::load(conn, "cheltenham-2011").expect("loads");
            let c = db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
            diesel::update(db::schema::consultees::table).set(db::schema::consultees::contact_email.eq("someone@example.org")).execute(conn).expect("contacts");
            let published = Utc::now() - Duration::days(10);
            db::consultations::set_published_at(conn, c.id, published.naive_utc()).expect("published");
            db::consultations::set_retention_days(conn, c.id, Some(30)).expect("retention");

            let early = retention::run(conn, Utc::now()).expect("runs");
            assert!(early.erased.is_empty(), "not yet");
            let late = retention::run(conn, Utc::now() + Duration::days(21)).expect("runs");
            assert_eq!(late.erased, vec![("cheltenham-2011".to_string(), 8)]);
            assert!(db::consultees::of_consultation(conn, c.id).expect("consultees").iter().all(|k| k.contact_email.is_none() && k.contact_name.is_none()));
            assert_eq!(db::issues::of_consultation(conn, c.id).expect("issues").len(), 24, "the analysis is intact");
            assert_eq!(db::consultees::of_consultation(conn, c.id).expect("consultees")[0].name, "Gloucestershire County Council");
            let log = db::audit::for_entity(conn, "consultation", c.id.0).expect("audit");
            assert!(log.iter().any(|e| e.action == "contact details erased" && e.actor == "retention"));
            assert!(retention::run(conn, Utc::now() + Duration::days(22)).expect("runs").erased.is_empty(), "running again erases nothing more");
        }
    }
}
