//! Retention of personal data: consultees' contact details are erased a set
//! number of days after a consultation is published (UK GDPR storage
//! limitation). The issues, the table and the analysis stay as they were.

use super::audit::{self, Actor, Change};
use chrono::{DateTime, Duration, Utc};

use super::ServiceResult;
use crate::db::{self, DbConnection};
use crate::domain::ConsultationStatus;

/// What one run erased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// (consultation slug, consultees whose contact details were erased).
    pub erased: Vec<(String, usize)>,
    /// Unfinished responses past their closing time, deleted.
    pub saved_deleted: usize,
}

/// Erases contact details wherever the retention period has passed.
/// Safe to run again: consultees already erased are not counted twice.
pub fn run(conn: &mut DbConnection, now: DateTime<Utc>) -> ServiceResult<Report> {
    let mut report = Report {
        saved_deleted: db::saved::forget_expired(conn, now.naive_utc())?,
        ..Report::default()
    };
    for c in db::consultations::with_status(conn, &[ConsultationStatus::Published])? {
        let (Some(published), Some(days)) = (c.published_at, c.retention_days) else {
            continue;
        };
        if published + Duration::days(i64::from(days)) > now.naive_utc() {
            continue;
        }
        let erased = db::write_transaction(conn, |conn| {
            let erased = db::consultees::erase_contacts(conn, c.id)?;
            if erased > 0 {
                audit::record(
                    conn,
                    &Actor::system("retention"),
                    now,
                    Change {
                        action: "contact details erased",
                        entity: "consultation",
                        id: c.id.0,
                        before: None,
                        after: Some(&format!(
                            "{erased} consultee(s), {days} days after publication"
                        )),
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(erased)
        })?;
        if erased > 0 {
            report.erased.push((c.slug.clone(), erased));
        }
    }
    Ok(report)
}
