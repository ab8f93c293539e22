//! A call's options object, checked before it is read. Read leniently, a misspelt option
//! (`byid`) or a value of another type (`byId: "false"`, `from: new Date()`,
//! `minTeamSize: NaN`) would be taken as absent, or as true, and the figures would come
//! out different without a word; here each is an error naming the option and what it takes.
//! An option set to `undefined` counts as not given, as it does in JavaScript.

use wasm_bindgen::prelude::*;

/// What an option takes.
#[derive(Clone, Copy)]
pub enum Want {
    /// A string; the text says which (`a date such as "2026-11-01"`).
    Text(&'static str),
    /// `true` or `false`.
    Flag,
    /// A whole number within the range.
    Count(u32, u32),
    /// An object (its own members are checked by the caller).
    Object,
    /// A function.
    Function,
}

use Want::*;

/// A date option (`from`, `to`, and `compare`'s).
pub const DATE: Want = Text("a date such as \"2026-11-01\" or an RFC 3339 time");

/// The filters that pick comments, which the listings (`responses()`, `responsesCsv()`,
/// `counted()`) and `inflation()` take besides [`SCOPE`] (see `filter::FilterOptions`).
pub const COMMENTS: &[(&str, Want)] = &[
    ("group", Text("a group such as \"detractor\" or \"low\"")),
    ("reason", Text("a reason")),
    ("text", Text("the text a comment contains")),
    ("withComment", Flag),
];

/// The filters that narrow figures (`summary()`): the ones that pick responses, not
/// comments.
pub const SCOPE: &[(&str, Want)] = &[
    ("by", Text("a segment field such as \"metadata.agent\"")),
    ("value", Text("a value of the segment field by")),
    ("kind", Text("a kind such as \"nps\"")),
    ("survey", Text("a survey id")),
    ("from", DATE),
    ("to", DATE),
];

/// The eNPS anonymity floor; below 1 (or NaN) there would be none.
pub const MIN_TEAM_SIZE: &[(&str, Want)] = &[("minTeamSize", Count(1, 1_000_000))];

/// The options of reading a file.
pub const STREAM: &[(&str, Want)] = &[
    ("format", Text("\"ndjson\" or \"csv\"")),
    ("onProgress", Function),
];

/// Checks `options` of `call`: absent (`undefined`, `null`) or an object whose every
/// member is one of `known` (in any of the lists), of the type it takes.
pub fn check(options: &JsValue, call: &str, known: &[&[(&str, Want)]]) -> Result<(), JsError> {
    check_in(options, call, known).map_err(|e| JsError::new(&e))
}

/// [`check`], its error as text.
pub fn check_in(options: &JsValue, call: &str, known: &[&[(&str, Want)]]) -> Result<(), String> {
    if options.is_undefined() || options.is_null() {
        return Ok(());
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(format!(
            "{call}: expected an options object such as {{ by: \"metadata.agent\" }}, got {}",
            describe(options)
        ));
    }
    let names = || {
        known
            .iter()
            .flat_map(|list| list.iter().map(|(name, _)| *name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let keys = js_sys::Reflect::own_keys(options)
        .map_err(|_| format!("{call}: its options cannot be read"))?;
    for key in keys.iter() {
        // Symbols name no option.
        let Some(key) = key.as_string() else { continue };
        let value = js_sys::Reflect::get(options, &key.as_str().into())
            .map_err(|_| format!("{key}: reading it threw"))?;
        if value.is_undefined() {
            continue;
        }
        let Some(want) = known
            .iter()
            .flat_map(|list| list.iter())
            .find(|(name, _)| *name == key)
            .map(|(_, want)| *want)
        else {
            return Err(format!(
                "{key}: not an option of {call}; expected {}",
                names()
            ));
        };
        if let Some(expected) = refusal(&value, want) {
            return Err(format!(
                "{key}: expected {expected}, got {}",
                describe(&value)
            ));
        }
    }
    Ok(())
}

/// What `value` should have been, when it is not what `want` takes.
fn refusal(value: &JsValue, want: Want) -> Option<String> {
    let fits = match want {
        Text(_) => value.is_string(),
        Flag => value.as_bool().is_some(),
        Count(min, max) => value
            .as_f64()
            .is_some_and(|n| n.fract() == 0.0 && n >= min as f64 && n <= max as f64),
        Object => value.is_object() && !js_sys::Array::is_array(value),
        Function => value.is_function(),
    };
    (!fits).then(|| match want {
        Text(what) => what.to_owned(),
        Flag => "true or false".to_owned(),
        Count(min, max) => format!("a whole number from {min} to {max}"),
        Object => "an object".to_owned(),
        Function => "a function".to_owned(),
    })
}

/// A value as an error shows it: a string quoted, a number as JavaScript writes it,
/// anything else by its kind.
pub fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        let shown: String = s.chars().take(60).collect();
        return format!("{shown:?}");
    }
    if let Some(n) = value.as_f64() {
        return js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map_or_else(|_| "a number".into(), String::from);
    }
    if let Some(b) = value.as_bool() {
        return b.to_string();
    }
    if value.is_null() {
        return "null".into();
    }
    if value.is_undefined() {
        return "undefined".into();
    }
    if js_sys::Array::is_array(value) {
        return "an array".into();
    }
    if value.is_instance_of::<js_sys::Date>() {
        return "a Date (give its date as text, such as \"2026-11-01\")".into();
    }
    match value.js_typeof().as_string().as_deref() {
        Some("object") => "an object".into(),
        Some("function") => "a function".into(),
        Some(other) => format!("a {other}"),
        None => "a value".into(),
    }
}
