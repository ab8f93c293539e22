//! The widget's one door to `localStorage`. A survey with `consent: "required"` keeps it
//! shut until the site calls `consent(true)`: until then nothing is stored (no visitor id,
//! no seen markers; the offline queue lives in memory). `consent(false)` shuts it again
//! and deletes what sondeo stored.

use sondeo_core::delivery::{HANDOFF_KEY_PREFIX, QUEUE_KEY_PREFIX};
use std::cell::Cell;

/// Whether a survey on this page needs consent, and what the site said (None: nothing yet).
static CONSENT: crate::page::PageLocal<Cell<(bool, Option<bool>)>> =
    crate::page::PageLocal::new(Cell::new((false, None)));

/// `localStorage`, when it exists and may be used. It throws in sandboxed frames and some
/// privacy modes; then, as without consent, callers keep things for the page only.
#[inline(never)]
pub fn local() -> Option<web_sys::Storage> {
    let (required, given) = CONSENT.with(Cell::get);
    if required && given != Some(true) {
        return None;
    }
    crate::page::window().local_storage().ok()?
}

/// Whether what the widget stores of a visitor stays: `localStorage` takes a write and gives
/// it back (it throws, or is full, in sandboxed frames, some privacy modes and full quotas).
/// A site's refused consent is its own choice, not a browser that forgets.
pub fn keeps_history() -> bool {
    const PROBE: &str = "sondeo:probe";
    CONSENT.with(Cell::get) == (true, Some(false))
        || local().is_some_and(|s| {
            s.set_item(PROBE, "1").is_ok()
                && s.get_item(PROBE).ok().flatten().is_some_and(|v| v == "1")
                && s.remove_item(PROBE).is_ok()
        })
}

/// A survey that needs consent was mounted.
pub fn require_consent() {
    CONSENT.with(|c| c.set((true, c.get().1)));
    tell_delivery();
}

/// The delivery module keeps the same door: it is told each change.
fn tell_delivery() {
    let (required, given) = CONSENT.with(Cell::get);
    crate::deliver::consent(required, given);
}

/// Whether a survey needs consent and the site has not answered yet.
pub fn consent_pending() -> bool {
    CONSENT.with(|c| c.get() == (true, None))
}

/// The site's answer; `false` also deletes every `sondeo:` key. Prompts that waited for the
/// answer then ask their rules.
pub fn set_consent(granted: bool) {
    let pending = consent_pending();
    CONSENT.with(|c| c.set((c.get().0, Some(granted))));
    tell_delivery();
    if !granted {
        forget(true);
    }
    if pending {
        crate::trigger::consent_answered(granted);
    }
}

/// Deletes sondeo's keys: with `queues`, the offline queues too (their unsent answers are
/// still sent from memory); without, only what it knows of the visitor (`reset()`).
pub fn forget(queues: bool) {
    let Some(storage) = crate::page::window().local_storage().ok().flatten() else {
        return;
    };
    // Listed first: removing a key, or the delivery module storing one, would shift those
    // still to visit.
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("sondeo:"))
        .collect();
    for key in keys {
        if key.starts_with(QUEUE_KEY_PREFIX) || key.starts_with(HANDOFF_KEY_PREFIX) {
            if !queues {
                continue;
            }
            // Unsent answers leave storage but not the page: they are still sent from memory
            // (handed over once the key is gone, so that what the module does with them stays).
            let json = storage.get_item(&key).ok().flatten();
            let _ = storage.remove_item(&key);
            if let Some(json) = json {
                crate::deliver::hold(&key, json);
            }
            continue;
        }
        let _ = storage.remove_item(&key);
    }
}
