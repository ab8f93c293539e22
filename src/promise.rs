//! Waiting for a promise from Rust. Shared by the widget and the delivery module
//! (`crates/deliver` includes this file).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A promise seen through `then(f, f)`: one callback for both outcomes, so exactly
    /// one closure runs and frees itself.
    type Settle;
    #[wasm_bindgen(method, js_name = then)]
    fn then_either(this: &Settle, on_fulfilled: &JsValue, on_rejected: &JsValue) -> JsValue;
}

/// A JS function that runs `f` once, then frees itself. Boxed, so that every one-shot
/// callback (timers, promise steps) shares one closure glue rather than one per closure type.
pub fn once(f: Box<dyn FnOnce(JsValue)>) -> JsValue {
    Closure::once_into_js(f)
}

/// Runs `callback` (a one-shot closure) with the promise's value or its error.
pub fn settle(promise: &js_sys::Promise, callback: &JsValue) {
    promise
        .unchecked_ref::<Settle>()
        .then_either(callback, callback);
}
