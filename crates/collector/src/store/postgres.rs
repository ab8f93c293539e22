//! The PostgreSQL store: several collectors behind a load balancer share one database,
//! so that a deploy or a crash of one drops no answer, and the team's SQL tools, backups
//! and BI read the same tables.
//!
//! - **Writes:** one transaction per post, answered only after it commits. Every change
//!   takes a number from the `responses_changes` sequence, under a transaction-scoped
//!   advisory lock, so that the numbers follow commit order: a reader that has seen
//!   change `n` has seen every change before it. (Writers queue for that lock while they
//!   commit; the figures in the README say what one database served here.)
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
use super::{check_version, Filter, StoreError, StoredJson};
use crate::clock;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use futures_util::StreamExt;
use sondeo_core::answer::Response;
use sondeo_core::impression::Impression;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_postgres::{AsyncMessage, Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Whether `db` names a PostgreSQL database rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// `db` without its password, for logs and messages.
pub fn redacted(db: &str) -> String {
    let Some((scheme, rest)) = db.split_once("://") else {
        return db.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or("");
            format!("{scheme}://{name}:***@{host}")
        }
        _ => db.to_owned(),
    }
}

/// The schema's versions, in order: `MIGRATIONS[i]` takes the database from version `i`
/// to `i + 1` (recorded in `sondeo_schema`).
const MIGRATIONS: [&str; 1] = ["
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
"];

/// The channel a commit that changed responses notifies.
const CHANNEL: &str = "sondeo_responses";
/// Advisory lock keys ("sondeo" in ASCII, then 1 and 2).
const WRITE_LOCK: i64 = 0x736f_6e64_656f_0001;
const MIGRATE_LOCK: i64 = 0x736f_6e64_656f_0002;
/// How long a post may wait for the database before it is answered 503.
const WRITE_DEADLINE: Duration = Duration::from_secs(8);
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
    pool: Pool,
    stored: broadcast::Sender<StoredJson>,
    closing: Arc<AtomicBool>,
}

/// TLS for connections whose URL asks for it: the public roots, and `PGSSLROOTCERT`'s.
fn tls() -> Result<MakeRustlsConnect, StoreError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Ok(path) = std::env::var("PGSSLROOTCERT") {
        let certs = CertificateDer::pem_file_iter(&path)
            .map_err(|e| StoreError::Refused(format!("PGSSLROOTCERT {path}: {e}")))?;
        for cert in certs {
            let cert = cert.map_err(|e| StoreError::Refused(format!("PGSSLROOTCERT {path}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| StoreError::Refused(format!("PGSSLROOTCERT {path}: {e}")))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Refused(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

impl Store {
    /// Connects to `url`, migrates the schema (refusing one newer than this collector's),
    /// and starts listening for changes made by any collector.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let refused = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Refused(format!("{what} {}: {e}", redacted(url)))
        };
        let mut config: Config = url.parse().map_err(|e| refused("cannot read", &e))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let tls = tls()?;
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let wait = Some(Duration::from_secs(5));
        let pool = Pool::builder(manager)
            .max_size(32)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait,
                create: wait,
                recycle: wait,
            })
            .build()
            .map_err(|e| refused("cannot use", &e))?;
        let mut client = pool.get().await.map_err(|e| refused("cannot reach", &e))?;
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
        tokio::spawn(listen(config, tls, stored.clone(), last, closing.clone()));
        Ok(Store {
            pool,
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
        let write = self.write(&responses, &impressions);
        match tokio::time::timeout(WRITE_DEADLINE, write).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(
                "the database did not answer in time".into(),
            )),
        }
    }

    async fn write(
        &self,
        responses: &[Response],
        impressions: &[Impression],
    ) -> Result<usize, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Numbers are taken in commit order: one writer at a time holds them until it commits.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await?;
        let now = clock::now_ms();
        let select = tx
            .prepare_cached("SELECT complete, survey_id, kind, json FROM responses WHERE id = $1")
            .await?;
        let upsert = tx
            .prepare_cached(
                "INSERT INTO responses (id, survey_id, kind, score, complete, received_ms, json, changed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('responses_changes'))
                 ON CONFLICT (id) DO UPDATE SET score = excluded.score, complete = excluded.complete,
                   received_ms = excluded.received_ms, json = excluded.json, changed = excluded.changed",
            )
            .await?;
        let mut changed = false;
        for (index, response) in responses.iter().enumerate() {
            let stored = tx.query_opt(&select, &[&response.id]).await?.map(|row| Stored {
                complete: row.get(0),
                survey_id: row.get(1),
                kind: row.get(2),
                json: row.get(3),
            });
            match decide(stored.as_ref(), response, now) {
                Decision::Conflict { survey_id, kind } => {
                    // Dropping the transaction rolls the whole post back.
                    return Err(StoreError::Conflict {
                        index,
                        survey_id,
                        kind,
                    });
                }
                Decision::Keep => {}
                Decision::Write { json, received_ms } => {
                    tx.execute(
                        &upsert,
                        &[
                            &response.id,
                            &response.survey_id,
                            &response.kind.as_str(),
                            &(response.score as i16),
                            &response.complete,
                            &received_ms,
                            &json,
                        ],
                    )
                    .await?;
                    changed = true;
                }
            }
        }
        if !impressions.is_empty() {
            // Display records are facts, not versions: a re-sent one changes nothing.
            let insert = tx
                .prepare_cached(
                    "INSERT INTO impressions (id, survey_id, received_ms, json) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO NOTHING",
                )
                .await?;
            for impression in impressions {
                tx.execute(
                    &insert,
                    &[&impression.id, &impression.survey_id, &now, &impression.to_json()],
                )
                .await?;
            }
        }
        if changed {
            // Delivered to every listener when (and only if) the transaction commits.
            tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
        }
        tx.commit().await?;
        Ok(responses.len() + impressions.len())
    }

    /// Responses as they are stored through any collector.
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        self.stored.subscribe()
    }

    /// A reader for one export (blocking calls, made from a blocking thread).
    pub fn reader(&self) -> Reader {
        Reader {
            pool: self.pool.clone(),
            handle: tokio::runtime::Handle::current(),
        }
    }

    /// Stops taking posts; those in flight finish their transactions.
    pub async fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
        // Give the posts in flight their deadline to commit, then let the pool go.
        let deadline = tokio::time::Instant::now() + WRITE_DEADLINE;
        while self.pool.status().size > self.pool.status().available
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.pool.close();
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
            if client.batch_execute(&format!("LISTEN {CHANNEL}")).await.is_ok() {
                while !closing.load(Ordering::Relaxed) {
                    if catch_up(&client, &mut last, &stored).await.is_err() {
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
    fn run<T>(
        &self,
        read: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
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

    /// The newest row's sequence number in the selection's table.
    pub fn newest(&self, filter: &Filter) -> Result<i64, StoreError> {
        self.run(async {
            let client = self.pool.get().await?;
            let sql = format!("SELECT COALESCE(MAX(seq), 0) FROM {}", filter.table());
            Ok(client.query_one(&sql, &[]).await?.get(0))
        })
    }

    /// Up to `limit` rows of the selection after sequence number `after`, oldest first.
    pub fn page(
        &self,
        filter: &Filter,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        self.run(async {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT seq, json FROM {} WHERE seq > $1 AND seq <= $5 AND received_ms >= $2
                   AND ($3::text IS NULL OR survey_id = $3) ORDER BY seq LIMIT $4",
                filter.table()
            );
            let rows = client
                .query(
                    &sql,
                    &[&after, &filter.since_ms, &filter.survey, &(limit as i64), &filter.until_seq],
                )
                .await?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }
}
