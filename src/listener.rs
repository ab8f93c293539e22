//! Event listeners that remove themselves when dropped, so `destroy()` leaves
//! nothing attached to the page.

use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

/// A listener attached to `target` until this value is dropped.
pub struct Listener {
    target: EventTarget,
    kind: String,
    callback: Closure<dyn FnMut(wasm_bindgen::JsValue)>,
}

impl Listener {
    /// Attaches `callback` for `kind` events on `target`. (Boxed by the caller, so that
    /// the closure glue exists once, not once per closure type.)
    pub fn new(
        target: &EventTarget,
        kind: &str,
        callback: Box<dyn FnMut(wasm_bindgen::JsValue)>,
    ) -> Listener {
        let callback = Closure::wrap(callback);
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind: kind.into(),
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            &self.kind,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// Runs `f` once after `ms` milliseconds; dropping the returned value cancels it.
///
/// The callback is a one-shot closure that frees itself when it runs, so a timer may be
/// dropped or replaced from inside its own callback (a settle that clears itself, a wait
/// that schedules the next): freeing a running closure would throw. Cancelling sets a
/// flag the callback checks, besides `clearTimeout`: a timer id that does not fit the
/// i32 of the binding (fake clocks hand out ids from 10^12) would clear nothing.
pub struct Timer {
    id: i32,
    cancelled: Rc<Cell<bool>>,
}

impl Timer {
    /// Schedules `f`. (Not generic: each closure type would repeat the glue, ~500 B of wasm.)
    pub fn new(ms: u32, f: Box<dyn FnOnce()>) -> Option<Timer> {
        let cancelled = Rc::new(Cell::new(false));
        let flag = cancelled.clone();
        // Takes the (absent) argument as the pack fetch's callbacks do: one closure shape, one glue.
        let callback = crate::promise::once(Box::new(move |_| {
            if !flag.get() {
                f()
            }
        }));
        let id = crate::page::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                ms.min(i32::MAX as u32) as i32,
            )
            .ok()?;
        Some(Timer { id, cancelled })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancelled.set(true);
        crate::page::window().clear_timeout_with_handle(self.id);
    }
}
