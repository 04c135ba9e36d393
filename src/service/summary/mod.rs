//! The respondent–issue–response table (seed 003): one row per issue, who
//! raised it, and the group's response; for the page, the CSV and the
//! workbook alike.
//!
//! Who sees what is decided once, by the access policy: staff who may work
//! on the consultation see every received response, drafts marked; anyone
//! else sees the table only once it is published, and then only issues
//! from responses whose consultees agreed to publication, in their public
//! wording (redacted where an officer redacted the response), named or
//! "Name withheld" as each chose, and only agreed responses from the group
//! ("Response to follow" where an officer published before every response
//! was agreed).

mod reading;
mod rows;

use std::collections::HashSet;

pub use rows::TO_FOLLOW;

pub use super::access::Audience;

use self::reading::{PAGE, Reader};
use self::rows::RowMaker;
use super::access::{self, Action, Caller};
use super::audit::{self, Change};
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::{ConsultationStatus, ConsulteeKind, ThemeId};
use crate::export::summary::Columns;
use crate::text_enum;

text_enum! {
    /// How the table's rows are ordered.
    pub enum Ordering ("ordering") {
        Received => "received", "As received",
        Theme => "theme", "By theme",
        Section => "section", "By section of the document",
        Body => "body", "By body",
        Consultee => "consultee", "By consultee",
    }
}

/// Which rows to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub theme: Option<ThemeId>,
    pub consultee_kind: Option<ConsulteeKind>,
    /// Only responses the group has agreed (for publication).
    pub agreed_only: bool,
}

/// How a table is asked for: its order and which rows.
#[derive(Debug, Clone)]
pub struct Options {
    pub ordering: Ordering,
    pub filter: Filter,
}

impl Default for Options {
    /// As received, every row.
    fn default() -> Self {
        Self {
            ordering: Ordering::Received,
            filter: Filter::default(),
        }
    }
}

/// One row of the table (plain data, written by `export::summary`).
pub use crate::export::summary::SummaryRow as Row;

/// A group of rows under a heading (theme, section, body or consultee);
/// one unnamed group when ordered as received.
#[derive(Debug, Clone)]
pub struct Group {
    pub heading: Option<String>,
    pub rows: Vec<Row>,
}

/// The whole table.
#[derive(Debug, Clone)]
pub struct Table {
    pub consultation: Consultation,
    pub audience: Audience,
    pub groups: Vec<Group>,
    pub responses: usize,
    pub consultees: usize,
    /// Issues not shown because their consultees asked not to be
    /// published (public tables only; the page says so under the table).
    pub withheld_issues: usize,
}

impl Table {
    /// Every row, in order.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.groups.iter().flat_map(|g| g.rows.iter())
    }
}

/// The consultation `slug` and whom its table is for: staff who may work
/// on it see it always; anyone else once it is published.
fn visible(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
) -> ServiceResult<(Consultation, Audience)> {
    let not_found = || ServiceError::NotFound(format!("summary of “{slug}”"));
    let consultation = db::consultations::by_slug(conn, slug)?.ok_or_else(not_found)?;
    let audience = access::audience(conn, caller, &consultation)?;
    if audience == Audience::Public && consultation.status != ConsultationStatus::Published {
        return Err(not_found());
    }
    Ok((consultation, audience))
}

/// Refuses (404) unless `caller` (if signed in) may see the table of
/// `slug`: checked before a download starts, so a refusal is an error page
/// rather than a broken file.
pub fn check_visible(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
) -> ServiceResult<()> {
    visible(conn, caller, slug).map(|_| ())
}

/// The table of `slug` as `caller` (if signed in) may see it.
pub fn table(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
    options: &Options,
) -> ServiceResult<Table> {
    let (consultation, audience) = visible(conn, caller, slug)?;
    build(conn, consultation, audience, options, false)
}

fn build(
    conn: &mut DbConnection,
    consultation: Consultation,
    audience: Audience,
    options: &Options,
    with_contacts: bool,
) -> ServiceResult<Table> {
    let withheld_issues = match audience {
        Audience::Public => db::issues::public_counts(conn, consultation.id)?.1,
        Audience::Staff => 0,
    };
    let mut reader = Reader::new(
        conn,
        consultation.clone(),
        audience,
        (options.ordering, options.filter.clone()),
        PAGE,
    )?;
    let raw = reader.gather(options.ordering)?;
    let mut maker = RowMaker::new(audience, with_contacts, None);
    let mut groups: Vec<Group> = Vec::new();
    for (heading, raw) in raw {
        let row = maker.make(raw);
        match groups.last_mut() {
            Some(group) if group.heading == heading => group.rows.push(row),
            _ => groups.push(Group {
                heading,
                rows: vec![row],
            }),
        }
    }
    Ok(Table {
        consultation,
        audience,
        groups,
        responses: maker.responses.len(),
        consultees: maker.consultees.len(),
        withheld_issues: usize::try_from(withheld_issues).unwrap_or(0),
    })
}

/// The formats the table is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV (UTF-8 with BOM, CRLF), streamed from the database.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A printable A4 page (standalone HTML) for a committee report.
    Html,
}

impl Table {
    /// The table as a printable page's data.
    pub fn printable(&self) -> crate::export::summary::Printable<'_> {
        let c = &self.consultation;
        crate::export::summary::Printable {
            title: &c.title,
            run_by: &c.run_by,
            group_name: &c.group_name,
            closes: crate::service::consultations::closing_instant(c)
                .map(|t| crate::domain::time::long_date(crate::domain::time::from_db(t))),
            issues: self.rows().count(),
            responses: self.responses,
            consultees: self.consultees,
            withheld_issues: self.withheld_issues,
            groups: self
                .groups
                .iter()
                .map(|g| (g.heading.as_deref(), g.rows.as_slice()))
                .collect(),
        }
    }
}

/// Writes the table of `slug`, as `caller` may see it, to `out`. CSV
/// streams from the database a page of issues at a time, so memory does
/// not grow with the rows (only with the "As above" targets remembered);
/// the ordering by consultee, which sorts by name, is gathered first.
/// Returns the rows written.
pub fn export<W: std::io::Write>(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
    (options, format): (&Options, Format),
    out: W,
) -> ServiceResult<usize> {
    let (consultation, audience) = visible(conn, caller, slug)?;
    write(
        conn,
        (consultation, audience),
        (options, format, Columns::Standard),
        out,
        PAGE,
    )
}

/// The table of `slug` with consultees' contact details, for those who
/// may run the consultation; the export is recorded in the audit log
/// (OWASP logging: who, when, what) before anything is written.
pub fn export_with_contacts<W: std::io::Write>(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    out: W,
) -> ServiceResult<usize> {
    let scope = access::open_for(conn, caller, slug, Action::Run)?;
    audit::record(
        conn,
        &scope.actor(),
        chrono::Utc::now(),
        Change {
            action: "summary exported with contact details",
            entity: "consultation",
            id: scope.consultation.id.0,
            before: None,
            after: None,
        },
    )?;
    let options = (&Options::default(), Format::Csv, Columns::WithContacts);
    write(
        conn,
        (scope.consultation, Audience::Staff),
        options,
        out,
        PAGE,
    )
}

/// Writes the table, reading `page` issues per query (tests use small
/// pages to cross page boundaries inside a response).
fn write<W: std::io::Write>(
    conn: &mut DbConnection,
    (consultation, audience): (Consultation, Audience),
    (options, format, columns): (&Options, Format, Columns),
    out: W,
    page: i64,
) -> ServiceResult<usize> {
    let with_contacts = columns == Columns::WithContacts;
    let failed = |e: &dyn std::fmt::Display| {
        ServiceError::Unavailable(format!("the table could not be written: {e}"))
    };
    if format != Format::Csv {
        let table = build(conn, consultation, audience, options, with_contacts)?;
        let bytes = match format {
            Format::Xlsx => {
                crate::export::summary::write_xlsx(&table.consultation.group_name, table.rows())
                    .map_err(|e| failed(&e))?
            }
            _ => crate::export::summary::write_html(&table.printable())
                .map_err(|e| failed(&e))?
                .into_bytes(),
        };
        let mut out = out;
        out.write_all(&bytes).map_err(|e| failed(&e))?;
        return Ok(table.rows().count());
    }
    let group_name = consultation.group_name.clone();
    let targets: HashSet<_> = db::group_responses::link_targets(conn, consultation.id)?
        .into_iter()
        .collect();
    let mut reader = Reader::new(
        conn,
        consultation,
        audience,
        (options.ordering, options.filter.clone()),
        page,
    )?;
    let mut maker = RowMaker::new(audience, with_contacts, Some(targets));
    if options.ordering == Ordering::Consultee {
        let rows: Vec<Row> = reader
            .gather(options.ordering)?
            .into_iter()
            .map(|(_, raw)| maker.make(raw))
            .collect();
        crate::export::summary::write_csv(out, &group_name, columns, &rows)
            .map_err(|e| failed(&e))?;
        return Ok(rows.len());
    }
    let mut pending = std::collections::VecDeque::new();
    let mut failure = None;
    let mut written = 0;
    let rows = std::iter::from_fn(|| {
        loop {
            if let Some(raw) = pending.pop_front() {
                written += 1;
                return Some(maker.make(raw));
            }
            if failure.is_some() {
                return None;
            }
            match reader.next_page() {
                Ok(Some(page)) => pending.extend(page.into_iter().map(|(_, raw)| raw)),
                Ok(None) => return None,
                Err(error) => failure = Some(error),
            }
        }
    });
    let result = crate::export::summary::write_csv(out, &group_name, columns, rows);
    if let Some(error) = failure {
        return Err(error);
    }
    result.map_err(|e| failed(&e))?;
    Ok(written)
}

/// [`export`] as CSV reading `page` issues per query: tests cross page
/// boundaries with small pages.
pub fn export_csv_in_pages<W: std::io::Write>(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
    options: &Options,
    out: W,
    page: i64,
) -> ServiceResult<usize> {
    let (consultation, audience) = visible(conn, caller, slug)?;
    write(
        conn,
        (consultation, audience),
        (options, Format::Csv, Columns::Standard),
        out,
        page,
    )
}

/// The wording a bare "As above" shows (used by the drafting page, which
/// staff see).
pub(crate) fn linked_text(
    answers: &std::collections::HashMap<
        crate::domain::IssueId,
        crate::db::group_responses::GroupResponse,
    >,
    target: crate::domain::IssueId,
) -> Option<String> {
    rows::linked_text(answers, target, Audience::Staff)
}
