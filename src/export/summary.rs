//! Writing the respondent–issue–response table: CSV for spreadsheets, an
//! Excel workbook, and a printable HTML page for committee reports.
//!
//! CSV is RFC 4180 with CRLF line ends, UTF-8 with a byte-order mark (so
//! Excel shows "–", "’" and "£" correctly), and every cell that a
//! spreadsheet would run as a formula neutralised (OWASP CSV Injection).

use std::borrow::Cow;
use std::io::Write;

/// One row of the table, as plain data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SummaryRow {
    /// The row's number in this table (1-based).
    pub number: usize,
    pub issue_id: crate::domain::IssueId,
    pub issue: String,
    pub who_raised: String,
    pub response: String,
    /// For "As above": the number of the row it points to, when shown.
    pub same_as_row: Option<usize>,
    pub reference: String,
    pub theme: String,
    pub sections: Vec<String>,
    pub bodies: Vec<String>,
    pub consultee_kinds: Vec<String>,
    /// `agreed`, `draft`, or empty when there is no response yet.
    pub status: String,
    /// Contact names and e-mail addresses: personal data, filled in only for
    /// an officer's "with contact details" export.
    pub contacts: Option<String>,
}

/// Which columns an export has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// Everything but personal data: what every export has by default.
    Standard,
    /// Also the contact details: an officer asked, and it is in the audit log.
    WithContacts,
}

/// The column headings: the seed table's three, then the rest.
pub fn headings(group_name: &str, columns: Columns) -> Vec<String> {
    let mut headings = vec![
        "Issue/question".to_string(),
        "who raised".to_string(),
        format!("response from {group_name}"),
    ];
    headings.extend(
        [
            "reference",
            "theme",
            "sections",
            "bodies",
            "consultee kinds",
            "status",
        ]
        .map(String::from),
    );
    if columns == Columns::WithContacts {
        headings.push("contact details".into());
    }
    headings
}

/// A cell a spreadsheet would run as a formula gets a leading apostrophe,
/// which spreadsheets show as text (OWASP: `=`, `+`, `-`, `@`, tab, CR).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The cells of a row, in heading order.
pub fn cells(row: &SummaryRow, columns: Columns) -> Vec<String> {
    let mut cells = vec![
        row.issue.clone(),
        row.who_raised.clone(),
        row.response.clone(),
        row.reference.clone(),
        row.theme.clone(),
        row.sections.join("; "),
        row.bodies.join("; "),
        row.consultee_kinds.join("; "),
        row.status.clone(),
    ];
    if columns == Columns::WithContacts {
        cells.push(row.contacts.clone().unwrap_or_default());
    }
    cells
}

/// Writes the table as CSV, row by row, so memory stays flat however many
/// rows there are (rows may be owned, made one at a time, or borrowed).
pub fn write_csv<W: Write, R: std::borrow::Borrow<SummaryRow>>(
    out: W,
    group_name: &str,
    columns: Columns,
    rows: impl IntoIterator<Item = R>,
) -> csv::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    writer.write_record(
        headings(group_name, columns)
            .iter()
            .map(|h| neutralise(h).into_owned()),
    )?;
    for row in rows {
        writer.write_record(
            cells(row.borrow(), columns)
                .iter()
                .map(|c| neutralise(c).into_owned()),
        )?;
    }
    writer.flush()?;
    Ok(())
}

/// The table as a printable A4 page for a committee report, with what the
/// heading says about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Printable<'a> {
    pub title: &'a str,
    pub run_by: &'a str,
    pub group_name: &'a str,
    /// "Friday 2 September 2011", when the consultation has a closing date.
    pub closes: Option<String>,
    pub issues: usize,
    pub responses: usize,
    pub consultees: usize,
    /// Issues not shown (not for publication), for a note under the table.
    pub withheld_issues: usize,
    /// (heading, rows) in table order.
    pub groups: Vec<(Option<&'a str>, &'a [SummaryRow])>,
}

/// Writes the table as a standalone printable HTML page.
pub fn write_html(table: &Printable<'_>) -> Result<String, handlebars::RenderError> {
    #[derive(serde::Serialize)]
    struct Group<'a> {
        heading: Option<&'a str>,
        rows: &'a [SummaryRow],
    }
    let groups: Vec<Group<'_>> = table
        .groups
        .iter()
        .map(|(heading, rows)| Group {
            heading: *heading,
            rows,
        })
        .collect();
    #[derive(serde::Serialize)]
    struct File<'a> {
        table: &'a Printable<'a>,
        groups: Vec<Group<'a>>,
    }
    crate::templates::render("summary_file", &File { table, groups })
}

/// Column widths (characters) for the spreadsheet, in heading order.
const XLSX_WIDTHS: [f64; 9] = [60.0, 28.0, 60.0, 11.0, 24.0, 28.0, 28.0, 20.0, 9.0];

/// Writes the table as an Excel workbook: bold, frozen header row; wrapped
/// text; sensible widths; landscape A4 with the header repeated on every
/// printed page. Cells are written as text, and formula triggers are
/// neutralised here too, in case the sheet is saved on as CSV.
pub fn write_xlsx<'a>(
    group_name: &str,
    rows: impl IntoIterator<Item = &'a SummaryRow>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Summary")?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color("#F3F2F1");
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (column, (heading, width)) in (0u16..).zip(
        headings(group_name, Columns::Standard)
            .iter()
            .zip(XLSX_WIDTHS),
    ) {
        sheet.set_column_width(column, width)?;
        sheet.write_string_with_format(0, column, neutralise(heading), &header)?;
    }
    for (row_number, row) in (1u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(cells(row, Columns::Standard).iter()) {
            sheet.write_string_with_format(row_number, column, neutralise(cell), &wrapped)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_print_fit_to_pages(1, 0);
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(issue: &str, who: &str, response: &str) -> SummaryRow {
        SummaryRow {
            number: 1,
            issue_id: crate::domain::IssueId(1),
            issue: issue.into(),
            who_raised: who.into(),
            response: response.into(),
            same_as_row: None,
            reference: "CHL-0001".into(),
            theme: String::new(),
            sections: vec!["Vision".into(), "Safety".into()],
            bodies: vec![],
            consultee_kinds: vec!["County council".into()],
            status: "agreed".into(),
            contacts: Some("Ann <ann@example.org>".into()),
        }
    }

    fn csv(rows: &[SummaryRow]) -> String {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            "CSP task and finish group",
            Columns::Standard,
            rows,
        )
        .expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn the_file_starts_with_a_bom_and_uses_crlf() {
        let text = csv(&[row("Costs – £100’s", "GCC", "Noted")]);
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("Issue/question,who raised,response from CSP task and finish group,reference,theme,sections,bodies,consultee kinds,status\r\n"));
        assert!(text.contains(
            "Costs – £100’s,GCC,Noted,CHL-0001,,Vision; Safety,,County council,agreed\r\n"
        ));
        assert!(!text.replace("\r\n", "").contains('\n'));
    }

    /// The text of one part of an .xlsx file (a zip of XML files).
    fn xlsx_part(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("part")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    }

    #[test]
    fn the_workbook_has_a_frozen_bold_header_and_neutralised_cells() {
        let bytes = write_xlsx(
            "CSP task and finish group",
            &[row("=HYPERLINK(\"x\")", "GCC", "Costs – £5")],
        )
        .expect("writes");
        let strings = xlsx_part(&bytes, "xl/sharedStrings.xml");
        assert!(strings.contains("response from CSP task and finish group"));
        assert!(strings.contains("'=HYPERLINK"), "formula neutralised");
        assert!(strings.contains("Costs – £5"));
        let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{sheet}"
        );
        assert!(!sheet.contains("<f>"), "no formulas anywhere");
        let styles = xlsx_part(&bytes, "xl/styles.xml");
        assert!(styles.contains("<b/>") && styles.contains("wrapText=\"1\""));
    }

    #[test]
    fn contact_details_appear_only_when_asked_for() {
        let standard = csv(&[row("x", "y", "z")]);
        assert!(!standard.contains("ann@example.org") && !standard.contains("contact details"));
        let mut out = Vec::new();
        write_csv(&mut out, "G", Columns::WithContacts, &[row("x", "y", "z")]).expect("writes");
        let with = String::from_utf8(out).expect("utf-8");
        assert!(
            with.contains(",contact details\r\n") && with.contains(",Ann <ann@example.org>\r\n")
        );
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        let text = csv(&[row("A, \"quoted\"\nline", "X", "Y")]);
        assert!(text.contains("\"A, \"\"quoted\"\"\nline\",X,Y"));
    }

    #[test]
    fn every_formula_trigger_is_neutralised() {
        for trigger in ["=SUM(A1)", "+1", "-1+2", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(trigger), format!("'{trigger}"), "{trigger:?}");
            let text = csv(&[row(trigger, "x", "y")]);
            let plain = format!("\r\n'{trigger},");
            let quoted = format!("\r\n\"'{trigger}\",");
            assert!(
                text.contains(&plain) || text.contains(&quoted),
                "{trigger:?} in {text:?}"
            );
        }
        assert_eq!(neutralise("Noted"), "Noted");
        assert_eq!(neutralise(""), "");
    }
}
