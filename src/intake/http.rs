//! The HTTP server under `parlor intake` and `parlor serve`: axum's router
//! on hyper, with the limits a server facing the internet needs and
//! `axum::serve` does not set. A request's head must arrive within
//! `HEAD_TIMEOUT` and be at most `MAX_HEAD_BYTES` (431 otherwise); at most
//! `MAX_CONNECTIONS` are open at once (more are closed at once). Bodies
//! have their own deadline where they are read (`intake::BODY_TIMEOUT`).
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
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a client has to send a request's head (line and headers),
/// counted from when the server waits for it: slow-header (slowloris)
/// clients and idle keep-alive connections are closed after this.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head: a form post needs a few hundred bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Connections open at once; beyond this, new ones are closed unanswered.
pub const MAX_CONNECTIONS: usize = 512;

/// How long a stopping server waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
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
                async move {
                    Ok::<_, Infallible>(
                        app.oneshot(request.map(Body::new)).await.unwrap_or_else(|e| match e {}),
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
    // Let requests in flight finish (a comment being stored), briefly.
    let all = u32::try_from(MAX_CONNECTIONS).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await;
    Ok(())
}
