//! Making the table's rows in table order: who raised each issue (full name
//! first, short name after, seed 003), the group's response as the
//! audience may see it, and the row an "As above" points to.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::db::consultees::Consultee;
use crate::db::group_responses::GroupResponse;
use crate::db::issues::Issue;
use crate::domain::consultee::table_name;
use crate::domain::group_response::shown_text;
use crate::domain::{DraftStatus, IssueId, Publication, ResponseId};
use crate::service::access::Audience;

use super::Row;

/// What the public table shows for an issue whose group response is not
/// agreed yet (only when an officer published before everything was
/// ready): draft wording is never public.
pub const TO_FOLLOW: &str = "Response to follow";

/// One issue with everything its row is made from, read from the database.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub issue: Issue,
    pub reference: String,
    pub publication: Publication,
    pub who: Vec<Consultee>,
    /// The issue's group response, if any.
    pub group_response: Option<GroupResponse>,
    /// For an "As above" answer: the wording it shows (the linked answer's,
    /// when the audience may see that one).
    pub linked: Option<String>,
    /// The heading's labels of the issue.
    pub theme: Option<String>,
    pub sections: Vec<String>,
    pub bodies: Vec<String>,
}

/// Makes rows in table order, remembering what later rows depend on:
/// which names have appeared and the row numbers "As above" rows link to.
pub struct RowMaker {
    audience: Audience,
    with_contacts: bool,
    seen_names: HashSet<String>,
    row_of_issue: HashMap<IssueId, usize>,
    /// Only these issues' rows are remembered (the targets of "As above"
    /// links), so a streamed table's memory does not grow with its rows;
    /// `None`: remember every row.
    targets: Option<HashSet<IssueId>>,
    number: usize,
    /// Responses and consultees shown, for the counts above the table.
    pub responses: HashSet<ResponseId>,
    pub consultees: HashSet<String>,
}

impl RowMaker {
    /// A maker for `audience`.
    pub fn new(audience: Audience, with_contacts: bool, targets: Option<HashSet<IssueId>>) -> Self {
        Self {
            audience,
            with_contacts,
            seen_names: HashSet::new(),
            row_of_issue: HashMap::new(),
            targets,
            number: 0,
            responses: HashSet::new(),
            consultees: HashSet::new(),
        }
    }

    /// The next row.
    pub fn make(&mut self, raw: RawRow) -> Row {
        self.number += 1;
        self.responses.insert(raw.issue.response_id);
        let who_raised = raw
            .who
            .iter()
            .map(|c| {
                self.consultees.insert(c.name.clone());
                let name = shown_name(&c.name, raw.publication, self.audience);
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
        let public = self.audience == Audience::Public;
        let shown = raw
            .group_response
            .as_ref()
            .filter(|a| !public || a.status == DraftStatus::Agreed);
        let response = match (shown, &raw.group_response) {
            (Some(a), _) => shown_text(a.kind, a.content.as_deref(), raw.linked.as_deref()),
            (None, _) if public => TO_FOLLOW.to_string(),
            (None, _) => String::new(),
        };
        let same_as_row = shown
            .and_then(|a| a.same_as_issue_id)
            .and_then(|t| self.row_of_issue.get(&t).copied());
        let id = raw.issue.id;
        if self.targets.as_ref().is_none_or(|t| t.contains(&id)) {
            self.row_of_issue.entry(id).or_insert(self.number);
        }
        let issue = if public {
            raw.issue.public_content.unwrap_or(raw.issue.content)
        } else {
            raw.issue.content
        };
        Row {
            number: self.number,
            issue_id: id,
            issue,
            who_raised,
            response,
            same_as_row,
            reference: raw.reference,
            theme: raw.theme.unwrap_or_default(),
            sections: raw.sections,
            bodies: raw.bodies,
            consultee_kinds: raw
                .who
                .iter()
                .map(|c| c.kind.label().to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            status: shown
                .map(|a| a.status.as_str().to_string())
                .unwrap_or_default(),
            contacts: (self.with_contacts && self.audience == Audience::Staff)
                .then(|| contact_details(&raw.who)),
        }
    }
}

/// "Name <email>" for each consultee of a response that left details.
fn contact_details(who: &[Consultee]) -> String {
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

/// The name the audience may see: anonymised for the public where the
/// consultee asked.
pub fn shown_name(name: &str, publication: Publication, audience: Audience) -> String {
    if audience == Audience::Public && publication == Publication::Anonymous {
        "Name withheld".to_string()
    } else {
        name.to_string()
    }
}

/// The wording a bare "As above" shows: the linked answer's own text,
/// following further links (at most a few, so a loop cannot hang). The
/// public sees only agreed wording, so for them a link to an answer that
/// is not agreed shows nothing more than "As above".
pub fn linked_text(
    answers: &HashMap<IssueId, GroupResponse>,
    mut target: IssueId,
    audience: Audience,
) -> Option<String> {
    for _ in 0..8 {
        let answer = answers.get(&target)?;
        if audience == Audience::Public && answer.status != DraftStatus::Agreed {
            return None;
        }
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
