//! Demo and test data written from the seed papers, loaded by name.
//!
//! Fixtures are JSON files under `fixtures/`, compiled into the binary so
//! `serve --demo` works from any directory. Loading is idempotent: a
//! consultation whose slug already exists is left as it is.

use super::audit::{self, Actor, Change};
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use super::{ServiceError, ServiceResult};
use crate::db::{self, DbConnection};
use crate::domain::time::{end_of_london_day, london_to_utc, start_of_london_day};
use crate::domain::{
    BodyId, BodyStatus, Channel, ConsultationId, ConsultationStatus, ConsulteeId, ConsulteeKind,
    DraftStatus, GroupResponseKind, IssueId, IssueKind, Publication, QuestionId, QuestionKind,
    ReferencePrefix, Relation, ResponseId, ResponseStatus, SectionId, Slug,
};

/// The fixtures shipped with Sounding: (name, JSON).
pub const FIXTURES: &[(&str, &str)] = &[
    (
        "cheltenham-2011",
        include_str!("../../fixtures/cheltenham-2011.json"),
    ),
    (
        "gloucestershire-2008",
        include_str!("../../fixtures/gloucestershire-2008.json"),
    ),
    (
        "cheshire-west-2008",
        include_str!("../../fixtures/cheshire-west-2008.json"),
    ),
];

/// What loading a fixture did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The fixture was written; the counts say how much.
    Loaded(FixtureCounts),
    /// A consultation with the fixture's slug already existed; nothing changed.
    AlreadyLoaded,
}

/// How many rows of each kind a fixture wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureCounts {
    pub sections: usize,
    pub questions: usize,
    pub bodies: usize,
    pub links: usize,
    pub consultees: usize,
    pub responses: usize,
    pub issues: usize,
    pub group_responses: usize,
}

/// The names of all shipped fixtures.
pub fn names() -> Vec<&'static str> {
    FIXTURES.iter().map(|(name, _)| *name).collect()
}

/// Loads the named fixture in one transaction.
pub fn load(conn: &mut DbConnection, name: &str) -> ServiceResult<LoadOutcome> {
    let fixture = parse(name)?;
    db::write_transaction(conn, |conn| write(conn, &fixture))
}

/// Opens a loaded consultation for responses until the end of `closes`
/// (London time): a trial run such as the load benchmark, the browser test
/// or an officer's rehearsal. The demo papers are all closed.
pub fn open_for_trial(
    conn: &mut DbConnection,
    slug: &str,
    closes: NaiveDate,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let c = db::consultations::by_slug(conn, slug)?
        .ok_or_else(|| ServiceError::NotFound(format!("consultation “{slug}”")))?;
    let change = db::consultations::DetailsChange {
        title: &c.title,
        description: &c.description,
        run_by: &c.run_by,
        group_name: &c.group_name,
        reference_prefix: &c.reference_prefix,
        opens_at: c.opens_at,
        closes_at: Some(end_of_london_day(closes).naive_utc()),
        updated_at: now,
    };
    db::write_transaction(conn, |conn| {
        db::consultations::update_details(conn, c.id, &change)?;
        db::consultations::set_status(conn, c.id, ConsultationStatus::Open, now)?;
        Ok(())
    })
}

/// The practice consultation's URL name (see [`load_practice`]).
pub const PRACTICE_SLUG: &str = "practice-cheltenham";

/// How long the practice consultation stays open from the day it is
/// loaded: a new user of the demo can respond straight away.
const PRACTICE_DAYS: u64 = 28;

/// Loads the practice consultation: the Cheltenham document and structure
/// (no responses), open until [`PRACTICE_DAYS`] days after `now`'s London
/// date, so the demo holds an open consultation whatever the date. Loaded
/// once; a later call leaves it as it is (an expired copy can be reopened
/// by an officer).
pub fn load_practice(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<LoadOutcome> {
    let mut fixture = parse("cheltenham-2011")?;
    let c = &mut fixture.consultation;
    c.slug = PRACTICE_SLUG.to_owned();
    c.title = format!("Practice: {}", c.title);
    c.description = format!(
        "A practice copy of a real consultation, open so you can try responding. {}",
        c.description
    );
    c.reference_prefix = "PRA".to_owned();
    c.status = ConsultationStatus::Draft;
    c.opens = None;
    c.closes = None;
    fixture.consultees.clear();
    fixture.responses.clear();
    fixture.revision = None;
    let loaded = db::write_transaction(conn, |conn| write(conn, &fixture))?;
    if matches!(loaded, LoadOutcome::Loaded(_)) {
        let today = crate::domain::time::london_date(now.and_utc());
        open_for_trial(
            conn,
            PRACTICE_SLUG,
            today + chrono::Days::new(PRACTICE_DAYS),
            now,
        )?;
    }
    Ok(loaded)
}

/// Parses and checks the named fixture without touching the database.
pub fn parse(name: &str) -> ServiceResult<Fixture> {
    let json = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| *json)
        .ok_or_else(|| {
            ServiceError::invalid(
                "fixture",
                format!(
                    "there is no fixture called “{name}”; available: {}",
                    names().join(", ")
                ),
            )
        })?;
    let fixture: Fixture = serde_json::from_str(json).map_err(|e| {
        ServiceError::invalid("fixture", format!("fixture {name} is malformed: {e}"))
    })?;
    fixture.check()?;
    Ok(fixture)
}

/// A fixture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub consultation: FixtureConsultation,
    #[serde(default)]
    pub sections: Vec<FixtureSection>,
    #[serde(default)]
    pub questions: Vec<FixtureQuestion>,
    #[serde(default)]
    pub bodies: Vec<FixtureBody>,
    #[serde(default)]
    pub links: Vec<FixtureLink>,
    #[serde(default)]
    pub consultees: Vec<FixtureConsultee>,
    #[serde(default)]
    pub responses: Vec<FixtureResponse>,
    /// What happened after: the revised structure and the outcome.
    #[serde(default)]
    pub revision: Option<super::outcome::fixture::FixtureRevision>,
}

/// The consultation itself. Dates are London calendar dates; `closes` means
/// the end of that day.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureConsultation {
    pub slug: String,
    pub title: String,
    #[serde(alias = "summary")]
    pub description: String,
    pub run_by: String,
    pub group_name: String,
    pub reference_prefix: String,
    pub opens: Option<NaiveDate>,
    pub closes: Option<NaiveDate>,
    pub status: ConsultationStatus,
    pub source_note: Option<String>,
}

/// A section of the document; `key` lets questions and issues refer to it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSection {
    pub key: String,
    pub heading: String,
    pub content: String,
}

/// A question, optionally tied to a section by key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureQuestion {
    pub key: String,
    pub prompt: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    pub section: Option<String>,
}

/// A body of the structure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureBody {
    pub key: String,
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    pub role: String,
    pub membership: String,
    pub meets: String,
}

/// A link between two bodies, by key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureLink {
    pub from: String,
    pub to: String,
    pub relation: Relation,
    pub note: Option<String>,
}

/// A consultee.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureConsultee {
    pub key: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: ConsulteeKind,
    pub contact_email: Option<String>,
}

/// A response: who sent it, when (London time), and the issues it raised.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureResponse {
    pub consultees: Vec<String>,
    pub channel: Channel,
    pub received: NaiveDateTime,
    pub publication: Publication,
    /// The text as received; when absent, the issues' text joined by blank lines.
    pub content: Option<String>,
    #[serde(default)]
    pub answers: Vec<FixtureAnswer>,
    pub issues: Vec<FixtureIssue>,
}

/// An answer to a question, by key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureAnswer {
    pub question: String,
    pub value: String,
}

/// One issue and, optionally, the group's response to it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureIssue {
    pub key: Option<String>,
    pub text: String,
    pub kind: IssueKind,
    #[serde(default)]
    pub sections: Vec<String>,
    #[serde(default)]
    pub bodies: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub group_response: Option<FixtureGroupResponse>,
}

/// The group's response; `same_as` names another issue's key ("As above").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureGroupResponse {
    pub kind: GroupResponseKind,
    pub text: Option<String>,
    pub same_as: Option<String>,
    pub status: DraftStatus,
}

impl Fixture {
    /// Checks every key a fixture refers to exists, before anything is written.
    fn check(&self) -> ServiceResult<()> {
        let c = &self.consultation;
        Slug::parse(&c.slug)?;
        ReferencePrefix::parse(&c.reference_prefix)?;
        let sections: Vec<&str> = self.sections.iter().map(|s| s.key.as_str()).collect();
        let bodies: Vec<&str> = self.bodies.iter().map(|b| b.key.as_str()).collect();
        let consultees: Vec<&str> = self.consultees.iter().map(|c| c.key.as_str()).collect();
        let questions: Vec<&str> = self.questions.iter().map(|q| q.key.as_str()).collect();
        let issues: Vec<&str> = self
            .responses
            .iter()
            .flat_map(|r| r.issues.iter().filter_map(|i| i.key.as_deref()))
            .collect();
        let mut missing = Vec::new();
        let mut need = |kind: &str, key: &str, known: &[&str]| {
            if !known.contains(&key) {
                missing.push(format!("{kind} “{key}”"));
            }
        };
        for q in &self.questions {
            if let Some(s) = &q.section {
                need("section", s, &sections);
            }
        }
        for l in &self.links {
            need("body", &l.from, &bodies);
            need("body", &l.to, &bodies);
        }
        for r in &self.responses {
            r.consultees
                .iter()
                .for_each(|k| need("consultee", k, &consultees));
            r.answers
                .iter()
                .for_each(|a| need("question", &a.question, &questions));
            for i in &r.issues {
                i.sections
                    .iter()
                    .for_each(|k| need("section", k, &sections));
                i.bodies.iter().for_each(|k| need("body", k, &bodies));
                if let Some(same) = i.group_response.as_ref().and_then(|g| g.same_as.as_deref()) {
                    need("issue", same, &issues);
                }
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::invalid(
                "fixture",
                format!("fixture refers to unknown {}", missing.join(", ")),
            ))
        }
    }
}

fn write(conn: &mut DbConnection, fixture: &Fixture) -> ServiceResult<LoadOutcome> {
    if db::consultations::by_slug(conn, &fixture.consultation.slug)?.is_some() {
        return Ok(LoadOutcome::AlreadyLoaded);
    }
    let consultation = insert_consultation(conn, &fixture.consultation)?;
    let mut writer = Writer::new(consultation, Utc::now().naive_utc());
    writer.document(conn, fixture)?;
    writer.structure(conn, fixture)?;
    writer.consultees(conn, fixture)?;
    let prefix = ReferencePrefix::parse(&fixture.consultation.reference_prefix)?;
    let mut answered: Vec<(IssueId, &FixtureGroupResponse)> = Vec::new();
    for r in &fixture.responses {
        answered.extend(writer.response(conn, &prefix, r)?);
    }
    // Group responses last: an "As above" may point at any issue.
    for (issue_id, g) in answered {
        writer.group_response(conn, issue_id, g)?;
    }
    if let Some(revision) = &fixture.revision {
        super::outcome::fixture::apply(
            conn,
            &fixture.consultation.slug,
            revision,
            (&writer.bodies, &writer.issues),
        )?;
    }
    let change = Change {
        action: "fixture loaded",
        entity: "consultation",
        id: consultation.0,
        before: None,
        after: Some(&fixture.consultation.slug),
    };
    audit::record(conn, &Actor::system("fixtures"), Utc::now(), change)?;
    Ok(LoadOutcome::Loaded(writer.counts))
}

fn insert_consultation(
    conn: &mut DbConnection,
    c: &FixtureConsultation,
) -> ServiceResult<ConsultationId> {
    let now = Utc::now().naive_utc();
    let id = db::consultations::insert(
        conn,
        &db::consultations::NewConsultation {
            slug: &c.slug,
            title: &c.title,
            description: &c.description,
            run_by: &c.run_by,
            group_name: &c.group_name,
            reference_prefix: &c.reference_prefix,
            opens_at: c.opens.map(|d| start_of_london_day(d).naive_utc()),
            closes_at: c.closes.map(|d| end_of_london_day(d).naive_utc()),
            status: c.status,
            source_note: c.source_note.as_deref(),
            created_at: now,
            updated_at: now,
        },
    )?;
    if c.status == ConsultationStatus::Published
        && let Some(closes) = c.closes
    {
        // The papers do not say when the summaries were published: take the
        // closing date, so retention periods have a start.
        db::consultations::set_published_at(conn, id, end_of_london_day(closes).naive_utc())?;
    }
    Ok(id)
}

/// Writes a fixture's rows, keeping the database id of each key so later
/// rows can refer to earlier ones.
struct Writer<'f> {
    consultation: ConsultationId,
    now: chrono::NaiveDateTime,
    counts: FixtureCounts,
    sections: HashMap<&'f str, SectionId>,
    questions: HashMap<&'f str, QuestionId>,
    bodies: HashMap<&'f str, BodyId>,
    consultees: HashMap<&'f str, ConsulteeId>,
    issues: HashMap<&'f str, IssueId>,
}

impl<'f> Writer<'f> {
    fn new(consultation: ConsultationId, now: chrono::NaiveDateTime) -> Self {
        Self {
            consultation,
            now,
            counts: FixtureCounts::default(),
            sections: HashMap::new(),
            questions: HashMap::new(),
            bodies: HashMap::new(),
            consultees: HashMap::new(),
            issues: HashMap::new(),
        }
    }

    fn document(&mut self, conn: &mut DbConnection, fixture: &'f Fixture) -> ServiceResult<()> {
        for (position, s) in (1..).zip(&fixture.sections) {
            let new = db::document::NewSection {
                consultation_id: self.consultation,
                position,
                heading: &s.heading,
                content: &s.content,
            };
            self.sections
                .insert(&s.key, db::document::insert_section(conn, &new)?);
            self.counts.sections += 1;
        }
        for (position, q) in (1..).zip(&fixture.questions) {
            let choices = serde_json::to_string(&q.choices).unwrap_or_else(|_| "[]".into());
            let section = q
                .section
                .as_deref()
                .and_then(|k| self.sections.get(k).copied());
            let new = db::document::NewQuestion {
                consultation_id: self.consultation,
                section_id: section,
                position,
                prompt: &q.prompt,
                kind: q.kind,
                choices: &choices,
                required: q.required,
            };
            self.questions
                .insert(&q.key, db::document::insert_question(conn, &new)?);
            self.counts.questions += 1;
        }
        Ok(())
    }

    fn structure(&mut self, conn: &mut DbConnection, fixture: &'f Fixture) -> ServiceResult<()> {
        for (position, b) in (1..).zip(&fixture.bodies) {
            let new = db::structure::NewBody {
                consultation_id: self.consultation,
                position,
                name: &b.name,
                short_name: b.short_name.as_deref(),
                status: b.status,
                role: &b.role,
                membership: &b.membership,
                meets: &b.meets,
            };
            self.bodies
                .insert(&b.key, db::structure::insert_body(conn, &new)?);
            self.counts.bodies += 1;
        }
        for l in &fixture.links {
            let new = db::structure::NewBodyLink {
                consultation_id: self.consultation,
                from_body_id: self.bodies[l.from.as_str()],
                to_body_id: self.bodies[l.to.as_str()],
                relation: l.relation,
                note: l.note.as_deref(),
            };
            db::structure::insert_link(conn, &new)?;
            self.counts.links += 1;
        }
        Ok(())
    }

    fn consultees(&mut self, conn: &mut DbConnection, fixture: &'f Fixture) -> ServiceResult<()> {
        for k in &fixture.consultees {
            let new = db::consultees::NewConsultee {
                consultation_id: self.consultation,
                name: &k.name,
                short_name: k.short_name.as_deref(),
                kind: k.kind,
                contact_name: None,
                contact_email: k.contact_email.as_deref(),
                created_at: self.now,
            };
            self.consultees
                .insert(&k.key, db::consultees::insert(conn, &new)?);
            self.counts.consultees += 1;
        }
        Ok(())
    }

    /// One response with its consultees, answers and issues; the group
    /// responses its issues have, to write once every issue exists.
    fn response(
        &mut self,
        conn: &mut DbConnection,
        prefix: &ReferencePrefix,
        r: &'f FixtureResponse,
    ) -> ServiceResult<Vec<(IssueId, &'f FixtureGroupResponse)>> {
        let number = db::consultations::take_response_number(conn, self.consultation)?;
        let reference = prefix.reference(number);
        let content = r.content.clone().unwrap_or_else(|| {
            let texts: Vec<&str> = r.issues.iter().map(|i| i.text.as_str()).collect();
            texts.join("\n\n")
        });
        let received = london_to_utc(r.received).naive_utc();
        let response_id = db::responses::insert(
            conn,
            &db::responses::NewResponse {
                consultation_id: self.consultation,
                reference: &reference,
                channel: r.channel,
                received_at: received,
                publication: r.publication,
                status: ResponseStatus::Received,
                content: &content,
                created_at: received,
                updated_at: received,
                submission_key: None,
                edit_salt: None,
                submission_hash: None,
                tell_me_outcome: false,
                received_time_known: true,
            },
        )?;
        self.counts.responses += 1;
        for (position, key) in (1..).zip(&r.consultees) {
            let consultee = self.consultees[key.as_str()];
            db::responses::add_consultee(conn, response_id, consultee, position)?;
        }
        for a in &r.answers {
            let question = self.questions[a.question.as_str()];
            db::responses::add_answer(conn, response_id, question, &a.value)?;
        }
        let mut answered = Vec::new();
        for (position, i) in (1..).zip(&r.issues) {
            let issue_id = self.issue(conn, response_id, position, i)?;
            if let Some(g) = &i.group_response {
                answered.push((issue_id, g));
            }
        }
        Ok(answered)
    }

    fn issue(
        &mut self,
        conn: &mut DbConnection,
        response_id: ResponseId,
        position: i32,
        i: &'f FixtureIssue,
    ) -> ServiceResult<IssueId> {
        let new = db::issues::NewIssue {
            consultation_id: self.consultation,
            response_id,
            position,
            content: &i.text,
            kind: i.kind,
        };
        let issue_id = db::issues::insert(conn, &new)?;
        self.counts.issues += 1;
        for s in &i.sections {
            db::issues::tag_section(conn, issue_id, self.sections[s.as_str()])?;
        }
        for b in &i.bodies {
            db::issues::tag_body(conn, issue_id, self.bodies[b.as_str()])?;
        }
        for t in &i.tags {
            db::issues::tag(conn, issue_id, t)?;
        }
        if let Some(key) = &i.key {
            self.issues.insert(key, issue_id);
        }
        Ok(issue_id)
    }

    fn group_response(
        &mut self,
        conn: &mut DbConnection,
        issue_id: IssueId,
        g: &FixtureGroupResponse,
    ) -> ServiceResult<()> {
        let new = db::group_responses::NewGroupResponse {
            issue_id,
            kind: g.kind,
            content: g.text.as_deref(),
            same_as_issue_id: g.same_as.as_deref().map(|k| self.issues[k]),
            status: g.status,
            updated_by: None,
            updated_at: self.now,
        };
        db::group_responses::insert(conn, &new)?;
        self.counts.group_responses += 1;
        Ok(())
    }
}
