//! The officers' pages at the scale of a real consultation: 500 letters of
//! four points each (2,000 issues, from real texts), imported, tagged and
//! analysed, then every workspace page timed over loopback against the
//! release build of `sounding serve`, signed in as an officer.
//!
//! ```sh
//! cargo bench --bench workspace_pages                        # SQLite
//! cargo bench --bench workspace_pages -- --postgres postgres://postgres@127.0.0.1/postgres
//! ```
//!
//! Prints, for each page, its size and the median and slowest of 20
//! requests. The goal (issue #19): every page under 200 ms server-side.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sounding::db::{self, DatabaseUrl};
use sounding::domain::{ConsultationStatus, Role};
use sounding::service::access::Caller;
use sounding::service::{fixtures, import};

mod support;
use support::BenchDatabase;
use support::http::HttpConnection;

const SLUG: &str = "cheltenham-2011";
const LETTERS: usize = 500;
const POINTS: usize = 4;
const TIMES: usize = 20;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag = &html[html[..at].rfind('<')?..at + html[at..].find('>')?];
    Some(tag.split("value=\"").nth(1)?.split('"').next()?.to_string())
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// 500 letters of four numbered points each, as a CSV file.
fn letters() -> Vec<u8> {
    let (texts, _) = support::real_texts();
    let texts: Vec<String> = texts
        .into_iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| t.len() > 20 && !t.chars().any(char::is_control))
        .collect();
    let mut out = String::from("Name,Date received,Comments\r\n");
    for i in 0..LETTERS {
        let points: Vec<String> = (0..POINTS)
            .map(|p| {
                format!(
                    "{}. {}",
                    p + 1,
                    texts[(i * POINTS + p) % texts.len()].replace('"', "'")
                )
            })
            .collect();
        out.push_str(&format!(
            "Resident {i},{:02}/08/2011,\"{}\"\r\n",
            1 + i % 28,
            points.join("\n")
        ));
    }
    out.into_bytes()
}

fn main() -> anyhow::Result<()> {
    let database = BenchDatabase::fresh(arg("--postgres").as_deref(), "pages")?;
    let url = database.url.clone();
    let mut conn = DatabaseUrl::parse(&url)?.connect()?;
    db::migrations::run_pending(&mut conn)?;
    fixtures::load(&mut conn, SLUG)?;
    let caller = Caller::System("bench");
    let scope = sounding::service::access::open(&mut conn, &caller, SLUG)?;
    let started = Instant::now();
    let table = import::read(&letters())?;
    let (questions, _) = import::questions(&mut conn, &scope)?;
    let mapping = sounding::import::Mapping::guess(&table.headers, &questions);
    let done = import::import(
        &mut conn,
        &scope,
        (&table, "letters.csv"),
        &mapping,
        chrono::Utc::now(),
        &mut |_, _| {},
    )?;
    let imported = started.elapsed();
    let analysed = Instant::now();
    sounding::service::analysis::run(
        &mut conn,
        SLUG,
        sounding::service::analysis::Mode::Full,
        &Default::default(),
        None,
        chrono::Utc::now(),
        &|_| {},
    )?;
    let analysed = analysed.elapsed();
    let c =
        db::consultations::by_slug(&mut conn, SLUG)?.ok_or_else(|| anyhow::anyhow!("fixture"))?;
    db::consultations::set_status(
        &mut conn,
        c.id,
        ConsultationStatus::Closed,
        chrono::Utc::now().naive_utc(),
    )?;
    let issues = db::issues::of_consultation(&mut conn, c.id)?;
    let theme = db::themes::of_consultation(&mut conn, c.id)?
        .first()
        .map(|t| t.id.0)
        .ok_or_else(|| anyhow::anyhow!("no themes"))?;
    let password = "a long bench passphrase";
    sounding::service::users::add(
        &mut conn,
        "bench@example.gov.uk",
        "Bench Officer",
        Role::Officer,
        password,
    )?;
    drop(conn);
    println!(
        "{} letters ({} issues in all) imported in {:.1} s, analysed in {:.1} s, on {}",
        done.imported,
        issues.len(),
        imported.as_secs_f64(),
        analysed.as_secs_f64(),
        if database.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sounding"))
        .args([
            "serve",
            "--database",
            &url,
            "--bind",
            &address.to_string(),
            "--insecure-cookies",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let ready = Instant::now();
    while HttpConnection::open(address, Duration::from_secs(60))
        .and_then(|mut b| b.request("GET", "/healthz", None))
        .map_or(true, |r| r.status != 200)
    {
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut browser = HttpConnection::open(address, Duration::from_secs(60))?;
    let form = browser.request("GET", "/sign-in", None)?.body;
    let token = input_value(&form, "csrf_token").ok_or_else(|| anyhow::anyhow!("no token"))?;
    let body = format!(
        "csrf_token={}&email=bench%40example.gov.uk&password={}",
        encode(&token),
        encode(password)
    );
    let status = browser.request("POST", "/sign-in", Some(&body))?.status;
    anyhow::ensure!(status == 303, "sign-in answered {status}");

    let base = format!("/staff/consultations/{SLUG}");
    let middle = &issues[issues.len() / 2];
    let reference = db::responses::references_of(
        &mut DatabaseUrl::parse(&url)?.connect()?,
        &[middle.response_id],
    )?
    .pop()
    .map(|(_, r)| r)
    .unwrap_or_default();
    let pages = [
        ("workspace overview", format!("{base}/workspace")),
        ("inbox, first page", format!("{base}/inbox")),
        ("inbox, page 10", format!("{base}/inbox?page=10")),
        ("inbox, searched", format!("{base}/inbox?q=staff+friendly")),
        ("a response", format!("{base}/inbox/{reference}")),
        ("themes", format!("{base}/themes")),
        ("a theme", format!("{base}/themes/{theme}")),
        (
            "drafting an issue",
            format!("{base}/issues/{}/draft", middle.id.0),
        ),
        ("consultees", format!("{base}/consultees")),
        ("publish check", format!("{base}/publish")),
        ("after the consultation", format!("{base}/outcome")),
        (
            "summary table (staff)",
            format!("/consultations/{SLUG}/summary"),
        ),
    ];
    println!(
        "{:<26} {:>9} {:>9} {:>9}",
        "page", "KiB", "p50 ms", "max ms"
    );
    let mut worst = 0.0f64;
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(TIMES);
        let mut size = 0;
        for _ in 0..TIMES {
            let start = Instant::now();
            let reply = browser.request("GET", path, None)?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(reply.status == 200, "{path} answered {}", reply.status);
            size = reply.body.len();
        }
        times.sort_by(f64::total_cmp);
        let (p50, max) = (times[TIMES / 2], times[TIMES - 1]);
        worst = worst.max(p50);
        println!(
            "{name:<26} {:>9.0} {p50:>9.1} {max:>9.1}",
            size as f64 / 1024.0
        );
    }
    println!("slowest median: {worst:.1} ms (goal: under 200 ms)");
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}
