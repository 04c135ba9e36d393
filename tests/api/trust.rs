//! What is published and who sees it: one regression test per finding of
//! the attack-and-misuse probe (issue 16), each over real HTTP.

use std::io::Read;

use serde_json::json;
use sounding::db;
use sounding::domain::*;

use crate::api::{call, json_of, submission, token_for};
use crate::app_test;
use crate::helpers::{Browser, Page, TestApp, fields};

const SLUG: &str = "cheltenham-2011";

fn far_future() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date")
}

/// The Cheltenham consultation in `status` (the fixture is published).
fn cheltenham_in(app: &TestApp, status: ConsultationStatus) -> ConsultationId {
    app.load_fixture(SLUG);
    let mut conn = app.db.connect();
    let c = db::consultations::by_slug(&mut conn, SLUG)
        .expect("query")
        .expect("found");
    db::consultations::set_status(&mut conn, c.id, status, chrono::Utc::now().naive_utc())
        .expect("status");
    c.id
}

/// Every text of an .xlsx file's XML parts, joined.
fn xlsx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("part");
        let mut text = String::new();
        let _ = part.read_to_string(&mut text);
        all.push_str(&text);
    }
    all
}

/// A response from the form, as a consultee sends it; its reference.
async fn respond_with(
    browser: &Browser<'_>,
    app: &TestApp,
    points: &[&str],
    publication: &str,
) -> String {
    let question = app.required_question();
    let form = browser.get(&format!("/consultations/{SLUG}/respond")).await;
    let mut sent = fields(&[
        ("csrf_token", &form.input("csrf_token").expect("token")),
        ("name", "Jo Bloggs"),
        ("on_behalf", "no"),
        (&format!("answer-{question}"), "Broadly yes."),
        ("publication", publication),
        ("action", "submit"),
    ]);
    for (n, text) in points.iter().enumerate() {
        sent.push((format!("point-{}-text", n + 1), text.to_string()));
    }
    let done = browser
        .post(&format!("/consultations/{SLUG}/respond"), &sent)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.header("location").expect("location").to_string();
    location.split('/').nth(4).expect("reference").to_string()
}

app_test! {
    async fn an_unassigned_group_member_reads_no_unpublished_table(app) {
        let outsider = app.signed_in("outsider@example.gov.uk", Role::GroupMember).await;
        for status in [ConsultationStatus::Draft, ConsultationStatus::Open, ConsultationStatus::Closed] {
            cheltenham_in(&app, status);
            for path in ["summary", "summary.csv", "summary.xlsx"] {
                let page = outsider.get(&format!("/consultations/{SLUG}/{path}")).await;
                assert_eq!(page.status, 404, "{status:?} {path}");
                assert!(!page.body.contains("GCC fully supports"));
            }
        }
        // Published: what the public sees, not what staff see.
        cheltenham_in(&app, ConsultationStatus::Published);
        {
            use diesel::prelude::*;
            use db::schema::responses;
            diesel::update(responses::table.filter(responses::reference.eq("CHL-0009")))
                .set(responses::publication.eq(Publication::NotPublished))
                .execute(&mut app.db.connect())
                .expect("not published");
        }
        let table = outsider.get(&format!("/consultations/{SLUG}/summary")).await;
        assert_eq!(table.status, 200);
        assert!(!table.body.contains("Critical that partnerships are clear"), "a response not for publication is not shown");
        assert!(table.body.contains("from responses whose consultees asked not to be published are not shown"));
    }

    async fn a_redaction_reaches_every_public_page_export_and_api_answer(app) {
        app.open_cheltenham(far_future());
        let reference = respond_with(&app.browser(), &app, &[
            "Please ask Jonathan Smethwick at 12 Pittville Crescent about the police on the SLG.",
            "The SLG needs the police authority at the table.",
        ], "with_names").await;
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let closed = officer.submit(&format!("/staff/consultations/{SLUG}"), &format!("/staff/consultations/{SLUG}/status"), &[("to", "closed")]).await;
        assert_eq!(closed.status, 303, "{}", closed.body);
        // Themes first, so their labels could carry the name.
        sounding::service::analysis::run(&mut app.db.connect(), SLUG, sounding::service::analysis::Mode::Full, &Default::default(), None, chrono::Utc::now(), &|_| {}).expect("analysis");
        let url = format!("/staff/consultations/{SLUG}/inbox/{reference}");
        let redacted = "Please ask [redacted] about the police on the SLG.\n\nThe SLG needs the police authority at the table.";
        let saved = officer.submit(&url, &format!("{url}/redact"), &[("redacted", redacted), ("reason", "Names a private person")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let published = officer.submit(&format!("/staff/consultations/{SLUG}/publish"), &format!("/staff/consultations/{SLUG}/publish"), &[("reason", "The committee meets tomorrow")]).await;
        assert_eq!(published.status, 303, "{}", published.body);

        let secret = ["Smethwick", "Jonathan", "Pittville", "12 Pittville Crescent"];
        let mut public: Vec<(String, String)> = Vec::new();
        for order in ["received", "theme", "section", "body", "consultee"] {
            for path in ["summary", "summary.csv"] {
                let url = format!("/consultations/{SLUG}/{path}?order={order}");
                let page = app.get(&url).await;
                assert_eq!(page.status, 200, "{url}");
                public.push((url, page.body));
            }
            let xlsx = app.client.get(format!("{}/consultations/{SLUG}/summary.xlsx?order={order}", app.address)).send().await.expect("xlsx").body().limit(50_000_000).await.expect("bytes");
            public.push((format!("xlsx {order}"), xlsx_text(&xlsx)));
        }
        for url in [format!("/consultations/{SLUG}/responses"), format!("/consultations/{SLUG}"), "/".to_string(), format!("/api/v1/consultations/{SLUG}"), "/api/v1/consultations".to_string()] {
            let page = app.get(&url).await;
            public.push((url, page.body));
        }
        let responses = app.get(&format!("/consultations/{SLUG}/responses?page=2")).await;
        public.push(("responses page 2".into(), responses.body));
        for (url, body) in &public {
            for word in secret {
                assert!(!body.contains(word), "{word} in {url}");
            }
        }
        assert!(public.iter().any(|(_, body)| body.contains("Please ask [redacted] about the police on the SLG.")), "the redacted wording is what is public");
        // Staff keep the original.
        let staff = officer.get(&format!("/consultations/{SLUG}/summary")).await;
        assert!(staff.body.contains("Jonathan Smethwick at 12 Pittville Crescent"));
    }

    async fn one_api_call_cannot_store_more_than_the_form_allows(app) {
        let (question, slg) = {
            app.open_cheltenham(far_future());
            let mut conn = app.db.connect();
            let c = db::consultations::by_slug(&mut conn, SLUG).expect("query").expect("found");
            (app.required_question(), db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0].id.0)
        };
        let endpoint = format!("/api/v1/consultations/{SLUG}/responses");
        let mut huge = submission(question, slg);
        huge["points"] = json!(vec![json!({ "text": "a" }); 150_000]);
        let started = std::time::Instant::now();
        let refused = call(&app, "POST", &endpoint, None, Some(huge), &[]).await;
        assert_eq!(refused.status, 422, "{}", &refused.body[..refused.body.len().min(300)]);
        assert!(json_of(&refused)["errors"][0]["message"].as_str().unwrap_or("").contains("up to 50 separate points"));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let mut fifty = submission(question, slg);
        fifty["points"] = json!((1..=50).map(|n| json!({ "text": format!("Point {n}") })).collect::<Vec<_>>());
        assert_eq!(call(&app, "POST", &endpoint, None, Some(fifty), &[]).await.status, 201);
        let mut long = submission(question, slg);
        long["points"] = json!((1..=6).map(|_| json!({ "text": "x".repeat(10_000) })).collect::<Vec<_>>());
        let too_long = call(&app, "POST", &endpoint, None, Some(long), &[]).await;
        assert_eq!(too_long.status, 422);
        assert!(too_long.body.contains("can be up to 50,000 characters"));
        // A question with 100,000 choices is refused.
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let choices = (0..100_000).map(|n| format!("c{n}")).collect::<Vec<_>>().join("\n");
        let question = call(&app, "POST", &format!("/api/v1/consultations/{SLUG}/questions"), Some(&token), Some(json!({ "prompt": "Which?", "kind": "single_choice", "choices": choices })), &[]).await;
        assert_eq!(question.status, 422, "{}", question.body);
        assert_eq!(json_of(&question)["errors"][0]["field"], "choices");
        // Fifty-one short choices: the count is what is refused.
        let many = (0..51).map(|n| format!("c{n}")).collect::<Vec<_>>().join("\n");
        let counted = call(&app, "POST", &format!("/api/v1/consultations/{SLUG}/questions"), Some(&token), Some(json!({ "prompt": "Which?", "kind": "single_choice", "choices": many })), &[]).await;
        assert!(counted.body.contains("50 choices or fewer"), "{}", counted.body);
    }

    async fn a_crafted_form_with_too_many_points_is_refused_and_keeps_its_text(app) {
        app.open_cheltenham(far_future());
        let browser = app.browser();
        let question = app.required_question();
        let form = browser.get(&format!("/consultations/{SLUG}/respond")).await;
        let mut sent = fields(&[
            ("csrf_token", &form.input("csrf_token").expect("token")),
            ("name", "Jo Bloggs"), ("on_behalf", "no"), (&format!("answer-{question}"), "Yes."),
            ("publication", "with_names"), ("action", "submit"),
        ]);
        for n in 1..=60 {
            sent.push((format!("point-{n}-text"), format!("Crafted point number {n}")));
        }
        let refused = browser.post(&format!("/consultations/{SLUG}/respond"), &sent).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("You can make up to 50 separate points in one response; this one has 60"));
        assert!(refused.body.contains("Crafted point number 60"), "nothing typed is dropped");
        let mut conn = app.db.connect();
        assert!(db::responses::by_reference(&mut conn, "CHL-0010").expect("query").is_none());
        // Thirty points are within the limit: every one is stored.
        let thirty: Vec<String> = (1..=30).map(|n| format!("Point {n}")).collect();
        let texts: Vec<&str> = thirty.iter().map(String::as_str).collect();
        let reference = respond_with(&browser, &app, &texts, "with_names").await;
        let response = db::responses::by_reference(&mut conn, &reference).expect("query").expect("stored");
        assert_eq!(db::issues::of_response(&mut conn, response.id).expect("issues").len(), 30);
    }

    async fn an_idempotency_key_is_scoped_and_bound_to_its_body(app) {
        app.open_cheltenham(far_future());
        let question = app.required_question();
        let slg = {
            let mut conn = app.db.connect();
            let c = db::consultations::by_slug(&mut conn, SLUG).expect("query").expect("found");
            db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0].id.0
        };
        let endpoint = format!("/api/v1/consultations/{SLUG}/responses");
        let key = [("Idempotency-Key", "shared-key")];
        let first = call(&app, "POST", &endpoint, None, Some(submission(question, slg)), &key).await;
        assert_eq!(first.status, 201);
        let again = call(&app, "POST", &endpoint, None, Some(submission(question, slg)), &key).await;
        assert_eq!((again.status, json_of(&again)["reference"].clone()), (200, json_of(&first)["reference"].clone()));
        let mut other = submission(question, slg);
        other["name"] = json!("Somebody Else");
        other["email"] = json!("else@example.org");
        let reused = call(&app, "POST", &endpoint, None, Some(other), &key).await;
        assert_eq!(reused.status, 422, "{}", reused.body);
        assert!(!reused.body.contains("private_link") && !reused.body.contains(json_of(&first)["reference"].as_str().unwrap_or("?")));
        // The same key on another consultation is another key.
        app.load_fixture("gloucestershire-2008");
        let mut conn = app.db.connect();
        sounding::service::fixtures::open_for_trial(&mut conn, "gloucestershire-2008", far_future(), chrono::Utc::now().naive_utc()).expect("open");
        let c = db::consultations::by_slug(&mut conn, "gloucestershire-2008").expect("query").expect("found");
        let required: Vec<_> = db::document::questions_of(&mut conn, c.id).expect("questions").into_iter().filter(|q| q.required).collect();
        let mut elsewhere = json!({ "name": "Jo Bloggs", "points": [{ "text": "A point." }], "publication": "anonymous" });
        for q in required {
            elsewhere["answers"][q.id.0.to_string()] = json!(q.choice_list().first().cloned().unwrap_or_else(|| "Yes".into()));
        }
        let there = call(&app, "POST", "/api/v1/consultations/gloucestershire-2008/responses", None, Some(elsewhere), &key).await;
        assert_eq!(there.status, 201, "{}", there.body);
        assert_ne!(json_of(&there)["reference"], json_of(&first)["reference"]);
    }

    async fn sign_in_never_redirects_off_the_site(app) {
        app.add_user("officer@example.gov.uk", Role::Officer);
        for next in ["/\t/evil.example/phish", "//evil.example", "/\\evil.example", "/%0a/evil", "https://evil.example"] {
            let browser = app.browser();
            let form = browser.get(&format!("/sign-in?next={}", percent(next))).await;
            let page = browser.post("/sign-in", &fields(&[
                ("csrf_token", &form.input("csrf_token").expect("token")),
                ("email", "officer@example.gov.uk"), ("password", crate::helpers::TEST_PASSWORD), ("next", next),
            ])).await;
            assert_eq!(page.status, 303);
            let location = page.header("location").unwrap_or("");
            assert!(location == "/staff" || location == "/%0a/evil", "{next:?} went to {location:?}");
        }
    }

    async fn duplicate_section_or_body_ids_are_tagged_once(app) {
        app.open_cheltenham(far_future());
        let question = app.required_question();
        let (section, body) = {
            let mut conn = app.db.connect();
            let c = db::consultations::by_slug(&mut conn, SLUG).expect("query").expect("found");
            (db::document::sections_of(&mut conn, c.id).expect("sections")[0].id.0, db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0].id.0)
        };
        let body_json = json!({
            "name": "Jo Bloggs", "answers": { question.to_string(): "Yes." }, "publication": "anonymous",
            "points": [{ "text": "About the SLG.", "section_ids": [section, section], "body_ids": [body, body] }],
        });
        let page = call(&app, "POST", &format!("/api/v1/consultations/{SLUG}/responses"), None, Some(body_json), &[]).await;
        assert_eq!(page.status, 201, "{}", page.body);
    }

    async fn an_unassigned_member_cannot_tell_a_draft_from_a_missing_consultation(app) {
        cheltenham_in(&app, ConsultationStatus::Draft);
        let outsider = app.signed_in("outsider@example.gov.uk", Role::GroupMember).await;
        let draft = outsider.get(&format!("/staff/consultations/{SLUG}/inbox")).await;
        let missing = outsider.get("/staff/consultations/no-such-thing/inbox").await;
        assert_eq!(draft.status, missing.status);
        assert_eq!(draft.body, missing.body);
        assert!(!draft.body.contains("Improving partnership structures"));
    }

    async fn a_notice_never_carries_words_from_the_url(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = officer.get(&format!("/staff/consultations/{SLUG}?done=Your-session-expired.-Re-enter-your-password-at-https://evil.example")).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("evil.example") && !page.body.contains("session expired"));
        assert!(officer.get(&format!("/staff/consultations/{SLUG}?done=section-added")).await.body.contains("Saved: section added."));
    }

    async fn private_pages_are_not_kept_by_caches(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        for path in ["/staff", "/sign-in", &format!("/staff/consultations/{SLUG}/workspace")] {
            assert_eq!(officer.get(path).await.header("cache-control"), Some("no-store"), "{path}");
        }
        let page = officer.get(&format!("/staff/consultations/{SLUG}")).await;
        let export = officer.post(&format!("/staff/consultations/{SLUG}/summary-with-contacts.csv"), &fields(&[("csrf_token", &page.input("csrf_token").expect("token"))])).await;
        assert_eq!(export.status, 200);
        assert_eq!(export.header("cache-control"), Some("no-store"));
        assert!(export.header("content-disposition").unwrap_or("").contains("cheltenham-2011-summary-with-contact-details.csv"));
        let private = app.get(&format!("/consultations/{SLUG}/responses/CHL-0001?key=x")).await;
        assert_eq!(private.header("cache-control"), Some("no-store"));
        assert_ne!(app.get("/").await.header("cache-control"), Some("no-store"), "public pages may be cached");
    }

    async fn a_file_with_a_hundred_thousand_columns_is_refused_at_once(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = officer.get(&format!("/staff/consultations/{SLUG}/responses/import")).await;
        let wide = (0..100_000).map(|n| format!("c{n}")).collect::<Vec<_>>().join(",");
        let (content_type, body) = crate::import::multipart(&page.input("csrf_token").expect("token"), "wide.csv", wide.as_bytes());
        let started = std::time::Instant::now();
        let refused = officer.post_raw(&format!("/staff/consultations/{SLUG}/responses/import"), &content_type, body).await;
        assert_eq!(refused.status, 422, "{}", &refused.body[..refused.body.len().min(500)]);
        assert!(refused.body.contains("more than 200 columns"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    async fn names_and_titles_with_direction_overrides_are_refused(app) {
        app.open_cheltenham(far_future());
        let browser = app.browser();
        let question = app.required_question();
        let form = browser.get(&format!("/consultations/{SLUG}/respond")).await;
        let page = browser.post(&format!("/consultations/{SLUG}/respond"), &fields(&[
            ("csrf_token", &form.input("csrf_token").expect("token")),
            ("name", "Jo \u{202E}sggolB"), ("on_behalf", "yes"), ("organisation", "Glos \u{202E}ecilop"), ("organisation_kind", "police"),
            (&format!("answer-{question}"), "Yes."), ("point-1-text", "A point."), ("publication", "with_names"), ("action", "check"),
        ])).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Your name must not contain hidden characters that change the direction of text"));
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let created = call(&app, "POST", "/api/v1/consultations", Some(&token), Some(json!({ "slug": "bidi", "title": "Budget \u{202E}2026", "summary": "S", "run_by": "R", "group_name": "G", "reference_prefix": "BID" })), &[]).await;
        assert_eq!(created.status, 422);
        assert_eq!(json_of(&created)["errors"][0]["field"], "title");
    }

    async fn the_contact_details_export_cannot_be_mistaken_for_the_public_file(app) {
        app.load_fixture(SLUG);
        let public = app.get(&format!("/consultations/{SLUG}/summary.csv")).await;
        assert!(public.header("content-disposition").unwrap_or("").contains("\"cheltenham-2011-summary.csv\""));
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = officer.get(&format!("/staff/consultations/{SLUG}")).await;
        let export = officer.post(&format!("/staff/consultations/{SLUG}/summary-with-contacts.csv"), &fields(&[("csrf_token", &page.input("csrf_token").expect("token"))])).await;
        assert!(export.header("content-disposition").unwrap_or("").contains("\"cheltenham-2011-summary-with-contact-details.csv\""));
    }
}

fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The publish step's page.
async fn publish_page(officer: &Browser<'_>) -> Page {
    officer
        .get(&format!("/staff/consultations/{SLUG}/publish"))
        .await
}

app_test! {
    async fn publishing_lists_what_is_not_ready_and_needs_a_reason_to_go_early(app) {
        let id = cheltenham_in(&app, ConsultationStatus::Closed);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        // Two answers back to draft, one issue unanswered.
        {
            use diesel::prelude::*;
            use db::schema::group_responses;
            let mut conn = app.db.connect();
            let issues = db::issues::of_consultation(&mut conn, id).expect("issues");
            diesel::update(group_responses::table.filter(group_responses::issue_id.eq_any([issues[0].id, issues[1].id])))
                .set(group_responses::status.eq(DraftStatus::Draft)).execute(&mut conn).expect("drafts");
            diesel::delete(group_responses::table.filter(group_responses::issue_id.eq(issues[2].id))).execute(&mut conn).expect("unanswered");
        }
        let page = publish_page(&officer).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("1 public issue(s) with no response from the group"));
        assert!(page.body.contains("2 response(s) from the group still drafts"));
        assert!(page.body.contains("not checked for redaction"));
        // The old one-click publish is refused, and so is publishing without a reason.
        let one_click = officer.submit(&format!("/staff/consultations/{SLUG}"), &format!("/staff/consultations/{SLUG}/status"), &[("to", "published")]).await;
        assert_eq!(one_click.status, 409, "{}", one_click.body);
        let url = format!("/staff/consultations/{SLUG}/publish");
        let refused = officer.submit(&url, &url, &[("reason", "")]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("Not ready to publish"));
        assert_eq!(db::consultations::by_id(&mut app.db.connect(), id).expect("query").expect("found").status, ConsultationStatus::Closed);
        let published = officer.submit(&url, &url, &[("reason", "The committee papers go out today")]).await;
        assert_eq!(published.status, 303, "{}", published.body);
        let c = db::consultations::by_id(&mut app.db.connect(), id).expect("query").expect("found");
        assert_eq!(c.status, ConsultationStatus::Published);
        assert_eq!(c.publish_override.as_deref(), Some("The committee papers go out today"));
        assert!(crate::workspace::audit_actions(&app, "consultation", id.0).iter().any(|a| a == "status changed"));
        // Draft text is never public: the table says the response is to follow.
        let csv = app.get(&format!("/consultations/{SLUG}/summary.csv")).await.body;
        let expected = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/expected/cheltenham-2011-summary.csv")).expect("golden");
        let draft_text: Vec<&str> = expected.lines().skip(1).take(2).filter_map(|l| l.rsplit(',').next()).collect();
        assert_eq!(csv.matches("Response to follow").count(), 3, "{csv}");
        for text in draft_text.iter().filter(|t| t.len() > 20) {
            assert!(!csv.contains(*text), "draft wording {text} is public");
        }
        let html = app.get(&format!("/consultations/{SLUG}/summary")).await.body;
        assert_eq!(html.matches("Response to follow").count(), 3);
    }

    async fn when_everything_is_ready_publishing_needs_no_reason(app) {
        let id = cheltenham_in(&app, ConsultationStatus::Closed);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        {
            let mut conn = app.db.connect();
            for response in db::responses::of_consultation(&mut conn, id).expect("responses") {
                db::responses::set_reviewed(&mut conn, response.id, Some((None, chrono::Utc::now().naive_utc()))).expect("checked");
            }
        }
        let page = publish_page(&officer).await;
        assert!(page.body.contains("Ready to publish"), "{}", page.body);
        let url = format!("/staff/consultations/{SLUG}/publish");
        assert_eq!(officer.submit(&url, &url, &[]).await.status, 303);
        assert_eq!(db::consultations::by_id(&mut app.db.connect(), id).expect("query").expect("found").publish_override, None);
    }

    async fn changing_an_agreed_response_makes_it_a_draft_until_an_officer_agrees_it(app) {
        let id = cheltenham_in(&app, ConsultationStatus::Closed);
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        {
            let mut conn = app.db.connect();
            let user = db::users::by_email(&mut conn, "member@example.gov.uk").expect("query").expect("user");
            db::members::assign(&mut conn, id, user.id).expect("assign");
        }
        let issue = db::issues::of_consultation(&mut app.db.connect(), id).expect("issues")[1].id;
        let url = format!("/staff/consultations/{SLUG}/issues/{}/draft", issue.0);
        let before = db::group_responses::for_issue(&mut app.db.connect(), issue).expect("query").expect("answer");
        assert_eq!(before.status, DraftStatus::Agreed);
        let changed = member.submit(&url, &url, &[("version", &before.version.to_string()), ("kind", "written"), ("content", "A rewritten answer."), ("status", "agreed")]).await;
        assert_eq!(changed.status, 303, "{}", changed.body);
        let after = db::group_responses::for_issue(&mut app.db.connect(), issue).expect("query").expect("answer");
        assert_eq!((after.status, after.content.as_deref()), (DraftStatus::Draft, Some("A rewritten answer.")));
        let history = member.get(&url).await;
        assert!(history.body.contains("group response changed after it was agreed: a draft again until agreed"));
        // A member cannot agree it; an officer can.
        let agree = member.submit(&url, &url, &[("version", &after.version.to_string()), ("kind", "written"), ("content", "A rewritten answer."), ("status", "agreed")]).await;
        assert_eq!(agree.status, 422);
        assert!(agree.body.contains("Only officers can agree"));
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let signed = officer.submit(&url, &url, &[("version", &after.version.to_string()), ("kind", "written"), ("content", "A rewritten answer."), ("status", "agreed")]).await;
        assert_eq!(signed.status, 303);
        assert_eq!(db::group_responses::for_issue(&mut app.db.connect(), issue).expect("query").expect("answer").status, DraftStatus::Agreed);
    }

    async fn closing_early_shows_when_it_really_closed(app) {
        let id = app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2031, 1, 31).expect("date"));
        let closed_at = chrono::DateTime::parse_from_rfc3339("2026-12-01T14:05:00Z").expect("time").with_timezone(&chrono::Utc);
        app.clock.set(closed_at);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = officer.submit(&format!("/staff/consultations/{SLUG}"), &format!("/staff/consultations/{SLUG}/status"), &[("to", "closed")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let c = db::consultations::by_id(&mut app.db.connect(), id).expect("query").expect("found");
        assert_eq!(c.closed_at, Some(closed_at.naive_utc()));
        let form = app.get(&format!("/consultations/{SLUG}/respond")).await;
        assert!(form.body.contains("This consultation closed on 1 December 2026 at 2:05pm"), "{}", form.body);
        assert!(!form.body.contains("31 January 2031"));
        let home = app.get("/").await;
        assert!(home.body.contains("Tuesday 1 December 2026") && !home.body.contains("31 January 2031"));
    }
}

/// An app on a fresh database of `kind` with `settings`.
fn app_with(kind: crate::helpers::Kind, settings: sounding::web::WebSettings) -> Option<TestApp> {
    crate::helpers::TestDb::new(kind).map(|db| TestApp::spawn_with(db, settings))
}

/// Sends the head of a large POST and one byte of its body from `from`,
/// then stalls: a slow client.
async fn slow_client(from: &str, to: &str) -> actix_web::rt::net::TcpStream {
    use actix_web::rt::net::TcpSocket;
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{from}:0").parse().expect("address"))
        .expect("bind");
    let stream = socket
        .connect(to.parse().expect("address"))
        .await
        .expect("connect");
    let head = format!(
        "POST /consultations/{SLUG}/respond HTTP/1.1\r\nHost: {to}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\na"
    );
    let mut written = 0;
    while written < head.len() {
        stream.writable().await.expect("writable");
        if let Ok(n) = stream.try_write(&head.as_bytes()[written..]) {
            written += n;
        }
    }
    stream
}

/// What the server answered a stalled client within `limit`: its status
/// line, or "closed" / "nothing".
async fn answer_of(stream: &actix_web::rt::net::TcpStream, limit: std::time::Duration) -> String {
    let mut buffer = vec![0u8; 4096];
    let read = actix_web::rt::time::timeout(limit, async {
        loop {
            stream.readable().await.expect("readable");
            match stream.try_read(&mut buffer) {
                Ok(0) => return "closed".to_string(),
                Ok(n) => {
                    return String::from_utf8_lossy(&buffer[..n])
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string();
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return "closed".to_string(),
            }
        }
    })
    .await;
    read.unwrap_or_else(|_| "nothing".to_string())
}

async fn slow_clients_do_not_take_the_service_down(kind: crate::helpers::Kind) {
    let settings = sounding::web::WebSettings {
        connections_per_client: 8,
        body_timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let Some(app) = app_with(kind, settings) else {
        return;
    };
    app.open_cheltenham(far_future());
    let target = app.address.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..20 {
        slow.push(slow_client("127.0.0.2", &target).await);
    }
    // The service answers others at once while the slow clients wait.
    let started = std::time::Instant::now();
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let mut answers = Vec::new();
    for stream in &slow {
        answers.push(answer_of(stream, std::time::Duration::from_secs(8)).await);
    }
    let refused = answers.iter().filter(|a| a.contains(" 429 ")).count();
    let timed_out = answers
        .iter()
        .filter(|a| a.contains(" 408 ") || *a == "closed")
        .count();
    assert_eq!(
        refused, 12,
        "connections over the address's share are refused at once: {answers:?}"
    );
    assert_eq!(
        refused + timed_out,
        20,
        "every slow body is cut off at its deadline: {answers:?}"
    );
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[actix_web::test]
async fn slow_clients_do_not_take_the_service_down_on_sqlite() {
    slow_clients_do_not_take_the_service_down(crate::helpers::Kind::Sqlite).await;
}

#[actix_web::test]
async fn slow_clients_do_not_take_the_service_down_on_postgres() {
    slow_clients_do_not_take_the_service_down(crate::helpers::Kind::Postgres).await;
}

/// Posts a (refused) response form as if from `client` through the proxy.
async fn post_from(app: &TestApp, client: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/consultations/{SLUG}/respond", app.address));
    if let Some(client) = client {
        request = request.insert_header(("X-Forwarded-For", client));
    }
    request
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .send_body("name=x")
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn rate_limits_follow_the_client_behind_a_trusted_proxy(kind: crate::helpers::Kind) {
    let trusted = sounding::web::WebSettings {
        posts_per_minute: 2,
        trusted_proxies: sounding::web::client::parse_ranges("127.0.0.1").expect("ranges"),
        sign_ins_per_account_hour: 3,
        ..Default::default()
    };
    let Some(app) = app_with(kind, trusted) else {
        return;
    };
    app.open_cheltenham(far_future());
    let first: Vec<u16> = [
        post_from(&app, Some("203.0.113.1")).await,
        post_from(&app, Some("203.0.113.1")).await,
        post_from(&app, Some("203.0.113.1")).await,
    ]
    .into();
    assert_eq!(first[2], 429, "{first:?}");
    assert_ne!(
        post_from(&app, Some("203.0.113.2")).await,
        429,
        "another consultee behind the proxy has a quota of their own"
    );
    // Per account: guesses from many addresses still add up.
    app.add_user("officer@example.gov.uk", Role::Officer);
    let mut statuses = Vec::new();
    for n in 0..4 {
        let response = app
            .client
            .post(format!("{}/api/v1/sessions", app.address))
            .insert_header(("X-Forwarded-For", format!("198.51.100.{n}")))
            .insert_header(("Content-Type", "application/json"))
            .send_body(
                json!({ "email": "officer@example.gov.uk", "password": "a wrong guess" })
                    .to_string(),
            )
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
    let other = call(
        &app,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "email": "someone@example.gov.uk", "password": "x" })),
        &[],
    )
    .await;
    assert_eq!(other.status, 401, "another account is not slowed");

    // Without a trusted proxy the header is the client's own claim: ignored.
    let Some(direct) = app_with(
        kind,
        sounding::web::WebSettings {
            posts_per_minute: 2,
            ..Default::default()
        },
    ) else {
        return;
    };
    direct.open_cheltenham(far_future());
    let forged = [
        post_from(&direct, Some("203.0.113.7")).await,
        post_from(&direct, Some("203.0.113.8")).await,
        post_from(&direct, Some("203.0.113.9")).await,
    ];
    assert_eq!(forged[2], 429, "{forged:?}");
}

#[actix_web::test]
async fn rate_limits_follow_the_client_behind_a_trusted_proxy_on_sqlite() {
    rate_limits_follow_the_client_behind_a_trusted_proxy(crate::helpers::Kind::Sqlite).await;
}

#[actix_web::test]
async fn rate_limits_follow_the_client_behind_a_trusted_proxy_on_postgres() {
    rate_limits_follow_the_client_behind_a_trusted_proxy(crate::helpers::Kind::Postgres).await;
}

app_test! {
    async fn the_form_and_the_table_say_what_not_for_publication_means(app) {
        app.open_cheltenham(far_future());
        let form = app.get(&format!("/consultations/{SLUG}/respond")).await;
        assert!(form.body.contains("they will not appear in the published summary"));
        assert!(form.body.contains("without your name (as “Name withheld”)"));
    }

    async fn an_api_id_too_large_for_an_integer_is_a_problem_not_found(app) {
        app.load_fixture(SLUG);
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let page = call(&app, "DELETE", &format!("/api/v1/consultations/{SLUG}/sections/99999999999999999999999"), Some(&token), None, &[]).await;
        assert_eq!(page.status, 404);
        assert_eq!(page.header("content-type"), Some("application/problem+json"));
    }

    async fn a_blank_url_name_longer_than_the_limit_is_refused_like_any_other(app) {
        app.load_fixture(SLUG);
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let details = |slug: String| json!({ "slug": slug, "title": "T", "summary": "S", "run_by": "R", "group_name": "G", "reference_prefix": "CHL" });
        let long = call(&app, "PATCH", &format!("/api/v1/consultations/{SLUG}"), Some(&token), Some(details("\u{a0}".repeat(81))), &[]).await;
        assert_eq!(long.status, 422, "{}", long.body);
        assert_eq!(json_of(&long)["errors"][0]["field"], "slug");
        let within = call(&app, "PATCH", &format!("/api/v1/consultations/{SLUG}"), Some(&token), Some(details("\u{a0}".repeat(80))), &[]).await;
        assert_eq!(within.status, 204, "{}", within.body);
    }

    async fn an_upload_over_64_mib_is_refused_as_too_large(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let page = officer.get(&format!("/staff/consultations/{SLUG}/responses/import")).await;
        let big = vec![b'x'; 65 * 1024 * 1024];
        let (content_type, body) = crate::import::multipart(&page.input("csrf_token").expect("token"), "big.csv", &big);
        let refused = officer.post_raw(&format!("/staff/consultations/{SLUG}/responses/import"), &content_type, body).await;
        assert_eq!(refused.status, 413, "{}", refused.body);
    }
}
