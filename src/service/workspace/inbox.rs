//! The responses inbox: every response of a consultation with who sent it,
//! how, when and how many issues it has; searched across responses, their
//! issues and their consultees' names.

use crate::service::access::Scope;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use crate::db::consultations::Consultation;
use crate::db::{self, DbConnection};
use crate::domain::{Channel, ResponseId, ResponseStatus};
use crate::service::ServiceResult;

/// Responses per inbox page.
pub const PAGE_SIZE: usize = 50;

/// Words of a search that count; more are ignored (and said so).
pub const MAX_SEARCH_WORDS: usize = 10;

/// What the inbox is asked for.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Words that must all appear (in any order, any case) in the
    /// response's text, one of its issues or its consultees' names.
    pub search: String,
    /// Only responses that came this way.
    pub channel: Option<Channel>,
    /// Only responses where the group is this far.
    pub work: Option<crate::domain::WorkStatus>,
    /// From 1.
    pub page: usize,
}

/// One response as listed.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub reference: String,
    /// Consultee names, joint responses in order.
    pub from: Vec<String>,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    /// False for a letter dated but not timed.
    pub received_time_known: bool,
    pub work_status: crate::domain::WorkStatus,
    pub status: ResponseStatus,
    pub issues: i64,
    /// One of a campaign's identical responses (not its first).
    pub campaign: bool,
}

/// One page of the inbox.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub rows: Vec<InboxRow>,
    /// Responses matching the query (all pages).
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// Search words beyond [`MAX_SEARCH_WORDS`] that were not used.
    pub ignored_words: usize,
}

/// A lower-case SQL LIKE pattern matching `word` anywhere, with `\`, `%`
/// and `_` taken literally.
fn like_pattern(word: &str) -> String {
    let mut pattern = String::from("%");
    for c in word.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The responses matching every search word, or `None` for no search.
fn matching_ids(
    conn: &mut DbConnection,
    consultation: &Consultation,
    words: &[&str],
) -> ServiceResult<Option<HashSet<ResponseId>>> {
    let mut result: Option<HashSet<ResponseId>> = None;
    for word in words {
        let pattern = like_pattern(word);
        let mut ids: HashSet<ResponseId> =
            db::responses::mentioning(conn, consultation.id, &pattern)?
                .into_iter()
                .collect();
        ids.extend(db::issues::responses_mentioning(
            conn,
            consultation.id,
            &pattern,
        )?);
        result = Some(match result {
            Some(previous) => previous.intersection(&ids).copied().collect(),
            None => ids,
        });
        if result.as_ref().is_some_and(HashSet::is_empty) {
            break;
        }
    }
    Ok(result)
}

/// One page of a consultation's responses, newest first.
pub fn inbox(conn: &mut DbConnection, scope: &Scope, query: &InboxQuery) -> ServiceResult<Inbox> {
    let consultation = &scope.consultation;
    let all_words: Vec<&str> = query.search.split_whitespace().collect();
    let words = &all_words[..all_words.len().min(MAX_SEARCH_WORDS)];
    let matching = matching_ids(conn, consultation, words)?;
    let entries: Vec<_> = db::responses::inbox(conn, consultation.id)?
        .into_iter()
        .filter(|r| matching.as_ref().is_none_or(|ids| ids.contains(&r.id)))
        .filter(|r| query.channel.is_none_or(|c| r.channel == c))
        .filter(|r| query.work.is_none_or(|w| r.work_status == w))
        .collect();
    let pages = entries.len().div_ceil(PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let shown: Vec<_> = entries
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let ids: Vec<ResponseId> = shown.iter().map(|r| r.id).collect();
    let counts: HashMap<ResponseId, i64> = db::issues::counts_by_response(conn, &ids)?
        .into_iter()
        .collect();
    let mut from: HashMap<ResponseId, Vec<String>> = HashMap::new();
    for (response, consultee) in db::responses::consultees_of_some(conn, &ids)? {
        from.entry(response).or_default().push(consultee.name);
    }
    let rows = shown
        .into_iter()
        .map(|r| InboxRow {
            reference: r.reference.clone(),
            from: from.remove(&r.id).unwrap_or_default(),
            channel: r.channel,
            received_at: r.received_at,
            received_time_known: r.received_time_known,
            work_status: r.work_status,
            status: r.status,
            issues: counts.get(&r.id).copied().unwrap_or(0),
            campaign: r.campaign_of_id.is_some(),
        })
        .collect();
    Ok(Inbox {
        rows,
        matching: entries.len(),
        page,
        pages,
        ignored_words: all_words.len() - words.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_words_are_literal_and_lower_case() {
        assert_eq!(like_pattern("SLG"), "%slg%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
