//! The SQLite store, the embedded default: one file, no server.
//!
//! One writer thread owns the write connection and commits every post waiting
//! in one transaction (group commit), answering each post only after its
//! transaction commits. Durability: in WAL mode a commit is in the WAL file
//! (the OS page cache) before `COMMIT` returns, so `synchronous=NORMAL` would
//! already survive `kill -9` of the process; it could lose the last commits on
//! a power cut or kernel crash, though. We use `synchronous=FULL` (an fsync of
//! the WAL per commit) so that "acknowledged" also means "on disk": group
//! commit makes that one sync per batch rather than one per post.

use super::rules::{decide, Decision, Stored};
use super::{Filter, FollowUp, StoreError, StoredJson};
use crate::clock;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sondeo_core::answer::Response;
use sondeo_core::impression::Impression;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{broadcast, oneshot};

struct Write {
    responses: Vec<Response>,
    impressions: Vec<Impression>,
    reply: oneshot::Sender<Result<usize, StoreError>>,
}

/// What the writer thread is given: posts (committed together), a follow-up, or the claim
/// of an alert.
enum Job {
    Post(Write),
    FollowUp(FollowUp, oneshot::Sender<Result<bool, StoreError>>),
    Claim(String, oneshot::Sender<Result<bool, StoreError>>),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    writer: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    stored: broadcast::Sender<StoredJson>,
    readers: Arc<ReadPool>,
}

/// Most read connections open at once (an NDJSON export takes one, a CSV export two).
/// SQLite keeps a closed connection's file descriptors while another connection of the
/// process holds a lock on the file (POSIX locks belong to the process), so connections
/// opened per export left the peak number of descriptors open for good: a pool reuses a
/// bounded set instead, and an export past it gets a 503 with Retry-After.
pub const MAX_READERS: usize = 16;

/// Idle read connections, and how many exist.
#[derive(Default)]
struct ReadPool {
    idle: Mutex<Vec<Connection>>,
    open: std::sync::atomic::AtomicUsize,
}

/// The schema's versions, in order: `migrations[i]` takes a database from version `i` to
/// `i + 1` (`PRAGMA user_version`). Version 1 is the first versioned schema; its
/// `IF NOT EXISTS` also adopts a database made before versions were kept.
const MIGRATIONS: [&str; 3] = [
    "
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
",
    "
CREATE TABLE follow_ups (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  note TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
);
",
    "
CREATE TABLE alerted (
  id TEXT PRIMARY KEY,
  alerted_ms INTEGER NOT NULL
);
",
];

/// Brings the database to the newest schema this collector knows, or refuses one that
/// a newer collector has migrated further.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    super::check_version(version, MIGRATIONS.len())?;
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", from + 1))?;
        tx.commit()?;
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the database and starts the writer.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        create_private(path)?;
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
        )?;
        migrate(&mut conn)?;
        let (tx, rx) = mpsc::channel::<Job>();
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
            readers: Arc::default(),
        })
    }

    /// Stores `responses` (upsert by id; a partial never replaces a complete response) and
    /// display records (the first of an id is kept). Returns once they are committed.
    pub async fn upsert(
        &self,
        responses: Vec<Response>,
        impressions: Vec<Impression>,
    ) -> Result<usize, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.give(Job::Post(Write {
            responses,
            impressions,
            reply,
        }))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
    }

    /// Records a follow-up through the writer; `false` when no response has its id.
    pub async fn set_follow_up(&self, follow_up: FollowUp) -> Result<bool, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.give(Job::FollowUp(follow_up, reply))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
    }

    fn give(&self, job: Job) -> Result<(), StoreError> {
        let stopped = || StoreError::Unavailable("the writer stopped".into());
        let writer = self.writer.lock().map_err(|_| stopped())?;
        let writer = writer
            .as_ref()
            .ok_or_else(|| StoreError::Unavailable("the collector is shutting down".into()))?;
        writer.send(job).map_err(|_| stopped())
    }

    /// Claims the alert of response `id`: `true` the first time (through the writer: the
    /// claim outlives a restart).
    pub async fn claim_alert(&self, id: &str) -> Result<bool, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.give(Job::Claim(id.to_owned(), reply))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
    }

    /// New responses as they are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        self.stored.subscribe()
    }

    /// A reader for one export, from the pool. Its methods block: call them off the async runtime.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        use std::sync::atomic::Ordering;
        let idle = self
            .readers
            .idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => {
                if self.readers.open.fetch_add(1, Ordering::AcqRel) >= MAX_READERS {
                    self.readers.open.fetch_sub(1, Ordering::AcqRel);
                    return Err(StoreError::Busy);
                }
                match open_reader(&self.path) {
                    Ok(conn) => conn,
                    Err(e) => {
                        self.readers.open.fetch_sub(1, Ordering::AcqRel);
                        return Err(e);
                    }
                }
            }
        };
        Ok(Reader {
            conn: Some(conn),
            pool: self.readers.clone(),
        })
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

/// Read-only, its own connection: WAL lets it read while the writer writes.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A small page cache: an export reads each row once, and several may be open at a time.
    conn.execute_batch("PRAGMA cache_size=-64;")?;
    Ok(conn)
}

/// Reads an export (blocking calls); its connection goes back to the pool when dropped.
pub struct Reader {
    conn: Option<Connection>,
    pool: Arc<ReadPool>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        // A connection left inside a transaction (a failed read) is closed, not reused.
        match self.pool.idle.lock() {
            Ok(mut idle) if conn.is_autocommit() => idle.push(conn),
            _ => {
                drop(conn);
                self.pool
                    .open
                    .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            }
        }
    }
}

impl std::ops::Deref for Reader {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Only Drop takes the connection out.
        self.conn
            .as_ref()
            .expect("a reader holds its connection until dropped")
    }
}

impl Reader {
    /// The selection's metadata keys, most used first (ties in byte order), at most `limit`.
    pub fn metadata_keys(&self, filter: &Filter, limit: usize) -> Result<Vec<String>, StoreError> {
        // json_each runs inside SQLite: only the distinct keys are held, not the rows.
        let mut stmt = self.prepare(
            "SELECT m.key, COUNT(*) AS uses FROM responses r, json_each(r.json, '$.metadata') m
                 WHERE r.received_ms >= ?1 AND (?2 IS NULL OR r.survey_id = ?2) AND r.seq <= ?4
                 GROUP BY m.key ORDER BY uses DESC, m.key LIMIT ?3",
        )?;
        let keys = stmt.query_map(
            params![
                filter.since_ms,
                filter.survey,
                limit as i64,
                filter.until_seq
            ],
            |row| row.get(0),
        )?;
        Ok(keys.collect::<Result<Vec<String>, _>>()?)
    }

    /// Every follow-up recorded, oldest change first.
    pub fn follow_ups(&self) -> Result<Vec<FollowUp>, StoreError> {
        let mut stmt = self.prepare_cached(
            "SELECT id, status, note, updated_ms FROM follow_ups ORDER BY updated_ms, id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(FollowUp {
                id: row.get(0)?,
                status: row.get(1)?,
                note: row.get(2)?,
                updated_ms: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The newest row's sequence number in the selection's table.
    pub fn newest(&self, filter: &Filter) -> Result<i64, StoreError> {
        Ok(self.query_row(
            &format!("SELECT COALESCE(MAX(seq), 0) FROM {}", filter.table()),
            [],
            |r| r.get(0),
        )?)
    }

    /// Up to `limit` rows of the selection after sequence number `after`, oldest first.
    pub fn page(
        &self,
        filter: &Filter,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self.prepare_cached(&format!(
            "SELECT seq, json FROM {} WHERE seq > ?1 AND seq <= ?5 AND received_ms >= ?2 AND (?3 IS NULL OR survey_id = ?3) ORDER BY seq LIMIT ?4",
            filter.table()
        ))?;
        let rows = stmt.query_map(
            params![
                after,
                filter.since_ms,
                filter.survey,
                limit as i64,
                filter.until_seq
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
    rx: mpsc::Receiver<Job>,
    stored: broadcast::Sender<StoredJson>,
) {
    // Blocks for the first post, then takes every post that queued meanwhile: one transaction
    // for all. A follow-up (a person's click, rare) is its own transaction, after the batch.
    let mut next = None;
    while let Some(job) = next.take().or_else(|| rx.recv().ok()) {
        let first = match job {
            Job::FollowUp(follow_up, reply) => {
                let _ = reply.send(record_follow_up(&conn, &follow_up));
                continue;
            }
            Job::Claim(id, reply) => {
                let claimed = conn
                    .execute(
                        "INSERT INTO alerted (id, alerted_ms) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING",
                        params![id, clock::now_ms()],
                    )
                    .map(|n| n > 0)
                    .map_err(StoreError::from);
                let _ = reply.send(claimed);
                continue;
            }
            Job::Post(write) => write,
        };
        let mut batch = vec![first];
        while let Ok(job) = rx.try_recv() {
            match job {
                Job::Post(write) => batch.push(write),
                other => {
                    next = Some(other);
                    break;
                }
            }
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

/// Records `follow_up` when a response has its id (one statement: no gap between the
/// check and the write).
fn record_follow_up(conn: &Connection, follow_up: &FollowUp) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "INSERT INTO follow_ups (id, status, note, updated_ms)
           SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM responses WHERE id = ?1)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, note = excluded.note,
           updated_ms = excluded.updated_ms",
        params![
            follow_up.id,
            follow_up.status,
            follow_up.note,
            follow_up.updated_ms
        ],
    )?;
    Ok(changed > 0)
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
    let mut outcomes = Vec::with_capacity(batch.len());
    for write in batch {
        let savepoint = tx.savepoint()?;
        let outcome = apply(&savepoint, &write.responses, received_ms).and_then(|changed| {
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

fn apply(
    tx: &Connection,
    responses: &[Response],
    received_ms_now: i64,
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
        let stored = existing
            .query_row([&response.id], |r| {
                Ok(Stored {
                    complete: r.get(0)?,
                    survey_id: r.get(1)?,
                    kind: r.get(2)?,
                    json: r.get(3)?,
                })
            })
            .optional()?;
        match decide(stored.as_ref(), response, received_ms_now) {
            Decision::Conflict { survey_id, kind } => {
                return Err(StoreError::Conflict {
                    index,
                    survey_id,
                    kind,
                })
            }
            Decision::Keep => {}
            Decision::Write { json, received_ms } => {
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
        }
    }
    Ok(changed)
}
