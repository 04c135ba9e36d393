//! Who may work on which consultation: officers and admins on every one,
//! group members on those they are assigned to.

use crate::db::consultations::Consultation;
use crate::db::users::User;
use crate::db::{self, DbConnection};
use crate::domain::Role;
use crate::service::{ServiceError, ServiceResult};

/// The consultation named by `slug`, if `user` may work on it.
pub fn consultation_for(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
) -> ServiceResult<Consultation> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))?;
    match user.role {
        Role::Admin | Role::Officer => Ok(consultation),
        Role::GroupMember if db::members::is_member(conn, consultation.id, user.id)? => {
            Ok(consultation)
        }
        Role::GroupMember => Err(ServiceError::Forbidden(format!(
            "You are not in the group working on “{}”. Ask an officer to add you.",
            consultation.title
        ))),
    }
}

/// Whether `user` may see the consultation as staff do (drafts included):
/// officers and admins always, group members when assigned.
pub fn sees_as_staff(
    conn: &mut DbConnection,
    user: &User,
    consultation: &Consultation,
) -> ServiceResult<bool> {
    Ok(match user.role {
        Role::Admin | Role::Officer => true,
        Role::GroupMember => db::members::is_member(conn, consultation.id, user.id)?,
    })
}

/// Whether `user` may change the consultation itself (details, status,
/// imports, exports with contact details, group membership).
pub fn may_run_consultations(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Officer)
}
