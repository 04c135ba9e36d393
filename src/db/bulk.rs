//! Many rows in one statement. The response writer and the importer store
//! hundreds of responses at a time; row by row, every consultee, issue and
//! tag would cost PostgreSQL a round trip and SQLite a statement.
//!
//! Rows that others point at (responses, consultees, issues) get their ids
//! before they are inserted ([`reserve_ids`]), so every row of a batch can be
//! built in memory first and written at once: on SQLite with one statement
//! per table, on PostgreSQL with one statement for all of them.

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{
    Array, BigInt, Bool, HasSqlType, Integer, Nullable, SingleValue, Text, Timestamp,
};

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

/// Most rows in one SQLite statement. No row here binds more than 15 values,
/// so a statement stays below SQLite's limit of 32,766 bound values; longer
/// batches are split. (PostgreSQL binds a column as one array: no limit.)
const ROWS_PER_STATEMENT: usize = 2_000;

/// How many new rows of each kind a batch needs ids for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted {
    pub responses: usize,
    pub consultees: usize,
    pub issues: usize,
}

/// Unused ids, ascending, as many of each kind as were wanted.
#[derive(Debug, Default)]
pub struct Reserved {
    pub responses: Vec<i64>,
    pub consultees: Vec<i64>,
    pub issues: Vec<i64>,
}

#[derive(QueryableByName)]
struct Largest {
    #[diesel(sql_type = BigInt)]
    responses: i64,
    #[diesel(sql_type = BigInt)]
    consultees: i64,
    #[diesel(sql_type = BigInt)]
    issues: i64,
}

#[derive(QueryableByName)]
struct KeyedId {
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Unused ids for the rows a batch will insert, taken with one statement.
/// Call it inside the write transaction that inserts them, before anything
/// else is inserted there: SQLite's write lock keeps the ids above the
/// largest free (they are the ones SQLite would give), PostgreSQL takes them
/// from each table's sequence (safe across instances).
pub fn reserve_ids(conn: &mut DbConnection, wanted: Wanted) -> QueryResult<Reserved> {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Sqlite(c) => {
            let largest: Largest = diesel::sql_query(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM responses) AS responses, \
                 (SELECT COALESCE(MAX(id), 0) FROM consultees) AS consultees, \
                 (SELECT COALESCE(MAX(id), 0) FROM issues) AS issues",
            )
            .get_result(c)?;
            let after = |largest: i64, n: usize| (1..=count(n)).map(|i| largest + i).collect();
            Ok(Reserved {
                responses: after(largest.responses, wanted.responses),
                consultees: after(largest.consultees, wanted.consultees),
                issues: after(largest.issues, wanted.issues),
            })
        }
        DbConnection::Pg(c) => {
            // An identity column's sequence is `<table>_id_seq`, PostgreSQL's
            // own naming (the bulk-store tests on PostgreSQL would fail
            // otherwise). Naming it saves `pg_get_serial_sequence`, which
            // searches the catalogue on every call.
            let rows: Vec<KeyedId> = diesel::sql_query(
                "SELECT 0 AS kind, nextval('responses_id_seq') AS id FROM generate_series(1, $1) \
                 UNION ALL \
                 SELECT 1, nextval('consultees_id_seq') FROM generate_series(1, $2) \
                 UNION ALL \
                 SELECT 2, nextval('issues_id_seq') FROM generate_series(1, $3) \
                 ORDER BY 1, 2",
            )
            .bind::<BigInt, _>(count(wanted.responses))
            .bind::<BigInt, _>(count(wanted.consultees))
            .bind::<BigInt, _>(count(wanted.issues))
            .load(c)?;
            let mut reserved = Reserved::default();
            for row in rows {
                match row.kind {
                    0 => reserved.responses.push(row.id),
                    1 => reserved.consultees.push(row.id),
                    _ => reserved.issues.push(row.id),
                }
            }
            Ok(reserved)
        }
    }
}

/// Inserts a slice of rows into SQLite with as few statements as the bind
/// limit allows.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            diesel::insert_into($table).values(chunk).execute($conn)?;
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
    match conn {
        DbConnection::Sqlite(c) => insert_sqlite(c, rows),
        DbConnection::Pg(c) => insert_postgres(c, rows),
    }
}

/// SQLite runs in the process, so a statement per table costs little: each
/// table is written with multi-row inserts, parents first.
fn insert_sqlite(conn: &mut SqliteConnection, rows: &NewRows<'_>) -> QueryResult<()> {
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

/// PostgreSQL: every table in one statement. A round trip to the server
/// costs more than the rows (a statement per table made two thirds of a
/// batch's time), so each column travels as one array and `unnest` turns
/// the arrays back into rows, one data-modifying `WITH` part per table. The
/// statement's text is the same for every batch, whatever its size, so it
/// is prepared once per connection; foreign keys are checked at the end of the statement,
/// when every table's rows are in.
fn insert_postgres(conn: &mut PgConnection, rows: &NewRows<'_>) -> QueryResult<()> {
    let unnested = response_columns(Unnested::default(), rows);
    let unnested = consultee_columns(unnested, rows);
    let unnested = issue_columns(unnested, rows);
    audit_columns(unnested, rows).execute(conn).map(|_| ())
}

fn response_columns<'a>(unnested: Unnested<'a>, rows: &NewRows<'a>) -> Unnested<'a> {
    let r = &rows.responses;
    unnested
        .column::<BigInt, _>("id", "bigint", r.iter().map(|r| r.id))
        .column::<BigInt, _>(
            "consultation_id",
            "bigint",
            r.iter().map(|r| r.response.consultation_id),
        )
        .column::<Text, _>("reference", "text", r.iter().map(|r| r.response.reference))
        .column::<Text, _>("channel", "text", r.iter().map(|r| r.response.channel))
        .column::<Timestamp, _>(
            "received_at",
            "timestamp",
            r.iter().map(|r| r.response.received_at),
        )
        .column::<Text, _>(
            "publication",
            "text",
            r.iter().map(|r| r.response.publication),
        )
        .column::<Text, _>("status", "text", r.iter().map(|r| r.response.status))
        .column::<Text, _>("content", "text", r.iter().map(|r| r.response.content))
        .column::<Timestamp, _>(
            "created_at",
            "timestamp",
            r.iter().map(|r| r.response.created_at),
        )
        .column::<Timestamp, _>(
            "updated_at",
            "timestamp",
            r.iter().map(|r| r.response.updated_at),
        )
        .column::<Nullable<Text>, _>(
            "submission_key",
            "text",
            r.iter().map(|r| r.response.submission_key),
        )
        .column::<Nullable<Text>, _>("edit_salt", "text", r.iter().map(|r| r.response.edit_salt))
        .column::<Nullable<Text>, _>(
            "submission_hash",
            "text",
            r.iter().map(|r| r.response.submission_hash),
        )
        .column::<Bool, _>(
            "tell_me_outcome",
            "boolean",
            r.iter().map(|r| r.response.tell_me_outcome),
        )
        .column::<Bool, _>(
            "received_time_known",
            "boolean",
            r.iter().map(|r| r.response.received_time_known),
        )
        .into_table("responses")
}

fn consultee_columns<'a>(unnested: Unnested<'a>, rows: &NewRows<'a>) -> Unnested<'a> {
    let (c, links, a) = (&rows.consultees, &rows.response_consultees, &rows.answers);
    unnested
        .column::<BigInt, _>("id", "bigint", c.iter().map(|c| c.id))
        .column::<BigInt, _>(
            "consultation_id",
            "bigint",
            c.iter().map(|c| c.consultee.consultation_id),
        )
        .column::<Text, _>("name", "text", c.iter().map(|c| c.consultee.name))
        .column::<Nullable<Text>, _>(
            "short_name",
            "text",
            c.iter().map(|c| c.consultee.short_name),
        )
        .column::<Text, _>("kind", "text", c.iter().map(|c| c.consultee.kind))
        .column::<Nullable<Text>, _>(
            "contact_name",
            "text",
            c.iter().map(|c| c.consultee.contact_name),
        )
        .column::<Nullable<Text>, _>(
            "contact_email",
            "text",
            c.iter().map(|c| c.consultee.contact_email),
        )
        .column::<Timestamp, _>(
            "created_at",
            "timestamp",
            c.iter().map(|c| c.consultee.created_at),
        )
        .into_table("consultees")
        .column::<BigInt, _>("response_id", "bigint", links.iter().map(|l| l.response_id))
        .column::<BigInt, _>(
            "consultee_id",
            "bigint",
            links.iter().map(|l| l.consultee_id),
        )
        .column::<Integer, _>("position", "integer", links.iter().map(|l| l.position))
        .into_table("response_consultees")
        .column::<BigInt, _>("response_id", "bigint", a.iter().map(|a| a.response_id))
        .column::<BigInt, _>("question_id", "bigint", a.iter().map(|a| a.question_id))
        .column::<Text, _>("value", "text", a.iter().map(|a| a.value))
        .into_table("answers")
}

fn issue_columns<'a>(unnested: Unnested<'a>, rows: &NewRows<'a>) -> Unnested<'a> {
    let (i, s, b) = (&rows.issues, &rows.issue_sections, &rows.issue_bodies);
    unnested
        .column::<BigInt, _>("id", "bigint", i.iter().map(|i| i.id))
        .column::<BigInt, _>(
            "consultation_id",
            "bigint",
            i.iter().map(|i| i.issue.consultation_id),
        )
        .column::<BigInt, _>(
            "response_id",
            "bigint",
            i.iter().map(|i| i.issue.response_id),
        )
        .column::<Integer, _>("position", "integer", i.iter().map(|i| i.issue.position))
        .column::<Text, _>("content", "text", i.iter().map(|i| i.issue.content))
        .column::<Text, _>("kind", "text", i.iter().map(|i| i.issue.kind))
        .into_table("issues")
        .column::<BigInt, _>("issue_id", "bigint", s.iter().map(|s| s.issue_id))
        .column::<BigInt, _>("section_id", "bigint", s.iter().map(|s| s.section_id))
        .into_table("issue_sections")
        .column::<BigInt, _>("issue_id", "bigint", b.iter().map(|b| b.issue_id))
        .column::<BigInt, _>("body_id", "bigint", b.iter().map(|b| b.body_id))
        .into_table("issue_bodies")
}

fn audit_columns<'a>(unnested: Unnested<'a>, rows: &NewRows<'a>) -> Unnested<'a> {
    let log = &rows.audit;
    unnested
        .column::<Timestamp, _>("at", "timestamp", log.iter().map(|e| e.at))
        .column::<Nullable<BigInt>, _>("user_id", "bigint", log.iter().map(|e| e.user_id))
        .column::<Text, _>("actor", "text", log.iter().map(|e| e.actor))
        .column::<Text, _>("action", "text", log.iter().map(|e| e.action))
        .column::<Text, _>("entity", "text", log.iter().map(|e| e.entity))
        .column::<Nullable<BigInt>, _>("entity_id", "bigint", log.iter().map(|e| e.entity_id))
        .column::<Nullable<Text>, _>("before_value", "text", log.iter().map(|e| e.before_value))
        .column::<Nullable<Text>, _>("after_value", "text", log.iter().map(|e| e.after_value))
        .into_table("audit_log")
}

/// One PostgreSQL statement inserting into several tables, each column's
/// values bound as one array. Its text depends only on the tables and
/// columns named, which are the same for every batch, so PostgreSQL
/// prepares it once per connection (see the `QueryId` below).
#[derive(Default)]
struct Unnested<'a> {
    tables: Vec<UnnestedTable<'a>>,
    columns: Vec<UnnestedColumn<'a>>,
}

struct UnnestedTable<'a> {
    name: &'static str,
    columns: Vec<UnnestedColumn<'a>>,
}

struct UnnestedColumn<'a> {
    name: &'static str,
    /// PostgreSQL's name of the element type (`bigint`, `text`…).
    element: &'static str,
    values: Box<dyn ArrayBind + Send + 'a>,
}

/// A column's values, bound as one array parameter.
trait ArrayBind {
    fn bind<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Values<ST, T> {
    values: Vec<T>,
    sql_type: PhantomData<ST>,
}

impl<ST, T> ArrayBind for Values<ST, T>
where
    ST: SingleValue + 'static,
    Pg: HasSqlType<ST>,
    T: ToSql<ST, Pg> + std::fmt::Debug,
{
    fn bind<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<Array<ST>, Vec<T>>(&self.values)
    }
}

impl<'a> Unnested<'a> {
    /// One column of the table being built: its name, PostgreSQL's name of
    /// its element type, and its values in row order.
    fn column<ST, T>(
        mut self,
        name: &'static str,
        element: &'static str,
        values: impl Iterator<Item = T>,
    ) -> Self
    where
        ST: SingleValue + Send + 'static,
        Pg: HasSqlType<ST>,
        T: ToSql<ST, Pg> + std::fmt::Debug + Send + 'a,
    {
        self.columns.push(UnnestedColumn {
            name,
            element,
            values: Box::new(Values::<ST, T> {
                values: values.collect(),
                sql_type: PhantomData,
            }),
        });
        self
    }

    /// Ends the columns given since the last table: they are `table`'s.
    fn into_table(mut self, name: &'static str) -> Self {
        let columns = std::mem::take(&mut self.columns);
        self.tables.push(UnnestedTable { name, columns });
        self
    }
}

impl QueryFragment<Pg> for Unnested<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        for (t, table) in self.tables.iter().enumerate() {
            if t > 0 {
                out.push_sql(", ");
            }
            out.push_sql(table.name);
            out.push_sql("_rows AS (INSERT INTO ");
            out.push_sql(table.name);
            out.push_sql(" (");
            for (c, column) in table.columns.iter().enumerate() {
                if c > 0 {
                    out.push_sql(", ");
                }
                out.push_sql(column.name);
            }
            out.push_sql(") SELECT * FROM unnest(");
            for (c, column) in table.columns.iter().enumerate() {
                if c > 0 {
                    out.push_sql(", ");
                }
                column.values.bind(&mut out)?;
                out.push_sql("::");
                out.push_sql(column.element);
                out.push_sql("[]");
            }
            out.push_sql("))");
        }
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

/// The statement's identity for diesel's cache of prepared statements. It
/// is one per program because [`insert_postgres`] always names the same
/// tables and columns in the same order: the text never changes, only the
/// arrays bound to it.
impl QueryId for Unnested<'_> {
    type QueryId = UnnestedInsert;
    const HAS_STATIC_QUERY_ID: bool = true;
}

/// See the `QueryId` of [`Unnested`].
struct UnnestedInsert;

impl RunQueryDsl<PgConnection> for Unnested<'_> {}
