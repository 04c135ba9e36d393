//! One connection type for both backends, chosen from the URL scheme.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

diesel::define_sql_function! {
    /// SQL `lower()`, for case-insensitive search on both backends (SQLite
    /// folds ASCII letters only).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A connection to SQLite or PostgreSQL. Queries are written once against
/// this type; `match` on it only where the dialects really differ.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// The embedded default.
    Sqlite(diesel::SqliteConnection),
    /// For large or multi-instance deployments.
    Pg(diesel::PgConnection),
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file path, `sqlite://path` or `file:path`.
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

/// A database URL that names a supported backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the backend's driver is given (a path for SQLite).
    target: String,
}

/// A database URL we cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    /// Nothing was given.
    #[error("the database URL is empty; set DATABASE_URL or --database")]
    Empty,
    /// A scheme such as `mysql://`.
    #[error(
        "unsupported database URL scheme “{0}”: use a SQLite file path (e.g. sounding.db) or postgres://user@host/dbname"
    )]
    UnsupportedScheme(String),
}

impl DatabaseUrl {
    /// Reads the backend from the URL scheme. SQLite accepts any string as a
    /// path, so the scheme decides; backends are never tried in turn.
    pub fn parse(url: &str) -> Result<Self, DatabaseUrlError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_string(),
            });
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_string(),
            });
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(DatabaseUrlError::UnsupportedScheme(scheme.to_string()));
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: url.to_string(),
        })
    }

    /// The engine this URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What the driver connects to (the SQLite path, or the full PostgreSQL URL).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The URL with any password hidden, for logs and error messages.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.target.clone(),
            Backend::Postgres => redact_password(&self.target),
        }
    }

    /// Opens one connection to the named backend.
    pub fn connect(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Sqlite => {
                diesel::SqliteConnection::establish(&self.target).map(DbConnection::Sqlite)
            }
            Backend::Postgres => {
                diesel::PgConnection::establish(&with_connect_timeout(&self.target))
                    .map(DbConnection::Pg)
            }
        }
    }
}

/// libpq waits for ever by default; a request must never hang on a
/// database that does not answer.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&connect_timeout=5")
    } else {
        format!("{url}?connect_timeout=5")
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[derive(QueryableByName)]
struct LastId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The id given to the row this connection inserted last.
///
/// Shared code avoids `RETURNING` (its support differs between the two
/// backends in diesel); each backend keeps the last id per connection, so
/// this is exact inside the same transaction.
pub fn last_insert_id(conn: &mut DbConnection) -> QueryResult<i64> {
    let row: LastId = match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("SELECT last_insert_rowid() AS id").get_result(c)?
        }
        DbConnection::Pg(c) => diesel::sql_query("SELECT lastval() AS id").get_result(c)?,
    };
    Ok(row.id)
}

/// Runs `work` in a transaction that will write. On SQLite the write lock is
/// taken first: a transaction that reads and then writes cannot wait for
/// another writer (SQLite refuses it with "database is locked" at once,
/// whatever the busy timeout, because its snapshot is stale), while one that
/// starts by writing queues behind the busy timeout like any writer.
/// PostgreSQL locks rows as they are written and needs nothing extra.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if matches!(conn, DbConnection::Sqlite(_)) {
            // A write that changes nothing, to take the lock.
            diesel::connection::SimpleConnection::batch_execute(
                conn,
                "UPDATE consultations SET id = id WHERE 1 = 0",
            )?;
        }
        work(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sounding.db").map(|u| u.backend()),
            Ok(Backend::Sqlite)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").map(|u| u.target),
            Ok("/tmp/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
    }

    #[test]
    fn unknown_schemes_and_empty_urls_are_refused_clearly() {
        assert_eq!(DatabaseUrl::parse(" "), Err(DatabaseUrlError::Empty));
        let err = DatabaseUrl::parse("mysql://root@localhost/x").unwrap_err();
        assert!(
            err.to_string()
                .contains("unsupported database URL scheme “mysql”")
        );
    }

    #[test]
    fn passwords_are_hidden_in_logs() {
        let url =
            DatabaseUrl::parse("postgres://sounding:s3cret@db.example/sounding").expect("valid");
        assert_eq!(
            url.redacted(),
            "postgres://sounding:***@db.example/sounding"
        );
    }

    #[test]
    fn a_connect_timeout_is_added_unless_given() {
        assert_eq!(
            with_connect_timeout("postgres://h/db"),
            "postgres://h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?a=b"),
            "postgres://h/db?a=b&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9"),
            "postgres://h/db?connect_timeout=9"
        );
    }
}
