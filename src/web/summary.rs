//! `/consultations/{slug}/summary`: the respondent–issue–response table for
//! committee reports, as a printable page and as CSV.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::auth::StaffUser;
use super::error::AppError;
use super::pages::html;
use super::state::AppState;
use crate::domain::{ConsulteeKind, Role, ThemeId, time};
use crate::export::summary::Columns;
use crate::service::summary::{self, Audience, Filter, Ordering, Table};

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

    fn filter(&self) -> Filter {
        Filter {
            theme: self.theme.parse().ok().map(ThemeId),
            consultee_kind: self.kind.parse::<ConsulteeKind>().ok(),
            agreed_only: self.status == "agreed",
            // Never from a query string: only the audited officer export.
            with_contacts: false,
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

/// Staff see every consultation's table; the public only published ones.
fn audience(staff: &Option<StaffUser>) -> Audience {
    match staff {
        Some(s) if [Role::Officer, Role::Admin, Role::GroupMember].contains(&s.user.role) => {
            Audience::Staff
        }
        _ => Audience::Public,
    }
}

async fn load(
    state: &AppState,
    slug: String,
    staff: &Option<StaffUser>,
    query: &SummaryQuery,
) -> Result<Table, AppError> {
    let (who, ordering, filter) = (audience(staff), query.ordering(), query.filter());
    state
        .db(move |conn| summary::table(conn, &slug, who, ordering, &filter))
        .await
}

/// Template data shared by the page and the standalone file.
pub fn table_data(table: &Table) -> serde_json::Value {
    let c = &table.consultation;
    json!({
        "consultation": { "title": c.title, "slug": c.slug, "run_by": c.run_by, "group_name": c.group_name },
        "closes": c.closes_at.map(|t| time::long_date(time::from_db(t))),
        "counts": { "issues": table.rows().count(), "responses": table.responses, "consultees": table.consultees },
        "groups": table.groups.iter().map(|g| json!({
            "heading": g.heading,
            "rows": g.rows.iter().map(|r| json!({
                "number": r.number, "issue": r.issue, "who_raised": r.who_raised, "response": r.response, "same_as_row": r.same_as_row,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /consultations/{slug}/summary`.
pub async fn page(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let table = load(&state, slug.into_inner(), &staff, &query).await?;
    let c = &table.consultation;
    let mut data = table_data(&table);
    let extra = json!({
        "orderings": Ordering::ALL.iter().map(|o| json!({ "value": o.as_str(), "label": o.label(), "selected": *o == query.ordering() })).collect::<Vec<_>>(),
        "kinds": ConsulteeKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label(), "selected": k.as_str() == query.kind })).collect::<Vec<_>>(),
        "agreed_only": query.status == "agreed",
        "theme": query.theme,
        "csv_link": format!("/consultations/{}/summary.csv?{}", c.slug, query.query_string()),
        "xlsx_link": format!("/consultations/{}/summary.xlsx?{}", c.slug, query.query_string()),
        "staff": staff.is_some(),
    });
    if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
        data.extend(extra.clone());
    }
    html("summary", &data)
}

/// A file download of the table.
fn download(table: &Table, extension: &str, content_type: &str, body: Vec<u8>) -> HttpResponse {
    let disposition = format!(
        "attachment; filename=\"{}-summary.{extension}\"",
        table.consultation.slug
    );
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(body)
}

/// The table as a CSV download with the given columns.
fn csv_download(table: &Table, columns: Columns) -> Result<HttpResponse, AppError> {
    let mut body = Vec::new();
    crate::export::summary::write_csv(
        &mut body,
        &table.consultation.group_name,
        columns,
        table.rows(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(table, "csv", "text/csv; charset=utf-8", body))
}

/// `GET /consultations/{slug}/summary.csv`: the same table for spreadsheets.
pub async fn csv(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let ordering = query.ordering();
    if !summary::streams(ordering) {
        let table = load(&state, slug.into_inner(), &staff, &query).await?;
        return csv_download(&table, Columns::Standard);
    }
    // Streamed from the database, so the largest consultation downloads in
    // flat memory.
    let (slug, who, filter) = (slug.into_inner(), audience(&staff), query.filter());
    let check = slug.clone();
    let consultation = state
        .db(move |conn| summary::visible(conn, &check, who))
        .await?;
    let (mut writer, body) = super::stream::channel();
    let pool = state.pool.clone();
    std::thread::Builder::new()
        .name("summary-csv".into())
        .spawn(move || {
            let written = pool
                .get()
                .map_err(|e| crate::service::ServiceError::Unavailable(e.to_string()))
                .and_then(|mut conn| {
                    summary::stream_csv(
                        &mut conn,
                        &slug,
                        who,
                        (ordering, &filter),
                        Columns::Standard,
                        &mut writer,
                    )
                });
            match written {
                Ok(_) => {
                    let _ = std::io::Write::flush(&mut writer);
                }
                Err(error) => {
                    tracing::error!(%error, "summary CSV stopped");
                    writer.fail(error.to_string());
                }
            }
        })
        .map_err(|e| AppError::Internal(format!("could not start the download: {e}")))?;
    let disposition = format!("attachment; filename=\"{}-summary.csv\"", consultation.slug);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .streaming(body))
}

/// `GET /consultations/{slug}/summary.xlsx`: the same table as an Excel workbook.
pub async fn xlsx(
    state: web::Data<AppState>,
    staff: Option<StaffUser>,
    slug: web::Path<String>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, AppError> {
    let table = load(&state, slug.into_inner(), &staff, &query).await?;
    let body = crate::export::summary::write_xlsx(&table.consultation.group_name, table.rows())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        &table,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body,
    ))
}

/// `POST /staff/consultations/{slug}/summary-with-contacts.csv`: the table
/// with consultees' contact details, for officers only; the export is
/// recorded in the audit log before the file is sent.
pub async fn csv_with_contacts(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    slug: web::Path<String>,
    form: super::form::FormData,
) -> Result<HttpResponse, AppError> {
    staff.require(&[Role::Officer, Role::Admin])?;
    super::auth::check_csrf(&req, &state, &form)?;
    let slug = slug.into_inner();
    let actor = crate::service::audit::Actor::staff(&staff.user);
    let filter = Filter {
        with_contacts: true,
        ..Filter::default()
    };
    let table = state
        .db(move |conn| {
            summary::record_contact_export(conn, &actor, &slug)?;
            summary::table(conn, &slug, Audience::Staff, Ordering::Received, &filter)
        })
        .await?;
    csv_download(&table, Columns::WithContacts)
}
