//! Reads a JavaScript value into core's [`Value`], so that config validation runs
//! in core with exact field names. js_sys reads are used instead of
//! serde-wasm-bindgen: serde's error paths pull `core::fmt` into the wasm (~10 KB gz).
//!
//! Every read that can run the page's code (a Proxy's traps, a getter) goes through an
//! import that catches what it throws: an exception that unwinds through wasm frames
//! leaves the module's stack pointer where it was, and a few hundred of them would
//! corrupt its memory for every later call.

use sondeo_core::Value;
use wasm_bindgen::prelude::*;

/// Deepest nesting read; a config is shallow, and a cycle must not recurse forever.
const MAX_DEPTH: u32 = 8;
/// Most values read from one config: an object that refers to itself under several keys
/// would otherwise take keys^depth reads (8 keys: minutes), and `window` or a typed array
/// of a million items would be read whole. A config holds a few hundred at most.
pub const CONFIG_VALUES: u32 = 10_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn own_keys(object: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// `Array.isArray(value)`.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Object.hasOwn(object, key)`.
    #[wasm_bindgen(js_namespace = Object, js_name = hasOwn, catch)]
    pub fn has_own(object: &JsValue, key: &JsValue) -> Result<bool, JsValue>;
}

/// The JSON-like view of `value`; functions, symbols, bigints and whatever throws when
/// read become [`Value::Other`]. `None` when it holds `max_values` values or more: the rest
/// would be left unread, and a field after them (`anonymous`, `consent`) missed without a word.
pub fn to_value(value: &JsValue, max_values: u32) -> Option<Value> {
    let mut budget = max_values;
    let read = read(value, 0, &mut budget);
    (budget > 0).then_some(read)
}

fn read(value: &JsValue, depth: u32, budget: &mut u32) -> Value {
    if *budget == 0 {
        return Value::Other;
    }
    *budget -= 1;
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
    let get = |key: &JsValue| js_sys::Reflect::get(value, key).ok();
    match is_array(value) {
        Ok(true) => {
            let length = get(&"length".into())
                .and_then(|n| n.as_f64())
                .unwrap_or(0.0);
            let mut items = Vec::new();
            for index in 0..length.min(*budget as f64) as u32 {
                if *budget == 0 {
                    break;
                }
                let item = get(&index.into()).unwrap_or(JsValue::UNDEFINED);
                items.push(read(&item, depth + 1, budget));
            }
            Value::Array(items)
        }
        Ok(false) => {
            let Ok(keys) = own_keys(value) else {
                return Value::Other;
            };
            let mut members = Vec::new();
            for index in 0..keys.length() {
                if *budget == 0 {
                    break;
                }
                let key = keys.get(index);
                let Some(name) = key.as_string() else {
                    continue;
                };
                // A getter that throws is a value that cannot be read: refused by name,
                // not left out as if the field were not there.
                match get(&key) {
                    Some(member) if member.is_undefined() => {}
                    Some(member) => members.push((name, read(&member, depth + 1, budget))),
                    None => members.push((name, Value::Other)),
                }
            }
            Value::Object(members)
        }
        Err(_) => Value::Other,
    }
}
