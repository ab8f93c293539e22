//! The widget's side of delivery. Sending (the offline queue, retries, `fetch`) is a second
//! wasm module, `crates/deliver`, fetched by `courier.js` when the visitor reaches for a
//! prompt (or a response or display record is to be sent, or earlier pages left one unsent):
//! a page whose prompts are not answered does not load it. Each response is handed over as a
//! one-entry queue, written to `localStorage` under `sondeo:handoff:<id> <endpoint>` first, so
//! that an answer given before the module has loaded (or while it cannot load) is sent by
//! this page once it has, or by a later page.

use crate::storage::local;
use sondeo_core::answer::Response;
use sondeo_core::delivery::{handoff_endpoint, handoff_key, queue_key, Entry, Queue, RetryLimits};
use sondeo_core::survey::{Config, Delivery};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

#[wasm_bindgen(module = "/src/deliver/courier.js")]
extern "C" {
    /// Calls the delivery module's `name` with `args` (or keeps the call until it has
    /// loaded; `load`: fetch it now). What it returned; undefined while it is not loaded.
    #[wasm_bindgen(catch)]
    fn courier(name: &str, args: js_sys::Array, load: bool) -> Result<JsValue, JsValue>;
    /// Fetches the delivery module now.
    #[wasm_bindgen(catch)]
    fn preload() -> Result<(), JsValue>;
}

fn call(name: &str, args: &[JsValue], load: bool) -> JsValue {
    // By index, not `push`: a page may have replaced `Array.prototype.push`.
    let array = js_sys::Array::new();
    for (i, arg) in args.iter().enumerate() {
        array.set(i as u32, arg.clone());
    }
    courier(name, array, load).unwrap_or(JsValue::UNDEFINED)
}

/// Tells the delivery module whether storing needs consent and what the site said. (Given
/// after mount, what earlier pages left unsent goes once the module loads: when the visitor
/// reaches for a prompt, or on the next page.)
pub fn consent(required: bool, given: Option<bool>) {
    let given = given.map_or(JsValue::UNDEFINED, JsValue::from);
    call("consent", &[required.into(), given], false);
}

/// Hands over what a storage key held (consent withdrawn takes it out of storage): its
/// unsent answers are still sent from memory.
pub fn hold(key: &str, json: String) {
    call("hold", &[key.into(), json.into()], true);
}

static LOAD_ASKED: crate::page::PageLocal<std::cell::Cell<bool>> =
    crate::page::PageLocal::new(std::cell::Cell::new(false));

/// Fetches the delivery module ahead of the first answer (the visitor reaches for a prompt).
/// Asked once: a failed load is tried again by the next response to send, not by every
/// pointer move.
pub fn load() {
    if !LOAD_ASKED.with(|asked| asked.replace(true)) {
        let _ = preload();
    }
}

/// Whether storage holds anything unsent for `endpoint`: a queue or a handoff.
fn unsent_stored(endpoint: &str) -> bool {
    let Some(storage) = local() else {
        return false;
    };
    storage
        .get_item(&queue_key(endpoint))
        .ok()
        .flatten()
        .is_some()
        || handoff_stored(&storage, endpoint)
}

/// Whether storage holds a handoff for `endpoint`.
fn handoff_stored(storage: &web_sys::Storage, endpoint: &str) -> bool {
    (0..storage.length().unwrap_or(0)).any(|i| {
        storage
            .key(i)
            .ok()
            .flatten()
            .is_some_and(|key| handoff_endpoint(&key) == Some(endpoint))
    })
}

/// Sends the responses of one survey to its endpoint.
pub struct Deliverer {
    endpoint: String,
    method: &'static str,
    before_send: Option<js_sys::Function>,
    events: EventTarget,
    limits: Delivery,
    /// The ids this survey handed over (what `pending` counts until the module has loaded).
    handed: RefCell<Vec<String>>,
}

impl Deliverer {
    /// A deliverer for `config`'s endpoint; the module dispatches `sondeo:sent`,
    /// `sondeo:retry`, `sondeo:queued` and `sondeo:error` on `events`.
    pub fn new(
        config: &Config,
        events: EventTarget,
        before_send: Option<js_sys::Function>,
    ) -> Deliverer {
        let headers = js_sys::Array::new();
        for (i, (name, value)) in config.headers.iter().enumerate() {
            headers.set(2 * i as u32, name.into());
            headers.set(2 * i as u32 + 1, value.into());
        }
        let d = config.delivery;
        let number = |n: u32| JsValue::from(n as f64);
        // What earlier pages left unsent goes now: then the module is needed at once.
        call(
            "register",
            &[
                events.clone().into(),
                config.endpoint.as_str().into(),
                headers.into(),
                number(d.max_attempts),
                number(d.base_delay_ms),
                number(d.max_delay_ms),
                number(d.queue_limit),
                number(d.max_age_days),
                number(d.timeout_ms),
                // What this page hands over comes through the loader, in order; only older
                // handoffs are taken from storage.
                js_sys::Date::now().into(),
            ],
            unsent_stored(&config.endpoint),
        );
        Deliverer {
            endpoint: config.endpoint.clone(),
            method: config.method.as_str(),
            before_send,
            events,
            limits: d,
            handed: RefCell::new(Vec::new()),
        }
    }

    /// Queues `response` (a partial when `response.complete` is false) and sends it. Never blocks.
    pub fn send(&self, response: &Response) {
        let Some(body) = self.body(response) else {
            return;
        };
        self.hand_over(response.id.clone(), response.complete, body);
    }

    /// Queues a display record. Its queue key is not the response's id, so that the
    /// response to it never replaces it in the queue; `beforeSend` does not see it.
    pub fn send_impression(&self, impression: &sondeo_core::impression::Impression) {
        let key = sondeo_core::text::concat(&["shown:", &impression.id]);
        self.hand_over(key, true, impression.to_json());
    }

    fn hand_over(&self, id: String, complete: bool, body: String) {
        let entry = Entry {
            id: id.clone(),
            complete,
            endpoint: self.endpoint.clone(),
            method: String::from(self.method),
            created_at: js_sys::Date::now(),
            limits: RetryLimits::from(&self.limits),
            body,
            attempts: 0,
            next_at: 0.0,
            lease_until: 0.0,
            lease_owner: String::new(),
            set_at: 0.0,
        };
        let queued = Queue {
            entries: vec![entry],
        }
        .to_json();
        let key = handoff_key(&id, &self.endpoint);
        if let Some(storage) = local() {
            let _ = storage.set_item(&key, &queued);
        }
        let mut handed = self.handed.borrow_mut();
        if !handed.contains(&id) {
            handed.push(id);
        }
        drop(handed);
        call(
            "send",
            &[self.events.clone().into(), key.into(), queued.into()],
            true,
        );
    }

    /// How many responses are not yet acknowledged by the endpoint. Until the module has
    /// loaded: those in the stored queue and those this survey handed over (stored or not).
    /// Earlier pages' handoffs are not counted: they load the module at mount.
    pub fn pending(&self) -> u32 {
        if let Some(n) = call("pending", &[self.endpoint.as_str().into()], false).as_f64() {
            return n as u32;
        }
        let queued = local()
            .and_then(|s| s.get_item(&queue_key(&self.endpoint)).ok().flatten())
            .and_then(|text| js_sys::JSON::parse(&text).ok())
            .filter(|queue| crate::js_value::is_array(queue) == Ok(true))
            .and_then(|queue| {
                js_sys::Reflect::get(&queue, &"length".into())
                    .ok()?
                    .as_f64()
            })
            .map_or(0, |length| length as u32);
        queued + self.handed.borrow().len() as u32
    }

    /// The body to post: the payload JSON, or what `beforeSend` makes of it
    /// (a string as is, anything else as JSON). A hook that throws, or returns nothing JSON
    /// can hold, is reported and nothing is sent.
    fn body(&self, response: &Response) -> Option<String> {
        let json = response.to_json();
        let Some(hook) = &self.before_send else {
            return Some(json);
        };
        let payload = js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL);
        let mut problem = String::from("beforeSend threw: ");
        match hook.call1(&JsValue::NULL, &payload) {
            // What JSON cannot hold (a forgotten `return`, a function) is nothing to send.
            Ok(v) => {
                // A promise (an `async` hook) would be sent as `{}`: the hook must return
                // the payload itself.
                let promise = v.is_object()
                    && js_sys::Reflect::get(&v, &"then".into()).is_ok_and(|t| t.is_function());
                let body = v
                    .as_string()
                    .or_else(|| js_sys::JSON::stringify(&v).ok()?.as_string())
                    .filter(|_| !promise);
                if body.is_some() {
                    return body;
                }
                problem = String::from(if promise {
                    "beforeSend returned a Promise; expected a string or an object (not async)"
                } else {
                    "beforeSend returned nothing JSON can write (undefined, a function, a cycle); expected a string or an object"
                });
            }
            // Read through Reflect (it catches): the error's `message` may be a throwing getter.
            Err(e) => {
                if let Some(message) = js_sys::Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                {
                    problem.push_str(&message);
                }
            }
        }
        error_event(&self.events, &response.id, &problem);
        None
    }
}

/// Dispatches `sondeo:error` with `{ id, error }`, as the delivery module does.
fn error_event(target: &EventTarget, id: &str, error: &str) {
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &"id".into(), &id.into());
    let _ = js_sys::Reflect::set(&detail, &"error".into(), &error.into());
    crate::page::dispatch(target, "sondeo:error", &detail);
}
