//! The one access policy: who may do what to which consultation.
//!
//! Every use case that touches a consultation as staff starts from
//! [`open`], which finds the consultation and decides, once, what the
//! caller may do with it; the [`Scope`] it returns is what use cases take,
//! so none can run without the policy having been asked. Public use cases
//! (the document, the published table) decide through [`audience`].
//!
//! The rule (OWASP ASVS V4, deny by default):
//! - officers and admins may work on and run every consultation;
//! - a group member may work on the consultations they are assigned to;
//!   for any other consultation, and for a slug that does not exist, they
//!   get the same refusal, which names nothing, so a draft's existence and
//!   title are not revealed;
//! - agreeing the group's responses (sign-off) is for officers, or for the
//!   consultation's group members too when the consultation says so;
//! - the command line acts as the system: whoever runs it holds the database.

use super::audit::Actor;
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::domain::{Role, SignOff};

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A signed-in staff user.
    Staff(User),
    /// A part of the system acting without a user (the command line,
    /// fixtures, retention), named for the audit log.
    System(&'static str),
}

impl Caller {
    /// The caller as the audit log names them.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Staff(user) => Actor::staff(user),
            Caller::System(name) => Actor::system(name),
        }
    }

    /// The staff user, if the caller is one.
    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::Staff(user) => Some(user),
            Caller::System(_) => None,
        }
    }

    fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }
}

/// Something a caller may be allowed to do with a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See it as staff (drafts, every response, the full table) and work
    /// on its issues, themes and draft responses.
    Work,
    /// Change the consultation itself: details, document, structure,
    /// status and publication, imports, redaction, exports with contact
    /// details, who is in its group.
    Run,
    /// Agree (sign off) the group's responses.
    SignOff,
}

/// Something a caller may be allowed to do that belongs to no consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Use the staff pages at all.
    StaffPages,
    /// Create consultations.
    CreateConsultations,
    /// Add, enable and disable staff users.
    ManageUsers,
}

/// A consultation the caller may work on, and what else they may do with
/// it. Only [`open`] makes one.
#[derive(Debug, Clone)]
pub struct Scope {
    pub consultation: Consultation,
    caller: Caller,
    may_run: bool,
    may_sign_off: bool,
}

impl Scope {
    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The caller as the audit log names them.
    pub fn actor(&self) -> Actor {
        self.caller.actor()
    }

    /// Whether the caller may do `action` here.
    pub fn may(&self, action: Action) -> bool {
        match action {
            Action::Work => true,
            Action::Run => self.may_run,
            Action::SignOff => self.may_sign_off,
        }
    }

    /// Refuses (403) unless the caller may do `action` here.
    pub fn require(&self, action: Action) -> ServiceResult<()> {
        if self.may(action) {
            return Ok(());
        }
        Err(ServiceError::Forbidden(match action {
            Action::Work => "You cannot work on this consultation.".into(),
            Action::Run => {
                "Only officers can change the consultation itself. Ask an officer to do this."
                    .into()
            }
            Action::SignOff => match self.consultation.sign_off_by {
                SignOff::Officers => "Only officers can agree the group’s responses. Save it as a draft and ask an officer to agree it.".into(),
                SignOff::Group => "Only officers and the consultation’s group can agree the group’s responses.".into(),
            },
        }))
    }
}

/// The refusal for a consultation the caller may not work on. Group
/// members get it for a slug that does not exist too: the answer is the
/// same either way and names nothing (OWASP: do not reveal which resources
/// exist to those who may not use them).
fn refused(caller: &Caller, slug: &str) -> ServiceError {
    match caller.role() {
        Some(Role::GroupMember) => ServiceError::Forbidden(
            "You are not in the group working on this consultation, or there is no such consultation. Ask an officer to add you to its group."
                .into(),
        ),
        _ => ServiceError::NotFound(format!("consultation “{slug}”")),
    }
}

/// The consultation named by `slug`, if the caller may work on it, with
/// what else they may do.
pub fn open(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ServiceResult<Scope> {
    let consultation =
        db::consultations::by_slug(conn, slug)?.ok_or_else(|| refused(caller, slug))?;
    scope_of(conn, caller, consultation).and_then(|s| s.ok_or_else(|| refused(caller, slug)))
}

/// [`open`], then [`Scope::require`] for `action`.
pub fn open_for(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    action: Action,
) -> ServiceResult<Scope> {
    let scope = open(conn, caller, slug)?;
    scope.require(action)?;
    Ok(scope)
}

/// What the caller may do with `consultation`; `None` if they may not work
/// on it at all.
fn scope_of(
    conn: &mut DbConnection,
    caller: &Caller,
    consultation: Consultation,
) -> ServiceResult<Option<Scope>> {
    let (works, runs) = match caller.role() {
        None => (true, true),
        Some(Role::Admin | Role::Officer) => (true, true),
        Some(Role::GroupMember) => {
            let user = caller.user().map(|u| u.id);
            let assigned = match user {
                Some(id) => db::members::is_member(conn, consultation.id, id)?,
                None => false,
            };
            (assigned, false)
        }
    };
    if !works {
        return Ok(None);
    }
    let may_sign_off = runs || consultation.sign_off_by == SignOff::Group;
    Ok(Some(Scope {
        consultation,
        caller: caller.clone(),
        may_run: runs,
        may_sign_off,
    }))
}

/// Who is looking at a consultation's public outputs (the table, its
/// exports, the API): staff who may work on it see everything; everyone
/// else sees what is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

/// The audience `caller` (if signed in) is for `consultation`.
pub fn audience(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    consultation: &Consultation,
) -> ServiceResult<Audience> {
    let Some(caller) = caller else {
        return Ok(Audience::Public);
    };
    Ok(match scope_of(conn, caller, consultation.clone())? {
        Some(_) => Audience::Staff,
        None => Audience::Public,
    })
}

/// Refuses (403) a caller who may not do `duty`.
pub fn require_duty(caller: &Caller, duty: Duty) -> ServiceResult<()> {
    let allowed = matches!(
        (caller.role(), duty),
        (None, _)
            | (Some(_), Duty::StaffPages)
            | (Some(Role::Admin | Role::Officer), Duty::CreateConsultations)
            | (Some(Role::Admin), Duty::ManageUsers)
    );
    if allowed {
        return Ok(());
    }
    Err(ServiceError::Forbidden(match duty {
        Duty::StaffPages => "You cannot use the staff pages.".into(),
        Duty::CreateConsultations => "Only officers can create consultations.".into(),
        Duty::ManageUsers => "Only administrators can manage users.".into(),
    }))
}

/// Whether the caller may do `duty` (for showing or hiding links).
pub fn has_duty(caller: &Caller, duty: Duty) -> bool {
    require_duty(caller, duty).is_ok()
}

/// Every consultation the caller may work on, drafts included, in the
/// order of `db::consultations::all`.
pub fn workable(conn: &mut DbConnection, caller: &Caller) -> ServiceResult<Vec<Consultation>> {
    let all = db::consultations::all(conn)?;
    match caller.user() {
        Some(user) if user.role == Role::GroupMember => {
            let mine = db::members::consultations_of(conn, user.id)?;
            Ok(all.into_iter().filter(|c| mine.contains(&c.id)).collect())
        }
        _ => Ok(all),
    }
}
