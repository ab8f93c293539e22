//! Delivery: every response reaches the endpoint, once, whatever the network does.
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

mod queue_store;
mod transport;

use sondeo_core::answer::Response;
use sondeo_core::delivery::{Entry, Pushed, RetryLimits};
use sondeo_core::survey::{Config, Delivery};
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

pub use queue_store::{hold, KEY_PREFIX};
pub use transport::{resume_pending, settle};

/// Sends the responses of one survey to its endpoint.
pub struct Deliverer {
    endpoint: String,
    method: &'static str,
    before_send: Option<js_sys::Function>,
    events: EventTarget,
    limits: Delivery,
}

impl Deliverer {
    /// A deliverer for `config`'s endpoint, dispatching `sondeo:sent`, `sondeo:retry`,
    /// `sondeo:queued` and `sondeo:error` on `events`.
    pub fn new(
        config: &Config,
        events: EventTarget,
        before_send: Option<js_sys::Function>,
    ) -> Deliverer {
        transport::register(&config.endpoint, &config.headers, config.delivery);
        // What earlier pages left unsent for this endpoint goes now, with this survey's headers.
        transport::resume(&config.endpoint, &events);
        Deliverer {
            endpoint: config.endpoint.clone(),
            method: config.method.as_str(),
            before_send,
            events,
            limits: config.delivery,
        }
    }

    /// Queues `response` (a partial when `response.complete` is false) and sends it. Never blocks.
    pub fn send(&self, response: &Response) {
        let Some(body) = self.body(response) else {
            return;
        };
        self.enqueue(response.id.clone(), response.complete, body);
    }

    /// Queues a display record. Its queue key is not the response's id, so that the
    /// response to it never replaces it in the queue; `beforeSend` does not see it.
    pub fn send_impression(&self, impression: &sondeo_core::impression::Impression) {
        let key = sondeo_core::text::concat(&["shown:", &impression.id]);
        self.enqueue(key, true, impression.to_json());
    }

    fn enqueue(&self, id: String, complete: bool, body: String) {
        let entry = Entry {
            id,
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
        };
        queue_store::remember(entry.clone());
        let pushed = queue_store::update(&self.endpoint, |q| {
            q.push(entry, self.limits.queue_limit as usize)
        });
        if let Some(Pushed::DroppedOldest(dropped)) = pushed {
            transport::notify(
                &self.events,
                "sondeo:error",
                &dropped.id,
                0,
                "the offline queue is full: the oldest unsent response was dropped",
            );
        }
        transport::flush(&self.endpoint, &self.events);
    }

    /// How many responses are not yet acknowledged by the endpoint.
    pub fn pending(&self) -> u32 {
        queue_store::load(&self.endpoint).entries.len() as u32
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
                    "beforeSend returned nothing to send; expected a string or an object"
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
        transport::notify(&self.events, "sondeo:error", &response.id, 0, &problem);
        None
    }
}
