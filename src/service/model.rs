//! The records use cases hand to the web layer and the command line: plain
//! data read from the database (no connection, no queries). Callers name
//! them from here, so only `service` depends on how they are stored.

pub use crate::db::analysis::AnalysisRun;
pub use crate::db::audit::AuditEntry;
pub use crate::db::consultations::Consultation;
pub use crate::db::consultees::Consultee;
pub use crate::db::document::{Question, Section};
pub use crate::db::group_responses::GroupResponse;
pub use crate::db::issues::Issue;
pub use crate::db::responses::Response;
pub use crate::db::structure::{Body, BodyLink};
pub use crate::db::themes::Theme;
pub use crate::db::users::User;

/// A database connection, as use cases take it (the web layer and the
/// command line hold one only to hand it to a use case).
pub use crate::db::DbConnection as Connection;
/// The pool connections come from.
pub use crate::db::DbPool as Pool;
