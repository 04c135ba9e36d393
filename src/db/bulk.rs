//! Many rows in one statement. The response writer and the importer store
//! hundreds of responses at a time; row by row, every consultee, issue and
//! tag would cost PostgreSQL a round trip and SQLite a statement.
//!
//! Rows that others point at (responses, consultees, issues) get their ids
//! before they are inserted ([`reserve_ids`]), so every row of a batch can be
//! built in memory first and each table written with one statement.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::audit::NewAuditEntry;
use super::connection::DbConnection;
use super::consultees::NewConsultee;
use super::issues::NewIssue;
use super::responses::NewResponse;
use super::schema::{
    answers, audit_log, consultees, issue_bodies, issue_sections, issues, response_consultees,
    responses,
};
use crate::domain::{BodyId, ConsulteeId, IssueId, QuestionId, ResponseId, SectionId};

/// Most rows in one statement. No row here binds more than 15 values, so a
/// statement stays below SQLite's limit of 32,766 bound values (PostgreSQL's
/// is 65,535); longer batches are split.
const ROWS_PER_STATEMENT: usize = 2_000;

/// A table whose ids can be reserved ahead of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    Responses,
    Consultees,
    Issues,
}

impl Keyed {
    fn table(self) -> &'static str {
        match self {
            Keyed::Responses => "responses",
            Keyed::Consultees => "consultees",
            Keyed::Issues => "issues",
        }
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// `count` unused ids of `table`, in ascending order. Call it inside the
/// write transaction that inserts them, before anything else is inserted
/// there: SQLite's write lock keeps the ids above the largest free (they are
/// the ones SQLite would give), PostgreSQL takes them from the table's
/// sequence (safe across instances).
pub fn reserve_ids(conn: &mut DbConnection, table: Keyed, count: usize) -> QueryResult<Vec<i64>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let wanted = i64::try_from(count).unwrap_or(i64::MAX);
    let name = table.table();
    match conn {
        DbConnection::Sqlite(c) => {
            let largest: Id =
                diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS id FROM {name}"))
                    .get_result(c)?;
            Ok((1..=wanted).map(|i| largest.id + i).collect())
        }
        DbConnection::Pg(c) => {
            // The sequence is looked up once, not once per id.
            let rows: Vec<Id> = diesel::sql_query(format!(
                "SELECT nextval(sequence) AS id FROM generate_series(1, $1), \
                 (SELECT pg_get_serial_sequence('{name}', 'id')::regclass AS sequence) AS s \
                 ORDER BY 1"
            ))
            .bind::<BigInt, _>(wanted)
            .load(c)?;
            Ok(rows.into_iter().map(|row| row.id).collect())
        }
    }
}

/// Inserts a slice of rows with as few statements as the bind limit allows.
/// Batch inserts exist only on the concrete connections, hence the `match`.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            match &mut *$conn {
                DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

/// A response with its reserved id.
#[derive(Debug, Insertable)]
#[diesel(table_name = responses)]
pub struct ResponseRow<'a> {
    pub id: ResponseId,
    #[diesel(embed)]
    pub response: NewResponse<'a>,
}

/// A consultee with its reserved id.
#[derive(Debug, Insertable)]
#[diesel(table_name = consultees)]
pub struct ConsulteeRow<'a> {
    pub id: ConsulteeId,
    #[diesel(embed)]
    pub consultee: NewConsultee<'a>,
}

/// An issue with its reserved id.
#[derive(Debug, Insertable)]
#[diesel(table_name = issues)]
pub struct IssueRow<'a> {
    pub id: IssueId,
    #[diesel(embed)]
    pub issue: NewIssue<'a>,
}

/// Who a response is from, in order (1 is who wrote it).
#[derive(Debug, Insertable)]
#[diesel(table_name = response_consultees)]
pub struct ResponseConsulteeRow {
    pub response_id: ResponseId,
    pub consultee_id: ConsulteeId,
    pub position: i32,
}

/// A response's answer to one question.
#[derive(Debug, Insertable)]
#[diesel(table_name = answers)]
pub struct AnswerRow<'a> {
    pub response_id: ResponseId,
    pub question_id: QuestionId,
    pub value: &'a str,
}

/// A section an issue is about.
#[derive(Debug, Insertable)]
#[diesel(table_name = issue_sections)]
pub struct IssueSectionRow {
    pub issue_id: IssueId,
    pub section_id: SectionId,
}

/// A body an issue is about.
#[derive(Debug, Insertable)]
#[diesel(table_name = issue_bodies)]
pub struct IssueBodyRow {
    pub issue_id: IssueId,
    pub body_id: BodyId,
}

/// Everything a batch of new responses writes, built before anything is
/// written; [`insert`] writes it one table at a time, parents first.
#[derive(Debug, Default)]
pub struct NewRows<'a> {
    pub responses: Vec<ResponseRow<'a>>,
    pub consultees: Vec<ConsulteeRow<'a>>,
    pub response_consultees: Vec<ResponseConsulteeRow>,
    pub answers: Vec<AnswerRow<'a>>,
    pub issues: Vec<IssueRow<'a>>,
    pub issue_sections: Vec<IssueSectionRow>,
    pub issue_bodies: Vec<IssueBodyRow>,
    pub audit: Vec<NewAuditEntry<'a>>,
}

/// Writes all of `rows` (in the caller's transaction).
pub fn insert(conn: &mut DbConnection, rows: &NewRows<'_>) -> QueryResult<()> {
    insert_rows!(conn, responses::table, rows.responses);
    insert_rows!(conn, consultees::table, rows.consultees);
    insert_rows!(conn, response_consultees::table, rows.response_consultees);
    insert_rows!(conn, answers::table, rows.answers);
    insert_rows!(conn, issues::table, rows.issues);
    insert_rows!(conn, issue_sections::table, rows.issue_sections);
    insert_rows!(conn, issue_bodies::table, rows.issue_bodies);
    insert_rows!(conn, audit_log::table, rows.audit);
    Ok(())
}
