//! Reads a JavaScript value into core's [`Value`], so that config validation runs
//! in core with exact field names. js_sys reads are used instead of
//! serde-wasm-bindgen: serde's error paths pull `core::fmt` into the wasm (~10 KB gz).

use sondeo_core::Value;
use wasm_bindgen::{JsCast, JsValue};

/// Deepest nesting read; a config is shallow, and a cycle must not recurse forever.
const MAX_DEPTH: u32 = 8;

/// The JSON-like view of `value`; functions and symbols become [`Value::Other`].
pub fn to_value(value: &JsValue) -> Value {
    read(value, 0)
}

fn read(value: &JsValue, depth: u32) -> Value {
    if value.is_null() || value.is_undefined() {
        return Value::Null;
    }
    if let Some(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = value.as_f64() {
        // JavaScript's own text of the number (shortest round trip), so metadata keeps every digit.
        // (JSON.stringify, already imported for delivery, prints finite numbers as String(n) does.)
        let text = n
            .is_finite()
            .then(|| js_sys::JSON::stringify(value).ok()?.as_string())
            .flatten()
            .map(String::into_boxed_str);
        return Value::Number(n, text);
    }
    if let Some(s) = value.as_string() {
        return Value::String(s);
    }
    if depth >= MAX_DEPTH || value.is_function() || !value.is_object() {
        return Value::Other;
    }
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        return Value::Array(array.iter().map(|item| read(&item, depth + 1)).collect());
    }
    let object: &js_sys::Object = value.unchecked_ref();
    let members = js_sys::Object::keys(object)
        .iter()
        .filter_map(|key| {
            let name = key.as_string()?;
            let member = js_sys::Reflect::get(object, &key).ok()?;
            if member.is_undefined() {
                return None;
            }
            Some((name, read(&member, depth + 1)))
        })
        .collect();
    Value::Object(members)
}
