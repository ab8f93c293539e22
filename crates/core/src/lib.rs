//! The rules of sondeo, with no web dependency: survey config and its validation,
//! NPS / CSAT / CES scales and groups, answer validation, built-in texts.
//!
//! Every rule lives here once, so the widget (wasm), the analytics module (wasm)
//! and the collector (native) agree, and all of it is tested natively.
//!
//! The widget is downloaded by every visitor, so the code it uses avoids
//! `core::fmt` (about 10 KB gzipped): messages are built with [`text`] helpers
//! instead of `format!`.

pub mod answer;
pub mod delivery;
pub mod i18n;
#[cfg(any(test, feature = "json"))]
pub mod import;
#[cfg(any(test, feature = "json"))]
pub mod json;
pub mod metric;
pub mod score;
pub mod survey;
pub mod text;
pub mod time;
pub mod value;

pub use metric::{Group, Kind};
pub use value::Value;
