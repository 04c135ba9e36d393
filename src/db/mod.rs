//! All SQL (diesel), written once for SQLite and PostgreSQL.
//!
//! Functions take `&mut DbConnection` first and return `QueryResult`;
//! missing rows are `Option`s (`.optional()`), never hidden errors.

pub mod analysis;
pub mod audit;
pub mod bulk;
pub mod connection;
pub mod consultations;
pub mod consultees;
pub mod document;
pub mod group_responses;
pub mod imports;
pub mod issues;
pub mod members;
pub mod migrations;
pub mod outcome;
pub mod pool;
pub mod responses;
pub mod revisions;
pub mod saved;
pub mod schema;
pub mod sessions;
pub mod structure;
pub mod themes;
pub mod users;

pub use connection::{Backend, DatabaseUrl, DatabaseUrlError, DbConnection, write_transaction};
pub use pool::{DbPool, PoolOptions, PooledConnection};
