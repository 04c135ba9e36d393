//! Opening the database for the command line and the server: its URL, a
//! connection, the pool, and the migrations every start applies.

use super::model::{Connection, Pool};
use super::{ServiceError, ServiceResult};
use crate::db;

pub use crate::db::{DatabaseUrl, PoolOptions};

/// A connection to the database at `url`.
pub fn connect(url: &DatabaseUrl) -> ServiceResult<Connection> {
    url.connect().map_err(|e| {
        ServiceError::Unavailable(format!("cannot open the database {}: {e}", url.redacted()))
    })
}

/// Applies every pending migration; returns the names applied.
pub fn migrate(url: &DatabaseUrl) -> ServiceResult<Vec<String>> {
    let mut conn = connect(url)?;
    db::migrations::run_pending(&mut conn).map_err(|e| ServiceError::Unavailable(e.to_string()))
}

/// Migrates, then connects: what every command that uses the data does.
pub fn open(url: &DatabaseUrl) -> ServiceResult<Connection> {
    migrate(url)?;
    connect(url)
}

/// The pool of connections the server draws from.
pub fn pool(url: &DatabaseUrl, options: &PoolOptions) -> ServiceResult<Pool> {
    db::pool::open(url, options).map_err(|e| {
        ServiceError::Unavailable(format!("cannot open the database {}: {e}", url.redacted()))
    })
}
