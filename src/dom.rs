//! Small DOM builders. Text is always set as text (`textContent`), never parsed
//! as HTML, so visitor and config text cannot inject markup.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

#[wasm_bindgen]
extern "C" {
    /// An element with the `popover` attribute. Its `showPopover()` and `hidePopover()`
    /// are caught: they throw where the element is already in that state, and are missing
    /// in browsers before 2024.
    type Popover;
    #[wasm_bindgen(method, js_name = showPopover, catch)]
    fn show_popover(this: &Popover) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = hidePopover, catch)]
    fn hide_popover(this: &Popover) -> Result<(), JsValue>;
    /// The page's `fetch`, caught: a wrapper may throw at once instead of rejecting.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn fetch(url: &str) -> Result<JsValue, JsValue>;
    /// `CSS.supports(property, value)`: whether the browser's own parser takes the value.
    #[wasm_bindgen(catch, js_namespace = CSS, js_name = supports)]
    pub fn css_supports(property: &str, value: &str) -> Result<bool, JsValue>;
}

/// Puts a `popover` element in the browser's top layer, or takes it out. In the top layer
/// nothing the page does can cover it or move it: not a cookie banner at the highest
/// z-index, not a `transform`, `filter` or `contain` on an ancestor (which would make
/// `position: fixed` relative to that ancestor, off screen on a scrolled page). Where
/// popovers are missing, `position: fixed` and the z-index still apply.
pub fn top_layer(el: &HtmlElement, on: bool) {
    if on {
        unzoom(el);
    }
    let el: &Popover = el.unchecked_ref();
    let _ = if on {
        el.show_popover()
    } else {
        el.hide_popover()
    };
}

/// Undoes the page's CSS zoom for a popup (`body { zoom: 2 }` would double the card, its
/// height limits in viewport units included: its top and × above a short screen). Its
/// stylesheet zooms it by `--sondeo-unzoom`, the inverse of where it sits; a browser without
/// `currentCSSZoom` (before 2024) leaves it as the page zooms.
fn unzoom(el: &HtmlElement) {
    let zoom = object_property::<JsValue>(el, "parentElement")
        .and_then(|parent| property(&parent, "currentCSSZoom"))
        .and_then(|zoom| zoom.as_f64())
        .filter(|zoom| zoom.is_finite() && *zoom > 0.0)
        .unwrap_or(1.0);
    let mut value = String::new();
    sondeo_core::text::push_number(&mut value, 1.0 / zoom);
    // Important, as the element's own: a page rule `sondeo-survey { --sondeo-unzoom: .05 !important }`
    // would otherwise shrink the card out of reach.
    let _ = el
        .style()
        .set_property_with_priority("--sondeo-unzoom", &value, "important");
}

/// The property `name` of `object` (`event.shiftKey`, `response.ok`), none where reading it
/// throws. Read through the `Reflect.get` the widget imports anyway: a web-sys getter per
/// property costs an import and its glue in both files, and a typed one an `instanceof`.
pub fn property(object: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(object, &name.into()).ok()
}

/// The object property `name` of `object` (`root.activeElement`, `event.target`), none
/// where it is missing or null: read as [`property`] reads, not by a typed getter.
pub fn object_property<T: JsCast>(object: &JsValue, name: &str) -> Option<T> {
    property(object, name)
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into)
}

/// The number property `name` of `object` (`window.scrollY`), 0 where it is missing.
pub fn number_property(object: &JsValue, name: &str) -> f64 {
    property(object, name)
        .and_then(|value| value.as_f64())
        .unwrap_or(0.0)
}

/// The string property `name` of `object` (`location.pathname`, `event.key`), or "" where
/// it is missing or not a string.
pub fn string_property(object: &JsValue, name: &str) -> String {
    property(object, name)
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

/// The page's document (the widget only runs in a window).
pub fn document() -> Document {
    crate::page::window()
        .document()
        .expect_throw("sondeo: no document")
}

/// The element that has focus, looked for inside open shadow roots: a page's button in its
/// own web component, which `document.activeElement` names only by its host, gets focus
/// back when a prompt it opened closes.
pub fn focused() -> Option<HtmlElement> {
    let mut active: JsValue = object_property(&document(), "activeElement")?;
    while let Some(inner) = object_property::<JsValue>(&active, "shadowRoot")
        .and_then(|root| object_property(&root, "activeElement"))
    {
        active = inner;
    }
    active.dyn_into().ok()
}

/// Whether a modal `<dialog>` of the page is open: it makes the rest of the page inert, a
/// prompt shown over it included, which could not be answered (a click on it would land
/// on the dialog). A browser without `:modal` knows of none.
pub fn page_modal_open() -> bool {
    document()
        .query_selector("dialog:modal")
        .is_ok_and(|d| d.is_some())
}

/// How often a prompt held back by a page's modal dialog looks again: the dialog may close
/// or be removed, and no one event tells both.
pub const PAGE_MODAL_RETRY_MS: u32 = 1_000;

/// A new element with a class (none when `class` is empty).
pub fn element(tag: &str, class: &str) -> HtmlElement {
    let el = document()
        .create_element(tag)
        .expect_throw("unreachable: tag names are static");
    if !class.is_empty() {
        set(&el, "class", class);
    }
    el.unchecked_into()
}

/// A new element holding `text` as text.
pub fn text_element(tag: &str, class: &str, text: &str) -> HtmlElement {
    let el = element(tag, class);
    el.set_text_content(Some(text));
    el
}

/// A `type=button` button holding `text`, appended to `parent`; a click on it is the
/// survey's `action` (its `data-action`).
pub fn button(parent: &Element, class: &str, text: &str, action: &str) -> HtmlElement {
    let b = text_element("button", class, text);
    set(&b, "type", "button");
    set(&b, "data-action", action);
    append(parent, &b);
    b
}

/// Sets an attribute whose name is static; values are any text.
pub fn set(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// Appends `child` to `parent`.
pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}
