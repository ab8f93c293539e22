//! When a prompt shows itself: on load (after a delay), at a scroll depth, on
//! exit intent or on a named event; only for the sampled share of visitors (drawn
//! once per visitor, see `sondeo_core::targeting`), and not again within
//! `recontactDays` of an answer or `dismissDays` of a dismissal.

use crate::listener::{Listener, Timer};
use crate::storage::local;
use sondeo_core::survey::Config;
use sondeo_core::targeting::{draw, sampled, seen_allows};
use sondeo_core::text::push_int;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The armed triggers of one survey; dropping disarms them.
#[derive(Default)]
pub struct Armed {
    _listeners: Vec<Listener>,
    _timers: Vec<Timer>,
}

/// How a visitor last left a survey.
pub enum Outcome {
    /// Submitted an answer.
    Answered,
    /// Closed it without answering.
    Dismissed,
}

fn key(survey_id: &str) -> String {
    let mut key = String::from("sondeo:seen:");
    key.push_str(survey_id);
    key
}

/// Remembers the outcome with the current time.
pub fn remember(survey_id: &str, outcome: Outcome) {
    let Some(storage) = local() else { return };
    let mut value = String::from(match outcome {
        Outcome::Answered => "a",
        Outcome::Dismissed => "d",
    });
    push_int(&mut value, js_sys::Date::now() as i64);
    let _ = storage.set_item(&key(survey_id), &value);
}

/// Who this visitor is, for sampling: `user.id` when the site gives one (the same person
/// on every device), else a random id kept in `localStorage` as `sondeo:visitor`. Without
/// storage (a sandboxed frame) the id lasts for the page only.
fn visitor(config: &Config) -> String {
    if let Some(id) = &config.user.id {
        return id.clone();
    }
    let storage = local();
    if let Some(id) = storage
        .as_ref()
        .and_then(|s| s.get_item(VISITOR_KEY).ok().flatten())
    {
        return id;
    }
    let id = crate::survey::new_id();
    if let Some(s) = storage {
        let _ = s.set_item(VISITOR_KEY, &id);
    }
    id
}

const VISITOR_KEY: &str = "sondeo:visitor";

/// Whether this visitor may be prompted automatically now.
pub fn allowed(config: &Config) -> bool {
    if config.sample < 1.0 && !sampled(config.sample, draw(&config.id, &visitor(config))) {
        return false;
    }
    let Some(seen) = local().and_then(|s| s.get_item(&key(&config.id)).ok().flatten()) else {
        return true;
    };
    seen_allows(
        &seen,
        js_sys::Date::now(),
        config.recontact_days,
        config.dismiss_days,
    )
}

/// Arms the config's triggers; `show` runs when one fires. Returns whether to show
/// at once (load without delay), which the caller does after mounting.
pub fn arm(config: &Config, show: impl Fn() + 'static) -> (Armed, bool) {
    let mut armed = Armed::default();
    if !allowed(config) {
        return (armed, false);
    }
    let trigger = &config.trigger;
    let show = Rc::new(show);
    let Some(window) = web_sys::window() else {
        return (armed, false);
    };
    if trigger.load && trigger.delay_ms > 0 {
        let show = show.clone();
        armed
            ._timers
            .extend(Timer::new(trigger.delay_ms, move || show()));
    }
    if let Some(percent) = trigger.scroll_percent {
        let show = show.clone();
        let w = window.clone();
        armed
            ._listeners
            .push(Listener::new(&window, "scroll", move |_| {
                let Some(root) = w.document().and_then(|d| d.document_element()) else {
                    return;
                };
                let seen = w.scroll_y().unwrap_or(0.0)
                    + w.inner_height()
                        .ok()
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0);
                let height = root.scroll_height().max(1) as f64;
                if seen * 100.0 >= height * percent as f64 {
                    show();
                }
            }));
    }
    if trigger.exit_intent {
        if let Some(document) = window.document() {
            let show = show.clone();
            armed
                ._listeners
                .push(Listener::new(&document, "mouseout", move |event| {
                    // Leaving through the top edge with no element to go to: towards the tabs or the address bar.
                    if let Some(e) = event.dyn_ref::<web_sys::MouseEvent>() {
                        if e.related_target().is_none() && e.client_y() <= 0 {
                            show();
                        }
                    }
                }));
        }
    }
    if let Some(name) = &trigger.event {
        let show = show.clone();
        armed
            ._listeners
            .push(Listener::new(&window, name, move |_| show()));
    }
    (armed, trigger.load && trigger.delay_ms == 0)
}
