//! The connection pool: connections are born configured.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use super::connection::{Backend, DatabaseUrl, DbConnection};

/// A pool of database connections.
pub type DbPool = r2d2::Pool<ConnectionManager>;

/// A connection borrowed from the pool.
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// How long a request waits for a free connection before giving up with
/// 503. r2d2's default of 30 s would leave people staring at a hung page.
pub const POOL_WAIT: Duration = Duration::from_secs(5);

/// How long SQLite waits on a lock held by another writer.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Opens connections for one URL and configures each as it is born.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    /// A manager for `url`.
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// Per-connection SQLite settings: foreign keys are off by default in
/// SQLite; `synchronous=FULL` makes an acknowledged response survive a power
/// cut even in WAL mode; the busy timeout queues writers instead of failing;
/// temporary data (the savepoint journal of a group commit) stays in memory.
fn configure_sqlite(conn: &mut diesel::SqliteConnection) -> QueryResult<()> {
    conn.batch_execute(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;"
    ))
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut conn = self.url.connect().map_err(r2d2::Error::ConnectionError)?;
        if let DbConnection::Sqlite(sqlite) = &mut conn {
            configure_sqlite(sqlite).map_err(r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// Pool settings from configuration.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long to wait for a free connection.
    pub wait: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            wait: POOL_WAIT,
        }
    }
}

/// Builds a pool for `url`. For SQLite, switches the file to WAL once (the
/// mode is stored in the file), so readers never wait for the writer.
///
/// The pool starts empty and connects lazily, so a service whose database is
/// down still starts and reports itself unhealthy rather than crashing.
pub fn open(url: &DatabaseUrl, options: &PoolOptions) -> Result<DbPool, r2d2::Error> {
    if url.backend() == Backend::Sqlite {
        let mut conn = ConnectionManager::new(url.clone()).connect()?;
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(r2d2::Error::QueryError)?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.wait)
        // A PostgreSQL connection whose server went away does not know it
        // is broken until used; checking each on check-out (one round trip)
        // is what lets the service recover by itself when the server is
        // back. A SQLite file cannot go away like that.
        .test_on_check_out(url.backend() == Backend::Postgres)
        .build_unchecked(ConnectionManager::new(url.clone()));
    Ok(pool)
}
