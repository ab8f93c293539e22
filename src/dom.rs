//! Small DOM builders. Text is always set as text (`textContent`), never parsed
//! as HTML, so visitor and config text cannot inject markup.

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, HtmlElement};

/// The page's document (the widget only runs in a window).
pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("sondeo: no document")
}

/// A new element with a class (none when `class` is empty).
pub fn element(tag: &str, class: &str) -> HtmlElement {
    let el = document()
        .create_element(tag)
        .expect_throw("unreachable: tag names are static");
    if !class.is_empty() {
        el.set_class_name(class);
    }
    el.unchecked_into()
}

/// A new element holding `text` as text.
pub fn text_element(tag: &str, class: &str, text: &str) -> HtmlElement {
    let el = element(tag, class);
    el.set_text_content(Some(text));
    el
}

/// Sets an attribute whose name is static; values are any text.
pub fn set(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// Appends `child` to `parent`.
pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}
