//! The respondent–issue–response table (seed 003): one row per issue, who
//! raised it, and the group's response.

use super::audit::{self, Change};
use std::collections::{BTreeMap, HashMap, HashSet};

use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::consultee::table_name;
use crate::domain::group_response::shown_text;
use crate::domain::{ConsulteeKind, DraftStatus, IssueId, Publication, ResponseStatus, ThemeId};
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

/// Who is looking: the public sees only what consultees agreed to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

/// Which rows to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub theme: Option<ThemeId>,
    pub consultee_kind: Option<ConsulteeKind>,
    /// Only responses the group has agreed (for publication).
    pub agreed_only: bool,
    /// Include consultees' contact details (staff only; callers record the
    /// export in the audit log with [`record_contact_export`]).
    pub with_contacts: bool,
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
    pub groups: Vec<Group>,
    pub responses: usize,
    pub consultees: usize,
}

impl Table {
    /// Every row, in order.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.groups.iter().flat_map(|g| g.rows.iter())
    }
}

/// Builds the table. The public may see it only once the consultation is
/// published, and then only responses whose consultees agreed (anonymised
/// where they asked); held and withdrawn responses never appear.
pub fn table(
    conn: &mut DbConnection,
    slug: &str,
    audience: Audience,
    ordering: Ordering,
    filter: &Filter,
) -> ServiceResult<Table> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .filter(|c| {
            audience == Audience::Staff || c.status == crate::domain::ConsultationStatus::Published
        })
        .ok_or_else(|| ServiceError::NotFound(format!("summary of “{slug}”")))?;
    let id = consultation.id;
    let responses: HashMap<_, _> = db::responses::of_consultation(conn, id)?
        .into_iter()
        .filter(|r| r.status == ResponseStatus::Received)
        .filter(|r| audience == Audience::Staff || r.publication != Publication::NotPublished)
        .map(|r| (r.id, r))
        .collect();
    let mut raised: HashMap<_, Vec<_>> = HashMap::new();
    for (response, consultee) in db::responses::consultees_of_responses(conn, id)? {
        raised.entry(response).or_default().push(consultee);
    }
    let issues: Vec<_> = db::issues::of_consultation(conn, id)?
        .into_iter()
        .filter(|i| responses.contains_key(&i.response_id))
        .collect();
    let answers: HashMap<_, _> = db::group_responses::of_consultation(conn, id)?
        .into_iter()
        .map(|g| (g.issue_id, g))
        .collect();
    let themes: HashMap<_, _> = db::themes::of_consultation(conn, id)?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let section_names: HashMap<_, _> = db::document::sections_of(conn, id)?
        .into_iter()
        .map(|s| (s.id, (s.position, s.heading)))
        .collect();
    let body_names: HashMap<_, _> = db::structure::bodies_of(conn, id)?
        .into_iter()
        .map(|b| (b.id, (b.position, b.name)))
        .collect();
    let mut sections_of: HashMap<IssueId, Vec<_>> = HashMap::new();
    for (issue, section) in db::issues::section_tags(conn, id)? {
        sections_of
            .entry(issue)
            .or_default()
            .extend(section_names.get(&section).cloned());
    }
    let mut bodies_of: HashMap<IssueId, Vec<_>> = HashMap::new();
    for (issue, body) in db::issues::body_tags(conn, id)? {
        bodies_of
            .entry(issue)
            .or_default()
            .extend(body_names.get(&body).cloned());
    }

    // Keep the issues this filter selects, each with the key it groups by.
    let mut selected: Vec<(Option<(i64, String)>, &crate::db::issues::Issue)> = Vec::new();
    for issue in &issues {
        let response = &responses[&issue.response_id];
        let who = raised
            .get(&issue.response_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if filter.theme.is_some() && issue.theme_id != filter.theme {
            continue;
        }
        if let Some(kind) = filter.consultee_kind
            && !who.iter().any(|c| c.kind == kind)
        {
            continue;
        }
        let agreed = answers
            .get(&issue.id)
            .is_some_and(|a| a.status == DraftStatus::Agreed);
        if filter.agreed_only && !agreed {
            continue;
        }
        let mut keys: Vec<(i64, String)> = match ordering {
            Ordering::Received => vec![],
            Ordering::Theme => issue
                .theme_id
                .and_then(|t| themes.get(&t))
                .map(|t| vec![(i64::from(t.position), t.label.clone())])
                .unwrap_or_default(),
            Ordering::Section => sections_of
                .get(&issue.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|(p, h)| (i64::from(p), h))
                .collect(),
            Ordering::Body => bodies_of
                .get(&issue.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|(p, n)| (i64::from(p), n))
                .collect(),
            Ordering::Consultee => who
                .first()
                .map(|c| vec![(0, shown_name(&c.name, response.publication, audience))])
                .unwrap_or_default(),
        };
        if ordering == Ordering::Received {
            selected.push((None, issue));
        } else {
            // An issue about two sections appears under both.
            if keys.is_empty() {
                keys.push((i64::MAX, unassigned(ordering).to_string()));
            }
            selected.extend(keys.into_iter().map(|k| (Some(k), issue)));
        }
    }
    // Stable sort keeps the as-received order within each heading.
    selected.sort_by(|a, b| match (&a.0, &b.0) {
        (Some((pa, ha)), Some((pb, hb))) => pa
            .cmp(pb)
            .then_with(|| ha.to_lowercase().cmp(&hb.to_lowercase())),
        _ => std::cmp::Ordering::Equal,
    });

    let mut groups: Vec<Group> = Vec::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    let mut row_of_issue: HashMap<IssueId, usize> = HashMap::new();
    let mut number = 0;
    for (key, issue) in &selected {
        number += 1;
        let response = &responses[&issue.response_id];
        let who = raised
            .get(&issue.response_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let who_raised = who
            .iter()
            .map(|c| {
                let name = shown_name(&c.name, response.publication, audience);
                let short = if name == c.name {
                    c.short_name.as_deref()
                } else {
                    None
                };
                let first = seen_names.insert(name.clone());
                table_name(&name, short, first)
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let answer = answers.get(&issue.id);
        let linked = answer
            .and_then(|a| a.same_as_issue_id)
            .and_then(|target| linked_text(&answers, target));
        let response_text = answer
            .map(|a| shown_text(a.kind, a.content.as_deref(), linked.as_deref()))
            .unwrap_or_default();
        let same_as_row = answer
            .and_then(|a| a.same_as_issue_id)
            .and_then(|t| row_of_issue.get(&t).copied());
        row_of_issue.entry(issue.id).or_insert(number);
        let row = Row {
            number,
            issue_id: issue.id,
            issue: issue.content.clone(),
            who_raised,
            response: response_text,
            same_as_row,
            reference: response.reference.clone(),
            theme: issue
                .theme_id
                .and_then(|t| themes.get(&t))
                .map(|t| t.label.clone())
                .unwrap_or_default(),
            sections: sections_of
                .get(&issue.id)
                .map(|v| v.iter().map(|(_, h)| h.clone()).collect())
                .unwrap_or_default(),
            bodies: bodies_of
                .get(&issue.id)
                .map(|v| v.iter().map(|(_, n)| n.clone()).collect())
                .unwrap_or_default(),
            consultee_kinds: who
                .iter()
                .map(|c| c.kind.label().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
            status: answer
                .map(|a| a.status.as_str().to_string())
                .unwrap_or_default(),
            contacts: (filter.with_contacts && audience == Audience::Staff)
                .then(|| contact_details(who)),
        };
        let heading = key.as_ref().map(|(_, h)| h.clone());
        match groups.last_mut() {
            Some(group) if group.heading == heading => group.rows.push(row),
            _ => groups.push(Group {
                heading,
                rows: vec![row],
            }),
        }
    }
    let shown_responses: BTreeMap<_, _> =
        selected.iter().map(|(_, i)| (i.response_id, ())).collect();
    let consultee_names: HashSet<String> = shown_responses
        .keys()
        .flat_map(|r| raised.get(r).into_iter().flatten().map(|c| c.name.clone()))
        .collect();
    Ok(Table {
        consultation,
        groups,
        responses: shown_responses.len(),
        consultees: consultee_names.len(),
    })
}

/// "Name <email>" for each consultee of a response that left details.
fn contact_details(who: &[crate::db::consultees::Consultee]) -> String {
    who.iter()
        .filter(|c| c.contact_name.is_some() || c.contact_email.is_some())
        .map(|c| match (&c.contact_name, &c.contact_email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (Some(name), None) => name.clone(),
            (None, Some(email)) => email.clone(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Records that someone exported personal data (OWASP logging: who, when,
/// what), before the file is handed over.
pub fn record_contact_export(
    conn: &mut DbConnection,
    actor: &super::audit::Actor,
    slug: &str,
) -> ServiceResult<()> {
    let consultation = db::consultations::by_slug(conn, slug)?
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))?;
    audit::record(
        conn,
        actor,
        chrono::Utc::now(),
        Change {
            action: "summary exported with contact details",
            entity: "consultation",
            id: consultation.id.0,
            before: None,
            after: None,
        },
    )?;
    Ok(())
}

/// The name the audience may see: anonymised for the public where the
/// consultee asked.
fn shown_name(name: &str, publication: Publication, audience: Audience) -> String {
    if audience == Audience::Public && publication == Publication::Anonymous {
        "Name withheld".to_string()
    } else {
        name.to_string()
    }
}

/// The wording a bare "As above" shows: the linked answer's own text,
/// following further links (at most a few, so a loop cannot hang).
pub(crate) fn linked_text(
    answers: &HashMap<IssueId, crate::db::group_responses::GroupResponse>,
    mut target: IssueId,
) -> Option<String> {
    for _ in 0..8 {
        let answer = answers.get(&target)?;
        match (
            answer
                .content
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty()),
            answer.same_as_issue_id,
        ) {
            (Some(text), _) => return Some(text.to_string()),
            (None, Some(next)) => target = next,
            (None, None) => return Some(shown_text(answer.kind, None, None)),
        }
    }
    None
}

fn unassigned(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Theme => "Not yet in a theme",
        Ordering::Section => "Not about a particular section",
        Ordering::Body => "Not about a particular body",
        _ => "Other",
    }
}
