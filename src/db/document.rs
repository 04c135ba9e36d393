//! Queries on a consultation document's parts: `sections` and `questions`.

use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::{questions, sections};
use crate::domain::{ConsultationId, QuestionId, QuestionKind, SectionId};

/// A section row.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = sections)]
pub struct Section {
    pub id: SectionId,
    pub consultation_id: ConsultationId,
    pub position: i32,
    pub heading: String,
    pub content: String,
}

/// A section to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct NewSection<'a> {
    pub consultation_id: ConsultationId,
    pub position: i32,
    pub heading: &'a str,
    pub content: &'a str,
}

/// A question row; `choices` is a JSON array of strings.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = questions)]
pub struct Question {
    pub id: QuestionId,
    pub consultation_id: ConsultationId,
    pub section_id: Option<SectionId>,
    pub position: i32,
    pub prompt: String,
    pub kind: QuestionKind,
    pub choices: String,
    pub required: bool,
}

impl Question {
    /// The answer choices (empty for free-text questions).
    pub fn choice_list(&self) -> Vec<String> {
        serde_json::from_str(&self.choices).unwrap_or_default()
    }
}

/// A question to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = questions)]
pub struct NewQuestion<'a> {
    pub consultation_id: ConsultationId,
    pub section_id: Option<SectionId>,
    pub position: i32,
    pub prompt: &'a str,
    pub kind: QuestionKind,
    pub choices: &'a str,
    pub required: bool,
}

/// Inserts a section and returns its id.
pub fn insert_section(conn: &mut DbConnection, new: &NewSection<'_>) -> QueryResult<SectionId> {
    diesel::insert_into(sections::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(SectionId)
}

/// A consultation's sections in document order.
pub fn sections_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Section>> {
    sections::table
        .filter(sections::consultation_id.eq(id))
        .order(sections::position)
        .select(Section::as_select())
        .load(conn)
}

/// The ids of a consultation's sections (to check a form's references).
pub fn section_ids_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<SectionId>> {
    sections::table
        .filter(sections::consultation_id.eq(id))
        .select(sections::id)
        .load(conn)
}

/// The ids of a consultation's questions (to check a form's references).
pub fn question_ids_of(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<QuestionId>> {
    questions::table
        .filter(questions::consultation_id.eq(id))
        .select(questions::id)
        .load(conn)
}

/// Inserts a question and returns its id.
pub fn insert_question(conn: &mut DbConnection, new: &NewQuestion<'_>) -> QueryResult<QuestionId> {
    diesel::insert_into(questions::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(QuestionId)
}

/// A consultation's questions in order.
pub fn questions_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Question>> {
    questions::table
        .filter(questions::consultation_id.eq(id))
        .order(questions::position)
        .select(Question::as_select())
        .load(conn)
}

/// Changes a section's heading and text.
pub fn update_section(
    conn: &mut DbConnection,
    id: SectionId,
    heading: &str,
    content: &str,
) -> QueryResult<usize> {
    diesel::update(sections::table.find(id))
        .set((sections::heading.eq(heading), sections::content.eq(content)))
        .execute(conn)
}

/// Deletes a section (questions tied to it lose the tie).
pub fn delete_section(conn: &mut DbConnection, id: SectionId) -> QueryResult<usize> {
    diesel::delete(sections::table.find(id)).execute(conn)
}

/// Deletes a question and its answers.
pub fn delete_question(conn: &mut DbConnection, id: QuestionId) -> QueryResult<usize> {
    diesel::delete(questions::table.find(id)).execute(conn)
}

/// The next free position for a consultation's sections.
pub fn next_section_position(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i32> {
    let max: Option<i32> = sections::table
        .filter(sections::consultation_id.eq(id))
        .select(diesel::dsl::max(sections::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// The next free position for a consultation's questions.
pub fn next_question_position(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i32> {
    let max: Option<i32> = questions::table
        .filter(questions::consultation_id.eq(id))
        .select(diesel::dsl::max(questions::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Changes a question's wording and whether it must be answered.
pub fn update_question(
    conn: &mut DbConnection,
    id: QuestionId,
    prompt: &str,
    required: bool,
) -> QueryResult<usize> {
    diesel::update(questions::table.find(id))
        .set((
            questions::prompt.eq(prompt),
            questions::required.eq(required),
        ))
        .execute(conn)
}
