//! Checking every row of a mapped file: each becomes a response, or one or
//! more problems that say which row, which column and what to change. The
//! import is all or nothing, so one problem stops it.

use chrono::{DateTime, Utc};

use super::mapping::{Field, Mapping};
use super::{Table, dates};
use crate::domain::consultee::MAX_NAME_CHARS;
use crate::domain::question::AGREE_SCALE;
use crate::domain::{Channel, ConsulteeKind, EmailAddress, Publication, QuestionId, QuestionKind};
use crate::security::sha256_hex;

/// The longest response text (a long letter); its points are split out.
pub const MAX_TEXT_CHARS: usize = 50_000;

/// The longest answer to one question.
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// A question of the consultation, as a column may answer it.
#[derive(Debug, Clone)]
pub struct QuestionSpec {
    pub id: QuestionId,
    pub kind: QuestionKind,
    /// The allowed answers of a choice question (empty for free text).
    pub choices: Vec<String>,
}

impl QuestionSpec {
    /// A question with the choices a consultee would have been offered.
    pub fn new(id: QuestionId, kind: QuestionKind, choices: Vec<String>) -> Self {
        let choices = match kind {
            QuestionKind::FreeText => Vec::new(),
            QuestionKind::SingleChoice => choices,
            QuestionKind::AgreeScale => AGREE_SCALE.iter().map(|s| s.to_string()).collect(),
        };
        Self { id, kind, choices }
    }
}

/// A row ready to store as a response.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Its row in the file as a spreadsheet numbers it (the header is 1).
    pub line: usize,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub kind: ConsulteeKind,
    pub email: Option<String>,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    /// False when the file gave a date without a time.
    pub received_time_known: bool,
    pub text: String,
    pub publication: Publication,
    pub answers: Vec<(QuestionId, String)>,
    /// Identifies the row's content: importing the same row twice finds
    /// the first response instead of making a second.
    pub key: String,
}

impl ImportRow {
    /// Who the response is from: the organisation, or else the person.
    pub fn consultee(&self) -> &str {
        self.organisation
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or_default()
    }
}

/// Something wrong with the file or a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The row in the file, as a spreadsheet numbers it (0: the file or
    /// the mapping as a whole).
    pub line: usize,
    /// The column's name in the file, or the field's label.
    pub column: String,
    pub message: String,
}

fn matches(input: &str, word: &str, label: &str) -> bool {
    let input = input.trim();
    input.eq_ignore_ascii_case(word) || input.eq_ignore_ascii_case(label)
}

fn parse_kind(input: &str) -> Option<ConsulteeKind> {
    ConsulteeKind::ALL
        .iter()
        .copied()
        .find(|k| matches(input, k.as_str(), k.label()))
        .or_else(|| match input.trim().to_lowercase().as_str() {
            "individual" | "member of public" | "public" | "resident" => {
                Some(ConsulteeKind::Individual)
            }
            _ => None,
        })
}

fn parse_channel(input: &str) -> Option<Channel> {
    Channel::ALL
        .iter()
        .copied()
        .find(|c| matches(input, c.as_str(), c.label()))
        .or_else(|| match input.trim().to_lowercase().as_str() {
            "e-mail" | "mail" => Some(Channel::Email),
            "post" | "paper" => Some(Channel::Letter),
            "web" | "website" | "survey" | "form" => Some(Channel::Online),
            _ => None,
        })
}

fn parse_publication(input: &str) -> Option<Publication> {
    Publication::ALL
        .iter()
        .copied()
        .find(|p| matches(input, p.as_str(), p.label()))
        .or_else(|| match input.trim().to_lowercase().as_str() {
            "yes" | "y" | "with names" | "publish" => Some(Publication::WithNames),
            "anonymous" | "anonymously" | "without names" => Some(Publication::Anonymous),
            "no" | "n" | "do not publish" => Some(Publication::NotPublished),
            _ => None,
        })
}

fn has_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// One row's checks, collecting every problem rather than the first.
struct RowCheck<'a> {
    table: &'a Table,
    line: usize,
    cells: &'a [String],
    problems: Vec<Problem>,
}

impl<'a> RowCheck<'a> {
    fn cell(&self, column: Option<usize>) -> &'a str {
        column
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.trim())
    }

    fn problem(&mut self, column: Option<usize>, message: String) {
        let column = column
            .and_then(|c| self.table.headers.get(c))
            .cloned()
            .unwrap_or_default();
        self.problems.push(Problem {
            line: self.line,
            column,
            message,
        });
    }

    fn text(&mut self, column: Option<usize>, what: &str, max: usize) -> Option<String> {
        let value = self.cell(column).to_string();
        if value.is_empty() {
            return None;
        }
        if value.chars().count() > max {
            self.problem(column, format!("{what} is longer than {max} characters"));
            return None;
        }
        if has_controls(&value) {
            self.problem(
                column,
                format!("{what} contains control characters; is the file really text?"),
            );
            return None;
        }
        Some(value)
    }
}

/// Checks every record of `table` under `mapping`. Rows without a date get
/// `now`. Returns the rows (complete only if there are no problems).
pub fn check_rows(
    table: &Table,
    mapping: &Mapping,
    questions: &[QuestionSpec],
    now: DateTime<Utc>,
) -> (Vec<ImportRow>, Vec<Problem>) {
    let mut problems = Vec::new();
    let file_problem = |message: &str| Problem {
        line: 0,
        column: String::new(),
        message: message.to_string(),
    };
    if mapping.column(Field::Text).is_none() {
        problems.push(file_problem(
            "Choose the column that holds the text of each response",
        ));
    }
    if mapping.column(Field::Name).is_none() && mapping.column(Field::Organisation).is_none() {
        problems.push(file_problem(
            "Choose the column with the name of the person, or of the organisation, who responded",
        ));
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut rows = Vec::with_capacity(table.records.len());
    for (line, cells) in &table.records {
        let mut check = RowCheck {
            table,
            line: *line,
            cells,
            problems: Vec::new(),
        };
        if let Some(row) = check_row(&mut check, mapping, questions, now) {
            rows.push(row);
        }
        problems.append(&mut check.problems);
    }
    (rows, problems)
}

fn check_row(
    check: &mut RowCheck<'_>,
    mapping: &Mapping,
    questions: &[QuestionSpec],
    now: DateTime<Utc>,
) -> Option<ImportRow> {
    let column = |f: Field| mapping.column(f);
    let text = check.text(column(Field::Text), "The response text", MAX_TEXT_CHARS);
    if text.is_none() && check.problems.is_empty() {
        check.problem(column(Field::Text), "The response text is empty".into());
    }
    let (name, organisation) = check.who(mapping);
    let blank_kind = if organisation.is_some() {
        ConsulteeKind::Other
    } else {
        ConsulteeKind::Individual
    };
    let kind = check.word(column(Field::Kind), blank_kind, parse_kind, |typed| {
        let known: Vec<&str> = ConsulteeKind::ALL.iter().map(|k| k.label()).collect();
        format!(
            "Unknown kind of consultee “{typed}”: use one of {}",
            known.join(", ")
        )
    });
    let email = check.email(column(Field::Email));
    let channel = check.word(
        column(Field::Channel),
        Channel::Import,
        parse_channel,
        |typed| format!("Unknown channel “{typed}”: use email, letter, online or meeting"),
    );
    let date = check.cell(column(Field::Date)).to_string();
    let no_date = dates::Received {
        at: now,
        time_known: true,
    };
    let received = check.word(
        column(Field::Date),
        no_date,
        dates::parse_received,
        |typed| {
            format!(
                "“{typed}” is not a date: write it as 24/08/2011, 24/08/2011 10:15 or 2011-08-24"
            )
        },
    );
    let publication = check.word(
        column(Field::Publication),
        Publication::NotPublished,
        parse_publication,
        |typed| format!("Unknown publication choice “{typed}”: use yes, anonymous or no"),
    );
    let answers = check.answers(mapping, questions);
    if !check.problems.is_empty() {
        return None;
    }
    let row = ImportRow {
        line: check.line,
        name,
        organisation,
        kind,
        email,
        channel,
        received_at: received.at,
        received_time_known: received.time_known,
        text: text?,
        publication,
        answers,
        key: String::new(),
    };
    Some(ImportRow {
        key: row_key(&row, &date),
        ..row
    })
}

impl RowCheck<'_> {
    /// The name of the person and of the organisation; one is needed.
    fn who(&mut self, mapping: &Mapping) -> (Option<String>, Option<String>) {
        let (name_column, organisation_column) = (
            mapping.column(Field::Name),
            mapping.column(Field::Organisation),
        );
        let name = self.text(name_column, "The name", MAX_NAME_CHARS);
        let organisation = self.text(organisation_column, "The organisation", MAX_NAME_CHARS);
        if name.is_none() && organisation.is_none() && self.problems.is_empty() {
            self.problem(
                name_column.or(organisation_column),
                "Give the name of the person or the organisation".into(),
            );
        }
        (name, organisation)
    }

    /// A cell holding one of a list of words: `blank` when empty, a
    /// problem (and `blank`) when it is none of them.
    fn word<T>(
        &mut self,
        column: Option<usize>,
        blank: T,
        parse: impl Fn(&str) -> Option<T>,
        unknown: impl Fn(&str) -> String,
    ) -> T {
        let typed = self.cell(column);
        if typed.is_empty() {
            return blank;
        }
        parse(typed).unwrap_or_else(|| {
            self.problem(column, unknown(typed));
            blank
        })
    }

    fn email(&mut self, column: Option<usize>) -> Option<String> {
        match self.cell(column) {
            "" => None,
            typed => match EmailAddress::parse("email", typed) {
                Ok(email) => Some(email.as_str().to_string()),
                Err(e) => {
                    self.problem(column, e.message);
                    None
                }
            },
        }
    }

    /// The answers to the questions mapped to a column; a choice must be
    /// one of the question's (in any case).
    fn answers(
        &mut self,
        mapping: &Mapping,
        questions: &[QuestionSpec],
    ) -> Vec<(QuestionId, String)> {
        let mut answers = Vec::new();
        for question in questions {
            let Some(c) = mapping.question_column(question.id) else {
                continue;
            };
            let Some(value) = self.text(Some(c), "The answer", MAX_ANSWER_CHARS) else {
                continue;
            };
            if question.choices.is_empty() {
                answers.push((question.id, value));
                continue;
            }
            match (question.choices.iter()).find(|ch| ch.eq_ignore_ascii_case(&value)) {
                Some(choice) => answers.push((question.id, choice.clone())),
                None => self.problem(
                    Some(c),
                    format!(
                        "“{value}” is not one of the answers: {}",
                        question.choices.join(", ")
                    ),
                ),
            }
        }
        answers
    }
}

/// What makes a row the same row when the file is imported again: every
/// value as written (the date as typed).
fn row_key(row: &ImportRow, date: &str) -> String {
    let key_parts = [
        row.name.as_deref().unwrap_or(""),
        row.organisation.as_deref().unwrap_or(""),
        row.kind.as_str(),
        row.email.as_deref().unwrap_or(""),
        row.channel.as_str(),
        date,
        &row.text,
        row.publication.as_str(),
    ];
    let mut key_text = key_parts.join("\u{1f}");
    for (question, value) in &row.answers {
        key_text.push_str(&format!("\u{1f}{}={value}", question.0));
    }
    format!("import:{}", sha256_hex(&key_text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read;

    fn now() -> DateTime<Utc> {
        "2011-09-10T12:00:00Z".parse().unwrap()
    }

    fn run(file: &str, questions: &[QuestionSpec]) -> (Vec<ImportRow>, Vec<Problem>) {
        let table = read(file.as_bytes()).unwrap();
        let mapping = Mapping::guess(
            &table.headers,
            &[(QuestionId(1), 1, "Do you agree?".into())],
        );
        check_rows(&table, &mapping, questions, now())
    }

    #[test]
    fn a_good_file_becomes_responses_with_sensible_defaults() {
        let file = "Name,Organisation,Type,Channel,Date received,Comments,Q1\r\nAnn Smith,Gloucestershire County Council,County council,e-mail,24/08/2011,\"1. We support it.\n2. But who chairs?\",Agree\r\nBob Jones,,,,,I object.,\r\n";
        let q = [QuestionSpec::new(
            QuestionId(1),
            QuestionKind::AgreeScale,
            vec![],
        )];
        let (rows, problems) = run(file, &q);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].consultee(), "Gloucestershire County Council");
        assert_eq!(
            (rows[0].kind, rows[0].channel),
            (ConsulteeKind::CountyCouncil, Channel::Email)
        );
        assert_eq!(rows[0].answers, [(QuestionId(1), "Agree".to_string())]);
        assert_eq!(
            (rows[1].consultee(), rows[1].kind, rows[1].channel),
            ("Bob Jones", ConsulteeKind::Individual, Channel::Import)
        );
        assert_eq!(rows[1].received_at, now(), "no date: the time of import");
        assert_eq!(
            rows[1].publication,
            Publication::NotPublished,
            "no consent given: not published"
        );
        assert_ne!(rows[0].key, rows[1].key);
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_column() {
        let file = "Name,Type,Date,Comments,Email,Q1\r\nAnn,Alien,31/02/2011,Hi,not-an-email,Maybe\r\n,,,,,\r\nCat,,,,,\r\n";
        let q = [QuestionSpec::new(
            QuestionId(1),
            QuestionKind::AgreeScale,
            vec![],
        )];
        let (rows, problems) = run(file, &q);
        assert!(rows.is_empty());
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (2, "Type"),
                (2, "Email"),
                (2, "Date"),
                (2, "Q1"),
                (4, "Comments")
            ]
        );
        assert!(
            problems[0]
                .message
                .contains("Unknown kind of consultee “Alien”")
        );
        assert!(problems[2].message.contains("is not a date"));
        assert!(problems[4].message.contains("empty"));
    }

    #[test]
    fn a_file_without_a_text_column_is_refused_as_a_whole() {
        let (_, problems) = run("Name,Notes\r\nAnn,x\r\n", &[]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("text of each response"));
    }

    #[test]
    fn over_long_text_and_control_characters_are_problems() {
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let (_, problems) = run(
            &format!("Name,Comments\r\nAnn,{long}\r\nBob,bad\u{7}bell\r\n"),
            &[],
        );
        assert!(problems[0].message.contains("longer than 50000"));
        assert!(problems[1].message.contains("control characters"));
    }

    #[test]
    fn the_same_row_gives_the_same_key() {
        let file = "Name,Comments\r\nAnn,Same words\r\nAnn,Same words\r\n";
        let (rows, _) = run(file, &[]);
        assert_eq!(rows[0].key, rows[1].key);
    }
}
