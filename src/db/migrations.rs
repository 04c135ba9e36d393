//! Embedded migrations, one folder per backend with the same migration names.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::connection::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant: the PostgreSQL advisory lock that stops two
/// instances starting together from migrating at the same time.
const MIGRATION_LOCK: i64 = 0x50_55_4e_44_49_4e_47; // "SOUNDING"-ish

/// A migration failure, with the backend's message.
#[derive(Debug, thiserror::Error)]
#[error("database migration failed: {0}")]
pub struct MigrationError(String);

/// Applies every pending migration; returns the names applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => names(c.run_pending_migrations(SQLITE))?,
        DbConnection::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| MigrationError(e.to_string()))?;
            let result = names(c.run_pending_migrations(POSTGRES));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .map_err(|e| MigrationError(e.to_string()))?;
            result?
        }
    };
    Ok(applied)
}

fn names(
    result: diesel::migration::Result<Vec<diesel::migration::MigrationVersion<'_>>>,
) -> Result<Vec<String>, MigrationError> {
    result
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| MigrationError(e.to_string()))
}
