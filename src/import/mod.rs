//! Reading responses that came another way (a survey tool's export, letters
//! and e-mails typed into a spreadsheet) from a CSV file: decoding it,
//! mapping its columns to what a response needs, and checking every row.
//! Pure: bytes and choices in, rows and problems out; `service::import`
//! stores them.

pub mod dates;
pub mod encoding;
pub mod mapping;
pub mod rows;

pub use encoding::{Encoding, decode};
pub use mapping::{Field, Mapping};
pub use rows::{ImportRow, Problem, QuestionSpec, check_rows};

/// A CSV file read into memory: its header and records, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Records, each with its row as a spreadsheet numbers it (the header
    /// is row 1; a cell holding line breaks does not shift the rows after).
    pub records: Vec<(usize, Vec<String>)>,
    pub encoding: Encoding,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("The file is empty")]
    Empty,
    #[error("The file has no header row: its first line must name the columns")]
    NoHeader,
    #[error("The file is not a CSV file we can read: {0}")]
    Malformed(String),
    #[error("The file has more than {0} rows; split it into smaller files")]
    TooManyRows(usize),
    #[error(
        "The file has more than {0} columns; remove the columns that are not about the responses and upload it again"
    )]
    TooManyColumns(usize),
    #[error(
        "Row {line} has a cell longer than {max} characters; no response is that long, so check the file is the right one"
    )]
    CellTooLong { line: usize, max: usize },
}

/// The most rows one import takes.
pub const MAX_ROWS: usize = 1_000_000;

/// The most columns a file may have: a survey tool's export has a few
/// dozen; thousands mean a wrong file (and would make every preview slow).
pub const MAX_COLUMNS: usize = 200;

/// The longest cell: a little over the longest response, so an over-long
/// response is reported by the response rules, not here.
pub const MAX_CELL_CHARS: usize = 60_000;

/// Reads a CSV file (UTF-8, with or without a byte-order mark, or
/// Windows-1252): a header row, then one response per record. Records may
/// have fewer or more fields than the header (spreadsheets trim empty
/// trailing cells); missing cells read as empty.
pub fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    let (text, encoding) = decode(bytes);
    read_text(&text, encoding)
}

/// Reads CSV text already decoded (an upload read again for its preview).
pub fn read_text(text: &str, encoding: Encoding) -> Result<Table, ReadError> {
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ReadError::Malformed(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::NoHeader);
    }
    if headers.len() > MAX_COLUMNS {
        return Err(ReadError::TooManyColumns(MAX_COLUMNS));
    }
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Malformed(e.to_string()))?;
        // The header is record 0 and row 1.
        let line = record.position().map_or(0, |p| p.record() as usize + 1);
        if record.len() > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns(MAX_COLUMNS));
        }
        if record
            .iter()
            .any(|cell| cell.len() > MAX_CELL_CHARS * 4 || cell.chars().count() > MAX_CELL_CHARS)
        {
            return Err(ReadError::CellTooLong {
                line,
                max: MAX_CELL_CHARS,
            });
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if records.len() == MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
        records.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Table {
        headers,
        records,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_export_with_a_bom_ragged_rows_and_blank_lines_reads() {
        let file = "\u{feff}Name,Comments,Extra\r\nAnn,\"Two\r\nlines\"\r\n,,\r\nBob,Short,x,y\r\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.headers, ["Name", "Comments", "Extra"]);
        assert_eq!(table.records.len(), 2, "the empty record is skipped");
        assert_eq!(table.records[0].1, ["Ann", "Two\r\nlines"]);
        assert_eq!(
            table.records[1].0, 4,
            "rows are numbered as a spreadsheet numbers them, not by line"
        );
        assert_eq!(table.encoding, Encoding::Utf8);
    }

    #[test]
    fn files_with_too_many_columns_or_giant_cells_are_refused_at_once() {
        let wide = (0..=MAX_COLUMNS)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            read(wide.as_bytes()),
            Err(ReadError::TooManyColumns(MAX_COLUMNS))
        );
        let ragged = format!(
            "Name,Comments\r\nAnn,{}\r\n",
            vec!["x"; MAX_COLUMNS + 1].join(",")
        );
        assert_eq!(
            read(ragged.as_bytes()),
            Err(ReadError::TooManyColumns(MAX_COLUMNS))
        );
        let giant = format!(
            "Name,Comments\r\nAnn,{}\r\n",
            "x".repeat(MAX_CELL_CHARS + 1)
        );
        assert!(matches!(
            read(giant.as_bytes()),
            Err(ReadError::CellTooLong { line: 2, .. })
        ));
    }

    #[test]
    fn unreadable_files_say_why() {
        assert_eq!(read(b""), Err(ReadError::Empty));
        assert_eq!(read(b" \r\n"), Err(ReadError::Empty));
        assert_eq!(read(b",,\r\nx,y,z\r\n"), Err(ReadError::NoHeader));
    }

    mod robustness {
        use chrono::TimeZone;
        use proptest::prelude::*;

        use crate::domain::{QuestionId, QuestionKind};
        use crate::import::{Mapping, QuestionSpec, check_rows, read};

        /// Cells with the characters that break CSV readers: quotes,
        /// separators, line breaks, NUL and other controls, BOMs, non-ASCII.
        fn cell() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("\"".to_string()),
                    Just(",".to_string()),
                    Just("\r\n".to_string()),
                    Just("\u{0}".to_string()),
                    Just("\u{feff}".to_string()),
                    Just("£–’".to_string()),
                    Just("24/08/2011".to_string()),
                    Just("Agree".to_string()),
                    "\\PC{0,12}",
                ],
                0..6,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: crate::test_support::proptest_cases(300), ..ProptestConfig::default() })]

            #[test]
            fn any_bytes_are_read_or_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let _ = read(&bytes);
            }

            #[test]
            fn any_table_is_checked_without_panicking(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..8), 0..8)) {
                let mut file = String::from("Name,Organisation,Type,Email,Channel,Date,Comments,Q1\r\n");
                let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
                for row in &rows {
                    writer.write_record(row).expect("write");
                }
                file.push_str(&String::from_utf8_lossy(&writer.into_inner().expect("bytes")));
                if let Ok(table) = read(file.as_bytes()) {
                    let questions = [QuestionSpec::new(QuestionId(1), QuestionKind::AgreeScale, vec![])];
                    let mapping = Mapping::guess(&table.headers, &[(QuestionId(1), 1, "Q".into())]);
                    let now = chrono::Utc.with_ymd_and_hms(2011, 9, 1, 12, 0, 0).unwrap();
                    let (ok, problems) = check_rows(&table, &mapping, &questions, now);
                    // Every record is either a response or has its own problems.
                    let lines_with_problems = problems.iter().map(|p| p.line).collect::<std::collections::BTreeSet<_>>().len();
                    prop_assert_eq!(ok.len() + lines_with_problems, table.records.len());
                    for row in &ok {
                        prop_assert!(!row.text.is_empty() && !row.consultee().is_empty());
                    }
                }
            }
        }
    }
}
