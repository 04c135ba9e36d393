//! Officers writing a consultation: its details and life cycle
//! ([`details`]), its document of sections and questions ([`document`]) and
//! its proposed structure of bodies and links ([`structure`]). Every change
//! goes through [`change`]: the access policy first (only those who may run
//! the consultation), then one write transaction holding the change and its
//! audit entry.

pub mod details;
pub mod document;
pub mod structure;

use chrono::{DateTime, Utc};

use super::access::{self, Action, Caller, Scope};
use super::audit::{self, Change};
use super::{ServiceError, ServiceResult};
use crate::db::{self, DbConnection};

pub use details::{DetailsInput, change_details, create, move_status};
pub use document::{QuestionInput, SectionInput};
pub use structure::{BodyInput, LinkInput};

/// A part of a consultation that those who run it add, change and delete:
/// a section or question of its document ([`Section`], [`Question`]), a
/// body or link of its structure ([`Body`], [`BodyLink`]). Each part says
/// how one is checked and stored; [`add`], [`update`] and [`delete`] run
/// it as one audited change.
pub trait Part {
    /// What is typed for one, on a form or in the API.
    type Input;
    /// Its name in messages, confirmations and forms: `section`.
    const NAME: &'static str;

    /// Adds one to the consultation in `scope`; its id.
    fn add(
        conn: &mut DbConnection,
        scope: &Scope,
        input: &Self::Input,
    ) -> ServiceResult<Audited<i64>>;

    /// Deletes one of the consultation's.
    fn delete(conn: &mut DbConnection, scope: &Scope, id: i64) -> ServiceResult<Audited<()>>;
}

/// A part that can be changed once added (a link is deleted and added
/// again instead).
pub trait Changeable: Part {
    /// Changes one of the consultation's.
    fn update(
        conn: &mut DbConnection,
        scope: &Scope,
        id: i64,
        input: &Self::Input,
    ) -> ServiceResult<Audited<()>>;
}

pub use crate::db::document::{Question, Section};
pub use crate::db::structure::{Body, BodyLink};

/// Adds a part to consultation `slug`; its id.
pub fn add<P: Part>(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: &P::Input,
    now: DateTime<Utc>,
) -> ServiceResult<i64> {
    change(conn, caller, slug, now, |conn, scope| {
        P::add(conn, scope, input)
    })
}

/// Changes part `id` of consultation `slug`.
pub fn update<P: Changeable>(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    (id, input): (i64, &P::Input),
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    change(conn, caller, slug, now, |conn, scope| {
        P::update(conn, scope, id, input)
    })
}

/// Deletes part `id` of consultation `slug`.
pub fn delete<P: Part>(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    change(conn, caller, slug, now, |conn, scope| {
        P::delete(conn, scope, id)
    })
}

/// What one change did, for the audit log.
pub struct Audited<T> {
    /// What the caller gets back.
    pub value: T,
    /// "section added", "body changed"…
    pub action: &'static str,
    /// The kind of item changed and its id.
    pub entity: &'static str,
    pub id: i64,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl<T> Audited<T> {
    /// A change of `entity` `id` that returns `value`.
    pub fn new(value: T, action: &'static str, (entity, id): (&'static str, i64)) -> Self {
        Self {
            value,
            action,
            entity,
            id,
            before: None,
            after: None,
        }
    }

    /// What the item was before.
    pub fn before(mut self, before: impl Into<Option<String>>) -> Self {
        self.before = before.into();
        self
    }

    /// What the item is after.
    pub fn after(mut self, after: impl Into<Option<String>>) -> Self {
        self.after = after.into();
        self
    }
}

/// Runs one change to consultation `slug` as `caller`, who must be allowed
/// to run it: the change and its audit entry in one transaction.
pub(crate) fn change<T>(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    now: DateTime<Utc>,
    work: impl FnOnce(&mut DbConnection, &Scope) -> ServiceResult<Audited<T>>,
) -> ServiceResult<T> {
    db::write_transaction(conn, |conn| {
        let scope = access::open_for(conn, caller, slug, Action::Run)?;
        let done = work(conn, &scope)?;
        let change = Change {
            action: done.action,
            entity: done.entity,
            id: done.id,
            before: done.before.as_deref(),
            after: done.after.as_deref(),
        };
        audit::record(conn, &scope.actor(), now, change)?;
        Ok(done.value)
    })
}

/// "not found" for an item of another consultation (ids of other
/// consultations reveal nothing).
pub(crate) fn missing(what: &str) -> ServiceError {
    ServiceError::NotFound(what.to_string())
}

/// Refuses one more item when a consultation already has `limit`.
pub(crate) fn within(count: i64, limit: usize, field: &str, what: &str) -> ServiceResult<()> {
    if usize::try_from(count).unwrap_or(usize::MAX) >= limit {
        return Err(ServiceError::invalid(
            field,
            format!("A consultation can have up to {limit} {what}"),
        ));
    }
    Ok(())
}

/// Everything the consultation editor shows.
#[derive(Debug, Clone)]
pub struct Editor {
    pub consultation: crate::db::consultations::Consultation,
    pub sections: Vec<crate::db::document::Section>,
    pub questions: Vec<crate::db::document::Question>,
    pub bodies: Vec<crate::db::structure::Body>,
    pub links: Vec<crate::db::structure::BodyLink>,
    /// Responses received so far (questions are locked once there are
    /// some and the consultation is open).
    pub responses: i64,
    /// Responses held for review, with who they say they are from.
    pub held: Vec<(
        crate::db::responses::Response,
        Vec<crate::db::consultees::Consultee>,
    )>,
}

/// The editor of consultation `slug`, for those who may run it.
pub fn editor(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Editor> {
    let scope = access::open_for(conn, caller, slug, Action::Run)?;
    let id = scope.consultation.id;
    Ok(Editor {
        sections: db::document::sections_of(conn, id)?,
        questions: db::document::questions_of(conn, id)?,
        bodies: db::structure::bodies_of(conn, id)?,
        links: db::structure::links_of(conn, id)?,
        responses: db::responses::count(conn, id)?,
        held: super::responses::held(conn, &scope)?,
        consultation: scope.consultation,
    })
}
