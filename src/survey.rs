//! The survey controller: renders one prompt's state (core's `prompt::Prompt`, which
//! holds the score, the chips and the rules for changing them), forwards keyboard and
//! pointer events to it, manages focus, sends through `deliver` and dispatches events.
//! It decides nothing about survey rules, which are core's.

use crate::deliver::Deliverer;
use crate::dom::{self, set};
use crate::listener::{Listener, Timer};
use crate::render::{self, View};
use crate::texts::Texts;
use crate::trigger::{self, Showing};
use sondeo_core::answer::{uuid_v4, Response};
use sondeo_core::i18n::TextKey;
use sondeo_core::prompt::{Context, Move, NotSubmitted, Prompt};
use sondeo_core::survey::{Config, DisplayMode};
use sondeo_core::targeting::Outcome;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, ShadowRoot};

/// How long a slide-in's live region is in the page before it says the slide-in appeared.
const ANNOUNCE_AFTER_MS: u32 = 200;
const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

/// One mounted survey.
pub struct Survey {
    config: Config,
    texts: Texts,
    host: HtmlElement,
    /// Whether the host was created by the widget (and is removed on destroy).
    owns_host: bool,
    root: ShadowRoot,
    view: View,
    deliverer: Deliverer,
    id: Option<String>,
    created_at: Option<String>,
    /// When the response began (ms): a dismissal leaves an answer given since in another
    /// tab standing (see `Seen::left`).
    begun_ms: u64,
    /// When the prompt last opened (ms): an answer given in another tab since then closes it.
    opened_ms: u64,
    prompt: Prompt,
    open: bool,
    destroyed: bool,
    previous_focus: Option<HtmlElement>,
    listeners: Vec<Listener>,
    triggers: trigger::Armed,
    /// Events to dispatch once the survey is no longer borrowed, so that a page's
    /// listener may call back into the survey (`close()` from `sondeo:submit`).
    outbox: Vec<(&'static str, JsValue)>,
    /// A choice made with the arrow keys settles after a pause (or on Tab): only then do
    /// the follow-up's wording change and the partial go out, once, not per step. After
    /// the thank-you, the timer that closes a modal or slide-in.
    timer: Option<Timer>,
    /// The slide-in's announcement, on a timer of its own (a choice settling clears `timer`).
    announcing: Option<Timer>,
    /// A modal or slide-in asked to open while a modal `<dialog>` of the page is open: the
    /// look, every second, for when it has gone (see `open_or_wait`).
    page_wait: Option<Timer>,
    me: Weak<RefCell<Survey>>,
}

/// The pause after the last arrow key that settles a choice.
const SETTLE_MS: u32 = 700;

/// Shared handle to a survey; event handlers hold weak references.
pub type SurveyRef = Rc<RefCell<Survey>>;

/// Every survey mounted and not destroyed: a survey lives until `destroy()`, not as long as
/// the page keeps what `mount()` returned (`useEffect(() => { mount(…) })` keeps nothing,
/// and a modal whose state was collected would cover the page, deaf).
static LIVE: crate::page::PageLocal<RefCell<Vec<SurveyRef>>> =
    crate::page::PageLocal::new(RefCell::new(Vec::new()));

/// Surveys the visitor just answered or said no to: their untouched copies elsewhere on the
/// page close once no survey is borrowed (the page may answer their `sondeo:close` by
/// calling the survey that was answered).
static ENDED: crate::page::PageLocal<RefCell<Vec<String>>> =
    crate::page::PageLocal::new(RefCell::new(Vec::new()));

/// Whether a modal or slide-in is open in the page: one in an element the page has taken
/// out without `destroy()` (a framework's unmount, a Turbo body swap) holds back no other.
pub fn popup_open() -> bool {
    LIVE.with(|live| {
        live.borrow().iter().any(|s| {
            s.try_borrow().is_ok_and(|s| {
                s.open && s.config.display.mode != DisplayMode::Inline && !s.orphaned()
            })
        })
    })
}

/// A single-page app moved on: each open modal or slide-in whose page rules keep it off the
/// new address closes (not the visitor's dismissal). An inline survey is the page's own.
pub fn close_off_page() {
    each_live(&mut |s| {
        // One the visitor has begun to answer stays: what they type is theirs.
        if s.config.display.mode != DisplayMode::Inline
            && !s.prompt.started()
            && trigger::page_excludes(&s.config.targeting)
        {
            s.hide(false);
        }
    });
}

/// Runs `f` on each live survey, last mounted first, taking each out of the list in turn
/// (not borrowing the list) so that `f` may destroy it or show another.
fn each_live(f: &mut dyn FnMut(&mut Survey)) {
    let mut i = LIVE.with(|live| live.borrow().len());
    while i > 0 {
        i -= 1;
        if let Some(survey) = LIVE.with(|live| live.borrow().get(i).cloned()) {
            with(&survey, &mut *f);
        }
    }
}

/// Whether the focus is inside the survey's shadow `root`.
fn focus_inside(root: &ShadowRoot) -> bool {
    dom::object_property::<JsValue>(root, "activeElement").is_some()
}

/// Builds the survey into `host` (attaching its shadow root) and arms its triggers.
pub fn mount(
    host: HtmlElement,
    owns_host: bool,
    mut config: Config,
    before_send: Option<js_sys::Function>,
    event_heard: bool,
) -> Result<SurveyRef, JsValue> {
    // One survey per place: mounted again where it is (a component revisited without
    // cleanup, React's StrictMode, `mount()` called twice), a survey replaces the first
    // rather than stacking a second card or modal. The same place is the same element, or
    // the same parent for the survey of the same `id` (given: two surveys left to the
    // default id, their kind, are two surveys).
    let named = config.id != config.kind.as_str();
    each_live(&mut |s| {
        if s.host == host
            || named
                && s.owns_host
                && owns_host
                && s.config.id == config.id
                && s.host.parent_node() == host.parent_node()
        {
            s.destroy();
        }
    });
    let root = match dom::object_property::<ShadowRoot>(&host, "shadowRoot") {
        Some(root) => {
            root.set_text_content(None);
            root
        }
        None => host
            .attach_shadow(crate::page::dictionary(&[("mode", &"open".into())]).unchecked_ref())?,
    };
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(STYLE)?;
    let sheets = js_sys::Array::of1(&sheet);
    root.set_adopted_style_sheets(&sheets);

    set(&host, "data-display", config.display.mode.as_str());
    set(&host, "data-position", config.display.position.as_str());
    set(&host, "data-theme", config.theme.mode.as_str());
    set(&host, "data-state", "closed");
    // A modal or slide-in is shown in the top layer (see `dom::top_layer`); an element
    // mounted again as inline is not a popover any more.
    if config.display.mode != DisplayMode::Inline {
        set(&host, "popover", "manual");
    } else {
        let _ = host.remove_attribute("popover");
    }
    // Important, as the config's own: it wins over the page's rules for the element.
    let style = host.style();
    for (property, value) in &config.theme.vars {
        if crate::usable_theme_value(property, value) {
            let _ = style.set_property_with_priority(property, value, "important");
        }
    }

    if config.consent_required {
        crate::storage::require_consent();
    }
    let overrides = std::mem::take(&mut config.texts);
    let texts = Texts::new(&config, overrides);
    let view = render::build(&root, &config, &texts);
    let deliverer = Deliverer::new(&config, host.clone().unchecked_into(), before_send);
    let prompt = Prompt::new(&config);
    let survey = Rc::new(RefCell::new(Survey {
        config,
        texts,
        host,
        owns_host,
        root,
        view,
        deliverer,
        id: None,
        created_at: None,
        begun_ms: 0,
        opened_ms: 0,
        prompt,
        open: false,
        destroyed: false,
        previous_focus: None,
        listeners: Vec::new(),
        triggers: trigger::Armed::default(),
        outbox: Vec::new(),
        timer: None,
        announcing: None,
        page_wait: None,
        me: Weak::new(),
    }));
    survey.borrow_mut().me = Rc::downgrade(&survey);
    LIVE.with(|live| live.borrow_mut().push(survey.clone()));
    attach_listeners(&survey);
    let weak = Rc::downgrade(&survey);
    let (armed, start) = trigger::arm(&survey.borrow().config, event_heard, move || {
        let Some(survey) = weak.upgrade() else {
            return Showing::Before;
        };
        // A trigger shows a prompt once; after that only `show()` reopens it. A modal or
        // slide-in waits while a modal `<dialog>` of the page is open (see `open_or_wait`).
        with(&survey, |s| {
            if s.id.is_some() {
                Showing::Before
            } else if s.waits_for_page() || s.orphaned() {
                // Out of the page (taken out, or not put in yet): asked again in a second,
                // and no display counted for a prompt nobody can see.
                Showing::Later
            } else {
                s.show();
                Showing::Now
            }
        })
        .unwrap_or(Showing::Later)
    });
    survey.borrow_mut().triggers = armed;
    let pack = survey.borrow().texts.pack;
    match pack {
        Some(tag) => load_pack(&survey, tag, start),
        None => start.run(),
    }
    Ok(survey)
}

/// How long a survey waits for its language pack: one that has not come by then (a request
/// a stalled server or an extension holds, which no browser times out) is one that could not
/// be fetched, and English shows.
const PACK_WAIT_MS: u32 = 5_000;

/// What to do once the pack is in (or is not): run by the first of its answer and the deadline.
type PackDone = Rc<RefCell<Option<Box<dyn FnOnce(JsValue)>>>>;

fn pack_done(slot: &PackDone, value: JsValue) {
    let done = slot.borrow_mut().take();
    if let Some(done) = done {
        done(value);
    }
}

/// Fetches the survey's language pack, draws the survey again in its language (unless the
/// visitor has already opened it), and only then runs the load trigger: a prompt does not
/// show itself in English and then change. A pack that cannot be fetched or read, or does
/// not come within `PACK_WAIT_MS`, leaves English, with a console warning.
fn load_pack(survey: &SurveyRef, tag: &'static str, start: trigger::Start) {
    let weak = Rc::downgrade(survey);
    let slot: PackDone = Rc::new(RefCell::new(Some(Box::new(move |value: JsValue| {
        if let Some(survey) = weak.upgrade() {
            with(&survey, |s| s.apply_pack(tag, &value));
        }
        start.run();
    }))));
    let late = slot.clone();
    let deadline = Timer::new(
        PACK_WAIT_MS,
        Box::new(move || pack_done(&late, JsValue::NULL)),
    );
    let on_response = crate::promise::once(Box::new(move |response: JsValue| {
        // A fetch that failed hands over its error, which has no `ok`.
        let ok = dom::property(&response, "ok") == Some(JsValue::TRUE);
        let json = ok
            .then(|| response.unchecked_into::<web_sys::Response>().json().ok())
            .flatten();
        match json {
            // The deadline holds for the body too (it may stall after the headers).
            Some(promise) => crate::promise::settle(
                &promise,
                &crate::promise::once(Box::new(move |value| {
                    let _deadline = deadline;
                    pack_done(&slot, value)
                })),
            ),
            None => pack_done(&slot, JsValue::NULL),
        }
    }));
    crate::promise::settle(
        // A page's `fetch` wrapper that throws at once, or hands back no promise, is a pack
        // that could not be fetched: English shows.
        &js_sys::Promise::resolve(
            &dom::fetch(&crate::texts::pack_url(tag)).unwrap_or_else(|error| error),
        ),
        &on_response,
    );
}

fn attach_listeners(survey: &SurveyRef) {
    let root: web_sys::EventTarget = survey.borrow().root.clone().unchecked_into();
    let weak = Rc::downgrade(survey);
    let on_click = Listener::new(&root, "click", handler(&weak, on_click));
    let on_key = Listener::new(&root, "keydown", handler(&weak, on_keydown));
    let on_input = Listener::new(&root, "input", handler(&weak, Survey::clear_error));
    // A visitor who reaches for the prompt (a pointer over it, the focus in it) is about to
    // answer: delivery is fetched then, not by every visitor the prompt is shown to.
    let reach = || Box::new(|_| crate::deliver::load());
    let on_pointer = Listener::new(&root, "pointerover", reach());
    let on_focus = Listener::new(&root, "focusin", reach());
    let mut listeners = vec![on_click, on_key, on_input, on_pointer, on_focus];
    let window: web_sys::EventTarget = crate::page::window().unchecked_into();
    if survey.borrow().config.display.mode == DisplayMode::Inline {
        listeners.push(Listener::new(
            &root,
            "focusin",
            handler(&weak, Survey::focus_came),
        ));
    }
    // Another tab wrote to storage: maybe the answer to this same prompt, or its "no".
    listeners.push(Listener::new(
        &window,
        "storage",
        handler(&weak, Survey::ended_elsewhere),
    ));
    // F6 moves between the page and an open slide-in (a non-modal dialog is not in the
    // way of the page's own tab order, so it needs a key of its own); Escape closes it.
    if survey.borrow().config.display.mode == DisplayMode::SlideIn {
        // On the window: the last in the key's way, after the page's own listeners.
        listeners.push(Listener::new(
            &window,
            "keydown",
            handler(&weak, on_page_key),
        ));
    }
    survey.borrow_mut().listeners.extend(listeners);
}

/// Keys pressed anywhere while a slide-in is open (those inside it come here too, after it).
fn on_page_key(s: &mut Survey, event: &Event) {
    // A prompt out of the page (its element taken out) is no one's to close or reach.
    if !s.open || s.orphaned() {
        return;
    }
    let key = dom::string_property(event, "key");
    // Escape dismisses the slide-in from the page too, and the focus stays where the visitor
    // is: at 400% zoom it covers most of the screen, and it must go without a trip into it
    // (WCAG 2.4.11). Not when the page took the key for itself (its own menu or dialog), nor
    // while the visitor types (a field's Escape clears it; an input method's ends a word).
    if key == "Escape" {
        // A form field is known by its caret (`selectionStart`: a number, or null for the
        // inputs that have none; absent from anything else). An input method's Escape comes
        // from its field too.
        let typing = dom::object_property::<JsValue>(event, "target").is_some_and(|field| {
            dom::property(&field, "selectionStart").is_some_and(|caret| !caret.is_undefined())
        });
        if dom::property(event, "defaultPrevented") != Some(JsValue::TRUE) && !typing {
            s.previous_focus = None;
            s.close();
        }
        return;
    }
    if key != "F6" {
        return;
    }
    event.prevent_default();
    if focus_inside(&s.root) {
        // Inside: back to where the visitor was.
        if let Some(previous) = &s.previous_focus {
            let _ = previous.focus();
        }
    } else {
        s.previous_focus = dom::focused();
        s.focus_first();
    }
}

/// Wraps a method as an event callback that runs it on the live survey, then
/// dispatches the events it queued.
fn handler(weak: &Weak<RefCell<Survey>>, f: fn(&mut Survey, &Event)) -> Box<dyn FnMut(JsValue)> {
    let weak = weak.clone();
    Box::new(move |event: JsValue| {
        if let Some(survey) = weak.upgrade() {
            with(&survey, |s| f(s, event.unchecked_ref()));
        }
    })
}

/// Runs `f` on the survey, then dispatches queued events with no borrow held.
pub fn with<R>(survey: &SurveyRef, f: impl FnOnce(&mut Survey) -> R) -> Option<R> {
    let result = f(&mut *live(survey)?);
    dispatch_outbox(survey);
    close_copies_of_ended();
    Some(result)
}

/// One answer or "no" ends the survey's untouched copies on the page (the same survey in the
/// body and in the footer); other tabs hear it from storage. Out of line, as `live`.
#[inline(never)]
fn close_copies_of_ended() {
    while let Some(id) = ENDED.with(|ended| ended.borrow_mut().pop()) {
        each_live(&mut |s| {
            if s.config.id == id {
                s.close_untouched();
            }
        });
    }
}

/// The survey, unless it is destroyed or already borrowed (an event handler of the page
/// calling back in while the survey dispatches). Out of line, as `dispatch_outbox`: `with`
/// is instantiated for every caller.
#[inline(never)]
fn live(survey: &SurveyRef) -> Option<std::cell::RefMut<'_, Survey>> {
    survey.try_borrow_mut().ok().filter(|s| !s.destroyed)
}

/// Dispatches the events `with`'s change queued.
#[inline(never)]
fn dispatch_outbox(survey: &SurveyRef) {
    let Ok(mut s) = survey.try_borrow_mut() else {
        return;
    };
    let (outbox, host) = (std::mem::take(&mut s.outbox), s.host.clone());
    drop(s);
    for (name, detail) in outbox {
        crate::page::dispatch(&host, name, &detail);
    }
}

/// Shows the prompt because the site asked (its "Feedback" button): a slide-in takes the
/// focus, as the visitor's own click opened it. A modal or slide-in waits while a modal
/// `<dialog>` of the page is open (see `dom::page_modal_open`).
pub fn show_by_site(survey: &SurveyRef) {
    with(survey, |s| s.open_or_wait(true));
}

fn on_click(s: &mut Survey, event: &Event) {
    let Some(target) =
        dom::object_property::<JsValue>(event, "target").and_then(|t| t.dyn_into::<Element>().ok())
    else {
        return;
    };
    let Ok(Some(el)) = target.closest("[data-score],[data-action]") else {
        return;
    };
    if let Some(score) = el.get_attribute("data-score") {
        if let Some(score) = sondeo_core::text::parse_digits(&score).filter(|n| *n <= 255) {
            s.select(score as u8, false);
        }
        return;
    }
    match el.get_attribute("data-action").as_deref() {
        Some("close") => s.close(),
        Some("submit") => s.submit(),
        Some("back") if s.prompt.back() => s.draw_step(),
        Some("next") => s.move_on(),
        Some("reason") => {
            if let Some(index) = s.view.chips.iter().position(|c| **c == el) {
                s.toggle_reason(index);
            }
        }
        // Only a click on the backdrop itself closes, not one that bubbles from the card.
        Some("backdrop") if target == el => s.close(),
        _ => {}
    }
}

fn on_keydown(s: &mut Survey, event: &Event) {
    let key = dom::string_property(event, "key");
    if key == "Escape" && s.config.display.mode != DisplayMode::Inline {
        event.prevent_default();
        s.close();
        return;
    }
    if key == "Tab" {
        // The follow-up appears before focus moves on, so Tab reaches the comment box.
        if s.timer.is_some() && !s.prompt.submitted() {
            s.settle();
        }
        if s.config.display.mode == DisplayMode::Modal {
            s.trap_focus(event);
        }
        return;
    }
    let Some(active) = dom::object_property::<Element>(&s.root, "activeElement") else {
        return;
    };
    let kind = s.prompt.kind();
    let index = match s.view.radios.iter().position(|r| **r == active) {
        Some(index) => index,
        // On the group as a whole (a modal that opened by itself), keys act from its tab stop.
        None if s.scale_group().is_some_and(|g| *g == active) => s
            .prompt
            .score()
            .map_or(0, |score| (score - kind.min()) as usize),
        None => return,
    };
    // Whether the radio itself is right to left (its card's `dir`, which follows the text):
    // `closest` with a selector only a point matches is `matches` without another import.
    // A browser without `:dir()` throws, and reads left to right.
    let right_to_left = matches!(s.view.radios[index].closest(".pt:dir(rtl)"), Ok(Some(_)));
    let Some(step) = Move::from_key(&key, right_to_left) else {
        return;
    };
    event.prevent_default();
    s.select(step.apply(kind, kind.min() + index as u8), true);
}

impl Survey {
    /// Responses not yet acknowledged by the endpoint.
    pub fn pending(&self) -> u32 {
        self.deliverer.pending()
    }

    /// Shows the prompt; a new response id is made the first time.
    pub fn show(&mut self) {
        self.open(false);
    }

    /// The response begins (its id, its start and its display record) when the prompt first
    /// shows, or when a score is chosen while it waits to show (see `open_or_wait`).
    fn begin(&mut self) {
        if self.id.is_some() {
            return;
        }
        self.id = Some(self.config.response_id.clone().unwrap_or_else(new_id));
        self.created_at = Some(now());
        self.begun_ms = js_sys::Date::now() as u64;
        if self.config.impressions {
            let c = &self.config;
            self.deliverer
                .send_impression(&sondeo_core::impression::Impression {
                    id: self.id.clone().unwrap_or_default(),
                    survey_id: c.id.clone(),
                    kind: c.kind,
                    metadata: c.metadata.clone(),
                    shown_at: self.created_at.as_deref().map(|t| c.sent_time(t)),
                });
        }
    }

    /// Whether this modal or slide-in must wait to open: a modal `<dialog>` of the page is open
    /// (see `dom::page_modal_open`).
    fn waits_for_page(&self) -> bool {
        self.config.display.mode != DisplayMode::Inline && dom::page_modal_open()
    }

    /// Opens the prompt; a modal or slide-in, while a modal `<dialog>` of the page is open,
    /// once the dialog has gone (see `dom::page_modal_open`).
    fn open_or_wait(&mut self, focus: bool) {
        if self.open {
            return;
        }
        if !self.waits_for_page() {
            self.page_wait = None;
            self.open(focus);
            return;
        }
        let me = self.me.clone();
        self.page_wait = Timer::new(
            dom::PAGE_MODAL_RETRY_MS,
            Box::new(move || {
                if let Some(survey) = me.upgrade() {
                    with(&survey, |s| s.open_or_wait(focus));
                }
            }),
        );
    }

    /// See `Survey::reattached` in lib.rs.
    pub fn reattached(&mut self) {
        let mode = self.config.display.mode;
        if !self.open || mode == DisplayMode::Inline {
            return;
        }
        dom::top_layer(&self.host, true);
        if mode == DisplayMode::Modal {
            self.focus_first();
        }
    }

    /// Shows the prompt; `focus`: move the focus into a slide-in (a modal always takes it;
    /// a slide-in that appears by itself is announced instead, not focused).
    fn open(&mut self, focus: bool) {
        if self.open {
            return;
        }
        self.open = true;
        self.begin();
        self.opened_ms = js_sys::Date::now() as u64;
        // A thank-you the site shows again closes by itself, as it did the first time.
        if self.prompt.submitted() {
            self.close_thanks_later();
        }
        if self.config.display.mode != DisplayMode::Inline {
            self.previous_focus = dom::focused();
        }
        set(&self.host, "data-state", "open");
        let mode = self.config.display.mode;
        if mode != DisplayMode::Inline {
            dom::top_layer(&self.host, true);
        }
        if mode == DisplayMode::SlideIn && !focus {
            // Said once its live region is in the page: a region shown with its text in one
            // go is often not read.
            let me = self.me.clone();
            self.announcing = Timer::new(
                ANNOUNCE_AFTER_MS,
                Box::new(move || {
                    if let Some(survey) = me.upgrade() {
                        with(&survey, Survey::announce);
                    }
                }),
            );
        }
        if mode == DisplayMode::Modal && !focus {
            // Opened by itself (a trigger, a link's score): the focus goes to the scale as a
            // whole, not to its first point, whose ring would look chosen and draw the eye to
            // the lowest score. Keys act from there as from the point (see `on_keydown`).
            if let Some(group) = self.scale_group() {
                let _ = group.focus();
            }
        } else if mode == DisplayMode::Modal || focus && mode == DisplayMode::SlideIn {
            self.focus_first();
        }
        let detail = self.detail(false);
        self.outbox.push(("sondeo:show", detail));
    }

    /// Hides the prompt; a visitor who closes without answering is not asked again for
    /// `dismissDays`, one who chose a score (sent as a partial: an answer) for `recontactDays`.
    pub fn close(&mut self) {
        self.hide(true);
    }

    /// Hides the prompt; `dismissal`: a close without an answer counts as the visitor's
    /// "not now" (a `destroy()` by the page, as a framework's unmount, does not).
    fn hide(&mut self, dismissal: bool) {
        self.page_wait = None;
        if !self.open {
            return;
        }
        self.open = false;
        let had_focus = focus_inside(&self.root);
        // The thank-you's close timer would close this survey if the site showed it again.
        if self.prompt.submitted() {
            self.timer = None;
        }
        set(&self.host, "data-state", "closed");
        dom::top_layer(&self.host, false);
        if self.prompt.started() {
            self.remember(Outcome::Answered, 0);
        } else if dismissal {
            self.remember(Outcome::Dismissed, self.begun_ms);
        }
        if let Some(previous) = self.previous_focus.take() {
            // An inline card gives it back only if it has it: a page must not jump under a
            // visitor who reads elsewhere.
            if had_focus || self.config.display.mode != DisplayMode::Inline {
                let _ = previous.focus();
            }
        }
        let detail = self.detail(self.prompt.submitted());
        self.outbox.push(("sondeo:close", detail));
        if self.config.display.mode != DisplayMode::Inline {
            trigger::closed();
        }
    }

    /// The focus came into an inline card: from where, to give it back when × closes the card
    /// (it would fall to the start of the page, and a keyboard's user with it).
    fn focus_came(&mut self, event: &Event) {
        if let Some(from) = dom::object_property::<HtmlElement>(event, "relatedTarget") {
            if !self.root.contains(Some(&from)) {
                self.previous_focus = Some(from);
            }
        }
    }

    /// A survey still untouched here, answered or closed unanswered in another tab since it
    /// opened, goes (not a dismissal of its own): the visitor would otherwise answer it twice,
    /// or be asked again right after a "no".
    fn ended_elsewhere(&mut self, event: &Event) {
        if trigger::ended_since(&self.config.id, self.opened_ms, event) {
            self.close_untouched();
        }
    }

    /// Closes the survey if it is open and the visitor has not begun it: its answer (or
    /// "no") was given in another copy of it. One begun here is the visitor's to finish.
    fn close_untouched(&mut self) {
        if self.open && !self.prompt.started() {
            self.hide(false);
        }
    }

    /// Remembers what the visitor did with this survey (for `recontactDays`, `dismissDays`
    /// and other tabs); its untouched copies on the page close after (see `with`).
    fn remember(&self, outcome: Outcome, begun: u64) {
        trigger::remember(&self.config.id, outcome, begun);
        ENDED.with(|ended| ended.borrow_mut().push(self.config.id.clone()));
    }

    /// Whether the survey's host is out of the page (taken out, or not put in yet): the one
    /// `mount()` made, or a `<sondeo-survey>` handed to it (a `<sondeo-survey>` that runs its
    /// own survey ends it when removed).
    fn orphaned(&self) -> bool {
        !dom::property(&self.host, "isConnected").is_some_and(|c| c.is_truthy())
    }

    /// Removes the survey and everything it attached to the page.
    pub fn destroy(&mut self) {
        self.hide(false);
        let me = self.me.as_ptr();
        LIVE.with(|live| {
            let mut live = live.borrow_mut();
            if let Some(i) = live.iter().position(|s| std::ptr::eq(Rc::as_ptr(s), me)) {
                live.swap_remove(i);
            }
        });
        self.destroyed = true;
        self.listeners.clear();
        self.triggers = trigger::Armed::default();
        self.root.set_text_content(None);
        if self.owns_host {
            self.host.remove();
        }
    }

    /// Chooses `score` for the question being asked (from a click, the keyboard or a URL
    /// prefill). Off-scale scores are refused. A choice from the arrow keys (`from_keys`)
    /// settles after a pause; any other moves on to the next question.
    pub fn select(&mut self, score: u8, from_keys: bool) -> bool {
        if self.prompt.select(score).is_none() {
            return false;
        }
        self.open_or_wait(false);
        self.begin();
        self.mark(from_keys);
        if from_keys {
            // With the follow-up off, Enter or Space (a click on the radio) sends: a pause
            // while listening to the points must not. Nor does it move to the next question.
            if self.config.follow_up.enabled || !self.prompt.at_last() {
                self.after(SETTLE_MS, Survey::settle);
            }
            return true;
        }
        self.move_on();
        true
    }

    /// The scale of the question being asked, while the survey is still answered: what
    /// `select()` takes, for its error.
    pub fn open_scale(&self) -> Option<(u8, u8)> {
        let kind = self.prompt.kind();
        (!self.prompt.submitted()).then(|| (kind.min(), kind.max()))
    }

    /// The answer stands, and the next question (if any) is asked.
    fn move_on(&mut self) {
        self.settle();
        if self.prompt.go_next() {
            self.draw_step();
        }
    }

    /// Shows the chosen point of the scale being asked as checked (and the stars up to it),
    /// and Next once there is an answer to move on from.
    fn mark(&self, focus: bool) {
        let kind = self.prompt.kind();
        if let Some(next) = &self.view.next {
            next.set_hidden(self.prompt.score().is_none());
        }
        let Some(score) = self.prompt.score() else {
            return;
        };
        let stars = self
            .config
            .questions
            .get(self.prompt.step())
            .map(|q| q.scale)
            == Some(sondeo_core::survey::ScaleStyle::Stars);
        for (i, radio) in self.view.radios.iter().enumerate() {
            let value = kind.min() + i as u8;
            let checked = value == score;
            set(
                radio,
                "aria-checked",
                if checked { "true" } else { "false" },
            );
            set(radio, "tabindex", if checked { "0" } else { "-1" });
            if stars {
                let _ = radio.class_list().toggle_with_force("on", value <= score);
            }
            if checked && focus {
                let _ = radio.focus();
            }
        }
    }

    /// Draws the question the prompt has moved to, its answer kept. A visitor who was in
    /// the card (a click, a key) is taken to its scale, where the progress and the question
    /// are read out; a choice made by the page (`select()`) leaves the focus where it is.
    fn draw_step(&mut self) {
        self.timer = None;
        let inside = focus_inside(&self.root);
        (self.view.radios, self.view.next) = render::question(
            &self.view.step,
            &self.config,
            &self.texts,
            self.prompt.step(),
        );
        self.view.follow_up.set_hidden(true);
        self.mark(false);
        if self.prompt.at_last() && self.prompt.score().is_some() {
            self.show_follow_up();
        }
        if inside {
            self.focus_first();
        }
    }

    /// The choice stands: the partial goes out; at the last question the follow-up asks
    /// about the answers' group (or, without a follow-up, the answer is sent).
    fn settle(&mut self) {
        self.timer = None;
        if self.prompt.score().is_none() || self.prompt.submitted() {
            return;
        }
        if self.prompt.at_last() {
            if !self.config.follow_up.enabled {
                self.submit();
                return;
            }
            self.show_follow_up();
        }
        let partial = self.response(false);
        if self.config.delivery.partial {
            self.deliverer.send(&partial);
            // Sent: a visitor who leaves the page now (closes the tab, follows a link) has
            // answered, as one who closes the prompt has; the next page must not ask again.
            self.remember(Outcome::Answered, 0);
        }
        self.outbox.push(("sondeo:answer", payload(&partial)));
    }

    fn show_follow_up(&self) {
        if !self.config.follow_up.enabled {
            return;
        }
        if let Some(group) = self.prompt.group(&self.config) {
            // The question is a live region of its own (the focus stays on the scale): a new
            // answer's wording is said; its first appearance, with its text in one go, only
            // where the screen reader reads regions that appear (delaying the text would make
            // the wording change twice on screen).
            self.view.follow_up.set_hidden(false);
            self.view
                .follow_up_question
                .set_text_content(Some(self.texts.follow_up(&self.config, group)));
        }
    }

    /// Takes in the language pack `tag` (the parsed JSON, or null when it could not be
    /// fetched) and draws the survey again in its language if nobody has seen it yet.
    fn apply_pack(&mut self, tag: &str, value: &JsValue) {
        // Already shown (the site called show() first): it stays in English, and says so.
        if self.id.is_some() {
            self.texts.pack = None;
            return;
        }
        let (texts, _) = sondeo_core::survey::parse_texts(
            &crate::js_value::to_value(value, crate::js_value::CONFIG_VALUES)
                .unwrap_or(sondeo_core::Value::Null),
        );
        if texts.is_empty() {
            let mut message = String::from("sondeo: the language pack ");
            message.push_str(&crate::texts::pack_url(tag));
            message.push_str(" could not be loaded; English is shown");
            crate::page::warn(&message);
            self.texts.pack = None;
            return;
        }
        self.texts.add_pack(texts);
        self.root.set_text_content(None);
        self.view = render::build(&self.root, &self.config, &self.texts);
    }

    /// The scale's radio group.
    fn scale_group(&self) -> Option<HtmlElement> {
        dom::object_property(self.view.radios.first()?, "parentNode")
    }

    /// Focuses the scale's tab stop (the chosen point, else the first).
    fn focus_first(&self) {
        let stop = self
            .view
            .radios
            .iter()
            .find(|r| r.get_attribute("tabindex").as_deref() == Some("0"));
        if let Some(stop) = stop {
            let _ = stop.focus();
        }
    }

    /// Says that a slide-in appeared by itself, and what it asks ("Survey: How likely…"):
    /// not focused, a screen reader's user would not hear its question otherwise.
    fn announce(&mut self) {
        if !self.open {
            return;
        }
        let mut text = String::from(self.texts.get(TextKey::SurveyLabel));
        if let Some(question) = self.config.questions.get(self.prompt.step()) {
            text.push_str(": ");
            text.push_str(self.texts.question(question));
        }
        self.view.announce.set_text_content(Some(&text));
    }

    /// Closes the thank-you once the visitor is not using it: a mouse over the card or
    /// focus on its link (the review site) waits another `closeAfterMs` (WCAG 2.2.1: a
    /// time limit the visitor can extend).
    fn close_when_idle(&mut self) {
        let on_link = self.view.link.is_some() && dom::focused() == self.view.link;
        // A touch screen keeps :hover on what was tapped last (Send): only a pointer that
        // hovers counts.
        let pointed = self.view.card.matches(":hover").unwrap_or(false)
            && crate::page::window()
                .match_media("(hover: hover)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
        if on_link || pointed {
            self.close_thanks_later();
        } else {
            self.close();
        }
    }

    /// A modal's or slide-in's thank-you closes by itself after `closeAfterMs` (0: never),
    /// once the visitor is not using it; an inline card's stays. Replaces any timer before it.
    fn close_thanks_later(&mut self) {
        let close_after = self.config.thank_you.close_after_ms;
        if self.config.display.mode != DisplayMode::Inline && close_after > 0 {
            self.after(close_after, Survey::close_when_idle);
        }
    }

    /// Runs `f` on this survey after `ms`, replacing any timer before it.
    fn after(&mut self, ms: u32, f: fn(&mut Survey)) {
        let me = self.me.clone();
        self.timer = Timer::new(
            ms,
            Box::new(move || {
                if let Some(survey) = me.upgrade() {
                    with(&survey, f);
                }
            }),
        );
    }

    fn toggle_reason(&mut self, index: usize) {
        self.prompt.toggle_reason(index);
        for (i, chip) in self.view.chips.iter().enumerate() {
            set(
                chip,
                "aria-pressed",
                if self.prompt.reason(i) {
                    "true"
                } else {
                    "false"
                },
            );
        }
    }

    fn clear_error(&mut self, _: &Event) {
        if !dom::string_property(&self.view.error, "textContent").is_empty() {
            self.view.error.set_text_content(None);
            let _ = self.view.comment.remove_attribute("aria-invalid");
        }
    }

    /// Validates and sends the final response, then thanks the visitor.
    pub fn submit(&mut self) {
        let group = match self.prompt.submit(
            &self.config,
            &dom::string_property(&self.view.comment, "value"),
        ) {
            Ok(group) => group,
            Err(NotSubmitted::CommentRequired) => {
                self.view
                    .error
                    .set_text_content(Some(self.texts.get(TextKey::Required)));
                set(&self.view.comment, "aria-invalid", "true");
                let _ = self.view.comment.focus();
                return;
            }
            Err(_) => return,
        };
        let response = self.response(true);
        self.deliverer.send(&response);
        self.timer = None;
        self.close_thanks_later();
        self.remember(Outcome::Answered, 0);
        self.view.ask.set_hidden(true);
        self.view
            .thanks
            .set_text_content(Some(self.texts.thank_you(&self.config, group)));
        if let Some(link) = &self.view.link {
            link.set_hidden(group.tier() != 2);
        }
        let _ = self.view.thanks.focus();
        self.outbox.push(("sondeo:submit", payload(&response)));
    }

    fn response(&self, complete: bool) -> Response {
        let made = now();
        let context = Context {
            id: self.id.clone().unwrap_or_default(),
            locale: self.texts.tag.clone(),
            page: page(),
            created_at: self.created_at.clone(),
            submitted_at: complete.then(|| made.clone()),
            updated_at: Some(made),
        };
        self.prompt.response(
            &self.config,
            &context,
            &dom::string_property(&self.view.comment, "value"),
            complete,
        )
    }

    /// The `detail` of show/close events: what is known so far.
    fn detail(&self, complete: bool) -> JsValue {
        if self.prompt.started() {
            return payload(&self.response(complete));
        }
        let detail = js_sys::Object::new();
        let id = self.id.as_deref().unwrap_or_default();
        let _ = js_sys::Reflect::set(&detail, &"id".into(), &id.into());
        let _ = js_sys::Reflect::set(&detail, &"surveyId".into(), &self.config.id.as_str().into());
        let _ = js_sys::Reflect::set(&detail, &"kind".into(), &self.config.kind.as_str().into());
        detail.into()
    }

    /// Keeps Tab and Shift+Tab inside a modal.
    fn trap_focus(&self, event: &Event) {
        let Ok(nodes) = self
            .view
            .card
            .query_selector_all("button:not([hidden]),textarea,a[href]:not([hidden])")
        else {
            return;
        };
        let focusable: Vec<HtmlElement> = (0..nodes.length())
            .filter_map(|i| Some(nodes.item(i)?.unchecked_into::<HtmlElement>()))
            .filter(|el| {
                dom::object_property::<JsValue>(el, "offsetParent").is_some()
                    && el.get_attribute("tabindex").as_deref() != Some("-1")
            })
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = dom::object_property::<Element>(&self.root, "activeElement");
        let back = dom::property(event, "shiftKey") == Some(JsValue::TRUE);
        let at_edge = if back {
            active.as_ref() == Some(first) || active.is_none()
        } else {
            active.as_ref() == Some(last) || active.is_none()
        };
        if at_edge {
            event.prevent_default();
            let _ = if back { last.focus() } else { first.focus() };
        }
    }
}

fn payload(response: &Response) -> JsValue {
    js_sys::JSON::parse(&response.to_json()).unwrap_or(JsValue::NULL)
}

fn now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// The page without its query string or fragment: those often carry tokens or personal data.
/// Read from the address's parts, not its origin: a sandboxed frame's origin reads "null"
/// though its address is the site's. None where the page has no web address of its own
/// (an `srcdoc` frame: "about:srcdoc").
fn page() -> Option<String> {
    let location = crate::page::window().location();
    let read = |name| dom::string_property(&location, name);
    let mut page = read("protocol");
    if !page.starts_with("http") {
        return None;
    }
    page.push_str("//");
    page.push_str(&read("host"));
    page.push_str(&read("pathname"));
    Some(page)
}

/// A random UUID v4 (a response id, a visitor id).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = crate::page::window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    // Math.random mixed in always: without Web Crypto (a very old browser), or where a page
    // stubbed `getRandomValues` to leave the bytes as they were, every visitor would get one
    // id, and the endpoint keep one answer of them all. (XOR with an independent value keeps
    // Web Crypto's bytes uniform.)
    for b in bytes.iter_mut() {
        *b ^= (js_sys::Math::random() * 256.0) as u8;
    }
    uuid_v4(bytes)
}
