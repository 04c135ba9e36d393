//! Every form route in the URL map, sent malformed bodies as a signed-in
//! officer (so sign-in is not what refuses them): always a 4xx with a page,
//! never a 5xx. And script typed into text fields is never rendered as
//! markup on the staff pages or in the exports.

use sounding::domain::*;

use crate::app_test;

/// Every POST route of the form-based site, with its placeholders filled.
fn form_routes() -> Vec<String> {
    sounding::web::ROUTES
        .iter()
        .filter(|(method, _, _)| *method == "post")
        .map(|(_, p, _)| {
            let mut path = p
                .replace("{slug}", "cheltenham-2011")
                .replace("{reference}", "CHL-0001");
            for id in [
                "{section}",
                "{question}",
                "{body}",
                "{link}",
                "{issue}",
                "{theme}",
                "{user}",
                "{upload}",
                "{consultee}",
                "{version_body}",
                "{version_link}",
            ] {
                path = path.replace(id, "1");
            }
            path
        })
        .collect()
}

app_test! {
    async fn malformed_bodies_get_a_clear_4xx_on_every_form_route(app) {
        app.load_fixture("cheltenham-2011");
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let token = officer.get("/staff").await.input("csrf_token").expect("token");
        let routes = form_routes();
        assert!(routes.len() > 40, "found the form routes: {routes:?}");
        let many: String = (0..10_001).map(|i| format!("f{i}=x&")).collect();
        let cases: Vec<(&str, &str, Vec<u8>)> = vec![
            ("oversize", "application/x-www-form-urlencoded", format!("csrf_token={token}&text={}", "x".repeat(3 * 1024 * 1024)).into_bytes()),
            ("invalid UTF-8", "application/x-www-form-urlencoded", format!("csrf_token={token}&text=%FF%FE").into_bytes()),
            ("10,000 fields", "application/x-www-form-urlencoded", format!("csrf_token={token}&{many}").into_bytes()),
            ("wrong content type", "text/plain", format!("csrf_token={token}").into_bytes()),
            ("no CSRF token", "application/x-www-form-urlencoded", b"text=hello%00world&label=%3Cscript%3E".to_vec()),
        ];
        for route in &routes {
            for (what, content_type, body) in &cases {
                let page = officer.post_raw(route, content_type, body.clone()).await;
                assert!((400..500).contains(&page.status), "{what} to {route}: {} {}", page.status, &page.body[..page.body.len().min(300)]);
                // Without a token nothing is done: staff routes answer 403; a
                // consultee's routes may first say the consultation no longer
                // takes responses (410) or that a private link needs its key
                // (404).
                if *what == "no CSRF token" && !route.ends_with("/responses/import") {
                    let public = route.starts_with("/consultations/") && [404, 410].contains(&page.status);
                    assert!(page.status == 403 || public, "{what} to {route}: {}", page.status);
                }
            }
        }
    }

    async fn script_typed_anywhere_is_shown_as_text(app) {
        app.load_fixture("cheltenham-2011");
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        const SCRIPT: &str = "<script>alert(1)</script>";
        let themes = "/staff/consultations/cheltenham-2011/themes";
        let created = officer.submit(themes, themes, &[("label", SCRIPT)]).await;
        assert_eq!(created.status, 303);
        let mut conn = app.db.connect();
        let c = sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        let issue = sounding::db::issues::of_consultation(&mut conn, c.id).expect("issues")[0].clone();
        let edit = format!("/staff/consultations/cheltenham-2011/issues/{}", issue.id.0);
        let edited = officer.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0001", &edit, &[("version", &issue.version.to_string()), ("content", SCRIPT), ("kind", "comment"), ("tags", SCRIPT)]).await;
        assert_eq!(edited.status, 303, "{}", edited.body);
        let draft = format!("{edit}/draft");
        let answer = sounding::db::group_responses::for_issue(&mut conn, issue.id).expect("query").expect("answer");
        officer.submit(&draft, &draft, &[("version", &answer.version.to_string()), ("kind", "written"), ("status", "agreed"), ("content", SCRIPT)]).await;
        let refused = officer.submit(themes, themes, &[("label", &"x".repeat(300))]).await;
        assert_eq!(refused.status, 422);
        for path in [
            "/staff/consultations/cheltenham-2011/workspace".to_string(),
            "/staff/consultations/cheltenham-2011/themes".to_string(),
            "/staff/consultations/cheltenham-2011/inbox/CHL-0001".to_string(),
            draft.clone(),
            "/consultations/cheltenham-2011/summary".to_string(),
            "/consultations/cheltenham-2011/summary?order=theme".to_string(),
            "/consultations/cheltenham-2011/responses".to_string(),
        ] {
            let page = officer.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(!page.body.contains(SCRIPT), "{path} renders typed script as markup");
        }
        let page = officer.get("/staff/consultations/cheltenham-2011/inbox/CHL-0001").await;
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;") || page.body.contains("&lt;script&gt;"), "shown as text");
        let csv = officer.get("/consultations/cheltenham-2011/summary.csv").await;
        assert!(csv.body.contains(SCRIPT), "CSV keeps the text as typed (it is not HTML)");
    }
}
