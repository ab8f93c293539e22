//! sondeo's delivery: every response reaches the endpoint, once, whatever the network does.
//!
//! A second wasm module, so that a page pays for it only once a survey shows: the widget
//! (`src/deliver`) hands each response over as a one-entry queue, kept in `localStorage`
//! under `sondeo:handoff:<id>` until this module has queued it, and calls it through the
//! loader `src/deliver/courier.js`, which keeps the calls made before it has loaded and
//! makes them in order once it has.
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
#[path = "../../../src/promise.rs"]
mod promise;
mod queue_store;
mod transport;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the module runs on the page's single thread; no wasm threads are used.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use sondeo_core::delivery::{Pushed, Queue};
use sondeo_core::survey::Delivery;
use sondeo_core::Value;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

/// Prefix of the keys under which the widget keeps a response until this module has it.
const HANDOFF_PREFIX: &str = "sondeo:handoff:";

thread_local! {
    /// Whether a survey on this page needs consent to store, and what the site said: the
    /// widget's state (its `storage.rs`), told to this module whenever it changes.
    static CONSENT: Cell<(bool, Option<bool>)> = const { Cell::new((false, None)) };
}

/// `localStorage`, when it exists and may be used (see the widget's `storage::local`).
fn local() -> Option<web_sys::Storage> {
    let (required, given) = CONSENT.with(Cell::get);
    if required && given != Some(true) {
        return None;
    }
    web_sys::window()?.local_storage().ok()?
}

/// Listens for `online` and `pagehide`.
#[wasm_bindgen(start)]
pub fn start() {
    transport::resume_pending();
}

/// The widget's consent state: whether a survey needs it, and the site's answer.
#[wasm_bindgen]
pub fn consent(required: bool, given: Option<bool>) {
    CONSENT.with(|c| c.set((required, given)));
}

/// A survey mounted on this page posts to `endpoint` with `headers` (name, value, name,
/// value…) and these limits: what earlier pages left unsent for it, queued or handed
/// over, goes now, with these headers.
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
    transport::register(&endpoint, headers, limits);
    for (key, json) in handoffs() {
        take_over(&events, &key, &json, Some(&endpoint));
    }
    transport::resume(&endpoint, &events);
}

/// Queues a response the widget handed over (`queued`: a one-entry queue, as stored under
/// `sondeo:handoff:<id>`) and sends it.
#[wasm_bindgen]
pub fn send(events: EventTarget, id: String, queued: String) {
    let mut key = String::from(HANDOFF_PREFIX);
    key.push_str(&id);
    if let Some(endpoint) = take_over(&events, &key, &queued, None) {
        transport::flush(&endpoint, &events);
    }
}

/// How many responses to `endpoint` are not yet acknowledged.
#[wasm_bindgen]
pub fn pending(endpoint: String) -> u32 {
    queue_store::load(&endpoint).entries.len() as u32
}

/// A key that consent withdrawn takes out of storage: unsent answers leave storage but not
/// the page, and are still sent from memory.
#[wasm_bindgen]
pub fn hold(key: String, json: String) {
    if let Some(endpoint) = key.strip_prefix(queue_store::KEY_PREFIX) {
        queue_store::hold(endpoint, json);
    } else if let Some(events) = transport::document_target() {
        take_over(&events, &key, &json, None);
    }
}

/// The responses handed over and not yet queued (by this page before this module loaded,
/// or by a page that closed before it did), as (key, one-entry queue).
fn handoffs() -> Vec<(String, String)> {
    let Some(storage) = local() else {
        return Vec::new();
    };
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(HANDOFF_PREFIX))
        .filter_map(|key| Some((key.clone(), storage.get_item(&key).ok().flatten()?)))
        .collect()
}

/// Queues the response handed over under `key` (`queued`: a one-entry queue), if it is for
/// `only` when given, and deletes the handoff. The endpoint it is for when anything was queued:
/// the same version handed over twice (stored and drained, then called) is queued once.
fn take_over(events: &EventTarget, key: &str, queued: &str, only: Option<&str>) -> Option<String> {
    let value = queue_store::read(queued);
    let endpoint = match &value {
        Value::Array(items) => items.first()?.get("endpoint")?.as_str()?.to_owned(),
        _ => return None,
    };
    if only.is_some_and(|only| only != endpoint) {
        return None;
    }
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
    let limit = transport::route(&endpoint)
        .map_or(Delivery::default().queue_limit, |r| r.limits.queue_limit);
    let queue = queue_store::load(&endpoint);
    let mut queued_any = false;
    for entry in Queue::from_value(&value, &endpoint, js_sys::Date::now()).entries {
        if queue
            .entries
            .iter()
            .any(|e| e.id == entry.id && e.body == entry.body)
        {
            continue;
        }
        queued_any = true;
        queue_store::remember(entry.clone());
        let pushed = queue_store::update(&endpoint, |q| q.push(entry, limit as usize));
        if let Some(Pushed::DroppedOldest(dropped)) = pushed {
            transport::notify(
                events,
                "sondeo:error",
                &dropped.id,
                0,
                "the offline queue is full: the oldest unsent response was dropped",
            );
        }
    }
    queued_any.then_some(endpoint)
}
