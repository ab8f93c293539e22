//! sondeo: NPS, CSAT and CES surveys with a "why" follow-up, rendered from Rust.
//!
//! This file is the wasm-bindgen surface and nothing else: `mount`, the
//! custom element's entry point and the handle's methods. The rules live in
//! `sondeo-core`; drawing in `render`, state in `survey`, sending in `deliver`,
//! showing in `trigger`.

mod deliver;
mod dom;
mod js_value;
mod listener;
mod page;
mod promise;
mod render;
mod storage;
mod survey;
mod texts;
mod trigger;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the widget runs on the page's single thread; no wasm threads are used.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use sondeo_core::survey::{errors_message, parse_config, THEME_VARS};
use sondeo_core::Value;
use survey::SurveyRef;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// The site's consent to storing (for surveys with `consent: "required"`): `true` lets
/// sondeo use `localStorage`; `false` stops it and deletes what it stored.
#[wasm_bindgen]
pub fn consent(granted: bool) {
    storage::set_consent(granted);
}

/// A single-page app moved to another address: counts the page view and runs the load
/// triggers again, so that `showOn` / `hideOn` see the new path. (`popstate` is heard
/// without it; `history.pushState` is not patched, see the README.)
#[wasm_bindgen]
pub fn navigated() {
    trigger::navigated();
}

/// Forgets this visitor (the visitor id, page views, seen markers), for testing a site:
/// every survey may prompt again. Unsent answers are kept and still sent.
#[wasm_bindgen]
pub fn reset() {
    storage::forget(false);
    trigger::reset();
}

/// A mounted survey, returned by `mount()`.
#[wasm_bindgen]
pub struct Survey {
    inner: SurveyRef,
}

#[wasm_bindgen]
impl Survey {
    /// Shows the prompt (whatever its triggers say); a slide-in takes the focus, as a
    /// visitor's click on the site's own button opened it.
    pub fn show(&self) {
        survey::show_by_site(&self.inner);
    }

    /// Hides the prompt.
    pub fn close(&self) {
        survey::with(&self.inner, |s| s.close());
    }

    /// Removes the prompt and its listeners; a host the widget created is removed too.
    pub fn destroy(&self) {
        survey::with(&self.inner, |s| s.destroy());
    }

    /// Back in the page after a move (out and in within one task): an open modal or
    /// slide-in goes back into the top layer, which leaving the page took it out of, and a
    /// modal takes back the focus it lost.
    pub fn reattached(&self) {
        survey::with(&self.inner, |s| s.reattached());
    }

    /// Responses not yet acknowledged by the endpoint.
    pub fn pending(&self) -> u32 {
        survey::with(&self.inner, |s| s.pending()).unwrap_or(0)
    }

    /// Chooses a score as the visitor would (a post-ticket link's score); throws when it is off the scale.
    pub fn select(&self, score: JsValue) -> Result<(), JsValue> {
        // A number, not what JavaScript would make one of (`null`, `""`, `[]` and `false` are 0).
        let score = score.as_f64().unwrap_or(f64::NAN);
        let ok = score.fract() == 0.0
            && (0.0..=255.0).contains(&score)
            && survey::with(&self.inner, |s| s.select(score as u8, false)).unwrap_or(false);
        if ok {
            return Ok(());
        }
        let mut message = String::from("sondeo: score: expected ");
        match survey::with(&self.inner, |s| s.open_scale()).flatten() {
            Some((min, max)) => {
                message.push_str("an integer from ");
                sondeo_core::text::push_int(&mut message, min.into());
                message.push_str(" to ");
                sondeo_core::text::push_int(&mut message, max.into());
            }
            None => message.push_str("a survey still being answered (not sent or destroyed)"),
        }
        Err(js_sys::Error::new(&message).into())
    }
}

/// Mounts a survey. `target` is an element (the survey goes inside it) or null
/// (for modal and slide-in: the survey attaches to the page's body). With
/// `from_attributes`, `target` is a `<sondeo-survey>` element configured by its
/// attributes and its `config` property (the custom element's entry point).
/// `locales_url` is the folder the language packs are fetched from (`locales/` beside
/// `sondeo.js`). `event_heard`: the config's `trigger.event` came while the wasm was
/// starting (`mount()` listens for it from its call).
#[wasm_bindgen]
pub fn mount(
    target: JsValue,
    config: JsValue,
    from_attributes: Option<bool>,
    locales_url: Option<String>,
    event_heard: Option<bool>,
) -> Result<Survey, JsValue> {
    if let Some(url) = locales_url {
        texts::set_locales_url(url);
    }
    let host = if target.is_null() || target.is_undefined() {
        None
    } else {
        match target.dyn_into::<HtmlElement>() {
            Ok(el) => Some(el),
            Err(_) => {
                return Err(js_sys::Error::new(
                    "sondeo: target: expected an element of this page (not of a frame) or null",
                )
                .into())
            }
        }
    };
    let config = match (&host, from_attributes) {
        (Some(el), Some(true)) => {
            js_sys::Reflect::get(el, &"config".into()).unwrap_or(JsValue::UNDEFINED)
        }
        _ => config,
    };
    let before_send = before_send(&config)?;
    let mut value = js_value::to_value(&config, js_value::CONFIG_VALUES).ok_or_else(|| {
        js_sys::Error::new("sondeo: invalid config: expected at most 10000 values in all (a config holds a few hundred)")
    })?;
    let (host, owns_host) = match host {
        Some(el) if dom::string_property(&el, "tagName").eq_ignore_ascii_case("sondeo-survey") => {
            if from_attributes == Some(true) {
                read_attributes(&el, &mut value);
            }
            (el, false)
        }
        parent => {
            let el = dom::element("sondeo-survey", "");
            dom::set(&el, "data-managed", "");
            let parent = parent
                .or_else(|| dom::object_property(&dom::document(), "body"))
                .ok_or_else(|| js_sys::Error::new("sondeo: the page has no body"))?;
            dom::append(&parent, &el);
            (el, true)
        }
    };
    mount_into(
        host,
        owns_host,
        &value,
        before_send,
        event_heard == Some(true),
    )
}

/// Attributes cover the common fields and win over the `config` property, as markup is the most explicit.
fn read_attributes(host: &HtmlElement, config: &mut Value) {
    if *config == Value::Null {
        *config = Value::Object(Vec::new());
    }
    for (attribute, field) in [
        ("kind", "kind"),
        ("endpoint", "endpoint"),
        ("survey-id", "id"),
        ("locale", "locale"),
        ("display", "display"),
        ("scale", "scale"),
        ("question", "question"),
    ] {
        if let Some(value) = host.get_attribute(attribute) {
            set_member(config, field, Value::String(value));
        }
    }
}

fn mount_into(
    host: HtmlElement,
    owns_host: bool,
    config: &Value,
    before_send: Option<js_sys::Function>,
    event_heard: bool,
) -> Result<Survey, JsValue> {
    let config = parse_config(config).map_err(|errors| {
        if owns_host {
            host.remove();
        }
        JsValue::from(js_sys::Error::new(&errors_message(&errors)))
    })?;
    // What the page lacks or broke (`attachShadow` taken away, no constructable stylesheets,
    // as Safari before 16.4) leaves no empty element behind (`sondeo.js` words the error).
    survey::mount(host.clone(), owns_host, config, before_send, event_heard)
        .map(|inner| Survey { inner })
        .inspect_err(|_| {
            if owns_host {
                host.remove();
            }
        })
}

/// Whether the browser can use a theme value, said in the console when not: core checks its
/// characters, but a colour without its `#` ("0b5fff") or a radius without a unit would be
/// dropped by the browser after it replaced the default, leaving Send and the chosen point in
/// no colour at all. Left out, the default stays. (Not a refused config: a value newer than
/// the visitor's browser, `light-dark()`, must not cost the whole survey there.) The
/// browser's own parser (`CSS.supports`) is the judge; a site's other `--sondeo-*`
/// properties may hold anything.
pub(crate) fn usable_theme_value(property: &str, value: &str) -> bool {
    // THEME_VARS lists the six colours first, then radius, font and zIndex.
    let Some(index) = THEME_VARS.iter().position(|(_, p)| *p == property) else {
        return true;
    };
    let test = ["color", "border-radius", "font-family", "z-index"][index.saturating_sub(5)];
    let usable = dom::css_supports(test, value).unwrap_or(true);
    if !usable {
        let mut message = String::from("sondeo: theme.");
        for part in [
            THEME_VARS[index].0,
            ": expected a CSS ",
            test,
            " value, got \"",
            value,
            "\"; the default is used",
        ] {
            message.push_str(part);
        }
        page::warn(&message);
    }
    usable
}

/// The config's own `beforeSend`: one inherited from `Object.prototype` (a polluted
/// prototype) would be handed every answer.
/// A hook that is there but cannot be called (a typo'd value, a getter that throws) is an
/// error: the site may rely on it to strip what must not leave the page.
fn before_send(config: &JsValue) -> Result<Option<js_sys::Function>, JsValue> {
    let key = JsValue::from("beforeSend");
    if !config.is_object() || !js_value::has_own(config, &key).unwrap_or(false) {
        return Ok(None);
    }
    match js_sys::Reflect::get(config, &key) {
        Ok(hook) if hook.is_null() || hook.is_undefined() => Ok(None),
        Ok(hook) if hook.is_function() => Ok(Some(hook.unchecked_into())),
        _ => Err(
            js_sys::Error::new("sondeo: invalid config: beforeSend: expected a function").into(),
        ),
    }
}

fn set_member(object: &mut Value, key: &str, value: Value) {
    if let Value::Object(members) = object {
        match members.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => members.push((key.to_owned(), value)),
        }
    }
}
