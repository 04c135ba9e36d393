//! `/consultations/{slug}/summary`: the respondent–issue–response table for
//! committee reports, as a printable page, CSV and an Excel workbook. Who
//! sees what is the service's decision (`service::summary`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::auth::StaffUser;
use super::error::AppError;
use super::form::CheckedForm;
use super::render::{Choice, Page};
use super::state::AppState;
use crate::domain::{ConsulteeKind, ThemeId, time};
use crate::service::access::{Audience, Caller};
use crate::service::summary::{self, Filter, Format, Options, Ordering, Table};

/// The table's options, from the query string.
#[derive(Debug, Deserialize, Default)]
pub struct SummaryQuery {
    #[serde(default)]
    order: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
}

impl SummaryQuery {
    fn ordering(&self) -> Ordering {
        self.order.parse().unwrap_or(Ordering::Received)
    }

    fn options(&self) -> Options {
        Options {
            ordering: self.ordering(),
            filter: Filter {
                theme: self.theme.parse().ok().map(ThemeId),
                consultee_kind: self.kind.parse::<ConsulteeKind>().ok(),
                agreed_only: self.status == "agreed",
            },
        }
    }

    fn query_string(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("order", self.ordering().as_str())
            .append_pair("theme", &self.theme)
            .append_pair("kind", &self.kind)
            .append_pair("status", &self.status)
            .finish()
    }
}

fn caller(staff: Option<StaffUser>) -> Option<Caller> {
    staff.map(|s| Caller::Staff(s.user))
}

#[derive(Debug, Serialize)]
struct Heading {
    title: String,
    slug: String,
    run_by: String,
    group_name: String,
}

#[derive(Debug, Serialize)]
struct Counts {
    issues: usize,
    responses: usize,
    consultees: usize,
}

/// A row of the table as the page shows it.
#[derive(Debug, Serialize)]
struct RowView {
    number: usize,
    issue: String,
    who_raised: String,
    response: String,
    same_as_row: Option<usize>,
    /// Staff see which responses are drafts and which issues have none.
    draft: bool,
    unanswered: bool,
}

#[derive(Debug, Serialize)]
struct GroupView {
    heading: Option<String>,
    rows: Vec<RowView>,
}

/// The table page: the table, and the controls above it.
#[derive(Debug, Serialize)]
struct SummaryView {
    consultation: Heading,
    closes: Option<String>,
    counts: Counts,
    withheld_issues: usize,
    groups: Vec<GroupView>,
    orderings: Vec<Choice>,
    kinds: Vec<Choice>,
    agreed_only: bool,
    theme: String,
    csv_link: String,
    xlsx_link: String,
}

fn group_views(table: &Table) -> Vec<GroupView> {
    let staff = table.audience == Audience::Staff;
    (table.groups.iter())
        .map(|g| GroupView {
            heading: g.heading.clone(),
            rows: (g.rows.iter())
                .map(|r| RowView {
                    number: r.number,
                    issue: r.issue.clone(),
                    who_raised: r.who_raised.clone(),
                    response: r.response.clone(),
                    same_as_row: r.same_as_row,
                    draft: staff && r.status == "draft",
                    unanswered: staff && r.status.is_empty(),
                })
                .collect(),
        })
        .collect()
}

impl SummaryView {
    fn of(table: &Table, query: &SummaryQuery) -> Self {
        let c = &table.consultation;
        let link =
            |file: &str| format!("/consultations/{}/{file}?{}", c.slug, query.query_string());
        let ordering = query.ordering();
        Self {
            consultation: Heading {
                title: c.title.clone(),
                slug: c.slug.clone(),
                run_by: c.run_by.clone(),
                group_name: c.group_name.clone(),
            },
            closes: crate::service::consultations::closing_instant(c)
                .map(|t| time::long_date(time::from_db(t))),
            counts: Counts {
                issues: table.rows().count(),
                responses: table.responses,
                consultees: table.consultees,
            },
            withheld_issues: table.withheld_issues,
            groups: group_views(table),
            orderings: Choice::list(
                Ordering::ALL,
                |o| o.as_str(),
                |o| o.label(),
                ordering.as_str(),
            ),
            kinds: Choice::list(
                ConsulteeKind::ALL,
                |k| k.as_str(),
                |k| k.label(),
                &query.kind,
            ),
            agreed_only: query.status == "agreed",
            theme: query.theme.clone(),
            csv_link: link("summary.csv"),
            xlsx_link: link("summary.xlsx"),
        }
    }
}

/// `GET /consultations/{slug}/summary`.
pub async fn page(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, options, who) = (slug.into_inner(), query.options(), caller(staff));
    let table = state
        .db(move |conn| summary::table(conn, who.as_ref(), &slug, &options))
        .await?;
    Ok(Page::ok("summary", &SummaryView::of(&table, &query)).plain())
}

/// A download's headers: the file name says what it holds.
pub(crate) fn attachment(file: &str, content_type: &str) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder.content_type(content_type).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{file}\""),
    ));
    builder
}

/// Streams an export written by `write` on a blocking thread, so the
/// largest consultation downloads in flat memory.
fn streamed<F>(
    state: &AppState,
    file: String,
    content_type: &str,
    write: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut crate::service::model::Connection,
            &mut super::stream::ChannelWriter,
        ) -> crate::service::ServiceResult<usize>
        + Send
        + 'static,
{
    let (mut writer, body) = super::stream::channel();
    let pool = state.pool.clone();
    std::thread::Builder::new()
        .name("summary-export".into())
        .spawn(move || {
            let written = pool
                .get()
                .map_err(|e| crate::service::ServiceError::Unavailable(e.to_string()))
                .and_then(|mut conn| write(&mut conn, &mut writer));
            match written {
                Ok(_) => {
                    let _ = std::io::Write::flush(&mut writer);
                }
                Err(error) => {
                    tracing::error!(%error, "summary export stopped");
                    writer.fail(error.to_string());
                }
            }
        })
        .map_err(|e| AppError::Internal(format!("could not start the download: {e}")))?;
    Ok(attachment(&file, content_type).streaming(body))
}

/// `GET /consultations/{slug}/summary.csv`: the same table for spreadsheets.
pub async fn csv(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, options, who) = (slug.into_inner(), query.options(), caller(staff));
    let (s, w) = (slug.clone(), who.clone());
    state
        .db(move |conn| summary::check_visible(conn, w.as_ref(), &s))
        .await?;
    let file = format!("{slug}-summary.csv");
    streamed(&state, file, "text/csv; charset=utf-8", move |conn, out| {
        summary::export(conn, who.as_ref(), &slug, (&options, Format::Csv), out)
    })
}

/// `GET /consultations/{slug}/summary.xlsx`: the same table as an Excel workbook.
pub async fn xlsx(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, options, who) = (slug.into_inner(), query.options(), caller(staff));
    let s = slug.clone();
    let body = state
        .db(move |conn| {
            let mut bytes = Vec::new();
            summary::export(conn, who.as_ref(), &s, (&options, Format::Xlsx), &mut bytes)?;
            Ok(bytes)
        })
        .await?;
    Ok(attachment(
        &format!("{slug}-summary.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .body(body))
}

/// `POST /staff/consultations/{slug}/summary-with-contacts.csv`: the table
/// with consultees' contact details, for officers only; recorded in the
/// audit log before the file is sent, and named so that it cannot be
/// mistaken for the public file.
pub async fn csv_with_contacts(
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (slug, who) = (slug.into_inner(), Caller::Staff(staff.user));
    let s = slug.clone();
    let body = state
        .db(move |conn| {
            let mut bytes = Vec::new();
            summary::export_with_contacts(conn, &who, &s, &mut bytes)?;
            Ok(bytes)
        })
        .await?;
    Ok(attachment(
        &format!("{slug}-summary-with-contact-details.csv"),
        "text/csv; charset=utf-8",
    )
    .body(body))
}
