//! Group commit: many submissions written and committed together, each
//! answered only after the commit, a refused one reaching only its sender.

use sounding::db;
use sounding::domain::submission::{IssueDraft, OrganisationDraft, SubmissionDraft};
use sounding::domain::{Channel, ConsulteeKind, QuestionId};
use sounding::service::ServiceError;
use sounding::service::group_commit::SubmissionQueue;
use sounding::service::responses::Submission;
use sounding::service::submission::{FormSpec, validate};

use crate::faults::open_consultation;
use crate::helpers::{Kind, TestDb};

/// A submission made as the web form would make it, through the one
/// validator (a question `question` with a free-text answer).
fn submission(text: &str, question: i64) -> Submission {
    let draft = SubmissionDraft {
        name: "Queue Test".into(),
        on_behalf: "no".into(),
        answers: [(question, text.to_string())].into_iter().collect(),
        issues: vec![IssueDraft {
            text: text.into(),
            ..IssueDraft::default()
        }],
        publication: "anonymous".into(),
        ..SubmissionDraft::default()
    };
    let spec = FormSpec {
        questions: vec![sounding::db::document::Question {
            id: QuestionId(question),
            consultation_id: sounding::domain::ConsultationId(0),
            section_id: None,
            position: 1,
            prompt: "Any comments?".into(),
            kind: sounding::domain::QuestionKind::FreeText,
            choices: "[]".into(),
            required: false,
        }],
        ..FormSpec::default()
    };
    validate(&draft, &spec, Channel::Online).expect("a valid submission")
}

fn many_queued_at_once(kind: Kind) {
    let Some(test_db) = TestDb::new(kind) else {
        return;
    };
    let question = open_consultation(&mut test_db.connect());
    let count = |conn: &mut sounding::db::DbConnection| {
        let c = db::consultations::by_slug(conn, "cheltenham-2011")
            .expect("query")
            .expect("found");
        (
            db::responses::count(conn, c.id).expect("count"),
            c.responses_received,
        )
    };
    let (before, _) = count(&mut test_db.connect());
    let queue = SubmissionQueue::start(test_db.pool());
    let now = chrono::Utc::now();
    // Queued without waiting, so they share commits.
    let mut tickets = Vec::new();
    for n in 0..300 {
        let s = submission(&format!("Point number {n} about the SLG."), question);
        tickets.push(queue.enqueue("cheltenham-2011", s, Some(format!("key-{n}")), now));
    }
    let twice = submission("Sent twice by a double click.", question);
    let first = queue.enqueue("cheltenham-2011", twice.clone(), Some("twice".into()), now);
    let second = queue.enqueue("cheltenham-2011", twice, Some("twice".into()), now);
    let forged = queue.enqueue(
        "cheltenham-2011",
        submission("Answers another consultation's question.", 999_999),
        Some("forged".into()),
        now,
    );
    let unknown = queue.enqueue(
        "no-such-consultation",
        submission("Lost.", question),
        None,
        now,
    );

    let mut references: Vec<String> = tickets
        .into_iter()
        .map(|t| t.expect("queued").wait().expect("stored").reference)
        .collect();
    let first = first.expect("queued").wait().expect("stored");
    let second = second.expect("queued").wait().expect("stored");
    assert_eq!(first.reference, second.reference);
    assert!(!first.repeated && second.repeated);
    assert!(matches!(
        forged.expect("queued").wait(),
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        unknown.expect("queued").wait(),
        Err(ServiceError::NotFound(_))
    ));

    references.push(first.reference);
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 301, "every reference distinct");
    let (stored, numbered) = count(&mut test_db.connect());
    assert_eq!(stored, before + 301, "nothing lost, nothing twice");
    assert_eq!(numbered, stored, "no reference number skipped");
}

#[test]
fn queued_submissions_are_committed_together_and_refusals_reach_only_their_sender_on_sqlite() {
    many_queued_at_once(Kind::Sqlite);
}

#[test]
fn queued_submissions_are_committed_together_and_refusals_reach_only_their_sender_on_postgres() {
    many_queued_at_once(Kind::Postgres);
}

/// More responses than one statement takes, each joint, answered and with
/// tagged points: every row lands, linked to the right response, and the
/// ids reserved for them leave later single inserts free to continue.
fn stored_in_bulk(kind: Kind) {
    use sounding::service::audit::Actor;
    use sounding::service::responses::{Stored, ToStore, private_view, store_all};

    let Some(test_db) = TestDb::new(kind) else {
        return;
    };
    let conn = &mut test_db.connect();
    let question = open_consultation(conn);
    let consultation = db::consultations::by_slug(conn, "cheltenham-2011")
        .expect("query")
        .expect("found");
    // The writer's one-query list of what a form may refer to is the
    // consultation's own questions, sections and bodies.
    let ids = db::document::referable_ids_of(conn, consultation.id).expect("ids");
    let ids_of = |mut ids: Vec<i64>| {
        ids.sort();
        ids
    };
    let (sections, bodies) = (ids.sections, ids.bodies);
    let expected_sections = db::document::sections_of(conn, consultation.id).expect("sections");
    let expected_bodies = db::structure::bodies_of(conn, consultation.id).expect("bodies");
    let expected_questions = db::document::questions_of(conn, consultation.id).expect("questions");
    assert_eq!(
        ids_of(sections.iter().map(|s| s.0).collect()),
        ids_of(expected_sections.iter().map(|s| s.id.0).collect())
    );
    assert_eq!(
        ids_of(bodies.iter().map(|b| b.0).collect()),
        ids_of(expected_bodies.iter().map(|b| b.id.0).collect())
    );
    assert_eq!(
        ids_of(ids.questions.iter().map(|q| q.0).collect()),
        ids_of(expected_questions.iter().map(|q| q.id.0).collect())
    );
    assert!(
        !sections.is_empty() && !bodies.is_empty() && ids.questions.iter().any(|q| q.0 == question)
    );
    let count = 2_100; // over the 2,000 rows one statement takes
    let spec = FormSpec::of(conn, consultation.id).expect("form");
    let submissions: Vec<Submission> = (0..count)
        .map(|n| {
            let first = format!("First point of response {n}.");
            let draft = SubmissionDraft {
                name: "Queue Test".into(),
                email: format!("writer{n}@example.org"),
                on_behalf: "no".into(),
                joint: vec![OrganisationDraft {
                    name: format!("Partner {n}"),
                    kind: ConsulteeKind::Partnership.as_str().into(),
                }],
                answers: [(question, first.clone())].into_iter().collect(),
                issues: vec![
                    IssueDraft {
                        text: first,
                        ..IssueDraft::default()
                    },
                    IssueDraft {
                        text: format!("Second point of response {n}, about the SLG."),
                        sections: vec![sections[n % sections.len()].0.to_string()],
                        bodies: vec![
                            bodies[n % bodies.len()].0.to_string(),
                            bodies[(n + 1) % bodies.len()].0.to_string(),
                        ],
                    },
                ],
                publication: "anonymous".into(),
                ..SubmissionDraft::default()
            };
            validate(&draft, &spec, Channel::Online).expect("a valid submission")
        })
        .collect();
    let now = chrono::Utc::now();
    let keys: Vec<String> = (0..count).map(|n| format!("bulk-{n}")).collect();
    let items: Vec<ToStore> = submissions
        .iter()
        .zip(&keys)
        .map(|(submission, key)| ToStore {
            consultation: &consultation,
            stored: Stored {
                submission,
                kinds: None,
                received_at: now,
                received_time_known: true,
                submission_key: Some(key),
                submission_hash: None,
                edit_salt: Some("salt"),
                action: "response received",
            },
        })
        .collect();
    let stored = db::write_transaction(conn, |conn| {
        store_all(conn, &Actor::system("test"), now, &items)
    })
    .expect("stored");
    assert_eq!(stored.len(), count);

    for n in [0, 1, 1_999, 2_000, count - 1] {
        let (_, reference) = &stored[n];
        let view = private_view(conn, "cheltenham-2011", reference).expect("view");
        assert_eq!(
            view.as_submission(),
            submissions[n],
            "response {n} read back whole"
        );
        assert_eq!(
            view.response.submission_key.as_deref(),
            Some(keys[n].as_str())
        );
        let history = db::audit::for_entity(conn, "response", view.response.id.0).expect("audit");
        assert_eq!(history.len(), 1, "one audit entry for response {n}");
    }
    // Ids continue after the reserved ones.
    let later = db::consultees::insert(
        conn,
        &db::consultees::NewConsultee {
            consultation_id: consultation.id,
            name: "Added later",
            short_name: None,
            kind: ConsulteeKind::Individual,
            contact_name: None,
            contact_email: None,
            created_at: now.naive_utc(),
        },
    )
    .expect("a later consultee");
    let view = private_view(conn, "cheltenham-2011", &stored[count - 1].1).expect("view");
    assert!(view.consultees.iter().all(|c| c.id < later));
}

#[test]
fn responses_stored_in_bulk_keep_every_row_and_link_on_sqlite() {
    stored_in_bulk(Kind::Sqlite);
}

#[test]
fn responses_stored_in_bulk_keep_every_row_and_link_on_postgres() {
    stored_in_bulk(Kind::Postgres);
}
