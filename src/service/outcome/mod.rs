//! After the consultation: the revised structure ([`versions`]), set
//! beside the consulted one ([`compare`]); the public outcome page, "we
//! asked, you said, we did" ([`page`]); publishing it and telling those
//! who asked ([`publish`]); and the committee pack ([`pack`]).

pub mod compare;
pub mod fixture;
pub mod pack;
pub mod page;
pub mod publish;
pub mod versions;
pub mod workspace;

pub use page::{Because, ChangeView, Outcome, outcome};
pub use versions::{Edit, Reason, ReasonInput};
