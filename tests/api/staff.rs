//! Staff sign-in and the officers' consultation editor over real HTTP.

use sounding::db;
use sounding::domain::*;

use crate::app_test;
use crate::helpers::{TEST_PASSWORD, fields};

const NEW: &[(&str, &str)] = &[
    ("slug", "stroud-2026"),
    ("title", "Stroud partnership review"),
    ("description", "Which partnerships should Stroud keep?"),
    ("run_by", "Stroud Local Strategic Partnership"),
    ("group_name", "Stroud review group"),
    ("reference_prefix", "STR"),
    ("closes-day", "31"),
    ("closes-month", "3"),
    ("closes-year", "2030"),
];

app_test! {
    async fn signing_in_and_out_works_and_a_wrong_password_does_not(app) {
        app.add_user("officer@example.gov.uk", Role::Officer);
        let browser = app.browser();
        let anonymous = browser.get("/staff").await;
        assert_eq!(anonymous.status, 303);
        assert_eq!(anonymous.header("location"), Some("/sign-in?next=%2Fstaff"));

        let wrong = browser.submit("/sign-in", "/sign-in", &[("email", "officer@example.gov.uk"), ("password", "not the password"), ("next", "/staff")]).await;
        assert_eq!(wrong.status, 401);
        assert!(wrong.body.contains("Enter a correct email address and password"));
        assert!(wrong.body.contains("officer@example.gov.uk"), "the email is kept");

        let right = browser.submit("/sign-in", "/sign-in", &[("email", "Officer@Example.gov.uk"), ("password", TEST_PASSWORD), ("next", "/staff")]).await;
        assert_eq!(right.status, 303);
        let cookie = right.header("set-cookie").expect("session cookie");
        assert!(cookie.starts_with("__Host-sounding-session="));
        for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(flag), "{flag} in {cookie}");
        }
        assert_eq!(browser.get("/staff").await.status, 200);

        let out = browser.submit("/staff", "/sign-out", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(browser.get("/staff").await.status, 303, "the session ended");
    }

    async fn an_expired_session_asks_to_sign_in_again(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        assert_eq!(browser.get("/staff").await.status, 200);
        app.clock.set(chrono::Utc::now() + chrono::Duration::hours(9));
        assert_eq!(browser.get("/staff").await.status, 303);
    }

    async fn an_officer_creates_and_builds_a_consultation(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let created = browser.submit("/staff/consultations/new", "/staff/consultations", NEW).await;
        assert_eq!(created.status, 303, "{}", created.body);
        assert_eq!(created.header("location"), Some("/staff/consultations/stroud-2026?done=created"));
        assert_eq!(app.get("/consultations/stroud-2026").await.status, 404, "a draft is invisible to the public");

        let page = "/staff/consultations/stroud-2026";
        let s = browser.submit(page, "/staff/consultations/stroud-2026/sections", &[("heading", "Why change"), ("content", "Fewer meetings.")]).await;
        assert_eq!(s.status, 303);
        let q = browser.submit(page, "/staff/consultations/stroud-2026/questions", &[("prompt", "Do you agree?"), ("kind", "agree_scale"), ("required", "yes")]).await;
        assert_eq!(q.status, 303);
        for (name, short) in [("Stroud LSP", "LSP"), ("Stroud Community Safety Partnership", "")] {
            let b = browser.submit(page, "/staff/consultations/stroud-2026/bodies", &[("name", name), ("short_name", short), ("status", "proposed"), ("role", "Leads"), ("membership", "Partners"), ("meets", "Quarterly")]).await;
            assert_eq!(b.status, 303, "{}", b.body);
        }
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, "stroud-2026").expect("query").expect("created");
        let bodies = db::structure::bodies_of(&mut conn, c.id).expect("bodies");
        let link = browser.submit(page, "/staff/consultations/stroud-2026/links", &[("from_body_id", &bodies[1].id.to_string()), ("to_body_id", &bodies[0].id.to_string()), ("relation", "reports_to"), ("note", "")]).await;
        assert_eq!(link.status, 303);
        assert_eq!(db::structure::links_of(&mut conn, c.id).expect("links").len(), 1);
        let question = db::document::questions_of(&mut conn, c.id).expect("questions")[0].id;
        let reworded = browser.submit(page, &format!("/staff/consultations/stroud-2026/questions/{question}"), &[("prompt", "Do you agree with the proposed structure?")]).await;
        assert_eq!(reworded.status, 303);
        let after = db::document::questions_of(&mut conn, c.id).expect("questions");
        assert_eq!((after[0].prompt.as_str(), after[0].required, after[0].kind), ("Do you agree with the proposed structure?", false, QuestionKind::AgreeScale));

        let open = browser.submit(page, "/staff/consultations/stroud-2026/status", &[("to", "open")]).await;
        assert_eq!(open.status, 303);
        let public = app.get("/consultations/stroud-2026").await;
        assert_eq!(public.status, 200);
        assert!(public.body.contains("Stroud Community Safety Partnership reports to Stroud LSP"));
        assert!(public.body.contains("<svg"), "the structure is drawn");
        let history = db::audit::for_entity(&mut conn, "consultation", c.id.0).expect("audit");
        assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), vec!["consultation created", "status changed"]);
        assert_eq!(history[1].actor, "officer@example.gov.uk");
    }

    async fn an_officer_changes_details_and_clears_the_opening_date(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let mut with_opening: Vec<(&str, &str)> = NEW.to_vec();
        with_opening.extend([("opens-day", "1"), ("opens-month", "1"), ("opens-year", "2030")]);
        browser.submit("/staff/consultations/new", "/staff/consultations", &with_opening).await;
        let mut changed: Vec<(&str, &str)> = NEW.iter().copied().filter(|(n, _)| *n != "title").collect();
        changed.push(("title", "Stroud partnerships: a second look"));
        changed.push(("retention_days", "90"));
        let saved = browser.submit("/staff/consultations/stroud-2026", "/staff/consultations/stroud-2026", &changed).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, "stroud-2026").expect("query").expect("found");
        assert_eq!(c.title, "Stroud partnerships: a second look");
        assert_eq!(c.opens_at, None, "an emptied date is cleared");
        assert_eq!(c.retention_days, Some(90));
        assert!(db::audit::for_entity(&mut conn, "consultation", c.id.0).expect("audit").iter().any(|e| e.action == "consultation details changed"));
    }

    async fn every_missing_detail_is_reported_and_the_typed_text_kept(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = browser.submit("/staff/consultations/new", "/staff/consultations", &[("slug", "Not A Slug"), ("title", "My <title>"), ("closes-day", "31"), ("closes-month", "2"), ("closes-year", "2030"), ("retention_days", "forever")]).await;
        assert_eq!(page.status, 422);
        for message in ["Enter summary", "URL name must use only lower-case letters", "Closing date must be a real date", "Reference prefix must be 2 to 6 capital letters", "must be a whole number from 1 to 3650"] {
            assert!(page.body.contains(message), "missing {message}");
        }
        assert!(page.body.contains("My &lt;title&gt;"));
    }

    async fn a_consultation_cannot_open_without_a_closing_date_or_skip_a_step(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let undated: Vec<(&str, &str)> = NEW.iter().copied().filter(|(n, _)| !n.starts_with("closes")).collect();
        browser.submit("/staff/consultations/new", "/staff/consultations", &undated).await;
        let open = browser.submit("/staff/consultations/stroud-2026", "/staff/consultations/stroud-2026/status", &[("to", "open")]).await;
        assert_eq!(open.status, 422);
        assert!(open.body.contains("Set a closing date before opening the consultation"));
        let skip = browser.submit("/staff/consultations/stroud-2026", "/staff/consultations/stroud-2026/status", &[("to", "published")]).await;
        assert_eq!(skip.status, 409);
        assert!(skip.body.contains("one step at a time"));
    }

    async fn questions_of_an_open_consultation_with_responses_cannot_be_removed(app) {
        app.load_fixture("cheltenham-2011");
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        db::consultations::set_status(&mut conn, c.id, ConsultationStatus::Open, chrono::Utc::now().naive_utc()).expect("open");
        let question = db::document::questions_of(&mut conn, c.id).expect("questions")[0].id;
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = browser.submit("/staff/consultations/cheltenham-2011", &format!("/staff/consultations/cheltenham-2011/questions/{question}/delete"), &[("confirm", "yes")]).await;
        assert_eq!(page.status, 409);
        assert!(page.body.contains("removing it would lose their answers"));
        assert_eq!(db::document::questions_of(&mut conn, c.id).expect("questions").len(), 3);
    }

    async fn a_group_member_cannot_edit_consultations(app) {
        app.load_fixture("cheltenham-2011");
        let browser = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assert_eq!(browser.get("/staff").await.status, 200);
        assert_eq!(browser.get("/staff/consultations/cheltenham-2011").await.status, 403);
        assert_eq!(browser.get("/staff/consultations/new").await.status, 403);
        let forged = browser.submit("/staff", "/staff/consultations/cheltenham-2011/status", &[("to", "open")]).await;
        assert_eq!(forged.status, 403);
    }

    async fn a_staff_form_without_its_csrf_token_is_refused(app) {
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = browser.post("/staff/consultations", &fields(NEW)).await;
        assert_eq!(page.status, 403);
        let mut conn = app.db.connect();
        assert!(db::consultations::by_slug(&mut conn, "stroud-2026").expect("query").is_none());
    }
}
