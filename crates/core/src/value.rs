//! A JSON-like value that the shells build from whatever they read
//! (a JavaScript object in the widget, a parsed JSON body in the collector),
//! so that config and response validation run once, here, with exact field names.

/// A JSON-like value. `Other` stands for what JSON cannot carry (a function, a symbol).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` or `undefined`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Any number (JSON has one number type), with the text it was written with when
    /// the reader has it (JSON text; JavaScript's own `String(n)`), so that metadata
    /// such as `orderId: 1234567890123456` keeps every digit. See [`Value::number_text`].
    Number(f64, Option<Box<str>>),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in their original order.
    Object(Vec<(String, Value)>),
    /// A function or anything else JSON cannot represent.
    Other,
}

impl Value {
    /// The member `key` of an object, or `None` (also for non-objects).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number as text: as written when known, else JavaScript's shortest form for
    /// integers (and error-message rounding for other values, which no reader produces).
    pub fn number_text(value: f64, text: Option<&str>) -> String {
        match text {
            Some(text) => text.to_owned(),
            None => {
                let mut out = String::new();
                if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
                    crate::text::push_int(&mut out, value as i64);
                } else {
                    crate::text::push_number(&mut out, value);
                }
                out
            }
        }
    }

    /// A short name of the value's type, for error messages ("a string", "an array").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(..) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Other => "a value JSON cannot hold (or one that could not be read)",
        }
    }
}

#[cfg(any(test, feature = "json"))]
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                Value::Number(n.as_f64().unwrap_or(f64::NAN), Some(n.to_string().into()))
            }
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

#[cfg(any(test, feature = "json"))]
impl Value {
    /// Parses JSON text strictly (see [`crate::json`]); native callers only, the widget
    /// reads JavaScript objects directly.
    pub fn from_json(text: &str) -> Result<Value, String> {
        crate::json::parse(text).map_err(|e| e.to_string())
    }
}
