//! Page-wide state without `thread_local!`. The widget runs on the page's one thread
//! (wasm32 without the atomics feature: no wasm threads exist), so a plain `static` holds
//! what a thread-local would, without the state check and destructor registration that
//! `thread_local!` compiles into every access (the widget's bytes are paid by every visitor).

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
