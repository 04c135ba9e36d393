//! The JSON API and its OpenAPI document.

use serde_json::{Value, json};
use sounding::domain::*;

use crate::app_test;
use crate::helpers::{Page, TEST_PASSWORD, TestApp};

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Page {
    let url = format!("{}{}", app.address, path);
    let mut request = app.client.request(method.parse().expect("method"), url);
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    let mut response = match body {
        Some(body) => {
            request
                .insert_header(("Content-Type", "application/json"))
                .send_body(body.to_string())
                .await
        }
        None => request.send().await,
    }
    .expect("request");
    let bytes = response.body().limit(10 * 1024 * 1024).await.expect("body");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Page {
        status: response.status().as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

pub fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body))
}

pub async fn token_for(app: &TestApp, email: &str, role: Role) -> String {
    app.add_user(email, role);
    let page = call(
        app,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "email": email, "password": TEST_PASSWORD })),
        &[],
    )
    .await;
    assert_eq!(page.status, 201, "{}", page.body);
    json_of(&page)["token"].as_str().expect("token").to_string()
}

fn open_cheltenham(app: &TestApp) -> (i64, i64) {
    let id = app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date"));
    let mut conn = app.db.connect();
    let slg = sounding::db::structure::bodies_of(&mut conn, id).expect("bodies")[0]
        .id
        .0;
    (app.required_question(), slg)
}

pub fn submission(question: i64, slg: i64) -> Value {
    json!({
        "name": "Jo Bloggs",
        "organisation": { "name": "Glos Police Authority", "kind": "police" },
        "joint": [{ "name": "Cheltenham Business Partnership", "kind": "business" }],
        "answers": { question.to_string(): "Broadly yes." },
        "points": [
            { "text": "The SLG should include the police authority.", "body_ids": [slg] },
            { "text": "How often will the SLG meet?" }
        ],
        "publication": "with_names"
    })
}

app_test! {
    async fn a_response_submitted_through_the_api_gets_a_reference(app) {
        let (question, slg) = open_cheltenham(&app);
        let page = call(&app, "POST", "/api/v1/consultations/cheltenham-2011/responses", None, Some(submission(question, slg)), &[("Idempotency-Key", "abc-123")]).await;
        assert_eq!(page.status, 201, "{}", page.body);
        let receipt = json_of(&page);
        assert_eq!(receipt["reference"], "CHL-0010");
        let link = receipt["private_link"].as_str().expect("link");
        assert_eq!(app.get(link).await.status, 200);
        let again = call(&app, "POST", "/api/v1/consultations/cheltenham-2011/responses", None, Some(submission(question, slg)), &[("Idempotency-Key", "abc-123")]).await;
        assert_eq!(again.status, 200, "a retry with the same key is not a second response");
        assert_eq!(json_of(&again)["reference"], "CHL-0010");
    }

    async fn bad_api_input_gets_field_errors(app) {
        let (question, slg) = open_cheltenham(&app);
        let mut bad = submission(question, slg);
        bad["name"] = json!("");
        bad["publication"] = json!("shout-it");
        bad["points"][0]["text"] = json!("x".repeat(10_001));
        let page = call(&app, "POST", "/api/v1/consultations/cheltenham-2011/responses", None, Some(bad), &[]).await;
        assert_eq!(page.status, 422);
        assert_eq!(page.header("content-type"), Some("application/problem+json"));
        let fields: Vec<String> = json_of(&page)["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect();
        assert_eq!(fields, vec!["name", "point-1-text", "publication"]);

        let malformed = app.client.post(format!("{}/api/v1/consultations/cheltenham-2011/responses", app.address))
            .insert_header(("Content-Type", "application/json")).send_body("{not json").await.expect("request");
        assert_eq!(malformed.status().as_u16(), 400);
        let wrong_type = app.client.post(format!("{}/api/v1/consultations/cheltenham-2011/responses", app.address))
            .insert_header(("Content-Type", "text/plain")).send_body("{}").await.expect("request");
        assert_eq!(wrong_type.status().as_u16(), 415);
    }

    async fn the_api_refuses_responses_after_closing(app) {
        let (question, slg) = open_cheltenham(&app);
        app.clock.set(chrono::Utc::now() + chrono::Duration::days(365 * 10));
        let page = call(&app, "POST", "/api/v1/consultations/cheltenham-2011/responses", None, Some(submission(question, slg)), &[]).await;
        assert_eq!(page.status, 410);
        assert!(json_of(&page)["detail"].as_str().unwrap_or("").contains("This consultation closed on 2 September 2030 at 11:59pm"));
    }

    async fn an_officer_builds_a_consultation_through_the_api(app) {
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let unauthenticated = call(&app, "POST", "/api/v1/consultations", None, Some(json!({})), &[]).await;
        assert_eq!(unauthenticated.status, 401);
        let details = json!({ "slug": "api-2026", "title": "API test", "summary": "S", "run_by": "R", "group_name": "G", "reference_prefix": "API", "closes": "2030-01-31" });
        let created = call(&app, "POST", "/api/v1/consultations", Some(&token), Some(details), &[]).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(call(&app, "GET", "/api/v1/consultations/api-2026", None, None, &[]).await.status, 404, "drafts are not public");
        let section = call(&app, "POST", "/api/v1/consultations/api-2026/sections", Some(&token), Some(json!({ "heading": "Why", "content": "Because." })), &[]).await;
        assert_eq!(section.status, 201);
        let a = json_of(&call(&app, "POST", "/api/v1/consultations/api-2026/bodies", Some(&token), Some(json!({ "name": "Board", "status": "proposed" })), &[]).await)["id"].as_i64().expect("id");
        let b = json_of(&call(&app, "POST", "/api/v1/consultations/api-2026/bodies", Some(&token), Some(json!({ "name": "Forum", "status": "existing" })), &[]).await)["id"].as_i64().expect("id");
        let link = call(&app, "POST", "/api/v1/consultations/api-2026/links", Some(&token), Some(json!({ "from_body_id": b, "to_body_id": a, "relation": "reports_to" })), &[]).await;
        assert_eq!(link.status, 201, "{}", link.body);
        let opened = call(&app, "POST", "/api/v1/consultations/api-2026/status", Some(&token), Some(json!({ "status": "open" })), &[]).await;
        assert_eq!(opened.status, 204, "{}", opened.body);
        let public = json_of(&call(&app, "GET", "/api/v1/consultations/api-2026", None, None, &[]).await);
        assert_eq!(public["consultation"]["status"], "open");
        assert_eq!(public["links"][0]["relation"], "reports_to");
        assert_eq!(public["consultation"]["closes_at"], "2030-01-31T23:59:59+00:00");

        let member = token_for(&app, "member@example.gov.uk", Role::GroupMember).await;
        let forbidden = call(&app, "POST", "/api/v1/consultations/api-2026/sections", Some(&member), Some(json!({ "heading": "x" })), &[]).await;
        assert_eq!(forbidden.status, 403);
        let signed_out = call(&app, "DELETE", "/api/v1/sessions/current", Some(&token), None, &[]).await;
        assert_eq!(signed_out.status, 204);
        assert_eq!(call(&app, "POST", "/api/v1/consultations/api-2026/sections", Some(&token), Some(json!({ "heading": "x" })), &[]).await.status, 401);
    }
}

app_test! {
    async fn every_api_route_checks_who_is_calling(app) {
        app.load_fixture("cheltenham-2011");
        let officer = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let member = token_for(&app, "member@example.gov.uk", Role::GroupMember).await;
        // Who may call: anyone (public), or officers and admins (editor).
        let kinds = [
            ("POST /api/v1/sessions", "public"), ("DELETE /api/v1/sessions/current", "signed-in"),
            ("GET /api/v1/consultations", "public"), ("GET /api/v1/consultations/{slug}", "public"),
            ("POST /api/v1/consultations/{slug}/responses", "public"),
        ];
        for (method, path, _) in sounding::web::api::API_ROUTES {
            let method = method.to_uppercase();
            let route = format!("{method} {path}");
            let kind = kinds.iter().find(|(r, _)| *r == route).map_or("editor", |(_, k)| *k);
            let url = path.replace("{slug}", "cheltenham-2011").replace("{id}", "1").replace("{section}", "1").replace("{question}", "1").replace("{body}", "1").replace("{link}", "1");
            if kind != "editor" {
                continue;
            }
            let anonymous = call(&app, &method, &url, None, Some(json!({})), &[]).await;
            assert_eq!(anonymous.status, 401, "anonymous {route}");
            let forbidden = call(&app, &method, &url, Some(&member), Some(json!({})), &[]).await;
            assert_eq!(forbidden.status, 403, "group member {route}");
            let allowed = call(&app, &method, &url, Some(&officer), Some(json!({})), &[]).await;
            assert!(![401, 403].contains(&allowed.status) && allowed.status < 500, "officer {route}: {} {}", allowed.status, allowed.body);
        }
        // A group member's token shows drafts only of consultations they are in.
        let drafts = |page: &Page| json_of(page).as_array().expect("list").len();
        app.load_fixture("gloucestershire-2008");
        let public = drafts(&call(&app, "GET", "/api/v1/consultations", None, None, &[]).await);
        let as_member = drafts(&call(&app, "GET", "/api/v1/consultations", Some(&member), None, &[]).await);
        let as_officer = drafts(&call(&app, "GET", "/api/v1/consultations", Some(&officer), None, &[]).await);
        assert_eq!(as_member, public, "an unassigned group member sees what the public sees");
        assert!(as_officer >= public);
    }
}

#[actix_web::test]
async fn the_openapi_document_lists_every_api_route_and_resolves() {
    let app = TestApp::spawn(crate::helpers::Kind::Sqlite)
        .await
        .expect("sqlite");
    let page = app.get("/api/openapi.json").await;
    assert_eq!(page.status, 200);
    let doc = json_of(&page);
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3.1"),
        "OpenAPI 3.1"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(move |ops| ops.keys().map(move |m| (m.clone(), path.clone())))
        })
        .collect();
    documented.sort();
    let mut routed: Vec<(String, String)> = sounding::web::api::API_ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    routed.sort();
    assert_eq!(
        documented, routed,
        "every API route is documented, and nothing else"
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("operations") {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has responses"
            );
        }
    }
    // Every $ref points at a schema that exists.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = page.body.clone();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap_or("");
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }
}

/// Every API route that takes a body, with its placeholders filled.
fn api_body_routes() -> Vec<(String, String)> {
    include_str!("../../src/web/api/mod.rs")
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            let (method, rest) = l.split_once(" \"/api/")?;
            let method = method.to_uppercase();
            ["POST", "PUT", "PATCH"]
                .contains(&method.as_str())
                .then(|| {
                    let path = format!("/api/{}", rest.split('"').next().unwrap_or_default());
                    (
                        method,
                        path.replace("{slug}", "cheltenham-2011")
                            .replace("{id}", "1"),
                    )
                })
        })
        .collect()
}

async fn raw_call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Page {
    let mut response = app
        .client
        .request(
            method.parse().expect("method"),
            format!("{}{}", app.address, path),
        )
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .send_body(body)
        .await
        .expect("request");
    let bytes = response.body().limit(10 * 1024 * 1024).await.expect("body");
    Page {
        status: response.status().as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        headers: vec![],
    }
}

app_test! {
    async fn malformed_bodies_get_a_clear_4xx_problem_on_every_api_route(app) {
        open_cheltenham(&app);
        let token = token_for(&app, "officer@example.gov.uk", Role::Officer).await;
        let routes = api_body_routes();
        assert!(routes.len() >= 11, "found the API routes: {routes:?}");
        let many: String = format!("{{{}\"x\":1}}", (0..10_000).map(|i| format!("\"f{i}\":1,")).collect::<String>());
        let cases: Vec<(&str, &str, Vec<u8>)> = vec![
            ("oversize", "application/json", format!("{{\"title\":\"{}\"}}", "x".repeat(3 * 1024 * 1024)).into_bytes()),
            ("invalid UTF-8", "application/json", b"{\"title\":\"\xff\xfe\"}".to_vec()),
            ("NUL and control characters", "application/json", b"{\"title\":\"a\\u0000b\\u0007\",\"text\":\"\\u0000\"}".to_vec()),
            ("10,000 fields", "application/json", many.into_bytes()),
            ("not JSON", "application/json", b"{\"title\": <script>".to_vec()),
            ("wrong content type", "text/plain", b"{}".to_vec()),
            ("wrong shape", "application/json", b"[1, 2, 3]".to_vec()),
        ];
        for (method, route) in &routes {
            for (what, content_type, body) in &cases {
                let page = raw_call(&app, method, route, &token, content_type, body.clone()).await;
                assert!((400..500).contains(&page.status), "{what} to {method} {route}: {} {}", page.status, &page.body[..page.body.len().min(300)]);
                assert!(!page.body.contains("<script>"), "{what} to {route} echoed markup: {}", page.body);
                let problem: Value = serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{what} to {route}: not a problem document ({e}): {}", page.body));
                assert!(problem["title"].is_string() || problem["detail"].is_string(), "{what} to {route}: {}", page.body);
            }
        }
    }
}
