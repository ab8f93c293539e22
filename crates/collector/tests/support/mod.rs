//! Test support: the real collector binary on a free loopback port with a fresh
//! database, and a minimal blocking HTTP/1.1 client. The database is a SQLite file, or,
//! under `scripts/with-postgres` (which sets `SONDEO_TEST_POSTGRES`), a new database in
//! the throwaway PostgreSQL cluster: the same tests hold the two backends to one contract.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
pub use std::process::Command;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Collector {
    pub child: Child,
    pub url: String,
    pub _dir: tempfile::TempDir,
    /// The `--db` value: a file path, or a PostgreSQL URL.
    pub db: String,
}

/// The throwaway PostgreSQL cluster's URL, under `scripts/with-postgres`.
pub fn postgres() -> Option<String> {
    std::env::var("SONDEO_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Says that a test of SQLite's own behaviour (its file) is skipped on PostgreSQL.
pub fn sqlite_only(test: &str) -> bool {
    if postgres().is_some() {
        eprintln!("{test}: SQLite's file only; skipped on PostgreSQL");
        return false;
    }
    true
}

/// A new, empty database in the cluster at `base`, as a URL.
pub fn new_postgres_database(base: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let psql = std::env::var("SONDEO_TEST_PSQL").unwrap_or_else(|_| "psql".into());
    let status = Command::new(psql)
        .args([base, "-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .unwrap();
    assert!(status.success(), "CREATE DATABASE {name}");
    let (root, _) = base.rsplit_once('/').unwrap();
    format!("{root}/{name}")
}

impl Collector {
    pub fn start(extra: &[&str]) -> Collector {
        let dir = tempfile::tempdir().unwrap();
        let db = match postgres() {
            Some(base) => new_postgres_database(&base),
            None => dir.path().join("test.db").display().to_string(),
        };
        Self::start_on(dir, db, extra)
    }

    pub fn start_on(dir: tempfile::TempDir, db: String, extra: &[&str]) -> Collector {
        let www = dir.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("index.html"), "<!doctype html><title>t</title>").unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("w.wasm"), [0u8, 97, 115, 109]).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sondeo-collector"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .arg("--www")
            .arg(&www)
            .arg("--dist")
            .arg(&dist)
            .args(extra)
            .stdout(Stdio::piped())
            // To a file, not a pipe: a pipe nobody reads would block the collector once full.
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split("http://")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        Collector {
            child,
            url: format!("http://{url}"),
            _dir: dir,
            db,
        }
    }

    pub fn post(&self, body: &Value) -> (u16, Value) {
        let response = request(&self.url, "POST", "/api/responses", &body.to_string(), &[]);
        (
            response.0,
            serde_json::from_str(&response.1).unwrap_or(Value::Null),
        )
    }

    pub fn export(&self, query: &str) -> (u16, String) {
        request(&self.url, "GET", &format!("/api/responses{query}"), "", &[])
    }

    /// What the collector has written to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("stderr.log")).unwrap_or_default()
    }

    pub fn ndjson(&self) -> Vec<Value> {
        self.export("?format=ndjson")
            .1
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal blocking HTTP/1.1 client over a TcpStream (keeps the tests free of an async runtime).
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let (status, _, body) = raw(base, method, path, body, headers);
    (status, body)
}

pub fn raw(
    base: &str,
    method: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, head.to_string(), body)
}

pub fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

pub fn response(id: &str, score: u8, complete: bool) -> Value {
    json!({ "schema": 1, "id": id, "surveyId": "t", "kind": "nps", "score": score, "complete": complete,
            "createdAt": "2026-11-22T10:00:00Z", "metadata": { "agent": "ana" } })
}

/// A collector started on `db` (a file or a URL) whose schema a newer collector moved to
/// version 99 refuses to start, and says why.
pub fn assert_refuses_newer_schema(db: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_sondeo-collector"))
        .args(["--listen", "127.0.0.1:0", "--db", db])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("schema version 99, newer than this collector's 3"),
        "{stderr}"
    );
}

/// A webhook on loopback: answers 503 to its first `fail_first` requests, then 200 (or what
/// `status` says for request n); keeps the JSON bodies of the requests it acknowledged, and
/// counts every request.
pub struct Webhook {
    pub url: String,
    received: Arc<Mutex<Vec<Value>>>,
    pub requests: Arc<Mutex<usize>>,
}

impl Webhook {
    pub fn start(fail_first: usize) -> Webhook {
        Webhook::answering(move |n| {
            if n <= fail_first {
                "503 Service Unavailable"
            } else {
                "200 OK"
            }
        })
    }

    pub fn answering(status: impl Fn(usize) -> &'static str + Send + 'static) -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/hooks/secret-path",
            listener.local_addr().unwrap()
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(0));
        let (kept, counted) = (received.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let n = {
                    let mut n = counted.lock().unwrap();
                    *n += 1;
                    *n
                };
                let status = status(n);
                if status.starts_with('2') {
                    kept.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                }
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    )
                    .as_bytes(),
                );
            }
        });
        Webhook {
            url,
            received,
            requests,
        }
    }

    pub fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` alerts arrived (or fails after 15 s).
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        while self.received().len() < n {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{} alerts of {n}",
                self.received().len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.received()
    }
}
