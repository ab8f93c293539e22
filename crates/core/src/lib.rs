//! The rules of sondeo, with no web dependency: survey config and its validation
//! (`survey`), NPS / CSAT / CES scales and groups (`metric`), the payload and answer
//! validation (`answer`), delivery rules and the offline queue (`delivery`), built-in
//! texts (`i18n`), scoring (`score`), and, for native callers and the analytics module,
//! the strict JSON reader (`json`) and streaming CSV/NDJSON import (`import`).
//!
//! Every rule lives here once, so the widget (wasm), the analytics module (wasm)
//! and the collector (native) agree, and all of it is tested natively.
//!
//! The widget is downloaded by every visitor, so the code it uses avoids
//! `core::fmt` (about 10 KB gzipped): messages are built with [`text`] helpers
//! instead of `format!`.

#![deny(missing_docs)]

pub mod answer;
pub mod bytes;
pub mod delivery;
pub mod i18n;
#[cfg(any(test, feature = "json"))]
pub mod import;
pub mod impression;
#[cfg(any(test, feature = "json"))]
pub mod inflation;
#[cfg(any(test, feature = "json"))]
pub mod json;
pub mod metric;
#[cfg(any(test, feature = "json"))]
pub mod outcomes;
#[cfg(any(test, feature = "json"))]
pub mod participation;
pub mod prompt;
pub mod rates;
pub mod schema;
pub mod score;
pub mod survey;
pub mod targeting;
pub mod text;
pub mod time;
pub mod value;

pub use metric::{Group, Kind};
pub use value::Value;
