//! Group commit for consultee submissions.
//!
//! A commit with `synchronous=FULL` (SQLite) or `synchronous_commit=on`
//! (PostgreSQL) waits for the disk, and on SQLite writers take turns. One
//! commit per submission therefore caps how many consultees can be answered
//! each second. Instead, submissions wait in a queue; a writer thread takes
//! every one waiting (up to [`MAX_BATCH`]), writes them all in one
//! transaction and commits it; only when one of them is refused
//! is the batch written again with each in its own savepoint, so the refusal
//! reaches only its sender. Nobody is answered before the commit that holds
//! their response: if the commit fails, every submission in it gets the
//! error and the consultee gets their text back.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};

use chrono::{DateTime, Utc};
use diesel::Connection;
use tokio::sync::oneshot;

use super::audit::Actor;
use super::responses::{self, Checked, Receipt, References, Submission, ToStore};
use super::{ServiceError, ServiceResult};
use crate::db::consultations::Consultation;
use crate::db::responses::Response;
use crate::db::{self, DbConnection, DbPool, PooledConnection};
use crate::domain::IssueKind;
use crate::security::random_token;

/// Most submissions committed together. Large enough to absorb a burst on a
/// slow disk, small enough that one transaction stays short.
pub const MAX_BATCH: usize = 256;

/// Most submissions waiting; past this the service is overloaded and says so
/// (503) at once rather than letting replies time out.
pub const QUEUE_CAPACITY: usize = 8_192;

/// One consultee's submission waiting to be written.
struct Pending {
    slug: String,
    submission: Submission,
    /// Each point's kind, classified by the sender (not the busy writer).
    kinds: Vec<IssueKind>,
    /// What was sent, as a digest the key is bound to.
    digest: String,
    key: Option<String>,
    now: DateTime<Utc>,
    reply: oneshot::Sender<ServiceResult<Receipt>>,
}

/// The queue in front of the writer thread; cheap to clone. The writer stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct SubmissionQueue {
    sender: SyncSender<Pending>,
}

/// A place in the queue: the receipt arrives once the response is committed.
pub struct Ticket(oneshot::Receiver<ServiceResult<Receipt>>);

impl Ticket {
    /// Waits (asynchronously) for the commit.
    pub async fn receipt(self) -> ServiceResult<Receipt> {
        self.0.await.unwrap_or_else(|_| Err(writer_gone()))
    }

    /// Waits, blocking the thread, for the commit.
    pub fn wait(self) -> ServiceResult<Receipt> {
        self.0
            .blocking_recv()
            .unwrap_or_else(|_| Err(writer_gone()))
    }
}

fn writer_gone() -> ServiceError {
    ServiceError::Unavailable("the response writer stopped before saving the response".into())
}

impl SubmissionQueue {
    /// Starts the writer thread over `pool`.
    pub fn start(pool: DbPool) -> Self {
        let (sender, receiver) = mpsc::sync_channel(QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name("response-writer".into())
            .spawn(move || write_until_closed(&pool, &receiver))
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the response writer"));
        Self { sender }
    }

    /// Queues a submission to consultation `slug`. The same `key` (the
    /// form's token) sent again returns the first receipt.
    pub fn enqueue(
        &self,
        slug: &str,
        submission: Submission,
        key: Option<String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Ticket> {
        let (reply, receiver) = oneshot::channel();
        let pending = Pending {
            slug: slug.to_string(),
            kinds: submission.point_kinds(),
            digest: submission.digest(),
            submission,
            key,
            now,
            reply,
        };
        match self.sender.try_send(pending) {
            Ok(()) => Ok(Ticket(receiver)),
            Err(TrySendError::Full(_)) => Err(ServiceError::Unavailable(
                "too many responses are being saved at this moment".into(),
            )),
            Err(TrySendError::Disconnected(_)) => Err(writer_gone()),
        }
    }
}

fn write_until_closed(pool: &DbPool, receiver: &Receiver<Pending>) {
    // While submissions keep coming the writer keeps its connection: taking
    // one from the pool tests it first, a round trip per batch. It gives the
    // connection back when the queue runs dry or a batch fails, so a
    // connection broken while idle is never used.
    let mut held: Option<PooledConnection> = None;
    loop {
        let first = match receiver.try_recv() {
            Ok(first) => first,
            Err(TryRecvError::Empty) => {
                held = None;
                match receiver.recv() {
                    Ok(first) => first,
                    Err(_) => return,
                }
            }
            Err(TryRecvError::Disconnected) => return,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut conn = match held.take().map_or_else(|| pool.get(), Ok) {
            Ok(conn) => conn,
            Err(e) => {
                answer_all(batch, &e.to_string());
                continue;
            }
        };
        // A bug in one batch must not stop every later submission: its
        // senders get an error (their replies are dropped), the writer goes on.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_batch(&mut conn, batch)
        }));
        match written {
            Ok(Committed::Yes) => held = Some(conn),
            Ok(Committed::No) => {}
            Err(_) => tracing::error!(
                "the response writer recovered from a panic; that batch was not saved"
            ),
        }
    }
}

/// Whether a batch's transaction committed (if not, its connection is
/// suspect and goes back to the pool).
enum Committed {
    Yes,
    No,
}

/// Writes and commits one batch, then answers everyone in it.
fn write_batch(conn: &mut DbConnection, batch: Vec<Pending>) -> Committed {
    // Almost every batch writes cleanly: try it without savepoints first.
    let clean = db::write_transaction(conn, |conn| write_clean(conn, &batch));
    if let Ok(receipts) = clean {
        for (pending, receipt) in batch.into_iter().zip(receipts) {
            // The consultee may have given up waiting; the response stands.
            let _ = pending.reply.send(Ok(receipt));
        }
        return Committed::Yes;
    }
    // Something was refused: write each in its own savepoint, so the refusal
    // reaches only its sender.
    let committed = db::write_transaction(conn, |conn| {
        Ok::<_, ServiceError>(batch.iter().map(|p| write_one(conn, p)).collect::<Vec<_>>())
    });
    match committed {
        Ok(results) => {
            for (pending, result) in batch.into_iter().zip(results) {
                let result =
                    responses::after_race(conn, result, (pending.key.as_deref(), &pending.digest));
                // The consultee may have given up waiting; the response stands.
                let _ = pending.reply.send(result);
            }
            Committed::Yes
        }
        Err(e) => {
            answer_all(batch, &e.to_string());
            Committed::No
        }
    }
}

/// What to do with each submission of a batch.
enum Plan {
    /// Store it as a new response, with this salt for its private link.
    New(String),
    /// Stored before under its key: answer with the first receipt.
    Repeated(Receipt),
    /// The same form twice in this batch: answer as the earlier one.
    SameAs(usize),
}

/// Writes a batch in which nothing is refused (any refusal is an error, and
/// the caller falls back to savepoints). Each consultation is read once,
/// earlier copies are looked up with one query, and [`responses::store_all`]
/// takes reference numbers and ids in one block each and writes every table
/// with one statement on PostgreSQL (one per table on SQLite): a batch costs
/// about eight statements, not a dozen per response.
fn write_clean(conn: &mut DbConnection, batch: &[Pending]) -> ServiceResult<Vec<Receipt>> {
    let mut consultations: HashMap<&str, (Consultation, References)> = HashMap::new();
    for pending in batch {
        if let Entry::Vacant(slot) = consultations.entry(pending.slug.as_str()) {
            let consultation = responses::public_consultation(conn, &pending.slug)?;
            let references = References::of(conn, &consultation)?;
            slot.insert((consultation, references));
        }
    }
    let plans = plan(conn, batch, &consultations)?;
    let mut to_store = Vec::new();
    for (pending, plan) in batch.iter().zip(&plans) {
        if let Plan::New(edit_salt) = plan {
            let (consultation, _) = &consultations[pending.slug.as_str()];
            let stored = responses::received(
                &pending.submission,
                (pending.key.as_deref(), Some(&pending.digest)),
                edit_salt,
                pending.now,
                Some(&pending.kinds),
            );
            to_store.push(ToStore {
                consultation,
                stored,
            });
        }
    }
    let newest = batch.iter().map(|p| p.now).max().unwrap_or_else(Utc::now);
    let stored = responses::store_all(conn, &Actor::system("consultee"), newest, &to_store)?;
    Ok(receipts(plans, stored))
}

/// What to do with each submission of a batch: store it, answer with an
/// earlier copy's receipt, or with the receipt of the same submission
/// earlier in this batch. Earlier copies are looked up with one query.
fn plan(
    conn: &mut DbConnection,
    batch: &[Pending],
    consultations: &HashMap<&str, (Consultation, References)>,
) -> ServiceResult<Vec<Plan>> {
    let keys: Vec<&str> = batch.iter().filter_map(|p| p.key.as_deref()).collect();
    let mut earlier: HashMap<String, Response> = db::responses::by_submission_keys(conn, &keys)?
        .into_iter()
        .filter_map(|r| r.submission_key.clone().map(|key| (key, r)))
        .collect();
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    let mut plans = Vec::with_capacity(batch.len());
    for (i, pending) in batch.iter().enumerate() {
        let key = pending.key.as_deref();
        if let Some(&first) = key.and_then(|k| first_with_key.get(k)) {
            if batch[first].digest != pending.digest {
                // The same key with other content: refused, in a savepoint.
                return Err(ServiceError::invalid(
                    "idempotency_key",
                    responses::KEY_REUSED,
                ));
            }
            plans.push(Plan::SameAs(first));
            continue;
        }
        let (consultation, references) = &consultations[pending.slug.as_str()];
        let before = key.and_then(|k| earlier.remove(k));
        let sent = (&pending.submission, pending.digest.as_str());
        match responses::check(before, consultation, references, sent, pending.now)? {
            Checked::Repeated(receipt) => plans.push(Plan::Repeated(receipt)),
            Checked::New => plans.push(Plan::New(random_token(16))),
        }
        if let Some(key) = key {
            first_with_key.insert(key, i);
        }
    }
    Ok(plans)
}

/// Each submission's receipt, in the batch's order.
fn receipts(plans: Vec<Plan>, stored: Vec<(crate::domain::ResponseId, String)>) -> Vec<Receipt> {
    let mut stored = stored.into_iter();
    let mut receipts: Vec<Receipt> = Vec::with_capacity(plans.len());
    for plan in plans {
        let receipt = match plan {
            Plan::New(edit_salt) => {
                let reference = stored.next().map(|(_, r)| r).unwrap_or_default();
                Receipt {
                    reference,
                    edit_salt,
                    repeated: false,
                }
            }
            Plan::Repeated(receipt) => receipt,
            Plan::SameAs(first) => Receipt {
                repeated: true,
                ..receipts[first].clone()
            },
        };
        receipts.push(receipt);
    }
    receipts
}

/// One submission inside its own savepoint.
fn write_one(conn: &mut DbConnection, pending: &Pending) -> ServiceResult<Receipt> {
    conn.transaction(|conn| write(conn, pending))
}

fn write(conn: &mut DbConnection, pending: &Pending) -> ServiceResult<Receipt> {
    responses::write_submission(
        conn,
        &pending.slug,
        (&pending.submission, &pending.digest),
        pending.key.as_deref(),
        pending.now,
    )
}

fn answer_all(batch: Vec<Pending>, why: &str) {
    tracing::error!(
        error = why,
        count = batch.len(),
        "responses could not be saved"
    );
    for pending in batch {
        let _ = pending
            .reply
            .send(Err(ServiceError::Unavailable(why.to_string())));
    }
}
