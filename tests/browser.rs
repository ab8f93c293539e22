//! The widget in headless Chromium through wasm-bindgen-test: rendering per kind,
//! config errors, and the follow-up chosen by the score's group.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount(target: JsValue, config: JsValue) -> Result<sondeo::Survey, JsValue> {
    sondeo::mount(target, config, None, None, None)
}

fn config(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn target() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn shadow(target: &web_sys::HtmlElement) -> web_sys::ShadowRoot {
    target
        .query_selector("sondeo-survey")
        .unwrap()
        .unwrap()
        .shadow_root()
        .unwrap()
}

fn radios(root: &web_sys::ShadowRoot) -> Vec<web_sys::HtmlElement> {
    let list = root.query_selector_all("[role=radio]").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

#[wasm_bindgen_test]
fn each_kind_renders_its_whole_scale_as_radios() {
    for (kind, points, first) in [("nps", 11, "0"), ("csat", 5, "1"), ("ces", 7, "1")] {
        let el = target();
        let survey = mount(
            el.clone().into(),
            config(&[("kind", kind.into()), ("endpoint", "/api/responses".into())]),
        )
        .unwrap();
        let root = shadow(&el);
        let radios = radios(&root);
        assert_eq!(radios.len(), points, "{kind}");
        assert_eq!(radios[0].text_content().unwrap(), first);
        assert_eq!(
            root.query_selector("[role=radiogroup]")
                .unwrap()
                .unwrap()
                .get_attribute("aria-labelledby")
                .unwrap(),
            "q"
        );
        // Exactly one radio is in the tab order before anything is chosen.
        assert_eq!(
            radios
                .iter()
                .filter(|r| r.get_attribute("tabindex").unwrap() == "0")
                .count(),
            1
        );
        survey.destroy();
        assert!(el.query_selector("sondeo-survey").unwrap().is_none());
    }
}

#[wasm_bindgen_test]
fn an_invalid_config_is_refused_with_the_field_named() {
    let error = mount(
        target().into(),
        config(&[
            ("kind", "nps".into()),
            ("endpoint", "/x".into()),
            ("sample", JsValue::from(2)),
        ]),
    )
    .err()
    .unwrap();
    let message: String = error.unchecked_into::<js_sys::Error>().message().into();
    assert_eq!(
        message,
        "sondeo: invalid config: sample: expected a number in 0..=1, got 2"
    );
    let error = mount(target().into(), config(&[("endpoint", "/x".into())]))
        .err()
        .unwrap();
    let message: String = error.unchecked_into::<js_sys::Error>().message().into();
    assert!(message.contains("kind: required"), "{message}");
}

#[wasm_bindgen_test]
fn the_follow_up_question_depends_on_the_group_of_the_score() {
    // Texts from the published English wording; groups from the NPS and CES definitions.
    let cases = [
        ("nps", 0.0, "We're sorry to hear that. What went wrong?"),
        ("nps", 6.0, "We're sorry to hear that. What went wrong?"),
        ("nps", 7.0, "Thanks. What would have made it better?"),
        ("nps", 10.0, "Great to hear! What did we do well?"),
        ("ces", 3.0, "We're sorry to hear that. What went wrong?"),
        ("ces", 4.0, "What could we have done better?"),
        ("ces", 5.0, "Glad to hear it! What did we do well?"),
    ];
    for (kind, score, question) in cases {
        let el = target();
        let survey = mount(
            el.clone().into(),
            config(&[
                ("kind", kind.into()),
                ("endpoint", "/api/responses".into()),
                ("locale", "en".into()),
                ("delivery", config(&[("partial", false.into())])),
            ]),
        )
        .unwrap();
        let root = shadow(&el);
        let follow_up = root.query_selector(".fu").unwrap().unwrap();
        assert!(follow_up.has_attribute("hidden"));
        survey.select(score.into()).unwrap();
        assert!(!follow_up.has_attribute("hidden"));
        assert_eq!(
            root.query_selector("#fq")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap(),
            question,
            "{kind} {score}"
        );
        survey.destroy();
    }
}

#[wasm_bindgen_test]
fn a_score_off_the_scale_is_refused() {
    let el = target();
    let survey = mount(
        el.clone().into(),
        config(&[("kind", "csat".into()), ("endpoint", "/x".into())]),
    )
    .unwrap();
    assert!(survey.select(6.0.into()).is_err());
    assert!(survey.select(0.0.into()).is_err());
    assert!(survey.select(2.5.into()).is_err());
    // A number, not what JavaScript would turn into one.
    assert!(survey.select(JsValue::from_str("3")).is_err());
    assert!(survey.select(JsValue::NULL).is_err());
    assert!(radios(&shadow(&el))
        .iter()
        .all(|r| r.get_attribute("aria-checked").unwrap() == "false"));
}
