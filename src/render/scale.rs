//! The scale as a radio group: NPS 0–10 between its end labels, CSAT 1–5 as
//! numbers, stars or faces (drawn in CSS), CES 1–7 agreement, a rating's stars, yes or no
//! as words. Each point is a `role=radio` button (roving tabindex; the controller handles
//! arrows), named by its label.

use crate::dom::{append, element, set, text_element};
use crate::texts::Texts;
use sondeo_core::i18n::{end_label_keys, point_label_key};
use sondeo_core::survey::{Question, ScaleStyle};
use sondeo_core::text::push_int;
use web_sys::HtmlElement;

/// Builds `question`'s scale into `parent` and returns its radios, lowest score first.
/// `labelled_by`: the ids that name the group (the question, and the progress when there
/// are several).
pub fn build(
    parent: &HtmlElement,
    question: &Question,
    texts: &Texts,
    labelled_by: &str,
) -> Vec<HtmlElement> {
    let kind = question.kind;
    let mut class = String::from("scale ");
    class.push_str(kind.as_str());
    class.push_str(match question.scale {
        ScaleStyle::Stars => " stars",
        ScaleStyle::Emoji => " emoji",
        ScaleStyle::Words => " words",
        ScaleStyle::Numbers => "",
    });
    let group = element("div", &class);
    set(&group, "role", "radiogroup");
    set(&group, "aria-labelledby", labelled_by);
    // Focused as a whole by a modal that opens by itself (see `Survey::open`).
    set(&group, "tabindex", "-1");
    append(parent, &group);

    let mut radios = Vec::with_capacity(kind.points());
    for score in kind.min()..=kind.max() {
        let mut number = String::new();
        push_int(&mut number, score as i64);
        // Stars and faces are drawn by the stylesheet (no emoji font needed); their
        // radios are named by their aria-label. Words are their own name.
        let label = point_label_key(kind, score).map(|key| texts.get(key));
        let face = match question.scale {
            ScaleStyle::Numbers => &number,
            ScaleStyle::Words => label.unwrap_or_default(),
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
        if let Some(label) = label.filter(|_| question.scale != ScaleStyle::Words) {
            // "4 – Satisfied": the number for orientation, the label for meaning.
            let mut name = number.clone();
            name.push_str(" – ");
            name.push_str(label);
            set(&radio, "aria-label", &name);
        }
        append(&group, &radio);
        radios.push(radio);
    }

    if question.scale == ScaleStyle::Words {
        return radios;
    }
    set(&group, "aria-describedby", "ends");
    let (low, high) = end_label_keys(kind);
    let ends = element("div", "ends");
    set(&ends, "id", "ends");
    append(&ends, &text_element("span", "", texts.get(low)));
    append(&ends, &text_element("span", "", texts.get(high)));
    append(parent, &ends);
    radios
}
