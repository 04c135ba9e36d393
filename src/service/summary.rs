//! The respondent–issue–response table (seed 003): one row per issue, who
//! raised it, and the group's response.

use super::audit::{self, Change};
use std::collections::{BTreeMap, HashMap, HashSet};

use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::group_responses::GroupResponse;
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
    let consultation = visible(conn, slug, audience)?;
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
        if !filter.selects(issue, who, answers.get(&issue.id)) {
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
    let mut maker = RowMaker::new(audience, filter.with_contacts, None);
    for (key, issue) in &selected {
        let response = &responses[&issue.response_id];
        let who = raised
            .get(&issue.response_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let row = maker.make(RowInput {
            issue,
            reference: &response.reference,
            publication: response.publication,
            who,
            answers: &answers,
            theme: issue
                .theme_id
                .and_then(|t| themes.get(&t))
                .map(|t| t.label.as_str()),
            sections: sections_of
                .get(&issue.id)
                .map(|v| v.iter().map(|(_, h)| h.clone()).collect())
                .unwrap_or_default(),
            bodies: bodies_of
                .get(&issue.id)
                .map(|v| v.iter().map(|(_, n)| n.clone()).collect())
                .unwrap_or_default(),
        });
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

/// The consultation whose table `audience` may see: staff always, the
/// public once it is published.
pub fn visible(
    conn: &mut DbConnection,
    slug: &str,
    audience: Audience,
) -> ServiceResult<Consultation> {
    db::consultations::by_slug(conn, slug)?
        .filter(|c| {
            audience == Audience::Staff || c.status == crate::domain::ConsultationStatus::Published
        })
        .ok_or_else(|| ServiceError::NotFound(format!("summary of “{slug}”")))
}

/// Issues read from the database per page when streaming.
const STREAM_PAGE: i64 = 2_000;

/// A heading of a streamed table, of whichever kind the ordering uses.
enum Scope {
    Themes(Heading<ThemeId>),
    Sections(Heading<crate::domain::SectionId>),
    Bodies(Heading<crate::domain::BodyId>),
}

impl Scope {
    fn as_db(&self) -> db::issues::Scope<'_> {
        use db::issues::Scope as Db;
        match self {
            Scope::Themes(Heading::All)
            | Scope::Sections(Heading::All)
            | Scope::Bodies(Heading::All) => Db::All,
            Scope::Themes(Heading::Some(ids)) => Db::Themes(Some(ids)),
            Scope::Themes(Heading::None) => Db::Themes(None),
            Scope::Sections(Heading::Some(ids)) => Db::Sections(Some(ids)),
            Scope::Sections(Heading::None) => Db::Sections(None),
            Scope::Bodies(Heading::Some(ids)) => Db::Bodies(Some(ids)),
            Scope::Bodies(Heading::None) => Db::Bodies(None),
        }
    }
}

/// Names the streamed table looks up on every page.
struct Lookups {
    themes: HashMap<ThemeId, String>,
    sections: HashMap<crate::domain::SectionId, String>,
    bodies: HashMap<crate::domain::BodyId, String>,
}

/// One heading of a streamed table: the issues drawn for it.
enum Heading<T> {
    /// Every issue (ordered as received).
    All,
    /// Issues with one of these themes, sections or bodies (one heading;
    /// several when they share position and name), or with none.
    Some(Vec<T>),
    None,
}

/// Headings in the order [`table`] sorts them: by position, then name
/// without case; the issues with none last.
fn headings<T: Copy>(items: impl Iterator<Item = (T, i32, String)>) -> Vec<Heading<T>> {
    let mut keyed: BTreeMap<(i32, String), Vec<T>> = BTreeMap::new();
    for (id, position, name) in items {
        keyed
            .entry((position, name.to_lowercase()))
            .or_default()
            .push(id);
    }
    keyed
        .into_values()
        .map(Heading::Some)
        .chain(std::iter::once(Heading::None))
        .collect()
}

/// Whether [`stream_csv`] can stream this ordering (ordering by consultee
/// sorts by name, so it is built in memory).
pub fn streams(ordering: Ordering) -> bool {
    ordering != Ordering::Consultee
}

/// The table as CSV straight from the database, a page of issues at a
/// time, so memory does not grow with the number of rows (only with the
/// "As above" targets remembered). The same rows as [`table`] for every
/// ordering that [`streams`]. Returns the rows written.
pub fn stream_csv<W: std::io::Write>(
    conn: &mut DbConnection,
    slug: &str,
    audience: Audience,
    (ordering, filter): (Ordering, &Filter),
    columns: crate::export::summary::Columns,
    out: W,
) -> ServiceResult<usize> {
    stream_csv_in_pages(
        conn,
        slug,
        audience,
        (ordering, filter, columns),
        out,
        STREAM_PAGE,
    )
}

/// [`stream_csv`] reading `page` issues per query (tests use small pages
/// to cross page boundaries inside a response).
pub fn stream_csv_in_pages<W: std::io::Write>(
    conn: &mut DbConnection,
    slug: &str,
    audience: Audience,
    (ordering, filter, columns): (Ordering, &Filter, crate::export::summary::Columns),
    out: W,
    page: i64,
) -> ServiceResult<usize> {
    if !streams(ordering) {
        return Err(ServiceError::Conflict(format!(
            "the table ordered {} is built in memory, not streamed",
            ordering.label().to_lowercase()
        )));
    }
    let consultation = visible(conn, slug, audience)?;
    let id = consultation.id;
    // The headings, each read as received in turn.
    let scopes: Vec<Scope> = match ordering {
        Ordering::Theme => headings(
            db::themes::of_consultation(conn, id)?
                .into_iter()
                .map(|t| (t.id, t.position, t.label)),
        )
        .into_iter()
        .map(Scope::Themes)
        .collect(),
        Ordering::Section => headings(
            db::document::sections_of(conn, id)?
                .into_iter()
                .map(|s| (s.id, s.position, s.heading)),
        )
        .into_iter()
        .map(Scope::Sections)
        .collect(),
        Ordering::Body => headings(
            db::structure::bodies_of(conn, id)?
                .into_iter()
                .map(|b| (b.id, b.position, b.name)),
        )
        .into_iter()
        .map(Scope::Bodies)
        .collect(),
        Ordering::Received | Ordering::Consultee => vec![Scope::Themes(Heading::All)],
    };
    let mut scope_index = 0;
    let lookups = Lookups {
        themes: db::themes::of_consultation(conn, id)?
            .into_iter()
            .map(|t| (t.id, t.label))
            .collect(),
        sections: db::document::sections_of(conn, id)?
            .into_iter()
            .map(|s| (s.id, s.heading))
            .collect(),
        bodies: db::structure::bodies_of(conn, id)?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect(),
    };
    let targets = db::group_responses::link_targets(conn, id)?
        .into_iter()
        .collect();
    let mut maker = RowMaker::new(audience, filter.with_contacts, Some(targets));
    let mut after = None;
    let mut pending = std::collections::VecDeque::new();
    let mut failure = None;
    let mut finished = false;
    let mut written = 0;
    let rows = std::iter::from_fn(|| {
        loop {
            if let Some(row) = pending.pop_front() {
                written += 1;
                return Some(row);
            }
            if finished {
                return None;
            }
            let scope = scopes.get(scope_index)?;
            let place = (scope.as_db(), &mut maker, &mut after, page);
            match next_page(conn, &consultation, audience, filter, &lookups, place) {
                Ok(Some(rows)) => pending.extend(rows),
                Ok(None) => {
                    // This heading is done: the next starts from the top.
                    scope_index += 1;
                    after = None;
                }
                Err(error) => {
                    failure = Some(error);
                    finished = true;
                }
            }
        }
    });
    let result = crate::export::summary::write_csv(out, &consultation.group_name, columns, rows);
    if let Some(error) = failure {
        return Err(error);
    }
    result
        .map_err(|e| ServiceError::Unavailable(format!("the table could not be written: {e}")))?;
    Ok(written)
}

/// The rows of the next page of issues (`None` after the last).
fn next_page(
    conn: &mut DbConnection,
    consultation: &Consultation,
    audience: Audience,
    filter: &Filter,
    lookups: &Lookups,
    (scope, maker, after, size): (
        db::issues::Scope<'_>,
        &mut RowMaker,
        &mut Option<db::issues::ReceivedKey>,
        i64,
    ),
) -> ServiceResult<Option<Vec<Row>>> {
    let page = db::issues::page_as_received(
        conn,
        consultation.id,
        (scope, *after),
        audience == Audience::Public,
        size,
    )?;
    let Some((last, facts)) = page.last() else {
        return Ok(None);
    };
    *after = Some((facts.received_at, last.response_id, last.position));
    let ids: Vec<IssueId> = page.iter().map(|(i, _)| i.id).collect();
    let mut response_ids: Vec<_> = page.iter().map(|(i, _)| i.response_id).collect();
    response_ids.dedup();
    let mut raised: HashMap<_, Vec<_>> = HashMap::new();
    for (response, consultee) in db::responses::consultees_of_some(conn, &response_ids)? {
        raised.entry(response).or_default().push(consultee);
    }
    let mut answers: HashMap<IssueId, GroupResponse> = db::group_responses::for_issues(conn, &ids)?
        .into_iter()
        .map(|a| (a.issue_id, a))
        .collect();
    // The answers "As above" links lead to, a few steps deep.
    for _ in 0..8 {
        let missing: Vec<IssueId> = answers
            .values()
            .filter_map(|a| a.same_as_issue_id)
            .filter(|t| !answers.contains_key(t))
            .collect();
        if missing.is_empty() {
            break;
        }
        answers.extend(
            db::group_responses::for_issues(conn, &missing)?
                .into_iter()
                .map(|a| (a.issue_id, a)),
        );
    }
    let mut sections: HashMap<IssueId, Vec<String>> = HashMap::new();
    for (issue, section) in db::issues::section_tags_of(conn, &ids)? {
        sections
            .entry(issue)
            .or_default()
            .extend(lookups.sections.get(&section).cloned());
    }
    let mut bodies: HashMap<IssueId, Vec<String>> = HashMap::new();
    for (issue, body) in db::issues::body_tags_of(conn, &ids)? {
        bodies
            .entry(issue)
            .or_default()
            .extend(lookups.bodies.get(&body).cloned());
    }
    let mut rows = Vec::with_capacity(page.len());
    for (issue, facts) in &page {
        let who = raised
            .get(&issue.response_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let answer = answers.get(&issue.id);
        if !filter.selects(issue, who, answer) {
            continue;
        }
        rows.push(
            maker.make(RowInput {
                issue,
                reference: &facts.reference,
                publication: facts.publication,
                who,
                answers: &answers,
                theme: issue
                    .theme_id
                    .and_then(|t| lookups.themes.get(&t))
                    .map(String::as_str),
                sections: sections.remove(&issue.id).unwrap_or_default(),
                bodies: bodies.remove(&issue.id).unwrap_or_default(),
            }),
        );
    }
    Ok(Some(rows))
}

impl Filter {
    /// Whether the table shows `issue` (raised by `who`, answered by `answer`).
    fn selects(
        &self,
        issue: &crate::db::issues::Issue,
        who: &[crate::db::consultees::Consultee],
        answer: Option<&GroupResponse>,
    ) -> bool {
        let theme_ok = self.theme.is_none() || issue.theme_id == self.theme;
        let kind_ok = self
            .consultee_kind
            .is_none_or(|kind| who.iter().any(|c| c.kind == kind));
        let agreed = answer.is_some_and(|a| a.status == DraftStatus::Agreed);
        theme_ok && kind_ok && (!self.agreed_only || agreed)
    }
}

/// What one row is made from.
struct RowInput<'a> {
    issue: &'a crate::db::issues::Issue,
    reference: &'a str,
    publication: Publication,
    who: &'a [crate::db::consultees::Consultee],
    /// The answers of this issue and of those its "As above" links lead to.
    answers: &'a HashMap<IssueId, GroupResponse>,
    theme: Option<&'a str>,
    sections: Vec<String>,
    bodies: Vec<String>,
}

/// Makes rows in table order, remembering what later rows depend on:
/// which names have appeared (full name first, short name after) and the
/// row numbers "As above" rows link to.
struct RowMaker {
    audience: Audience,
    with_contacts: bool,
    seen_names: HashSet<String>,
    row_of_issue: HashMap<IssueId, usize>,
    /// Only these issues' rows are remembered (the targets of "As above"
    /// links), so a streamed table's memory does not grow with its rows;
    /// `None`: remember every row.
    targets: Option<HashSet<IssueId>>,
    number: usize,
}

impl RowMaker {
    fn new(audience: Audience, with_contacts: bool, targets: Option<HashSet<IssueId>>) -> Self {
        Self {
            audience,
            with_contacts,
            seen_names: HashSet::new(),
            row_of_issue: HashMap::new(),
            targets,
            number: 0,
        }
    }

    fn make(&mut self, input: RowInput<'_>) -> Row {
        self.number += 1;
        let who_raised = input
            .who
            .iter()
            .map(|c| {
                let name = shown_name(&c.name, input.publication, self.audience);
                let short = if name == c.name {
                    c.short_name.as_deref()
                } else {
                    None
                };
                let first = self.seen_names.insert(name.clone());
                table_name(&name, short, first)
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let answer = input.answers.get(&input.issue.id);
        let linked = answer
            .and_then(|a| a.same_as_issue_id)
            .and_then(|target| linked_text(input.answers, target));
        let response = answer
            .map(|a| shown_text(a.kind, a.content.as_deref(), linked.as_deref()))
            .unwrap_or_default();
        let same_as_row = answer
            .and_then(|a| a.same_as_issue_id)
            .and_then(|t| self.row_of_issue.get(&t).copied());
        let id = input.issue.id;
        if self.targets.as_ref().is_none_or(|t| t.contains(&id)) {
            self.row_of_issue.entry(id).or_insert(self.number);
        }
        Row {
            number: self.number,
            issue_id: id,
            issue: input.issue.content.clone(),
            who_raised,
            response,
            same_as_row,
            reference: input.reference.to_string(),
            theme: input.theme.unwrap_or_default().to_string(),
            sections: input.sections,
            bodies: input.bodies,
            consultee_kinds: input
                .who
                .iter()
                .map(|c| c.kind.label().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
            status: answer
                .map(|a| a.status.as_str().to_string())
                .unwrap_or_default(),
            contacts: (self.with_contacts && self.audience == Audience::Staff)
                .then(|| contact_details(input.who)),
        }
    }
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
    answers: &HashMap<IssueId, GroupResponse>,
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
