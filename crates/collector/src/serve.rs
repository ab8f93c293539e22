//! The accept loop: HTTP/1.1 connections with deadlines, a bound on how many are
//! open, and a shutdown that ends on time whatever clients do.
//!
//! `axum::serve` has no timeouts, so one client holding sockets open (silent,
//! slow head, unread export) could exhaust descriptors and memory. Here:
//! - the request head must arrive within `head_timeout`, and that deadline also
//!   closes a keep-alive connection that sits idle between requests;
//! - a connection is kept alive for at most `max_age`: after it, a request being answered
//!   is finished and the connection closed (one whose head is still arriving is cut, as at
//!   any keep-alive close, and the client sends it again). Without it a client that sends
//!   one slow request after another (each head just inside its deadline) held its place
//!   for ever, and forty addresses held every place;
//! - a response the client stops reading fails after `write_timeout` without progress
//!   (an event stream that is read keeps its connection: it writes a keep-alive comment every 15 s);
//! - at most `max_connections` are served at once; the rest wait in the kernel's backlog
//!   until the deadlines above free a place, so idle sockets cannot starve new clients for long;
//! - one client address holds at most `max_per_client` of them: its further connections are
//!   closed at once, so that one machine's thousands of silent sockets do not take everyone's places;
//! - on shutdown, open connections get `grace` to finish, then are dropped.

use crate::tally::{Held, Tally};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

/// Deadlines and bounds for connections.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time allowed for a request head, and for an idle keep-alive connection.
    pub head_timeout: Duration,
    /// Time a response may wait for the client to take more bytes.
    pub write_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one address (IPv6: one /64) may hold; 0: no limit. Loopback (this
    /// machine, a reverse proxy) is not limited.
    pub max_per_client: usize,
    /// Time a connection is kept alive: after it, it ends with the request being answered.
    pub max_age: Duration,
    /// Time open connections get to finish on shutdown.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then calls `on_shutdown`
/// (which ends event streams) and gives open connections `limits.grace` to finish.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    on_shutdown: impl FnOnce(),
) {
    // At most u32::MAX: shutdown waits for all of them back in one call, which counts in u32.
    let all_places = limits.max_connections.clamp(1, u32::MAX as usize);
    let places = Arc::new(Semaphore::new(all_places));
    let per_client = PerClient::new(limits.max_per_client);
    // hyper-util's GracefulShutdown cannot also end one connection on its own (its
    // connection trait is sealed): each connection watches this instead, and the places
    // all coming back says that every connection has ended.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.head_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => match place {
                Ok(place) => place,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept:
                    // wait a little rather than spin, then go on serving.
                    eprintln!("sondeo-collector: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(client_place) = per_client.admit(peer.ip()) else {
            continue; // dropped: closed at once, and its place goes back
        };
        let _ = stream.set_nodelay(true);
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_timeout));
        let io = TokioIo::new(Box::pin(stream));
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = http.serve_connection(io, TowerToHyperService::new(service));
        let (max_age, mut stopping) = (limits.max_age, stopping.clone());
        tokio::spawn(async move {
            tokio::pin!(connection);
            // Too old, or the server stopping: the request being answered ends it.
            let ending = async {
                tokio::select! {
                    _ = tokio::time::sleep(max_age) => {}
                    _ = stopping.wait_for(|stop| *stop) => {}
                }
            };
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = ending => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(client_place);
            drop(place);
        });
    }
    drop(listener);
    on_shutdown();
    let _ = stop.send(true);
    let every_place = places.acquire_many_owned(all_places as u32);
    let _ = tokio::time::timeout(limits.grace, every_place).await;
}

/// Each client address's open connections, at most `limit` (0: no limit).
struct PerClient {
    open: Option<Arc<Tally>>,
}

/// One connection counted for its client (none: not counted); dropping it gives the place back.
type ClientPlace = Option<Held>;

impl PerClient {
    fn new(limit: usize) -> PerClient {
        PerClient {
            open: (limit > 0).then(|| Tally::new(limit)),
        }
    }

    /// A place for a connection from `ip`, unless that client already holds its limit.
    fn admit(&self, ip: IpAddr) -> Option<ClientPlace> {
        // Loopback before grouping: `::1`'s /64 is `::`, which is not loopback.
        match &self.open {
            Some(open) if !ip.is_loopback() => Some(Some(open.take(ip, 1)?)),
            _ => Some(None),
        }
    }
}

/// Binds `addr` with a deep accept queue: a burst of connections (1,000 visitors at
/// once, or a flood) waits there instead of being dropped (tokio's default backlog is
/// 1,024; the kernel caps this at `net.core.somaxconn`).
pub fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(8192)
}

/// Raises the soft limit on open files to the hard limit (as nginx's
/// `worker_rlimit_nofile` and systemd services do), so that a burst of idle sockets
/// does not reach the common default of 1,024. Returns the limit now in force.
pub fn raise_open_files_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(_) => rlimit::getrlimit(rlimit::Resource::NOFILE)
            .map(|(soft, _)| soft)
            .unwrap_or(1024),
    }
}

/// Connections to serve at once, given the open-files limit: each takes one
/// descriptor, and the database (its writer and the export readers, three files each:
/// the database, its WAL and its shared memory), the listener and the files served
/// need the rest.
pub fn max_connections(open_files: u64, wanted: usize) -> usize {
    let reserved = 64 + 3 * crate::store::MAX_READERS as u64;
    let room = open_files.saturating_sub(reserved).max(16);
    (wanted as u64).min(room) as usize
}

#[cfg(test)]
mod tests {
    use super::PerClient;

    #[test]
    fn one_address_holds_at_most_its_limit_and_gets_places_back() {
        let clients = PerClient::new(2);
        let a: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let first = clients.admit(a).expect("first");
        let second = clients.admit(a).expect("second");
        assert!(clients.admit(a).is_none(), "a third is refused");
        assert!(
            clients.admit("203.0.113.8".parse().unwrap()).is_some(),
            "another address is not"
        );
        // An IPv6 host holds its whole /64: rotating addresses inside it does not help.
        let v6 = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let _x = clients.admit(v6("2001:db8::1")).unwrap();
        let _y = clients.admit(v6("2001:db8::2")).unwrap();
        assert!(clients.admit(v6("2001:db8::ffff:3")).is_none());
        assert!(
            clients.admit(v6("2001:db8:0:1::1")).is_some(),
            "another /64"
        );
        drop(first);
        let _third = clients
            .admit(a)
            .expect("a closed connection gives its place back");
        drop(second);
        assert_eq!(clients.open.as_ref().unwrap().held(a), 1);
        // This machine (a reverse proxy in front) is never limited; nor is anyone with limit 0.
        let local: Vec<_> = ["127.0.0.1", "::1"]
            .iter()
            .flat_map(|ip| (0..3).map(|_| clients.admit(ip.parse().unwrap())))
            .collect();
        assert!(local.iter().all(Option::is_some));
        let open = PerClient::new(0);
        assert!((0..5).all(|_| open.admit(a).is_some_and(|p| p.is_none())));
    }

    #[test]
    fn connections_leave_room_for_files_and_the_database() {
        assert_eq!(super::max_connections(1024, 10_000), 1024 - 64 - 3 * 16);
        assert_eq!(super::max_connections(1_048_576, 10_000), 10_000);
        assert_eq!(super::max_connections(10, 10_000), 16);
    }
}
