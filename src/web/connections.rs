//! Keeping slow or greedy clients from exhausting the server: each client
//! address may hold a bounded number of connections at once, and a request
//! body must arrive within a deadline. Without these, a client sending a
//! byte every 30 seconds on thousands of connections runs the server out of
//! file descriptors and `/healthz` stops answering ("slowloris", OWASP
//! Denial of Service Cheat Sheet). A trusted proxy's connections carry
//! many clients, so they are not counted against one.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_core::Stream;

use crate::config::Cidr;

/// Open connections per client address.
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection, counted until it closes (the server drops its
/// connection data then).
#[derive(Debug)]
pub struct Counted {
    address: IpAddr,
    counts: Arc<ConnectionCounts>,
    /// The address held more than its share when this connection opened.
    pub over_limit: bool,
}

impl ConnectionCounts {
    /// Counts a new connection from `address`, which may hold `limit`.
    pub fn open(self: &Arc<Self>, address: IpAddr, limit: usize) -> Counted {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(address).or_default();
        *count += 1;
        Counted {
            address,
            counts: Arc::clone(self),
            over_limit: *count > limit,
        }
    }

    /// Connections `address` holds now.
    pub fn of(&self, address: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&address).copied().unwrap_or(0)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// The server's connection hook: counts each connection from an address
/// that is not a trusted proxy.
pub fn on_connect(
    counts: Arc<ConnectionCounts>,
    limit: usize,
    trusted: Vec<Cidr>,
) -> impl Fn(&dyn std::any::Any, &mut actix_web::dev::Extensions) + Send + Sync + 'static {
    move |connection, data| {
        let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        let address = peer.ip();
        if trusted.iter().any(|range| range.contains(address)) {
            return;
        }
        data.insert(counts.open(address, limit));
    }
}

/// Refuses, and closes, a connection opened over its address's share,
/// before its body is read; gives every body a deadline.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let over = req.conn_data::<Counted>().is_some_and(|c| c.over_limit);
    if over {
        let response = actix_web::HttpResponse::TooManyRequests()
            .force_close()
            .insert_header((actix_web::http::header::RETRY_AFTER, "60"))
            .content_type("text/plain; charset=utf-8")
            .body("Too many connections from your address at once. Close some and try again.");
        return Ok(req.into_response(response).map_into_right_body());
    }
    let limit = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .map_or(Duration::from_secs(60), |s| s.settings.body_timeout);
    let payload = req.take_payload();
    req.set_payload(Payload::Stream {
        payload: Box::pin(Deadline {
            inner: payload,
            timer: Box::pin(actix_web::rt::time::sleep(limit)),
        }),
    });
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// A request body that fails once its deadline passes.
struct Deadline<S> {
    inner: S,
    timer: Pin<Box<actix_web::rt::time::Sleep>>,
}

impl<S> Stream for Deadline<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body took too long to arrive",
            )))));
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_counted_per_address_until_they_close() {
        let counts = Arc::new(ConnectionCounts::default());
        let a: IpAddr = [192, 0, 2, 1].into();
        let first = counts.open(a, 2);
        let second = counts.open(a, 2);
        let third = counts.open(a, 2);
        assert!(!first.over_limit && !second.over_limit && third.over_limit);
        assert_eq!(counts.of(a), 3);
        drop((first, second, third));
        assert_eq!(counts.of(a), 0);
        assert!(!counts.open(a, 2).over_limit);
    }
}
