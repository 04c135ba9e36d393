//! In a real browser: `tests/browser/e2e.mjs` drives headless Chromium
//! (playwright-core) through a consultee's response and an officer's work,
//! runs axe-core (WCAG 2.2 AA) on every page it visits, and fills the
//! response form with the keyboard alone.
//!
//! Needs Node.js and Debian's chromium (`.ci/run` installs them when
//! missing and sets `SOUNDING_BROWSER_TESTS=required`, so CI cannot skip
//! it); elsewhere, without them, the test says it was skipped.

use std::path::Path;
use std::process::Command;

use sounding::domain::Role;

use crate::faults::{ChildServer, free_port, open_consultation};
use crate::helpers::{Kind, TEST_PASSWORD, TestDb};

fn chromium() -> Option<String> {
    std::env::var("CHROMIUM")
        .ok()
        .or_else(|| Some("/usr/bin/chromium".to_string()))
        .filter(|path| Path::new(path).exists())
}

/// The browser test's npm packages, installed from the lock file if missing.
fn packages(dir: &Path) -> bool {
    if dir.join("node_modules/playwright-core").exists() {
        return true;
    }
    Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success())
}

#[actix_web::test]
async fn a_consultee_and_an_officer_in_headless_chromium_with_no_accessibility_violations() {
    let required = std::env::var("SOUNDING_BROWSER_TESTS").as_deref() == Ok("required");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let node = Command::new("node").arg("--version").output().is_ok();
    let (Some(chromium), true, true) = (chromium(), node, node && packages(&dir)) else {
        assert!(!required, "the browser test needs chromium, node and npm");
        eprintln!(
            "skipped: chromium, node or the npm packages are missing (see tests/api/browser.rs)"
        );
        return;
    };
    let test_db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let mut conn = test_db.connect();
    open_consultation(&mut conn);
    sounding::service::fixtures::load(&mut conn, "gloucestershire-2008").expect("fixture");
    publish_an_outcome(&mut conn, "gloucestershire-2008");
    let email = "officer@example.gov.uk";
    sounding::service::users::add(
        &mut conn,
        email,
        "Olive Officer",
        Role::Officer,
        TEST_PASSWORD,
    )
    .expect("officer");
    let server = ChildServer::start(test_db.url.target(), free_port(), None).await;

    let output = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(&dir)
        .env("BASE_URL", &server.address)
        .env("OFFICER_EMAIL", email)
        .env("OFFICER_PASSWORD", TEST_PASSWORD)
        .env("CHROMIUM", chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("0 violations"), "{stdout}");
}

/// A revised structure for `slug` with one recorded change, published on
/// its outcome page.
fn publish_an_outcome(conn: &mut sounding::db::DbConnection, slug: &str) {
    use sounding::service::outcome::versions::{self, Edit, Reason};
    let caller = sounding::service::access::Caller::System("browser test");
    let now = chrono::Utc::now();
    versions::start(conn, &caller, slug, now).expect("version");
    let c = sounding::db::consultations::by_slug(conn, slug)
        .expect("query")
        .expect("consultation");
    let version = sounding::db::outcome::versions_of(conn, c.id).expect("versions")[0].id;
    let body = sounding::db::outcome::bodies_of(conn, version).expect("bodies")[0].clone();
    let input = sounding::service::editing::BodyInput {
        name: body.name.clone(),
        short_name: body.short_name.clone().unwrap_or_default(),
        status: body.status.as_str().into(),
        role: body.role.clone(),
        membership: format!("{} A young people's representative joins.", body.membership),
        meets: body.meets.clone(),
    };
    let reason = Reason {
        summary: "A young people's representative joins the board.".into(),
        issues: Vec::new(),
    };
    versions::edit_with(
        conn,
        &caller,
        slug,
        (Edit::ChangeBody(body.id, &input), reason),
        now,
    )
    .expect("change");
    sounding::service::outcome::publish::publish(conn, &caller, slug, now, false).expect("publish");
}
