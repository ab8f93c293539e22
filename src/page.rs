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
pub struct PageLocal<T>(pub T);

// SAFETY: the widget is built for wasm32-unknown-unknown without `atomics`, where there is
// one thread; the compile error below keeps a threaded build from using this.
unsafe impl<T> Sync for PageLocal<T> {}

#[cfg(target_feature = "atomics")]
compile_error!("PageLocal assumes a single-threaded wasm build");

impl<T> PageLocal<T> {
    /// Runs `f` with the value.
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}
