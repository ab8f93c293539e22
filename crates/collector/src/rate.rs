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
        })
    }

    /// `Ok` when `client` may post now, else how long until it may.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&bucket(client))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// One bucket per IPv4 address, and per /64 for IPv6: a single host usually holds a
/// whole /64, so per-address buckets would let it rotate addresses without limit.
fn bucket(ip: IpAddr) -> IpAddr {
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

/// The client's address: the peer's, or behind a trusted proxy the last address that
/// proxy recorded (the right-most entry: earlier ones were written by the client and prove nothing).
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trust_proxy: bool) -> IpAddr {
    if !trust_proxy {
        return peer.ip();
    }
    let forwarded = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value))
                    .flatten()
            })
        })
        .last();
    let x_forwarded_for = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(parse_node)
    };
    forwarded.or_else(x_forwarded_for).unwrap_or(peer.ip())
}

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
        assert_eq!(client_address(peer, &headers, false), peer.ip());
        assert_eq!(
            client_address(peer, &headers, true),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        headers.insert(
            "forwarded",
            HeaderValue::from_static("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https"),
        );
        assert_eq!(
            client_address(peer, &headers, true),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        headers.insert("forwarded", HeaderValue::from_static("for=unknown"));
        headers.remove("x-forwarded-for");
        assert_eq!(client_address(peer, &headers, true), peer.ip());
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
