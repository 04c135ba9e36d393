//! View models: domain rows turned into what templates show (UK dates,
//! labels instead of stored words).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use crate::db::consultations::Consultation;
use crate::domain::time;
use crate::export::diagram::{self, DiagramBody, DiagramLink};
use crate::service::consultations::{Document, closing_instant};

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

/// A consultation as listed on the home page.
pub fn listed(c: &Consultation, now: DateTime<Utc>) -> Value {
    json!({
        "slug": c.slug,
        "title": c.title,
        "run_by": c.run_by,
        "status": c.status.label(),
        "closes": long_date(closing_instant(c)),
        "days_left": days_left(closing_instant(c), now),
    })
}

/// The structure diagram of a document, as inline SVG.
pub fn structure_diagram(d: &Document) -> String {
    let index: HashMap<_, _> = d
        .bodies
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id, i))
        .collect();
    let bodies: Vec<DiagramBody> = d
        .bodies
        .iter()
        .map(|b| DiagramBody {
            anchor: format!("body-{}", b.id),
            name: b.name.clone(),
            short_name: b.short_name.clone(),
            status: b.status,
        })
        .collect();
    let links: Vec<DiagramLink> = d
        .links
        .iter()
        .filter_map(|l| {
            Some(DiagramLink {
                from: *index.get(&l.from_body_id)?,
                to: *index.get(&l.to_body_id)?,
                relation: l.relation,
            })
        })
        .collect();
    diagram::render(
        &format!(
            "Diagram of the structure proposed in {}",
            d.consultation.title
        ),
        &bodies,
        &links,
    )
}

/// The whole public document, as it stands at `now`.
pub fn document(d: &Document, now: DateTime<Utc>) -> Value {
    let names: HashMap<_, _> = d.bodies.iter().map(|b| (b.id, b.name.as_str())).collect();
    json!({
        "consultation": d.consultation,
        "accepting": crate::service::responses::refusal(&d.consultation, now).is_none(),
        "days_left": days_left(closing_instant(&d.consultation), now),
        "status": d.consultation.status.label(),
        "published": d.consultation.status == crate::domain::ConsultationStatus::Published,
        "opens": long_date(d.consultation.opens_at),
        "closes": long_date(closing_instant(&d.consultation)),
        "sections": d.sections.iter().map(|s| json!({
            "position": s.position,
            "heading": s.heading,
            "paragraphs": s.content.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "questions": d.questions,
        "diagram": structure_diagram(d),
        "bodies": d.bodies.iter().map(|b| json!({
            "id": b.id,
            "name": b.name,
            "short_name": b.short_name,
            "status": b.status.label(),
            "role": b.role,
            "membership": b.membership,
            "meets": b.meets,
        })).collect::<Vec<_>>(),
        "links": d.links.iter().map(|l| json!({
            "from": names.get(&l.from_body_id).copied().unwrap_or("?"),
            "to": names.get(&l.to_body_id).copied().unwrap_or("?"),
            "relation": l.relation.label(),
            "note": l.note,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
