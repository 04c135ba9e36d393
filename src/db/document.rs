//! Queries on a consultation document's parts: `sections` and `questions`
//! (and, for checking a form, the ids of the structure's `bodies`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use super::connection::{DbConnection, last_insert_id};
use super::schema::{questions, sections};
use crate::domain::{BodyId, ConsultationId, QuestionId, QuestionKind, SectionId};

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

/// The ids a consultation's response form may refer to.
#[derive(Debug, Default)]
pub struct ReferableIds {
    pub questions: Vec<QuestionId>,
    pub sections: Vec<SectionId>,
    pub bodies: Vec<BodyId>,
}

/// The ids of a consultation's questions, sections and bodies (to check a
/// form's references), with one query: the response writer asks for them
/// in every batch.
pub fn referable_ids_of(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<ReferableIds> {
    // `$1` is one parameter to both engines (SQLite takes it as a name).
    let rows: Vec<KindAndId> = diesel::sql_query(
        "SELECT 0 AS kind, id FROM questions WHERE consultation_id = $1 \
         UNION ALL SELECT 1, id FROM sections WHERE consultation_id = $1 \
         UNION ALL SELECT 2, id FROM bodies WHERE consultation_id = $1",
    )
    .bind::<BigInt, _>(id)
    .load(conn)?;
    let mut ids = ReferableIds::default();
    for row in rows {
        match row.kind {
            0 => ids.questions.push(QuestionId(row.id)),
            1 => ids.sections.push(SectionId(row.id)),
            _ => ids.bodies.push(BodyId(row.id)),
        }
    }
    Ok(ids)
}

#[derive(QueryableByName)]
struct KindAndId {
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = BigInt)]
    id: i64,
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

/// Section `id` if it belongs to consultation `of`.
pub fn section_of(
    conn: &mut DbConnection,
    of: ConsultationId,
    id: SectionId,
) -> QueryResult<Option<Section>> {
    sections::table
        .filter(sections::consultation_id.eq(of))
        .filter(sections::id.eq(id))
        .select(Section::as_select())
        .first(conn)
        .optional()
}

/// Question `id` if it belongs to consultation `of`.
pub fn question_of(
    conn: &mut DbConnection,
    of: ConsultationId,
    id: QuestionId,
) -> QueryResult<Option<Question>> {
    questions::table
        .filter(questions::consultation_id.eq(of))
        .filter(questions::id.eq(id))
        .select(Question::as_select())
        .first(conn)
        .optional()
}

/// How many sections and questions a consultation has.
pub fn counts(conn: &mut DbConnection, of: ConsultationId) -> QueryResult<(i64, i64)> {
    let sections = sections::table
        .filter(sections::consultation_id.eq(of))
        .count()
        .get_result(conn)?;
    let questions = questions::table
        .filter(questions::consultation_id.eq(of))
        .count()
        .get_result(conn)?;
    Ok((sections, questions))
}
