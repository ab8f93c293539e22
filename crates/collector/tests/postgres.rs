//! Several collectors on one PostgreSQL database (run under `scripts/with-postgres`, which
//! `npm test` does; without it these tests say so and do nothing). The rest of the
//! contract is held by the same `http` and `hardening` tests that run on SQLite.

mod support;

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use support::*;

/// The cluster's URL, and the right to use it alone: some of these tests stop or restart
/// it, which the others must not see.
fn cluster(test: &str) -> Option<(String, std::sync::MutexGuard<'static, ()>)> {
    static ALONE: Mutex<()> = Mutex::new(());
    let Some(base) = postgres() else {
        eprintln!("{test}: needs a PostgreSQL cluster: run it under scripts/with-postgres");
        return None;
    };
    Some((base, ALONE.lock().unwrap_or_else(|e| e.into_inner())))
}

fn script(name: &str) {
    let path = std::env::var(name).unwrap();
    assert!(Command::new(&path).status().unwrap().success(), "{path}");
}

/// The `id` and `complete` of every response event the stream at `url` sends, as they come.
fn watch(url: &str) -> Arc<Mutex<Vec<(String, bool)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let host = url.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .write_all(format!("GET /api/stream HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap();
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut text = String::new();
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
            // Complete lines only; a chunk may end mid-line.
            let Some(end) = text.rfind('\n') else {
                continue;
            };
            for line in text[..end].lines() {
                if let Some(data) = line.strip_prefix("data: ") {
                    if let Ok(event) = serde_json::from_str::<Value>(data) {
                        let id = event["id"].as_str().unwrap_or_default().to_string();
                        sink.lock().unwrap().push((id, event["complete"] == true));
                    }
                }
            }
            text.drain(..=end);
        }
    });
    // The stream is open once its headers are sent; give the server a moment to subscribe.
    std::thread::sleep(Duration::from_millis(200));
    seen
}

#[test]
fn a_response_posted_through_one_collector_reaches_the_other_s_stream_within_a_second() {
    let Some((base, _alone)) = cluster("two collectors") else {
        return;
    };
    let db = new_postgres_database(&base);
    let a = Collector::start_on(tempfile::tempdir().unwrap(), db.clone(), &[]);
    let b = Collector::start_on(tempfile::tempdir().unwrap(), db, &[]);
    let seen = watch(&a.url);
    let posted = Instant::now();
    assert_eq!(b.post(&response("via-b", 9, true)).0, 200);
    while !seen.lock().unwrap().iter().any(|(id, _)| id == "via-b") {
        assert!(
            posted.elapsed() < Duration::from_secs(1),
            "not on A's stream after 1 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // And both read the same table.
    assert_eq!(a.ndjson().len(), 1);
    assert_eq!(b.ndjson()[0]["id"], "via-b");
}

#[test]
fn a_lost_database_is_answered_503_and_the_collector_recovers_by_itself() {
    let Some((base, _alone)) = cluster("lost database") else {
        return;
    };
    let c = Collector::start_on(
        tempfile::tempdir().unwrap(),
        new_postgres_database(&base),
        &[],
    );
    assert_eq!(c.post(&response("before", 9, true)).0, 200);
    script("SONDEO_TEST_PG_STOP");
    let started = Instant::now();
    let (status, body) = c.post(&response("during", 9, true));
    let waited = started.elapsed();
    script("SONDEO_TEST_PG_START");
    assert_eq!(status, 503, "{body}");
    assert!(
        waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
    // Back by itself: no restart of the collector.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = c.post(&response("after", 9, true));
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} 10 s after the database returned"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let ids: Vec<Value> = c.ndjson().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [json!("before"), json!("after")]);
}

#[test]
fn a_database_migrated_by_a_newer_collector_is_refused_with_a_clear_message() {
    let Some((base, _alone)) = cluster("newer schema") else {
        return;
    };
    let db = new_postgres_database(&base);
    drop(Collector::start_on(
        tempfile::tempdir().unwrap(),
        db.clone(),
        &[],
    ));
    let psql = std::env::var("SONDEO_TEST_PSQL").unwrap();
    assert!(Command::new(psql)
        .args([
            &db,
            "-q",
            "-c",
            "INSERT INTO sondeo_schema (version) VALUES (99)"
        ])
        .status()
        .unwrap()
        .success());
    assert_refuses_newer_schema(&db);
}

/// Two collectors on one database, 16 clients spread over both (retrying elsewhere, as a
/// load balancer and the widget would), one collector killed with SIGKILL mid-flight and
/// started again, then the database restarted: every acknowledged answer is stored once,
/// as its last version, and the surviving collector's stream announced each of them.
#[test]
fn failover_loses_nothing_acknowledged_and_doubles_nothing() {
    let Some((base, _alone)) = cluster("failover") else {
        return;
    };
    let db = new_postgres_database(&base);
    let a = Collector::start_on(
        tempfile::tempdir().unwrap(),
        db.clone(),
        &["--rate-limit", "0"],
    );
    let b = Collector::start_on(
        tempfile::tempdir().unwrap(),
        db.clone(),
        &["--rate-limit", "0"],
    );
    let seen = watch(&a.url);
    let urls = Arc::new(RwLock::new(vec![a.url.clone(), b.url.clone()]));
    const CLIENTS: usize = 16;
    const EACH: usize = 40;
    // What each client had acknowledged: id → (complete, score) of its last acknowledged post.
    let acknowledged = Arc::new(Mutex::new(BTreeMap::<String, (bool, u64)>::new()));
    // When a post was refused or found no one (a dead collector, the database away).
    let failures = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|t| {
            let urls = urls.clone();
            let acknowledged = acknowledged.clone();
            let failures = failures.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let id = format!("f{t}-{i}");
                    // A partial with one score, then the complete answer with another.
                    for (complete, score) in [(false, 3), (true, 9)] {
                        let body =
                            json!({ "schema": 1, "id": id, "surveyId": "failover", "kind": "nps",
                            "score": score, "complete": complete })
                            .to_string();
                        let mut attempt = 0;
                        loop {
                            let url = urls.read().unwrap()[(t + attempt) % 2].clone();
                            let status = std::panic::catch_unwind(|| {
                                request(&url, "POST", "/api/responses", &body, &[]).0
                            })
                            .unwrap_or(0);
                            if status == 200 {
                                acknowledged
                                    .lock()
                                    .unwrap()
                                    .insert(id.clone(), (complete, score));
                                break;
                            }
                            failures.lock().unwrap().push(Instant::now());
                            attempt += 1;
                            assert!(attempt < 400, "{id}: never stored");
                            std::thread::sleep(Duration::from_millis(25));
                        }
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
            })
        })
        .collect();
    let done = || acknowledged.lock().unwrap().len();
    let in_flight = |what: &str| {
        let n = done();
        assert!(
            n > 0 && n < CLIENTS * EACH,
            "{what} with {n} answers stored: not mid-flight"
        );
    };
    // Mid-flight: B dies without a chance to flush anything, and comes back on a new port.
    std::thread::sleep(Duration::from_millis(300));
    in_flight("B killed");
    let mut b = b;
    let killed = Instant::now();
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let b2 = Collector::start_on(
        tempfile::tempdir().unwrap(),
        db.clone(),
        &["--rate-limit", "0"],
    );
    urls.write().unwrap()[1] = b2.url.clone();
    // Then the database itself restarts under them.
    std::thread::sleep(Duration::from_millis(200));
    in_flight("database restarted");
    let restarted = Instant::now();
    script("SONDEO_TEST_PG_RESTART");
    for client in clients {
        client.join().unwrap();
    }
    // Both blows landed on clients that were posting: some posts failed after each.
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.iter().any(|t| *t > killed && *t < restarted),
        "no post failed after B was killed"
    );
    assert!(
        failures.iter().any(|t| *t > restarted),
        "no post failed after the database restarted"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert_eq!(acknowledged.len(), CLIENTS * EACH);
    // Stored: each id once, as its last acknowledged version.
    let rows = a.ndjson();
    assert_eq!(rows.len(), CLIENTS * EACH, "each answer once");
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        let (complete, score) = acknowledged[id];
        assert_eq!(
            (row["complete"] == true, row["score"].as_u64().unwrap()),
            (complete, score),
            "{id}"
        );
    }
    // A's stream announced every final answer, across the database's restart.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let complete: HashSet<String> = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, complete)| *complete)
            .map(|(id, _)| id.clone())
            .collect();
        if complete.len() == CLIENTS * EACH {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A's stream announced {} of {} final answers",
            complete.len(),
            CLIENTS * EACH
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(b2);
}

#[test]
fn collectors_sharing_a_database_send_each_alert_once() {
    let Some((base, _alone)) = cluster("collectors_sharing_a_database_alert_once") else {
        return;
    };
    let hook = Webhook::start(0);
    let db = new_postgres_database(&base);
    let args = [
        "--alert-url",
        hook.url.as_str(),
        "--alert-partial-after",
        "2",
    ];
    let mut both = [
        Collector::start_on(tempfile::tempdir().unwrap(), db.clone(), &args),
        Collector::start_on(tempfile::tempdir().unwrap(), db, &args),
    ];
    let answer = |id: &str, complete: bool| json!({ "schema": 1, "id": id, "surveyId": "s", "kind": "nps", "score": 2, "complete": complete });
    // Posted through either: each sees every change, and the first to claim it sends.
    for (i, id) in ["d1", "d2", "d3", "d4"].iter().enumerate() {
        assert_eq!(both[i % 2].post(&answer(id, true)).0, 200);
    }
    // An email click stored by one, submitted through the other within the wait: one alert,
    // the submitted one (the clicks both held find it claimed when their wait ends).
    assert_eq!(both[0].post(&answer("clicked", false)).0, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(both[1].post(&answer("clicked", true)).0, 200);
    hook.wait_for(5);
    std::thread::sleep(Duration::from_millis(3_500));
    let ids: Vec<String> = hook
        .received()
        .iter()
        .map(|a| a["response"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 5, "{ids:?}");
    let clicked = hook
        .received()
        .into_iter()
        .find(|a| a["response"]["id"] == "clicked")
        .unwrap();
    assert_eq!(clicked["response"]["complete"], true);
    // One stops: the other sends, as before.
    both[0].child.kill().unwrap();
    both[0].child.wait().unwrap();
    assert_eq!(both[1].post(&answer("d5", true)).0, 200);
    let alerts = hook.wait_for(6);
    assert_eq!(alerts[5]["response"]["id"], "d5");
}
