//! Reading consultations for the public.

use super::access::{self, Caller};
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::document::{Question, Section};
use crate::db::structure::{Body, BodyLink};
use crate::db::{self, DbConnection};
use crate::domain::ConsultationStatus;

/// Consultations the public may see, split into open and past ones.
#[derive(Debug, Clone)]
pub struct PublicList {
    /// Open for responses, the soonest closing first.
    pub open: Vec<Consultation>,
    /// Closed or published, the latest closing first.
    pub past: Vec<Consultation>,
}

/// The public list of consultations (drafts are never listed).
pub fn public_list(conn: &mut DbConnection) -> ServiceResult<PublicList> {
    let mut open = db::consultations::with_status(conn, &[ConsultationStatus::Open])?;
    open.reverse();
    let past = db::consultations::with_status(
        conn,
        &[ConsultationStatus::Closed, ConsultationStatus::Published],
    )?;
    Ok(PublicList { open, past })
}

/// What the home page's filters ask for.
#[derive(Debug, Clone, Default)]
pub struct HomeFilter {
    /// Only consultations in this status (open, closed or published).
    pub status: Option<ConsultationStatus>,
    /// Words every listed consultation's title, description or organiser
    /// holds (any case).
    pub words: Vec<String>,
}

impl HomeFilter {
    /// Reads `status=` and `q=`; anything else is no filter.
    pub fn new(status: &str, query: &str) -> Self {
        let status = status
            .parse::<ConsultationStatus>()
            .ok()
            .filter(|s| s.is_public());
        let words = query
            .split_whitespace()
            .take(10)
            .map(|w| w.chars().take(50).collect::<String>().to_lowercase())
            .collect();
        Self { status, words }
    }

    /// Whether any filter is set.
    pub fn is_set(&self) -> bool {
        self.status.is_some() || !self.words.is_empty()
    }

    fn admits(&self, c: &Consultation) -> bool {
        let text = format!("{} {} {}", c.title, c.description, c.run_by).to_lowercase();
        self.status.is_none_or(|s| s == c.status) && self.words.iter().all(|w| text.contains(w))
    }
}

/// The public consultations `filter` admits: open first (closing soonest
/// first), then closed and published.
pub fn filtered_list(conn: &mut DbConnection, filter: &HomeFilter) -> ServiceResult<PublicList> {
    let list = public_list(conn)?;
    Ok(PublicList {
        open: list.open.into_iter().filter(|c| filter.admits(c)).collect(),
        past: list.past.into_iter().filter(|c| filter.admits(c)).collect(),
    })
}

/// A consultation document with everything the public page shows.
#[derive(Debug, Clone)]
pub struct Document {
    pub consultation: Consultation,
    pub sections: Vec<Section>,
    pub questions: Vec<Question>,
    pub bodies: Vec<Body>,
    pub links: Vec<BodyLink>,
}

/// The public document of a consultation; drafts are "not found" to the public.
pub fn public_document(conn: &mut DbConnection, slug: &str) -> ServiceResult<Document> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .filter(|c| c.status.is_public())
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))?;
    document_of(conn, consultation)
}

/// Everything a consultation's document holds (drafts included: callers
/// decide who may see it).
pub fn document_of(conn: &mut DbConnection, consultation: Consultation) -> ServiceResult<Document> {
    let id = consultation.id;
    Ok(Document {
        sections: db::document::sections_of(conn, id)?,
        questions: db::document::questions_of(conn, id)?,
        bodies: db::structure::bodies_of(conn, id)?,
        links: db::structure::links_of(conn, id)?,
        consultation,
    })
}

/// Consultations `caller` may see: every public one, and, for staff, the
/// drafts of those they may work on. The latest closing first.
pub fn visible_to(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
) -> ServiceResult<Vec<Consultation>> {
    let workable: Vec<_> = match caller {
        Some(caller) => access::workable(conn, caller)?
            .into_iter()
            .map(|c| c.id)
            .collect(),
        None => Vec::new(),
    };
    Ok(db::consultations::all(conn)?
        .into_iter()
        .filter(|c| c.status.is_public() || workable.contains(&c.id))
        .collect())
}

/// A consultation's document as `caller` may see it: drafts only to those
/// who may work on them ("not found" to everyone else).
pub fn document_for(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    slug: &str,
) -> ServiceResult<Document> {
    if let Some(caller) = caller
        && let Ok(scope) = access::open(conn, caller, slug)
    {
        return document_of(conn, scope.consultation);
    }
    public_document(conn, slug)
}

/// When a consultation stops (or stopped) taking responses: the instant an
/// officer closed it, when that was before its closing date, else the end
/// of its closing date. Pages and messages say this, never a date that
/// did not happen.
pub fn closing_instant(consultation: &Consultation) -> Option<chrono::NaiveDateTime> {
    let closed = consultation.closed_at.filter(|_| {
        !matches!(
            consultation.status,
            ConsultationStatus::Draft | ConsultationStatus::Open
        )
    });
    match (closed, consultation.closes_at) {
        (Some(closed), Some(closes)) => Some(closed.min(closes)),
        (closed, closes) => closed.or(closes),
    }
}

/// The consulted structure drawn as inline SVG (empty without bodies):
/// every box links to the body's description (`#body-N`) on the page.
pub fn structure_diagram(
    title: &str,
    bodies: &[crate::db::structure::Body],
    links: &[crate::db::structure::BodyLink],
) -> String {
    use crate::export::diagram::{self, DiagramBody, DiagramLink};
    let index: std::collections::HashMap<_, _> =
        bodies.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let drawn: Vec<DiagramBody> = bodies
        .iter()
        .map(|b| DiagramBody {
            anchor: format!("body-{}", b.id),
            name: b.name.clone(),
            short_name: b.short_name.clone(),
            status: b.status,
            mark: None,
        })
        .collect();
    let drawn_links: Vec<DiagramLink> = links
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
        &format!("Diagram of the structure proposed in {title}"),
        &drawn,
        &drawn_links,
    )
}
