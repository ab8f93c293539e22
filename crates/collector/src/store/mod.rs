//! Storage: the only module that knows which database holds the responses. SQLite is
//! the embedded default (one file, no server); PostgreSQL (`--db postgres://…`) lets
//! several collectors share one database. Both follow one contract, whose rules live in
//! [`rules`]: upsert by id (a partial never replaces a complete response, an exact
//! re-send changes nothing and announces nothing, an id belongs to its survey and kind),
//! one transaction per post, the answer only after commit, exports streamed a page at a
//! time, and every change announced to the event stream once.

mod postgres;
mod rules;
mod sqlite;
pub use sqlite::MAX_READERS;

pub use postgres::redacted;

use sondeo_core::answer::Response;
use sondeo_core::impression::Impression;
use std::sync::Arc;
use tokio::sync::broadcast;

/// A stored response as it goes out: its payload JSON (with `receivedAt`).
pub type StoredJson = Arc<str>;

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
    /// The database failed, is out of reach, or the collector is stopping.
    Unavailable(String),
    /// The database was made by a newer collector, or cannot be opened at all: the
    /// collector refuses to start.
    Refused(String),
    /// Every read connection is in use by other exports: try again shortly.
    Busy,
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
            StoreError::Unavailable(e) | StoreError::Refused(e) => f.write_str(e),
            StoreError::Busy => f.write_str("too many exports at once: try again in a second"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Refuses a database whose schema is newer than the `known` versions of this collector.
fn check_version(found: i64, known: usize) -> Result<(), StoreError> {
    if found > known as i64 || found < 0 {
        return Err(StoreError::Refused(format!(
            "the database is at schema version {found}, newer than this collector's {known}: run the collector that migrated it (or a newer one)"
        )));
    }
    Ok(())
}

/// What the team did about a response (closing the loop with an unhappy customer):
/// `open`, `contacted` or `resolved`, with a note.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    /// The response's id.
    pub id: String,
    pub status: String,
    pub note: String,
    /// When it was last set, in milliseconds since the Unix epoch (the collector's clock).
    pub updated_ms: i64,
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub enum Store {
    /// A file, by path.
    Sqlite(sqlite::Store),
    /// A server, by URL, shared with other collectors.
    Postgres(postgres::Store),
}

impl Store {
    /// Opens the database `db`: a `postgres://` or `postgresql://` URL, else a file path
    /// (created 0600 when missing). Migrates it to this collector's schema.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        if postgres::is_url(db) {
            return Ok(Store::Postgres(postgres::Store::open(db).await?));
        }
        Ok(Store::Sqlite(sqlite::Store::open(std::path::Path::new(
            db,
        ))?))
    }

    /// Stores `responses` (upsert by id; a partial never replaces a complete response) and
    /// display records (the first of an id is kept). Returns once they are committed.
    pub async fn upsert(
        &self,
        responses: Vec<Response>,
        impressions: Vec<Impression>,
    ) -> Result<usize, StoreError> {
        match self {
            Store::Sqlite(s) => s.upsert(responses, impressions).await,
            Store::Postgres(s) => s.upsert(responses, impressions).await,
        }
    }

    /// Records a follow-up (replacing the response's earlier one); `false` when no
    /// response has its id.
    pub async fn set_follow_up(&self, follow_up: FollowUp) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.set_follow_up(follow_up).await,
            Store::Postgres(s) => s.set_follow_up(follow_up).await,
        }
    }

    /// Claims the alert of response `id`: `true` for the first claim ever, of all the
    /// collectors sharing the database, before and after any restart.
    pub async fn claim_alert(&self, id: &str) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.claim_alert(id).await,
            Store::Postgres(s) => s.claim_alert(id).await,
        }
    }

    /// Responses as they are stored (by any collector sharing the database).
    pub fn subscribe(&self) -> broadcast::Receiver<StoredJson> {
        match self {
            Store::Sqlite(s) => s.subscribe(),
            Store::Postgres(s) => s.subscribe(),
        }
    }

    /// A reader for one export. Its methods block: call them off the async runtime.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        match self {
            Store::Sqlite(s) => Ok(Reader::Sqlite(s.reader()?)),
            Store::Postgres(s) => Ok(Reader::Postgres(s.reader())),
        }
    }

    /// Stops accepting writes and waits until what was accepted is committed.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close(),
            Store::Postgres(s) => s.close().await,
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
pub enum Reader {
    Sqlite(sqlite::Reader),
    Postgres(postgres::Reader),
}

impl Reader {
    /// The metadata keys of the selection, most used first (ties in byte order), at most
    /// `most` of them; the flag tells whether more keys exist beyond those.
    pub fn metadata_keys(
        &self,
        filter: &Filter,
        most: usize,
    ) -> Result<(Vec<String>, bool), StoreError> {
        let mut keys = match self {
            Reader::Sqlite(r) => r.metadata_keys(filter, most + 1)?,
            Reader::Postgres(r) => r.metadata_keys(filter, most + 1)?,
        };
        let more = keys.len() > most;
        keys.truncate(most);
        Ok((keys, more))
    }

    /// Every follow-up recorded, oldest change first.
    pub fn follow_ups(&self) -> Result<Vec<FollowUp>, StoreError> {
        match self {
            Reader::Sqlite(r) => r.follow_ups(),
            Reader::Postgres(r) => r.follow_ups(),
        }
    }

    fn newest(&self, filter: &Filter) -> Result<i64, StoreError> {
        match self {
            Reader::Sqlite(r) => r.newest(filter),
            Reader::Postgres(r) => r.newest(filter),
        }
    }

    fn page(
        &self,
        filter: &Filter,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        match self {
            Reader::Sqlite(r) => r.page(filter, after, limit),
            Reader::Postgres(r) => r.page(filter, after, limit),
        }
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
        let newest = self.reader.newest(&self.filter)?;
        self.filter.until_seq = self.filter.until_seq.min(newest);
        Ok(self.filter.clone())
    }

    /// The next page (blocking; call it off the async runtime), `None` at the end.
    pub fn next_page(&mut self) -> Option<Result<Vec<String>, StoreError>> {
        if self.done {
            return None;
        }
        match self.reader.page(&self.filter, self.after, self.page) {
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
}
