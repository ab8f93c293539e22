//! Storage: the only module that knows the database is SQLite. Its interface
//! (`upsert`, `export`, `subscribe`) is what a PostgreSQL backend would provide
//! for teams that run several collectors.
//!
//! One writer thread owns the write connection and commits every post waiting
//! in one transaction (group commit), answering each post only after its
//! transaction commits. Durability: in WAL mode a commit is in the WAL file
//! (the OS page cache) before `COMMIT` returns, so `synchronous=NORMAL` would
//! already survive `kill -9` of the process; it could lose the last commits on
//! a power cut or kernel crash, though. We use `synchronous=FULL` (an fsync of
//! the WAL per commit) so that "acknowledged" also means "on disk": group
//! commit makes that one sync per batch rather than one per post.

use crate::clock;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sondeo_core::answer::Response;
use sondeo_core::impression::Impression;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{broadcast, oneshot};

/// A stored response as it goes out: its payload JSON (with `receivedAt`).
pub type StoredJson = Arc<str>;

struct Write {
    responses: Vec<Response>,
    impressions: Vec<Impression>,
    reply: oneshot::Sender<Result<usize, StoreError>>,
}

/// Why a post was not stored.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// The response at `index` of the post reuses an id that another survey or kind
    /// stored first; nothing of the post was stored.
    Conflict {
        index: usize,
        survey_id: String,
        kind: String,
    },
    /// The database failed, or the collector is stopping.
    Unavailable(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict { index, .. } => {
                write!(f, "[{index}].id: the id belongs to another survey or kind")
            }
            StoreError::Unavailable(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for StoreError {}

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
CREATE TABLE IF NOT EXISTS impressions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  survey_id TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS impressions_received ON impressions (received_ms);
";

impl Store {
    /// Opens (or creates) the database and starts the writer.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        create_private(path)?;
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        let (tx, rx) = mpsc::channel::<Write>();
        let (stored, _) = broadcast::channel(1024);
        let events = stored.clone();
        let thread = std::thread::Builder::new()
            .name("sondeo-writer".into())
            .spawn(move || write_loop(conn, rx, events))?;
        Ok(Store {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(Some(tx))),
            thread: Arc::new(Mutex::new(Some(thread))),
            stored,
        })
    }

    /// Stores `responses` (upsert by id; a partial never replaces a complete response) and
    /// display records (the first of an id is kept). Returns once they are committed.
    pub async fn upsert(
        &self,
        responses: Vec<Response>,
        impressions: Vec<Impression>,
    ) -> Result<usize, StoreError> {
        let stopped = || StoreError::Unavailable("the writer stopped".into());
        let (reply, answer) = oneshot::channel();
        {
            let writer = self.writer.lock().map_err(|_| stopped())?;
            let writer = writer
                .as_ref()
                .ok_or_else(|| StoreError::Unavailable("the collector is shutting down".into()))?;
            writer
                .send(Write {
                    responses,
                    impressions,
                    reply,
                })
                .map_err(|_| stopped())?;
        }
        answer.await.map_err(|_| stopped())?
    }

    /// New responses as they are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        self.stored.subscribe()
    }

    /// A reader for one export. Its methods block: call them off the async runtime.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        // Read-only, its own connection: WAL lets it read while the writer writes.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // A small page cache: an export reads each row once, and many may be open at a time.
        conn.execute_batch("PRAGMA cache_size=-64;")?;
        Ok(Reader { conn })
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

/// Which stored responses an export selects.
#[derive(Clone, Debug)]
pub struct Filter {
    /// Received at or after this instant (milliseconds since the Unix epoch).
    pub since_ms: i64,
    /// Only this survey, when set.
    pub survey: Option<String>,
    /// Only rows stored up to this sequence number: an export is a snapshot of the
    /// table when it starts, so the CSV header's columns fit every row that follows.
    pub until_seq: i64,
    /// The display records instead of the responses.
    pub impressions: bool,
}

impl Filter {
    fn table(&self) -> &'static str {
        if self.impressions {
            "impressions"
        } else {
            "responses"
        }
    }
}

/// Reads an export (blocking calls); see [`Store::reader`].
pub struct Reader {
    conn: Connection,
}

impl Reader {
    /// The metadata keys of the selection, most used first (ties in byte order), at most
    /// `most` of them; the flag tells whether more keys exist beyond those.
    pub fn metadata_keys(
        &self,
        filter: &Filter,
        most: usize,
    ) -> Result<(Vec<String>, bool), StoreError> {
        // json_each runs inside SQLite: only the distinct keys are held, not the rows.
        let mut stmt = self.conn.prepare(
            "SELECT m.key, COUNT(*) AS uses FROM responses r, json_each(r.json, '$.metadata') m
                 WHERE r.received_ms >= ?1 AND (?2 IS NULL OR r.survey_id = ?2) AND r.seq <= ?4
                 GROUP BY m.key ORDER BY uses DESC, m.key LIMIT ?3",
        )?;
        let keys = stmt.query_map(
            params![
                filter.since_ms,
                filter.survey,
                most as i64 + 1,
                filter.until_seq
            ],
            |row| row.get(0),
        )?;
        let mut keys = keys.collect::<Result<Vec<String>, _>>()?;
        let more = keys.len() > most;
        keys.truncate(most);
        Ok((keys, more))
    }

    /// The selection's payload JSONs (with `receivedAt`), oldest first, `page` rows at a
    /// time: a keyset cursor on the row sequence, so memory stays at one page.
    pub fn pages(self, filter: Filter, page: usize) -> Pages {
        Pages {
            reader: self,
            filter,
            page,
            after: 0,
            done: false,
        }
    }
}

/// Cursor over an export; see [`Reader::pages`]. Each call reads one page and
/// holds nothing in between, so a client that stops reading costs no thread.
pub struct Pages {
    reader: Reader,
    filter: Filter,
    page: usize,
    after: i64,
    done: bool,
}

impl Pages {
    /// Ends the selection at the newest row stored now (blocking), and returns the filter.
    pub fn freeze(&mut self) -> Result<Filter, StoreError> {
        let newest: i64 = self.reader.conn.query_row(
            &format!("SELECT COALESCE(MAX(seq), 0) FROM {}", self.filter.table()),
            [],
            |r| r.get(0),
        )?;
        self.filter.until_seq = self.filter.until_seq.min(newest);
        Ok(self.filter.clone())
    }

    /// The next page (blocking; call it off the async runtime), `None` at the end.
    pub fn next_page(&mut self) -> Option<Result<Vec<String>, StoreError>> {
        if self.done {
            return None;
        }
        match self.read_page() {
            Ok(rows) if rows.is_empty() => {
                self.done = true;
                None
            }
            Ok(rows) => {
                self.after = rows.last().map_or(self.after, |(seq, _)| *seq);
                Some(Ok(rows.into_iter().map(|(_, json)| json).collect()))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn read_page(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self
            .reader
            .conn
            .prepare_cached(&format!(
                "SELECT seq, json FROM {} WHERE seq > ?1 AND seq <= ?5 AND received_ms >= ?2 AND (?3 IS NULL OR survey_id = ?3) ORDER BY seq LIMIT ?4",
                self.filter.table()
            ))?;
        let rows = stmt.query_map(
            params![
                self.after,
                self.filter.since_ms,
                self.filter.survey,
                self.page as i64,
                self.filter.until_seq
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Creates the database file readable and writable by its owner only (0600) when it
/// is missing: it holds customers' comments. SQLite gives its `-wal` and `-shm` files
/// the same permissions as the database.
fn create_private(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
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
        match commit(&mut conn, &batch, received_ms) {
            Ok(outcomes) => {
                for (write, outcome) in batch.into_iter().zip(outcomes) {
                    let n = write.responses.len() + write.impressions.len();
                    let reply = outcome.map(|jsons| {
                        for json in jsons {
                            let _ = stored.send(json);
                        }
                        n
                    });
                    let _ = write.reply.send(reply);
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

/// The changed responses of each post, or its conflict; one transaction for all the
/// posts, with a savepoint per post so that a refused post leaves no trace.
type Outcome = Result<Vec<StoredJson>, StoreError>;

fn commit(
    conn: &mut Connection,
    batch: &[Write],
    received_ms: i64,
) -> Result<Vec<Outcome>, StoreError> {
    let mut tx = conn.transaction()?;
    let received = clock::rfc3339(received_ms);
    let mut outcomes = Vec::with_capacity(batch.len());
    for write in batch {
        let savepoint = tx.savepoint()?;
        let outcome =
            apply(&savepoint, &write.responses, received_ms, &received).and_then(|changed| {
                record_impressions(&savepoint, &write.impressions, received_ms)?;
                Ok(changed)
            });
        match outcome {
            Ok(changed) => {
                savepoint.commit()?;
                outcomes.push(Ok(changed));
            }
            Err(StoreError::Conflict {
                index,
                survey_id,
                kind,
            }) => {
                drop(savepoint); // rolls back this post only
                outcomes.push(Err(StoreError::Conflict {
                    index,
                    survey_id,
                    kind,
                }));
            }
            Err(e) => return Err(e),
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

/// Display records are facts, not versions: a re-sent one changes nothing.
fn record_impressions(
    tx: &Connection,
    impressions: &[Impression],
    received_ms: i64,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO impressions (id, survey_id, received_ms, json) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO NOTHING",
    )?;
    for impression in impressions {
        insert.execute(params![
            impression.id,
            impression.survey_id,
            received_ms,
            impression.to_json()
        ])?;
    }
    Ok(())
}

const DAY_MS: i64 = 86_400_000;

fn apply(
    tx: &Connection,
    responses: &[Response],
    received_ms_now: i64,
    received: &str,
) -> Result<Vec<StoredJson>, StoreError> {
    let mut changed = Vec::new();
    let mut existing =
        tx.prepare_cached("SELECT complete, survey_id, kind, json FROM responses WHERE id = ?1")?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET score = excluded.score,
           complete = excluded.complete, received_ms = excluded.received_ms, json = excluded.json",
    )?;
    for (index, response) in responses.iter().enumerate() {
        let stored: Option<(bool, String, String, String)> = existing
            .query_row([&response.id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let payload = response.to_json();
        if let Some((stored_complete, survey_id, kind, stored_json)) = stored {
            // An id belongs to the survey and kind that stored it first: anything else is
            // another response (or an attempt to overwrite one), never a new version of it.
            if survey_id != response.survey_id || kind != response.kind.as_str() {
                return Err(StoreError::Conflict {
                    index,
                    survey_id,
                    kind,
                });
            }
            // A late partial (a retry that arrives after the final post) must not undo the final answer.
            if stored_complete && !response.complete {
                continue;
            }
            // A re-send of what is stored (a retry whose first answer was lost) changes
            // nothing: it keeps its first receivedAt and is not announced twice.
            if same_payload(&stored_json, &payload) {
                continue;
            }
        }
        // An anonymous answer's receipt is kept to the day, as its own times are.
        let (received_ms, day);
        let received = if response.anonymous {
            received_ms = received_ms_now.div_euclid(DAY_MS) * DAY_MS;
            day = clock::rfc3339(received_ms);
            day.as_str()
        } else {
            received_ms = received_ms_now;
            received
        };
        let json = with_received_at(&payload, received);
        upsert.execute(params![
            response.id,
            response.survey_id,
            response.kind.as_str(),
            response.score,
            response.complete,
            received_ms,
            json
        ])?;
        changed.push(StoredJson::from(json));
    }
    Ok(changed)
}

/// Whether `stored` (a payload with `receivedAt` added by [`with_received_at`]) holds
/// exactly `payload`: core's `to_json` never writes `receivedAt`, so what follows the
/// payload's members must be that key.
fn same_payload(stored: &str, payload: &str) -> bool {
    let members = payload.strip_suffix('}').unwrap_or(payload);
    stored
        .strip_prefix(members)
        .is_some_and(|rest| rest.starts_with(",\"receivedAt\":"))
}

/// Adds `"receivedAt"` to a payload object's JSON.
fn with_received_at(json: &str, received: &str) -> String {
    let body = json.strip_suffix('}').unwrap_or(json);
    format!("{body},\"receivedAt\":\"{received}\"}}")
}
