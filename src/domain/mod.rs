//! Plain domain types and their invariants. Imports nothing from `db` or `web`.

pub mod consultation;
pub mod consultee;
pub mod group_response;
pub mod ids;
pub mod issue;
pub mod number;
pub mod question;
pub mod redaction;
pub mod response;
pub mod structure;
pub mod submission;
pub mod text;
pub mod text_enum;
pub mod time;
pub mod user;

pub use consultation::{ConsultationStatus, ReferencePrefix, SLUG_CHARS, SignOff, Slug};
pub use consultee::{ConsulteeKind, ConsulteeName, EmailAddress};
pub use group_response::{DraftStatus, GroupResponseKind};
pub use ids::*;
pub use issue::{IssueKind, ThemeOrigin};
pub use question::QuestionKind;
pub use response::{Channel, Publication, ResponseStatus, WorkStatus};
pub use structure::{BodyStatus, ChangeAction, Relation};
pub use text::ValidationError;
pub use user::Role;
