//! Faults: the server killed mid-stream, the database going away, a locked
//! or full SQLite file, more requests than connections. In each, whoever got
//! a success reply finds their response stored exactly once, whoever did not
//! gets a clear 503 page with their text, and the service recovers by itself.

use std::cell::Cell;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sounding::db::schema::responses;
use sounding::db::{self, DatabaseUrl, DbConnection, PoolOptions};
use sounding::service::fixtures;
use sounding::web::WebSettings;

use crate::helpers::{Browser, Kind, Page, TestApp, TestDb, required_question_of};

const SLUG: &str = "cheltenham-2011";
const FORM: &str = "/consultations/cheltenham-2011/respond";

/// Opens the Cheltenham consultation (by the real clock, as a child server
/// uses it) and returns the id of its required question.
pub fn open_consultation(conn: &mut DbConnection) -> i64 {
    fixtures::load(conn, SLUG).expect("fixture");
    let now = chrono::Utc::now();
    let closes = (now + chrono::Duration::days(30)).date_naive();
    fixtures::open_for_trial(conn, SLUG, closes, now.naive_utc()).expect("open");
    required_question_of(conn)
}

/// A complete individual response with `text` as its answer and point.
pub fn response_fields(token: &str, question: i64, text: &str) -> Vec<(String, String)> {
    [
        ("csrf_token", token),
        ("name", "Fault Test"),
        ("on_behalf", "no"),
        ("publication", "anonymous"),
        (&format!("answer-{question}"), text),
        ("point-1-text", text),
        ("action", "submit"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Opens the form and sends a response; the fields sent and the reply.
async fn respond(
    browser: &Browser<'_>,
    question: i64,
    text: &str,
) -> Result<(Vec<(String, String)>, Page), String> {
    let form = browser.try_get(FORM).await?;
    let token = form
        .input("csrf_token")
        .ok_or_else(|| format!("no form ({}): {:.300}", form.status, form.body))?;
    let fields = response_fields(&token, question, text);
    let page = browser.try_post(FORM, &fields).await?;
    Ok((fields, page))
}

/// The reference in a confirmation link.
pub fn reference_of(location: &str) -> String {
    location
        .split("/responses/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .expect("a response link")
        .to_string()
}

fn copies_of(conn: &mut DbConnection, reference: &str) -> i64 {
    responses::table
        .filter(responses::reference.eq(reference))
        .count()
        .get_result(conn)
        .expect("count")
}

/// A refusal that gives the consultee their words back.
fn assert_text_given_back(page: &Page, text: &str) {
    assert_eq!(page.status, 503, "{:.500}", page.body);
    assert!(
        page.body.contains(text),
        "the typed text must come back: {:.2000}",
        page.body
    );
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `sounding serve` as a child process, killed (SIGKILL) when dropped.
pub struct ChildServer {
    child: Child,
    pub address: String,
}

impl ChildServer {
    /// Starts the binary over `url` on `port`; `limit_file_blocks` runs it
    /// with that file-size limit (512-byte blocks) and SIGXFSZ ignored, so a
    /// write past it fails as on a full disk.
    pub async fn start(url: &str, port: u16, limit_file_blocks: Option<u64>) -> Self {
        let binary = env!("CARGO_BIN_EXE_sounding");
        let bind = format!("127.0.0.1:{port}");
        let args = [
            "serve",
            "--database",
            url,
            "--bind",
            &bind,
            "--insecure-cookies",
            "--posts-per-minute",
            "1000000",
        ];
        let mut command = match limit_file_blocks {
            Some(blocks) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!(
                        "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
                    ))
                    .arg(binary)
                    .args(args);
                c
            }
            None => {
                let mut c = Command::new(binary);
                c.args(args);
                c
            }
        };
        let child = command
            .env(
                "SOUNDING_SECRET_KEY",
                "fault tests keep one key across restarts",
            )
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let server = Self {
            child,
            address: format!("http://{bind}"),
        };
        let browser = Browser::at(&server.address);
        let started = Instant::now();
        loop {
            if let Ok(page) = browser.try_get("/healthz").await
                && page.status == 200
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What one consultee sent and was told.
struct Acknowledged {
    browser: Rc<Browser<'static>>,
    fields: Vec<(String, String)>,
    location: String,
}

async fn crash_mid_stream(kind: Kind) {
    let Some(test_db) = TestDb::new(kind) else {
        return;
    };
    let question = open_consultation(&mut test_db.connect());
    let url = test_db.url.target().to_string();
    let port = free_port();
    let mut server = ChildServer::start(&url, port, None).await;

    // Eight consultees send responses as fast as they can; the server is
    // killed once 120 have been acknowledged.
    let acknowledged: Rc<std::cell::RefCell<Vec<Acknowledged>>> = Rc::default();
    let count = Rc::new(Cell::new(0usize));
    let mut workers = Vec::new();
    for worker in 0..8 {
        let (acknowledged, count) = (acknowledged.clone(), count.clone());
        let address = server.address.clone();
        workers.push(actix_web::rt::spawn(async move {
            let browser = Rc::new(Browser::at(&address));
            for n in 0.. {
                let text = format!(
                    "Crash test response {worker}-{n}: the SLG needs the police authority."
                );
                match respond(&browser, question, &text).await {
                    Ok((fields, page)) if page.status == 303 => {
                        let location = page.header("location").expect("location").to_string();
                        acknowledged.borrow_mut().push(Acknowledged {
                            browser: browser.clone(),
                            fields,
                            location,
                        });
                        count.set(count.get() + 1);
                    }
                    Ok(_) => {}
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    let started = Instant::now();
    while count.get() < 120 && started.elapsed() < Duration::from_secs(60) {
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    for worker in workers {
        worker.await.expect("worker");
    }
    let acknowledged = acknowledged.take();
    assert!(
        acknowledged.len() >= 120,
        "only {} acknowledged",
        acknowledged.len()
    );

    // Every acknowledged response is there, exactly once.
    let mut conn = test_db.connect();
    for ack in &acknowledged {
        let reference = reference_of(&ack.location);
        assert_eq!(copies_of(&mut conn, &reference), 1, "{reference}");
    }
    let (rows, keys): (i64, i64) = responses::table
        .filter(responses::submission_key.is_not_null())
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::count(responses::submission_key).aggregate_distinct(),
        ))
        .get_result(&mut conn)
        .expect("counts");
    assert_eq!(rows, keys, "no form was stored twice");
    let stored_before = rows;

    // After a restart, sending an acknowledged form again (the consultee
    // pressed the button twice) finds the first response.
    let _server = ChildServer::start(&url, port, None).await;
    let first = &acknowledged[0];
    let mut again = first.browser.try_post(FORM, &first.fields).await;
    if again.is_err() {
        // The browser's kept-alive connection died with the old server.
        again = first.browser.try_post(FORM, &first.fields).await;
    }
    let again = again.expect("resend");
    assert_eq!(again.status, 303, "{:.500}", again.body);
    assert_eq!(
        reference_of(again.header("location").expect("location")),
        reference_of(&first.location)
    );
    let stored_after: i64 = responses::table
        .filter(responses::submission_key.is_not_null())
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(stored_after, stored_before);
}

#[actix_web::test]
async fn a_crash_loses_no_acknowledged_response_and_stores_none_twice_on_sqlite() {
    crash_mid_stream(Kind::Sqlite).await;
}

#[actix_web::test]
async fn a_crash_loses_no_acknowledged_response_and_stores_none_twice_on_postgres() {
    crash_mid_stream(Kind::Postgres).await;
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

fn integrity(conn: &mut DbConnection) -> String {
    diesel::sql_query("PRAGMA integrity_check")
        .load::<Integrity>(conn)
        .expect("integrity check")
        .into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; ")
}

#[actix_web::test]
async fn a_full_disk_gives_the_text_back_and_corrupts_nothing() {
    let test_db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let question = open_consultation(&mut test_db.connect());
    let path = test_db.url.target().to_string();
    let size = |p: &str| std::fs::metadata(p).map_or(0, |m| m.len());
    // Room for a few hundred kilobytes more in any one file.
    let blocks = (size(&path).max(size(&format!("{path}-wal"))) + 300 * 1024) / 512;
    let port = free_port();
    let mut server = ChildServer::start(&path, port, Some(blocks)).await;
    let browser = Browser::at(&server.address);
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for n in 0..5_000 {
        let text = format!(
            "Full disk response {n}: {}",
            "the partnership board must publish its minutes ".repeat(20)
        );
        let (_, page) = respond(&browser, question, &text).await.expect("reply");
        if page.status == 303 {
            acknowledged.push(reference_of(page.header("location").expect("location")));
        } else {
            refused = Some((page, text));
            break;
        }
    }
    let (page, text) = refused.expect("the disk filled up");
    assert_text_given_back(&page, &text);
    assert!(!acknowledged.is_empty());
    server.kill();

    let mut conn = test_db.connect();
    assert_eq!(integrity(&mut conn), "ok");
    for reference in &acknowledged {
        assert_eq!(copies_of(&mut conn, reference), 1, "{reference}");
    }
    // With room again, the service takes responses.
    let server = ChildServer::start(&path, port, None).await;
    let (_, page) = respond(
        &Browser::at(&server.address),
        question,
        "After the disk was freed.",
    )
    .await
    .expect("reply");
    assert_eq!(page.status, 303, "{:.500}", page.body);
}

#[actix_web::test]
async fn a_locked_sqlite_database_gives_the_text_back_and_recovers() {
    let test_db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let question = open_consultation(&mut test_db.connect());
    let app = TestApp::spawn_on(test_db);
    // The busy timeout is 5 s: a client that waits longer than the usual 5 s.
    let browser = Browser::at(&app.address);

    // Another program holds the write lock for longer than the busy timeout.
    let mut locker = app.db.connect();
    diesel::connection::SimpleConnection::batch_execute(&mut locker, "BEGIN IMMEDIATE")
        .expect("lock");
    let text = "Locked out: the Positive Participation Partnership should meet monthly.";
    let started = Instant::now();
    let (_, page) = respond(&browser, question, text).await.expect("reply");
    assert!(started.elapsed() < Duration::from_secs(15), "never hang");
    assert_text_given_back(&page, text);
    diesel::connection::SimpleConnection::batch_execute(&mut locker, "ROLLBACK").expect("unlock");

    assert_eq!(integrity(&mut locker), "ok");
    let (_, page) = respond(&browser, question, text).await.expect("reply");
    assert_eq!(page.status, 303, "{:.500}", page.body);
}

/// A TCP relay to PostgreSQL that the test can cut (connections refused,
/// open ones closed) and restore, as when the database server stops.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let relay = Self {
            port,
            up: Arc::new(AtomicBool::new(true)),
            open: Arc::default(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (up, open, stop) = (relay.up.clone(), relay.open.clone(), relay.stop.clone());
        std::thread::spawn(move || {
            let mut listener = Some(listener);
            while !stop.load(Ordering::SeqCst) {
                if !up.load(Ordering::SeqCst) {
                    listener = None; // connections are now refused
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                let Some(l) = listener.as_ref() else {
                    listener = TcpListener::bind(("127.0.0.1", port)).ok();
                    if let Some(l) = &listener {
                        let _ = l.set_nonblocking(true);
                    }
                    continue;
                };
                let _ = l.set_nonblocking(true);
                match l.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(target) else {
                            continue;
                        };
                        let pipes = [
                            (client.try_clone(), server.try_clone()),
                            (server.try_clone(), client.try_clone()),
                        ];
                        if let Ok(mut open) = open.lock() {
                            open.extend(client.try_clone());
                            open.extend(server.try_clone());
                        }
                        for (from, to) in pipes {
                            if let (Ok(mut from), Ok(mut to)) = (from, to) {
                                std::thread::spawn(move || {
                                    let _ = std::io::copy(&mut from, &mut to);
                                    let _ = to.shutdown(std::net::Shutdown::Both);
                                });
                            }
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        relay
    }

    /// The server "stops": new connections refused, open ones cut.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut open) = self.open.lock() {
            for stream in open.drain(..) {
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
    }
}

/// `postgres://user@host:port/name` → the same through `127.0.0.1:port`.
fn through(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let (authority, path) = rest.split_once('/').expect("database name");
    let user = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{user}127.0.0.1:{port}/{path}")
}

/// Where `TEST_DATABASE_URL`'s server listens.
fn postgres_address(url: &str) -> SocketAddr {
    let rest = url.split_once("://").expect("scheme").1;
    let authority = rest.split('/').next().expect("authority");
    let host_port = authority.rsplit('@').next().expect("host");
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{port}").parse().expect("address")
}

#[actix_web::test]
async fn postgres_going_away_gives_the_text_back_and_the_service_recovers_by_itself() {
    let Some(test_db) = TestDb::new(Kind::Postgres) else {
        return;
    };
    let question = open_consultation(&mut test_db.connect());
    let relay = Relay::start(postgres_address(test_db.url.target()));
    let url = DatabaseUrl::parse(&through(test_db.url.target(), relay.port)).expect("url");
    let options = PoolOptions {
        max_size: 4,
        wait: Duration::from_secs(2),
    };
    let pool = db::pool::open(&url, &options).expect("pool");
    let app = TestApp::spawn_with_pool(test_db, pool, WebSettings::default());
    let browser = app.browser();
    assert_eq!(browser.get("/healthz").await.status, 200);
    let form = browser.get(FORM).await;
    let token = form.input("csrf_token").expect("token");

    relay.cut();
    let text = "Sent while the database was down: the SLG must include the VCS.";
    let started = Instant::now();
    let page = browser
        .try_post(FORM, &response_fields(&token, question, text))
        .await
        .expect("reply");
    assert!(started.elapsed() < Duration::from_secs(20), "never hang");
    assert_text_given_back(&page, text);
    let health = browser.get("/healthz").await;
    assert_eq!(health.status, 503);
    assert!(health.body.contains("unhealthy"), "{}", health.body);

    relay.restore();
    let started = Instant::now();
    while browser.get("/healthz").await.status != 200 {
        assert!(started.elapsed() < Duration::from_secs(20), "no recovery");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, page) = respond(&browser, question, text).await.expect("reply");
    assert_eq!(page.status, 303, "{:.500}", page.body);
}

async fn more_requests_than_connections(kind: Kind) {
    let Some(test_db) = TestDb::new(kind) else {
        return;
    };
    let question = open_consultation(&mut test_db.connect());
    let options = PoolOptions {
        max_size: 1,
        wait: Duration::from_secs(1),
    };
    let pool = db::pool::open(&test_db.url, &options).expect("pool");
    let app = TestApp::spawn_with_pool(test_db, pool.clone(), WebSettings::default());
    let browser = app.browser();
    let form = browser.get(FORM).await;
    let token = form.input("csrf_token").expect("token");

    // Something else holds the only connection.
    let held = pool.get().expect("the only connection");
    let started = Instant::now();
    let page = browser.get("/").await;
    assert_eq!(page.status, 503, "{:.300}", page.body);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "wait, then refuse"
    );
    let text = "Sent while every connection was busy.";
    let page = browser
        .post(FORM, &response_fields(&token, question, text))
        .await;
    assert_text_given_back(&page, text);
    drop(held);

    assert_eq!(browser.get("/").await.status, 200);
    let (_, page) = respond(&browser, question, text).await.expect("reply");
    assert_eq!(page.status, 303, "{:.500}", page.body);
}

#[actix_web::test]
async fn more_requests_than_connections_wait_then_get_503_on_sqlite() {
    more_requests_than_connections(Kind::Sqlite).await;
}

#[actix_web::test]
async fn more_requests_than_connections_wait_then_get_503_on_postgres() {
    more_requests_than_connections(Kind::Postgres).await;
}

#[test]
fn relay_urls_keep_the_user_and_database() {
    assert_eq!(
        through("postgres://postgres@127.0.0.1:5432/sounding_test_1", 6000),
        "postgres://postgres@127.0.0.1:6000/sounding_test_1"
    );
    assert_eq!(
        postgres_address("postgres://postgres@localhost/postgres"),
        "127.0.0.1:5432".parse().expect("address")
    );
}
