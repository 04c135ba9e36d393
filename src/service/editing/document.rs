//! The consultation document: its sections and the questions it asks.

use serde::{Deserialize, Serialize};

use super::{Audited, Changeable, Part, missing, within};
use crate::db::document::{Question, Section};
use crate::db::{self, DbConnection};
use crate::domain::text::{optional_text, required_line, required_text};
use crate::domain::{ConsultationStatus, QuestionId, QuestionKind, SectionId, ValidationError};
use crate::service::access::Scope;
use crate::service::{ServiceError, ServiceResult, limits};

/// A section as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionInput {
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = "^line$")]
    pub heading: String,
    /// Paragraphs separated by blank lines.
    #[serde(default)]
    #[schema(max_length = 50000, pattern = "^text?$")]
    pub content: String,
}

fn parse_section(input: &SectionInput) -> ServiceResult<(String, String)> {
    let mut errors = Vec::new();
    let heading = required_line("heading", "Heading", &input.heading, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let content = optional_text("content", "Text", &input.content, limits::SECTION_CHARS)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok((heading, content.unwrap_or_default()))
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

impl Part for Section {
    type Input = SectionInput;
    const NAME: &'static str = "section";

    /// Adds a section at the end of the document.
    fn add(
        conn: &mut DbConnection,
        scope: &Scope,
        input: &SectionInput,
    ) -> ServiceResult<Audited<i64>> {
        let (heading, content) = parse_section(input)?;
        let c = &scope.consultation;
        within(
            db::document::counts(conn, c.id)?.0,
            limits::SECTIONS,
            "heading",
            "sections",
        )?;
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
        Ok(Audited::new(id.0, "section added", ("section", id.0)).after(heading.clone()))
    }

    fn delete(conn: &mut DbConnection, scope: &Scope, id: i64) -> ServiceResult<Audited<()>> {
        let id = SectionId(id);
        let before = db::document::section_of(conn, scope.consultation.id, id)?
            .ok_or_else(|| missing("section"))?;
        db::document::delete_section(conn, id)?;
        Ok(Audited::new((), "section deleted", ("section", id.0)).before(before.heading))
    }
}

impl Changeable for Section {
    fn update(
        conn: &mut DbConnection,
        scope: &Scope,
        id: i64,
        input: &SectionInput,
    ) -> ServiceResult<Audited<()>> {
        let (id, (heading, content)) = (SectionId(id), parse_section(input)?);
        let before = db::document::section_of(conn, scope.consultation.id, id)?
            .ok_or_else(|| missing("section"))?;
        db::document::update_section(conn, id, &heading, &content)?;
        Ok(Audited::new((), "section changed", ("section", id.0))
            .before(before.content)
            .after(content.clone()))
    }
}

/// A question as typed; `choices` one per line for single-choice questions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    #[serde(default)]
    #[schema(required = true, max_length = 1000, pattern = "^text$")]
    pub prompt: String,
    /// `free_text`, `single_choice` or `agree_scale` (needed to add a
    /// question; a question's kind never changes).
    #[serde(default)]
    #[schema(pattern = "^(free_text|single_choice|agree_scale)?$")]
    pub kind: String,
    /// The answers offered by a `single_choice` question, one per line
    /// (2 to 50 of up to 200 characters each).
    #[serde(default)]
    #[schema(max_length = 10250, pattern = "^choices$")]
    pub choices: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, deserialize_with = "crate::domain::number::optional_integer")]
    #[schema(nullable = true)]
    pub section_id: Option<i64>,
}

/// The choices of a single-choice question, one per line.
fn parse_choices(input: &str, errors: &mut Vec<ValidationError>) -> Vec<String> {
    let most = limits::CHOICES_PER_QUESTION * (limits::CHOICE_CHARS + 5);
    if input.chars().count() > most {
        errors.push(ValidationError::new(
            "choices",
            format!(
                "The choices must be {} characters or fewer in all",
                crate::domain::text::thousands(most)
            ),
        ));
        return Vec::new();
    }
    let choices: Vec<String> = input
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    if choices.len() > limits::CHOICES_PER_QUESTION {
        errors.push(ValidationError::new(
            "choices",
            format!("Enter {} choices or fewer", limits::CHOICES_PER_QUESTION),
        ));
    } else if let Some(long) = choices
        .iter()
        .position(|c| c.chars().count() > limits::CHOICE_CHARS)
    {
        errors.push(ValidationError::new(
            "choices",
            format!(
                "Choice {} must be {} characters or fewer",
                long + 1,
                limits::CHOICE_CHARS
            ),
        ));
    } else if let Some(bad) = choices
        .iter()
        .find_map(|c| required_line("choices", "Each choice", c, limits::CHOICE_CHARS).err())
    {
        errors.push(bad);
    }
    choices
}

/// A new question as checked: its prompt, kind and choices.
type ParsedQuestion = (String, QuestionKind, Vec<String>);

fn parse_question(input: &QuestionInput) -> ServiceResult<ParsedQuestion> {
    let mut errors = Vec::new();
    let prompt = required_text("prompt", "Question", &input.prompt, 1_000)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let kind = input
        .kind
        .parse::<QuestionKind>()
        .map_err(|_| errors.push(ValidationError::new("kind", "Select the kind of answer")))
        .ok();
    // Checked whatever the kind, though only a single-choice question keeps them.
    let choices = parse_choices(&input.choices, &mut errors);
    let choices = match kind {
        Some(QuestionKind::SingleChoice) => choices,
        _ => Vec::new(),
    };
    if kind == Some(QuestionKind::SingleChoice) && choices.len() < 2 {
        errors.push(ValidationError::new(
            "choices",
            "Enter at least two choices, one per line",
        ));
    }
    match kind.filter(|_| errors.is_empty()) {
        Some(kind) => Ok((prompt, kind, choices)),
        None => Err(ServiceError::Invalid(errors)),
    }
}

fn add_question_to(
    conn: &mut DbConnection,
    scope: &Scope,
    input: &QuestionInput,
    (prompt, kind, choices): ParsedQuestion,
) -> ServiceResult<Audited<i64>> {
    let c = &scope.consultation;
    within(
        db::document::counts(conn, c.id)?.1,
        limits::QUESTIONS,
        "prompt",
        "questions",
    )?;
    let section_id = match input.section_id {
        Some(s) => Some(
            db::document::section_of(conn, c.id, SectionId(s))?
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
    Ok(Audited::new(id.0, "question added", ("question", id.0)).after(prompt))
}

/// Why a question cannot be removed now, if it cannot.
pub const QUESTION_IN_USE: &str = "This question cannot be removed: the consultation is open and people have already responded, so removing it would lose their answers. Close the consultation first, or leave the question in place.";

impl Part for Question {
    type Input = QuestionInput;
    const NAME: &'static str = "question";

    /// Adds a question at the end.
    fn add(
        conn: &mut DbConnection,
        scope: &Scope,
        input: &QuestionInput,
    ) -> ServiceResult<Audited<i64>> {
        let parsed = parse_question(input)?;
        add_question_to(conn, scope, input, parsed)
    }

    /// Deletes a question, unless the consultation is open and has responses.
    fn delete(conn: &mut DbConnection, scope: &Scope, id: i64) -> ServiceResult<Audited<()>> {
        let (c, id) = (&scope.consultation, QuestionId(id));
        let before =
            db::document::question_of(conn, c.id, id)?.ok_or_else(|| missing("question"))?;
        if c.status == ConsultationStatus::Open && db::responses::count(conn, c.id)? > 0 {
            return Err(ServiceError::Conflict(QUESTION_IN_USE.into()));
        }
        db::document::delete_question(conn, id)?;
        Ok(Audited::new((), "question deleted", ("question", id.0)).before(before.prompt))
    }
}

impl Changeable for Question {
    /// Changes a question's wording and whether it must be answered. Its
    /// kind and choices stay as they are, so answers already given keep
    /// their meaning.
    fn update(
        conn: &mut DbConnection,
        scope: &Scope,
        id: i64,
        input: &QuestionInput,
    ) -> ServiceResult<Audited<()>> {
        let id = QuestionId(id);
        // Everything sent is checked, though only the wording and whether
        // it is required change.
        let prompt = if input.kind.is_empty() {
            let mut errors = Vec::new();
            parse_choices(&input.choices, &mut errors);
            let prompt = required_text("prompt", "Question", &input.prompt, 1_000)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            prompt
        } else {
            parse_question(input)?.0
        };
        let before = db::document::question_of(conn, scope.consultation.id, id)?
            .ok_or_else(|| missing("question"))?;
        db::document::update_question(conn, id, &prompt, input.required)?;
        Ok(Audited::new((), "question changed", ("question", id.0))
            .before(before.prompt)
            .after(prompt.clone()))
    }
}
