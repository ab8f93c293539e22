//! sondeo's delivery: every response reaches the endpoint, once, whatever the network does.
//!
//! A second wasm module, so that a page pays for it only when an answer is near: the widget
//! (`src/deliver`) hands each response over as a one-entry queue, kept in `localStorage`
//! under `sondeo:handoff:<id> <endpoint>` until this module has queued it, and calls it
//! through the loader `src/deliver/courier.js`, which keeps the calls made before it has
//! loaded and makes them in order once it has.
//!
//! `send` puts the response in a bounded queue in `localStorage` (one entry per
//! response id, so the final post replaces the partial) and tries to send it.
//! Failures are retried with backoff (core's rules); what is still unsent is
//! re-sent on `online`, on the next page load of any page with sondeo, and with
//! `fetch(…, {keepalive: true})` on `pagehide`. Tabs lease entries so two tabs
//! do not send one at the same time; the endpoint drops duplicates by id anyway.
//!
//! The stored queue obeys the page: an entry is sent only to an endpoint that a
//! survey mounted on this page is configured with, with that survey's headers (none
//! are stored), and it expires after `delivery.maxAgeDays`.

// What the page's JSON gives, read into core's value as the widget reads a config. Of its
// readers this module uses one.
#[allow(dead_code)]
#[path = "../../../src/js_value.rs"]
mod js_value;
#[path = "../../../src/page.rs"]
mod page;
#[path = "../../../src/promise.rs"]
mod promise;
mod queue_store;
mod transport;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the module runs on the page's single thread; no wasm threads are used.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use page::PageLocal;
use sondeo_core::delivery::{
    handoff_endpoint, handoff_id, Pushed, HANDOFF_KEY_PREFIX, QUEUE_KEY_PREFIX,
};
use sondeo_core::survey::Delivery;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

/// Whether a survey on this page needs consent to store, and what the site said: the
/// widget's state (its `storage.rs`), told to this module whenever it changes.
static CONSENT: PageLocal<Cell<(bool, Option<bool>)>> = PageLocal::new(Cell::new((false, None)));

/// `localStorage`, when it exists and may be used (see the widget's `storage::local`).
fn local() -> Option<web_sys::Storage> {
    let (required, given) = CONSENT.with(Cell::get);
    if required && given != Some(true) {
        return None;
    }
    any_storage()
}

/// `localStorage` whatever the consent: to delete what consent withdrawn forbids keeping.
fn any_storage() -> Option<web_sys::Storage> {
    page::window().local_storage().ok()?
}

/// Listens for `online` and `pagehide`.
#[wasm_bindgen(start)]
pub fn start() {
    transport::resume_pending();
}

/// The widget's consent state: whether a survey needs it, and the site's answer. Withdrawn
/// where a survey needs it, it takes the queues and handoffs out of storage (a call made
/// before this one, replayed by the loader, may have written them after the widget deleted
/// what it saw) and keeps their answers in memory, still sent from this page. Given, what
/// earlier pages left for the surveys here goes now: their `register` could not read it.
#[wasm_bindgen]
pub fn consent(required: bool, given: Option<bool>) {
    let was_open = local().is_some();
    let taken = if required && given == Some(false) {
        take_stored()
    } else {
        Vec::new()
    };
    CONSENT.with(|c| c.set((required, given)));
    for (key, json) in taken {
        hold(key, json);
    }
    if !was_open && local().is_some() {
        for endpoint in transport::routed_endpoints() {
            if let Some(events) = transport::events_of(&endpoint) {
                take_over_stored(&events, &endpoint, crate::transport::now());
                transport::resume(&endpoint, &events);
            }
        }
    }
}

/// The queues and handoffs in storage, deleted from it.
fn take_stored() -> Vec<(String, String)> {
    let Some(storage) = any_storage() else {
        return Vec::new();
    };
    let taken = stored_with(&storage, |key| {
        key.starts_with(QUEUE_KEY_PREFIX) || key.starts_with(HANDOFF_KEY_PREFIX)
    });
    for (key, _) in &taken {
        let _ = storage.remove_item(key);
    }
    taken
}

/// The keys of `storage` that `wanted` picks, with their values.
fn stored_with(storage: &web_sys::Storage, wanted: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| wanted(key))
        .filter_map(|key| Some((key.clone(), storage.get_item(&key).ok().flatten()?)))
        .collect()
}

/// A survey mounted on this page posts to `endpoint` with `headers` (name, value, name,
/// value…) and these limits, and its events go to `events`: what earlier pages left unsent
/// for it, queued or handed over, goes now, with these headers.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn register(
    events: EventTarget,
    endpoint: String,
    headers: js_sys::Array,
    max_attempts: u32,
    base_delay_ms: u32,
    max_delay_ms: u32,
    queue_limit: u32,
    max_age_days: u32,
    timeout_ms: u32,
    mounted_at: f64,
) {
    let headers: Vec<String> = headers.iter().filter_map(|h| h.as_string()).collect();
    let headers = headers
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    let limits = Delivery {
        max_attempts,
        base_delay_ms,
        max_delay_ms,
        queue_limit,
        max_age_days,
        timeout_ms,
        ..Delivery::default()
    };
    if transport::register(&endpoint, headers, limits, events.clone()) {
        sweep_handoffs();
    }
    take_over_stored(&events, &endpoint, mounted_at);
    transport::resume(&endpoint, &events);
}

/// Queues the handoffs storage holds for `endpoint` made before `before` (ms since the epoch):
/// the later ones are this page's (or another open tab's), which their own calls bring in
/// order, a partial before its final version.
fn take_over_stored(events: &EventTarget, endpoint: &str, before: f64) {
    let Some(storage) = local() else { return };
    // (One made after now by more than a clock's drift between tabs was made by a clock
    // that has since been set back: an earlier page's too, which no live page will send.)
    let ahead = crate::transport::now() + 60_000.0;
    for (key, json) in stored_with(&storage, |key| handoff_endpoint(key) == Some(endpoint)) {
        if made_before(&json, endpoint, before) || !made_before(&json, endpoint, ahead) {
            take_over(events, &key, &json);
        }
    }
}

/// Deletes the handoffs no page can send: unreadable, or older than the longest age a
/// survey may set (for an endpoint no page mounts any more).
fn sweep_handoffs() {
    let Some(storage) = local() else { return };
    let oldest = crate::transport::now() - 365.0 * 86_400_000.0;
    for (key, json) in stored_with(&storage, |key| key.starts_with(HANDOFF_KEY_PREFIX)) {
        let Some(endpoint) = handoff_endpoint(&key) else {
            let _ = storage.remove_item(&key);
            continue;
        };
        if made_before(&json, endpoint, oldest) {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Whether the handoff `json` for `endpoint` was made before `time` (ms since the epoch); an
/// unreadable one counts as made before any time.
fn made_before(json: &str, endpoint: &str, time: f64) -> bool {
    let entries = queue_store::parse(json, endpoint).entries;
    entries.iter().all(|e| e.created_at < time)
}

/// Queues a response the widget handed over (`queued`: a one-entry queue, as stored under
/// `key`) and sends it.
#[wasm_bindgen]
pub fn send(events: EventTarget, key: String, queued: String) {
    // This page's own answer (earlier pages' handoffs are taken from storage at mount).
    if let Some(id) = handoff_id(&key) {
        transport::given_here(id);
    }
    if let Some(endpoint) = take_over(&events, &key, &queued) {
        transport::flush(&endpoint, &events);
    }
}

/// How many responses to `endpoint` are not yet acknowledged.
#[wasm_bindgen]
pub fn pending(endpoint: String) -> u32 {
    queue_store::load(&endpoint).entries.len() as u32
}

/// What consent withdrawn took out of storage (a queue or a handoff): its unsent answers
/// leave storage but not the page, and are sent from memory.
#[wasm_bindgen]
pub fn hold(key: String, json: String) {
    let endpoint = match key.strip_prefix(QUEUE_KEY_PREFIX) {
        Some(endpoint) => {
            queue_store::hold(endpoint, &json);
            endpoint
        }
        None => {
            let Some(endpoint) = handoff_endpoint(&key) else {
                return;
            };
            let events = transport::events_of(endpoint).or_else(transport::document_target);
            if events.is_none_or(|events| take_over(&events, &key, &json).is_none()) {
                return;
            }
            endpoint
        }
    };
    if let Some(events) = transport::events_of(endpoint) {
        transport::flush(endpoint, &events);
    }
}

/// Queues the response handed over under `key` (`queued`: a one-entry queue) and deletes
/// the handoff. The endpoint, when anything was queued: the same version handed over twice
/// (stored and drained, then called) is queued once, and a partial never takes the place of
/// the final version, not even in what this page remembers having queued.
fn take_over(events: &EventTarget, key: &str, queued: &str) -> Option<String> {
    let endpoint = handoff_endpoint(key)?.to_owned();
    // Deleting needs no consent: a handoff stored before it was withdrawn must go too.
    if let Some(storage) = any_storage() {
        let _ = storage.remove_item(key);
    }
    let limit = transport::route(&endpoint)
        .map_or(Delivery::default().queue_limit, |r| r.limits.queue_limit);
    let queue = queue_store::load(&endpoint);
    let mut queued_any = false;
    for entry in queue_store::parse(queued, &endpoint).entries {
        let known = queue
            .entries
            .iter()
            .any(|e| e.id == entry.id && (e.body == entry.body || e.complete && !entry.complete));
        if known {
            continue;
        }
        queued_any = true;
        // Remembered once pushed: remembered first, the load inside `update` would already
        // put it back (`Queue::restore`), and the push find it there, never over the limit.
        let own = entry.clone();
        let pushed = queue_store::update(&endpoint, |q| q.push(entry, limit as usize));
        // (Nor when the push dropped the entry itself: a record of a prompt shown, over the
        // limit of a queue of answers.)
        let dropped_itself = matches!(&pushed, Some(Pushed::DroppedOldest(d)) if d.id == own.id);
        if pushed != Some(Pushed::Ignored) && !dropped_itself {
            queue_store::remember(own);
        }
        if let Some(Pushed::DroppedOldest(dropped)) = pushed {
            transport::notify(
                events,
                "sondeo:error",
                &dropped,
                0,
                "the offline queue is full: the oldest unsent response was dropped",
            );
        }
    }
    queued_any.then_some(endpoint)
}
