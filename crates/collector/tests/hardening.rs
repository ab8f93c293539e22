//! The collector on the public internet: stalled and abusive clients, private
//! reads, exact storage. Every test runs the real binary over real sockets.

mod support;

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::*;

fn host(c: &Collector) -> String {
    c.url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (or `limit` passes); returns the bytes and when it closed.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Option<Duration>) {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return (got, Some(started.elapsed())),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return (got, Some(started.elapsed())), // reset
        }
    }
    (got, None)
}

#[test]
fn silent_slow_head_and_idle_keep_alive_connections_are_closed() {
    let c = Collector::start(&["--head-timeout", "1"]);
    let opened = Instant::now();
    let mut silent = TcpStream::connect(host(&c)).unwrap();
    let mut slow = TcpStream::connect(host(&c)).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap(); // never finishes its head
    let mut idle = TcpStream::connect(host(&c)).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    for (name, stream) in [("silent", &mut silent), ("slow head", &mut slow)] {
        let (_, closed) = read_until_closed(stream, Duration::from_secs(5));
        assert!(closed.is_some(), "{name} connection still open after 5 s");
        let open_for = opened.elapsed();
        assert!(
            open_for >= Duration::from_millis(700),
            "{name} closed too early: {open_for:?}"
        );
    }
    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(5));
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(
        closed.is_some(),
        "idle keep-alive connection still open after 5 s"
    );
}

#[test]
fn a_body_that_trickles_gets_408_and_stores_nothing() {
    let c = Collector::start(&["--body-timeout", "1"]);
    let body = response("slow1", 9, true).to_string();
    let mut stream = TcpStream::connect(host(&c)).unwrap();
    write!(
        stream,
        "POST /api/responses HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5));
    assert!(closed.is_some());
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(c.ndjson().is_empty());
}

#[test]
fn a_client_sending_one_slow_request_after_another_is_closed_once_its_connection_is_old() {
    // Each head takes 1.2 s, inside the 2 s deadline, and another follows at once on the
    // same connection: without an age limit such a connection holds its place for ever.
    let c = Collector::start(&["--head-timeout", "2", "--max-connection-age", "3"]);
    let mut stream = TcpStream::connect(host(&c)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let opened = Instant::now();
    let (mut answered, mut closed_after) = (0, None);
    let mut buf = [0u8; 4096];
    'requests: while opened.elapsed() < Duration::from_secs(20) {
        for part in ["GET /healthz HTTP/1.1\r\n", "Host: localhost\r\n", "\r\n"] {
            std::thread::sleep(Duration::from_millis(400));
            if stream.write_all(part.as_bytes()).is_err() {
                closed_after = Some(opened.elapsed());
                break 'requests;
            }
        }
        let mut answer = Vec::new();
        loop {
            match stream.read(&mut buf) {
                Ok(0) => {
                    closed_after = Some(opened.elapsed());
                    break 'requests;
                }
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) if answer.ends_with(b"ok") => break,
                Err(_) if opened.elapsed() > Duration::from_secs(20) => break 'requests,
                Err(_) => {}
            }
        }
        assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
        answered += 1;
    }
    let closed_after = closed_after.expect("the connection was still open after 20 s");
    // Kept alive while young (two requests or more), closed once 3 s old: by the end of
    // the request then in progress, at most a head's deadline later.
    assert!(
        answered >= 2,
        "only {answered} requests answered before the close"
    );
    assert!(
        closed_after >= Duration::from_secs(3) && closed_after < Duration::from_secs(3 + 2 + 2),
        "closed after {closed_after:?}"
    );
}

/// A post announcing a 60,000-byte body that sends `sent` bytes of it and then stalls,
/// with `headers` (each ending in CRLF); reads on it wait 2 s.
fn stalled_upload(c: &Collector, headers: &str, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(host(c)).unwrap();
    let head = format!("POST /api/responses HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{\"id\":\"");
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .write_all("x".repeat(sent.saturating_sub(7)).as_bytes())
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    stream
}

/// The start of the answer on `stream`, lower-cased, or "" when none came in 2 s.
fn answer_on(stream: &mut TcpStream) -> String {
    let mut answer = [0u8; 1024];
    let n = stream.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..n]).to_ascii_lowercase()
}

#[test]
fn stalled_uploads_hold_the_memory_of_what_they_sent_and_small_posts_still_get_in() {
    // Room for 100 KB of bodies. Uploads that announce 60 KB and send nothing hold nothing
    // (a hundred idle connections once took the room from every post); one that sends
    // 60 KB and stalls holds that, and a second one is told to retry (503, not queued)
    // once its bytes would pass the room. A small post fits beside them, at once.
    let c = Collector::start(&["--upload-memory", "100000", "--body-timeout", "15"]);
    let idle: Vec<TcpStream> = (0..20).map(|_| stalled_upload(&c, "", 0)).collect();
    let first = stalled_upload(&c, "", 59_000);
    std::thread::sleep(Duration::from_millis(300));
    let mut second = stalled_upload(&c, "", 50_000);
    let refused = answer_on(&mut second);
    assert!(refused.starts_with("http/1.1 503"), "{refused}");
    assert!(refused.contains("retry-after: 1"), "{refused}");
    let started = Instant::now();
    assert_eq!(c.post(&response("small-beside", 9, true)).0, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the small post waited {:?}",
        started.elapsed()
    );
    // Once the first upload has ended (its client gone), its room is free again: a third
    // big upload is read (no answer yet: it waits for the rest of its body), not refused.
    drop(first);
    std::thread::sleep(Duration::from_millis(500));
    let mut third = stalled_upload(&c, "", 50_000);
    assert_eq!(
        answer_on(&mut third),
        "",
        "refused after the room was freed"
    );
    drop(idle);
}

#[test]
fn one_client_stalling_uploads_takes_only_its_share_of_the_room() {
    // 1.6 MB of room, a sixteenth (100 KB) per client: the clients are told apart by the
    // trusted proxy's X-Forwarded-For, as behind nginx.
    let c = Collector::start(&[
        "--upload-memory",
        "1600000",
        "--trust-proxy",
        "--read-token",
        "upload-token-0123456789",
    ]);
    let stall =
        |client: &str| stalled_upload(&c, &format!("X-Forwarded-For: {client}\r\n"), 59_000);
    let _first = stall("203.0.113.7");
    std::thread::sleep(Duration::from_millis(300));
    // Its second big upload is past its share, though the room is far from full.
    let mut second = stall("203.0.113.7");
    assert!(answer_on(&mut second).starts_with("http/1.1 503"));
    // Another client's big upload is read (no answer yet: it waits for its body).
    let mut other = stall("198.51.100.9");
    assert_eq!(answer_on(&mut other), "", "another client was refused");
    // And the first client's small post still fits in its share.
    let body = response("small-from-staller", 9, true).to_string();
    let (status, _) = request(
        &c.url,
        "POST",
        "/api/responses",
        &body,
        &[("X-Forwarded-For", "203.0.113.7")],
    );
    assert_eq!(status, 200);
}

#[test]
fn eleven_hundred_idle_sockets_do_not_stop_anyone_else() {
    // This test process needs the descriptors too: as many as its hard limit allows. A
    // machine whose hard limit is 1,024 gets fewer idle sockets, leaving the collector
    // (which has the same limit) places to spare, as it leaves itself some for others.
    let limit = rlimit::increase_nofile_limit(4096).unwrap_or(1024);
    let sockets = 1100.min(limit.saturating_sub(250)) as usize;
    let c = Collector::start(&["--head-timeout", "3"]);
    let idle: Vec<TcpStream> = (0..sockets)
        .map(|_| TcpStream::connect(host(&c)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..5 {
        let (status, body) = request(&c.url, "GET", "/healthz", "", &[]);
        assert_eq!((status, body.as_str()), (200, "ok"), "request {i}");
        assert_eq!(c.post(&response(&format!("busy{i}"), 7, true)).0, 200);
    }
    drop(idle);
}

/// A CSV/NDJSON export far larger than the socket buffers, so that a client that does not read stalls it.
fn fill(c: &Collector, rows: usize) {
    let comment = "x".repeat(4000);
    for batch in 0..rows / 100 {
        let items: Vec<Value> = (0..100)
            .map(|i| {
                let mut r = response(&format!("big{batch}-{i}"), 8, true);
                r["comment"] = json!(comment);
                r
            })
            .collect();
        assert_eq!(c.post(&json!(items)).0, 200);
    }
}

fn start_export_and_stall(c: &Collector) -> TcpStream {
    let mut stream = TcpStream::connect(host(c)).unwrap();
    stream
        .write_all(b"GET /api/responses?format=ndjson HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    stream
}

/// A collector that drops a client who stops reading after 2 s, and takes big batches.
fn short_write_timeout() -> Collector {
    Collector::start(&[
        "--write-timeout",
        "2",
        "--rate-limit",
        "0",
        "--max-body",
        "1000000",
    ])
}

#[test]
fn an_export_nobody_reads_is_dropped_after_the_write_timeout() {
    let c = short_write_timeout();
    fill(&c, 4000); // about 16 MB
    let full = c.export("?format=ndjson").1.len();
    assert!(full > 15_000_000);
    let mut stalled = start_export_and_stall(&c);
    std::thread::sleep(Duration::from_secs(5)); // read nothing meanwhile
    let (got, closed) = read_until_closed(&mut stalled, Duration::from_secs(20));
    assert!(closed.is_some(), "the stalled export still open");
    assert!(
        got.len() < full,
        "a stalled reader got the whole export ({} bytes)",
        got.len()
    );
    // The server is fine for everyone else.
    assert_eq!(c.export("?format=ndjson").1.len(), full);
}

#[test]
fn exports_share_a_bounded_set_of_database_connections() {
    if !sqlite_only("exports_share_a_bounded_set_of_database_connections") {
        return;
    }
    let c = short_write_timeout();
    fill(&c, 1000); // about 4 MB: an export does not fit in the socket buffers
    let db_files = || {
        std::fs::read_dir(format!("/proc/{}/fd", c.child.id()))
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().contains(&c.db))
            .count()
    };
    let at_rest = db_files();
    // Twice as many stalled exports as there are read connections.
    let mut stalled: Vec<TcpStream> = (0..32).map(|_| start_export_and_stall(&c)).collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut busy = 0;
    for stream in &mut stalled {
        let mut head = [0u8; 64];
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        if let Ok(n) = stream.read(&mut head) {
            let text = String::from_utf8_lossy(&head[..n]);
            if text.starts_with("HTTP/1.1 503") {
                busy += 1;
            }
        }
    }
    assert_eq!(busy, 32 - 16, "exports past the pool are told to retry");
    let peak = db_files();
    assert!(
        peak - at_rest <= 3 * 16,
        "descriptors: {at_rest} at rest, {peak} at the peak"
    );
    drop(stalled);
    std::thread::sleep(Duration::from_secs(4)); // the write timeout ends what the clients left
                                                // The connections are reused: more exports, one after another, open no more files.
    for _ in 0..20 {
        assert_eq!(c.export("?format=ndjson").0, 200);
    }
    assert!(
        db_files() <= peak,
        "{} descriptors after, {peak} at the peak",
        db_files()
    );
}

#[test]
fn sigterm_ends_within_ten_seconds_whatever_clients_do_and_keeps_acknowledged_posts() {
    let mut c = Collector::start(&["--rate-limit", "0", "--max-body", "1000000"]);
    fill(&c, 3000);
    let _stalled_exports: Vec<TcpStream> = (0..3).map(|_| start_export_and_stall(&c)).collect();
    let mut upload = TcpStream::connect(host(&c)).unwrap();
    upload
        .write_all(b"POST /api/responses HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\n{\"id\":")
        .unwrap();
    let mut events = TcpStream::connect(host(&c)).unwrap();
    events
        .write_all(b"GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let _idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(host(&c)).unwrap())
        .collect();
    assert_eq!(c.post(&response("acked", 10, true)).0, 200);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &c.child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let exit = loop {
        if let Some(exit) = c.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let restarted = Collector::start_on(
        std::mem::replace(&mut c._dir, tempfile::tempdir().unwrap()),
        c.db.clone(),
        &[],
    );
    assert!(restarted.ndjson().iter().any(|r| r["id"] == "acked"));
}

fn run_to_exit(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sondeo-collector"));
    command
        .args(args)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .env_remove("SONDEO_READ_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = match child.try_wait().unwrap() {
        Some(status) => status.code(),
        None => {
            child.kill().unwrap();
            child.wait().unwrap();
            None // still running: it started
        }
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (code, stderr)
}

#[test]
fn beyond_loopback_it_refuses_to_start_without_a_read_token() {
    let (code, stderr) = run_to_exit(&["--listen", "0.0.0.0:0"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("read token") && stderr.contains("SONDEO_READ_TOKEN"),
        "{stderr}"
    );
    let (code, stderr) = run_to_exit(
        &["--listen", "0.0.0.0:0"],
        &[("SONDEO_READ_TOKEN", "0123456789abcdef0123")],
    );
    assert_eq!(
        code, None,
        "it should run with the token from the environment: {stderr}"
    );
    let (code, stderr) = run_to_exit(&["--read-token", "short"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("at least 16"), "{stderr}");
    let (code, _) = run_to_exit(&["--allow-read-origin", "*"], &[]);
    assert_eq!(code, Some(2));
    // Another site's pages may read only with a token, even on loopback.
    let (code, stderr) = run_to_exit(&["--allow-read-origin", "https://dash.example"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("read token"), "{stderr}");
    // On loopback behind a reverse proxy, it serves the internet all the same.
    for flags in [
        &["--trust-proxy"][..],
        &["--allow-host", "survey.example.com"][..],
    ] {
        let (code, stderr) = run_to_exit(flags, &[]);
        assert_eq!(code, Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains("read token"), "{stderr}");
    }
    let (code, _) = run_to_exit(&["--allow-host", "app.localhost"], &[]);
    assert_eq!(code, None, "a loopback name needs no token");
}

#[test]
fn the_token_comes_from_a_file_in_any_bearer_case_or_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let token = "a+b/c=d&e-0123456789";
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let c = Collector::start(&["--read-token-file", file.to_str().unwrap()]);
    assert_eq!(c.post(&response("tk1", 9, true)).0, 200);
    assert_eq!(c.export("").0, 401);
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} {token}");
        let (status, body) = request(
            &c.url,
            "GET",
            "/api/responses",
            "",
            &[("Authorization", &auth)],
        );
        assert_eq!((status, body.lines().count()), (200, 1), "{scheme}");
    }
    // The stream's query form (for EventSource) is percent-decoded.
    let stream = |query: &str| {
        raw(
            &c.url,
            "HEAD",
            &format!("/api/stream?access_token={query}"),
            "",
            &[],
        )
        .0
    };
    assert_eq!(stream(&form_encode(token)), 200);
    assert_eq!(stream(token), 401, "'+' decodes to a space");
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn on_loopback_other_host_names_are_refused() {
    let c = Collector::start(&[]);
    assert_eq!(c.post(&response("h1", 9, true)).0, 200);
    let mut stream = TcpStream::connect(host(&c)).unwrap();
    stream
        .write_all(b"GET /api/responses HTTP/1.1\r\nHost: rebind.attacker.example:8787\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    assert!(!answer.contains("h1"));
    let mut stream = TcpStream::connect(host(&c)).unwrap();
    stream
        .write_all(
            b"GET /api/responses HTTP/1.1\r\nHost: localhost:8787\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("h1"),
        "{answer}"
    );
}

#[test]
fn posting_origins_cannot_read_and_reading_origins_need_their_own_list() {
    let c = Collector::start(&[
        "--allow-origin",
        "https://shop.example",
        "--allow-read-origin",
        "https://dash.example",
        "--read-token",
        "read-token-0123456789",
    ]);
    let allowed = |method: &str, origin: &str| {
        let (_, head, _) = raw(
            &c.url,
            "OPTIONS",
            "/api/responses",
            "",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", method),
            ],
        );
        head.to_ascii_lowercase()
            .contains(&format!("access-control-allow-origin: {origin}"))
    };
    assert!(allowed("POST", "https://shop.example"));
    assert!(!allowed("GET", "https://shop.example"));
    assert!(allowed("GET", "https://dash.example"));
    assert!(!allowed("POST", "https://evil.example"));
    assert!(!allowed("GET", "https://evil.example"));
}

/// A collector behind a (pretend) proxy, limiting each client to 60 posts a minute, 5 at once.
fn rate_limited() -> Collector {
    Collector::start(&[
        "--rate-limit",
        "60",
        "--rate-burst",
        "5",
        "--trust-proxy",
        "--read-token",
        "rate-token-0123456789",
    ])
}

#[test]
fn one_client_is_rate_limited_with_retry_after_and_others_are_not() {
    let c = rate_limited();
    let post_from = |ip: &str, id: &str| {
        raw(
            &c.url,
            "POST",
            "/api/responses",
            &response(id, 9, true).to_string(),
            &[("X-Forwarded-For", &format!("6.6.6.6, {ip}"))],
        )
    };
    for i in 0..5 {
        assert_eq!(
            post_from("203.0.113.1", &format!("r{i}")).0,
            200,
            "post {i} within the burst"
        );
    }
    let (status, head, body) = post_from("203.0.113.1", "r5");
    assert_eq!(status, 429, "{body}");
    let retry: u64 = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .expect("Retry-After")
        .trim()
        .parse()
        .unwrap();
    assert!(
        (1..=2).contains(&retry),
        "one post a second: retry after {retry} s"
    );
    assert_eq!(
        post_from("203.0.113.2", "other").0,
        200,
        "another client is not limited"
    );
    let auth = [("Authorization", "Bearer rate-token-0123456789")];
    let (_, export) = request(&c.url, "GET", "/api/responses", "", &auth);
    assert_eq!(export.lines().count(), 6);
}

#[test]
fn a_client_cannot_hide_behind_the_proxy_entry_it_spoils() {
    let c = rate_limited();
    // The client's own part of the line holds a byte that is not text; the proxy appended the real address.
    let spoiled = |id: &str| {
        let body = response(id, 9, true).to_string();
        let mut request = format!(
            "POST /api/responses HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Forwarded-For: ",
            host(&c),
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(b"\xff, 203.0.113.77\r\nConnection: close\r\n\r\n");
        request.extend_from_slice(body.as_bytes());
        let mut stream = TcpStream::connect(host(&c)).unwrap();
        stream.write_all(&request).unwrap();
        let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(5));
        String::from_utf8_lossy(&answer)
            .split(' ')
            .nth(1)
            .unwrap_or("")
            .to_owned()
    };
    let statuses: Vec<String> = (0..7).map(|i| spoiled(&format!("x{i}"))).collect();
    assert!(
        statuses.iter().any(|s| s == "429"),
        "the client is limited by the address the proxy wrote: {statuses:?}"
    );
}

#[test]
fn pages_lose_their_query_and_anonymous_answers_lose_who_and_where() {
    let c = Collector::start(&[]);
    let post = |body: Value| {
        let (status, text) = request(&c.url, "POST", "/api/responses", &body.to_string(), &[]);
        assert_eq!(status, 200, "{text}");
    };
    post(
        json!({ "id": "p1", "kind": "nps", "score": 9, "page": "https://shop.example/orders/7;jsessionid=S3CR3T?token=SECRET#top" }),
    );
    post(json!({ "id": "p2", "kind": "nps", "score": 9, "page": "javascript:alert(1)" }));
    post(
        json!({ "id": "p4", "kind": "nps", "score": 9, "page": "https://alice:s3cret@shop.example/a@b/c?x=1" }),
    );
    post(
        json!({ "id": "p3", "kind": "enps", "score": 3, "anonymous": true, "user": { "id": "u-1", "email": "a@b.example" },
        "page": "https://intranet.example/pulse", "metadata": { "team": "support", "email": "a@b.example", "location": "Lisbon" },
        "createdAt": "2026-11-26T17:45:12.345+03:00", "submittedAt": "2026-11-26T23:59:59Z", "updatedAt": "2026-11-27T00:30:00+01:00" }),
    );
    let rows = c.ndjson();
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(by_id("p1")["page"], "https://shop.example/orders/7");
    assert_eq!(by_id("p2").get("page"), None, "only http(s) pages are kept");
    assert_eq!(by_id("p4")["page"], "https://shop.example/a@b/c");
    let anonymous = by_id("p3");
    assert_eq!(anonymous.get("user"), None);
    assert_eq!(anonymous.get("page"), None);
    assert_eq!(
        anonymous["metadata"],
        json!({ "team": "support", "location": "Lisbon" })
    );
    // 17:45 at +03:00 is 14:45 UTC on the same day; both times keep only the day.
    assert_eq!(anonymous["createdAt"], "2026-11-26T00:00:00.000Z");
    assert_eq!(anonymous["submittedAt"], "2026-11-26T00:00:00.000Z");
    // 00:30 at +01:00 is 23:30 UTC the day before.
    assert_eq!(anonymous["updatedAt"], "2026-11-26T00:00:00.000Z");
    assert!(!anonymous.to_string().contains("a@b.example"));
}

#[test]
fn an_id_belongs_to_the_survey_and_kind_that_stored_it_first() {
    let c = Collector::start(&[]);
    assert_eq!(c.post(&response("own", 9, true)).0, 200);
    let mut other_survey = response("own", 1, true);
    other_survey["surveyId"] = json!("other");
    let (status, body) = c.post(&other_survey);
    assert_eq!(
        (status, body["field"].as_str()),
        (409, Some("id")),
        "{body}"
    );
    let mut other_kind = response("own", 1, true);
    other_kind["kind"] = json!("csat");
    assert_eq!(c.post(&other_kind).0, 409);
    // In a batch, the conflict is named by index and nothing of the batch is stored.
    let (status, body) = c.post(&json!([response("fresh", 5, true), other_survey]));
    assert_eq!(
        (status, body["field"].as_str()),
        (409, Some("[1].id")),
        "{body}"
    );
    let rows = c.ndjson();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["surveyId"].as_str(), rows[0]["score"].as_u64()),
        (Some("t"), Some(9))
    );
}

#[test]
fn the_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    if !sqlite_only("the_database_is_private_to_its_owner") {
        return;
    }
    let c = Collector::start(&[]);
    assert_eq!(c.post(&response("p1", 9, true)).0, 200);
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", c.db);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}: {mode:o}");
    }
}

#[test]
fn static_files_stay_inside_their_folder() {
    let c = Collector::start(&[]);
    let www = c._dir.path().join("www");
    std::fs::write(www.join(".env"), "SECRET=1").unwrap();
    std::fs::write(c._dir.path().join("outside.txt"), "SECRET=2").unwrap();
    std::os::unix::fs::symlink(c._dir.path().join("outside.txt"), www.join("out.txt")).unwrap();
    let long = format!("/{}.html", "n".repeat(300));
    for path in [
        "/.env",
        "/%2Eenv",
        "/out.txt",
        long.as_str(),
        "/dist/../.env",
    ] {
        let (status, body) = request(&c.url, "GET", path, "", &[]);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("SECRET"), "{path}");
    }
    assert_eq!(request(&c.url, "GET", "/index.html", "", &[]).0, 200);
}

#[test]
fn csv_keeps_at_most_200_metadata_columns_and_the_rest_in_one_json_column() {
    let c = Collector::start(&[]);
    // 6 posts with 50 keys each: 300 distinct keys; "common" is in every row.
    for p in 0..6 {
        let mut metadata = serde_json::Map::new();
        metadata.insert("common".into(), json!(format!("v{p}")));
        for k in 0..49 {
            metadata.insert(format!("k{p}-{k:02}"), json!(format!("{p}:{k}")));
        }
        let mut r = response(&format!("wide{p}"), 9, true);
        r["metadata"] = Value::Object(metadata);
        assert_eq!(c.post(&r).0, 200);
    }
    let text = c.export("?format=csv").1;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers.len(),
        sondeo_core::schema::CSV_COLUMNS.len() + 200 + 1
    );
    assert_eq!(headers.last().map(String::as_str), Some("metadata"));
    assert!(
        headers.contains(&"metadata.common".to_string()),
        "the most used key keeps its column"
    );
    // Every value is still there, in its column or in the JSON column.
    for (p, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let rest: serde_json::Map<String, Value> = match record.get(headers.len() - 1) {
            Some("") | None => Default::default(),
            Some(json) => serde_json::from_str(json).unwrap(),
        };
        for k in 0..49 {
            let key = format!("k{p}-{k:02}");
            let expected = format!("{p}:{k}");
            let column = headers.iter().position(|h| *h == format!("metadata.{key}"));
            let value = match column {
                Some(i) => record.get(i).unwrap().to_string(),
                None => rest[&key].as_str().unwrap().to_string(),
            };
            assert_eq!(value, expected, "{key}");
        }
    }
}

#[test]
fn numbers_are_stored_as_written_and_a_repeated_key_is_refused() {
    let c = Collector::start(&[]);
    let body = r#"{"schema":1,"id":"n1","kind":"nps","score":9,
        "metadata":{"orderId":1234567890123456,"pi":3.14159265358979,"tiny":0.0000001},"user":{"id":12345678901234567890}}"#;
    let (status, text) = request(&c.url, "POST", "/api/responses", body, &[]);
    assert_eq!(status, 200, "{text}");
    let line = c.export("?format=ndjson").1;
    assert!(line.contains(r#""orderId":"1234567890123456""#), "{line}");
    assert!(line.contains(r#""pi":"3.14159265358979""#), "{line}");
    assert!(line.contains(r#""tiny":"0.0000001""#), "{line}");
    assert!(line.contains(r#""id":"12345678901234567890""#), "{line}");
    let twice = r#"{"id":"n2","kind":"nps","score":9,"metadata":{"agent":"a","agent":"b"}}"#;
    let (status, text) = request(&c.url, "POST", "/api/responses", twice, &[]);
    assert_eq!(status, 400, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["field"], "metadata.agent");
    let (status, _) = request(
        &c.url,
        "POST",
        "/api/responses",
        r#"{"id":"n3","id":"n4","kind":"nps","score":1}"#,
        &[],
    );
    assert_eq!(status, 400);
    assert_eq!(c.ndjson().len(), 1);
}

#[test]
fn bidi_and_invisible_characters_never_reach_the_export() {
    let c = Collector::start(&[]);
    let body = json!({"id":"b1","kind":"nps","score":2,"surveyId":"pay\u{200B}ment",
        "comment":"\u{202E}exe.txt\u{2066} \u{FEFF}ok\u{E0041}","metadata":{"agent\u{202E}":"ana\u{061C}"}});
    assert_eq!(c.post(&body).0, 200);
    let row = &c.ndjson()[0];
    assert_eq!(row["surveyId"], "payment");
    assert_eq!(row["comment"], "exe.txt ok");
    assert_eq!(row["metadata"], json!({"agent": "ana"}));
    // Characters that draw nothing: a soft hyphen, a grapheme joiner, Hangul fillers, a Mongolian separator.
    let body = json!({"id":"b2","kind":"nps","score":2,
        "comment":"pay\u{00AD}pal \u{034F}ok\u{3164}\u{FFA0}\u{115F}\u{180E}\u{17B4}","metadata":{"agent\u{3164}":"ana"}});
    assert_eq!(c.post(&body).0, 200);
    let row = c.ndjson().into_iter().find(|r| r["id"] == "b2").unwrap();
    assert_eq!(row["comment"], "paypal ok");
    assert_eq!(row["metadata"], json!({"agent": "ana"}));
}

#[test]
fn a_body_announced_too_large_is_refused_before_it_is_sent() {
    let c = Collector::start(&[]);
    let mut stream = TcpStream::connect(host(&c)).unwrap();
    let head = format!(
        "POST /api/responses HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n",
        host(&c)
    );
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = [0u8; 256];
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = stream.read(&mut answer).unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered after {:?}",
        started.elapsed()
    );
}

#[test]
fn a_stored_row_that_today_s_rules_would_refuse_still_exports() {
    if !sqlite_only("a_stored_row_that_today_s_rules_would_refuse_still_exports") {
        return;
    }
    let c = Collector::start(&[]);
    assert_eq!(c.post(&response("ok1", 9, true)).0, 200);
    // A row written by an older version, under looser rules: a 600-character metadata value
    // and two keys that differ only by an invisible character.
    let old = json!({"schema":1,"id":"old1","surveyId":"t","kind":"nps","score":3,"group":"detractor","reasons":[],
        "complete":true,"metadata":{"note":"n".repeat(600),"agent":"a","agent\u{200B}":"b"},"receivedAt":"2026-01-01T00:00:00.000Z"});
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    conn.execute(
        "INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json) VALUES ('old1','t','nps',3,1,0,?1)",
        [old.to_string()],
    )
    .unwrap();
    let text = c.export("?format=csv").1;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{text}");
    let note = headers.iter().position(|h| h == "metadata.note").unwrap();
    assert_eq!(rows[1].get(note).unwrap().len(), 600);
}

#[test]
fn only_the_collector_s_own_site_and_listed_origins_may_post() {
    let c = Collector::start(&["--allow-origin", "https://shop.example"]);
    let post = |id: &str, headers: &[(&str, &str)]| {
        raw(
            &c.url,
            "POST",
            "/api/responses",
            &response(id, 9, true).to_string(),
            headers,
        )
        .0
    };
    let own = c.url.clone();
    assert_eq!(post("o1", &[("Origin", "https://shop.example")]), 200);
    assert_eq!(
        post("o2", &[("Origin", &own)]),
        200,
        "the collector's own pages"
    );
    assert_eq!(post("o3", &[]), 200, "a server-side client sends no Origin");
    // A text/plain post needs no preflight, so CORS alone would let any site write.
    assert_eq!(
        post(
            "x1",
            &[
                ("Origin", "https://evil.example"),
                ("Content-Type", "text/plain")
            ]
        ),
        403
    );
    assert_eq!(post("x2", &[("Origin", "null")]), 403);
    let stored: Vec<String> = c
        .ndjson()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored, ["o1", "o2", "o3"]);
}

#[test]
fn two_host_headers_or_a_foreign_absolute_target_are_refused() {
    let c = Collector::start(&[]);
    let send = |request: &str| {
        let mut stream = TcpStream::connect(host(&c)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let answer = send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let answer = send("GET http://evil.example/api/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
}

#[test]
fn the_rate_limit_counts_responses_not_requests() {
    let c = rate_limited();
    let from_one_client = |body: &Value| {
        let forwarded = [("X-Forwarded-For", "198.51.100.4")];
        raw(
            &c.url,
            "POST",
            "/api/responses",
            &body.to_string(),
            &forwarded,
        )
        .0
    };
    let batch = |ids: std::ops::Range<u32>| {
        let items: Vec<Value> = ids.map(|i| response(&format!("b{i}"), 9, true)).collect();
        from_one_client(&json!(items))
    };
    assert_eq!(
        batch(0..6),
        413,
        "a batch larger than the burst can never pass"
    );
    // The refused post still cost one; this 4-item batch takes the other 4.
    assert_eq!(batch(0..4), 200);
    assert_eq!(
        from_one_client(&response("one-more", 9, true)),
        429,
        "the batch used the burst"
    );
    // This machine itself (tests, an undeclared proxy) is never limited.
    assert_eq!(c.post(&response("local", 9, true)).0, 200);
    let auth = [("Authorization", "Bearer rate-token-0123456789")];
    assert_eq!(
        request(&c.url, "GET", "/api/responses", "", &auth)
            .1
            .lines()
            .count(),
        5
    );
}

#[test]
fn the_scorer_reads_the_guarded_capped_csv_back_exactly() {
    use sondeo_core::import::{Format, Importer};
    let c = Collector::start(&[]);
    let mut posted = Vec::new();
    for p in 0..6 {
        let mut metadata = serde_json::Map::new();
        metadata.insert("delta".into(), json!(format!("-{p}")));
        metadata.insert("formula".into(), json!("=1+1"));
        for k in 0..48 {
            metadata.insert(format!("k{p}-{k:02}"), json!(format!("{p}:{k}")));
        }
        let mut r = response(&format!("back{p}"), 9, true);
        r["metadata"] = Value::Object(metadata.clone());
        assert_eq!(c.post(&r).0, 200);
        let mut expected: Vec<(String, String)> = metadata
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
            .collect();
        expected.sort();
        posted.push(expected);
    }
    let csv = c.export("?format=csv").1;
    assert!(
        csv.contains("'-1") && csv.contains("'=1+1"),
        "the export guards formulas"
    );
    let mut read: Vec<Vec<(String, String)>> = Vec::new();
    let mut importer = Importer::new(Format::Csv);
    let mut sink = |row: &sondeo_core::score::Row| {
        let mut m: Vec<(String, String)> = row
            .metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        m.sort();
        read.push(m);
    };
    importer.feed(csv.as_bytes(), &mut sink);
    let report = importer.finish(&mut sink);
    assert_eq!((report.accepted, report.rejected), (6, 0));
    assert_eq!(read, posted);
}

#[test]
fn the_built_widget_is_served_precompressed_cached_and_embeddable_from_other_sites() {
    let c = Collector::start(&[]);
    let dist = c._dir.path().join("dist");
    let js = "export const answer = 42;\n".repeat(50);
    std::fs::write(dist.join("w.js"), &js).unwrap();
    let mut gz = Vec::new();
    {
        // A gzip member with stored (uncompressed) blocks: a valid .gz that needs no crate to write.
        gz.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        let data = js.as_bytes();
        gz.push(1); // final stored block
        gz.extend_from_slice(&(data.len() as u16).to_le_bytes());
        gz.extend_from_slice(&(!(data.len() as u16)).to_le_bytes());
        gz.extend_from_slice(data);
        gz.extend_from_slice(&crc32(data).to_le_bytes());
        gz.extend_from_slice(&(data.len() as u32).to_le_bytes());
    }
    std::fs::write(dist.join("w.js.gz"), &gz).unwrap();
    let (status, head, body) = raw(
        &c.url,
        "GET",
        "/dist/w.js",
        "",
        &[
            ("Accept-Encoding", "gzip"),
            ("Origin", "https://shop.example"),
        ],
    );
    let original_head = head.clone();
    let head = head.to_ascii_lowercase();
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let _ = body; // binary: the helper reads text, so compare the length the server declared
    assert!(
        head.contains(&format!("content-length: {}", gz.len())),
        "the .gz copy is what was sent: {head}"
    );
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    assert!(
        head.contains("cache-control: public, max-age=3600"),
        "{head}"
    );
    let modified = original_head
        .lines()
        .find_map(|l| {
            l.strip_prefix("last-modified: ")
                .or(l.strip_prefix("Last-Modified: "))
        })
        .expect("Last-Modified")
        .to_string();
    // Without gzip in Accept-Encoding, the plain file; and a revalidation costs a 304.
    let (_, head, body) = raw(&c.url, "GET", "/dist/w.js", "", &[]);
    assert!(!head.to_ascii_lowercase().contains("content-encoding"));
    assert_eq!(body, js);
    let (status, _, _) = raw(
        &c.url,
        "GET",
        "/dist/w.js",
        "",
        &[("If-Modified-Since", &modified)],
    );
    assert_eq!(status, 304);
    // Every answer of a file with a compressed copy says it varies by Accept-Encoding, so
    // that a shared cache never hands the gzip bytes to a client that did not ask for them.
    for encoding in ["gzip", "identity"] {
        let (_, head, _) = raw(
            &c.url,
            "GET",
            "/dist/w.js",
            "",
            &[("Accept-Encoding", encoding)],
        );
        assert!(
            head.to_ascii_lowercase().contains("vary: accept-encoding"),
            "{encoding}: {head}"
        );
    }
    // A file that is not there (yet) is not kept as missing.
    let (status, head, _) = raw(&c.url, "GET", "/dist/later.js", "", &[]);
    assert_eq!(status, 404);
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{head}"
    );
}

#[test]
fn answers_are_never_cached_pages_revalidate_and_no_other_site_frames_them() {
    let c = Collector::start(&[]);
    let (status, head, _) = raw(&c.url, "GET", "/api/responses?format=csv", "", &[]);
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{head}"
    );
    let (status, head, _) = raw(&c.url, "GET", "/", "", &[]);
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert!(head.contains("frame-ancestors 'self'"), "{head}");
    assert!(head.contains("x-frame-options: sameorigin"), "{head}");
    assert!(head.contains("referrer-policy: no-referrer"), "{head}");
}

#[test]
fn a_compressed_post_is_refused_with_415_and_stores_nothing() {
    let c = Collector::start(&[]);
    let body = response("enc-1", 9, true).to_string();
    for coding in ["gzip", "br", "deflate"] {
        let (status, head, text) = raw(
            &c.url,
            "POST",
            "/api/responses",
            &body,
            &[("Content-Encoding", coding)],
        );
        assert_eq!(status, 415, "{coding}: {text}");
        assert!(
            head.to_ascii_lowercase()
                .contains("accept-encoding: identity"),
            "{head}"
        );
        assert!(text.contains("Content-Encoding"), "{text}");
    }
    assert!(c.ndjson().is_empty());
    let (status, _, _) = raw(
        &c.url,
        "POST",
        "/api/responses",
        &body,
        &[("Content-Encoding", "identity")],
    );
    assert_eq!(status, 200);
}

#[test]
fn posts_through_an_undeclared_proxy_share_one_limited_bucket_and_the_operator_is_told() {
    // No --trust-proxy: the proxy is this machine, but its clients are not.
    let c = Collector::start(&["--rate-limit", "1", "--rate-burst", "3"]);
    let statuses: Vec<u16> = (0..5)
        .map(|i| {
            raw(
                &c.url,
                "POST",
                "/api/responses",
                &response(&format!("fw{i}"), 9, true).to_string(),
                &[("X-Forwarded-For", &format!("198.51.100.{i}"))],
            )
            .0
        })
        .collect();
    assert_eq!(statuses[..3], [200, 200, 200], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    // A post from this machine itself (no proxy header) is still not limited.
    for i in 0..5 {
        let (status, _, _) = raw(
            &c.url,
            "POST",
            "/api/responses",
            &response(&format!("local{i}"), 9, true).to_string(),
            &[],
        );
        assert_eq!(status, 200);
    }
    let log = c.stderr();
    assert_eq!(log.matches("--trust-proxy").count(), 1, "said once: {log}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_database_file_migrated_by_a_newer_collector_is_refused_with_a_clear_message() {
    if !sqlite_only("a_database_file_migrated_by_a_newer_collector_is_refused") {
        return;
    }
    let c = Collector::start(&[]);
    assert_eq!(c.post(&response("v1", 9, true)).0, 200);
    let mut c = c;
    c.child.kill().unwrap();
    c.child.wait().unwrap();
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3, "a new file is at this collector's schema");
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    assert_refuses_newer_schema(&c.db);
}

#[test]
fn a_body_that_starts_with_a_byte_order_mark_is_read_as_its_json() {
    // Some tools write a BOM before JSON text; RFC 8259 lets a parser ignore it, as the Scorer does.
    let c = Collector::start(&[]);
    let body = format!("\u{feff}{}", response("bom-1", 9, true));
    let (status, _, text) = raw(&c.url, "POST", "/api/responses", &body, &[]);
    assert_eq!(status, 200, "{text}");
    let stored = c.ndjson();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], "bom-1");
    assert_eq!(stored[0]["score"], 9);
    // Only at the start: one inside the text is still not JSON.
    let inside = format!("{}\u{feff}", response("bom-2", 9, true));
    let (status, _, _) = raw(&c.url, "POST", "/api/responses", &inside, &[]);
    assert_eq!(status, 400);
}

#[test]
fn a_database_made_before_follow_ups_is_migrated_and_keeps_its_responses() {
    if !sqlite_only("a_database_made_before_follow_ups_is_migrated") {
        return;
    }
    // Version 1 of the schema, as the collector of the previous release left it.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE responses (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
           survey_id TEXT NOT NULL, kind TEXT NOT NULL, score INTEGER NOT NULL, complete INTEGER NOT NULL,
           received_ms INTEGER NOT NULL, json TEXT NOT NULL);
         CREATE TABLE impressions (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
           survey_id TEXT NOT NULL, received_ms INTEGER NOT NULL, json TEXT NOT NULL);
         INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json) VALUES
           ('old-1', 's', 'nps', 3, 1, 1700000000000,
            '{\"schema\":1,\"id\":\"old-1\",\"surveyId\":\"s\",\"kind\":\"nps\",\"score\":3,\"group\":\"detractor\",\"complete\":true,\"receivedAt\":\"2023-11-14T22:13:20.000Z\"}');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let c = Collector::start_on(dir, db.display().to_string(), &[]);
    assert_eq!(c.ndjson().len(), 1, "the old response is still there");
    let (status, body) = request(
        &c.url,
        "PUT",
        "/api/follow-ups/old-1",
        r#"{"status":"contacted"}"#,
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let version: i64 = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
}
