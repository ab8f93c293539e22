//! The offline queue in `localStorage`, one key per endpoint. Where storage is
//! missing (sandboxed frames, some privacy modes) or full, the queue lives in
//! memory for this page: retries still happen, only reloads cannot resume it.

use crate::js_value::to_value;
use crate::local;
use crate::page::PageLocal;
use sondeo_core::delivery::{queue_key, Entry, Queue, QUEUE_KEY_PREFIX};
use sondeo_core::Value;
use std::cell::RefCell;

/// Queues (as JSON) that `localStorage` refused or cannot hold, per endpoint.
static MEMORY: PageLocal<RefCell<Vec<(String, String)>>> = PageLocal::new(RefCell::new(Vec::new()));
/// The latest version this page queued of each response still queued, to put back
/// when another tab's stale write replaces it (see `Queue::restore`).
static OWN: PageLocal<RefCell<Vec<Entry>>> = PageLocal::new(RefCell::new(Vec::new()));

/// Remembers a version this page has just queued.
pub fn remember(entry: Entry) {
    OWN.with(|own| {
        let mut own = own.borrow_mut();
        own.retain(|e| !(e.endpoint == entry.endpoint && e.id == entry.id));
        own.push(entry);
    });
}

/// The queue of `endpoint` as stored.
fn stored(endpoint: &str) -> Queue {
    MEMORY
        .with(|m| {
            m.borrow()
                .iter()
                .find(|(e, _)| e == endpoint)
                .map(|(_, q)| q.clone())
        })
        .or_else(|| local()?.get_item(&queue_key(endpoint)).ok().flatten())
        .map(|text| parse(&text, endpoint))
        .unwrap_or_default()
}

/// A queue as [`Queue::to_json`] wrote it, with only `endpoint`'s entries.
pub fn parse(text: &str, endpoint: &str) -> Queue {
    Queue::from_value(&read(text), endpoint, crate::transport::now())
}

/// Most values read from one stored queue: its longest (`queueLimit` 1000) holds about
/// 20 per entry.
const QUEUE_VALUES: u32 = 100_000;

/// JSON text as core's value (null where it is not JSON).
fn read(text: &str) -> Value {
    js_sys::JSON::parse(text)
        .ok()
        .and_then(|value| to_value(&value, QUEUE_VALUES))
        .unwrap_or(Value::Null)
}

/// The queue of `endpoint`, with what this page queued and another tab's write lost put
/// back (see `Queue::restore`).
pub fn load(endpoint: &str) -> Queue {
    let mut queue = stored(endpoint);
    OWN.with(|own| queue.restore(endpoint, &own.borrow()));
    queue
}

/// Adds a queue taken out of storage (consent was withdrawn) to what this page keeps in
/// memory for `endpoint`, where its unsent answers still go out from this page; an entry
/// memory already has stays as it is. Into memory, not through [`save`]: the caller deletes
/// the key next, and storage may still be open.
pub fn hold(endpoint: &str, json: &str) {
    let stored = parse(json, endpoint);
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        // Memory holds this page's queue when a write failed: the stored copy is then older.
        let mut held = match m.iter().position(|(e, _)| e == endpoint) {
            Some(i) => parse(&m.remove(i).1, endpoint),
            None => Queue::default(),
        };
        for entry in stored.entries {
            if !held.entries.iter().any(|e| e.id == entry.id) {
                held.entries.push(entry);
            }
        }
        m.push((endpoint.to_owned(), held.to_json()));
    });
}

/// Saves the queue of `endpoint` (an empty queue removes the key).
pub fn save(endpoint: &str, queue: &Queue) {
    let json = queue.to_json();
    let key = queue_key(endpoint);
    let stored = local().is_some_and(|s| {
        if queue.entries.is_empty() {
            return s.remove_item(&key).is_ok();
        }
        if s.set_item(&key, &json).is_err() {
            // Full (the site's own data filled the quota): the copy stored before stays, and
            // memory holds this page's queue. The stored copy misses what this page has done
            // since, so a later page may resend an answer delivered (the endpoint drops it as
            // a duplicate) or refused (refused again); deleted, every answer earlier pages and
            // other tabs stored would go with it.
            return false;
        }
        // Read back: a storage that takes writes and gives back nothing, or something else
        // (a no-op shim, a `getItem` that throws or answers every key with the same text),
        // would leave the queue nowhere, and nothing sent. Browsers apply another tab's
        // writes between tasks, so within this one the text must be ours.
        match s.get_item(&key) {
            Ok(Some(back)) => back == json,
            _ => {
                let _ = s.remove_item(&key);
                false
            }
        }
    });
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.retain(|(e, _)| e != endpoint);
        if !stored && !queue.entries.is_empty() {
            m.push((endpoint.to_owned(), json));
        }
    });
}

/// Loads, changes and saves the queue of `endpoint` in one step, first putting back this
/// page's versions that another tab overwrote.
pub fn update<R>(endpoint: &str, change: impl FnOnce(&mut Queue) -> R) -> Option<R> {
    let mut queue = load(endpoint);
    let result = change(&mut queue);
    save(endpoint, &queue);
    // What this change took out (everything the page queued was in after `load`) was
    // delivered, refused, expired or dropped here: nothing to keep.
    OWN.with(|own| {
        own.borrow_mut()
            .retain(|e| e.endpoint != endpoint || queue.entries.iter().any(|q| q.id == e.id));
    });
    Some(result)
}

/// Rewrites every stored queue, sending nothing: an older version stored header values
/// (an API key) and no age, and a queue whose endpoint no page mounts any more would keep
/// them for ever. Entries older than `max_age_ms` are dropped.
pub fn sweep(max_age_ms: f64) {
    let Some(s) = local() else { return };
    let mut endpoints = Vec::new();
    for i in 0..s.length().unwrap_or(0) {
        if let Some(endpoint) = s
            .key(i)
            .ok()
            .flatten()
            .and_then(|k| k.strip_prefix(QUEUE_KEY_PREFIX).map(str::to_owned))
        {
            endpoints.push(endpoint);
        }
    }
    let now = crate::transport::now();
    for endpoint in endpoints {
        update(&endpoint, |q| {
            q.entries.retain(|e| now - e.created_at <= max_age_ms);
        });
    }
}
