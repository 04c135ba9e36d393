//! Queries on `issues` and their tags (sections, bodies, free tags).

use diesel::prelude::*;

use super::connection::{DbConnection, last_insert_id};
use super::schema::{issue_bodies, issue_sections, issue_tags, issues, responses};
use crate::domain::{BodyId, ConsultationId, IssueId, IssueKind, ResponseId, SectionId, ThemeId};

/// An issue row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = issues)]
pub struct Issue {
    pub id: IssueId,
    pub consultation_id: ConsultationId,
    pub response_id: ResponseId,
    pub position: i32,
    pub content: String,
    pub kind: IssueKind,
    pub theme_id: Option<ThemeId>,
    pub theme_set_by_officer: bool,
    pub repeat_of_id: Option<IssueId>,
    pub edited_by_officer: bool,
    pub version: i32,
    /// The analysis found no theme this issue fits; an officer should look.
    pub fits_no_theme: bool,
    /// The wording the public sees when the response was redacted
    /// (`None`: the same as `content`).
    pub public_content: Option<String>,
}

/// An issue to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = issues)]
pub struct NewIssue<'a> {
    pub consultation_id: ConsultationId,
    pub response_id: ResponseId,
    pub position: i32,
    pub content: &'a str,
    pub kind: IssueKind,
}

/// Inserts an issue and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewIssue<'_>) -> QueryResult<IssueId> {
    diesel::insert_into(issues::table)
        .values(new)
        .execute(conn)?;
    last_insert_id(conn).map(IssueId)
}

/// A consultation's issues as received: by response arrival, then by the
/// issue's place in its response (the seed table's order).
pub fn of_consultation(conn: &mut DbConnection, id: ConsultationId) -> QueryResult<Vec<Issue>> {
    issues::table
        .inner_join(responses::table)
        .filter(issues::consultation_id.eq(id))
        .order((responses::received_at, responses::id, issues::position))
        .select(Issue::as_select())
        .load(conn)
}

/// Tags an issue with a section of the document.
pub fn tag_section(
    conn: &mut DbConnection,
    issue: IssueId,
    section: SectionId,
) -> QueryResult<usize> {
    diesel::insert_into(issue_sections::table)
        .values((
            issue_sections::issue_id.eq(issue),
            issue_sections::section_id.eq(section),
        ))
        .execute(conn)
}

/// Tags an issue with a body of the proposed structure.
pub fn tag_body(conn: &mut DbConnection, issue: IssueId, body: BodyId) -> QueryResult<usize> {
    diesel::insert_into(issue_bodies::table)
        .values((
            issue_bodies::issue_id.eq(issue),
            issue_bodies::body_id.eq(body),
        ))
        .execute(conn)
}

/// Adds a free tag to an issue.
pub fn tag(conn: &mut DbConnection, issue: IssueId, tag: &str) -> QueryResult<usize> {
    diesel::insert_into(issue_tags::table)
        .values((issue_tags::issue_id.eq(issue), issue_tags::tag.eq(tag)))
        .execute(conn)
}

/// Every (issue, section) tag of a consultation.
pub fn section_tags(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(IssueId, SectionId)>> {
    issue_sections::table
        .inner_join(issues::table)
        .filter(issues::consultation_id.eq(id))
        .order((issue_sections::issue_id, issue_sections::section_id))
        .select((issue_sections::issue_id, issue_sections::section_id))
        .load(conn)
}

/// Every (issue, body) tag of a consultation.
pub fn body_tags(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(IssueId, BodyId)>> {
    issue_bodies::table
        .inner_join(issues::table)
        .filter(issues::consultation_id.eq(id))
        .order((issue_bodies::issue_id, issue_bodies::body_id))
        .select((issue_bodies::issue_id, issue_bodies::body_id))
        .load(conn)
}

/// Every (issue, free tag) of a consultation.
pub fn free_tags(
    conn: &mut DbConnection,
    id: ConsultationId,
) -> QueryResult<Vec<(IssueId, String)>> {
    issue_tags::table
        .inner_join(issues::table)
        .filter(issues::consultation_id.eq(id))
        .order((issue_tags::issue_id, issue_tags::tag))
        .select((issue_tags::issue_id, issue_tags::tag))
        .load(conn)
}

/// A response's issues in their order.
pub fn of_response(conn: &mut DbConnection, response: ResponseId) -> QueryResult<Vec<Issue>> {
    issues::table
        .filter(issues::response_id.eq(response))
        .order(issues::position)
        .select(Issue::as_select())
        .load(conn)
}

/// Changes an issue's text and kind (a consultee editing their point).
pub fn set_content(
    conn: &mut DbConnection,
    issue: IssueId,
    content: &str,
    kind: IssueKind,
) -> QueryResult<usize> {
    diesel::update(issues::table.find(issue))
        .set((
            issues::content.eq(content),
            issues::kind.eq(kind),
            issues::version.eq(issues::version + 1),
        ))
        .execute(conn)
}

/// Deletes an issue (and, by cascade, its tags and group response).
pub fn delete(conn: &mut DbConnection, issue: IssueId) -> QueryResult<usize> {
    diesel::delete(issues::table.find(issue)).execute(conn)
}

/// Removes an issue's section and body tags (before writing new ones).
pub fn clear_structure_tags(conn: &mut DbConnection, issue: IssueId) -> QueryResult<()> {
    diesel::delete(issue_sections::table.filter(issue_sections::issue_id.eq(issue)))
        .execute(conn)?;
    diesel::delete(issue_bodies::table.filter(issue_bodies::issue_id.eq(issue))).execute(conn)?;
    Ok(())
}

/// The section and body tags of one issue.
pub fn structure_tags_of(
    conn: &mut DbConnection,
    issue: IssueId,
) -> QueryResult<(Vec<SectionId>, Vec<BodyId>)> {
    let sections = issue_sections::table
        .filter(issue_sections::issue_id.eq(issue))
        .order(issue_sections::section_id)
        .select(issue_sections::section_id)
        .load(conn)?;
    let bodies = issue_bodies::table
        .filter(issue_bodies::issue_id.eq(issue))
        .order(issue_bodies::body_id)
        .select(issue_bodies::body_id)
        .load(conn)?;
    Ok((sections, bodies))
}

/// One issue, if it exists.
pub fn by_id(conn: &mut DbConnection, issue: IssueId) -> QueryResult<Option<Issue>> {
    issues::table
        .find(issue)
        .select(Issue::as_select())
        .first(conn)
        .optional()
}

/// Several issues by id (any order).
pub fn by_ids(conn: &mut DbConnection, ids: &[IssueId]) -> QueryResult<Vec<Issue>> {
    issues::table
        .filter(issues::id.eq_any(ids))
        .order(issues::id)
        .select(Issue::as_select())
        .load(conn)
}

/// An officer's edit of an issue's wording and kind, only if nobody changed
/// it since `expected_version` was read (returns 0 rows otherwise). Marked as
/// edited by an officer so that nothing automatic undoes it.
pub fn officer_edit(
    conn: &mut DbConnection,
    issue: IssueId,
    expected_version: i32,
    content: &str,
    kind: IssueKind,
) -> QueryResult<usize> {
    diesel::update(
        issues::table
            .find(issue)
            .filter(issues::version.eq(expected_version)),
    )
    .set((
        issues::content.eq(content),
        issues::kind.eq(kind),
        issues::edited_by_officer.eq(true),
        issues::version.eq(issues::version + 1),
    ))
    .execute(conn)
}

/// Makes room in a response for `count` issues after `after`: later issues
/// move down. Done in two steps because `(response_id, position)` is unique
/// and neither backend defers that check to the end of a statement.
pub fn shift_after(
    conn: &mut DbConnection,
    response: ResponseId,
    after: i32,
    count: i32,
) -> QueryResult<usize> {
    diesel::update(
        issues::table
            .filter(issues::response_id.eq(response))
            .filter(issues::position.gt(after)),
    )
    .set(issues::position.eq(issues::position * -1 - count))
    .execute(conn)?;
    diesel::update(
        issues::table
            .filter(issues::response_id.eq(response))
            .filter(issues::position.lt(0)),
    )
    .set(issues::position.eq(issues::position * -1))
    .execute(conn)
}

/// The last position used in a response (0 when it has no issues).
pub fn last_position(conn: &mut DbConnection, response: ResponseId) -> QueryResult<i32> {
    issues::table
        .filter(issues::response_id.eq(response))
        .select(diesel::dsl::max(issues::position))
        .first::<Option<i32>>(conn)
        .map(|p| p.unwrap_or(0))
}

/// Puts issues in a theme (or none) as an officer's decision, which
/// re-running the analysis keeps.
pub fn place_in_theme(
    conn: &mut DbConnection,
    ids: &[IssueId],
    theme: Option<ThemeId>,
) -> QueryResult<usize> {
    diesel::update(issues::table.filter(issues::id.eq_any(ids)))
        .set((
            issues::theme_id.eq(theme),
            issues::theme_set_by_officer.eq(true),
            issues::fits_no_theme.eq(false),
            issues::version.eq(issues::version + 1),
        ))
        .execute(conn)
}

/// The issues of one theme, as received.
pub fn of_theme(conn: &mut DbConnection, theme: ThemeId) -> QueryResult<Vec<Issue>> {
    issues::table
        .inner_join(responses::table)
        .filter(issues::theme_id.eq(theme))
        .order((responses::received_at, responses::id, issues::position))
        .select(Issue::as_select())
        .load(conn)
}

/// Free tags of one issue.
pub fn tags_of(conn: &mut DbConnection, issue: IssueId) -> QueryResult<Vec<String>> {
    issue_tags::table
        .filter(issue_tags::issue_id.eq(issue))
        .order(issue_tags::tag)
        .select(issue_tags::tag)
        .load(conn)
}

/// Removes an issue's free tags (before writing new ones).
pub fn clear_tags(conn: &mut DbConnection, issue: IssueId) -> QueryResult<usize> {
    diesel::delete(issue_tags::table.filter(issue_tags::issue_id.eq(issue))).execute(conn)
}

/// How many issues each response has, for the given responses.
pub fn counts_by_response(
    conn: &mut DbConnection,
    ids: &[ResponseId],
) -> QueryResult<Vec<(ResponseId, i64)>> {
    issues::table
        .filter(issues::response_id.eq_any(ids))
        .group_by(issues::response_id)
        .select((issues::response_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Ids of responses whose issues contain `pattern` (lower case, a LIKE
/// pattern with `\` escapes).
pub fn responses_mentioning(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    pattern: &str,
) -> QueryResult<Vec<ResponseId>> {
    use super::connection::lower;
    issues::table
        .filter(issues::consultation_id.eq(consultation))
        .filter(lower(issues::content).like(pattern).escape('\\'))
        .select(issues::response_id)
        .distinct()
        .load(conn)
}

/// Where a page of issues as received ends: (received at, response, position).
pub type ReceivedKey = (chrono::NaiveDateTime, ResponseId, i32);

/// An issue with what the table needs of its response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct ResponseFacts {
    pub received_at: chrono::NaiveDateTime,
    pub reference: String,
    pub publication: crate::domain::Publication,
}

/// Which issues a page is drawn from: all, or one heading of the table
/// ordered by theme, section or body (`None`: the issues without one).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Themes(Option<&'a [ThemeId]>),
    Sections(Option<&'a [SectionId]>),
    Bodies(Option<&'a [BodyId]>),
}

/// The next `limit` issues as received after `after` (the seed table's
/// order) within `scope`, of received responses only and, for the public,
/// only those published. Keyset paging: each page costs the same however
/// deep.
pub fn page_as_received(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    (scope, after): (Scope<'_>, Option<ReceivedKey>),
    published_only: bool,
    limit: i64,
) -> QueryResult<Vec<(Issue, ResponseFacts)>> {
    use crate::domain::{Publication, ResponseStatus};
    // Filtered on the response's consultation (not the issue's, the same
    // thing) so the plan walks responses in index order and stops at the
    // limit instead of sorting every issue for every page.
    let mut query = issues::table
        .inner_join(responses::table)
        .filter(responses::consultation_id.eq(consultation))
        .filter(responses::status.eq(ResponseStatus::Received))
        .into_boxed();
    if published_only {
        query = query.filter(responses::publication.ne(Publication::NotPublished));
    }
    let tagged_sections = issue_sections::table
        .filter(issue_sections::issue_id.eq(issues::id))
        .select(issue_sections::issue_id);
    let tagged_bodies = issue_bodies::table
        .filter(issue_bodies::issue_id.eq(issues::id))
        .select(issue_bodies::issue_id);
    query = match scope {
        Scope::All => query,
        Scope::Themes(Some(ids)) => query.filter(issues::theme_id.eq_any(ids.to_vec())),
        Scope::Themes(None) => query.filter(issues::theme_id.is_null()),
        Scope::Sections(Some(ids)) => query.filter(diesel::dsl::exists(
            tagged_sections.filter(issue_sections::section_id.eq_any(ids.to_vec())),
        )),
        Scope::Sections(None) => {
            query.filter(diesel::dsl::not(diesel::dsl::exists(tagged_sections)))
        }
        Scope::Bodies(Some(ids)) => query.filter(diesel::dsl::exists(
            tagged_bodies.filter(issue_bodies::body_id.eq_any(ids.to_vec())),
        )),
        Scope::Bodies(None) => query.filter(diesel::dsl::not(diesel::dsl::exists(tagged_bodies))),
    };
    if let Some((at, response, position)) = after {
        // `received_at >= at` first, so both databases seek the index on
        // (consultation, received_at) instead of scanning from the start.
        query = query.filter(responses::received_at.ge(at)).filter(
            responses::received_at
                .gt(at)
                .or(responses::id.gt(response))
                .or(responses::id
                    .eq(response)
                    .and(issues::position.gt(position))),
        );
    }
    query
        .order((responses::received_at, responses::id, issues::position))
        .limit(limit)
        .select((Issue::as_select(), ResponseFacts::as_select()))
        .load(conn)
}

/// The (issue, section) tags of some issues.
pub fn section_tags_of(
    conn: &mut DbConnection,
    ids: &[IssueId],
) -> QueryResult<Vec<(IssueId, SectionId)>> {
    issue_sections::table
        .filter(issue_sections::issue_id.eq_any(ids))
        .order((issue_sections::issue_id, issue_sections::section_id))
        .select((issue_sections::issue_id, issue_sections::section_id))
        .load(conn)
}

/// The (issue, body) tags of some issues.
pub fn body_tags_of(
    conn: &mut DbConnection,
    ids: &[IssueId],
) -> QueryResult<Vec<(IssueId, BodyId)>> {
    issue_bodies::table
        .filter(issue_bodies::issue_id.eq_any(ids))
        .order((issue_bodies::issue_id, issue_bodies::body_id))
        .select((issue_bodies::issue_id, issue_bodies::body_id))
        .load(conn)
}

/// Sets the wording the public sees (`None`: the same as the content).
pub fn set_public_content(
    conn: &mut DbConnection,
    issue: IssueId,
    public: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(issues::table.find(issue))
        .set(issues::public_content.eq(public))
        .execute(conn)
}

/// An issue the publish step lists as not ready: its response's reference,
/// its place in the response and its text.
#[derive(Debug, Clone, Queryable)]
pub struct Gap {
    pub id: IssueId,
    pub reference: String,
    pub position: i32,
    pub content: String,
}

/// Which gaps before publication to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapKind {
    /// Public issues without a group response.
    Unanswered,
    /// Public issues whose group response is still a draft.
    Draft,
}

/// The first `limit` public issues (received responses whose consultees
/// agreed to publication) with the gap `kind`, as received, and how many
/// there are in all.
pub fn publication_gaps(
    conn: &mut DbConnection,
    consultation: ConsultationId,
    kind: GapKind,
    limit: i64,
) -> QueryResult<(Vec<Gap>, i64)> {
    use super::schema::group_responses;
    use crate::domain::{DraftStatus, Publication, ResponseStatus};
    let public = || {
        issues::table
            .inner_join(responses::table)
            .left_join(group_responses::table.on(group_responses::issue_id.eq(issues::id)))
            .filter(responses::consultation_id.eq(consultation))
            .filter(responses::status.eq(ResponseStatus::Received))
            .filter(responses::publication.ne(Publication::NotPublished))
            .into_boxed()
    };
    let narrowed = || match kind {
        GapKind::Unanswered => public().filter(group_responses::id.is_null()),
        GapKind::Draft => public().filter(group_responses::status.eq(DraftStatus::Draft)),
    };
    let total = narrowed().count().get_result(conn)?;
    let first = narrowed()
        .order((responses::received_at, responses::id, issues::position))
        .limit(limit)
        .select((
            issues::id,
            responses::reference,
            issues::position,
            issues::content,
        ))
        .load(conn)?;
    Ok((first, total))
}

/// How many issues of a consultation are public (and how many not, from
/// responses whose consultees asked not to be published).
pub fn public_counts(
    conn: &mut DbConnection,
    consultation: ConsultationId,
) -> QueryResult<(i64, i64)> {
    use crate::domain::{Publication, ResponseStatus};
    let received = || {
        issues::table
            .inner_join(responses::table)
            .filter(responses::consultation_id.eq(consultation))
            .filter(responses::status.eq(ResponseStatus::Received))
            .into_boxed()
    };
    let public = received()
        .filter(responses::publication.ne(Publication::NotPublished))
        .count()
        .get_result(conn)?;
    let withheld = received()
        .filter(responses::publication.eq(Publication::NotPublished))
        .count()
        .get_result(conn)?;
    Ok((public, withheld))
}
