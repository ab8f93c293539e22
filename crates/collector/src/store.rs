//! Storage: the only module that knows the database is SQLite. Its interface
//! (`upsert`, `export`, `subscribe`) is what a PostgreSQL backend would provide
//! for teams that run several collectors.
//!
//! One writer thread owns the write connection and commits every post waiting
//! in one transaction (group commit), answering each post only after its
//! transaction commits. With `synchronous=FULL` in WAL mode an acknowledged
//! response survives a process kill and a power loss, and durability costs one
//! sync per batch rather than one per post.

use crate::clock;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sondeo_core::answer::Response;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{broadcast, oneshot};

/// A stored response as it goes out: its payload JSON (with `receivedAt`).
pub type StoredJson = Arc<str>;

struct Write {
    responses: Vec<Response>,
    reply: oneshot::Sender<Result<usize, String>>,
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    writer: Arc<Mutex<Option<mpsc::Sender<Write>>>>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    stored: broadcast::Sender<StoredJson>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS responses (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  survey_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  score INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_received ON responses (received_ms);
";

impl Store {
    /// Opens (or creates) the database and starts the writer.
    pub fn open(path: &Path) -> Result<Store, String> {
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
        )
        .map_err(|e| e.to_string())?;
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        let (tx, rx) = mpsc::channel::<Write>();
        let (stored, _) = broadcast::channel(1024);
        let events = stored.clone();
        let thread = std::thread::Builder::new()
            .name("sondeo-writer".into())
            .spawn(move || write_loop(conn, rx, events))
            .map_err(|e| e.to_string())?;
        Ok(Store {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(Some(tx))),
            thread: Arc::new(Mutex::new(Some(thread))),
            stored,
        })
    }

    /// Stores `responses` (upsert by id; a partial never replaces a complete response).
    /// Returns once they are committed.
    pub async fn upsert(&self, responses: Vec<Response>) -> Result<usize, String> {
        let (reply, answer) = oneshot::channel();
        {
            let writer = self
                .writer
                .lock()
                .map_err(|_| "store poisoned".to_string())?;
            let writer = writer.as_ref().ok_or("the collector is shutting down")?;
            writer
                .send(Write { responses, reply })
                .map_err(|_| "the writer stopped".to_string())?;
        }
        answer.await.map_err(|_| "the writer stopped".to_string())?
    }

    /// New responses as they are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        self.stored.subscribe()
    }

    /// A read-only connection for exports (WAL lets it read while the writer writes).
    pub fn reader(&self) -> Result<Connection, String> {
        Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| e.to_string())
    }

    /// Stops accepting writes and waits until the writer has committed what it holds.
    pub fn close(&self) {
        if let Ok(mut writer) = self.writer.lock() {
            writer.take();
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

/// One page of an export: rows after `after_seq`, oldest first.
pub fn export_page(
    conn: &Connection,
    after_seq: i64,
    since_ms: i64,
    survey: Option<&str>,
    limit: usize,
) -> Result<Vec<(i64, String)>, String> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, json FROM responses WHERE seq > ?1 AND received_ms >= ?2 AND (?3 IS NULL OR survey_id = ?3) ORDER BY seq LIMIT ?4",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map(params![after_seq, since_ms, survey, limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

fn write_loop(
    mut conn: Connection,
    rx: mpsc::Receiver<Write>,
    stored: broadcast::Sender<StoredJson>,
) {
    // Blocks for the first post, then takes every post that queued meanwhile: one transaction for all.
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(next) = rx.try_recv() {
            batch.push(next);
        }
        let received_ms = clock::now_ms();
        let result = commit(&mut conn, &batch, received_ms);
        match result {
            Ok(jsons) => {
                for json in jsons {
                    let _ = stored.send(json);
                }
                for write in batch {
                    let n = write.responses.len();
                    let _ = write.reply.send(Ok(n));
                }
            }
            Err(e) => {
                for write in batch {
                    let _ = write.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

fn commit(
    conn: &mut Connection,
    batch: &[Write],
    received_ms: i64,
) -> Result<Vec<StoredJson>, String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    let mut changed = Vec::new();
    {
        let mut existing = tx
            .prepare_cached("SELECT complete FROM responses WHERE id = ?1")
            .map_err(|e| e.to_string())?;
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET survey_id = excluded.survey_id, kind = excluded.kind, score = excluded.score,
                   complete = excluded.complete, received_ms = excluded.received_ms, json = excluded.json",
            )
            .map_err(|e| e.to_string())?;
        let received = clock::rfc3339(received_ms);
        for response in batch.iter().flat_map(|w| &w.responses) {
            let stored_complete: Option<bool> = existing
                .query_row([&response.id], |r| r.get(0))
                .optional()
                .map_err(|e| e.to_string())?;
            // A late partial (a retry that arrives after the final post) must not undo the final answer.
            if stored_complete == Some(true) && !response.complete {
                continue;
            }
            let json = with_received_at(&response.to_json(), &received);
            upsert
                .execute(params![
                    response.id,
                    response.survey_id,
                    response.kind.as_str(),
                    response.score,
                    response.complete,
                    received_ms,
                    json
                ])
                .map_err(|e| e.to_string())?;
            changed.push(StoredJson::from(json));
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(changed)
}

/// Adds `"receivedAt"` to a payload object's JSON.
fn with_received_at(json: &str, received: &str) -> String {
    let body = json.strip_suffix('}').unwrap_or(json);
    format!("{body},\"receivedAt\":\"{received}\"}}")
}
