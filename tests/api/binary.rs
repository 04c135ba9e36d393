//! The `sounding` binary end to end: serve --demo, CLI errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::{Kind, TestDb};

const BINARY: &str = env!("CARGO_BIN_EXE_sounding");

/// Starts `sounding serve --demo` on port 0, waits for its address, checks
/// /healthz, then stops it with SIGTERM and expects a clean exit.
fn serve_demo_then_stop(database: &str) {
    let mut child = Command::new(BINARY)
        .args([
            "--database",
            database,
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
        ])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sounding");
    let stdout = child.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Sounding is running at ")
                .map(|rest| rest.split(' ').next().unwrap_or("").to_string())
        })
        .expect("the server prints its address");
    let health = get(&format!("{address}healthz"));
    let home = get(&address);
    let practice = get(&format!(
        "{address}consultations/practice-cheltenham/respond"
    ));
    let outcome = get(&format!("{address}consultations/cheltenham-2011/outcome"));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(home.contains("Improving partnership structures for Cheltenham"));
    assert!(home.contains("Cheshire West and Chester Partnership Framework"));
    // The practice copy is open: a new user can respond straight away.
    assert!(
        home.contains("Practice: Improving partnership structures"),
        "{home}"
    );
    assert!(practice.starts_with("HTTP/1.1 200"), "{practice}");
    // The demo shows what happened after Cheltenham's consultation.
    assert!(outcome.starts_with("HTTP/1.1 200"), "{outcome}");
    assert!(
        outcome.contains("<svg"),
        "an inline SVG of the revised structure"
    );
    assert!(outcome.contains("Glos Police Authority, Fire and Rescue and Probation are added to the Strategic Leadership Group"));
    assert!(
        outcome.contains("/consultations/cheltenham-2011/summary#row-21"),
        "linked to the issue it came from"
    );
    assert!(
        status.is_some_and(|s| s.success()),
        "graceful shutdown exits 0: {status:?}"
    );
}

fn get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    stream.read_to_string(&mut out).expect("read");
    out
}

fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn serve_demo_migrates_loads_and_answers_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    serve_demo_then_stop(path.to_str().expect("utf-8"));
}

#[test]
fn serve_demo_migrates_loads_and_answers_on_postgres() {
    let Some(db) = TestDb::new(Kind::Postgres) else {
        return;
    };
    serve_demo_then_stop(db.url.target());
}

#[test]
fn a_bad_database_url_stops_the_cli_with_a_message() {
    let output = Command::new(BINARY)
        .args(["--database", "mysql://root@localhost/x", "migrate"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unsupported database URL scheme “mysql”"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn user_add_reads_the_password_from_stdin_and_never_prints_it() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("users.db");
    let mut child = Command::new(BINARY)
        .args([
            "--database",
            path.to_str().expect("utf-8"),
            "user",
            "add",
            "admin@example.gov.uk",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a very secret passphrase\n")
        .expect("write");
    let output = child.wait_with_output().expect("finish");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("Added admin@example.gov.uk as Administrator"));
    assert!(!all.contains("very secret"));
    let db_url = sounding::db::DatabaseUrl::parse(path.to_str().expect("utf-8")).expect("url");
    let mut conn = db_url.connect().expect("connect");
    let user = sounding::db::users::by_email(&mut conn, "admin@example.gov.uk")
        .expect("query")
        .expect("found");
    assert!(sounding::service::passwords::verify(
        "a very secret passphrase",
        &user.password_hash
    ));
}

#[test]
fn an_unknown_role_is_refused_with_the_accepted_ones() {
    let output = Command::new(BINARY)
        .args(["user", "add", "a@b.uk", "--role", "boss"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("expected one of: admin, officer, group_member")
    );
}

/// A council's name, logo and colour in the header of every page.
#[test]
fn a_council_sees_its_name_logo_and_colour_and_an_unreadable_colour_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("brand.db");
    let logo = dir.path().join("logo.svg");
    std::fs::write(
        &logo,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#1d70b8"/></svg>"##,
    )
    .expect("logo");
    let refused = Command::new(BINARY)
        .args([
            "--database",
            database.to_str().expect("utf-8"),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .args(["--council-colour", "#ffdd00"])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("contrast"), "{stderr}");

    let mut child = Command::new(BINARY)
        .args([
            "--database",
            database.to_str().expect("utf-8"),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .args([
            "--council-name",
            "Cheltenham Borough Council",
            "--council-colour",
            "#005EA5",
        ])
        .arg("--council-logo")
        .arg(&logo)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sounding");
    let stdout = child.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Sounding is running at ")
                .map(|rest| rest.split(' ').next().unwrap_or("").to_string())
        })
        .expect("the server prints its address");
    let home = get(&address);
    let css = get(&format!("{address}static/brand.css"));
    let image = get(&format!("{address}static/logo"));
    let missing = get(&format!("{address}no-such-page"));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    wait_with_timeout(&mut child, Duration::from_secs(20));
    assert!(home.contains("Cheltenham Borough Council</a>"), "{home}");
    assert!(home.contains("– Cheltenham Borough Council</title>"));
    assert!(home.contains(r#"<img class="site-header__logo" src="/static/logo" alt="">"#));
    assert!(home.contains(r#"href="/static/brand.css""#));
    assert!(css.contains("background-color: #005ea5"), "{css}");
    assert!(image.contains("content-type: image/svg+xml"), "{image}");
    assert!(
        missing.contains("Cheltenham Borough Council</a>"),
        "error pages too"
    );
}
