//! Importing responses that came by e-mail, letter or another tool from a
//! CSV file: upload (kept so the columns can be mapped and previewed),
//! preview (every problem, and the first rows as they will be stored), and
//! the import itself — all or nothing, in one transaction, and idempotent:
//! each row is keyed by a hash of its content (`import:` + SHA-256 of the
//! mapped cells), stored as the response's submission key, so importing the
//! same file (or row) again finds the first response instead of adding one.

use crate::service::access::{Action, Scope};
use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::audit::{self, Change};
use super::responses::{Stored, Submission, ToStore, store_all};
use super::submission::{self, FormSpec};
use super::{ServiceError, ServiceResult};
use crate::analysis::split::split;
use crate::db::{self, DbConnection};
use crate::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use crate::domain::{ConsulteeKind, QuestionId, ValidationError};
use crate::import::{
    self, Encoding, Field, ImportRow, Mapping, Problem, QuestionSpec, Table, check_rows,
};

/// Rows shown in a preview.
pub const SAMPLE_ROWS: usize = 10;

/// Problems listed in a refusal (the preview lists them all).
const LISTED_PROBLEMS: usize = 50;

/// Rows stored together: each table gets one statement per this many rows,
/// and the progress bar moves after each.
const ROWS_PER_WRITE: usize = 500;

/// Reads an uploaded file, or says why it cannot be read.
pub fn read(bytes: &[u8]) -> ServiceResult<Table> {
    import::read(bytes).map_err(|e| ServiceError::invalid("file", e.to_string()))
}

/// Keeps an uploaded file for mapping and preview; returns its id.
pub fn upload(
    conn: &mut DbConnection,
    scope: &Scope,
    filename: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> ServiceResult<i64> {
    scope.require(Action::Run)?;
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    let table = read(bytes)?;
    let (text, _) = import::decode(bytes);
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    db::write_transaction(conn, |conn| {
        let id = db::imports::insert(
            conn,
            &db::imports::NewUpload {
                consultation_id: consultation.id,
                filename: &filename,
                content: &text,
                encoding: table.encoding.label(),
                uploaded_by: actor.user_id,
                uploaded_at: now.naive_utc(),
            },
        )?;
        let note = format!(
            "{filename}: {} rows, {}",
            table.records.len(),
            table.encoding.label()
        );
        let change = Change {
            action: "file uploaded for import",
            entity: "consultation",
            id: consultation.id.0,
            before: None,
            after: Some(&note),
        };
        audit::record(conn, actor, now, change)?;
        Ok(id)
    })
}

/// An uploaded file read again.
pub fn uploaded(
    conn: &mut DbConnection,
    scope: &Scope,
    id: i64,
) -> ServiceResult<(db::imports::Upload, Table)> {
    scope.require(Action::Run)?;
    let consultation = &scope.consultation;
    let upload = db::imports::by_id(conn, id)?
        .filter(|u| u.consultation_id == consultation.id)
        .ok_or_else(|| ServiceError::NotFound(format!("uploaded file {id}")))?;
    let table = import::read_text(&upload.content, Encoding::from_label(&upload.encoding))
        .map_err(|e| ServiceError::invalid("file", e.to_string()))?;
    Ok((upload, table))
}

/// A question as columns are matched to it: (id, number, prompt).
pub type NamedQuestion = (QuestionId, i32, String);

/// The consultation's questions, for mapping columns to them.
pub fn questions(
    conn: &mut DbConnection,
    scope: &Scope,
) -> ServiceResult<(Vec<NamedQuestion>, Vec<QuestionSpec>)> {
    let consultation = &scope.consultation;
    let questions = db::document::questions_of(conn, consultation.id)?;
    let named = questions
        .iter()
        .map(|q| (q.id, q.position, q.prompt.clone()))
        .collect();
    let specs = questions
        .iter()
        .map(|q| QuestionSpec::new(q.id, q.kind, q.choice_list()))
        .collect();
    Ok((named, specs))
}

/// What an import would do.
#[derive(Debug, Clone)]
pub struct Preview {
    pub rows: usize,
    pub sample: Vec<ImportRow>,
    pub problems: Vec<Problem>,
    /// Rows already imported before (or repeated in the file): skipped.
    pub repeats: usize,
}

/// Checks a file under a mapping without storing anything.
pub fn preview(
    conn: &mut DbConnection,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> ServiceResult<Preview> {
    scope.require(Action::Run)?;
    let (rows, problems) = checked(conn, scope, table, mapping, now)?;
    let mut seen = HashSet::new();
    let mut repeats = 0;
    for (row, _) in &rows {
        if !seen.insert(row.key.as_str())
            || db::responses::by_submission_key(conn, &row.key)?.is_some()
        {
            repeats += 1;
        }
    }
    Ok(Preview {
        rows: table.records.len(),
        sample: rows
            .into_iter()
            .take(SAMPLE_ROWS)
            .map(|(row, _)| row)
            .collect(),
        problems,
        repeats,
    })
}

/// Rows checked: each with its submission, and every problem found.
type Checked = (Vec<(ImportRow, Submission)>, Vec<Problem>);

/// Every row of `table` read under `mapping` and checked by the one
/// validator of responses, as the web form and the API are: the rows with
/// their submissions, and every problem by line and column.
fn checked(
    conn: &mut DbConnection,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> ServiceResult<Checked> {
    let (_, specs) = questions(conn, scope)?;
    let spec = FormSpec::of(conn, scope.consultation.id)?;
    let (rows, mut problems) = check_rows(table, mapping, &specs, now);
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        match submission::validate(&draft_of(&row, &spec), &spec, row.channel) {
            Ok(submission) => checked.push((row, submission)),
            Err(errors) => problems.extend(
                errors
                    .into_iter()
                    .map(|e| problem_of(&row, &e, table, mapping)),
            ),
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok((checked, problems))
}

/// A validator's error about a row, as a problem in the file: the column
/// it came from, in the file's own words.
fn problem_of(
    row: &ImportRow,
    error: &ValidationError,
    table: &Table,
    mapping: &Mapping,
) -> Problem {
    let field = error.field.as_str();
    let column = if field.starts_with("point-") || field == "points" {
        mapping.column(Field::Text)
    } else if field == "name" {
        mapping.column(Field::Name)
    } else if field.starts_with("organisation") {
        mapping
            .column(Field::Organisation)
            .or(mapping.column(Field::Kind))
    } else if field == "email" {
        mapping.column(Field::Email)
    } else if field == "publication" {
        mapping.column(Field::Publication)
    } else if let Some(id) = field.strip_prefix("answer-").and_then(|id| id.parse().ok()) {
        mapping.question_column(QuestionId(id))
    } else {
        None
    };
    Problem {
        line: row.line,
        column: column
            .and_then(|c| table.headers.get(c))
            .cloned()
            .unwrap_or_default(),
        message: error.message.clone(),
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub imported: usize,
    /// Rows that repeat earlier ones (in the file or imported before).
    pub skipped: usize,
}

/// A problem as a line of an error message.
pub fn describe(problem: &Problem) -> String {
    match (problem.line, problem.column.as_str()) {
        (0, _) => problem.message.clone(),
        (line, "") => format!("Row {line}: {}", problem.message),
        (line, column) => format!("Row {line}, column “{column}”: {}", problem.message),
    }
}

/// An issue of a letter, tagged with the bodies and sections it names
/// (for officers to check: letters arrive untagged).
fn tagged(text: String, spec: &FormSpec) -> IssueDraft {
    use crate::analysis::mentions;
    let names: Vec<(&str, Option<&str>)> = (spec.bodies.iter())
        .map(|b| (b.name.as_str(), b.short_name.as_deref()))
        .collect();
    let found = mentions::bodies(&text, &names);
    let mentioned: Vec<(&str, Option<&str>)> = found.iter().map(|&i| names[i]).collect();
    let headings: Vec<&str> = spec.sections.iter().map(|s| s.heading.as_str()).collect();
    let sections = mentions::sections(&text, &headings, &mentioned);
    IssueDraft {
        sections: sections
            .iter()
            .map(|&i| spec.sections[i].id.0.to_string())
            .collect(),
        bodies: found
            .iter()
            .map(|&i| spec.bodies[i].id.0.to_string())
            .collect(),
        text,
    }
}

/// A row as it would have been typed on the form: its letter split into
/// the points it makes (all of it as one, if the splitter finds none), each
/// tagged with what it names.
fn draft_of(row: &ImportRow, spec: &FormSpec) -> SubmissionDraft {
    let mut issues: Vec<IssueDraft> = split(&row.text)
        .into_iter()
        .map(|p| tagged(p.text, spec))
        .collect();
    if issues.is_empty() {
        issues.push(tagged(row.text.clone(), spec));
    }
    let person = row.name.clone().unwrap_or_default();
    let (on_behalf, organisation) = if row.kind == ConsulteeKind::Individual {
        ("no", OrganisationDraft::default())
    } else {
        let name = row.organisation.clone().unwrap_or_else(|| person.clone());
        let kind = row.kind.as_str().to_string();
        ("yes", OrganisationDraft { name, kind })
    };
    SubmissionDraft {
        name: if row.kind == ConsulteeKind::Individual && person.is_empty() {
            row.organisation.clone().unwrap_or_default()
        } else {
            person
        },
        email: row.email.clone().unwrap_or_default(),
        on_behalf: on_behalf.into(),
        organisation,
        joint: Vec::new(),
        answers: row.answers.iter().map(|(q, a)| (q.0, a.clone())).collect(),
        issues,
        publication: row.publication.as_str().into(),
        tell_me_outcome: false,
        honeypot: String::new(),
    }
}

/// Imports every row of `table`, or none: any problem refuses the whole
/// file. `progress` hears (rows done, rows in all).
pub fn import(
    conn: &mut DbConnection,
    scope: &Scope,
    (table, filename): (&Table, &str),
    mapping: &Mapping,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> ServiceResult<Outcome> {
    let consultation = &scope.consultation;
    let actor = &scope.actor();
    scope.require(Action::Run)?;
    let (rows, problems) = checked(conn, scope, table, mapping, now)?;
    if !problems.is_empty() {
        let mut errors: Vec<ValidationError> = problems
            .iter()
            .take(LISTED_PROBLEMS)
            .map(|p| ValidationError::new("file", describe(p)))
            .collect();
        if problems.len() > LISTED_PROBLEMS {
            errors.push(ValidationError::new(
                "file",
                format!("and {} more problems", problems.len() - LISTED_PROBLEMS),
            ));
        }
        return Err(ServiceError::Invalid(errors));
    }
    db::write_transaction(conn, |conn| {
        // Which rows are new (not repeated in the file, not imported before).
        let keys: Vec<&str> = rows.iter().map(|(row, _)| row.key.as_str()).collect();
        let mut seen: HashSet<String> = db::responses::by_submission_keys(conn, &keys)?
            .into_iter()
            .filter_map(|r| r.submission_key)
            .collect();
        let fresh: Vec<&(ImportRow, Submission)> = rows
            .iter()
            .filter(|(row, _)| seen.insert(row.key.clone()))
            .collect();
        let outcome = Outcome {
            imported: fresh.len(),
            skipped: rows.len() - fresh.len(),
        };
        let mut done = outcome.skipped;
        progress(done, rows.len());
        for chunk in fresh.chunks(ROWS_PER_WRITE) {
            let mut to_store = Vec::with_capacity(chunk.len());
            for (row, submission) in chunk.iter().copied() {
                let stored = Stored {
                    submission,
                    kinds: None,
                    received_at: row.received_at,
                    received_time_known: row.received_time_known,
                    submission_key: Some(&row.key),
                    submission_hash: None,
                    edit_salt: None,
                    action: "response imported",
                };
                to_store.push(ToStore {
                    consultation,
                    stored,
                });
            }
            store_all(conn, actor, now, &to_store)?;
            done += chunk.len();
            progress(done, rows.len());
        }
        let note = format!(
            "{filename}: {} imported, {} skipped as repeats",
            outcome.imported, outcome.skipped
        );
        let change = Change {
            action: "responses imported",
            entity: "consultation",
            id: consultation.id.0,
            before: None,
            after: Some(&note),
        };
        audit::record(conn, actor, now, change)?;
        Ok(outcome)
    })
}

/// Imports an uploaded file and marks it imported.
pub fn import_upload(
    conn: &mut DbConnection,
    scope: &Scope,
    id: i64,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> ServiceResult<Outcome> {
    let (upload, table) = uploaded(conn, scope, id)?;
    if upload.imported_at.is_some() {
        return Err(ServiceError::Conflict(format!(
            "This file was imported already ({} responses). Importing it again would add nothing.",
            upload.imported
        )));
    }
    db::write_transaction(conn, |conn| {
        let outcome = import(
            conn,
            scope,
            (&table, &upload.filename),
            mapping,
            now,
            &mut |_, _| {},
        )?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        db::imports::mark_imported(
            conn,
            id,
            now.naive_utc(),
            (count(outcome.imported), count(outcome.skipped)),
        )?;
        Ok(outcome)
    })
}
