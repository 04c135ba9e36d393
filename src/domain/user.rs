//! Staff users and their roles.

use crate::text_enum;

text_enum! {
    /// What a staff user may do.
    pub enum Role ("role") {
        /// Manages users.
        Admin => "admin", "Administrator",
        /// Runs consultations: imports, exports, publishing.
        Officer => "officer", "Officer",
        /// Triages and drafts for the consultations they are assigned to.
        GroupMember => "group_member", "Group member",
    }
}
