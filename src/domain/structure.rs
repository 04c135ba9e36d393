//! The proposed structure a consultation is about: bodies and their links.

use crate::text_enum;

text_enum! {
    /// Whether a body is proposed, already exists, or is to be disbanded.
    pub enum BodyStatus ("body status") {
        Proposed => "proposed", "Proposed",
        Existing => "existing", "Existing",
        Disbanded => "disbanded", "To be disbanded",
    }
}

text_enum! {
    /// How one body relates to another (read "from … to").
    pub enum Relation ("relation") {
        ReportsTo => "reports_to", "reports to",
        Commissions => "commissions", "commissions",
        Informs => "informs", "informs",
        TwoWay => "two_way", "works two-way with",
    }
}

text_enum! {
    /// What a change to a revised structure did, as the outcome page marks it.
    pub enum ChangeAction ("change") {
        Added => "added", "Added",
        Changed => "changed", "Changed",
        Removed => "removed", "Removed",
    }
}
