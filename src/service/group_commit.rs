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

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use chrono::{DateTime, Utc};
use diesel::Connection;
use tokio::sync::oneshot;

use super::responses::{self, Receipt, Submission};
use super::{ServiceError, ServiceResult};
use crate::db::{self, DbConnection, DbPool};

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
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        write_batch(pool, batch);
    }
}

/// Writes and commits one batch, then answers everyone in it.
fn write_batch(pool: &DbPool, batch: Vec<Pending>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => return answer_all(batch, &e.to_string()),
    };
    // Almost every batch writes cleanly: try it without savepoints first.
    let clean = db::write_transaction(&mut conn, |conn| {
        batch
            .iter()
            .map(|p| write(conn, p))
            .collect::<ServiceResult<Vec<_>>>()
    });
    if let Ok(receipts) = clean {
        for (pending, receipt) in batch.into_iter().zip(receipts) {
            // The consultee may have given up waiting; the response stands.
            let _ = pending.reply.send(Ok(receipt));
        }
        return;
    }
    // Something was refused: write each in its own savepoint, so the refusal
    // reaches only its sender.
    let committed = db::write_transaction(&mut conn, |conn| {
        Ok::<_, ServiceError>(batch.iter().map(|p| write_one(conn, p)).collect::<Vec<_>>())
    });
    match committed {
        Ok(results) => {
            for (pending, result) in batch.into_iter().zip(results) {
                let result = responses::after_race(&mut conn, result, pending.key.as_deref());
                // The consultee may have given up waiting; the response stands.
                let _ = pending.reply.send(result);
            }
        }
        Err(e) => answer_all(batch, &e.to_string()),
    }
}

/// One submission inside its own savepoint.
fn write_one(conn: &mut DbConnection, pending: &Pending) -> ServiceResult<Receipt> {
    conn.transaction(|conn| write(conn, pending))
}

fn write(conn: &mut DbConnection, pending: &Pending) -> ServiceResult<Receipt> {
    responses::write_submission(
        conn,
        &pending.slug,
        &pending.submission,
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
