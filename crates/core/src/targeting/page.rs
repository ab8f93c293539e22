//! Page rules (`showOn` / `hideOn`): which pages a survey may prompt on.
//!
//! A pattern is a path glob, optionally followed by `?` and query conditions:
//! `*` matches within one path segment, `**` across segments; a trailing `/` is
//! optional on both sides; `?plan` needs the query key `plan`, `?plan=pro` that exact
//! value, `?a&b=1` both. The path is given decoded (the widget passes the address
//! through `decodeURI`, so `/café` matches `/caf%C3%A9`); query values are compared as
//! written in the address (not percent-decoded).
//!
//! A single-page app that routes by the address's fragment (`/#/billing?tab=plans`) is
//! matched by a pattern with `#`: what follows it is matched against the fragment, with
//! the same rules (`#/billing/*`, `#/billing?tab=plans`); before it, the page's own path,
//! any page when nothing is written there (`/app#/billing` or `#/billing`).

/// Whether the page at `path` with `query` (after `?`, without it) and `fragment` (after
/// `#`, without it, decoded as the path is) matches `pattern`.
pub fn page_matches(pattern: &str, path: &str, query: &str, fragment: &str) -> bool {
    let (page, route) = match pattern.split_once('#') {
        Some((page, route)) => (page, Some(route)),
        None => (pattern, None),
    };
    (page.is_empty() || address_matches(page, path, query))
        && route.is_none_or(|route| {
            let (route_path, route_query) = fragment.split_once('?').unwrap_or((fragment, ""));
            address_matches(route, route_path, route_query)
        })
}

/// Whether any of `patterns` matches.
pub fn any_matches(patterns: &[String], path: &str, query: &str, fragment: &str) -> bool {
    patterns
        .iter()
        .any(|p| page_matches(p, path, query, fragment))
}

/// A path glob with its query conditions, against a path and its query.
fn address_matches(pattern: &str, path: &str, query: &str) -> bool {
    let (glob, conditions) = pattern.split_once('?').unwrap_or((pattern, ""));
    glob_matches(trim_slash(glob.as_bytes()), trim_slash(path.as_bytes()))
        && conditions
            .split('&')
            .filter(|c| !c.is_empty())
            .all(|condition| query.split('&').any(|pair| query_holds(condition, pair)))
}

fn query_holds(condition: &str, pair: &str) -> bool {
    match condition.split_once('=') {
        Some(_) => pair == condition,
        None => pair.split('=').next() == Some(condition),
    }
}

fn trim_slash(s: &[u8]) -> &[u8] {
    match s {
        [rest @ .., b'/'] if !rest.is_empty() => rest,
        _ => s,
    }
}

/// Glob matching as a dynamic programme over the path (O(pattern × path), no
/// backtracking blow-up): `reach[j]` says whether the pattern so far can consume
/// exactly the first `j` bytes of the path.
fn glob_matches(pattern: &[u8], path: &[u8]) -> bool {
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    let mut i = 0;
    while i < pattern.len() {
        if pattern[i] == b'*' {
            let any_segment = pattern.get(i + 1) == Some(&b'*');
            i += if any_segment { 2 } else { 1 };
            for j in 1..=path.len() {
                reach[j] |= reach[j - 1] && (any_segment || path[j - 1] != b'/');
            }
        } else {
            for j in (1..=path.len()).rev() {
                reach[j] = reach[j - 1] && path[j - 1] == pattern[i];
            }
            reach[0] = false;
            i += 1;
        }
    }
    reach[path.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_star_stays_within_a_segment_and_a_double_star_crosses_them() {
        assert!(page_matches("/checkout/*", "/checkout/payment", "", ""));
        assert!(!page_matches(
            "/checkout/*",
            "/checkout/payment/card",
            "",
            ""
        ));
        assert!(!page_matches("/checkout/*", "/checkout", "", ""));
        assert!(page_matches(
            "/checkout/**",
            "/checkout/payment/card",
            "",
            ""
        ));
        assert!(page_matches("/docs/*/setup", "/docs/widget/setup", "", ""));
        assert!(!page_matches("/docs/*/setup", "/docs/a/b/setup", "", ""));
        assert!(page_matches("/docs/**/setup", "/docs/a/b/setup", "", ""));
        assert!(page_matches("**", "/anything/at/all", "", ""));
        assert!(page_matches("/*.html", "/ticket.html", "", ""));
        assert!(!page_matches("/login", "/login-help", "", ""));
        assert!(page_matches("/login*", "/login-help", "", ""));
    }

    #[test]
    fn a_trailing_slash_is_optional_on_both_sides() {
        assert!(page_matches("/pricing", "/pricing/", "", ""));
        assert!(page_matches("/pricing/", "/pricing", "", ""));
        assert!(page_matches("/", "/", "", ""));
        assert!(!page_matches("/", "/pricing", "", ""));
    }

    #[test]
    fn query_conditions_need_the_key_or_the_exact_pair() {
        assert!(page_matches("/search?q", "/search", "q=shoes&page=2", ""));
        assert!(!page_matches("/search?q", "/search", "query=shoes", ""));
        assert!(page_matches(
            "/plans?plan=pro",
            "/plans",
            "x=1&plan=pro",
            ""
        ));
        assert!(!page_matches(
            "/plans?plan=pro",
            "/plans",
            "plan=professional",
            ""
        ));
        assert!(page_matches(
            "/plans?plan=pro&trial",
            "/plans",
            "trial&plan=pro",
            ""
        ));
        assert!(!page_matches(
            "/plans?plan=pro&trial",
            "/plans",
            "plan=pro",
            ""
        ));
        assert!(
            page_matches("/plans?", "/plans", "", ""),
            "an empty condition list holds"
        );
    }

    #[test]
    fn a_long_path_against_many_stars_stays_fast() {
        // Exponential backtracking would never finish this; the table does it at once.
        let path = "/a".repeat(1000) + "/b";
        let pattern = "/**".repeat(20) + "/c";
        assert!(!page_matches(&pattern, &path, "", ""));
        assert!(page_matches(&("/**".repeat(20) + "/b"), &path, "", ""));
    }

    #[test]
    fn a_pattern_with_a_fragment_matches_the_route_of_a_single_page_app() {
        // An app at /app routing by its fragment: /app#/billing/invoices?tab=open.
        let at = |pattern: &str| page_matches(pattern, "/app", "", "/billing/invoices?tab=open");
        assert!(at("#/billing/*"), "any page, that route");
        assert!(at("/app#/billing/**"));
        assert!(at("#/billing/invoices?tab=open"));
        assert!(at("#/billing/invoices?tab"));
        assert!(!at("#/billing/invoices?tab=closed"));
        assert!(!at("#/billing"), "a route glob matches the whole route");
        assert!(!at("/shop#/billing/*"), "the page's path still counts");
        // A pattern without a fragment ignores it, as before; one with a fragment needs one.
        assert!(at("/app"));
        assert!(!page_matches("#/billing/*", "/app", "", ""));
        // The page's query and the route's are each read in their own place.
        assert!(page_matches(
            "/app?beta#/settings",
            "/app",
            "beta",
            "/settings"
        ));
        assert!(!page_matches(
            "/app?beta#/settings",
            "/app",
            "",
            "/settings?beta"
        ));
    }
}
