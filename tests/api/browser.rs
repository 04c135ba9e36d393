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
