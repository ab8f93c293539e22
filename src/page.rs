//! The page's window, page-wide state, and the calls into the page that a hostile page
//! must not turn into an error (its console, its prototypes), as cheaply as wasm allows.
//! Shared by the widget and the delivery module (`crates/deliver` includes this file).
//!
//! Both run on the page's one thread (wasm32 without the atomics feature: no wasm threads
//! exist), so a plain `static` holds what a thread-local would, without the state check and
//! destructor registration that `thread_local!` compiles into every access.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The page's window: one import, where `js_sys::global()` tries four names.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;
    /// Caught: a page's `console.warn` may throw (a test harness that fails on warnings).
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(message: &str) -> Result<(), JsValue>;
}

/// Says `message` in the console, whatever the page did to `console.warn`.
#[allow(dead_code)] // the delivery module speaks through events only
pub fn warn(message: &str) {
    let _ = console_warn(message);
}

/// An object without a prototype holding `entries`: an init dictionary the page's
/// accessors on `Object.prototype` (a setter for `detail` or `mode` that throws) cannot reach,
/// as they would a plain object's.
pub fn dictionary(entries: &[(&str, &JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::create(JsValue::NULL.unchecked_ref());
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&object, &JsValue::from(*key), value);
    }
    object
}

/// Dispatches `name` with `detail` on `target`, bubbling out of the shadow root.
pub fn dispatch(target: &web_sys::EventTarget, name: &str, detail: &JsValue) {
    let init = dictionary(&[
        ("detail", detail),
        ("bubbles", &JsValue::TRUE),
        ("composed", &JsValue::TRUE),
    ]);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, init.unchecked_ref()) {
        let _ = target.dispatch_event(&event);
    }
}

/// The page's window. Both modules only run in one (the widget is a custom element):
/// unlike `web_sys::window()`, this neither looks for the global object under four names
/// nor checks it with an `instanceof` import at every call.
pub fn window() -> web_sys::Window {
    WINDOW.with(web_sys::Window::clone)
}

/// A value for the page, read through `with` as a `thread_local!` key is.
pub struct PageLocal<T>(T);

/// Whether this build runs on one thread: wasm32 without `atomics`, as both modules ship.
const ONE_THREAD: bool = cfg!(all(target_arch = "wasm32", not(target_feature = "atomics")));

// SAFETY: the value is reached only through `with`, which hands it out only where there is
// one thread (`ONE_THREAD`). Elsewhere (the crate compiled natively for `cargo test` and
// clippy, where nothing calls it) `with` panics before touching it, so no two threads can.
unsafe impl<T> Sync for PageLocal<T> {}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("PageLocal assumes a single-threaded wasm build");

impl<T> PageLocal<T> {
    /// The page's `value`.
    pub const fn new(value: T) -> PageLocal<T> {
        PageLocal(value)
    }

    /// Runs `f` with the value.
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        if !ONE_THREAD {
            panic!("sondeo's page state exists only in a single-threaded wasm build");
        }
        f(&self.0)
    }
}
