//! Is the service able to do its work?

use diesel::connection::SimpleConnection;

use crate::db::DbConnection;

/// Checks the database answers a trivial query.
pub fn check_database(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    conn.batch_execute("SELECT 1")
}
