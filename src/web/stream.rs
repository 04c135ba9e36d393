//! Sending a large download while it is being written: a blocking thread
//! writes into a [`ChannelWriter`], whose 64 KiB chunks the response body
//! streams out. Memory stays at a few chunks however big the file; if the
//! client goes away the writer fails and the thread stops; if writing
//! fails midway the body ends in an error, so the client sees a broken
//! download rather than a short file that looks whole.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::web::Bytes;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 64 * 1024;

/// Chunks in flight between the writer and the connection.
const CHUNKS_IN_FLIGHT: usize = 8;

type Chunk = Result<Bytes, io::Error>;

/// The writing end: buffered, sending full chunks (blocking while the
/// client is slower than the writer).
pub struct ChannelWriter {
    sender: mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
}

/// The body end.
pub struct ChunkStream(mpsc::Receiver<Chunk>);

/// A connected writer and body.
pub fn channel() -> (ChannelWriter, ChunkStream) {
    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let writer = ChannelWriter {
        sender,
        buffer: Vec::with_capacity(CHUNK_BYTES),
    };
    (writer, ChunkStream(receiver))
}

impl ChannelWriter {
    fn send(&mut self, chunk: Chunk) -> io::Result<()> {
        self.sender
            .blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Ends the body with an error (the download is broken, not short).
    pub fn fail(mut self, why: String) {
        let _ = self.send(Err(io::Error::other(why)));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        self.send(Ok(Bytes::from(full)))
    }
}

impl futures_core::Stream for ChunkStream {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        self.0.poll_recv(cx)
    }
}
