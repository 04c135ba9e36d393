//! Reading the table's issues from the database a page at a time, in table
//! order: by heading (theme, section or body, in their order; the issues
//! with none last), each heading's issues as received. An issue about two
//! sections appears under both. The page on screen, the CSV and the
//! workbook all read through here, so they cannot disagree; only the
//! ordering by consultee, which sorts by name, is gathered in memory.

use std::collections::{BTreeMap, HashMap};

use super::rows::{RawRow, linked_text, shown_name};
use super::{Filter, Ordering};
use crate::db::consultations::Consultation;
use crate::db::group_responses::GroupResponse;
use crate::db::issues::{ReceivedKey, Scope as Drawn};
use crate::db::{self, DbConnection};
use crate::domain::redaction::Withheld;
use crate::domain::{BodyId, DraftStatus, IssueId, SectionId, ThemeId};
use crate::service::ServiceResult;
use crate::service::access::Audience;

/// Issues read from the database per page.
pub const PAGE: i64 = 2_000;

/// The issues of one heading.
#[derive(Debug, Clone)]
enum Drawing {
    All,
    Themes(Option<Vec<ThemeId>>),
    Sections(Option<Vec<SectionId>>),
    Bodies(Option<Vec<BodyId>>),
}

impl Drawing {
    fn as_db(&self) -> Drawn<'_> {
        match self {
            Drawing::All => Drawn::All,
            Drawing::Themes(ids) => Drawn::Themes(ids.as_deref()),
            Drawing::Sections(ids) => Drawn::Sections(ids.as_deref()),
            Drawing::Bodies(ids) => Drawn::Bodies(ids.as_deref()),
        }
    }
}

/// A heading of the table and the issues drawn under it.
#[derive(Debug, Clone)]
struct Heading {
    label: Option<String>,
    drawing: Drawing,
}

/// Headings in table order from (id, position, name): by position, then
/// name without case (several with the same position and name are one
/// heading); then `none` for the issues without any.
fn headings<T: Copy>(
    items: impl Iterator<Item = (T, i32, String)>,
    wrap: impl Fn(Option<Vec<T>>) -> Drawing,
    none: &str,
) -> Vec<Heading> {
    let mut keyed: BTreeMap<(i32, String), (String, Vec<T>)> = BTreeMap::new();
    for (id, position, name) in items {
        keyed
            .entry((position, name.to_lowercase()))
            .or_insert_with(|| (name.clone(), Vec::new()))
            .1
            .push(id);
    }
    keyed
        .into_values()
        .map(|(label, ids)| Heading {
            label: Some(label),
            drawing: wrap(Some(ids)),
        })
        .chain(std::iter::once(Heading {
            label: Some(none.to_string()),
            drawing: wrap(None),
        }))
        .collect()
}

/// Names looked up for every page.
struct Lookups {
    themes: HashMap<ThemeId, String>,
    sections: HashMap<SectionId, String>,
    bodies: HashMap<BodyId, String>,
}

/// Issues in table order, each under its heading.
pub type Page = Vec<(Option<String>, RawRow)>;

/// Reads a consultation's table for an audience, heading by heading.
pub struct Reader<'c> {
    conn: &'c mut DbConnection,
    consultation: Consultation,
    audience: Audience,
    filter: Filter,
    headings: Vec<Heading>,
    current: usize,
    after: Option<ReceivedKey>,
    page: i64,
    lookups: Lookups,
}

impl<'c> Reader<'c> {
    /// A reader of `consultation`'s table in `ordering`, `page` issues a query.
    pub fn new(
        conn: &'c mut DbConnection,
        consultation: Consultation,
        audience: Audience,
        (ordering, filter): (Ordering, Filter),
        page: i64,
    ) -> ServiceResult<Self> {
        let id = consultation.id;
        let themes = db::themes::of_consultation(conn, id)?;
        let sections = db::document::sections_of(conn, id)?;
        let bodies = db::structure::bodies_of(conn, id)?;
        // Theme labels come from issues' words: the public's are masked
        // with every word an officer's redaction withheld.
        let withheld = match audience {
            Audience::Public => crate::service::publication::redaction::withheld_in(conn, id)?,
            Audience::Staff => Withheld::default(),
        };
        let theme_label = |label: &str| withheld.apply(label);
        let headings = match ordering {
            Ordering::Theme => headings(
                themes
                    .iter()
                    .map(|t| (t.id, t.position, theme_label(&t.label))),
                Drawing::Themes,
                "Not yet in a theme",
            ),
            Ordering::Section => headings(
                sections
                    .iter()
                    .map(|s| (s.id, s.position, s.heading.clone())),
                Drawing::Sections,
                "Not about a particular section",
            ),
            Ordering::Body => headings(
                bodies.iter().map(|b| (b.id, b.position, b.name.clone())),
                Drawing::Bodies,
                "Not about a particular body",
            ),
            Ordering::Received | Ordering::Consultee => vec![Heading {
                label: None,
                drawing: Drawing::All,
            }],
        };
        let lookups = Lookups {
            themes: themes
                .into_iter()
                .map(|t| (t.id, theme_label(&t.label)))
                .collect(),
            sections: sections.into_iter().map(|s| (s.id, s.heading)).collect(),
            bodies: bodies.into_iter().map(|b| (b.id, b.name)).collect(),
        };
        Ok(Self {
            conn,
            consultation,
            audience,
            filter,
            headings,
            current: 0,
            after: None,
            page,
            lookups,
        })
    }

    /// The next page of (heading, issue) in table order; `None` after the
    /// last.
    pub fn next_page(&mut self) -> ServiceResult<Option<Page>> {
        loop {
            let Some(heading) = self.headings.get(self.current).cloned() else {
                return Ok(None);
            };
            match self.read(&heading.drawing)? {
                Some(rows) => {
                    let label = heading.label.clone();
                    return Ok(Some(
                        rows.into_iter().map(|row| (label.clone(), row)).collect(),
                    ));
                }
                None => {
                    // This heading is done: the next starts from the top.
                    self.current += 1;
                    self.after = None;
                }
            }
        }
    }

    /// Every row in table order, gathered; for the ordering by consultee,
    /// sorted by the first consultee's name as the audience sees it.
    pub fn gather(&mut self, ordering: Ordering) -> ServiceResult<Page> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page()? {
            all.extend(page);
        }
        if ordering == Ordering::Consultee {
            let audience = self.audience;
            // Sorted by (no consultee, name in lower case).
            let mut keyed: Vec<_> = all
                .into_iter()
                .map(|(_, row)| {
                    let name = row
                        .who
                        .first()
                        .map(|c| shown_name(&c.name, row.publication, audience));
                    let key = (
                        name.is_none(),
                        name.clone().unwrap_or_default().to_lowercase(),
                    );
                    (key, (Some(name.unwrap_or_else(|| "Other".into())), row))
                })
                .collect();
            // Stable: as received within each consultee.
            keyed.sort_by(|a: &((bool, String), _), b| a.0.cmp(&b.0));
            all = keyed.into_iter().map(|(_, row)| row).collect();
        }
        Ok(all)
    }

    /// The next page of one heading's issues (`None` after its last).
    fn read(&mut self, drawing: &Drawing) -> ServiceResult<Option<Vec<RawRow>>> {
        let conn = &mut *self.conn;
        let page = db::issues::page_as_received(
            conn,
            self.consultation.id,
            (drawing.as_db(), self.after),
            self.audience == Audience::Public,
            self.page,
        )?;
        let Some((last, facts)) = page.last() else {
            return Ok(None);
        };
        self.after = Some((facts.received_at, last.response_id, last.position));
        let ids: Vec<IssueId> = page.iter().map(|(i, _)| i.id).collect();
        let mut response_ids: Vec<_> = page.iter().map(|(i, _)| i.response_id).collect();
        response_ids.dedup();
        let mut raised: HashMap<_, Vec<_>> = HashMap::new();
        for (response, consultee) in db::responses::consultees_of_some(conn, &response_ids)? {
            raised.entry(response).or_default().push(consultee);
        }
        let answers = answers_with_links(conn, &ids)?;
        let mut sections: HashMap<IssueId, Vec<String>> = HashMap::new();
        for (issue, section) in db::issues::section_tags_of(conn, &ids)? {
            sections
                .entry(issue)
                .or_default()
                .extend(self.lookups.sections.get(&section).cloned());
        }
        let mut bodies: HashMap<IssueId, Vec<String>> = HashMap::new();
        for (issue, body) in db::issues::body_tags_of(conn, &ids)? {
            bodies
                .entry(issue)
                .or_default()
                .extend(self.lookups.bodies.get(&body).cloned());
        }
        let mut rows = Vec::with_capacity(page.len());
        for (issue, facts) in page {
            let who = raised.get(&issue.response_id).cloned().unwrap_or_default();
            let answer = answers.get(&issue.id).cloned();
            if !self.filter.selects(&issue, &who, answer.as_ref()) {
                continue;
            }
            let linked = answer
                .as_ref()
                .and_then(|a| a.same_as_issue_id)
                .and_then(|target| linked_text(&answers, target, self.audience));
            rows.push(RawRow {
                theme: issue
                    .theme_id
                    .and_then(|t| self.lookups.themes.get(&t))
                    .cloned(),
                sections: sections.remove(&issue.id).unwrap_or_default(),
                bodies: bodies.remove(&issue.id).unwrap_or_default(),
                reference: facts.reference,
                publication: facts.publication,
                who,
                group_response: answer,
                linked,
                issue,
            });
        }
        Ok(Some(rows))
    }
}

/// The group responses of some issues and of the issues their "As above"
/// links lead to, a few steps deep.
fn answers_with_links(
    conn: &mut DbConnection,
    ids: &[IssueId],
) -> ServiceResult<HashMap<IssueId, GroupResponse>> {
    let mut answers: HashMap<IssueId, GroupResponse> = db::group_responses::for_issues(conn, ids)?
        .into_iter()
        .map(|a| (a.issue_id, a))
        .collect();
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
    Ok(answers)
}

impl Filter {
    /// Whether the table shows `issue` (raised by `who`, answered by `answer`).
    pub(super) fn selects(
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
