//! Queries on `responses`, their consultees and their answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use super::connection::{DbConnection, last_insert_id};
use super::consultees::Consultee;
use super::schema::{answers, consultees, response_consultees, responses};
use crate::domain::{
    Channel, ConsultationId, ConsulteeId, Publication, QuestionId, ResponseId, ResponseStatus,
};

/// A response row.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = responses)]
pub struct Response {
    pub id: ResponseId,
    pub consultation_id: ConsultationId,
    pub reference: String,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub publication: Publication,
    pub status: ResponseStatus,
    pub content: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The form token a submission arrived with: a resubmission finds it.
    pub submission_key: Option<String>,
    /// Random salt of the consultee's private edit link.
    pub edit_salt: Option<String>,
    /// A hash of what was sent under `submission_key`: the same key with
    /// other content is refused.
    pub submission_hash: Option<String>,
    /// When an officer checked it for publication (redacted, or nothing to
    /// redact).
    pub reviewed_at: Option<NaiveDateTime>,
    /// The consultee asked for an e-mail when the outcome is published.
    pub tell_me_outcome: bool,
    /// False for a letter dated but not timed: show the date alone.
    pub received_time_known: bool,
    /// Where the group is with it.
    pub work_status: crate::domain::WorkStatus,
}

/// A response to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = responses, treat_none_as_default_value = false)]
pub struct NewResponse<'a> {
    pub consultation_id: ConsultationId,
    pub reference: &'a str,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub publication: Publication,
    pub status: ResponseStatus,
    pub content: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submission_key: Option<&'a str>,
    pub edit_salt: Option<&'a str>,
    pub submission_hash: Option<&'a str>,
    /// The consultee asked for an e-mail when the outcome is published.
    pub tell_me_outcome: bool,
    /// False for a letter dated but not timed.
    pub received_time_known: bool,
}

/// Inserts a response and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewResponse<'_>) -> QueryResult<ResponseId> {
    diesel::insert_into(responses::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(ResponseId)
}

/// Records that `consultee` raised `response`; `position` keeps the order in
/// which a joint response names its consultees.
pub fn add_consultee(
    conn: &mut DbConnection,
    response: ResponseId,
    consultee: ConsulteeId,
    position: i32,
) -> QueryResult<usize> {
    diesel::insert_into(response_consultees::table)
        .values((
            response_consultees::response_id.eq(response),
            response_consultees::consultee_id.eq(consultee),
            response_consultees::position.eq(position),
        ))
        .execute(conn)
}

/// Stores the answer to one question.
pub fn add_answer(
    conn: &mut DbConnection,
    response: ResponseId,
    question: QuestionId,
    value: &str,
) -> QueryResult<usize> {
    diesel::insert_into(answers::table)
        .values((
            answers::response_id.eq(response),
            answers::question_id.eq(question),
            answers::value.eq(value),
        ))
        .execute(conn)
}

/// The response with this reference, if any.
pub fn by_reference(conn: &mut DbConnection, reference: &str) -> QueryResult<Option<Response>> {
    responses::table
        .filter(responses::reference.eq(reference))
        .select(Response::as_select())
        .first(conn)
        .optional()
}

/// A consultation's responses in the order they were received.
pub fn of_consultation(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Response>> {
    responses::table
        .filter(responses::consultation_id.eq(id))
        .order((responses::received_at, responses::id))
        .select(Response::as_select())
        .load(conn)
}

/// Every (response, consultee) pair of a consultation, each response's
/// consultees in their joint-response order.
pub fn consultees_of_responses(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(ResponseId, Consultee)>> {
    response_consultees::table
        .inner_join(responses::table)
        .inner_join(consultees::table)
        .filter(responses::consultation_id.eq(id))
        .order((
            response_consultees::response_id,
            response_consultees::position,
        ))
        .select((response_consultees::response_id, Consultee::as_select()))
        .load(conn)
}

/// The answers of a response as (question, value) pairs.
pub fn answers_of(
    conn: &mut DbConnection,
    response: ResponseId,
) -> QueryResult<Vec<(QuestionId, String)>> {
    answers::table
        .filter(answers::response_id.eq(response))
        .order(answers::question_id)
        .select((answers::question_id, answers::value))
        .load(conn)
}

/// The response a form submission with this key created, if any.
pub fn by_submission_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Response>> {
    responses::table
        .filter(responses::submission_key.eq(key))
        .select(Response::as_select())
        .first(conn)
        .optional()
}

/// The responses stored under any of `keys`: a batch's resubmissions, found
/// with one query per thousand keys.
///
/// On PostgreSQL the query is planned afresh each time: a plan cached (as
/// diesel's prepared statements are) while the table was nearly empty
/// scans it whole once it has grown (measured: 19 ms at 20,000 responses,
/// against under 1 ms by the index).
pub fn by_submission_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<Response>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(1_000) {
        let rows: Vec<Response> = match conn {
            DbConnection::Pg(pg) => {
                diesel::sql_query("SELECT * FROM responses WHERE submission_key = ANY($1)")
                    .bind::<Array<Text>, _>(chunk)
                    .load(pg)?
            }
            DbConnection::Sqlite(_) => responses::table
                .filter(responses::submission_key.eq_any(chunk))
                .select(Response::as_select())
                .load(conn)?,
        };
        found.extend(rows);
    }
    Ok(found)
}

/// The consultees of one response, in order.
pub fn consultees_of(conn: &mut DbConnection, response: ResponseId) -> QueryResult<Vec<Consultee>> {
    response_consultees::table
        .inner_join(consultees::table)
        .filter(response_consultees::response_id.eq(response))
        .order(response_consultees::position)
        .select(Consultee::as_select())
        .load(conn)
}

/// Replaces a response's text and publication choice if its version is
/// still `expected_version` (optimistic locking); returns rows changed.
pub fn update_content(
    conn: &mut DbConnection,
    response: ResponseId,
    expected_version: i32,
    content: &str,
    publication: Publication,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        responses::table
            .find(response)
            .filter(responses::version.eq(expected_version)),
    )
    .set((
        responses::content.eq(content),
        responses::publication.eq(publication),
        responses::version.eq(expected_version + 1),
        responses::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Removes every answer of a response (before writing new ones).
pub fn clear_answers(conn: &mut DbConnection, response: ResponseId) -> QueryResult<usize> {
    diesel::delete(answers::table.filter(answers::response_id.eq(response))).execute(conn)
}

/// How many responses a consultation has.
pub fn count(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i64> {
    responses::table
        .filter(responses::consultation_id.eq(id))
        .count()
        .get_result(conn)
}

/// Sets a response's status (an officer releasing or rejecting a held one).
pub fn set_status(
    conn: &mut DbConnection,
    response: ResponseId,
    status: ResponseStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(responses::table.find(response))
        .set((responses::status.eq(status), responses::updated_at.eq(now)))
        .execute(conn)
}

/// A response as the inbox lists it (without its text).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct InboxEntry {
    pub id: ResponseId,
    pub reference: String,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub received_time_known: bool,
    pub status: ResponseStatus,
    pub campaign_of_id: Option<ResponseId>,
    pub work_status: crate::domain::WorkStatus,
}

/// Every response of a consultation for the inbox, newest first.
pub fn inbox(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<InboxEntry>> {
    responses::table
        .filter(responses::consultation_id.eq(id))
        .order((responses::received_at.desc(), responses::id.desc()))
        .select(InboxEntry::as_select())
        .load(conn)
}

/// Ids of responses whose text or consultees' names contain `pattern`
/// (lower case, a LIKE pattern with `\` escapes).
pub fn mentioning(
    conn: &mut DbConnection,
    id: ConsultationId,
    pattern: &str,
) -> QueryResult<Vec<ResponseId>> {
    use super::connection::lower;
    let mut ids: Vec<ResponseId> = responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(lower(responses::content).like(pattern).escape('\\'))
        .select(responses::id)
        .load(conn)?;
    let by_name: Vec<ResponseId> = response_consultees::table
        .inner_join(responses::table)
        .inner_join(consultees::table)
        .filter(responses::consultation_id.eq(id))
        .filter(
            lower(consultees::name).like(pattern).escape('\\').or(lower(
                consultees::short_name.assume_not_null(),
            )
            .like(pattern)
            .escape('\\')),
        )
        .select(response_consultees::response_id)
        .load(conn)?;
    ids.extend(by_name);
    Ok(ids)
}

/// The consultees of the given responses, each response's in order.
pub fn consultees_of_some(
    conn: &mut DbConnection,
    ids: &[ResponseId],
) -> QueryResult<Vec<(ResponseId, Consultee)>> {
    response_consultees::table
        .inner_join(consultees::table)
        .filter(response_consultees::response_id.eq_any(ids))
        .order((
            response_consultees::response_id,
            response_consultees::position,
        ))
        .select((response_consultees::response_id, Consultee::as_select()))
        .load(conn)
}

/// What an officer removed before publication.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct Redaction {
    pub redacted_content: Option<String>,
    pub redaction_reason: Option<String>,
    pub redacted_by: Option<crate::domain::UserId>,
    pub redacted_at: Option<NaiveDateTime>,
}

impl Redaction {
    /// No redaction.
    pub fn none() -> Self {
        Self {
            redacted_content: None,
            redaction_reason: None,
            redacted_by: None,
            redacted_at: None,
        }
    }
}

/// A response's redaction (all `None` when it has none).
pub fn redaction_of(conn: &mut DbConnection, response: ResponseId) -> QueryResult<Redaction> {
    responses::table
        .find(response)
        .select(Redaction::as_select())
        .first(conn)
}

/// Sets the text the public sees, with who, when and why.
pub fn set_redaction(
    conn: &mut DbConnection,
    response: ResponseId,
    redaction: &Redaction,
) -> QueryResult<usize> {
    diesel::update(responses::table.find(response))
        .set((
            responses::redacted_content.eq(&redaction.redacted_content),
            responses::redaction_reason.eq(&redaction.redaction_reason),
            responses::redacted_by.eq(redaction.redacted_by),
            responses::redacted_at.eq(redaction.redacted_at),
        ))
        .execute(conn)
}

/// A published response as the public list shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct PublicEntry {
    pub id: ResponseId,
    pub reference: String,
    pub received_at: NaiveDateTime,
    pub publication: Publication,
    pub content: String,
    pub redacted_content: Option<String>,
}

/// Received responses whose consultees agreed to publication, as received.
pub fn publishable(
    conn: &mut DbConnection,
    id: ConsultationId,
    (offset, limit): (i64, i64),
) -> QueryResult<(Vec<PublicEntry>, i64)> {
    let query = responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(responses::status.eq(ResponseStatus::Received))
        .filter(responses::publication.ne(Publication::NotPublished));
    let total = query.count().get_result(conn)?;
    let page = query
        .order((responses::received_at, responses::id))
        .offset(offset)
        .limit(limit)
        .select(PublicEntry::as_select())
        .load(conn)?;
    Ok((page, total))
}

/// The references of some responses.
pub fn references_of(
    conn: &mut DbConnection,
    ids: &[ResponseId],
) -> QueryResult<Vec<(ResponseId, String)>> {
    responses::table
        .filter(responses::id.eq_any(ids))
        .select((responses::id, responses::reference))
        .load(conn)
}

/// Marks a response checked for publication by `by` at `at` (or clears it).
pub fn set_reviewed(
    conn: &mut DbConnection,
    response: ResponseId,
    reviewed: Option<(Option<crate::domain::UserId>, NaiveDateTime)>,
) -> QueryResult<usize> {
    diesel::update(responses::table.find(response))
        .set((
            responses::reviewed_by.eq(reviewed.and_then(|(by, _)| by)),
            responses::reviewed_at.eq(reviewed.map(|(_, at)| at)),
        ))
        .execute(conn)
}

/// Every redacted response of a consultation as (original, redacted text).
pub fn redactions_of(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(String, String)>> {
    let rows: Vec<(String, Option<String>)> = responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(responses::redacted_content.is_not_null())
        .order(responses::id)
        .select((responses::content, responses::redacted_content))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(original, redacted)| Some((original, redacted?)))
        .collect())
}

/// Responses that will be published (received, consultee agreed) and no
/// officer has checked yet, as received: (reference, received at).
pub fn unreviewed(
    conn: &mut DbConnection,
    id: ConsultationId,
    limit: i64,
) -> QueryResult<(Vec<(String, NaiveDateTime)>, i64)> {
    let query = responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(responses::status.eq(ResponseStatus::Received))
        .filter(responses::publication.ne(Publication::NotPublished))
        .filter(responses::reviewed_at.is_null());
    let total = query.count().get_result(conn)?;
    let first = query
        .order((responses::received_at, responses::id))
        .limit(limit)
        .select((responses::reference, responses::received_at))
        .load(conn)?;
    Ok((first, total))
}

/// How many of a consultation's responses are held for review.
pub fn held_count(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<i64> {
    responses::table
        .filter(responses::consultation_id.eq(id))
        .filter(responses::status.eq(ResponseStatus::Held))
        .count()
        .get_result(conn)
}

/// A response's original text.
pub fn content_of(conn: &mut DbConnection, response: ResponseId) -> QueryResult<String> {
    responses::table
        .find(response)
        .select(responses::content)
        .first(conn)
}

/// Sets where the group is with a response.
pub fn set_work_status(
    conn: &mut DbConnection,
    id: ResponseId,
    status: crate::domain::WorkStatus,
) -> QueryResult<usize> {
    diesel::update(responses::table.find(id))
        .set(responses::work_status.eq(status))
        .execute(conn)
}
