//! The public pages' views: a consultation as listed and as read (its
//! document, structure and questions), with UK dates and labels instead
//! of stored words.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

pub use crate::domain::text::{opening, paragraphs};
use crate::domain::{ConsultationStatus, time};
use crate::service::consultations::{Document, closing_instant};
use crate::service::model::Consultation;

/// "Friday 2 September 2011" for a stored UTC timestamp.
fn long_date(stored: Option<NaiveDateTime>) -> Option<String> {
    stored.map(|t| time::long_date(time::from_db(t)))
}

/// "12 days left", "Closes today" or nothing once closed.
pub fn days_left(closes: Option<NaiveDateTime>, now: DateTime<Utc>) -> Option<String> {
    let closes = time::from_db(closes?);
    if closes < now {
        return None;
    }
    let days = (time::london_date(closes) - time::london_date(now)).num_days();
    Some(match days {
        0 => "closes today".to_string(),
        1 => "1 day left".to_string(),
        n => format!("{n} days left"),
    })
}

/// A consultation as the home page lists it.
#[derive(Debug, Serialize)]
pub struct Listed {
    slug: String,
    title: String,
    run_by: String,
    status: &'static str,
    /// `open`, `closed` or `published`, for the card's tag.
    status_word: &'static str,
    /// The description's opening, for the card.
    description: String,
    closes: Option<String>,
    days_left: Option<String>,
    /// Whether the summary of responses is out (a closed consultation's
    /// line says so, or that the responses are being considered).
    summary_published: bool,
}

impl Listed {
    pub fn of(c: &Consultation, now: DateTime<Utc>) -> Self {
        Self {
            slug: c.slug.clone(),
            title: c.title.clone(),
            run_by: c.run_by.clone(),
            status: c.status.label(),
            status_word: c.status.as_str(),
            description: opening(&c.description, 200),
            closes: long_date(closing_instant(c)),
            days_left: days_left(closing_instant(c), now),
            summary_published: c.status == ConsultationStatus::Published,
        }
    }
}

/// The structure diagram of a document, as inline SVG.
pub fn structure_diagram(d: &Document) -> String {
    crate::service::consultations::structure_diagram(&d.consultation.title, &d.bodies, &d.links)
}

/// What the public reads about who runs a consultation.
#[derive(Debug, Serialize)]
struct About {
    slug: String,
    title: String,
    description: String,
    run_by: String,
    group_name: String,
    source_note: Option<String>,
}

#[derive(Debug, Serialize)]
struct SectionView {
    position: i32,
    heading: String,
    paragraphs: Vec<String>,
}

#[derive(Debug, Serialize)]
struct BodyView {
    id: i64,
    name: String,
    short_name: Option<String>,
    status: &'static str,
    role: String,
    membership: String,
    meets: String,
}

#[derive(Debug, Serialize)]
struct LinkView {
    from: String,
    to: String,
    relation: &'static str,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct QuestionView {
    prompt: String,
}

/// The whole public document, as it stands at a moment.
#[derive(Debug, Serialize)]
pub struct DocumentView {
    consultation: About,
    accepting: bool,
    days_left: Option<String>,
    status: &'static str,
    published: bool,
    opens: Option<String>,
    closes: Option<String>,
    sections: Vec<SectionView>,
    questions: Vec<QuestionView>,
    diagram: String,
    bodies: Vec<BodyView>,
    links: Vec<LinkView>,
}

impl DocumentView {
    pub fn of(d: &Document, now: DateTime<Utc>) -> Self {
        let c = &d.consultation;
        let names: HashMap<_, _> = d.bodies.iter().map(|b| (b.id, b.name.as_str())).collect();
        let name = |id| names.get(&id).copied().unwrap_or("?").to_string();
        Self {
            consultation: About {
                slug: c.slug.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                run_by: c.run_by.clone(),
                group_name: c.group_name.clone(),
                source_note: c.source_note.clone(),
            },
            accepting: crate::service::responses::refusal(c, now).is_none(),
            days_left: days_left(closing_instant(c), now),
            status: c.status.label(),
            published: c.status == ConsultationStatus::Published,
            opens: long_date(c.opens_at),
            closes: long_date(closing_instant(c)),
            sections: (d.sections.iter())
                .map(|s| SectionView {
                    position: s.position,
                    heading: s.heading.clone(),
                    paragraphs: paragraphs(&s.content),
                })
                .collect(),
            questions: (d.questions.iter())
                .map(|q| QuestionView {
                    prompt: q.prompt.clone(),
                })
                .collect(),
            diagram: structure_diagram(d),
            bodies: (d.bodies.iter())
                .map(|b| BodyView {
                    id: b.id.0,
                    name: b.name.clone(),
                    short_name: b.short_name.clone(),
                    status: b.status.label(),
                    role: b.role.clone(),
                    membership: b.membership.clone(),
                    meets: b.meets.clone(),
                })
                .collect(),
            links: (d.links.iter())
                .map(|l| LinkView {
                    from: name(l.from_body_id),
                    to: name(l.to_body_id),
                    relation: l.relation.label(),
                    note: l.note.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn paragraphs_break_at_blank_lines_however_the_lines_end() {
        // As a browser sends a textarea: CRLF, and a "blank" line with spaces.
        let typed = "First point.\r\nStill the first.\r\n  \r\nSecond point.\r\n\r\n\r\nThird.";
        assert_eq!(
            paragraphs(typed),
            ["First point.\nStill the first.", "Second point.", "Third."]
        );
        assert_eq!(paragraphs("One.\n\nTwo."), ["One.", "Two."]);
        assert!(paragraphs(" \r\n ").is_empty());
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("valid")
            .and_utc()
    }

    #[test]
    fn days_left_count_london_calendar_days() {
        let closes = Some(at(2011, 9, 2, 22).naive_utc());
        assert_eq!(
            days_left(closes, at(2011, 8, 31, 9)).as_deref(),
            Some("2 days left")
        );
        assert_eq!(
            days_left(closes, at(2011, 9, 1, 9)).as_deref(),
            Some("1 day left")
        );
        assert_eq!(
            days_left(closes, at(2011, 9, 2, 21)).as_deref(),
            Some("closes today")
        );
        assert_eq!(days_left(closes, at(2011, 9, 2, 23)), None);
    }
}
