//! Typed ids, so a consultation id cannot be passed where an issue id belongs.

/// Declares `BIGINT` id newtypes usable directly in diesel queries and rows.
macro_rules! id_types {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize,
                 diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                i64::from_sql(bytes).map($name)
            }
        }
    )+};
}

id_types!(
    /// A staff user.
    UserId,
    /// A consultation.
    ConsultationId,
    /// A section of a consultation document.
    SectionId,
    /// A question in a consultation.
    QuestionId,
    /// A body in the proposed structure.
    BodyId,
    /// A link between two bodies.
    BodyLinkId,
    /// A revised structure, drawn up after the consultation.
    StructureVersionId,
    /// A body of a revised structure.
    VersionBodyId,
    /// A link of a revised structure.
    VersionLinkId,
    /// One recorded change to a revised structure.
    StructureChangeId,
    /// A consultee (person or organisation) who responded.
    ConsulteeId,
    /// One submission.
    ResponseId,
    /// One point raised in a response.
    IssueId,
    /// A cluster of issues.
    ThemeId,
    /// The group's answer to an issue.
    GroupResponseId,
);
