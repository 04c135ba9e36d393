//! The proposed structure: its bodies (role, membership, meetings) and the
//! links between them.

use serde::{Deserialize, Serialize};

use super::{Audited, Changeable, Part, missing, within};
use crate::db::structure::{Body, BodyLink};
use crate::db::{self, DbConnection};
use crate::domain::text::{optional_line, optional_text, required_line};
use crate::domain::{BodyId, BodyLinkId, BodyStatus, ConsultationId, Relation, ValidationError};
use crate::service::access::Scope;
use crate::service::{ServiceError, ServiceResult, limits};

/// A body as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = "^line$")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 20, pattern = "^line?$")]
    pub short_name: String,
    /// `proposed`, `existing` or `disbanded`.
    #[serde(default)]
    #[schema(required = true, pattern = "^(proposed|existing|disbanded)$")]
    pub status: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^text?$")]
    pub role: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^text?$")]
    pub membership: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "^text?$")]
    pub meets: String,
}

/// A body as checked.
pub(crate) struct ParsedBody {
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    pub role: String,
    pub membership: String,
    pub meets: String,
}

impl ParsedBody {
    /// The row to write for consultation `of` at `position`.
    pub fn row(&self, of: ConsultationId, position: i32) -> db::structure::NewBody<'_> {
        db::structure::NewBody {
            consultation_id: of,
            position,
            name: &self.name,
            short_name: self.short_name.as_deref(),
            status: self.status,
            role: &self.role,
            membership: &self.membership,
            meets: &self.meets,
        }
    }
}

/// Checks a body as typed, naming every problem.
pub(crate) fn parse_body(input: &BodyInput) -> ServiceResult<ParsedBody> {
    let mut errors = Vec::new();
    let name = required_line("name", "Name", &input.name, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let short_name = optional_line("short_name", "Short name", &input.short_name, 20)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let status = input
        .status
        .parse::<BodyStatus>()
        .map_err(|_| {
            errors.push(ValidationError::new(
                "status",
                "Select whether the body is proposed, existing or to be disbanded",
            ))
        })
        .ok();
    let mut long = |field: &str, label: &str, value: &str| {
        optional_text(field, label, value, 5_000)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
            .unwrap_or_default()
    };
    let role = long("role", "Role", &input.role);
    let membership = long("membership", "Membership", &input.membership);
    let meets = long("meets", "How often it meets", &input.meets);
    match status {
        Some(status) if errors.is_empty() => Ok(ParsedBody {
            name,
            short_name,
            status,
            role,
            membership,
            meets,
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The structure consulted on is kept as it was once officers have
/// started revising it: the outcome page compares the two.
fn consulted_kept(conn: &mut DbConnection, scope: &Scope) -> ServiceResult<()> {
    if db::outcome::versions_of(conn, scope.consultation.id)?.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Conflict(
        "The structure consulted on is kept as it was: change the revised structure under “After the consultation” instead.".into(),
    ))
}

fn name_taken() -> ServiceError {
    ServiceError::invalid("name", "The structure already has a body with this name")
}

impl Part for Body {
    type Input = BodyInput;
    const NAME: &'static str = "body";

    /// Adds a body to the structure.
    fn add(
        conn: &mut DbConnection,
        scope: &Scope,
        input: &BodyInput,
    ) -> ServiceResult<Audited<i64>> {
        consulted_kept(conn, scope)?;
        let b = parse_body(input)?;
        let c = &scope.consultation;
        within(
            db::structure::counts(conn, c.id)?.0,
            limits::BODIES,
            "name",
            "bodies",
        )?;
        if db::structure::body_named(conn, c.id, &b.name)?.is_some() {
            return Err(name_taken());
        }
        let position = db::structure::next_body_position(conn, c.id)?;
        let id = db::structure::insert_body(conn, &b.row(c.id, position))?;
        Ok(Audited::new(id.0, "body added", ("body", id.0)).after(b.name.clone()))
    }

    /// Deletes a body and its links.
    fn delete(conn: &mut DbConnection, scope: &Scope, id: i64) -> ServiceResult<Audited<()>> {
        consulted_kept(conn, scope)?;
        let id = BodyId(id);
        let before = db::structure::body_of(conn, scope.consultation.id, id)?
            .ok_or_else(|| missing("body"))?;
        db::structure::delete_body(conn, id)?;
        Ok(Audited::new((), "body deleted", ("body", id.0)).before(before.name))
    }
}

impl Changeable for Body {
    fn update(
        conn: &mut DbConnection,
        scope: &Scope,
        id: i64,
        input: &BodyInput,
    ) -> ServiceResult<Audited<()>> {
        consulted_kept(conn, scope)?;
        let (id, b) = (BodyId(id), parse_body(input)?);
        let c = &scope.consultation;
        let before = db::structure::body_of(conn, c.id, id)?.ok_or_else(|| missing("body"))?;
        if db::structure::body_named(conn, c.id, &b.name)?.is_some_and(|other| other.id != id) {
            return Err(name_taken());
        }
        db::structure::update_body(conn, id, &b.row(c.id, before.position))?;
        Ok(Audited::new((), "body changed", ("body", id.0))
            .before(serde_json::to_string(&before).ok())
            .after(b.name.clone()))
    }
}

/// A link as typed: `from` *relation* `to`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    #[serde(default, deserialize_with = "crate::domain::number::integer")]
    #[schema(required = true)]
    pub from_body_id: i64,
    #[serde(default, deserialize_with = "crate::domain::number::integer")]
    #[schema(required = true)]
    pub to_body_id: i64,
    /// `reports_to`, `commissions`, `informs` or `two_way`.
    #[serde(default)]
    #[schema(
        required = true,
        pattern = "^(reports_to|commissions|informs|two_way)$"
    )]
    pub relation: String,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^text?$")]
    pub note: String,
}

impl Part for BodyLink {
    type Input = LinkInput;
    const NAME: &'static str = "link";

    /// Links two bodies of this consultation.
    fn add(
        conn: &mut DbConnection,
        scope: &Scope,
        input: &LinkInput,
    ) -> ServiceResult<Audited<i64>> {
        consulted_kept(conn, scope)?;
        link_to(conn, scope, input)
    }

    fn delete(conn: &mut DbConnection, scope: &Scope, id: i64) -> ServiceResult<Audited<()>> {
        consulted_kept(conn, scope)?;
        let id = BodyLinkId(id);
        db::structure::link_of(conn, scope.consultation.id, id)?.ok_or_else(|| missing("link"))?;
        db::structure::delete_link(conn, id)?;
        Ok(Audited::new((), "link deleted", ("body_link", id.0)))
    }
}

fn link_to(
    conn: &mut DbConnection,
    scope: &Scope,
    input: &LinkInput,
) -> ServiceResult<Audited<i64>> {
    let mut errors = Vec::new();
    let relation = input
        .relation
        .parse::<Relation>()
        .map_err(|_| {
            errors.push(ValidationError::new(
                "relation",
                "Select how the bodies relate",
            ))
        })
        .ok();
    let note = optional_text("note", "Note", &input.note, 500)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if input.from_body_id == input.to_body_id {
        errors.push(ValidationError::new(
            "to_body_id",
            "Select two different bodies",
        ));
    }
    let c = &scope.consultation;
    within(
        db::structure::counts(conn, c.id)?.1,
        limits::LINKS,
        "relation",
        "links",
    )?;
    let mut find = |field: &str, id: i64| -> ServiceResult<Option<BodyId>> {
        let found = db::structure::body_of(conn, c.id, BodyId(id))?.map(|b| b.id);
        if found.is_none() {
            errors.push(ValidationError::new(
                field,
                "Select a body of this structure",
            ));
        }
        Ok(found)
    };
    let from = find("from_body_id", input.from_body_id)?;
    let to = find("to_body_id", input.to_body_id)?;
    let (Some(from), Some(to), Some(relation), true) = (from, to, relation, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let id = db::structure::insert_link(
        conn,
        &db::structure::NewBodyLink {
            consultation_id: c.id,
            from_body_id: from,
            to_body_id: to,
            relation,
            note: note.as_deref(),
        },
    )?;
    Ok(Audited::new(id.0, "link added", ("body_link", id.0))
        .after(format!("{from} {relation} {to}")))
}
