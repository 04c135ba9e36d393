//! The public pages and the health check over real HTTP.

use crate::app_test;
use crate::helpers::{Kind, TestApp, TestDb};

app_test! {
    async fn the_health_check_answers_when_the_database_does(app) {
        let page = app.get("/healthz").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(r#""status":"ok""#));
    }

    async fn the_home_page_lists_the_demo_consultations(app) {
        app.load_fixture("cheltenham-2011");
        let page = app.get("/").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Improving partnership structures for Cheltenham"));
        assert!(page.body.contains("Closed and published consultations"));
        assert!(page.body.contains("Friday 2 September 2011"));
        // One plain sentence, not "Published: closed …".
        assert!(page.body.contains("Closed Friday 2 September 2011."), "{}", page.body);
        assert!(page.body.contains("The summary of responses is published."));
        assert!(!page.body.contains("Published: closed"));
    }

    async fn the_cheltenham_document_shows_its_structure(app) {
        app.load_fixture("cheltenham-2011");
        let page = app.get("/consultations/cheltenham-2011").await;
        assert_eq!(page.status, 200);
        for text in ["Strategic Leadership Group (SLG)", "Positive Lives Partnership reports to Strategic Leadership Group", "To be disbanded", "Closes"] {
            assert!(page.body.contains(text), "missing {text}");
        }
        assert_eq!(page.body.matches("<h1").count(), 1);
        // A contents list (GOV.UK pattern) leads to every part of a long document.
        assert!(page.body.contains(r#"<nav class="contents-list" aria-labelledby="contents-title">"#));
        for target in ["#section-1", "#structure", "#questions"] {
            let link = format!(r#"href="{target}""#);
            assert!(page.body.contains(&link), "no contents link to {target}");
            assert!(page.body.contains(&format!(r#"id="{}""#, &target[1..])), "no {target} to land on");
        }
        assert!(!page.body.contains("Respond to this consultation"), "closed: no Respond button");
    }

    async fn every_page_links_the_privacy_notice_and_the_accessibility_statement(app) {
        let home = app.get("/").await;
        assert!(home.body.contains(r#"<a href="/privacy">Privacy notice</a>"#) && home.body.contains(r#"<a href="/accessibility">Accessibility statement</a>"#));
        let privacy = app.get("/privacy").await;
        assert_eq!(privacy.status, 200);
        for text in ["data controller", "How long we keep it", "Cookies", "Information Commissioner"] {
            assert!(privacy.body.contains(text), "privacy notice lacks {text}");
        }
        let statement = app.get("/accessibility").await;
        assert_eq!(statement.status, 200);
        for text in ["WCAG 2.2", "Enforcement procedure", "by letter or e-mail"] {
            assert!(statement.body.contains(text), "statement lacks {text}");
        }
    }

    async fn the_diagram_opens_full_size_from_the_document(app) {
        app.load_fixture("cheltenham-2011");
        let page = app.get("/consultations/cheltenham-2011").await;
        assert!(page.body.contains(r#"<a href="/consultations/cheltenham-2011/structure.svg">Open the diagram full size</a>"#));
        let drawing = app.get("/consultations/cheltenham-2011/structure.svg").await;
        assert_eq!(drawing.status, 200);
        assert_eq!(drawing.header("content-type"), Some("image/svg+xml; charset=utf-8"));
        assert!(drawing.body.starts_with("<svg") && drawing.body.contains("Strategic Leadership Group"), "{}", drawing.body);
        assert_eq!(app.get("/consultations/no-such-thing/structure.svg").await.status, 404);
    }

    async fn an_open_document_offers_respond_at_the_top_and_the_end(app) {
        app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date"));
        let page = app.get("/consultations/cheltenham-2011").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body.matches("Respond to this consultation</a>").count(), 2, "{}", page.body);
        let contents = page.body.find("contents-list").expect("contents");
        let last = page.body.rfind("Respond to this consultation").expect("button");
        assert!(last > page.body.find(r#"id="questions""#).expect("questions"), "the second button follows the document");
        assert!(contents < last);
    }

    async fn an_unknown_page_is_a_404_page(app) {
        let page = app.get("/consultations/no-such-thing").await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("Page not found"));
        assert_eq!(app.get("/nowhere").await.status, 404);
    }

    async fn a_draft_is_invisible_to_the_public(app) {
        app.load_fixture("cheltenham-2011");
        let mut conn = app.db.connect();
        let c = sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        sounding::db::consultations::set_status(&mut conn, c.id, sounding::domain::ConsultationStatus::Draft, chrono::Utc::now().naive_utc()).expect("status");
        assert_eq!(app.get("/consultations/cheltenham-2011").await.status, 404);
        assert!(!app.get("/").await.body.contains("Improving partnership structures"));
    }
}

#[actix_web::test]
async fn the_health_check_says_unhealthy_when_the_database_is_unreachable() {
    // A test database whose pool points at a port nothing listens on.
    let db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let app = TestApp::spawn_on(db);
    let unreachable =
        sounding::db::DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/none").expect("url");
    let pool = sounding::db::pool::open(
        &unreachable,
        &sounding::db::PoolOptions {
            max_size: 1,
            wait: std::time::Duration::from_secs(1),
        },
    )
    .expect("lazy pool");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    actix_web::rt::spawn(
        sounding::web::serve(
            listener,
            sounding::web::AppState::new(
                pool,
                crate::helpers::TEST_SECRET,
                sounding::web::clock::Clock::system(),
                sounding::web::WebSettings::default(),
            ),
            1,
        )
        .expect("server"),
    );
    let mut response = app
        .client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 503);
    let body = response.body().await.expect("body");
    assert!(String::from_utf8_lossy(&body).contains("unhealthy"));
    let mut page = app
        .client
        .get(format!("{address}/"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status().as_u16(), 503);
    assert!(
        String::from_utf8_lossy(&page.body().await.expect("body"))
            .contains("Sorry, the service is unavailable")
    );
}

app_test! {
    async fn the_home_page_finds_consultations_by_words_and_status(app) {
        app.load_fixture("cheltenham-2011");
        app.load_fixture("cheshire-west-2008");
        let all = app.get("/").await;
        assert!(all.body.contains("Improving partnership structures for Cheltenham"));
        assert!(all.body.contains("Cheshire West and Chester Partnership Framework"));
        assert!(all.body.contains(r#"role="search""#), "a search on the home page");
        let found = app.get("/?q=cheltenham+PARTNERSHIP").await;
        assert_eq!(found.status, 200);
        assert!(found.body.contains("1 consultation(s) found."), "{}", found.body);
        assert!(found.body.contains("Improving partnership structures for Cheltenham"));
        assert!(!found.body.contains("Cheshire West and Chester Partnership Framework"));
        assert!(found.body.contains(r#"value="cheltenham PARTNERSHIP""#), "the search is shown again");
        let none = app.get("/?status=open").await;
        assert!(none.body.contains("0 consultation(s) found."));
        let published = app.get("/?status=published").await;
        assert!(published.body.contains("Improving partnership structures for Cheltenham"));
        assert!(published.body.contains(r#"<option value="published" selected>"#));
        let draft = app.get("/?status=draft").await;
        assert!(!draft.body.contains("found."), "a draft filter is no filter: drafts are never listed");
        let hostile = app.get("/?q=%3Cscript%3E").await;
        assert!(hostile.body.contains("&lt;script&gt;") && !hostile.body.contains("<script>"), "escaped");
    }
}
