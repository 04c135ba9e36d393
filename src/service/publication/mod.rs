//! Publication: the publish step and its checks ([`gate`]), redaction
//! before publication ([`redaction`]), and the published responses page
//! ([`responses`]).

pub mod gate;
pub mod redaction;
pub mod responses;

pub use responses::{PAGE_SIZE, PublishedPage, PublishedResponse, published};
