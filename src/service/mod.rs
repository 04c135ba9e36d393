//! Use cases shared by the web layer and the CLI. Synchronous: each takes a
//! `&mut DbConnection` and runs without an async runtime.

pub mod access;
pub mod analysis;
pub mod audit;
pub mod auth;
pub mod consultations;
pub mod database;
pub mod editing;
pub mod error;
pub mod fixtures;
pub mod group_commit;
pub mod health;
pub mod import;
pub mod limits;
pub mod model;
pub mod outcome;
pub mod passwords;
pub mod publication;
pub mod responses;
pub mod retention;
pub mod saved;
pub mod submission;
pub mod summary;
pub mod users;
pub mod workspace;

pub use error::{ServiceError, ServiceResult};
