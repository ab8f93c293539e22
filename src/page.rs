//! The page's window and page-wide state, as cheaply as wasm allows. Shared by the widget
//! and the delivery module (`crates/deliver` includes this file).
//!
//! Both run on the page's one thread (wasm32 without the atomics feature: no wasm threads
//! exist), so a plain `static` holds what a thread-local would, without the state check and
//! destructor registration that `thread_local!` compiles into every access.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The page's window: one import, where `js_sys::global()` tries four names.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;
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
