//! The API against its own OpenAPI document, checked by schemathesis (a
//! PyPI package, an outside client) with every check on: a live
//! `sounding serve --demo`, anonymous and with an officer's bearer token.
//! It needs `st` on the PATH; without it the test says it was skipped,
//! except where `SOUNDING_SCHEMATHESIS=required` (CI, see `.ci/run`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_sounding");
const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/schemathesis/schemathesis.toml"
);
const PASSWORD: &str = "correct horse battery staple";

fn available() -> bool {
    let found = Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("SOUNDING_SCHEMATHESIS").as_deref() == Ok("required") {
        panic!("schemathesis (st) is required here but not installed: pip install schemathesis");
    }
    if !found {
        eprintln!("skipped: schemathesis (st) is not installed");
    }
    found
}

/// Runs schemathesis against `address` with `extra` arguments; its output
/// and whether it found nothing wrong.
fn schemathesis(address: &str, extra: &[&str]) -> (String, bool) {
    let output = Command::new("st")
        .args([
            "--config-file",
            CONFIG,
            "run",
            &format!("{address}api/openapi.json"),
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (text, output.status.success())
}

#[test]
fn the_api_does_what_its_openapi_document_says() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("schemathesis.db");
    let database = database.to_str().expect("utf-8 path");
    let mut add = Command::new(BINARY)
        .args([
            "--database",
            database,
            "user",
            "add",
            "officer@example.gov.uk",
            "--role",
            "officer",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("add a user");
    {
        use std::io::Write;
        let mut stdin = add.stdin.take().expect("stdin");
        writeln!(stdin, "{PASSWORD}").expect("password");
    }
    assert!(add.wait().expect("user added").success());
    let mut server = Command::new(BINARY)
        .args([
            "--database",
            database,
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--insecure-cookies",
        ])
        .env("SOUNDING_POSTS_PER_MINUTE", "1000000")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sounding");
    let stdout = server.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Sounding is running at ")
                .map(|rest| rest.split(' ').next().unwrap_or("").to_string())
        })
        .expect("the server prints its address");
    let token = bearer_token(&address);
    let anonymous = schemathesis(&address, &[]);
    // Signing out would end the token the rest of the run uses: the
    // anonymous run covers that operation.
    let authorised = schemathesis(
        &address,
        &[
            "-H",
            &format!("Authorization: Bearer {token}"),
            "--exclude-name",
            "DELETE /api/v1/sessions/current",
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(anonymous.1, "schemathesis, anonymous:\n{}", anonymous.0);
    assert!(
        authorised.1,
        "schemathesis, with a bearer token:\n{}",
        authorised.0
    );
}

/// An officer's bearer token from the live server.
fn bearer_token(address: &str) -> String {
    use std::io::{Read, Write};
    let host = address.trim_start_matches("http://").trim_end_matches('/');
    let body = json!({ "email": "officer@example.gov.uk", "password": PASSWORD }).to_string();
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "POST /api/v1/sessions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    let json = reply.split("\r\n\r\n").nth(1).expect("a body");
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    value["token"].as_str().expect("a token").to_string()
}
