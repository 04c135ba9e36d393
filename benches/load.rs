//! Load benchmark: starts the release build of `sounding serve` on a fresh
//! database, then drives it over loopback from this second process with
//! keep-alive HTTP/1.1 connections, one thread each.
//!
//! ```sh
//! cargo bench --bench load                                  # SQLite
//! cargo bench --bench load -- --postgres postgres://postgres@127.0.0.1/postgres
//! cargo bench --bench load -- --seconds 20 --connections 64 --only submit
//! ```
//!
//! Two runs, one after the other: **reads** of the public consultation page,
//! and **submissions** — each virtual consultee opens the response form (a
//! fresh CSRF token), then posts a response made of real texts and waits for
//! the 303 that follows the commit. Prints throughput and p50/p99/max latency,
//! then checks every acknowledged submission is in the database.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sounding::analysis::rng::SplitMix64;
use sounding::db::{self, DatabaseUrl};
use sounding::service::fixtures;

mod support;
use support::BenchDatabase;
use support::http::HttpConnection;

const SLUG: &str = "cheltenham-2011";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// `value="…"` of the input named `name`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_end = at + html[at..].find('>')?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_end];
    let value = tag.split("value=\"").nth(1)?;
    Some(value.split('"').next()?.to_string())
}

/// The names of the free-text answers on the form.
fn text_answers(html: &str) -> Vec<String> {
    html.split("<textarea")
        .skip(1)
        .filter_map(|tag| tag.split("name=\"").nth(1)?.split('"').next())
        .filter(|name| name.starts_with("answer-"))
        .map(str::to_string)
        .collect()
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3 / 2);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// One consultee's form, filled with real texts.
fn response_form(form_page: &str, texts: &[String], rng: &mut SplitMix64) -> Option<String> {
    let token = input_value(form_page, "csrf_token")?;
    let mut pick = || texts[rng.below(texts.len())].as_str();
    let mut fields: Vec<(String, String)> = vec![
        ("csrf_token".into(), token),
        ("name".into(), "Load Test Resident".into()),
        ("on_behalf".into(), "no".into()),
        ("publication".into(), "anonymous".into()),
        ("point-1-text".into(), pick().into()),
        ("point-2-text".into(), pick().into()),
        ("action".into(), "submit".into()),
    ];
    for answer in text_answers(form_page) {
        fields.push((answer, pick().into()));
    }
    Some(
        fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

/// What one worker saw: latencies in microseconds, and failures.
#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    failures: usize,
    first_failure: Option<String>,
}

impl Tally {
    fn fail(&mut self, why: String) {
        self.failures += 1;
        self.first_failure.get_or_insert(why);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    Read,
    Submit,
}

fn worker(
    address: SocketAddr,
    scenario: Scenario,
    seed: u64,
    texts: Arc<Vec<String>>,
    stop: Arc<AtomicBool>,
) -> Tally {
    let mut tally = Tally::default();
    let mut rng = SplitMix64::new(seed);
    let mut connection = None;
    let page = format!("/consultations/{SLUG}");
    let form_path = format!("/consultations/{SLUG}/respond");
    while !stop.load(Ordering::Relaxed) {
        let conn = match &mut connection {
            Some(conn) => conn,
            None => match HttpConnection::open(address, Duration::from_secs(30)) {
                Ok(conn) => connection.insert(conn),
                Err(e) => {
                    tally.fail(format!("connect: {e}"));
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let outcome = match scenario {
            Scenario::Read => {
                let started = Instant::now();
                conn.request("GET", &page, None).map(|reply| {
                    (reply.status == 200)
                        .then(|| started.elapsed())
                        .ok_or(format!("GET page: {}", reply.status))
                })
            }
            Scenario::Submit => conn.request("GET", &form_path, None).and_then(|form| {
                let Some(body) = response_form(&form.body, &texts, &mut rng) else {
                    return Ok(Err(format!("form without a token: {}", form.status)));
                };
                let started = Instant::now();
                let reply = conn.request("POST", &form_path, Some(&body))?;
                Ok((reply.status == 303)
                    .then(|| started.elapsed())
                    .ok_or(format!(
                        "POST response: {} {:.200}",
                        reply.status,
                        reply
                            .body
                            .split("error-summary__list")
                            .nth(1)
                            .unwrap_or(&reply.body)
                    )))
            }),
        };
        match outcome {
            Ok(Ok(elapsed)) => tally
                .micros
                .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)),
            Ok(Err(why)) => tally.fail(why),
            Err(e) => {
                tally.fail(format!("connection: {e}"));
                connection = None;
            }
        }
    }
    tally
}

fn run(
    address: SocketAddr,
    scenario: Scenario,
    connections: usize,
    seconds: u64,
    texts: &Arc<Vec<String>>,
) -> usize {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|i| {
            let (stop, texts) = (stop.clone(), texts.clone());
            std::thread::spawn(move || worker(address, scenario, 7 + i as u64, texts, stop))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let tallies: Vec<Tally> = workers
        .into_iter()
        .map(|w| w.join().expect("worker"))
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let mut micros: Vec<u32> = tallies
        .iter()
        .flat_map(|t| t.micros.iter().copied())
        .collect();
    micros.sort_unstable();
    let failures: usize = tallies.iter().map(|t| t.failures).sum();
    let at = |q: f64| {
        micros
            .get(((micros.len() as f64 * q) as usize).min(micros.len().saturating_sub(1)))
            .map_or(0.0, |&m| f64::from(m) / 1000.0)
    };
    let name = match scenario {
        Scenario::Read => "reads of the consultation page",
        Scenario::Submit => "submissions (POST, committed before the 303)",
    };
    println!(
        "{name}: {} in {elapsed:.1} s = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {failures} failed",
        micros.len(),
        micros.len() as f64 / elapsed,
        at(0.50),
        at(0.99),
        micros.last().map_or(0.0, |&m| f64::from(m) / 1000.0),
    );
    if let Some(why) = tallies.iter().find_map(|t| t.first_failure.as_ref()) {
        println!("  first failure: {why}");
    }
    micros.len()
}

/// The service under test, stopped when done (and then its database
/// dropped: fields drop after `drop`).
struct Server {
    child: Child,
    database: BenchDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn main() -> anyhow::Result<()> {
    let seconds: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(10);
    let connections: usize = arg("--connections")
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let only = arg("--only");
    let database = BenchDatabase::fresh(arg("--postgres").as_deref(), "load")?;
    let url = database.url.clone();
    let parsed = DatabaseUrl::parse(&url)?;
    let mut conn = parsed.connect()?;
    db::migrations::run_pending(&mut conn)?;
    fixtures::load(&mut conn, SLUG)?;
    let now = chrono::Utc::now();
    fixtures::open_for_trial(
        &mut conn,
        SLUG,
        (now + chrono::Duration::days(30)).date_naive(),
        now.naive_utc(),
    )?;
    let counter = |conn: &mut db::DbConnection| -> anyhow::Result<i64> {
        Ok(db::consultations::by_slug(conn, SLUG)?.map_or(0, |c| c.responses_received))
    };
    let before = counter(&mut conn)?;
    drop(conn);

    let port = free_port();
    let address: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let child = Command::new(env!("CARGO_BIN_EXE_sounding"))
        .args(["serve", "--database", &url, "--bind", &address.to_string()])
        .args(["--insecure-cookies", "--posts-per-minute", "100000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let server = Server { child, database };
    let ready = Instant::now();
    while HttpConnection::open(address, Duration::from_secs(30))
        .and_then(|mut c| c.request("GET", "/healthz", None))
        .map_or(true, |r| r.status != 200)
    {
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (texts, origin) = support::real_texts();
    // A few real texts hold control characters (a vertical tab), which the
    // form refuses with a message; leave them out so "failed" means failed.
    let texts: Vec<String> = texts
        .into_iter()
        .filter(|t| {
            !t.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        })
        .collect();
    println!(
        "{} on {}, {connections} connections, {seconds} s each; texts from {origin}",
        env!("CARGO_BIN_EXE_sounding")
            .rsplit('/')
            .next()
            .unwrap_or("sounding"),
        if server.database.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite (WAL, synchronous=FULL)"
        },
    );
    let texts = Arc::new(texts);
    if only.as_deref() != Some("submit") {
        run(address, Scenario::Read, connections, seconds, &texts);
    }
    if only.as_deref() != Some("read") {
        let acknowledged = run(address, Scenario::Submit, connections, seconds, &texts);
        let stored = counter(&mut parsed.connect()?)? - before;
        println!("  {acknowledged} acknowledged with a reference, {stored} stored");
    }
    drop(server);
    Ok(())
}
