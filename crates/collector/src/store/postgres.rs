//! The PostgreSQL store: several collectors behind a load balancer share one database,
//! so that a deploy or a crash of one drops no answer, and the team's SQL tools, backups
//! and BI read the same tables.
//!
//! - **Writes:** each collector has one writer task that takes every post waiting and
//!   stores them in one transaction (group commit, as the SQLite store does), answering
//!   each post only after that commit; a post refused for a conflict leaves no trace and
//!   does not hold back the others. A batch costs a handful of round trips whatever its
//!   size: one read of the stored versions of all its ids, one multi-row upsert. Every
//!   change takes a number from the `responses_changes` sequence under a transaction-scoped
//!   advisory lock, so that the numbers follow commit order: a reader that has seen change
//!   `n` has seen every change before it.
//! - **Events:** each collector `LISTEN`s on `sondeo_responses`; a commit that changed a
//!   response `NOTIFY`s it, and every collector reads the changes after the last one it
//!   announced. After a lost connection it reconnects and catches up by number, so a
//!   dashboard on collector A sees, within a second, what was posted through B, and
//!   misses nothing across a restart of the database.
//! - **Failure:** a post that cannot reach the database within a few seconds is answered
//!   503 (the widget retries); the pool drops broken connections and makes new ones, so
//!   the collector recovers by itself when the database returns.
//! - **TLS** when the URL asks for it (`sslmode=require`), verified against the public
//!   roots, plus a CA of your own in `PGSSLROOTCERT` (a PEM file).

use super::rules::{decide, Decision, Stored};
use super::{check_version, Filter, FollowUp, StoreError, StoredJson};
use crate::clock;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use futures_util::StreamExt;
use sondeo_core::answer::Response;
use sondeo_core::impression::Impression;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Whether `db` names a PostgreSQL database rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// `db` without its password (in the user part or as `password=` in the query), for
/// logs and messages.
pub fn redacted(db: &str) -> String {
    let Some((scheme, rest)) = db.split_once("://") else {
        return db.to_owned();
    };
    let (base, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    let mut out = format!("{scheme}://");
    match base.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            out.push_str(user.split(':').next().unwrap_or(""));
            out.push_str(":***@");
            out.push_str(host);
        }
        _ => out.push_str(base),
    }
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The URL as tokio-postgres reads it, with libpq's `sslmode` names: `verify-full` and
/// `verify-ca` are `require` here (which always verifies the certificate's chain and
/// name); without an `sslmode`, no TLS (a server's self-signed certificate must not stop
/// a collector that did not ask for TLS).
fn with_ssl_mode(url: &str) -> String {
    let url = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    if url.contains("sslmode=") {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// The schema's versions, in order: `MIGRATIONS[i]` takes the database from version `i`
/// to `i + 1` (recorded in `sondeo_schema`).
const MIGRATIONS: [&str; 3] = [
    "
CREATE SEQUENCE responses_changes;
CREATE TABLE responses (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  survey_id text NOT NULL,
  kind text NOT NULL,
  score smallint NOT NULL,
  complete boolean NOT NULL,
  received_ms bigint NOT NULL,
  json text NOT NULL,
  changed bigint NOT NULL
);
CREATE INDEX responses_received ON responses (received_ms);
CREATE INDEX responses_survey ON responses (survey_id, seq);
CREATE INDEX responses_changed ON responses (changed);
CREATE TABLE impressions (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  survey_id text NOT NULL,
  received_ms bigint NOT NULL,
  json text NOT NULL
);
CREATE INDEX impressions_received ON impressions (received_ms);
CREATE INDEX impressions_survey ON impressions (survey_id, seq);
",
    "
CREATE TABLE follow_ups (
  id text PRIMARY KEY,
  status text NOT NULL,
  note text NOT NULL,
  updated_ms bigint NOT NULL
);
",
    "
CREATE TABLE alerted (
  id text PRIMARY KEY,
  alerted_ms bigint NOT NULL
);
",
];

/// The channel a commit that changed responses notifies.
const CHANNEL: &str = "sondeo_responses";
/// Advisory lock keys ("sondeo" in ASCII, then 1 and 2).
const WRITE_LOCK: i64 = 0x736f_6e64_656f_0001;
const MIGRATE_LOCK: i64 = 0x736f_6e64_656f_0002;
/// How long a post may wait for the database before it is answered 503.
const WRITE_DEADLINE: Duration = Duration::from_secs(8);
/// How long one batch's transaction may take before it is abandoned (and its connection
/// with it): under [`WRITE_DEADLINE`], so that a post answered 503 was not committed.
const COMMIT_DEADLINE: Duration = Duration::from_secs(6);
/// The server's own limits on the writer's sessions: a statement, waiting for the lock, and
/// a transaction left open (a collector paused mid-commit must not hold the lock for others).
const WRITER_SESSION: &str =
    "-c statement_timeout=5000 -c lock_timeout=5000 -c idle_in_transaction_session_timeout=10000";
/// Readers (exports) may scan longer, but the server stops a query nobody waits for.
const READER_SESSION: &str =
    "-c statement_timeout=60000 -c idle_in_transaction_session_timeout=60000";
/// How long one export page may take.
const READ_DEADLINE: Duration = Duration::from_secs(30);

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Unavailable(format!("database: {e}"))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Unavailable(format!("database out of reach: {e}"))
    }
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Exports read through their own pool: a slow one never holds the writer's connection.
    readers: Pool,
    /// The writer's pool, which follow-ups (a person's clicks, rare) also use.
    writers: Pool,
    writer: Arc<std::sync::Mutex<Option<mpsc::Sender<Write>>>>,
    written: Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
    stored: broadcast::Sender<StoredJson>,
    closing: Arc<AtomicBool>,
}

/// One post waiting for the writer.
struct Write {
    responses: Vec<Response>,
    impressions: Vec<Impression>,
    reply: oneshot::Sender<Result<usize, StoreError>>,
}

/// Most posts committed in one transaction.
const BATCH: usize = 512;

/// TLS for connections whose URL asks for it: the public roots, and `PGSSLROOTCERT`'s.
fn tls() -> Result<MakeRustlsConnect, StoreError> {
    let extra = std::env::var("PGSSLROOTCERT").ok();
    crate::tls::client_config(extra.as_deref())
        .map(MakeRustlsConnect::new)
        .map_err(|e| StoreError::Refused(format!("PGSSLROOTCERT {e}")))
}

impl Store {
    /// Connects to `url`, migrates the schema (refusing one newer than this collector's),
    /// and starts listening for changes made by any collector.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let refused = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Refused(format!("{what} {}: {e}", redacted(url)))
        };
        let mut config: Config = with_ssl_mode(url)
            .parse()
            .map_err(|e| refused("cannot read", &e))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        // A peer that vanishes (a paused machine, a cut network) is noticed in seconds, not
        // after the kernel's two hours.
        config.keepalives_idle(Duration::from_secs(10));
        #[cfg(target_os = "linux")]
        config.tcp_user_timeout(Duration::from_secs(15));
        let tls = tls()?;
        let pool = |session: &str, size: usize| {
            let mut config = config.clone();
            let options = [config.get_options().unwrap_or(""), session].join(" ");
            config.options(options.trim());
            let manager = Manager::from_config(
                config,
                tls.clone(),
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            let wait = Some(Duration::from_secs(5));
            Pool::builder(manager)
                .max_size(size)
                .runtime(Runtime::Tokio1)
                .timeouts(Timeouts {
                    wait,
                    create: wait,
                    recycle: wait,
                })
                .build()
                .map_err(|e| refused("cannot use", &e))
        };
        let writers = pool(WRITER_SESSION, 2)?;
        let readers = pool(READER_SESSION, 32)?;
        let mut client = writers
            .get()
            .await
            .map_err(|e| refused("cannot reach", &e))?;
        migrate(&mut client).await.map_err(|e| match e {
            StoreError::Unavailable(e) => refused("cannot migrate", &e),
            other => other,
        })?;
        // Events are the changes made from now on.
        let last: i64 = client
            .query_one("SELECT COALESCE(MAX(changed), 0) FROM responses", &[])
            .await?
            .get(0);
        drop(client);
        let (stored, _) = broadcast::channel(1024);
        let closing = Arc::new(AtomicBool::new(false));
        tokio::spawn(listen(
            config,
            tls.clone(),
            stored.clone(),
            last,
            closing.clone(),
        ));
        let (writer, posts) = mpsc::channel(4 * BATCH);
        let written = tokio::spawn(write_loop(writers.clone(), posts));
        Ok(Store {
            readers,
            writers,
            writer: Arc::new(std::sync::Mutex::new(Some(writer))),
            written: Arc::new(tokio::sync::Mutex::new(Some(written))),
            stored,
            closing,
        })
    }

    /// Stores a post in one transaction; see the module's notes.
    pub async fn upsert(
        &self,
        responses: Vec<Response>,
        impressions: Vec<Impression>,
    ) -> Result<usize, StoreError> {
        if self.closing.load(Ordering::Relaxed) {
            return Err(StoreError::Unavailable(
                "the collector is shutting down".into(),
            ));
        }
        let (reply, answer) = oneshot::channel();
        let write = Write {
            responses,
            impressions,
            reply,
        };
        let stopped = || StoreError::Unavailable("the writer stopped".into());
        let Some(writer) = self.writer.lock().ok().and_then(|w| w.clone()) else {
            return Err(StoreError::Unavailable(
                "the collector is shutting down".into(),
            ));
        };
        let queued = async {
            if writer.send(write).await.is_err() {
                // The writer task ended by itself (a bug): a service manager restarts us.
                eprintln!("sondeo-collector: the PostgreSQL writer stopped; exiting");
                std::process::exit(70);
            }
            answer.await.map_err(|_| stopped())?
        };
        match tokio::time::timeout(WRITE_DEADLINE, queued).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(
                "the database did not answer in time".into(),
            )),
        }
    }

    /// Records a follow-up when a response has its id (one statement: no gap between the
    /// check and the write); `false` when none has.
    pub async fn set_follow_up(&self, follow_up: FollowUp) -> Result<bool, StoreError> {
        self.changes_a_row(
            "INSERT INTO follow_ups (id, status, note, updated_ms)
               SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM responses WHERE id = $1)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, note = excluded.note,
               updated_ms = excluded.updated_ms",
            &[
                &follow_up.id,
                &follow_up.status,
                &follow_up.note,
                &follow_up.updated_ms,
            ],
        )
        .await
    }

    /// Claims the alert of response `id` for this collector: `true` for the first claim of
    /// all the collectors sharing the database (one insert: no gap between check and write).
    pub async fn claim_alert(&self, id: &str) -> Result<bool, StoreError> {
        self.changes_a_row(
            "INSERT INTO alerted (id, alerted_ms) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            &[&id, &clock::now_ms()],
        )
        .await
    }

    /// Runs one statement on the writers' pool (a person's click or an alert's claim: rare),
    /// within the write deadline: whether it changed a row.
    async fn changes_a_row(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<bool, StoreError> {
        let write = async {
            let client = self.writers.get().await?;
            Ok(client.execute(sql, params).await? > 0)
        };
        tokio::time::timeout(WRITE_DEADLINE, write)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    "the database did not answer in time".into(),
                ))
            })
    }

    /// Responses as they are stored through any collector.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        self.stored.subscribe()
    }

    /// A reader for one export (blocking calls, made from a blocking thread).
    pub fn reader(&self) -> Reader {
        Reader {
            pool: self.readers.clone(),
            handle: tokio::runtime::Handle::current(),
        }
    }

    /// Stops taking posts, and waits until the writer has committed (or, past its
    /// deadline, given up on) every post it was given.
    pub async fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
        if let Ok(mut writer) = self.writer.lock() {
            writer.take();
        }
        if let Some(written) = self.written.lock().await.take() {
            let _ = tokio::time::timeout(WRITE_DEADLINE + COMMIT_DEADLINE, written).await;
        }
        self.readers.close();
    }
}

/// Takes every post waiting (up to [`BATCH`]) and commits them together.
async fn write_loop(pool: Pool, mut posts: mpsc::Receiver<Write>) {
    while let Some(first) = posts.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match posts.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        // A post whose sender was already answered 503 is not stored after all: it may
        // have been sent again since, with a newer version, through another collector.
        batch.retain(|write| !write.reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        let committed = match pool.get().await {
            Ok(mut client) => {
                let done = tokio::time::timeout(COMMIT_DEADLINE, commit(&mut client, &batch)).await;
                let done = done.unwrap_or_else(|_| {
                    Err(StoreError::Unavailable(
                        "the database did not answer in time".into(),
                    ))
                });
                if done.is_err() {
                    // Failed or abandoned midway, the session's state is unknown: close it
                    // rather than give it back to the pool.
                    drop(deadpool_postgres::Object::take(client));
                }
                done
            }
            Err(e) => Err(e.into()),
        };
        match committed {
            Ok(outcomes) => {
                for (write, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = write.reply.send(outcome);
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

/// A response version to write, as decided.
struct Row<'a> {
    response: &'a Response,
    json: String,
    received_ms: i64,
}

/// Stores a batch of posts in one transaction; per post, its count or its conflict.
async fn commit(
    client: &mut deadpool_postgres::Client,
    batch: &[Write],
) -> Result<Vec<Result<usize, StoreError>>, StoreError> {
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::ReadCommitted)
        .start()
        .await?;
    // Numbers are taken in commit order: one writer at a time holds them until it commits.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .await?;
    let now = clock::now_ms();
    // What every id of the batch holds now, read once.
    let mut ids: Vec<&str> = batch
        .iter()
        .flat_map(|w| w.responses.iter().map(|r| r.id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut held: HashMap<String, Stored> = HashMap::with_capacity(ids.len());
    if !ids.is_empty() {
        let rows = tx
            .query(
                "SELECT id, complete, survey_id, kind, json FROM responses WHERE id = ANY($1)",
                &[&ids],
            )
            .await?;
        for row in rows {
            held.insert(
                row.get(0),
                Stored {
                    complete: row.get(1),
                    survey_id: row.get(2),
                    kind: row.get(3),
                    json: row.get(4),
                },
            );
        }
    }
    // Each post decided in order against what the posts before it left: a later version in
    // the same batch replaces an earlier one, exactly as if they had come one by one.
    let mut writes: HashMap<&str, Row> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    for write in batch {
        let mut mine: Vec<(&str, Row)> = Vec::new();
        let mut conflict = None;
        for (index, response) in write.responses.iter().enumerate() {
            let current = mine
                .iter()
                .rev()
                .find(|(id, _)| *id == response.id)
                .map(|(_, row)| stored_from(row))
                .or_else(|| writes.get(response.id.as_str()).map(stored_from))
                .or_else(|| held.get(&response.id).cloned());
            match decide(current.as_ref(), response, now) {
                Decision::Conflict { survey_id, kind } => {
                    conflict = Some(StoreError::Conflict {
                        index,
                        survey_id,
                        kind,
                    });
                    break;
                }
                Decision::Keep => {}
                Decision::Write { json, received_ms } => mine.push((
                    response.id.as_str(),
                    Row {
                        response,
                        json,
                        received_ms,
                    },
                )),
            }
        }
        if let Some(conflict) = conflict {
            // Refused whole: nothing of this post is written.
            outcomes.push(Err(conflict));
            continue;
        }
        for (id, row) in mine {
            if writes.insert(id, row).is_none() {
                order.push(id);
            }
        }
        outcomes.push(Ok(write.responses.len() + write.impressions.len()));
    }
    if !order.is_empty() {
        let rows: Vec<&Row> = order.iter().filter_map(|id| writes.get(id)).collect();
        let ids: Vec<&str> = rows.iter().map(|r| r.response.id.as_str()).collect();
        let surveys: Vec<&str> = rows.iter().map(|r| r.response.survey_id.as_str()).collect();
        let kinds: Vec<&str> = rows.iter().map(|r| r.response.kind.as_str()).collect();
        let jsons: Vec<&str> = rows.iter().map(|r| r.json.as_str()).collect();
        let scores: Vec<i16> = rows.iter().map(|r| r.response.score as i16).collect();
        let completes: Vec<bool> = rows.iter().map(|r| r.response.complete).collect();
        let received: Vec<i64> = rows.iter().map(|r| r.received_ms).collect();
        tx.execute(
            "INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json, changed)
             SELECT id, survey_id, kind, score, complete, received_ms, json, nextval('responses_changes')
               FROM unnest($1::text[], $2::text[], $3::text[], $4::int2[], $5::bool[], $6::int8[], $7::text[])
                 AS v(id, survey_id, kind, score, complete, received_ms, json)
             ON CONFLICT (id) DO UPDATE SET score = excluded.score, complete = excluded.complete,
               received_ms = excluded.received_ms, json = excluded.json, changed = excluded.changed",
            &[&ids as &(dyn ToSql + Sync), &surveys, &kinds, &scores, &completes, &received, &jsons],
        )
        .await?;
        // Delivered to every listener when (and only if) the transaction commits.
        tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
    }
    // Display records are facts, not versions: a re-sent one changes nothing. Those of a
    // refused post are not stored either.
    let shown: Vec<&Impression> = batch
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| outcome.is_ok())
        .flat_map(|(write, _)| &write.impressions)
        .collect();
    if !shown.is_empty() {
        let ids: Vec<&str> = shown.iter().map(|i| i.id.as_str()).collect();
        let surveys: Vec<&str> = shown.iter().map(|i| i.survey_id.as_str()).collect();
        let jsons: Vec<String> = shown.iter().map(|i| i.to_json()).collect();
        tx.execute(
            "INSERT INTO impressions (id, survey_id, received_ms, json)
             SELECT id, survey_id, $3, json FROM unnest($1::text[], $2::text[], $4::text[]) AS v(id, survey_id, json)
             ON CONFLICT (id) DO NOTHING",
            &[&ids as &(dyn ToSql + Sync), &surveys, &now, &jsons],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// A decided version as the next decision in the batch sees it.
fn stored_from(row: &Row) -> Stored {
    Stored {
        complete: row.response.complete,
        survey_id: row.response.survey_id.clone(),
        kind: row.response.kind.as_str().to_owned(),
        json: row.json.clone(),
    }
}

async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    // Two collectors starting together: one migrates, the other then finds it done.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS sondeo_schema (version integer NOT NULL)")
        .await?;
    let version: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM sondeo_schema",
            &[],
        )
        .await?
        .get(0);
    check_version(version, MIGRATIONS.len())?;
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO sondeo_schema (version) VALUES ($1)",
            &[&(from as i32 + 1)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Announces every change after `last`, in order, from a connection of its own that
/// listens for commits; reconnects after a loss and catches up by number.
async fn listen(
    config: Config,
    tls: MakeRustlsConnect,
    stored: broadcast::Sender<StoredJson>,
    mut last: i64,
    closing: Arc<AtomicBool>,
) {
    let mut delay = Duration::from_millis(100);
    while !closing.load(Ordering::Relaxed) {
        if let Ok((client, mut connection)) = config.connect(tls.clone()).await {
            delay = Duration::from_millis(100);
            let (wake, mut woken) = mpsc::unbounded_channel::<()>();
            // The connection's messages: notifications wake the reader; its end ends the loop.
            let driver = tokio::spawn(async move {
                let mut messages =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let AsyncMessage::Notification(_) = message {
                        let _ = wake.send(());
                    }
                }
            });
            if client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .await
                .is_ok()
            {
                while !closing.load(Ordering::Relaxed) {
                    // A connection that stopped answering is given up, and made again.
                    let caught = tokio::time::timeout(
                        Duration::from_secs(10),
                        catch_up(&client, &mut last, &stored),
                    );
                    if !matches!(caught.await, Ok(Ok(()))) {
                        break;
                    }
                    // A notification, or a slow poll in case one was lost with a connection.
                    match tokio::time::timeout(Duration::from_secs(2), woken.recv()).await {
                        Ok(None) => break,
                        _ => while woken.try_recv().is_ok() {},
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

async fn catch_up(
    client: &Client,
    last: &mut i64,
    stored: &broadcast::Sender<StoredJson>,
) -> Result<(), tokio_postgres::Error> {
    const BATCH: i64 = 500;
    loop {
        let rows = client
            .query(
                "SELECT changed, json FROM responses WHERE changed > $1 ORDER BY changed LIMIT $2",
                &[&*last, &BATCH],
            )
            .await?;
        for row in &rows {
            *last = row.get(0);
            let json: String = row.get(1);
            let _ = stored.send(StoredJson::from(json));
        }
        if (rows.len() as i64) < BATCH {
            return Ok(());
        }
    }
}

/// Reads an export a page at a time from pooled connections; the calls block (they are
/// made from the export's blocking thread) on the collector's runtime.
pub struct Reader {
    pool: Pool,
    handle: tokio::runtime::Handle,
}

impl Reader {
    fn run<T>(&self, read: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        self.handle
            .block_on(tokio::time::timeout(READ_DEADLINE, read))
            .unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    "the database did not answer in time".into(),
                ))
            })
    }

    /// The selection's metadata keys, most used first (ties in byte order), at most `limit`.
    pub fn metadata_keys(&self, filter: &Filter, limit: usize) -> Result<Vec<String>, StoreError> {
        self.run(async {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT m.key, COUNT(*) AS uses
                       FROM responses r, jsonb_object_keys(r.json::jsonb -> 'metadata') AS m(key)
                      WHERE r.received_ms >= $1 AND ($2::text IS NULL OR r.survey_id = $2) AND r.seq <= $4
                      GROUP BY m.key ORDER BY uses DESC, m.key COLLATE \"C\" LIMIT $3",
                    &[&filter.since_ms, &filter.survey, &(limit as i64), &filter.until_seq],
                )
                .await?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    /// Every follow-up recorded, oldest change first.
    pub fn follow_ups(&self) -> Result<Vec<FollowUp>, StoreError> {
        self.run(async {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT id, status, note, updated_ms FROM follow_ups ORDER BY updated_ms, id",
                    &[],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|r| FollowUp {
                    id: r.get(0),
                    status: r.get(1),
                    note: r.get(2),
                    updated_ms: r.get(3),
                })
                .collect())
        })
    }

    /// The newest row's sequence number in the selection's table.
    pub fn newest(&self, filter: &Filter) -> Result<i64, StoreError> {
        self.run(async {
            let client = self.pool.get().await?;
            let sql = format!("SELECT COALESCE(MAX(seq), 0) FROM {}", filter.table());
            Ok(client.query_one(&sql, &[]).await?.get(0))
        })
    }

    /// Up to `limit` rows of the selection after sequence number `after`, oldest first.
    /// Only the conditions in use are written: a generic plan for `$2 IS NULL OR …` could
    /// leave the primary key's order, and sort the table for every page.
    pub fn page(
        &self,
        filter: &Filter,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let limit = limit as i64;
        let survey = filter.survey.as_deref().unwrap_or("");
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            vec![&after, &filter.until_seq, &limit];
        let mut sql = format!(
            "SELECT seq, json FROM {} WHERE seq > $1 AND seq <= $2",
            filter.table()
        );
        if filter.since_ms > i64::MIN {
            params.push(&filter.since_ms);
            sql.push_str(&format!(" AND received_ms >= ${}", params.len()));
        }
        if filter.survey.is_some() {
            params.push(&survey);
            sql.push_str(&format!(" AND survey_id = ${}", params.len()));
        }
        sql.push_str(" ORDER BY seq LIMIT $3");
        self.run(async {
            let client = self.pool.get().await?;
            let statement = client.prepare_cached(&sql).await?;
            let rows = client.query(&statement, &params).await?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_log_line() {
        assert_eq!(
            redacted("postgres://sondeo:s3cret@db:5432/x?sslmode=require"),
            "postgres://sondeo:***@db:5432/x?sslmode=require"
        );
        assert_eq!(
            redacted("postgresql://db/x?user=u&Password=s3cret&sslmode=require"),
            "postgresql://db/x?user=u&Password=***&sslmode=require"
        );
        assert_eq!(redacted("postgres://sondeo@db/x"), "postgres://sondeo@db/x");
    }

    #[test]
    fn tls_is_used_when_the_url_asks_and_libpq_s_names_are_understood() {
        assert_eq!(
            with_ssl_mode("postgres://db/x"),
            "postgres://db/x?sslmode=disable"
        );
        assert_eq!(
            with_ssl_mode("postgres://db/x?user=u"),
            "postgres://db/x?user=u&sslmode=disable"
        );
        assert_eq!(
            with_ssl_mode("postgres://db/x?sslmode=verify-full"),
            "postgres://db/x?sslmode=require"
        );
        let config: Config = with_ssl_mode("postgres://db/x?sslmode=verify-ca")
            .parse()
            .unwrap();
        assert_eq!(
            config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
    }
}
