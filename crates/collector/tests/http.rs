//! The collector over real HTTP on loopback, against a real SQLite file.

mod support;

use serde_json::{json, Value};
use support::*;

#[test]
fn valid_posts_are_stored_and_bad_ones_get_the_right_status() {
    let c = Collector::start(&[]);
    assert_eq!(
        c.post(&response("a", 9, true)),
        (200, json!({ "stored": 1 }))
    );
    assert_eq!(
        c.post(&json!([response("b", 3, true), response("c", 7, false)])),
        (200, json!({ "stored": 2 }))
    );
    let (status, body) = c.post(&json!({ "id": "d", "kind": "nps", "score": 11 }));
    assert_eq!(status, 422);
    assert_eq!(body["field"], "score");
    assert_eq!(
        body["error"],
        "score: expected an integer in 0..=10 for nps, got 11"
    );
    let (status, body) =
        c.post(&json!([response("e", 1, true), { "id": "f", "kind": "xyz", "score": 1 }]));
    assert_eq!((status, body["field"].as_str()), (422, Some("[1].kind")));
    let (status, body) = c.post(&json!([response("e2", 1, true), 7]));
    assert_eq!((status, body["field"].as_str()), (422, Some("[1]")));
    let (status, body) = c.post(&json!([]));
    assert_eq!(status, 422, "{body}");
    // A misspelt field would have been dropped with the customer's words in it: refused by name.
    let (status, body) =
        c.post(&json!({ "id": "h", "kind": "nps", "score": 3, "coment": "the app crashed" }));
    assert_eq!((status, body["field"].as_str()), (422, Some("coment")));
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("coment: unknown field of a response; expected schema, id, surveyId"),
        "{body}"
    );
    let (status, body) = c.post(&json!([response("h1", 1, true), { "type": "impression", "id": "h2", "kind": "nps", "shown": true }]));
    assert_eq!((status, body["field"].as_str()), (422, Some("[1].shown")));
    // What the widget writes is taken, every field of it.
    let mut full = response("h3", 9, true);
    for (key, value) in [
        ("group", json!("promoter")),
        ("updatedAt", json!("2026-11-28T10:00:00.000Z")),
        ("page", json!("https://shop.example/checkout")),
    ] {
        full[key] = value;
    }
    assert_eq!(c.post(&full), (200, json!({ "stored": 1 })));
    let (status, _) = request(&c.url, "POST", "/api/responses", "{not json", &[]);
    assert_eq!(status, 400);
    let big = json!({ "id": "g", "kind": "nps", "score": 1, "comment": "x".repeat(70 * 1024) });
    let (status, body) = c.post(&big);
    assert_eq!(status, 413);
    assert_eq!(
        body["error"],
        format!("the body is larger than the limit of {} bytes", 64 * 1024)
    );
    // A sendBeacon-style text/plain body is still JSON to us.
    let (status, _) = request(
        &c.url,
        "POST",
        "/api/responses",
        &response("h", 10, true).to_string(),
        &[("Content-Type", "text/plain;charset=UTF-8")],
    );
    assert_eq!(status, 200);
    assert_eq!(
        request(&c.url, "GET", "/healthz", "", &[]),
        (200, "ok".into())
    );
    // Nothing of the refused batches (e, e2, h1) was stored.
    let ids: Vec<String> = c
        .ndjson()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "h3", "h"]);
}

#[test]
fn the_server_derives_the_group_and_a_partial_never_replaces_a_complete_response() {
    let c = Collector::start(&[]);
    let mut claim = response("r1", 2, false);
    claim["group"] = json!("promoter");
    c.post(&claim);
    assert_eq!(c.ndjson()[0]["group"], "detractor");
    // partial -> complete: the complete one wins.
    let mut complete = response("r1", 3, true);
    complete["comment"] = json!("slow");
    c.post(&complete);
    // complete -> late partial (a retried partial): ignored.
    c.post(&response("r1", 2, false));
    // a re-send of the complete one does not count twice.
    c.post(&complete);
    let rows = c.ndjson();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0]["score"].as_u64(),
            rows[0]["complete"].as_bool(),
            rows[0]["comment"].as_str()
        ),
        (Some(3), Some(true), Some("slow"))
    );
    assert!(rows[0]["receivedAt"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn csv_export_quotes_what_needs_quoting_and_flattens_metadata() {
    let c = Collector::start(&[]);
    let tricky = "Hola, \"amigo\"\nsegunda línea — ñandú 🙂";
    let mut r = response("q1", 8, true);
    r["comment"] = json!(tricky);
    r["reasons"] = json!(["price", "support"]);
    r["metadata"] = json!({ "agent": "ana, maría", "touchpoint": "returns" });
    c.post(&r);
    c.post(&response("q2", 10, true));
    let (status, text) = c.export("?format=csv");
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &headers[..7],
        ["id", "surveyId", "kind", "score", "group", "answers", "comment"]
    );
    assert_eq!(&headers[15..], ["metadata.agent", "metadata.touchpoint"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("comment")], tricky);
    assert_eq!(&rows[0][col("reasons")], "price|support");
    assert_eq!(&rows[0][col("metadata.agent")], "ana, maría");
    assert_eq!(&rows[0][col("group")], "passive");
    assert_eq!(&rows[1][col("metadata.touchpoint")], "");
    assert_eq!(&rows[1][col("metadata.agent")], "ana");
}

#[test]
fn export_filters_by_survey_and_time_and_refuses_bad_parameters() {
    let c = Collector::start(&[]);
    c.post(&response("s1", 5, true));
    let mut other = response("s2", 5, true);
    other["surveyId"] = json!("other");
    c.post(&other);
    assert_eq!(c.export("?survey=other").1.lines().count(), 1);
    assert_eq!(c.export("?since=2000-01-01T00:00:00Z").1.lines().count(), 2);
    assert_eq!(c.export("?since=2999-01-01T00:00:00Z").1.lines().count(), 0);
    assert_eq!(c.export("?since=yesterday").0, 400);
    assert_eq!(c.export("?format=xml").0, 400);
    // A misspelt, repeated or empty parameter would have given other rows than asked for.
    let (status, body) = c.export("?formt=csv");
    assert_eq!(status, 400);
    assert!(body.contains("formt: unknown parameter"), "{body}");
    let (status, body) = c.export("?since=2999-01-01T00:00:00Z&since=2000-01-01T00:00:00Z");
    assert_eq!(status, 400);
    assert!(body.contains("since: given twice"), "{body}");
    assert_eq!(c.export("?survey=").0, 400);
    assert_eq!(
        c.export("?format=csv&raw=1&survey=other&since=2000-01-01")
            .0,
        200
    );
    // A client's cache-buster is let be.
    assert_eq!(
        c.export("?survey=other&_=1764300000000").1.lines().count(),
        1
    );
}

#[test]
fn export_since_counts_milliseconds_and_reads_an_unencoded_zone_sign() {
    let c = Collector::start(&[]);
    c.post(&response("ms", 5, true));
    let received = c.ndjson()[0]["receivedAt"].as_str().unwrap().to_string();
    // "…:SS.mmmZ": the same instant in +00:00, then one millisecond later.
    let (second, millis) = received.trim_end_matches('Z').rsplit_once('.').unwrap();
    let millis: u32 = millis.parse().unwrap();
    let count = |since: &str| c.export(&format!("?since={since}")).1.lines().count();
    assert_eq!(count(&received), 1);
    // A `+` left unencoded in a URL is a space to a query reader.
    assert_eq!(count(&format!("{second}.{millis:03}+00:00")), 1);
    if millis < 999 {
        assert_eq!(count(&format!("{second}.{:03}Z", millis + 1)), 0);
        assert_eq!(count(&format!("{second}.{:03}+00:00", millis + 1)), 0);
    }
    assert_eq!(c.export("?since=2026-11-22T10:00:00+1:00").0, 400);
}

#[test]
fn cors_preflight_is_allowed_for_listed_origins_only() {
    let c = Collector::start(&["--allow-origin", "https://shop.example"]);
    let preflight = |origin: &str| {
        raw(
            &c.url,
            "OPTIONS",
            "/api/responses",
            "",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
        )
        .1
        .to_ascii_lowercase()
    };
    assert!(preflight("https://shop.example")
        .contains("access-control-allow-origin: https://shop.example"));
    assert!(!preflight("https://evil.example").contains("access-control-allow-origin"));
    // A survey with `method: "PUT"` and `headers` of its own is let through, and PUT stores.
    let (_, head, _) = raw(
        &c.url,
        "OPTIONS",
        "/api/responses",
        "",
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-site-key"),
        ],
    );
    let head = head.to_ascii_lowercase();
    let allowed = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        allowed("access-control-allow-methods").contains("put"),
        "{head}"
    );
    assert!(
        allowed("access-control-allow-headers").contains("x-site-key"),
        "{head}"
    );
    let (status, head, _) = raw(
        &c.url,
        "PUT",
        "/api/responses",
        &response("put-1", 4, true).to_string(),
        &[
            ("Origin", "https://shop.example"),
            ("Content-Type", "application/json"),
            ("X-Site-Key", "k"),
        ],
    );
    assert_eq!(status, 200, "{head}");
    assert_eq!(c.ndjson()[0]["id"], "put-1");
    // The answer names Retry-After as readable: a rate-limited widget on the shop's pages
    // must see how long to wait.
    assert!(head
        .to_ascii_lowercase()
        .contains("access-control-expose-headers: retry-after"));
}

#[test]
fn reading_needs_the_token_when_one_is_set() {
    let c = Collector::start(&["--read-token", "s3cret-s3cret-s3cret"]);
    assert_eq!(
        c.post(&response("t1", 9, true)).0,
        200,
        "posting needs no token"
    );
    assert_eq!(c.export("").0, 401);
    assert_eq!(
        request(
            &c.url,
            "GET",
            "/api/responses",
            "",
            &[("Authorization", "Bearer wrong")]
        )
        .0,
        401
    );
    let (status, body) = request(
        &c.url,
        "GET",
        "/api/responses",
        "",
        &[("Authorization", "Bearer s3cret-s3cret-s3cret")],
    );
    assert_eq!((status, body.lines().count()), (200, 1));
}

#[test]
fn acknowledged_responses_survive_kill_minus_nine() {
    let mut c = Collector::start(&[]);
    for i in 0..50 {
        assert_eq!(
            c.post(&response(&format!("k{i}"), (i % 11) as u8, true)).0,
            200
        );
    }
    c.child.kill().unwrap(); // SIGKILL: no chance to flush anything
    c.child.wait().unwrap();
    let dir = std::mem::replace(&mut c._dir, tempfile::tempdir().unwrap());
    let restarted = Collector::start_on(dir, c.db.clone(), &[]);
    let rows = restarted.ndjson();
    assert_eq!(rows.len(), 50);
    for i in 0..50 {
        assert!(rows.iter().any(|r| r["id"] == format!("k{i}")), "k{i} lost");
    }
}

#[test]
fn many_concurrent_clients_lose_nothing_and_double_nothing() {
    // 4,800 posts from one address: far over the default rate limit, which has its own test.
    let c = Collector::start(&["--rate-limit", "0"]);
    let url = c.url.clone();
    let clients: Vec<_> = (0..32)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let id = format!("c{t}-{i}");
                    // Each response is posted partial, then complete, then complete again (a retry).
                    for complete in [false, true, true] {
                        let (status, _) = request(
                            &url,
                            "POST",
                            "/api/responses",
                            &response(&id, 9, complete).to_string(),
                            &[],
                        );
                        assert_eq!(status, 200);
                    }
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    let rows = c.ndjson();
    assert_eq!(rows.len(), 32 * 50);
    let ids: std::collections::HashSet<&str> =
        rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 32 * 50);
    assert!(rows.iter().all(|r| r["complete"] == true));
}

#[test]
fn the_stream_sends_each_stored_response_as_an_event() {
    use std::io::{Read, Write};
    // The stream outlives the connection age limit: that ends keep-alive, not a response.
    let c = Collector::start(&["--max-connection-age", "1"]);
    let host = c.url.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream
        .write_all(format!("GET /api/stream HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap(); // headers
    let head = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
    assert!(head.contains("text/event-stream"), "{head}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    c.post(&response("live1", 10, true));
    let mut seen = String::new();
    while !seen.contains("live1") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("event: response"));
    let data = seen.lines().find(|l| l.starts_with("data: ")).unwrap();
    let event: Value = serde_json::from_str(&data[6..]).unwrap();
    assert_eq!(
        (event["id"].as_str(), event["group"].as_str()),
        (Some("live1"), Some("promoter"))
    );
}

#[test]
fn pages_are_served_with_the_strict_policy_and_wasm_with_its_type() {
    let c = Collector::start(&[]);
    let (status, head, _) = raw(&c.url, "GET", "/", "", &[]);
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains(
        "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
    ));
    assert!(head.contains("x-content-type-options: nosniff"));
    let (status, head, _) = raw(&c.url, "GET", "/dist/w.wasm", "", &[]);
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/wasm"));
}

#[test]
fn a_resend_of_the_stored_response_keeps_its_first_received_at() {
    let c = Collector::start(&[]);
    let r = response("same", 6, true);
    c.post(&r);
    let first = c.ndjson()[0]["receivedAt"].clone();
    // Later than the millisecond clock's resolution, so a rewrite would show.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(c.post(&r), (200, json!({ "stored": 1 })));
    let rows = c.ndjson();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["receivedAt"], first);
    // A changed payload under the same id is a new version: it replaces and is received anew.
    let mut changed = r.clone();
    changed["comment"] = json!("added later");
    c.post(&changed);
    let rows = c.ndjson();
    assert_eq!(rows[0]["comment"], "added later");
    assert_ne!(rows[0]["receivedAt"], first);
}

#[test]
fn every_csv_field_reads_back_exactly_as_posted() {
    let c = Collector::start(&[]);
    // Edge spaces cannot survive core's sanitising; the unit test of push_csv_field covers them.
    let comment = " edge spaces, a \"quote\", CR\r\nLF and émojis 🙂 ";
    let r = json!({ "schema": 1, "id": "f1", "surveyId": "post-ticket", "kind": "csat", "score": 2,
        "comment": comment, "reasons": ["wait", "price"], "complete": true, "locale": "es",
        "page": "https://example.com/help,faq?a=1,b=2", "createdAt": "2026-11-22T10:00:00Z",
        "submittedAt": "2026-11-22T10:00:41Z", "user": { "id": "u-42" },
        "metadata": { "zeta": "last, \"really\"", "agent": "José", "=cmd": "=1+1" } });
    assert_eq!(c.post(&r).0, 200);
    let received = c.ndjson()[0]["receivedAt"].as_str().unwrap().to_string();
    let text = c.export("?format=csv").1;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let row: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    // Metadata columns sorted by key (byte order: '=' sorts before letters).
    let expected: Vec<(&str, &str)> = vec![
        ("id", "f1"),
        ("surveyId", "post-ticket"),
        ("kind", "csat"),
        ("score", "2"),
        ("group", "low"), // CSAT 1–2 is low
        ("answers", ""),  // a single question: schema 1, no answers
        // Core's sanitising (the widget's rule) trims and turns CRLF into LF.
        ("comment", "edge spaces, a \"quote\", CR\nLF and émojis 🙂"),
        ("reasons", "wait|price"),
        ("complete", "true"),
        ("locale", "es"),
        ("page", "https://example.com/help,faq"), // stored without its query
        ("createdAt", "2026-11-22T10:00:00Z"),
        ("submittedAt", "2026-11-22T10:00:41Z"),
        ("receivedAt", &received),
        ("user.id", "u-42"),
        ("metadata.=cmd", "'=1+1"), // a formula is neutralised (OWASP); ?raw=1 below gives the text
        ("metadata.agent", "José"),
        ("metadata.zeta", "last, \"really\""),
    ];
    let actual: Vec<(&str, &str)> = headers
        .iter()
        .map(String::as_str)
        .zip(row.iter().map(String::as_str))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(reader.records().count(), 0);
    let raw = c.export("?format=csv&raw=1").1;
    let mut reader = csv::Reader::from_reader(raw.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    let at = headers.iter().position(|h| h == "metadata.=cmd").unwrap();
    assert_eq!(row.get(at), Some("=1+1"), "raw=1 keeps the exact text");
}

#[test]
fn the_stream_alone_accepts_the_read_token_as_a_query_parameter_for_event_source() {
    let c = Collector::start(&["--read-token", "t0k-t0k-t0k-t0k-t0k"]);
    let (status, head, _) = raw(&c.url, "HEAD", "/api/stream", "", &[]);
    assert_eq!(status, 401, "{head}");
    let (status, head, _) = raw(
        &c.url,
        "HEAD",
        "/api/stream?access_token=t0k-t0k-t0k-t0k-t0k",
        "",
        &[],
    );
    assert_eq!(status, 200, "{head}");
    let (status, _, _) = raw(&c.url, "HEAD", "/api/stream?access_token=nope", "", &[]);
    assert_eq!(status, 401);
    // A URL ends up in proxies' logs: the export and the follow-ups take the header alone.
    let (status, _) = c.export("?format=ndjson&access_token=t0k-t0k-t0k-t0k-t0k");
    assert_eq!(status, 401);
    let (status, _, _) = raw(
        &c.url,
        "GET",
        "/api/follow-ups?access_token=t0k-t0k-t0k-t0k-t0k",
        "",
        &[],
    );
    assert_eq!(status, 401);
}

#[test]
fn sigterm_ends_open_event_streams_and_exits_cleanly() {
    use std::io::{Read, Write};
    let mut c = Collector::start(&[]);
    let host = c.url.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream
        .write_all(format!("GET /api/stream HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("text/event-stream"));
    assert_eq!(c.post(&response("before-stop", 9, true)).0, 200);
    let status = Command::new("kill")
        .args(["-TERM", &c.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = c.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after SIGTERM with a stream open"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let restarted = Collector::start_on(
        std::mem::replace(&mut c._dir, tempfile::tempdir().unwrap()),
        c.db.clone(),
        &[],
    );
    assert_eq!(restarted.ndjson()[0]["id"], "before-stop");
}

#[test]
fn cors_star_allows_any_origin_and_the_post_itself_carries_the_header() {
    let c = Collector::start(&["--allow-origin", "*"]);
    let (status, head, _) = raw(
        &c.url,
        "OPTIONS",
        "/api/responses",
        "",
        &[
            ("Origin", "https://anywhere.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    assert!(status < 300, "preflight status {status}");
    assert!(head
        .to_ascii_lowercase()
        .contains("access-control-allow-origin: *"));
    let (status, head, _) = raw(
        &c.url,
        "POST",
        "/api/responses",
        &response("x1", 4, true).to_string(),
        &[("Origin", "https://anywhere.example")],
    );
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("access-control-allow-origin: *"));
    // Posting from anywhere never lets that page read the answers back.
    let (_, head, _) = raw(
        &c.url,
        "GET",
        "/api/responses",
        "",
        &[("Origin", "https://anywhere.example")],
    );
    assert!(!head
        .to_ascii_lowercase()
        .contains("access-control-allow-origin"));
}

#[test]
fn the_body_limit_follows_the_max_body_flag() {
    let c = Collector::start(&["--max-body", "300"]);
    let small = response("m1", 5, true);
    let mut big = response("m2", 5, true);
    big["comment"] = json!("y".repeat(400));
    assert!(small.to_string().len() <= 300 && big.to_string().len() > 300);
    assert_eq!(c.post(&small).0, 200);
    assert_eq!(c.post(&big).0, 413);
    assert_eq!(c.ndjson().len(), 1);
}

#[test]
fn display_records_are_stored_apart_once_each_and_exported_as_ndjson() {
    let c = Collector::start(&[]);
    let shown = |id: &str| {
        json!({ "schema": 1, "type": "impression", "id": id, "surveyId": "post-ticket", "kind": "csat",
                "metadata": { "agent": "ana" }, "shownAt": "2026-11-26T10:00:00.000Z" })
    };
    // A batch mixing a display record and the response to it, then the record re-sent.
    let (status, body) = c.post(&json!([
        shown("r-1"),
        response("r-1", 9, true),
        shown("r-2")
    ]));
    assert_eq!((status, body["stored"].as_u64()), (200, Some(3)));
    assert_eq!(c.post(&shown("r-1")).0, 200);
    let (status, text) = request(&c.url, "GET", "/api/impressions?format=ndjson", "", &[]);
    assert_eq!(status, 200);
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(records[0], shown("r-1"));
    // The responses' export holds responses only.
    assert_eq!(c.ndjson().len(), 1);
    // A bad record is refused naming its field; a CSV of records is not offered.
    let (status, body) = c.post(&json!({ "type": "impression", "id": "r 3", "kind": "csat" }));
    assert_eq!((status, body["field"].as_str()), (422, Some("id")));
    assert_eq!(
        request(&c.url, "GET", "/api/impressions?format=csv", "", &[]).0,
        400
    );
}

#[test]
fn an_anonymous_answer_is_received_to_the_day() {
    let c = Collector::start(&[]);
    let mut anonymous = response("pulse-1", 9, true);
    anonymous["kind"] = json!("enps");
    anonymous["anonymous"] = json!(true);
    assert_eq!(c.post(&anonymous).0, 200);
    assert_eq!(c.post(&response("named-1", 9, true)).0, 200);
    let rows = c.ndjson();
    let received = |id: &str| {
        rows.iter().find(|r| r["id"] == id).unwrap()["receivedAt"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        received("pulse-1").contains("T00:00:00"),
        "{}",
        received("pulse-1")
    );
    assert_eq!(
        rows.iter().find(|r| r["id"] == "pulse-1").unwrap()["anonymous"],
        true
    );
    // A bad flag names itself.
    let mut bad = response("pulse-2", 9, true);
    bad["anonymous"] = json!("yes");
    let (status, body) = c.post(&bad);
    assert_eq!((status, body["field"].as_str()), (422, Some("anonymous")));
}

#[test]
fn a_multi_question_response_is_stored_exported_and_scored_per_question() {
    let c = Collector::start(&[]);
    let answers = |n: usize| {
        let all = [
            ("satisfaction", "csat", 2),
            ("resolved", "yesno", 0),
            ("agent", "rating", 5),
        ];
        Value::Array(
            all[..n]
                .iter()
                .map(|(k, kind, s)| json!({ "key": k, "kind": kind, "score": s }))
                .collect(),
        )
    };
    let partial = json!({ "schema": 2, "id": "t1", "surveyId": "tls", "kind": "csat", "score": 2,
        "answers": answers(2), "complete": false, "metadata": { "agent": "ana" } });
    assert_eq!(c.post(&partial).0, 200);
    let mut complete = partial.clone();
    complete["answers"] = answers(3);
    complete["complete"] = json!(true);
    assert_eq!(c.post(&complete).0, 200);
    // A late partial of two answers does not undo the three.
    assert_eq!(c.post(&partial).0, 200);
    let stored = c.ndjson();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["schema"], 2);
    assert_eq!(stored[0]["answers"], answers(3));
    // A bad answer is refused with its place named.
    let mut bad = complete.clone();
    bad["id"] = json!("t2");
    bad["answers"][1]["score"] = json!(3);
    let (status, body) = c.post(&bad);
    assert_eq!(status, 422);
    assert!(body.to_string().contains("answers[1].score"), "{body}");
    // The CSV carries the answers as JSON; the scorer reads them back per question.
    let text = c.export("?format=csv").1;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = headers.iter().position(|h| h == "answers").unwrap();
    let row = reader.records().next().unwrap().unwrap();
    let cell: Value = serde_json::from_str(&row[at]).unwrap();
    assert_eq!(cell, answers(3));
    let mut state = sondeo_core::score::ScoreState::default();
    let mut importer = sondeo_core::import::Importer::new(sondeo_core::import::Format::Csv);
    importer.feed(text.as_bytes(), &mut |r| state.add(r));
    importer.finish(&mut |r| state.add(r));
    let agent = &state.questions.surveys["tls"]["agent:rating"].scores;
    assert_eq!(
        (agent.kind, agent.n(), agent.mean()),
        (sondeo_core::Kind::Rating, 1, 5.0)
    );
}

#[test]
fn versions_of_one_id_in_one_post_apply_in_order_and_a_refused_post_leaves_no_trace() {
    let c = Collector::start(&[]);
    // The complete answer, then a late partial of it, in one array: the partial changes nothing.
    let batch = json!([response("same", 9, true), response("same", 3, false)]);
    assert_eq!(c.post(&batch).0, 200);
    let stored = c.ndjson();
    assert_eq!(
        (
            stored.len(),
            stored[0]["score"].as_u64(),
            stored[0]["complete"].as_bool()
        ),
        (1, Some(9), Some(true))
    );
    // A post whose second response reuses that id under another survey: all of it refused,
    // its first response (and its display record) included.
    let mut other = response("same", 5, true);
    other["surveyId"] = json!("another");
    let shown = json!({ "schema": 1, "type": "impression", "id": "fresh", "surveyId": "nps", "kind": "nps" });
    let (status, _) = c.post(&json!([response("fresh", 7, true), other, shown]));
    assert_eq!(status, 409);
    let ids: Vec<Value> = c.ndjson().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [json!("same")]);
    let shown = request(&c.url, "GET", "/api/impressions?format=ndjson", "", &[]).1;
    assert_eq!(
        shown.lines().count(),
        0,
        "no display record either: {shown}"
    );
}

#[test]
fn a_version_made_earlier_does_not_undo_a_later_one_whatever_the_order_of_arrival() {
    let c = Collector::start(&[]);
    let post = |id: &str, score: u8, complete: bool, updated: Option<&str>| {
        let mut body = json!({ "schema": 1, "id": id, "surveyId": "s", "kind": "nps", "score": score, "complete": complete });
        if let Some(t) = updated {
            body["updatedAt"] = json!(t);
        }
        assert_eq!(c.post(&body).0, 200);
        let rows = c.ndjson();
        let row = rows.iter().find(|r| r["id"] == id).unwrap();
        row["score"].as_u64().unwrap()
    };
    // The visitor chose 3, then 9, within one second: the post of 3, held up on the way,
    // arrives last.
    assert_eq!(post("held", 9, false, Some("2026-11-26T10:00:05.200Z")), 9);
    assert_eq!(
        post("held", 3, false, Some("2026-11-26T10:00:05.100Z")),
        9,
        "the later choice stays"
    );
    // Times compare as instants: 10:30 at +01:00 is 09:30 UTC, before 10:00:05 UTC.
    assert_eq!(post("held", 4, false, Some("2026-11-26T10:30:00+01:00")), 9);
    assert_eq!(
        post("held", 7, false, Some("2026-11-26T11:00:05.300+01:00")),
        7
    );
    // A sender without updatedAt is taken in the order it arrives.
    assert_eq!(post("held", 6, false, None), 6);
    // Two submissions of one response (the email link answered again): the later one stays.
    assert_eq!(post("held", 10, true, Some("2026-11-26T10:05:00Z")), 10);
    assert_eq!(post("held", 8, true, Some("2026-11-26T10:04:00Z")), 10);
    // A complete answer still wins over any partial, however late the partial was made.
    assert_eq!(post("held", 1, false, Some("2026-11-26T11:00:00Z")), 10);

    // A time far ahead of the collector's clock orders nothing: whoever knows a ticket's
    // response id cannot pin a version that the customer's own answer could not replace.
    assert_eq!(post("ticket-123", 0, true, Some("9999-12-31T23:59:59Z")), 0);
    assert_eq!(post("ticket-123", 9, true, Some("2026-11-26T10:00:00Z")), 9);
    assert_eq!(post("ticket-123", 2, true, Some("9999-12-31T23:59:59Z")), 2);
    assert_eq!(post("ticket-123", 8, true, Some("2026-11-26T10:00:01Z")), 8);
}

#[test]
fn a_partial_that_knows_more_answers_is_kept_though_made_earlier() {
    let c = Collector::start(&[]);
    let post = |answers: &[(&str, &str, u8)], updated: &str| {
        let list: Vec<Value> = answers
            .iter()
            .map(|(k, kind, s)| json!({ "key": k, "kind": kind, "score": s }))
            .collect();
        let body = json!({ "schema": 2, "id": "t1", "surveyId": "tls", "kind": answers[0].1, "score": answers[0].2,
            "answers": list, "complete": false, "updatedAt": updated });
        assert_eq!(c.post(&body).0, 200);
        c.ndjson()[0]["answers"].as_array().unwrap().len()
    };
    // The page reloaded after two answers: its first partial (made later, one answer)
    // arrives before the held-up partial of the earlier page (two answers).
    assert_eq!(post(&[("s", "csat", 4)], "2026-11-26T10:01:00Z"), 1);
    assert_eq!(
        post(
            &[("s", "csat", 4), ("r", "yesno", 1)],
            "2026-11-26T10:00:30Z"
        ),
        2,
        "the answers given are not lost to the order of arrival"
    );
    // In the other order the same two versions end the same.
    assert_eq!(post(&[("s", "csat", 4)], "2026-11-26T10:01:00Z"), 2);
}

#[test]
fn a_partial_that_knows_fewer_answers_does_not_undo_one_that_knows_more() {
    let c = Collector::start(&[]);
    let post = |answers: &[(&str, &str, u8)], complete: bool| {
        let list: Vec<Value> = answers
            .iter()
            .map(|(k, kind, s)| json!({ "key": k, "kind": kind, "score": s }))
            .collect();
        let body = json!({ "schema": 2, "id": "t9", "surveyId": "tls", "kind": answers[0].1, "score": answers[0].2,
            "answers": list, "complete": complete });
        assert_eq!(c.post(&body).0, 200);
        c.ndjson()[0]["answers"].as_array().unwrap().len()
    };
    assert_eq!(post(&[("s", "csat", 4), ("r", "yesno", 0)], false), 2);
    // A late retry of the first partial, or the email link opened again after a reload.
    assert_eq!(
        post(&[("s", "csat", 4)], false),
        2,
        "the second answer is kept"
    );
    // A schema 1 partial (one score, no answers) with the same first score knows less too.
    let schema1 = json!({ "schema": 1, "id": "t9", "surveyId": "tls", "kind": "csat", "score": 4, "complete": false });
    assert_eq!(c.post(&schema1).0, 200);
    assert_eq!(
        c.ndjson()[0]["answers"].as_array().map(Vec::len),
        Some(2),
        "schema 1 keeps the answers"
    );
    // A changed first answer is news, and the answers it does not know stay with it (the
    // email link clicked again with another score: the later questions' answers are not lost).
    assert_eq!(post(&[("s", "csat", 2)], false), 2);
    assert_eq!(
        c.ndjson()[0]["answers"],
        json!([{ "key": "s", "kind": "csat", "score": 2 }, { "key": "r", "kind": "yesno", "score": 0 }])
    );
    assert_eq!(c.ndjson()[0]["score"], 2, "the first answer's score leads");
    // The complete answer always wins, as given.
    assert_eq!(
        post(
            &[("s", "csat", 2), ("r", "yesno", 1), ("a", "rating", 5)],
            true
        ),
        3
    );
}

#[test]
fn the_team_records_its_follow_up_of_a_response_with_the_read_token() {
    let token = "s3cret-s3cret-s3cret";
    let c = Collector::start(&[
        "--read-token",
        token,
        "--allow-origin",
        "https://shop.example",
        "--allow-read-origin",
        "https://dash.example",
    ]);
    assert_eq!(c.post(&response("unhappy", 2, true)).0, 200);
    let auth = format!("Bearer {token}");
    let put = |id: &str, body: &str, auth: &str| {
        let (status, body) = request(
            &c.url,
            "PUT",
            &format!("/api/follow-ups/{id}"),
            body,
            &[
                ("Authorization", auth),
                ("Content-Type", "application/json"),
            ],
        );
        (
            status,
            serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    let list = || {
        let (status, body) = request(
            &c.url,
            "GET",
            "/api/follow-ups",
            "",
            &[("Authorization", &auth)],
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    assert_eq!(list(), json!([]));
    // Without the token, nothing is read or written.
    assert_eq!(
        put("unhappy", r#"{"status":"contacted"}"#, "Bearer wrong").0,
        401
    );
    assert_eq!(request(&c.url, "GET", "/api/follow-ups", "", &[]).0, 401);
    // Called back: the note is kept as text, its invisible characters removed.
    let (status, stored) = put(
        "unhappy",
        r#"{"status":"contacted","note":"Called; refund sent <b>today</b>\u202e"}"#,
        &auth,
    );
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["note"], "Called; refund sent <b>today</b>");
    let listed = list();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        (listed[0]["id"].as_str(), listed[0]["status"].as_str()),
        (Some("unhappy"), Some("contacted"))
    );
    assert!(listed[0]["updatedAt"].as_str().unwrap().ends_with('Z'));
    // Resolved later: one follow-up per response, the latest.
    assert_eq!(put("unhappy", r#"{"status":"resolved"}"#, &auth).0, 200);
    let listed = list();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        (listed[0]["status"].as_str(), listed[0]["note"].as_str()),
        (Some("resolved"), Some(""))
    );
    // Refusals name the field; an unknown response is a 404; nothing is stored for them.
    assert_eq!(
        put("nobody", r#"{"status":"resolved"}"#, &auth),
        (
            404,
            json!({"error": "id: no response has this id", "field": "id"})
        )
    );
    assert_eq!(put("bad%20id", r#"{"status":"resolved"}"#, &auth).0, 404);
    assert_eq!(
        put("unhappy", r#"{"status":"done"}"#, &auth).1["field"],
        "status"
    );
    assert_eq!(
        put("unhappy", r#"{"status":"open","owner":"me"}"#, &auth).1["field"],
        "owner"
    );
    assert_eq!(
        put("unhappy", r#"{"status":"open","note":5}"#, &auth).1["field"],
        "note"
    );
    let long = format!(r#"{{"status":"open","note":"{}"}}"#, "x".repeat(2_001));
    assert_eq!(put("unhappy", &long, &auth).1["field"], "note");
    assert_eq!(
        put("unhappy", r#"{"status":"open","status":"resolved"}"#, &auth).0,
        400
    );
    assert_eq!(put("unhappy", "[]", &auth).0, 422);
    assert_eq!(list()[0]["status"], "resolved");
    // A site allowed to post is not allowed to work on follow-ups from its pages.
    let (status, head, _) = raw(
        &c.url,
        "OPTIONS",
        "/api/follow-ups/unhappy",
        "",
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "PUT"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
    );
    assert!(status < 500, "{status}");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );
    // The dashboard's own site, listed for reading, may.
    let (status, head, _) = raw(
        &c.url,
        "OPTIONS",
        "/api/follow-ups/unhappy",
        "",
        &[
            ("Origin", "https://dash.example"),
            ("Access-Control-Request-Method", "PUT"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
    );
    let head = head.to_ascii_lowercase();
    assert!(status < 300, "{status}");
    assert!(
        head.contains("access-control-allow-origin: https://dash.example"),
        "{head}"
    );
    assert!(head.contains("put"), "{head}");
}
