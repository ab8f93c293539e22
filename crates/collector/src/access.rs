//! Who may read, from which page, under which host name: the read token (header or
//! query), the `Host` check that defeats DNS rebinding, and CORS with separate
//! allow-lists for posting and for reading.

use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The read token given in a request, from `Authorization: Bearer <token>` (the
/// scheme in any case, RFC 9110 §11.1) or, for `EventSource`, which cannot send
/// headers, from `?access_token=<token>` (RFC 6750 §2.3, percent-decoded).
pub fn given_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim_start().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
    from_header.or_else(|| {
        form_urlencoded::parse(query?.as_bytes())
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.into_owned())
    })
}

/// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
pub fn token_matches(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Which `Host` names are served.
#[derive(Clone, Debug, Default)]
pub struct Hosts {
    /// Loopback names (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`) are accepted.
    pub loopback: bool,
    /// Further names (`--allow-host`), lower case, without port.
    pub names: Vec<String>,
    /// Any name is accepted (listening beyond loopback with no `--allow-host`).
    pub any: bool,
}

impl Hosts {
    /// Whether a request with this `Host` header is served. A request without one
    /// (HTTP/1.0) is: browsers, the only clients DNS rebinding can steer, always send it.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        if self.any {
            return true;
        }
        let name = host_name(host);
        (self.loopback && is_loopback_name(&name)) || self.names.contains(&name)
    }
}

/// The name part of a `Host` header, lower case, without port or trailing dot.
pub fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal keeps its brackets: `[::1]:8787` → `[::1]`.
        match rest.split_once(']') {
            Some((inside, _)) => format!("[{inside}]"),
            None => host.to_owned(),
        }
    } else {
        host.rsplit_once(':')
            .map_or(host, |(name, port)| {
                if port.bytes().all(|b| b.is_ascii_digit()) {
                    name
                } else {
                    host
                }
            })
            .to_owned()
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Which pages may post: their browsers send `Origin`. A page of the collector's own
/// site may always post; others must be listed (`*`: any site).
pub struct PostOrigins {
    any: bool,
    listed: Vec<String>,
}

impl PostOrigins {
    pub fn new(list: &[String]) -> PostOrigins {
        PostOrigins {
            any: list.iter().any(|o| o == "*"),
            listed: list
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a post from `origin` (served to the collector under `host`) is accepted.
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        if self.any || self.listed.contains(&origin) {
            return true;
        }
        // Same site: the origin's host and port are the request's Host (the scheme may
        // differ behind a TLS-terminating proxy). `null` (a sandboxed frame) never matches.
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        host.is_some_and(|h| {
            host_name(h) == host_name(authority) && ports_agree(h, scheme, authority)
        })
    }
}

/// The explicit port of an authority (`name:8787`, `[::1]:8787`), if any.
fn port_of(authority: &str) -> Option<&str> {
    let after_name = match authority.rsplit_once(']') {
        Some((_, rest)) => rest,
        None => authority,
    };
    after_name.rsplit_once(':').map(|(_, port)| port)
}

/// Whether the origin's port (written, or its scheme's default) is the one the request
/// came to, when the `Host` names it: `http://name` is port 80, so it is not the site of a
/// collector on `name:8787`. A `Host` without a port says nothing of it (a proxy in front
/// may drop it, as nginx's `proxy_set_header Host $host` does): any port of that name.
fn ports_agree(host: &str, scheme: &str, authority: &str) -> bool {
    let default = match scheme {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    let origin_port = port_of(authority).unwrap_or(default);
    match port_of(host) {
        Some(port) => port == origin_port,
        None => true,
    }
}

/// Whether a request reads responses (the export, the stream) or works on them (the
/// team's follow-ups), or is the preflight of one: a preflight names the method it asks for.
pub fn is_read(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let asked = if *method == Method::OPTIONS {
        headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::OPTIONS)
    } else {
        method.clone()
    };
    // Follow-ups, read and written, are the team's: never a posting site's.
    path == "/api/stream"
        || path.starts_with("/api/follow-ups")
        || asked == Method::GET
        || asked == Method::HEAD
}

/// CORS: `post_origins` may post (`*`: any site, as a public survey endpoint needs);
/// `read_origins` may read the export and the stream with the token. Keeping the two
/// apart means allowing a site to post never lets it read customers' answers.
pub fn cors(post_origins: &[String], read_origins: &[String]) -> CorsLayer {
    let normalise = |list: &[String]| -> Vec<String> {
        list.iter()
            .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
            .collect()
    };
    let (post, read) = (normalise(post_origins), normalise(read_origins));
    let allowed = move |origin: &HeaderValue, parts: &Parts| {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.to_ascii_lowercase();
        let listed = |list: &[String]| list.iter().any(|o| *o == origin || o == "*");
        if is_read(&parts.method, parts.uri.path(), &parts.headers) {
            read.contains(&origin)
        } else {
            listed(&post)
        }
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(allowed))
        // PUT: a survey may send with `method: "PUT"`, an upsert by id as a post is.
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        // A survey's own `headers` (a key its site sends to every endpoint) must not make
        // the browser refuse each post here; what a header could do is decided by the origin.
        .allow_headers(AllowHeaders::mirror_request())
        // A widget on another site must see how long a `429` or `503` asks it to wait:
        // browsers hide every response header from it that is not named here.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_matches_in_any_case_and_the_query_is_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(given_token(&headers, None).as_deref(), Some("abc"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("BEARER  abc "),
        );
        assert_eq!(given_token(&headers, None).as_deref(), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(given_token(&headers, None), None);
        let empty = HeaderMap::new();
        assert_eq!(
            given_token(&empty, Some("x=1&access_token=a%2Bb%2Fc%3D")).as_deref(),
            Some("a+b/c=")
        );
        assert!(token_matches("a+b/c=", "a+b/c="));
        assert!(!token_matches("a+b/c", "a+b/c="));
    }

    #[test]
    fn posts_come_from_the_same_site_or_a_listed_origin() {
        let listed = PostOrigins::new(&["https://shop.example/".to_string()]);
        assert!(listed.allows("https://shop.example", Some("survey.example.com")));
        assert!(listed.allows("https://SHOP.example", Some("survey.example.com")));
        assert!(listed.allows("http://127.0.0.1:8787", Some("127.0.0.1:8787")));
        assert!(listed.allows("https://survey.example.com", Some("survey.example.com")));
        assert!(listed.allows("https://survey.example.com", Some("survey.example.com:443")));
        assert!(!listed.allows("https://evil.example", Some("survey.example.com")));
        assert!(!listed.allows("null", Some("survey.example.com")));
        assert!(!listed.allows("http://127.0.0.1:9999", Some("127.0.0.1:8787")));
        // No port in the origin is its scheme's: port 80 is another site than :8787.
        assert!(!listed.allows("http://127.0.0.1", Some("127.0.0.1:8787")));
        assert!(listed.allows("http://127.0.0.1", Some("127.0.0.1:80")));
        assert!(listed.allows("http://survey.example.com", Some("survey.example.com")));
        assert!(listed.allows(
            "https://survey.example.com:8443",
            Some("survey.example.com")
        ));
        assert!(!listed.allows("ftp://survey.example.com", Some("survey.example.com")));
        assert!(PostOrigins::new(&["*".to_string()]).allows("null", None));
    }

    #[test]
    fn on_loopback_only_loopback_names_are_served() {
        let hosts = Hosts {
            loopback: true,
            names: vec!["survey.example.com".into()],
            any: false,
        };
        for ok in [
            "localhost:8787",
            "LOCALHOST",
            "app.localhost",
            "127.0.0.1:8787",
            "127.1.2.3",
            "[::1]:8787",
            "survey.example.com.",
            "Survey.Example.com:443",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for refused in [
            "attacker.example",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "10.0.0.1:8787",
            "[::2]",
        ] {
            assert!(!hosts.allows(Some(refused)), "{refused}");
        }
        assert!(hosts.allows(None));
    }
}
