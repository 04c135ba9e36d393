//! The security baseline on every kind of response: headers, HSTS only
//! over TLS, and GET routes that change nothing.

use sounding::domain::*;

use crate::app_test;
use crate::helpers::Page;

fn assert_headers(what: &str, page: &Page) {
    let csp = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{what}: {csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(
        page.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        page.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"), "{what}");
}

app_test! {
    async fn every_kind_of_response_carries_the_security_headers(app) {
        app.load_fixture("cheltenham-2011");
        let public = app.browser();
        let staff = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let cases = [
            ("home", public.get("/").await),
            ("document", public.get("/consultations/cheltenham-2011").await),
            ("csv", public.get("/consultations/cheltenham-2011/summary.csv").await),
            ("stylesheet", public.get("/static/app.css").await),
            ("health", public.get("/healthz").await),
            ("json api", public.get("/api/v1/consultations").await),
            ("not found", public.get("/nowhere").await),
            ("sign-in redirect", public.get("/staff").await),
            ("staff page", staff.get("/staff/consultations/cheltenham-2011/workspace").await),
            ("refused form", staff.post("/staff/consultations/cheltenham-2011/themes", &[]).await),
        ];
        for (what, page) in &cases {
            assert_headers(what, page);
            assert!(page.header("strict-transport-security").is_none(), "{what}: no HSTS over plain HTTP");
        }
        let behind_tls = app
            .client
            .get(format!("{}/", app.address))
            .insert_header(("X-Forwarded-Proto", "https"))
            .send()
            .await
            .expect("request");
        let hsts = behind_tls.headers().get("strict-transport-security").and_then(|v| v.to_str().ok());
        assert_eq!(hsts, Some("max-age=31536000; includeSubDomains"));
    }
}
