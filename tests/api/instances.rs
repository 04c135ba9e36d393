//! Two instances of the service on one PostgreSQL database, as behind a load
//! balancer: sessions, responses and the analysis job are shared, and an
//! analysis started on both runs once.

use diesel::prelude::*;
use sounding::db::schema::analysis_runs;
use sounding::domain::Role;

use crate::faults::{open_consultation, reference_of, response_fields};
use crate::helpers::{Browser, Kind, TestApp, fields};
use sounding::service::fixtures;

const ANALYSIS: &str = "/staff/consultations/cheltenham-2011/analysis";

#[actix_web::test]
async fn two_instances_share_sessions_responses_and_one_analysis_run() {
    let Some(app) = TestApp::spawn(Kind::Postgres).await else {
        return;
    };
    let question = open_consultation(&mut app.db.connect());
    fixtures::load(&mut app.db.connect(), "gloucestershire-2008").expect("fixture");
    let other = app.second_instance();

    // Signed in on the first instance, the officer is signed in on the second.
    let officer_a = app.signed_in("officer@example.gov.uk", Role::Officer).await;
    let officer_b = officer_a.moved_to(&other);
    let staff = officer_b.get("/staff").await;
    assert_eq!(staff.status, 200, "{:.300}", staff.body);

    // A response sent to the second instance shows on the first.
    let consultee = Browser::at(&other);
    let form = consultee
        .get("/consultations/cheltenham-2011/respond")
        .await;
    let text = "Sent to the second instance: the SLG should include business.";
    let token = form.input("csrf_token").expect("token");
    let sent = consultee
        .post(
            "/consultations/cheltenham-2011/respond",
            &response_fields(&token, question, text),
        )
        .await;
    assert_eq!(sent.status, 303, "{:.500}", sent.body);
    let reference = reference_of(sent.header("location").expect("location"));
    let inbox = officer_a
        .get("/staff/consultations/cheltenham-2011/inbox")
        .await;
    assert!(
        inbox.body.contains(&reference),
        "{reference} on the first instance"
    );

    // While one instance runs the analysis, starting it on either is refused.
    let _running = sounding::service::analysis::claim(
        &mut app.db.connect(),
        "cheltenham-2011",
        None,
        chrono::Utc::now(),
    )
    .expect("claimed");
    for officer in [&officer_a.moved_to(&app.address), &officer_b] {
        let form = officer.get(ANALYSIS).await;
        let page = officer
            .post(
                ANALYSIS,
                &fields(&[
                    ("csrf_token", &form.input("csrf_token").expect("token")),
                    ("mode", "full"),
                    ("themes", ""),
                ]),
            )
            .await;
        assert!(page.status < 500, "{}", page.status);
        let shown = officer.get(ANALYSIS).await;
        assert!(
            shown.body.contains("The analysis is running"),
            "{:.300}",
            shown.body
        );
    }
    let runs = || -> i64 {
        analysis_runs::table
            .count()
            .get_result(&mut app.db.connect())
            .expect("runs")
    };
    assert_eq!(runs(), 1, "started on two instances, run once");

    // Eight processes racing to claim the same analysis: one wins.
    let url = app.db.url.clone();
    let claims: Vec<bool> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                scope.spawn(move || {
                    let mut conn = url.connect().expect("connect");
                    sounding::service::analysis::claim(
                        &mut conn,
                        "gloucestershire-2008",
                        None,
                        chrono::Utc::now(),
                    )
                    .is_ok()
                })
            })
            .collect();
        racers
            .into_iter()
            .map(|r| r.join().expect("racer"))
            .collect()
    });
    assert_eq!(claims.iter().filter(|won| **won).count(), 1, "{claims:?}");
}
