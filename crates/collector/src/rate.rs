//! `--rate-limit`: posts per minute per client address, as token buckets with a
//! burst (governor's GCRA), so one client cannot fill the disk. The client
//! address is the peer's, or with `--trust-proxy` the one the proxy in front
//! added to `Forwarded` / `X-Forwarded-For`.

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Per-client limiter for posts.
#[derive(Clone)]
pub struct PostLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
    burst: u32,
}

impl PostLimiter {
    /// `per_minute` posts a minute on average, `burst` at once; `None` when `per_minute` is 0 (no limit).
    pub fn new(per_minute: u32, burst: u32) -> Option<PostLimiter> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        let limiter = Arc::new(RateLimiter::keyed(
            Quota::per_minute(rate).allow_burst(burst),
        ));
        // Forget clients whose bucket is full again, so the table does not grow with every address ever seen.
        let sweeping = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let Some(limiter) = sweeping.upgrade() else {
                    break;
                };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
        Some(PostLimiter {
            limiter,
            clock: DefaultClock::default(),
            burst: burst.get(),
        })
    }

    /// Most responses one post may carry.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// `Ok` when `client` may post `n` responses now, else how long until it may
    /// (`None`: never, `n` is over the burst).
    pub fn check(&self, client: IpAddr, n: u32) -> Result<(), Option<Duration>> {
        let Some(n) = NonZeroU32::new(n) else {
            return Ok(());
        };
        match self.limiter.check_key_n(&bucket(client), n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(Some(not_until.wait_time_from(self.clock.now()))),
            Err(_) => Err(None),
        }
    }
}

/// One bucket per IPv4 address, and per /64 for IPv6: a single host usually holds a
/// whole /64, so per-address buckets would let it rotate addresses without limit.
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The header a trusted reverse proxy writes the client's address into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProxyHeader {
    /// `X-Forwarded-For` (nginx, Caddy, Traefik, HAProxy, cloud load balancers).
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// The client's address: the peer's, or behind a trusted proxy the address that proxy
/// appended to its header: the right-most entry, since earlier ones were written by the
/// client and prove nothing. Only the chosen header counts (a proxy passes the other one
/// through from the client untouched), and an entry that does not parse (`unknown`,
/// `_hidden`) means the peer's address, never an earlier entry.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trust: Option<ProxyHeader>) -> IpAddr {
    let Some(trust) = trust else {
        return peer.ip();
    };
    let name = match trust {
        ProxyHeader::XForwardedFor => "x-forwarded-for",
        ProxyHeader::Forwarded => "forwarded",
    };
    // The proxy appends the address it saw to whatever the client sent, on the same line:
    // a line is read even when the client's part is not text, or the client could hide
    // the proxy's entry by sending one byte that is not ASCII.
    // The last entry is the last line's: a line always splits into at least one entry.
    let Some(line) = headers.get_all(name).iter().next_back() else {
        return peer.ip(); // a direct connection, not through the proxy
    };
    let line = String::from_utf8_lossy(line.as_bytes());
    let last = line.split(',').next_back();
    let address = match trust {
        ProxyHeader::XForwardedFor => last.and_then(parse_node),
        ProxyHeader::Forwarded => last.and_then(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value))
                    .flatten()
            })
        }),
    };
    // Through the proxy but with no address it wrote (`for=unknown`, an obfuscated name):
    // such clients share one limited bucket. Falling back to the proxy's own address
    // would make them the proxy, which is local and never limited.
    address.unwrap_or(UNATTRIBUTED)
}

/// Whether a proxy forwarded the request (it names the client in `X-Forwarded-For` or
/// `Forwarded`).
pub fn forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded")
}

/// Says once, on stderr, that posts come through a proxy the collector was not told of.
pub fn warn_undeclared_proxy() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        eprintln!(
            "sondeo-collector: posts arrive from this machine with X-Forwarded-For or Forwarded: a reverse proxy? \
             Start with --trust-proxy so that each client has its own rate limit; until then they share one"
        )
    });
}

/// The bucket of clients that came through the trusted proxy without an address.
pub const UNATTRIBUTED: IpAddr = IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED);

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn behind_a_trusted_proxy_the_right_most_address_is_the_client() {
        let peer: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        let xff = Some(ProxyHeader::XForwardedFor);
        assert_eq!(client_address(peer, &headers, None), peer.ip());
        assert_eq!(
            client_address(peer, &headers, xff),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        // A client's own Forwarded header is ignored when the proxy writes X-Forwarded-For.
        headers.insert("forwarded", HeaderValue::from_static("for=9.9.9.9"));
        assert_eq!(
            client_address(peer, &headers, xff),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        let fwd = Some(ProxyHeader::Forwarded);
        headers.insert(
            "forwarded",
            HeaderValue::from_static("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"),
        );
        assert_eq!(
            client_address(peer, &headers, fwd),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        // An obfuscated last entry is nobody's address: never the client's earlier claim,
        // and never the proxy's own (local, so never limited).
        headers.insert(
            "forwarded",
            HeaderValue::from_static("for=6.6.6.6, for=_hidden"),
        );
        assert_eq!(client_address(peer, &headers, fwd), UNATTRIBUTED);
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, unknown"),
        );
        assert_eq!(client_address(peer, &headers, xff), UNATTRIBUTED);
        assert!(!UNATTRIBUTED.is_loopback());
        // A byte that is not ASCII in the client's part does not hide the proxy's entry.
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff, 203.0.113.9").unwrap(),
        );
        assert_eq!(
            client_address(peer, &headers, xff),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // No header at all: a direct connection, which is its own client.
        assert_eq!(client_address(peer, &HeaderMap::new(), xff), peer.ip());
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(bucket(a), bucket(b));
        assert_ne!(bucket(a), bucket(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(bucket(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
