//! Group commit: many submissions written and committed together, each
//! answered only after the commit, a refused one reaching only its sender.

use sounding::db;
use sounding::domain::{Channel, ConsulteeKind, Publication, QuestionId};
use sounding::service::ServiceError;
use sounding::service::group_commit::SubmissionQueue;
use sounding::service::responses::{ConsulteeInput, PointInput, Submission};

use crate::faults::open_consultation;
use crate::helpers::{Kind, TestDb};

fn submission(text: &str, question: i64) -> Submission {
    Submission {
        respondent_name: "Queue Test".into(),
        email: None,
        consultees: vec![ConsulteeInput {
            name: "Queue Test".into(),
            kind: ConsulteeKind::Individual,
        }],
        answers: vec![(QuestionId(question), text.into())],
        points: vec![PointInput {
            text: text.into(),
            sections: vec![],
            bodies: vec![],
        }],
        publication: Publication::Anonymous,
        channel: Channel::Online,
        held: false,
    }
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
