//! Accepting connections so that no client can stall the server: a request's headers (and
//! the wait for the next request on a kept-alive connection) must arrive within
//! [`HEADER_TIMEOUT`], at most [`connection_cap`] connections are served at once (beyond, a
//! new one is closed at once instead of starving the process of file descriptors), and a
//! shutdown waits at most [`GRACE`] for open connections before it lets them go.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may sit idle. Loopback clients send theirs at once.
pub(super) const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a shutdown waits for open connections to finish.
const GRACE: Duration = Duration::from_secs(2);

/// Connections served at once: half the file descriptors the process may open (raised to
/// the hard limit first), between 8 and 4,096. The rest is for the rebuilds.
pub(super) fn connection_cap() -> usize {
    // SAFETY: `getrlimit`/`setrlimit` only read and write the struct passed.
    let soft = unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 256;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur
    };
    usize::try_from(soft / 2).unwrap_or(usize::MAX).clamp(8, 4096)
}

/// Serves `app` on `listener` until `shutdown` completes, then tells every connection to
/// close after its current response and waits up to [`GRACE`] for them.
pub(super) async fn serve_connections(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let cap = connection_cap();
    let permits = Arc::new(Semaphore::new(cap));
    let (closing_tx, closing) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or the like: let some connections end first.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            let mut told = false;
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    _ = closing.wait_for(|c| *c), if !told => {
                        told = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(permit);
        });
    }
    let _ = closing_tx.send(true);
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(GRACE, permits.acquire_many(all)).await;
}
