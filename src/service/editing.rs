//! Officers writing a consultation: its details, life cycle, document
//! (sections and questions) and proposed structure (bodies and links).
//! Every change is validated here and recorded in the audit log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::audit::Change;
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::text::{optional_text, required_text};
use crate::domain::time::{end_of_london_day, start_of_london_day};
use crate::domain::{
    BodyId, BodyLinkId, BodyStatus, ConsultationStatus, QuestionId, QuestionKind, ReferencePrefix,
    Relation, SectionId, Slug, ValidationError,
};

pub use super::audit::Actor;

fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: i64,
    before: Option<String>,
    after: Option<String>,
) -> ServiceResult<()> {
    let change = Change {
        action,
        entity,
        id,
        before: before.as_deref(),
        after: after.as_deref(),
    };
    super::audit::record(conn, actor, Utc::now(), change)?;
    Ok(())
}

/// A consultation's details as typed (strings), from a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DetailsInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub run_by: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub reference_prefix: String,
    /// London date, `YYYY-MM-DD`.
    #[serde(default)]
    pub opens: Option<String>,
    /// London date, `YYYY-MM-DD`: responses are taken until 23:59:59 that day.
    #[serde(default)]
    pub closes: Option<String>,
    /// Days after publication when consultees' contact details are erased
    /// (`sounding retention run`); never when empty.
    #[serde(default)]
    pub retention_days: Option<String>,
}

/// Validated details.
#[derive(Debug, Clone)]
pub struct Details {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub run_by: String,
    pub group_name: String,
    pub reference_prefix: ReferencePrefix,
    pub opens: Option<NaiveDate>,
    pub closes: Option<NaiveDate>,
    pub retention_days: Option<i32>,
}

fn parse_date(
    field: &str,
    label: &str,
    value: Option<&str>,
    errors: &mut Vec<ValidationError>,
) -> Option<NaiveDate> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(ValidationError::new(
                field,
                format!("{label} must be a real date"),
            ));
            None
        }
    }
}

impl DetailsInput {
    /// Validates every field, collecting all the problems.
    pub fn parse(&self) -> Result<Details, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut text = |field: &str, label: &str, value: &str, max: usize| match required_text(
            field, label, value, max,
        ) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let title = text("title", "Title", &self.title, 200);
        let summary = text("summary", "Summary", &self.summary, 5_000);
        let run_by = text("run_by", "Who runs the consultation", &self.run_by, 200);
        let group_name = text(
            "group_name",
            "The name of the group that answers",
            &self.group_name,
            200,
        );
        let slug = Slug::parse(&self.slug).map_err(|e| errors.push(e)).ok();
        let prefix = ReferencePrefix::parse(&self.reference_prefix)
            .map_err(|e| errors.push(e))
            .ok();
        let opens = parse_date("opens", "Opening date", self.opens.as_deref(), &mut errors);
        let closes = parse_date(
            "closes",
            "Closing date",
            self.closes.as_deref(),
            &mut errors,
        );
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            errors.push(ValidationError::new(
                "closes",
                "Closing date must be the same as or after the opening date",
            ));
        }
        let retention_days = match self
            .retention_days
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some(days) => match days.parse::<i32>() {
                Ok(n) if (1..=3650).contains(&n) => Some(n),
                _ => {
                    errors.push(ValidationError::new(
                        "retention_days",
                        "Days before contact details are erased must be a whole number from 1 to 3650",
                    ));
                    None
                }
            },
        };
        match (slug, prefix) {
            (Some(slug), Some(reference_prefix)) if errors.is_empty() => Ok(Details {
                slug,
                title,
                summary,
                run_by,
                group_name,
                reference_prefix,
                opens,
                closes,
                retention_days,
            }),
            _ => Err(errors),
        }
    }
}

/// The consultation with this slug, drafts included (staff only).
pub fn consultation(conn: &mut DbConnection, slug: &str) -> ServiceResult<Consultation> {
    db::consultations::by_slug(conn, slug)?
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))
}

/// Creates a draft consultation.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &DetailsInput,
) -> ServiceResult<Consultation> {
    let d = input.parse().map_err(ServiceError::Invalid)?;
    db::write_transaction(conn, |conn| {
        if db::consultations::by_slug(conn, d.slug.as_str())?.is_some() {
            return Err(ServiceError::invalid(
                "slug",
                "A consultation with this URL name already exists",
            ));
        }
        let now = Utc::now().naive_utc();
        let id = db::consultations::insert(
            conn,
            &db::consultations::NewConsultation {
                slug: d.slug.as_str(),
                title: &d.title,
                summary: &d.summary,
                run_by: &d.run_by,
                group_name: &d.group_name,
                reference_prefix: d.reference_prefix.as_str(),
                opens_at: d.opens.map(|o| start_of_london_day(o).naive_utc()),
                closes_at: d.closes.map(|c| end_of_london_day(c).naive_utc()),
                status: ConsultationStatus::Draft,
                source_note: None,
                created_at: now,
                updated_at: now,
            },
        )?;
        db::consultations::set_retention_days(conn, id, d.retention_days)?;
        audit(
            conn,
            actor,
            "consultation created",
            "consultation",
            id.0,
            None,
            Some(d.title.clone()),
        )?;
        db::consultations::by_id(conn, id)?
            .ok_or_else(|| ServiceError::NotFound("consultation".into()))
    })
}

/// Changes a consultation's details (its URL name stays as it is).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &DetailsInput,
) -> ServiceResult<()> {
    let mut input = input.clone();
    input.slug = slug.to_string();
    let d = input.parse().map_err(ServiceError::Invalid)?;
    db::write_transaction(conn, |conn| {
        let before = consultation(conn, slug)?;
        if before.reference_prefix != d.reference_prefix.as_str() && before.responses_received > 0 {
            return Err(ServiceError::invalid(
                "reference_prefix",
                "The reference prefix cannot change once responses have references",
            ));
        }
        db::consultations::update_details(
            conn,
            before.id,
            &db::consultations::DetailsChange {
                title: &d.title,
                summary: &d.summary,
                run_by: &d.run_by,
                group_name: &d.group_name,
                reference_prefix: d.reference_prefix.as_str(),
                opens_at: d.opens.map(|o| start_of_london_day(o).naive_utc()),
                closes_at: d.closes.map(|c| end_of_london_day(c).naive_utc()),
                updated_at: Utc::now().naive_utc(),
            },
        )?;
        db::consultations::set_retention_days(conn, before.id, d.retention_days)?;
        let after = serde_json::to_string(&input).ok();
        audit(
            conn,
            actor,
            "consultation details changed",
            "consultation",
            before.id.0,
            serde_json::to_string(&before).ok(),
            after,
        )
    })
}

/// Moves a consultation one step along `draft → open → closed → published`.
pub fn move_status(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    to: ConsultationStatus,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        if !c.status.can_move_to(to) {
            return Err(ServiceError::Conflict(format!(
                "A {} consultation cannot become {}: consultations go draft, open, closed, published, one step at a time",
                c.status.label().to_lowercase(),
                to.label().to_lowercase()
            )));
        }
        if to == ConsultationStatus::Open {
            match c.closes_at.map(crate::domain::time::from_db) {
                None => {
                    return Err(ServiceError::invalid(
                        "closes",
                        "Set a closing date before opening the consultation",
                    ));
                }
                Some(closes) if closes < now => {
                    return Err(ServiceError::invalid(
                        "closes",
                        "The closing date has passed: set a later one before opening",
                    ));
                }
                _ => {}
            }
        }
        db::consultations::set_status(conn, c.id, to, now.naive_utc())?;
        if to == ConsultationStatus::Published {
            db::consultations::set_published_at(conn, c.id, now.naive_utc())?;
        }
        audit(
            conn,
            actor,
            "status changed",
            "consultation",
            c.id.0,
            Some(c.status.to_string()),
            Some(to.to_string()),
        )
    })
}

/// A section as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionInput {
    #[serde(default)]
    pub heading: String,
    /// Paragraphs separated by blank lines.
    #[serde(default)]
    pub content: String,
}

fn parse_section(input: &SectionInput) -> ServiceResult<(String, String)> {
    let mut errors = Vec::new();
    let heading = required_text("heading", "Heading", &input.heading, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let content = optional_text("content", "Text", &input.content, 50_000)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok((heading, content.unwrap_or_default()))
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Adds a section at the end of the document.
pub fn add_section(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &SectionInput,
) -> ServiceResult<SectionId> {
    let (heading, content) = parse_section(input)?;
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let position = db::document::next_section_position(conn, c.id)?;
        let id = db::document::insert_section(
            conn,
            &db::document::NewSection {
                consultation_id: c.id,
                position,
                heading: &heading,
                content: &content,
            },
        )?;
        audit(
            conn,
            actor,
            "section added",
            "section",
            id.0,
            None,
            Some(heading.clone()),
        )?;
        Ok(id)
    })
}

/// Changes a section of this consultation.
pub fn update_section(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: SectionId,
    input: &SectionInput,
) -> ServiceResult<()> {
    let (heading, content) = parse_section(input)?;
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let before = db::document::sections_of(conn, c.id)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ServiceError::NotFound("section".into()))?;
        db::document::update_section(conn, id, &heading, &content)?;
        audit(
            conn,
            actor,
            "section changed",
            "section",
            id.0,
            Some(before.content),
            Some(content.clone()),
        )
    })
}

/// Deletes a section of this consultation.
pub fn delete_section(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: SectionId,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let before = db::document::sections_of(conn, c.id)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ServiceError::NotFound("section".into()))?;
        db::document::delete_section(conn, id)?;
        audit(
            conn,
            actor,
            "section deleted",
            "section",
            id.0,
            Some(before.heading),
            None,
        )
    })
}

/// A question as typed; `choices` one per line for single-choice questions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionInput {
    #[serde(default)]
    pub prompt: String,
    /// `free_text`, `single_choice` or `agree_scale`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub choices: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub section_id: Option<i64>,
}

/// Adds a question at the end.
pub fn add_question(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &QuestionInput,
) -> ServiceResult<QuestionId> {
    let mut errors = Vec::new();
    let prompt = required_text("prompt", "Question", &input.prompt, 1_000)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let kind = input
        .kind
        .parse::<QuestionKind>()
        .map_err(|_| errors.push(ValidationError::new("kind", "Select the kind of answer")))
        .ok();
    let choices: Vec<String> = input
        .choices
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    if kind == Some(QuestionKind::SingleChoice) && choices.len() < 2 {
        errors.push(ValidationError::new(
            "choices",
            "Enter at least two choices, one per line",
        ));
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let section_id = match input.section_id {
            Some(s) => Some(
                db::document::sections_of(conn, c.id)?
                    .into_iter()
                    .find(|x| x.id.0 == s)
                    .map(|x| x.id)
                    .ok_or_else(|| {
                        ServiceError::invalid("section_id", "Select a section of this consultation")
                    })?,
            ),
            None => None,
        };
        let position = db::document::next_question_position(conn, c.id)?;
        let choices_json = serde_json::to_string(&choices).unwrap_or_else(|_| "[]".into());
        let id = db::document::insert_question(
            conn,
            &db::document::NewQuestion {
                consultation_id: c.id,
                section_id,
                position,
                prompt: &prompt,
                kind,
                choices: &choices_json,
                required: input.required,
            },
        )?;
        audit(
            conn,
            actor,
            "question added",
            "question",
            id.0,
            None,
            Some(prompt.clone()),
        )?;
        Ok(id)
    })
}

/// Changes a question's wording and whether it must be answered. Its kind
/// and choices stay as they are, so answers already given keep their meaning.
pub fn update_question(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: QuestionId,
    input: &QuestionInput,
) -> ServiceResult<()> {
    let prompt = required_text("prompt", "Question", &input.prompt, 1_000)?;
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let before = db::document::questions_of(conn, c.id)?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or_else(|| ServiceError::NotFound("question".into()))?;
        db::document::update_question(conn, id, &prompt, input.required)?;
        audit(
            conn,
            actor,
            "question changed",
            "question",
            id.0,
            Some(before.prompt),
            Some(prompt.clone()),
        )
    })
}

/// Why a question cannot be removed now, if it cannot.
pub const QUESTION_IN_USE: &str = "This question cannot be removed: the consultation is open and people have already responded, so removing it would lose their answers. Close the consultation first, or leave the question in place.";

/// Deletes a question, unless the consultation is open and has responses.
pub fn delete_question(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: QuestionId,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let before = db::document::questions_of(conn, c.id)?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or_else(|| ServiceError::NotFound("question".into()))?;
        if c.status == ConsultationStatus::Open && db::responses::count(conn, c.id)? > 0 {
            return Err(ServiceError::Conflict(QUESTION_IN_USE.into()));
        }
        db::document::delete_question(conn, id)?;
        audit(
            conn,
            actor,
            "question deleted",
            "question",
            id.0,
            Some(before.prompt),
            None,
        )
    })
}

/// A body as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BodyInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    /// `proposed`, `existing` or `disbanded`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub membership: String,
    #[serde(default)]
    pub meets: String,
}

struct ParsedBody {
    name: String,
    short_name: Option<String>,
    status: BodyStatus,
    role: String,
    membership: String,
    meets: String,
}

fn parse_body(input: &BodyInput) -> ServiceResult<ParsedBody> {
    let mut errors = Vec::new();
    let name = required_text("name", "Name", &input.name, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let short_name = optional_text("short_name", "Short name", &input.short_name, 20)
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

/// Adds a body to the structure.
pub fn add_body(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &BodyInput,
) -> ServiceResult<BodyId> {
    let b = parse_body(input)?;
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        if db::structure::bodies_of(conn, c.id)?
            .iter()
            .any(|x| x.name == b.name)
        {
            return Err(ServiceError::invalid(
                "name",
                "The structure already has a body with this name",
            ));
        }
        let position = db::structure::next_body_position(conn, c.id)?;
        let id = db::structure::insert_body(
            conn,
            &db::structure::NewBody {
                consultation_id: c.id,
                position,
                name: &b.name,
                short_name: b.short_name.as_deref(),
                status: b.status,
                role: &b.role,
                membership: &b.membership,
                meets: &b.meets,
            },
        )?;
        audit(
            conn,
            actor,
            "body added",
            "body",
            id.0,
            None,
            Some(b.name.clone()),
        )?;
        Ok(id)
    })
}

/// Changes a body of this consultation's structure.
pub fn update_body(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: BodyId,
    input: &BodyInput,
) -> ServiceResult<()> {
    let b = parse_body(input)?;
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let bodies = db::structure::bodies_of(conn, c.id)?;
        let before = bodies
            .iter()
            .find(|x| x.id == id)
            .ok_or_else(|| ServiceError::NotFound("body".into()))?;
        if bodies.iter().any(|x| x.id != id && x.name == b.name) {
            return Err(ServiceError::invalid(
                "name",
                "The structure already has a body with this name",
            ));
        }
        db::structure::update_body(
            conn,
            id,
            &db::structure::NewBody {
                consultation_id: c.id,
                position: before.position,
                name: &b.name,
                short_name: b.short_name.as_deref(),
                status: b.status,
                role: &b.role,
                membership: &b.membership,
                meets: &b.meets,
            },
        )?;
        audit(
            conn,
            actor,
            "body changed",
            "body",
            id.0,
            serde_json::to_string(before).ok(),
            Some(b.name.clone()),
        )
    })
}

/// Deletes a body and its links.
pub fn delete_body(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: BodyId,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let before = db::structure::bodies_of(conn, c.id)?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| ServiceError::NotFound("body".into()))?;
        db::structure::delete_body(conn, id)?;
        audit(
            conn,
            actor,
            "body deleted",
            "body",
            id.0,
            Some(before.name),
            None,
        )
    })
}

/// A link as typed: `from` *relation* `to`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkInput {
    #[serde(default)]
    pub from_body_id: i64,
    #[serde(default)]
    pub to_body_id: i64,
    /// `reports_to`, `commissions`, `informs` or `two_way`.
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub note: String,
}

/// Links two bodies of this consultation.
pub fn add_link(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &LinkInput,
) -> ServiceResult<BodyLinkId> {
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
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        let bodies = db::structure::bodies_of(conn, c.id)?;
        let find = |id: i64| bodies.iter().find(|b| b.id.0 == id).map(|b| b.id);
        let (from, to) = (find(input.from_body_id), find(input.to_body_id));
        if from.is_none() {
            errors.push(ValidationError::new(
                "from_body_id",
                "Select a body of this structure",
            ));
        }
        if to.is_none() {
            errors.push(ValidationError::new(
                "to_body_id",
                "Select a body of this structure",
            ));
        }
        let (Some(from), Some(to), Some(relation)) = (from, to, relation) else {
            return Err(ServiceError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
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
        audit(
            conn,
            actor,
            "link added",
            "body_link",
            id.0,
            None,
            Some(format!("{from} {relation} {to}")),
        )?;
        Ok(id)
    })
}

/// Deletes a link of this consultation.
pub fn delete_link(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    id: BodyLinkId,
) -> ServiceResult<()> {
    db::write_transaction(conn, |conn| {
        let c = consultation(conn, slug)?;
        if !db::structure::links_of(conn, c.id)?
            .iter()
            .any(|l| l.id == id)
        {
            return Err(ServiceError::NotFound("link".into()));
        }
        db::structure::delete_link(conn, id)?;
        audit(conn, actor, "link deleted", "body_link", id.0, None, None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> DetailsInput {
        DetailsInput {
            slug: "stroud-2026".into(),
            title: "Stroud partnership review".into(),
            summary: "What should change".into(),
            run_by: "Stroud LSP".into(),
            group_name: "Review group".into(),
            reference_prefix: "STR".into(),
            opens: Some("2026-01-05".into()),
            closes: Some("2026-03-31".into()),
            retention_days: Some("365".into()),
        }
    }

    #[test]
    fn valid_details_parse() {
        let d = valid().parse().expect("valid");
        assert_eq!(d.closes, NaiveDate::from_ymd_opt(2026, 3, 31));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = DetailsInput {
            closes: Some("2026-02-30".into()),
            slug: "Bad Slug".into(),
            ..DetailsInput::default()
        };
        let errors = input.parse().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "title",
                "summary",
                "run_by",
                "group_name",
                "slug",
                "reference_prefix",
                "closes"
            ]
        );
    }

    #[test]
    fn retention_is_a_whole_number_of_days_or_nothing() {
        assert_eq!(valid().parse().expect("valid").retention_days, Some(365));
        let none = DetailsInput {
            retention_days: Some(" ".into()),
            ..valid()
        };
        assert_eq!(none.parse().expect("valid").retention_days, None);
        for bad in ["0", "-1", "3651", "a year"] {
            let input = DetailsInput {
                retention_days: Some(bad.into()),
                ..valid()
            };
            assert!(input.parse().is_err(), "{bad}");
        }
    }

    #[test]
    fn closing_before_opening_is_refused() {
        let input = DetailsInput {
            closes: Some("2025-12-31".into()),
            ..valid()
        };
        assert!(
            input
                .parse()
                .expect_err("invalid")
                .iter()
                .any(|e| e.field == "closes")
        );
    }
}
