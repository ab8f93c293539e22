//! The offline queue in `localStorage`, one key per endpoint. Where storage is
//! missing (sandboxed frames, some privacy modes) or full, nothing survives the
//! page, and responses are sent once, as a plain post would be.

use crate::js_value::to_value;
use sondeo_core::delivery::Queue;

/// Prefix of the storage keys; the rest is the endpoint.
pub const KEY_PREFIX: &str = "sondeo:queue:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn key(endpoint: &str) -> String {
    let mut key = String::from(KEY_PREFIX);
    key.push_str(endpoint);
    key
}

/// The queue of `endpoint`.
pub fn load(endpoint: &str) -> Queue {
    storage()
        .and_then(|s| s.get_item(&key(endpoint)).ok().flatten())
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .map(|value| Queue::from_value(&to_value(&value)))
        .unwrap_or_default()
}

/// Saves the queue of `endpoint` (an empty queue removes the key).
pub fn save(endpoint: &str, queue: &Queue) {
    if let Some(s) = storage() {
        let _ = if queue.entries.is_empty() {
            s.remove_item(&key(endpoint))
        } else {
            s.set_item(&key(endpoint), &queue.to_json())
        };
    }
}

/// Loads, changes and saves the queue of `endpoint` in one step.
pub fn update<R>(endpoint: &str, change: impl FnOnce(&mut Queue) -> R) -> Option<R> {
    let mut queue = load(endpoint);
    let result = change(&mut queue);
    save(endpoint, &queue);
    Some(result)
}

/// Every endpoint with a queue in storage (left by this page or earlier ones).
pub fn endpoints() -> Vec<String> {
    let mut found = Vec::new();
    if let Some(s) = storage() {
        let n = s.length().unwrap_or(0);
        for i in 0..n {
            if let Some(k) = s.key(i).ok().flatten() {
                if let Some(endpoint) = k.strip_prefix(KEY_PREFIX) {
                    found.push(endpoint.to_owned());
                }
            }
        }
    }
    found
}
