//! A consultation's details (title, who runs it, dates, references,
//! retention, who signs off the group's responses) and its life cycle.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Audited, change};
use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::text::required_line;
use crate::domain::text::required_text;
use crate::domain::time::{end_of_london_day, start_of_london_day};
use crate::domain::{
    ConsultationStatus, ReferencePrefix, SLUG_CHARS, SignOff, Slug, ValidationError,
};
use crate::service::access::{self, Caller, Duty};
use crate::service::audit::{self, Change};
use crate::service::{ServiceError, ServiceResult};

/// A consultation's details as typed (strings), from a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailsInput {
    /// The URL name: lower-case letters, digits and hyphens (ignored when
    /// changing a consultation: it keeps its URL).
    #[serde(default)]
    #[schema(max_length = 80, pattern = "^slug?$")]
    pub slug: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = "^line$")]
    pub title: String,
    /// What the consultation is about, in a paragraph or two (sent as
    /// `summary` by clients of the first version of the API: still read).
    #[serde(default, alias = "summary")]
    #[schema(required = true, max_length = 5000, pattern = "^text$")]
    pub description: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = "^line$")]
    pub run_by: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = "^line$")]
    pub group_name: String,
    /// 2 to 6 capital letters that begin every response reference.
    #[serde(default)]
    #[schema(required = true, pattern = "^prefix$")]
    pub reference_prefix: String,
    /// London date, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(nullable = true, pattern = "^date?$")]
    pub opens: Option<String>,
    /// London date, `YYYY-MM-DD`: responses are taken until 23:59:59 that day.
    #[serde(default)]
    #[schema(nullable = true, pattern = "^date?$")]
    pub closes: Option<String>,
    /// Days after publication when consultees' contact details are erased
    /// (`sounding retention run`), 1 to 3650; never when empty.
    #[serde(default)]
    #[schema(nullable = true, pattern = "^digits?$")]
    pub retention_days: Option<String>,
    /// Who may agree the group's responses: `officers` (the default) or
    /// `group` (officers and the consultation's group members).
    #[serde(default)]
    #[schema(nullable = true, pattern = "^sign-off?$")]
    pub sign_off_by: Option<String>,
}

/// Validated details.
#[derive(Debug, Clone)]
pub struct Details {
    pub slug: Slug,
    pub title: String,
    pub description: String,
    pub run_by: String,
    pub group_name: String,
    pub reference_prefix: ReferencePrefix,
    pub opens: Option<NaiveDate>,
    pub closes: Option<NaiveDate>,
    pub retention_days: Option<i32>,
    pub sign_off_by: SignOff,
}

pub(crate) fn parse_date(
    field: &str,
    label: &str,
    value: Option<&str>,
    errors: &mut Vec<ValidationError>,
) -> Option<NaiveDate> {
    let value = match value {
        None => return None,
        Some(v) if has_controls(v) => "?",
        Some(v) => crate::domain::text::trim(v),
    };
    if value.is_empty() {
        return None;
    }
    match iso_date(value) {
        Some(date) => Some(date),
        None => {
            errors.push(ValidationError::new(
                field,
                format!("{label} must be a real date"),
            ));
            None
        }
    }
}

/// A date written `YYYY-MM-DD` (month and day may have one digit): nothing
/// else, so the API's schema can say exactly what is accepted.
fn iso_date(value: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Whether typed text holds control characters other than line breaks and
/// tabs (refused in every field).
fn has_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn parse_retention(value: Option<&str>, errors: &mut Vec<ValidationError>) -> Option<i32> {
    let days = match value {
        Some(v) if has_controls(v) => "?",
        Some(v) => crate::domain::text::trim(v),
        None => return None,
    };
    if days.is_empty() {
        return None;
    }
    let digits = days.bytes().all(|b| b.is_ascii_digit());
    match days.parse::<i32>().ok().filter(|_| digits) {
        Some(n) if (1..=3650).contains(&n) => Some(n),
        _ => {
            errors.push(ValidationError::new(
                "retention_days",
                "Days before contact details are erased must be a whole number from 1 to 3650",
            ));
            None
        }
    }
}

impl DetailsInput {
    /// Validates every field, collecting all the problems.
    pub fn parse(&self) -> Result<Details, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, ValidationError>| {
            result.unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            })
        };
        let title = keep(required_line("title", "Title", &self.title, 200));
        let description = keep(required_text(
            "description",
            "Summary of the consultation",
            &self.description,
            5_000,
        ));
        let run_by = keep(required_line(
            "run_by",
            "Who runs the consultation",
            &self.run_by,
            200,
        ));
        let group_name = keep(required_line(
            "group_name",
            "The name of the group that answers",
            &self.group_name,
            200,
        ));
        let slug = Slug::parse(&self.slug).map_err(|e| errors.push(e)).ok();
        let prefix = ReferencePrefix::parse(&self.reference_prefix)
            .map_err(|e| errors.push(e))
            .ok();
        let opens = parse_date("opens", "Opening date", self.opens.as_deref(), &mut errors);
        let closes = parse_date(
            "closes",
            "Closing date",
            self.closes.as_deref(),
            &mut errors,
        );
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            errors.push(ValidationError::new(
                "closes",
                "Closing date must be the same as or after the opening date",
            ));
        }
        let retention_days = parse_retention(self.retention_days.as_deref(), &mut errors);
        let sign_off_by = match self.sign_off_by.as_deref().map(|v| {
            if has_controls(v) {
                "?"
            } else {
                crate::domain::text::trim(v)
            }
        }) {
            None | Some("") => SignOff::Officers,
            Some(typed) => typed.parse().unwrap_or_else(|_| {
                errors.push(ValidationError::new(
                    "sign_off_by",
                    "Choose who may agree the group’s responses",
                ));
                SignOff::Officers
            }),
        };
        match (slug, prefix) {
            (Some(slug), Some(reference_prefix)) if errors.is_empty() => Ok(Details {
                slug,
                title,
                description,
                run_by,
                group_name,
                reference_prefix,
                opens,
                closes,
                retention_days,
                sign_off_by,
            }),
            _ => Err(errors),
        }
    }
}

/// Creates a draft consultation.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: &DetailsInput,
    now: DateTime<Utc>,
) -> ServiceResult<Consultation> {
    access::require_duty(caller, Duty::CreateConsultations)?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    db::write_transaction(conn, |conn| {
        if db::consultations::by_slug(conn, d.slug.as_str())?.is_some() {
            return Err(ServiceError::invalid(
                "slug",
                "A consultation with this URL name already exists",
            ));
        }
        let stamp = now.naive_utc();
        let id = db::consultations::insert(
            conn,
            &db::consultations::NewConsultation {
                slug: d.slug.as_str(),
                title: &d.title,
                description: &d.description,
                run_by: &d.run_by,
                group_name: &d.group_name,
                reference_prefix: d.reference_prefix.as_str(),
                opens_at: d.opens.map(|o| start_of_london_day(o).naive_utc()),
                closes_at: d.closes.map(|c| end_of_london_day(c).naive_utc()),
                status: ConsultationStatus::Draft,
                source_note: None,
                created_at: stamp,
                updated_at: stamp,
            },
        )?;
        db::consultations::set_retention_days(conn, id, d.retention_days)?;
        db::consultations::set_sign_off(conn, id, d.sign_off_by)?;
        let change = Change {
            action: "consultation created",
            entity: "consultation",
            id: id.0,
            before: None,
            after: Some(&d.title),
        };
        audit::record(conn, &caller.actor(), now, change)?;
        db::consultations::by_id(conn, id)?
            .ok_or_else(|| ServiceError::NotFound("consultation".into()))
    })
}

/// Changes a consultation's details (its URL name stays as it is).
pub fn change_details(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: &DetailsInput,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut input = input.clone();
    change(conn, caller, slug, now, |conn, scope| {
        // A consultation keeps its URL: a URL name sent must be its own.
        // Blank means "not sent", but only within the field's length limit,
        // which counts what was typed, as everywhere else.
        if input.slug.chars().count() > SLUG_CHARS {
            return Err(ServiceError::invalid(
                "slug",
                format!("URL name must be {SLUG_CHARS} characters or fewer"),
            ));
        }
        if !crate::domain::text::trim(&input.slug).is_empty() {
            let sent = Slug::parse(&input.slug)?;
            if sent.as_str() != slug {
                return Err(ServiceError::invalid(
                    "slug",
                    "A consultation’s URL name cannot change",
                ));
            }
        }
        input.slug = slug.to_string();
        let d = input.parse().map_err(ServiceError::Invalid)?;
        let before = &scope.consultation;
        if before.reference_prefix != d.reference_prefix.as_str() && before.responses_received > 0 {
            return Err(ServiceError::invalid(
                "reference_prefix",
                "The reference prefix cannot change once responses have references",
            ));
        }
        db::consultations::update_details(
            conn,
            before.id,
            &db::consultations::DetailsChange {
                title: &d.title,
                description: &d.description,
                run_by: &d.run_by,
                group_name: &d.group_name,
                reference_prefix: d.reference_prefix.as_str(),
                opens_at: d.opens.map(|o| start_of_london_day(o).naive_utc()),
                closes_at: d.closes.map(|c| end_of_london_day(c).naive_utc()),
                updated_at: now.naive_utc(),
            },
        )?;
        db::consultations::set_retention_days(conn, before.id, d.retention_days)?;
        db::consultations::set_sign_off(conn, before.id, d.sign_off_by)?;
        Ok(Audited::new(
            (),
            "consultation details changed",
            ("consultation", before.id.0),
        )
        .before(serde_json::to_string(before).ok())
        .after(serde_json::to_string(&input).ok()))
    })
}

/// Moves a consultation to the status named by `to` (a word from a form or
/// the API): see [`move_status`]; publishing passes `override_reason` on.
pub fn change_status(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    to: &str,
    override_reason: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    // Who may, before what: a caller without the right is told so first.
    access::open_for(conn, caller, slug, crate::service::access::Action::Run)?;
    let to = to.parse::<ConsultationStatus>().map_err(|_| {
        ServiceError::invalid(
            "status",
            "Choose the next status: open, closed or published",
        )
    })?;
    match to {
        ConsultationStatus::Published => crate::service::publication::gate::publish(
            conn,
            caller,
            slug,
            override_reason.filter(|r| !r.trim().is_empty()),
            now,
        ),
        other => move_status(conn, caller, slug, other, now),
    }
}

/// Moves a consultation one step along `draft → open → closed`. Publishing
/// has its own step, which checks what is not ready
/// ([`crate::service::publication::gate`]). Closing records the instant it
/// closed, which may be before the closing date.
pub fn move_status(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    to: ConsultationStatus,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if to == ConsultationStatus::Published {
        return crate::service::publication::gate::publish(conn, caller, slug, None, now);
    }
    change(conn, caller, slug, now, |conn, scope| {
        let c = &scope.consultation;
        if !c.status.can_move_to(to) {
            return Err(ServiceError::Conflict(format!(
                "A {} consultation cannot become {}: consultations go draft, open, closed, published, one step at a time",
                c.status.label().to_lowercase(),
                to.label().to_lowercase()
            )));
        }
        if to == ConsultationStatus::Open {
            match c.closes_at.map(crate::domain::time::from_db) {
                None => {
                    return Err(ServiceError::invalid(
                        "closes",
                        "Set a closing date before opening the consultation",
                    ));
                }
                Some(closes) if closes < now => {
                    return Err(ServiceError::invalid(
                        "closes",
                        "The closing date has passed: set a later one before opening",
                    ));
                }
                _ => {}
            }
        }
        db::consultations::set_status(conn, c.id, to, now.naive_utc())?;
        if to == ConsultationStatus::Closed {
            let closed = c
                .closes_at
                .map_or(now.naive_utc(), |closes| closes.min(now.naive_utc()));
            db::consultations::set_closed_at(conn, c.id, Some(closed))?;
        }
        Ok(Audited::new((), "status changed", ("consultation", c.id.0))
            .before(c.status.to_string())
            .after(to.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> DetailsInput {
        DetailsInput {
            slug: "stroud-2026".into(),
            title: "Stroud partnership review".into(),
            description: "What should change".into(),
            run_by: "Stroud LSP".into(),
            group_name: "Review group".into(),
            reference_prefix: "STR".into(),
            opens: Some("2026-01-05".into()),
            closes: Some("2026-03-31".into()),
            retention_days: Some("365".into()),
            sign_off_by: None,
        }
    }

    #[test]
    fn valid_details_parse() {
        let d = valid().parse().expect("valid");
        assert_eq!(d.closes, NaiveDate::from_ymd_opt(2026, 3, 31));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = DetailsInput {
            closes: Some("2026-02-30".into()),
            slug: "Bad Slug".into(),
            ..DetailsInput::default()
        };
        let errors = input.parse().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "title",
                "description",
                "run_by",
                "group_name",
                "slug",
                "reference_prefix",
                "closes"
            ]
        );
    }

    #[test]
    fn retention_is_a_whole_number_of_days_or_nothing() {
        assert_eq!(valid().parse().expect("valid").retention_days, Some(365));
        let none = DetailsInput {
            retention_days: Some(" ".into()),
            ..valid()
        };
        assert_eq!(none.parse().expect("valid").retention_days, None);
        for bad in ["0", "-1", "3651", "a year"] {
            let input = DetailsInput {
                retention_days: Some(bad.into()),
                ..valid()
            };
            assert!(input.parse().is_err(), "{bad}");
        }
    }

    #[test]
    fn closing_before_opening_is_refused() {
        let input = DetailsInput {
            closes: Some("2025-12-31".into()),
            ..valid()
        };
        assert!(
            input
                .parse()
                .expect_err("invalid")
                .iter()
                .any(|e| e.field == "closes")
        );
    }
}
