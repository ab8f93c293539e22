//! The I/O of delivery: `fetch`, timers, events, and the page-level triggers (`online`,
//! `pagehide`). Every decision (what to lease, how to settle an attempt, when to
//! retry or park, what expires) is core's (`sondeo_core::delivery`), tested natively.

use crate::page::PageLocal;
use crate::promise::settle;
use crate::queue_store;
use sondeo_core::delivery::{classify, Entry, Outcome, Settled};
use sondeo_core::survey::Delivery;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

/// Keepalive requests share a 64 KiB budget per page; stay under it.
const KEEPALIVE_BUDGET: usize = 60 * 1024;
/// The longest wait `setTimeout` takes (2^31 − 1 ms, about 24.8 days; a longer one fires
/// at once). A longer wait (a parked entry, a `Retry-After` of a month) gets no timer: the
/// entry waits for a later page or `online`.
const LONGEST_TIMER_MS: f64 = 2_147_483_647.0 - 5.0;

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`; an error where the browser lacks it (before 2022).
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_after(ms: f64) -> Result<JsValue, JsValue>;

    /// The page's `fetch`, whatever wraps it: a wrapper (monitoring, an SDK) may throw at
    /// once instead of rejecting, and an exception unwinding through wasm would leave the
    /// survey's state borrowed for good.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn page_fetch(url: &str, init: &web_sys::RequestInit) -> Result<JsValue, JsValue>;

    /// The URL parser, for an endpoint given as a path.
    type Url;
    #[wasm_bindgen(constructor, catch, js_class = URL)]
    fn new(url: &str, base: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn href(this: &Url) -> String;

    /// `Promise.allSettled(promises)`: marks their failures handled; an error where the
    /// browser lacks it (before 2019).
    #[wasm_bindgen(js_namespace = Promise, js_name = allSettled, catch)]
    fn all_settled(promises: &js_sys::Array) -> Result<JsValue, JsValue>;
}

/// `fetch` to `endpoint` as a promise: what throws at once settles it with the error (a
/// failed attempt, as a rejection is), and what is not a promise (a wrapper's own object) is
/// its value.
fn fetch(endpoint: &str, init: &web_sys::RequestInit) -> js_sys::Promise {
    let url = absolute(endpoint);
    js_sys::Promise::resolve(&page_fetch(&url, init).unwrap_or_else(|error| error))
}

/// The endpoint's URL: a path (`/api/responses`, `./responses`) is on the page's own address.
/// (`fetch` would resolve it against the document's `<base href>`, which may name a CDN: the
/// answers would go there.)
fn absolute(endpoint: &str) -> String {
    let page = js_sys::Reflect::get(&crate::page::window(), &"location".into())
        .and_then(|l| js_sys::Reflect::get(&l, &"href".into()))
        .ok()
        .and_then(|href| href.as_string())
        .unwrap_or_default();
    Url::new(endpoint, &page).map_or_else(|_| endpoint.to_owned(), |url| url.href())
}

/// Extra time past `timeoutMs` before an attempt that has not settled counts as failed: a
/// `fetch` wrapper that ignores the abort signal would otherwise hold the answer forever.
const SETTLE_GRACE_MS: i32 = 2_000;

/// An endpoint that a survey mounted on this page is configured with: only these are
/// sent to, with these headers and limits.
#[derive(Clone)]
pub struct Route {
    endpoint: String,
    headers: Vec<(String, String)>,
    pub limits: Delivery,
    /// The element of the survey that registered it, for the events of what it did not send itself.
    events: EventTarget,
}

struct State {
    tab: String,
    in_flight: Vec<String>,
    /// Per endpoint, the generation of its pending timer: an older timer that fires finds
    /// itself superseded and does nothing. Timers are never cancelled, so each closure
    /// runs once and frees itself, and none is dropped while it runs.
    timers: Vec<(String, u32)>,
    generation: u32,
    routes: Vec<Route>,
    /// The responses this page's visitor gave (their queue ids): they do not expire while
    /// the page is open, however the clock moves.
    given_here: Vec<String>,
    /// The queue ids an attempt from this page failed for: only those may expire.
    tried_here: Vec<String>,
    /// URLs the page's Content-Security-Policy refused a connection to (its
    /// `securitypolicyviolation` events for `connect-src`).
    blocked: Vec<String>,
}

static STATE: PageLocal<RefCell<State>> = PageLocal::new(RefCell::new(State {
    tab: String::new(),
    in_flight: Vec::new(),
    timers: Vec::new(),
    generation: 0,
    routes: Vec::new(),
    given_here: Vec::new(),
    tried_here: Vec::new(),
    blocked: Vec::new(),
}));

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = performance, js_name = now)]
    fn performance_now() -> Result<f64, JsValue>;
    #[wasm_bindgen(thread_local_v2, js_namespace = performance, js_name = timeOrigin)]
    static TIME_ORIGIN: JsValue;
}

/// Milliseconds since 1970: `Date.now()`, or where a page broke it (a mock that answers
/// `NaN`, or a time before 1970; a fake clock at 0 is kept), when the page started plus the
/// time since. A clock that is not a number would hold every answer back for good: no wait
/// would ever end.
pub fn now() -> f64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now >= 0.0 {
        return now;
    }
    TIME_ORIGIN.with(JsValue::as_f64).unwrap_or(0.0) + performance_now().unwrap_or(0.0)
}

fn tab_id() -> String {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.tab.is_empty() {
            let mut id = String::from("tab-");
            sondeo_core::text::push_int(&mut id, (js_sys::Math::random() * 1e15) as i64);
            s.tab = id;
        }
        s.tab.clone()
    })
}

/// How this page sends to `endpoint`, if a survey mounted here posts to it.
pub fn route(endpoint: &str) -> Option<Route> {
    STATE.with(|s| {
        s.borrow()
            .routes
            .iter()
            .find(|r| r.endpoint == endpoint)
            .cloned()
    })
}

pub fn routed_endpoints() -> Vec<String> {
    STATE.with(|s| {
        s.borrow()
            .routes
            .iter()
            .map(|r| r.endpoint.clone())
            .collect()
    })
}

/// Records that the visitor of this page gave the response queued under `id`.
pub fn given_here(id: &str) {
    STATE.with(|s| s.borrow_mut().given_here.push(id.to_owned()));
}

/// The element of the survey on this page that posts to `endpoint`.
pub fn events_of(endpoint: &str) -> Option<EventTarget> {
    route(endpoint).map(|r| r.events)
}

/// Records that a survey on this page posts to `endpoint` with `headers` (the latest
/// survey mounted for an endpoint wins). Whether it is the page's first.
pub fn register(
    endpoint: &str,
    headers: Vec<(String, String)>,
    limits: Delivery,
    events: EventTarget,
) -> bool {
    let first = STATE.with(|s| s.borrow().routes.is_empty());
    if first {
        // Once, at the first mount (after it said whether storage needs consent): rewrite the
        // stored queues without what older versions kept, with the longest age a survey may set.
        queue_store::sweep(365.0 * 86_400_000.0);
    }
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.routes.retain(|r| r.endpoint != endpoint);
        s.routes.push(Route {
            endpoint: endpoint.to_owned(),
            headers,
            limits,
            events,
        });
    });
    first
}

/// Dispatches a delivery event whose detail is `{ id, complete, status, error }`: `complete`
/// tells a refused partial from a refused final answer, which share the id.
pub fn notify(target: &EventTarget, name: &str, entry: &Entry, status: u16, error: &str) {
    notify_retry(target, name, entry, status, error, 0, 0)
}

/// Like [`notify`], with `attempt` and `delayMs` for `sondeo:retry`.
fn notify_retry(
    target: &EventTarget,
    name: &str,
    entry: &Entry,
    status: u16,
    error: &str,
    attempt: u32,
    delay_ms: u32,
) {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&detail, &key.into(), &value);
    };
    set("id", entry.id.as_str().into());
    set("complete", entry.complete.into());
    if status > 0 {
        set("status", (status as f64).into());
    }
    if !error.is_empty() {
        set("error", error.into());
    }
    if attempt > 0 {
        set("attempt", (attempt as f64).into());
        set("delayMs", (delay_ms as f64).into());
    }
    crate::page::dispatch(target, name, &detail);
    // A survey destroyed (or its element removed) since it handed the answer over: its
    // element is out of the page, where no listener of the document hears it, and a refusal
    // that drops the answer would go unsaid. The document hears it too.
    let connected = js_sys::Reflect::get(target, &"isConnected".into())
        .map_or(true, |c| c.as_bool() != Some(false));
    if let Some(document) = document_target().filter(|_| !connected) {
        crate::page::dispatch(&document, name, &detail);
    }
}

pub fn document_target() -> Option<EventTarget> {
    Some(crate::page::window().document()?.unchecked_into())
}

/// While the browser says it is offline, the queue still tries this often: `navigator.onLine`
/// is wrong on some systems (a VPN, a network it does not recognise), and a browser that is
/// offline for good would otherwise never send, waiting for an `online` that does not come.
const OFFLINE_PROBE_MS: f64 = 20_000.0;

fn offline() -> bool {
    !crate::page::window().navigator().on_line()
}

/// Sends every due entry of `endpoint` that no other tab is sending; drops the expired ones.
/// Nothing is sent to an endpoint no survey on this page is configured with.
pub fn flush(endpoint: &str, events: &EventTarget) {
    flush_with(endpoint, events, false)
}

/// [`flush`]; `probe`: send even if the browser says it is offline.
fn flush_with(endpoint: &str, events: &EventTarget, probe: bool) {
    let Some(route) = route(endpoint) else {
        return;
    };
    let offline = !probe && offline();
    let tab = tab_id();
    let started = now();
    let in_flight: Vec<String> = STATE.with(|s| s.borrow().in_flight.clone());
    // Each entry by its own survey's age; none given on this page, however far the clock
    // has jumped since (a device back online with its date corrected), and none before this
    // page has tried it once: an answer an earlier page left is worth one last attempt, and
    // the clock that calls it old may be days fast.
    let (given_here, tried_here) = STATE.with(|s| {
        let s = s.borrow();
        (s.given_here.clone(), s.tried_here.clone())
    });
    let (expired, leased) = queue_store::update(endpoint, |q| {
        // A clock that ran fast and was corrected meanwhile: the waits set in its time
        // would hold the answers back as long as it was fast.
        q.follow_clock(started);
        let expired = q.expire(started, |e| {
            given_here.contains(&e.id) || !tried_here.contains(&e.id)
        });
        let leased = if offline {
            Vec::new()
        } else {
            q.lease_due(started, &tab, &in_flight)
        };
        (expired, leased)
    })
    .unwrap_or_default();
    // Read back: send only what is still ours (see `Queue::still_leased`).
    let mine = queue_store::load(endpoint);
    for entry in leased {
        if mine.still_leased(&entry, &tab) {
            STATE.with(|s| s.borrow_mut().in_flight.push(entry.id.clone()));
            attempt(entry, &route, events.clone());
        }
    }
    // After the sends are marked in flight: a page that queues an answer from this event
    // flushes again, and must not send them a second time.
    for entry in expired {
        notify(
            events,
            "sondeo:error",
            &entry,
            0,
            "the response stayed unsent longer than delivery.maxAgeDays and was dropped",
        );
    }
    if offline {
        for entry in &mine.entries {
            notify(events, "sondeo:queued", entry, 0, "");
        }
    }
    schedule(endpoint, events, mine.next_due());
}

/// Arms one timer for the endpoint's next due entry (`next_due`, from the queue just read).
/// While the browser is offline, no sooner than [`OFFLINE_PROBE_MS`]: `online` wakes the
/// queue before that.
fn schedule(endpoint: &str, events: &EventTarget, next_due: Option<f64>) {
    let generation = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.generation = s.generation.wrapping_add(1);
        let generation = s.generation;
        s.timers.retain(|(e, _)| e != endpoint);
        s.timers.push((endpoint.to_owned(), generation));
        generation
    });
    let probe = offline();
    let Some(mut at) = next_due else {
        return;
    };
    if probe {
        at = at.max(now() + OFFLINE_PROBE_MS);
    }
    let wait = (at - now()).max(0.0);
    if wait >= LONGEST_TIMER_MS {
        return;
    }
    let endpoint = endpoint.to_owned();
    let events = events.clone();
    let fire = crate::promise::once(Box::new(move |_| {
        let current = STATE.with(|s| {
            s.borrow()
                .timers
                .iter()
                .any(|(e, g)| *e == endpoint && *g == generation)
        });
        if current {
            flush_with(&endpoint, &events, probe);
        }
    }));
    // A little slack so the entry is due when the timer fires.
    let _ = crate::page::window().set_timeout_with_callback_and_timeout_and_arguments_0(
        fire.unchecked_ref(),
        wait as i32 + 5,
    );
}

/// The request for `entry`: with `keepalive` (the page is leaving; it outlives the page and
/// is not retried by it, so it has no time limit), else limited to `timeout_ms`.
fn request_init(
    entry: &Entry,
    headers_of_route: &[(String, String)],
    keepalive: bool,
    timeout_ms: u32,
) -> web_sys::RequestInit {
    // Without a prototype, as every init the modules hand the page (see `page::dictionary`).
    // A 301 or 302 would turn the post into a GET without its body, which the target then
    // acknowledges: the answer would be lost as "sent". A redirect is a failed attempt.
    let init = crate::page::dictionary(&[
        ("method", &JsValue::from_str(&entry.method)),
        ("body", &JsValue::from_str(&entry.body)),
        ("redirect", &"manual".into()),
    ]);
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&init, &key.into(), value);
    };
    if keepalive {
        set("keepalive", &JsValue::TRUE);
    } else if let Ok(signal) = abort_after(timeout_ms as f64) {
        set("signal", &signal);
    }
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = headers.set("Content-Type", "application/json");
        for (k, v) in headers_of_route {
            let _ = headers.set(k, v);
        }
        set("headers", &headers);
    }
    init.unchecked_into()
}

fn attempt(entry: Entry, route: &Route, events: EventTarget) {
    let window = crate::page::window();
    let promise = fetch(
        &entry.endpoint,
        &request_init(&entry, &route.headers, false, route.limits.timeout_ms),
    );
    // Whichever comes first, the answer or the time limit, settles the attempt; the other
    // finds it settled and does nothing.
    let settled = std::rc::Rc::new(std::cell::Cell::new(false));
    let (late, late_entry, late_events) = (settled.clone(), entry.clone(), events.clone());
    let give_up = crate::promise::once(Box::new(move |_| {
        if !late.replace(true) {
            finish(
                late_entry,
                late_events,
                None,
                None,
                "the endpoint did not answer in time",
            );
        }
    }));
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        give_up.unchecked_ref(),
        route.limits.timeout_ms as i32 + SETTLE_GRACE_MS,
    );
    let on_settled = crate::promise::once(Box::new(move |value: JsValue| {
        if settled.replace(true) {
            return;
        }
        // A response is known by its status, not by `instanceof Response`: a page whose
        // `fetch` comes from an iframe (to escape other wrappers) answers with another
        // window's Response, and a stored answer taken for a failure would be sent forever.
        let status = js_sys::Reflect::get(&value, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| (0.0..1000.0).contains(s));
        match status {
            // Only a redirect not followed (`redirect: "manual"`) answers with status 0. The
            // site must fix its endpoint: said as an error, and the answer kept and retried.
            Some(0.0) => {
                let problem = "the endpoint answered with a redirect, which is not followed; give its final URL as endpoint";
                notify(&events, "sondeo:error", &entry, 0, problem);
                finish(entry, events, None, None, problem)
            }
            Some(status) => {
                let response: web_sys::Response = value.unchecked_into();
                let status = status as u16;
                let retry_after = response.headers().get("Retry-After").ok().flatten();
                if classify(Some(status)) == Outcome::Refused {
                    // Read the endpoint's message for the error event before finishing.
                    match response.text() {
                        Ok(text) => {
                            let on_text = crate::promise::once(Box::new(move |text: JsValue| {
                                let message = text.as_string().unwrap_or_default();
                                finish(entry, events, Some(status), retry_after, &message);
                            }));
                            settle(&js_sys::Promise::resolve(&text), &on_text);
                        }
                        Err(_) => finish(entry, events, Some(status), retry_after, ""),
                    }
                } else {
                    finish(entry, events, Some(status), retry_after, "");
                }
            }
            // No answer: the time limit's abort, or the network (a reset, a refused
            // connection, CORS). Said in the retry event, as the README promises.
            None => {
                let name = js_sys::Reflect::get(&value, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .unwrap_or_default();
                let problem = if name == "AbortError" || name == "TimeoutError" {
                    "the endpoint did not answer in time"
                } else if blocked_by_policy(&entry.endpoint) {
                    "the page's Content-Security-Policy blocks the endpoint: add its origin to connect-src (the answer is kept, and sent from a page that allows it)"
                } else {
                    "the endpoint could not be reached (offline, a refused or reset connection, CORS, or a connect-src of the page's Content-Security-Policy that leaves it out)"
                };
                finish(entry, events, None, None, problem)
            }
        }
    }));
    settle(&promise, &on_settled);
}

fn finish(
    entry: Entry,
    events: EventTarget,
    status: Option<u16>,
    retry_after: Option<String>,
    message: &str,
) {
    STATE.with(|s| s.borrow_mut().in_flight.retain(|id| *id != entry.id));
    let code = status.unwrap_or(0);
    let (settled, next_due) = queue_store::update(&entry.endpoint, |q| {
        let settled = q.settle(
            &entry.id,
            &entry.body,
            status,
            retry_after.as_deref(),
            now(),
            js_sys::Math::random(),
        );
        (settled, q.next_due())
    })
    .unwrap_or((Settled::Superseded, None));
    if matches!(settled, Settled::Parked | Settled::Retrying { .. }) {
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            if !s.tried_here.contains(&entry.id) {
                s.tried_here.push(entry.id.clone());
            }
        });
    }
    match settled {
        Settled::Delivered => notify(&events, "sondeo:sent", &entry, code, ""),
        Settled::Refused => {
            let mut error = String::from("the endpoint refused the response");
            let message: String = message.chars().take(500).collect();
            if !message.is_empty() {
                error.push_str(": ");
                error.push_str(&message);
            }
            notify(&events, "sondeo:error", &entry, code, &error);
        }
        Settled::Parked => notify(&events, "sondeo:queued", &entry, code, ""),
        Settled::Retrying { attempt, wait_ms } => notify_retry(
            &events,
            "sondeo:retry",
            &entry,
            code,
            message,
            attempt,
            wait_ms,
        ),
        Settled::Superseded => {}
    }
    schedule(&entry.endpoint, &events, next_due);
}

/// Whether the page's CSP has refused a connection to `endpoint`: a URL it blocked is the
/// endpoint, resolved against the page (`/api/responses` on this page's origin), with or
/// without a query. Chromium says so a task after the attempt fails: the first retry's
/// event may still give the general reasons.
fn blocked_by_policy(endpoint: &str) -> bool {
    let absolute = absolute(endpoint);
    STATE.with(|s| {
        s.borrow().blocked.iter().any(|uri| {
            // Bytes, not `str::starts_with` on a pattern: a string search is ~1 KB of wasm.
            uri.len() >= absolute.len()
                && uri.as_bytes()[..absolute.len()] == *absolute.as_bytes()
                && matches!(uri.as_bytes().get(absolute.len()), None | Some(b'?'))
        })
    })
}

/// Notes each URL the page's CSP refuses a connection to (from a trusted event of a policy
/// that blocks, not one that only reports: a script cannot make the module blame the policy
/// by firing one). The 16 latest are kept.
fn note_violation(event: JsValue) {
    let read = |key: &str| js_sys::Reflect::get(&event, &key.into()).unwrap_or_default();
    if read("isTrusted") != JsValue::TRUE
        || read("effectiveDirective").as_string().as_deref() != Some("connect-src")
        || read("disposition").as_string().as_deref() == Some("report")
    {
        return;
    }
    let Some(uri) = read("blockedURI").as_string() else {
        return;
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if !s.blocked.contains(&uri) {
            if s.blocked.len() >= 16 {
                s.blocked.remove(0);
            }
            s.blocked.push(uri);
        }
    });
}

/// Wakes the parked and backing-off entries of `endpoint` (see `Queue::wake`) and sends
/// them (a survey for it mounted).
pub fn resume(endpoint: &str, events: &EventTarget) {
    queue_store::update(endpoint, |q| q.wake(now()));
    flush(endpoint, events);
}

/// Wakes the entries of every endpoint a survey on this page posts to (`online`).
fn wake_all() {
    let Some(events) = document_target() else {
        return;
    };
    for endpoint in routed_endpoints() {
        resume(&endpoint, &events);
    }
}

/// On `pagehide`, hands everything unsent to the browser with `keepalive`, which
/// outlives the page. Entries stay queued: if they arrive, the next page's resend
/// is dropped by the endpoint as a duplicate; if not, it delivers them.
fn send_before_leaving() {
    let tab = tab_id();
    let mut budget = KEEPALIVE_BUDGET;
    let at = now();
    for endpoint in routed_endpoints() {
        let Some(route) = route(&endpoint) else {
            continue;
        };
        for entry in queue_store::load(&endpoint).entries {
            let ours_or_free = entry.lease_until <= at || entry.lease_owner == tab;
            if !ours_or_free || entry.body.len() > budget {
                continue;
            }
            budget -= entry.body.len();
            let sent = fetch(
                &entry.endpoint,
                &request_init(&entry, &route.headers, true, 0),
            );
            // Its outcome is not waited for; a failure (offline, a reset) must not surface as
            // an unhandled rejection in the page's console or error monitoring.
            let _ = all_settled(&js_sys::Array::of1(&sent));
        }
    }
}

/// Listens for `online` and `pagehide` for the page's lifetime (called once when the module
/// starts). What earlier pages left unsent is re-sent when a survey for its endpoint mounts.
pub fn resume_pending() {
    let window = crate::page::window();
    let on = |kind: &str, run: fn(JsValue)| {
        // Taking the event, as the one-shot callbacks do: one closure shape, one glue.
        let callback = Closure::<dyn FnMut(JsValue)>::new(run);
        let _ = window.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        callback.forget();
    };
    on("online", |_| wake_all());
    on("pagehide", |_| send_before_leaving());
    // Fired at the document, and bubbling to the window.
    on("securitypolicyviolation", note_violation);
}
