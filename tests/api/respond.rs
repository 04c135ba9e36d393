//! The consultee's side over real HTTP: responding, checking, confirming,
//! changing, and every refusal keeping the typed text.

use chrono::{DateTime, NaiveDate, Utc};
use sounding::db;
use sounding::domain::*;

use crate::app_test;
use crate::helpers::{Browser, Kind, TestApp, TestDb, fields};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn ids_of(app: &TestApp) -> (i64, i64, i64) {
    let mut conn = app.db.connect();
    let c = db::consultations::by_slug(&mut conn, "cheltenham-2011")
        .expect("query")
        .expect("found");
    let slg = db::structure::bodies_of(&mut conn, c.id)
        .expect("bodies")
        .into_iter()
        .find(|b| b.short_name.as_deref() == Some("SLG"))
        .expect("SLG")
        .id
        .0;
    let section = db::document::sections_of(&mut conn, c.id).expect("sections")[3]
        .id
        .0;
    let question = db::document::questions_of(&mut conn, c.id)
        .expect("questions")
        .into_iter()
        .find(|q| q.required)
        .expect("required question")
        .id
        .0;
    (slg, section, question)
}

/// A complete joint response with two tagged points.
fn joint_response(app: &TestApp) -> Vec<(String, String)> {
    let (slg, section, question) = ids_of(app);
    fields(&[
        ("name", "Jo Bloggs"),
        ("email", "jo@example.org"),
        ("on_behalf", "yes"),
        (
            "organisation",
            "St Philip and St. James Residents Association",
        ),
        ("organisation_kind", "residents_association"),
        ("joint-1-name", "Stronger Communities Partnership"),
        ("joint-1-kind", "partnership"),
        (
            &format!("answer-{question}"),
            "We broadly support the structure.",
        ),
        (
            "point-1-text",
            "The SLG should include the police authority.",
        ),
        ("point-1-body", &slg.to_string()),
        ("point-1-section", &section.to_string()),
        (
            "point-2-text",
            "Will the Positive Participation Partnership meet often enough?",
        ),
        ("publication", "with_names"),
    ])
}

/// Goes through form → check → submit; returns the confirmation page's path.
async fn respond(browser: &Browser<'_>, answers: &[(String, String)]) -> String {
    let form = browser.get("/consultations/cheltenham-2011/respond").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let mut fields = answers.to_vec();
    fields.push((
        "csrf_token".into(),
        form.input("csrf_token").expect("token"),
    ));
    fields.push(("action".into(), "check".into()));
    let check = browser
        .post("/consultations/cheltenham-2011/respond", &fields)
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(
        check
            .body
            .contains("Check your answers before sending your response")
    );
    // A point's sections and bodies are rows of their own, not one list.
    let has = |name: &str| answers.iter().any(|(n, _)| n == name);
    if has("point-1-section") {
        assert!(
            check
                .body
                .contains("<dt>Point 1: sections of the document</dt>"),
            "{}",
            check.body
        );
    }
    if has("point-1-body") {
        assert!(
            check
                .body
                .contains("<dt>Point 1: bodies in the proposed structure</dt>"),
            "{}",
            check.body
        );
    }
    assert!(!check.body.contains("About: "));
    let mut send: Vec<(String, String)> = answers.to_vec();
    send.push((
        "csrf_token".into(),
        check.input("csrf_token").expect("token"),
    ));
    send.push(("action".into(), "submit".into()));
    let done = browser
        .post("/consultations/cheltenham-2011/respond", &send)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    done.header("location").expect("redirect").to_string()
}

app_test! {
    async fn a_joint_response_with_two_tagged_points_gets_a_reference(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let confirmation = respond(&browser, &joint_response(&app)).await;
        let page = browser.get(&confirmation).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Response received"));
        assert!(page.body.contains("CHL-0010"), "the fixture holds 9 responses");

        let mut conn = app.db.connect();
        let response = db::responses::by_reference(&mut conn, "CHL-0010").expect("query").expect("stored");
        assert_eq!((response.channel, response.publication, response.status), (Channel::Online, Publication::WithNames, ResponseStatus::Received));
        let who: Vec<String> = db::responses::consultees_of(&mut conn, response.id).expect("consultees").into_iter().map(|c| c.name).collect();
        assert_eq!(who, vec!["St Philip and St. James Residents Association", "Stronger Communities Partnership"]);
        let issues = db::issues::of_response(&mut conn, response.id).expect("issues");
        assert_eq!(issues.len(), 2);
        assert_eq!((issues[0].kind, issues[1].kind), (IssueKind::Suggestion, IssueKind::Question));
        let (sections, bodies) = db::issues::structure_tags_of(&mut conn, issues[0].id).expect("tags");
        assert_eq!((sections.len(), bodies.len()), (1, 1));
        assert_eq!(db::responses::answers_of(&mut conn, response.id).expect("answers").len(), 1);
    }

    async fn adding_a_point_or_an_organisation_comes_back_at_the_new_field(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let form = browser.get("/consultations/cheltenham-2011/respond").await;
        // The form's own URL with the new field's anchor: the browser lands there, no JavaScript.
        assert!(form.body.contains(r#"value="add-point" formaction="/consultations/cheltenham-2011/respond#point-2-text""#), "{}", form.body);
        assert!(form.body.contains(r#"value="add-organisation" formaction="/consultations/cheltenham-2011/respond#joint-1-name""#));
        let mut send = joint_response(&app);
        send.push(("csrf_token".into(), form.input("csrf_token").expect("token")));
        send.push(("action".into(), "add-point".into()));
        let added = browser.post("/consultations/cheltenham-2011/respond", &send).await;
        assert_eq!(added.status, 200);
        assert!(added.body.contains(r#"id="point-3-text""#), "the anchor's field exists");
        assert!(added.body.contains("#point-4-text"), "and the next Add goes one further");
    }

    async fn a_single_response_from_a_member_of_the_public_is_stored(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let (_, _, question) = ids_of(&app);
        let browser = app.browser();
        let answers = fields(&[("name", "Sam Resident"), ("on_behalf", "no"), (&format!("answer-{question}"), "Fine."), ("point-1-text", "Fewer meetings is good."), ("publication", "anonymous")]);
        respond(&browser, &answers).await;
        let mut conn = app.db.connect();
        let response = db::responses::by_reference(&mut conn, "CHL-0010").expect("query").expect("stored");
        let who = db::responses::consultees_of(&mut conn, response.id).expect("consultees");
        assert_eq!((who[0].name.as_str(), who[0].kind), ("Sam Resident", ConsulteeKind::Individual));
        assert_eq!(response.publication, Publication::Anonymous);
    }

    async fn every_missing_field_is_reported_and_the_typed_text_kept(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let form = browser.get("/consultations/cheltenham-2011/respond").await;
        let typed = "My carefully written point about <b>transport</b> & budgets";
        let page = browser.post("/consultations/cheltenham-2011/respond", &fields(&[
            ("csrf_token", &form.input("csrf_token").expect("token")), ("action", "check"), ("point-1-text", typed),
        ])).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("There is a problem"));
        for message in ["Enter your name", "Select yes if you are responding on behalf of an organisation or committee", "Enter your answer to question 2", "Select whether we may publish your response"] {
            assert!(page.body.contains(message), "missing “{message}”");
        }
        assert!(page.body.contains("href=\"#name\""), "the summary links to the field");
        assert!(page.body.contains("My carefully written point about &lt;b&gt;transport&lt;/b&gt; &amp; budgets"), "typed text kept, escaped");
        assert!(!page.body.contains("<b>transport</b>"));
    }

    async fn a_forged_post_without_the_browser_token_is_refused(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        browser.get("/consultations/cheltenham-2011/respond").await;
        let mut forged = joint_response(&app);
        forged.push(("csrf_token".into(), "forged.1.abc".into()));
        forged.push(("action".into(), "submit".into()));
        let page = browser.post("/consultations/cheltenham-2011/respond", &forged).await;
        assert_eq!(page.status, 403);
        assert!(page.body.contains("The SLG should include the police authority."), "typed text kept");
        let other = app.browser();
        let cookieless = other.post("/consultations/cheltenham-2011/respond", &forged).await;
        assert_eq!(cookieless.status, 403);
        let mut conn = app.db.connect();
        assert!(db::responses::by_reference(&mut conn, "CHL-0010").expect("query").is_none());
    }

    async fn sending_the_same_form_twice_creates_one_response(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let form = browser.get("/consultations/cheltenham-2011/respond").await;
        let mut send = joint_response(&app);
        send.push(("csrf_token".into(), form.input("csrf_token").expect("token")));
        send.push(("action".into(), "submit".into()));
        let first = browser.post("/consultations/cheltenham-2011/respond", &send).await;
        let second = browser.post("/consultations/cheltenham-2011/respond", &send).await;
        assert_eq!((first.status, second.status), (303, 303));
        assert_eq!(first.header("location"), second.header("location"));
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        assert_eq!(db::responses::of_consultation(&mut conn, c.id).expect("responses").len(), 10);
    }

    async fn the_honeypot_holds_a_response_for_review_instead_of_dropping_it(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let mut answers = joint_response(&app);
        answers.push(("website".into(), "http://spam.example".into()));
        let browser = app.browser();
        let confirmation = respond(&browser, &answers).await;
        assert!(confirmation.contains("CHL-0010"));
        let mut conn = app.db.connect();
        let response = db::responses::by_reference(&mut conn, "CHL-0010").expect("query").expect("stored");
        assert_eq!(response.status, ResponseStatus::Held);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let editor = officer.get("/staff/consultations/cheltenham-2011").await;
        assert!(editor.body.contains("Held for review") && editor.body.contains("CHL-0010"), "an officer sees it");
        let accepted = officer.submit("/staff/consultations/cheltenham-2011", "/staff/consultations/cheltenham-2011/responses/CHL-0010/review", &[("decision", "accept")]).await;
        assert_eq!(accepted.status, 303);
        let response = db::responses::by_reference(&mut conn, "CHL-0010").expect("query").expect("stored");
        assert_eq!(response.status, ResponseStatus::Received);
        assert!(db::audit::for_entity(&mut conn, "response", response.id.0).expect("audit").iter().any(|e| e.action == "held response accepted"));
    }

    async fn a_response_is_changed_through_its_private_link_and_the_old_text_kept(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let confirmation = respond(&browser, &joint_response(&app)).await;
        let done = browser.get(&confirmation).await;
        let private = done.body.split("href=\"").filter_map(|s| s.split('"').next()).map(crate::helpers::html_unescape)
            .find(|link| link.starts_with("/consultations/cheltenham-2011/responses/CHL-0010?key=")).expect("private link");
        let view = browser.get(&private).await;
        assert_eq!(view.status, 200);
        assert!(view.body.contains("The SLG should include the police authority."));
        // The answers to the questions are shown too, under their prompts.
        assert!(view.body.contains("Your answers") && view.body.contains("We broadly support the structure."), "{}", view.body);
        let change_link = private.replace("CHL-0010?key=", "CHL-0010/change?key=");
        let form = browser.get(&change_link).await;
        assert_eq!(form.status, 200);
        let mut changed = joint_response(&app);
        changed.retain(|(n, _)| n != "point-1-text");
        changed.push(("point-1-text".into(), "The SLG must include the police authority and probation.".into()));
        changed.push(("csrf_token".into(), form.input("csrf_token").expect("token")));
        changed.push(("key".into(), form.input("key").expect("key")));
        changed.push(("version".into(), form.input("version").expect("version")));
        changed.push(("action".into(), "submit".into()));
        let saved = browser.post("/consultations/cheltenham-2011/responses/CHL-0010", &changed).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let after = browser.get(saved.header("location").expect("location")).await;
        assert!(after.body.contains("Your changes have been saved"));
        assert!(after.body.contains("The SLG must include the police authority and probation."));
        let mut conn = app.db.connect();
        let response = db::responses::by_reference(&mut conn, "CHL-0010").expect("query").expect("stored");
        assert_eq!(response.version, 2);
        let history = db::revisions::of_response(&mut conn, response.id).expect("history");
        assert_eq!(history.len(), 1);
        assert!(history[0].snapshot.contains("The SLG should include the police authority."));
        // A wrong key finds nothing.
        assert_eq!(browser.get("/consultations/cheltenham-2011/responses/CHL-0010?key=guess").await.status, 404);
    }

    async fn a_draft_takes_no_responses(app) {
        app.load_fixture("cheltenham-2011");
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        db::consultations::set_status(&mut conn, c.id, ConsultationStatus::Draft, Utc::now().naive_utc()).expect("draft");
        assert_eq!(app.get("/consultations/cheltenham-2011/respond").await.status, 404);
    }

    async fn responses_are_refused_after_closing_in_bst_with_the_text_shown_back(app) {
        app.open_cheltenham(date(2011, 9, 2));
        // 23:59:59 on Friday 2 September 2011 in London is 22:59:59 UTC (BST).
        app.clock.set(at("2011-09-02T22:59:59Z"));
        let browser = app.browser();
        respond(&browser, &joint_response(&app)).await;
        let form_after = { app.clock.set(at("2011-09-02T22:59:58Z")); browser.get("/consultations/cheltenham-2011/respond").await };
        app.clock.set(at("2011-09-02T23:00:00Z"));
        let mut late = joint_response(&app);
        late.push(("csrf_token".into(), form_after.input("csrf_token").expect("token")));
        late.push(("action".into(), "submit".into()));
        let refused = browser.post("/consultations/cheltenham-2011/respond", &late).await;
        assert_eq!(refused.status, 410);
        assert!(refused.body.contains("This consultation closed on 2 September 2011 at 11:59pm"), "{}", refused.body);
        assert!(refused.body.contains("The SLG should include the police authority."), "typed text shown back");
        let closed_form = browser.get("/consultations/cheltenham-2011/respond").await;
        assert_eq!(closed_form.status, 410);
        assert!(closed_form.body.contains("This consultation closed on"));
    }

    async fn responses_are_refused_after_closing_in_gmt(app) {
        let id = app.open_cheltenham(date(2011, 12, 2));
        app.set_closing(id, time::end_of_london_day(date(2011, 12, 2)));
        app.clock.set(at("2011-12-02T23:59:59Z"));
        let browser = app.browser();
        respond(&browser, &joint_response(&app)).await;
        app.clock.set(at("2011-12-03T00:00:00Z"));
        let page = browser.get("/consultations/cheltenham-2011/respond").await;
        assert_eq!(page.status, 410);
        assert!(page.body.contains("This consultation closed on 2 December 2011 at 11:59pm"));
    }
}

#[actix_web::test]
async fn too_many_posts_from_one_address_get_a_429_that_keeps_the_text() {
    let db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let settings = sounding::web::WebSettings {
        posts_per_minute: 2,
        ..Default::default()
    };
    let app = TestApp::spawn_with(db, settings);
    app.open_cheltenham(date(2030, 9, 2));
    let browser = app.browser();
    let form = browser.get("/consultations/cheltenham-2011/respond").await;
    let mut send = joint_response(&app);
    send.push((
        "csrf_token".into(),
        form.input("csrf_token").expect("token"),
    ));
    send.push(("action".into(), "add-point".into()));
    for _ in 0..2 {
        assert_eq!(
            browser
                .post("/consultations/cheltenham-2011/respond", &send)
                .await
                .status,
            200
        );
    }
    let limited = browser
        .post("/consultations/cheltenham-2011/respond", &send)
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert!(
        limited
            .body
            .contains("The SLG should include the police authority.")
    );
}

#[actix_web::test]
async fn an_oversized_form_is_refused_clearly() {
    let app = TestApp::spawn(Kind::Sqlite).await.expect("sqlite");
    app.open_cheltenham(date(2030, 9, 2));
    let body = format!("point-1-text={}", "a".repeat(3 * 1024 * 1024)).into_bytes();
    let page = app
        .browser()
        .post_raw(
            "/consultations/cheltenham-2011/respond",
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
    assert_eq!(page.status, 413);
    let wrong_type = app
        .browser()
        .post_raw(
            "/consultations/cheltenham-2011/respond",
            "application/json",
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(wrong_type.status, 415);
}

app_test! {
    async fn a_consultee_saves_unfinished_answers_and_comes_back_by_a_private_link(app) {
        app.open_cheltenham(date(2030, 9, 2));
        let browser = app.browser();
        let form = browser.get("/consultations/cheltenham-2011/respond").await;
        assert!(form.body.contains(r#"value="save">Save and come back later"#));
        let saved = browser.post("/consultations/cheltenham-2011/respond", &fields(&[
            ("name", "Ann Resident"),
            ("email", "ann@example.org"),
            ("on_behalf", "no"),
            ("point-1-text", "Half a thought about the SLG"),
            ("action", "save"),
            ("csrf_token", &form.input("csrf_token").expect("token")),
        ])).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(saved.body.contains("Your answers are saved"));
        assert!(saved.body.contains("2 September 2030"), "until the closing time");
        assert!(saved.body.contains("we cannot send it to you"), "no SMTP relay in this test");
        let page = saved.body.replace("&#x3D;", "=");
        let link = page.split('"').find(|s| s.contains("/respond?resume=")).expect("private link").to_string();
        let path = link.trim_start_matches(&app.address).to_string();
        assert!(!path.starts_with("http"), "{path}");

        // Another browser, days later: the answers come back.
        let later = app.browser();
        let back = later.get(&path).await;
        assert_eq!(back.status, 200);
        assert!(back.body.contains("Welcome back"));
        assert!(back.body.contains("Half a thought about the SLG"));
        let key = back.input("resume").expect("the key rides along");
        let required = app.required_question();
        let mut send = fields(&[
            ("name", "Ann Resident"),
            ("email", "ann@example.org"),
            ("on_behalf", "no"),
            ("point-1-text", "The SLG should include the Leader of the Council."),
            ("publication", "anonymous"),
            ("resume", &key),
            ("action", "submit"),
            ("csrf_token", &back.input("csrf_token").expect("token")),
        ]);
        send.push((format!("answer-{required}"), "Yes".into()));
        let sent = later.post("/consultations/cheltenham-2011/respond", &send).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        // Sent: the saved copy is gone.
        let gone = later.get(&path).await;
        assert!(gone.body.contains("We could not find those saved answers"), "{}", gone.body);
        assert!(!gone.body.contains("Half a thought"));
        let wrong = later.get("/consultations/cheltenham-2011/respond?resume=not-a-key").await;
        assert!(wrong.body.contains("We could not find those saved answers"));
    }
}
