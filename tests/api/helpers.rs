//! Test harness: a fresh database per test (a temp SQLite file, or a new
//! PostgreSQL database created and dropped by the test) and a real server on
//! port 0.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use sounding::db::{self, DatabaseUrl, DbConnection, DbPool, PoolOptions};
use sounding::web::clock::Clock;
use sounding::web::{self, AppState, WebSettings};

/// The secret key the test apps sign with.
pub const TEST_SECRET: &[u8] = b"test secret key of at least thirty-two bytes";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database that disappears when dropped.
pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server tests use, from `TEST_DATABASE_URL`. In CI it must
/// be set: a PostgreSQL test that silently skipped would prove nothing.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TEST_DATABASE_URL must point at PostgreSQL in CI (see .ci/run)")
        }
        _ => {
            eprintln!(
                "skipped: TEST_DATABASE_URL is not set, so the PostgreSQL variant did not run"
            );
            None
        }
    }
}

impl TestDb {
    /// A fresh database of `kind`, migrated; `None` when PostgreSQL is not configured.
    pub fn new(kind: Kind) -> Option<Self> {
        let db = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                let url =
                    DatabaseUrl::parse(path.to_str().expect("utf-8 path")).expect("sqlite url");
                Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Kind::Postgres => {
                let admin = postgres_admin_url()?;
                let name = format!(
                    "sounding_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand_suffix()
                );
                admin_connection(&admin)
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let url =
                    DatabaseUrl::parse(&replace_database(&admin, &name)).expect("postgres url");
                Self {
                    url,
                    _dir: None,
                    postgres: Some((admin, name)),
                }
            }
        };
        let mut conn = db.connect();
        db::migrations::run_pending(&mut conn).expect("migrations");
        Some(db)
    }

    /// A new connection (SQLite ones with the same pragmas as the pool's).
    pub fn connect(&self) -> DbConnection {
        use diesel::r2d2::ManageConnection;
        db::pool::ConnectionManager::new(self.url.clone())
            .connect()
            .expect("connect")
    }

    /// A pool like the service's.
    pub fn pool(&self) -> DbPool {
        db::pool::open(&self.url, &PoolOptions::default()).expect("pool")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            let _ = admin_connection(admin)
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn admin_connection(admin: &str) -> DbConnection {
    DatabaseUrl::parse(admin)
        .expect("admin url")
        .connect()
        .expect("connect to TEST_DATABASE_URL")
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.load(Ordering::SeqCst).into());
    h.finish() % 1_000_000
}

/// Swaps the database name in a PostgreSQL URL.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_and_path = &base[scheme_end..];
    let host = host_and_path.split('/').next().unwrap_or(host_and_path);
    let mut out = format!("{}{}/{}", &base[..scheme_end], host, name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A running server on a fresh database, with a clock the test controls.
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: awc::Client,
    pub clock: Clock,
}

/// A response's status, headers and body.
pub struct Page {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Page {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of the hidden (or other) input called `name`.
    pub fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(html_unescape(&self.body[start..end]))
    }
}

/// Undoes handlebars' HTML escaping.
pub fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl TestApp {
    /// Starts the service on port 0 over a fresh database of `kind`.
    pub async fn spawn(kind: Kind) -> Option<Self> {
        let db = TestDb::new(kind)?;
        Some(Self::spawn_on(db))
    }

    /// Starts the service over an existing test database.
    pub fn spawn_on(db: TestDb) -> Self {
        Self::spawn_with(db, WebSettings::default())
    }

    /// Starts the service sending receipts through `mailer`.
    pub fn spawn_with_mailer(db: TestDb, mailer: sounding::mail::Mailer) -> Self {
        Self::start(db, WebSettings::default(), Some(mailer))
    }

    /// Starts the service with particular settings.
    pub fn spawn_with(db: TestDb, settings: WebSettings) -> Self {
        Self::start(db, settings, None)
    }

    /// Starts the service over `pool` (a pool of particular size or wait,
    /// or one reaching the database another way).
    pub fn spawn_with_pool(db: TestDb, pool: DbPool, settings: WebSettings) -> Self {
        Self::start_on(db, pool, settings, None)
    }

    fn start(db: TestDb, settings: WebSettings, mailer: Option<sounding::mail::Mailer>) -> Self {
        let pool = db.pool();
        Self::start_on(db, pool, settings, mailer)
    }

    fn start_on(
        db: TestDb,
        pool: DbPool,
        settings: WebSettings,
        mailer: Option<sounding::mail::Mailer>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let clock = Clock::fixed(chrono::Utc::now());
        let mut state = AppState::new(pool, TEST_SECRET, clock.clone(), settings);
        if let Some(mailer) = mailer {
            state = state.with_mailer(mailer);
        }
        let server = web::serve(listener, state, 1).expect("server");
        actix_web::rt::spawn(server);
        // awc's default 5 s is too short for a 65 MiB upload to a debug
        // build on a busy two-core machine.
        let client = awc::Client::builder()
            .disable_redirects()
            .timeout(std::time::Duration::from_secs(30))
            .finish();
        Self {
            address,
            db,
            client,
            clock,
        }
    }

    /// A second instance of the service over the same database, signing
    /// with the same key (as behind a load balancer); returns its address.
    pub fn second_instance(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let state = AppState::new(
            self.db.pool(),
            TEST_SECRET,
            self.clock.clone(),
            WebSettings::default(),
        );
        let server = web::serve(listener, state, 1).expect("server");
        actix_web::rt::spawn(server);
        address
    }

    /// A browser with its own cookie jar.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            address: self.address.clone(),
            client: self.client.clone(),
            cookies: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            _app: std::marker::PhantomData,
        }
    }

    /// Loads a fixture into this app's database.
    pub fn load_fixture(&self, name: &str) {
        let mut conn = self.db.connect();
        sounding::service::fixtures::load(&mut conn, name).expect("fixture loads");
    }

    /// GETs a path without cookies.
    pub async fn get(&self, path: &str) -> Page {
        self.browser().get(path).await
    }
}

/// A client that keeps cookies like a browser, and never follows redirects
/// (tests look at them).
pub struct Browser<'a> {
    address: String,
    client: awc::Client,
    cookies: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    _app: std::marker::PhantomData<&'a TestApp>,
}

impl Browser<'static> {
    /// A browser for a server this test did not start in-process (a child
    /// process), at `address` (`http://127.0.0.1:PORT`).
    pub fn at(address: &str) -> Self {
        Browser {
            address: address.to_string(),
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            cookies: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            _app: std::marker::PhantomData,
        }
    }
}

type Body = awc::ClientResponse<actix_web::dev::Decompress<actix_web::dev::Payload>>;

impl Browser<'_> {
    /// The same browser (its cookies) pointed at another instance.
    pub fn moved_to(&self, address: &str) -> Browser<'static> {
        let moved = Browser::at(address);
        *moved.cookies.borrow_mut() = self.cookies.borrow().clone();
        moved
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&self, mut response: Body) -> Page {
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        for (name, value) in &headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                let pair = value.split(';').next().unwrap_or("");
                if let Some((n, v)) = pair.split_once('=') {
                    self.cookies
                        .borrow_mut()
                        .insert(n.trim().to_string(), v.trim().to_string());
                }
            }
        }
        let body = response.body().limit(20 * 1024 * 1024).await.expect("body");
        Page {
            status: response.status().as_u16(),
            body: String::from_utf8_lossy(&body).into_owned(),
            headers,
        }
    }

    /// GETs a path (with its query).
    pub async fn get(&self, path: &str) -> Page {
        self.try_get(path).await.expect("request")
    }

    /// GETs a path; a connection failure is an error rather than a panic
    /// (for tests that stop the server).
    pub async fn try_get(&self, path: &str) -> Result<Page, String> {
        let response = self
            .client
            .get(format!("{}{}", self.address, path))
            .insert_header(("Cookie", self.cookie_header()))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(self.read(response).await)
    }

    /// POSTs a form; a connection failure is an error rather than a panic.
    pub async fn try_post(&self, path: &str, fields: &[(String, String)]) -> Result<Page, String> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.try_post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    /// POSTs a form.
    pub async fn post(&self, path: &str, fields: &[(String, String)]) -> Page {
        self.try_post(path, fields).await.expect("request")
    }

    /// POSTs raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        self.try_post_raw(path, content_type, body)
            .await
            .expect("request")
    }

    async fn try_post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Page, String> {
        let response = self
            .client
            .post(format!("{}{}", self.address, path))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .map_err(|e| e.to_string())?;
        Ok(self.read(response).await)
    }
}

/// Form fields from (name, value) string pairs.
pub fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Declares each test twice: on SQLite and, when configured, on PostgreSQL.
/// `db_test!` tests get a migrated connection; `app_test!` tests a running app.
#[macro_export]
macro_rules! db_test {
    ($(fn $name:ident($conn:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($conn: &mut sounding::db::DbConnection) $body
            #[test]
            fn on_sqlite() {
                let db = $crate::helpers::TestDb::new($crate::helpers::Kind::Sqlite).expect("sqlite");
                run(&mut db.connect());
            }
            #[test]
            fn on_postgres() {
                let Some(db) = $crate::helpers::TestDb::new($crate::helpers::Kind::Postgres) else { return };
                run(&mut db.connect());
            }
        }
    )*};
}

/// See [`db_test!`].
#[macro_export]
macro_rules! app_test {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body
            #[actix_web::test]
            async fn on_sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Kind::Sqlite).await.expect("sqlite");
                run(app).await;
            }
            #[actix_web::test]
            async fn on_postgres() {
                let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Kind::Postgres).await else { return };
                run(app).await;
            }
        }
    )*};
}

/// The password every test user gets.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates a staff user with `role`.
    pub fn add_user(&self, email: &str, role: sounding::domain::Role) {
        let mut conn = self.db.connect();
        sounding::service::users::add(&mut conn, email, "", role, TEST_PASSWORD).expect("user");
    }

    /// A browser signed in as a new user with `role`.
    pub async fn signed_in(&self, email: &str, role: sounding::domain::Role) -> Browser<'_> {
        self.add_user(email, role);
        let browser = self.browser();
        let form = browser.get("/sign-in").await;
        let page = browser
            .post(
                "/sign-in",
                &fields(&[
                    ("csrf_token", &form.input("csrf_token").expect("token")),
                    ("email", email),
                    ("password", TEST_PASSWORD),
                    ("next", "/staff"),
                ]),
            )
            .await;
        assert_eq!(page.status, 303, "sign-in: {}", page.body);
        browser
    }
}

impl Browser<'_> {
    /// GETs `page` and posts `fields` with that page's CSRF token.
    pub async fn submit(&self, page: &str, action: &str, pairs: &[(&str, &str)]) -> Page {
        let form = self.get(page).await;
        let mut all = fields(pairs);
        all.push((
            "csrf_token".into(),
            form.input("csrf_token").expect("csrf token on page"),
        ));
        self.post(action, &all).await
    }
}

impl TestApp {
    /// Loads the Cheltenham fixture and opens it for responses until the end
    /// of `closes` (London time); returns its id.
    pub fn open_cheltenham(&self, closes: chrono::NaiveDate) -> sounding::domain::ConsultationId {
        self.load_fixture("cheltenham-2011");
        let mut conn = self.db.connect();
        let now = chrono::Utc::now().naive_utc();
        sounding::service::fixtures::open_for_trial(&mut conn, "cheltenham-2011", closes, now)
            .expect("open");
        sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011")
            .expect("query")
            .expect("found")
            .id
    }

    /// Moves a consultation's closing time.
    pub fn set_closing(
        &self,
        id: sounding::domain::ConsultationId,
        closes: chrono::DateTime<chrono::Utc>,
    ) {
        use diesel::prelude::*;
        use sounding::db::schema::consultations;
        let mut conn = self.db.connect();
        diesel::update(consultations::table.find(id))
            .set(consultations::closes_at.eq(Some(closes.naive_utc())))
            .execute(&mut conn)
            .expect("closing time");
    }

    /// The id of the Cheltenham consultation's required question.
    pub fn required_question(&self) -> i64 {
        required_question_of(&mut self.db.connect())
    }
}

/// The id of the Cheltenham consultation's required question.
pub fn required_question_of(conn: &mut DbConnection) -> i64 {
    let c = sounding::db::consultations::by_slug(conn, "cheltenham-2011")
        .expect("query")
        .expect("found");
    sounding::db::document::questions_of(conn, c.id)
        .expect("questions")
        .into_iter()
        .find(|q| q.required)
        .expect("a required question")
        .id
        .0
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_swapped_in_postgres_urls() {
        assert_eq!(
            super::replace_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://h", "x"),
            "postgres://h/x"
        );
    }
}
