//! The scale as a radio group: NPS 0–10 between its end labels, CSAT 1–5 as
//! numbers, stars or faces (drawn in CSS), CES 1–7 agreement. Each point is a `role=radio`
//! button (roving tabindex; the controller handles arrows), named by its label.

use crate::dom::{append, element, set, text_element};
use crate::texts::Texts;
use sondeo_core::i18n::{end_label_keys, point_label_key};
use sondeo_core::survey::{Config, ScaleStyle};
use sondeo_core::text::push_int;
use web_sys::HtmlElement;

/// Builds the scale into `parent` and returns its radios, lowest score first.
pub fn build(parent: &HtmlElement, config: &Config, texts: &Texts) -> Vec<HtmlElement> {
    let kind = config.kind;
    let mut class = String::from("scale ");
    class.push_str(kind.as_str());
    match config.scale {
        ScaleStyle::Stars => class.push_str(" stars"),
        ScaleStyle::Emoji => class.push_str(" emoji"),
        ScaleStyle::Numbers => {}
    }
    let group = element("div", &class);
    set(&group, "role", "radiogroup");
    set(&group, "aria-labelledby", "q");
    set(&group, "aria-describedby", "ends");
    append(parent, &group);

    let mut radios = Vec::with_capacity(kind.points());
    for score in kind.min()..=kind.max() {
        let mut number = String::new();
        push_int(&mut number, score as i64);
        // Stars and faces are drawn by the stylesheet (no emoji font needed); their
        // radios are named by their aria-label.
        let face = match config.scale {
            ScaleStyle::Numbers => &number,
            _ => "",
        };
        let radio = text_element("button", "pt", face);
        set(&radio, "type", "button");
        set(&radio, "role", "radio");
        set(&radio, "aria-checked", "false");
        set(
            &radio,
            "tabindex",
            if score == kind.min() { "0" } else { "-1" },
        );
        set(&radio, "data-score", &number);
        if let Some(key) = point_label_key(kind, score) {
            // "4 – Satisfied": the number for orientation, the label for meaning.
            let mut label = number.clone();
            label.push_str(" – ");
            label.push_str(texts.get(key));
            set(&radio, "aria-label", &label);
        }
        append(&group, &radio);
        radios.push(radio);
    }

    let (low, high) = end_label_keys(kind);
    let ends = element("div", "ends");
    ends.set_id("ends");
    append(&ends, &text_element("span", "", texts.get(low)));
    append(&ends, &text_element("span", "", texts.get(high)));
    append(parent, &ends);
    radios
}
