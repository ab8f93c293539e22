//! Delivery: posts each response to the survey's endpoint and loses nothing.
//!
//! The widget only calls [`Deliverer::send`] and [`Deliverer::pending`]; retries,
//! the offline queue and the page-exit flush live behind them.
//! (Minimal first version: one fetch per response, no retry yet.)

use sondeo_core::answer::Response;
use sondeo_core::survey::Config;
use wasm_bindgen::prelude::*;

/// Sends the responses of one survey to its endpoint.
pub struct Deliverer {
    endpoint: String,
    method: &'static str,
    headers: Vec<(String, String)>,
    before_send: Option<js_sys::Function>,
    events: web_sys::EventTarget,
}

impl Deliverer {
    /// A deliverer for `config`'s endpoint, dispatching `sondeo:error` (and, later,
    /// `sondeo:sent`, `sondeo:retry`, `sondeo:queued`) on `events`.
    pub fn new(
        config: &Config,
        events: web_sys::EventTarget,
        before_send: Option<js_sys::Function>,
    ) -> Deliverer {
        Deliverer {
            endpoint: config.endpoint.clone(),
            method: config.method.as_str(),
            headers: config.headers.clone(),
            before_send,
            events,
        }
    }

    /// Sends `response` (partial when `response.complete` is false). Never blocks.
    pub fn send(&self, response: &Response) {
        let body = response.to_json();
        let body: JsValue = match &self.before_send {
            None => body.into(),
            Some(hook) => {
                let payload = js_sys::JSON::parse(&body).unwrap_or(JsValue::NULL);
                match hook.call1(&JsValue::NULL, &payload) {
                    Ok(v) if v.is_string() => v,
                    Ok(v) => js_sys::JSON::stringify(&v)
                        .map(JsValue::from)
                        .unwrap_or(body.into()),
                    Err(e) => {
                        self.error(&e);
                        return;
                    }
                }
            }
        };
        let init = web_sys::RequestInit::new();
        init.set_method(self.method);
        init.set_body(&body);
        let headers =
            web_sys::Headers::new().expect_throw("unreachable: new Headers() does not throw");
        let _ = headers.set("Content-Type", "application/json");
        for (k, v) in &self.headers {
            let _ = headers.set(k, v);
        }
        init.set_headers(&headers);
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.fetch_with_str_and_init(&self.endpoint, &init);
        let events = self.events.clone();
        let on_error = Closure::once(move |e: JsValue| dispatch_error(&events, &e));
        let _ = promise.catch(&on_error);
        // One small closure per post; it frees itself when called.
        on_error.forget();
    }

    /// How many responses are not yet acknowledged by the endpoint.
    pub fn pending(&self) -> u32 {
        0
    }

    fn error(&self, e: &JsValue) {
        dispatch_error(&self.events, e)
    }
}

/// Re-sends whatever earlier pages left unsent (called once when the module starts).
pub fn resume_pending() {}

fn dispatch_error(target: &web_sys::EventTarget, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("sondeo:error", &init) {
        let _ = target.dispatch_event(&event);
    }
}
