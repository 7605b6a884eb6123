//! The HTTP server under `parlor intake` and `parlor serve`: axum's router
//! on hyper, with the limits a server facing the internet needs and
//! `axum::serve` does not set. A request's head must arrive within
//! `HEAD_TIMEOUT` and be at most `MAX_HEAD_BYTES` (431 otherwise); at most
//! `MAX_CONNECTIONS` are open at once (more are closed at once). Bodies
//! have their own deadline where they are read (`intake::BODY_TIMEOUT`).
//! A connection whose request body was refused unread (413, or any answer
//! given before the body was read) is drained for a while before it is
//! closed, so the client sees the answer rather than a reset. The
//! constants are the defaults of `intake::Limits`, which `serve` is given.
//! See SECURITY.md for what the reverse proxy must add.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWrite;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::Limits;

/// How long a client has to send a request's head (line and headers),
/// counted from when the server waits for it: slow-header (slowloris)
/// clients and idle keep-alive connections are closed after this.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head: a form post needs a few hundred bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Connections open at once; beyond this, new ones are closed unanswered.
pub const MAX_CONNECTIONS: usize = 512;

/// After an answer given before the request's body was read (413 for a
/// body over the limit), the rest of the body is read and thrown away, up
/// to this many bytes and for at most `DRAIN_TIMEOUT`, before the
/// connection is closed. Closing a socket with unread bytes in it sends a
/// reset, and a client still sending its body (as most do before reading)
/// then reports a reset connection instead of the answer.
pub const DRAIN_BYTES: usize = 8 * 1024 * 1024;
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a stopping server waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` completes, holding clients
/// to `limits` (its head timeout, connection cap and draining).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (head_timeout, max_connections) = (limits.head_timeout, limits.max_connections);
    let drain = Drain { bytes: limits.drain_bytes, timeout: limits.drain_timeout };
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                // Out of file descriptors, or the client left already:
                // wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo::<std::net::SocketAddr>(peer));
                let app = app.clone();
                // Boxed: `without_shutdown` wants a future it can move.
                Box::pin(async move {
                    Ok::<_, Infallible>(
                        app.oneshot(request.map(Body::new)).await.unwrap_or_else(|e| match e {}),
                    )
                })
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service)
                .without_shutdown()
                .await;
            // The answers are all sent; a connection that failed (a slow or
            // oversized head) is dropped as it is.
            if let Ok(parts) = served {
                drain_and_close(parts.io.into_inner(), drain).await;
            }
            drop(slot);
        });
    }
    // Let requests in flight finish (a comment being stored), briefly.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await;
    Ok(())
}

/// How much of a refused body is read before closing: `DRAIN_BYTES` and
/// `DRAIN_TIMEOUT` by default.
#[derive(Clone, Copy)]
struct Drain {
    bytes: usize,
    timeout: Duration,
}

/// Ends a connection whose answers are all sent: says so (FIN), then reads
/// and discards what the client still sends (a refused body), up to
/// `drain`'s bytes and time, until the client closes its side. A client
/// that is done closes at once, and this returns at once.
async fn drain_and_close(mut stream: TcpStream, drain: Drain) {
    let said_so = std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_shutdown(cx)).await;
    if said_so.is_err() {
        return;
    }
    let mut left = drain.bytes;
    let mut buf = vec![0u8; 64 * 1024];
    let _ = tokio::time::timeout(drain.timeout, async {
        while left > 0 {
            if stream.readable().await.is_err() {
                break;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => left = left.saturating_sub(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
    })
    .await;
}
