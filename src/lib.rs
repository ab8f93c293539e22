//! The sondeo widget: the wasm-bindgen surface only.
mod deliver;
