//! When a prompt shows itself: on load (after a delay, and again on each SPA
//! navigation), at a scroll depth, on exit intent or on a named event. Whether it may
//! is core's `targeting::decide`; this module gathers the facts it needs (the visitor,
//! the stored markers, the page, the clock), keeps the markers, and keeps two prompts
//! from being open at once on one page.

use crate::listener::{Listener, Timer};
use crate::page::PageLocal;
use crate::storage::local;
use sondeo_core::survey::{Config, DisplayMode, Targeting};
use sondeo_core::targeting::{decide, draw, Facts, Outcome, Seen, Verdict, Visits};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// The armed triggers of one survey; dropping disarms them.
#[derive(Default)]
pub struct Armed {
    _listeners: Vec<Listener>,
    _prompter: Option<Rc<Prompter>>,
}

/// What this page knows across surveys.
struct Page {
    /// The address last counted as a page view on this page.
    address: String,
    /// The visits record, kept here too for when storage is shut.
    visits: Visits,
    /// Every armed survey: load triggers run again on SPA navigations, and prompts
    /// waiting for another to close are found here.
    prompters: Vec<Weak<Prompter>>,
    popstate: Option<Listener>,
    /// Heard once a prompt waits for its tab to be looked at.
    visibility: Option<Listener>,
    /// The visitor id made on this page when storage may not keep it (no consent yet, a
    /// sandboxed frame): the draw must not change at every check.
    visitor: Option<String>,
}

static PAGE: PageLocal<RefCell<Page>> = PageLocal::new(RefCell::new(Page {
    address: String::new(),
    visits: Visits {
        views: 0,
        sessions: 0,
        session_start: 0,
        last_view: 0,
        last_shown: 0,
    },
    prompters: Vec::new(),
    popstate: None,
    visibility: None,
    visitor: None,
}));

/// The armed surveys (some may be gone: upgrade each), copied out so that showing one
/// may arm or close another.
fn prompters() -> Vec<Weak<Prompter>> {
    PAGE.with(|p| p.borrow().prompters.clone())
}

/// What a trigger's call to show its prompt did.
#[derive(PartialEq, Eq)]
pub enum Showing {
    /// Shown now.
    Now,
    /// Not now: a modal `<dialog>` of the page is open, or the survey is busy; asked again in a second.
    Later,
    /// It had shown itself before (or is gone): nothing more for the trigger to do.
    Before,
}

/// One survey's automatic showing.
struct Prompter {
    survey_id: String,
    user_id: Option<String>,
    targeting: Targeting,
    /// Modal or slide-in: one at a time, and counted for `globalCooldownDays`.
    popup: bool,
    load: bool,
    delay_ms: u32,
    scroll_percent: Option<u8>,
    /// Shows the prompt, if it can now.
    show: Box<dyn Fn() -> Showing>,
    /// The prompt has shown itself: the trigger has nothing more to do (and no rule to ask,
    /// every second, while a dialog of the page stays open).
    done: Cell<bool>,
    /// The load trigger's wait, or else the one look at the scroll depth (see [`Start::run`]).
    timer: RefCell<Option<Timer>>,
    /// Held back because another prompt was open; asks again when it closes.
    waiting: Cell<bool>,
    me: Weak<Prompter>,
}

impl Prompter {
    /// The page loaded or the SPA navigated: a load trigger starts its delay.
    fn arrive(&self) {
        if !self.load {
            return;
        }
        if self.delay_ms > 0 {
            self.later(self.delay_ms);
        } else {
            self.fire(true);
        }
    }

    fn later(&self, ms: u32) {
        let me = self.me.clone();
        *self.timer.borrow_mut() = Timer::new(
            ms,
            Box::new(move || {
                if let Some(p) = me.upgrade() {
                    p.fire(true)
                }
            }),
        );
    }

    /// A trigger fired: ask the rules. Only a load trigger waits for `afterSeconds`;
    /// an exit intent or a scroll that comes too early is let go. A modal or slide-in whose
    /// survey needs consent waits for the site's answer: until then the visitor's history
    /// (answered, shown twice, asked last week) cannot be read, and every page would ask.
    fn fire(&self, load: bool) {
        if self.done.get() {
            return;
        }
        if self.popup && !self.targeting.force && crate::storage::consent_pending() {
            self.waiting.set(true);
            return;
        }
        match self.verdict() {
            // Nor does one show itself where nothing is kept (a storage refused or full): it
            // could not remember an answer, and would ask on every page.
            // Done for this page: a scroll past its depth would probe storage again at each step.
            Verdict::Show
                if self.popup && !self.targeting.force && !crate::storage::keeps_history() =>
            {
                self.done.set(true)
            }
            Verdict::Show => self.show_now(),
            Verdict::Wait(ms) if load => self.later(ms.min(u32::MAX as u64) as u32),
            _ => {}
        }
    }

    fn show_now(&self) {
        // A tab opened in the background, or left for another: a prompt nobody sees would
        // spend its displays (and the site's cooldown). It asks again when the tab is looked at.
        let document = crate::dom::document();
        if self.popup
            && !self.targeting.force
            && crate::dom::string_property(&document, "visibilityState") == "hidden"
        {
            self.waiting.set(true);
            PAGE.with(|p| {
                p.borrow_mut().visibility.get_or_insert_with(|| {
                    Listener::new(&document, "visibilitychange", Box::new(|_| ask_waiting()))
                });
            });
            return;
        }
        if self.popup && !self.targeting.force && crate::survey::popup_open() {
            // Asked again when it closes, and every second: the open one may leave the page
            // without closing (its element taken out).
            self.waiting.set(true);
            self.later(crate::dom::PAGE_MODAL_RETRY_MS);
            return;
        }
        let showing = (self.show)();
        if showing == Showing::Later {
            self.later(crate::dom::PAGE_MODAL_RETRY_MS);
            return;
        }
        self.done.set(true);
        if showing == Showing::Now {
            let now = now();
            update_seen(&self.survey_id, |seen| seen.shown(now));
            if self.popup {
                update_visits(|v| v.last_shown = now);
            }
        }
    }

    fn verdict(&self) -> Verdict {
        let t = &self.targeting;
        let (path, search, hash) = address();
        let facts = Facts {
            now: now(),
            draw: if t.sample < 1.0 {
                draw(&self.survey_id, &visitor(self.user_id.as_deref()))
            } else {
                0.0
            },
            seen: seen(&seen_key(&self.survey_id)),
            visits: visits(),
            path: &path,
            query: search.strip_prefix('?').unwrap_or(&search),
            fragment: hash.strip_prefix('#').unwrap_or(&hash),
        };
        let verdict = decide(t, &facts);
        // A byte scan: `str::contains` would bring in a substring searcher (~0.6 KB).
        if search.as_bytes().windows(12).any(|w| w == b"sondeo-debug") {
            crate::page::warn(&verdict.explain(&self.survey_id));
        }
        verdict
    }
}

/// The page's path and fragment, decoded as patterns are written (`/café`, not
/// `/caf%C3%A9`; `decodeURI` keeps an encoded `/` inside its segment, and a malformed escape
/// leaves them as they are), and its query as it is.
fn address() -> (String, String, String) {
    let location = crate::page::window().location();
    let read = |name| crate::dom::string_property(&location, name);
    let decoded = |raw: String| js_sys::decode_uri(&raw).map_or(raw, String::from);
    (
        decoded(read("pathname")),
        read("search"),
        decoded(read("hash")),
    )
}

/// Whether the page rules of `targeting` keep its survey off the page's address now.
#[inline(never)]
pub fn page_excludes(targeting: &Targeting) -> bool {
    let (path, search, hash) = address();
    !targeting.force
        && sondeo_core::targeting::page_rule(
            targeting,
            &path,
            search.strip_prefix('?').unwrap_or(&search),
            hash.strip_prefix('#').unwrap_or(&hash),
        )
        .is_some()
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

fn stored(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

fn store(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}

fn seen_key(survey_id: &str) -> String {
    let mut key = String::from(SEEN_PREFIX);
    key.push_str(survey_id);
    key
}

/// Prefix of the per-survey markers; the rest is the survey id.
pub const SEEN_PREFIX: &str = "sondeo:seen:";
const VISITS_KEY: &str = "sondeo:visits";
const VISITOR_KEY: &str = "sondeo:visitor";

/// What storage says of the visitor and one survey (its key: `seen_key`).
fn seen(key: &str) -> Seen {
    Seen::read(&stored(key).unwrap_or_default())
}

fn update_seen(survey_id: &str, f: impl FnOnce(&mut Seen)) {
    let key = seen_key(survey_id);
    let mut seen = seen(&key);
    f(&mut seen);
    store(&key, &seen.write());
}

/// Remembers how the visitor left the survey, now, in a prompt that began at `begun` (ms).
pub fn remember(survey_id: &str, outcome: Outcome, begun: u64) {
    update_seen(survey_id, |seen| seen.left(outcome, now(), begun));
}

/// Whether another tab's write to storage (`event`) says that the visitor answered survey
/// `survey_id`, or closed it unanswered, since `since` (ms). Its other writes (the site's,
/// the queue's) are let go.
pub fn ended_since(survey_id: &str, since: u64, event: &web_sys::Event) -> bool {
    let key = seen_key(survey_id);
    // `clear()` names no key.
    let changed = crate::dom::string_property(event, "key");
    (changed.is_empty() || changed == key) && seen(&key).ended_since(since)
}

/// The visits record: the stored one (another tab may have counted), else this page's.
fn visits() -> Visits {
    stored(VISITS_KEY)
        .map(|text| Visits::read(&text))
        .unwrap_or_else(|| PAGE.with(|p| p.borrow().visits))
}

fn update_visits(f: impl FnOnce(&mut Visits)) {
    let mut visits = visits();
    f(&mut visits);
    store(VISITS_KEY, &visits.write());
    PAGE.with(|p| p.borrow_mut().visits = visits);
}

/// Counts a page view when the address (path and query, and a hash route: a fragment
/// that starts `#/` or `#!`) is not the one last counted on this page; returns whether it
/// did. So a reload counts, a jump to an anchor does not, and a navigation reported twice
/// (by `popstate` and by the site's `navigated()`) counts once.
fn count_page_view() -> bool {
    let location = crate::page::window().location();
    let read = |name| crate::dom::string_property(&location, name);
    let mut address = read("pathname");
    address.push_str(&read("search"));
    let hash = read("hash");
    if hash.starts_with("#/") || hash.starts_with("#!") {
        address.push_str(&hash);
    }
    let counted = PAGE.with(|p| std::mem::replace(&mut p.borrow_mut().address, address.clone()));
    if counted == address {
        return false;
    }
    update_visits(|v| v.page_view(now()));
    true
}

/// The site's single-page app moved to another address (also run on `popstate`): count
/// the page view, close the modals and slide-ins its page rules keep off the new address
/// (as a full load of it would never have shown them), and run the load triggers again.
pub fn navigated() {
    if !count_page_view() {
        return;
    }
    crate::survey::close_off_page();
    for p in prompters().iter().filter_map(Weak::upgrade) {
        p.arrive();
    }
}

/// A modal or slide-in closed: the prompts that waited for it ask their rules again, in
/// the order they were armed, until one opens (one held back by its rules lets the next ask).
pub fn closed() {
    ask_waiting();
}

/// The site answered whether sondeo may store (and read) what it knows of the visitor:
/// with consent, this page view joins the stored record; then the prompts that waited ask.
pub fn consent_answered(granted: bool) {
    if granted {
        // Counted again, now in the stored record: the page's own count held this view already.
        PAGE.with(|p| {
            let mut p = p.borrow_mut();
            p.address.clear();
            p.visits = Visits::default();
        });
        count_page_view();
    }
    ask_waiting();
}

/// The prompts that wait ask their rules again, in the order they were armed, until one opens.
fn ask_waiting() {
    for p in prompters().iter().filter_map(Weak::upgrade) {
        if crate::survey::popup_open() {
            break;
        }
        if p.waiting.replace(false) {
            p.fire(true);
        }
    }
}

/// Forgets this page's count (after `reset()` deleted the stored one).
pub fn reset() {
    PAGE.with(|p| {
        let mut p = p.borrow_mut();
        p.address.clear();
        p.visits = Visits::default();
        p.visitor = None;
    });
}

/// Who this visitor is, for sampling: `user.id` when the site gives one (the same person
/// on every device), else a random id kept in `localStorage` as `sondeo:visitor`. Without
/// storage (a sandboxed frame) the id lasts for the page only.
fn visitor(user_id: Option<&str>) -> String {
    if let Some(id) = user_id {
        return id.to_owned();
    }
    if let Some(id) = stored(VISITOR_KEY) {
        return id;
    }
    let id = PAGE
        .with(|p| p.borrow().visitor.clone())
        .unwrap_or_else(crate::survey::new_id);
    store(VISITOR_KEY, &id);
    PAGE.with(|p| p.borrow_mut().visitor = Some(id.clone()));
    id
}

/// How long after mounting the scroll depth is looked at without a scroll: the page's own
/// content (images, an app's first render) has usually made it as tall as it gets.
const DEPTH_CHECK_MS: u32 = 1_500;

/// Whether the visitor has seen `percent` of the page (scrolled, or the page is that short).
fn scrolled_to(percent: u8) -> bool {
    use crate::dom::{document, number_property, object_property};
    let w = crate::page::window();
    let Some(root) = object_property::<wasm_bindgen::JsValue>(&document(), "documentElement")
    else {
        return false;
    };
    let seen = number_property(&w, "scrollY") + number_property(&w, "innerHeight");
    seen * 100.0 >= number_property(&root, "scrollHeight").max(1.0) * percent as f64
}

/// Starts the load trigger once the caller holds no borrow of the survey.
pub struct Start(Rc<Prompter>, bool);

impl Start {
    /// Runs the load trigger (at once, or after its delay or `afterSeconds`), and looks at
    /// the scroll depth once the page has had time to lay out its content: a page too
    /// short to scroll sends no scroll event, and its visitor has seen all of it.
    /// (A load trigger shows the prompt anyway: its timer slot is its own.)
    pub fn run(self) {
        self.0.arrive();
        // The in-app event came while the wasm was starting: it counts now.
        if self.1 {
            self.0.fire(false);
        }
        if let Some(percent) = self.0.scroll_percent.filter(|_| !self.0.load) {
            let me = self.0.me.clone();
            *self.0.timer.borrow_mut() = Timer::new(
                DEPTH_CHECK_MS,
                Box::new(move || {
                    if let Some(p) = me.upgrade().filter(|_| scrolled_to(percent)) {
                        p.fire(false);
                    }
                }),
            );
        }
    }
}

/// Arms the config's triggers; `show` runs when one fires and the rules allow it, and
/// says whether it showed the prompt. `event_heard`: the named event came before.
pub fn arm(
    config: &Config,
    event_heard: bool,
    show: impl Fn() -> Showing + 'static,
) -> (Armed, Start) {
    count_page_view();
    let trigger = &config.trigger;
    let prompter = Rc::new_cyclic(|me| Prompter {
        survey_id: config.id.clone(),
        user_id: config.user.id.clone(),
        targeting: config.targeting.clone(),
        popup: config.display.mode != DisplayMode::Inline,
        load: trigger.load,
        delay_ms: trigger.delay_ms,
        scroll_percent: trigger.scroll_percent,
        show: Box::new(show),
        done: Cell::new(false),
        timer: RefCell::new(None),
        waiting: Cell::new(false),
        me: me.clone(),
    });
    let mut armed = Armed::default();
    let window = crate::page::window();
    PAGE.with(|p| {
        let mut p = p.borrow_mut();
        // Surveys destroyed earlier (a remounted element) leave the list here.
        p.prompters.retain(|w| w.strong_count() > 0);
        p.prompters.push(Rc::downgrade(&prompter));
        p.popstate
            .get_or_insert_with(|| Listener::new(&window, "popstate", Box::new(|_| navigated())));
    });
    let fire = |p: &Rc<Prompter>| {
        let p = Rc::downgrade(p);
        move || {
            if let Some(p) = p.upgrade() {
                p.fire(false)
            }
        }
    };
    if let Some(percent) = trigger.scroll_percent {
        let fire = fire(&prompter);
        armed._listeners.push(Listener::new(
            &window,
            "scroll",
            Box::new(move |_| {
                if scrolled_to(percent) {
                    fire();
                }
            }),
        ));
    }
    if trigger.exit_intent {
        if let Some(document) = window.document() {
            let fire = fire(&prompter);
            armed._listeners.push(Listener::new(
                &document,
                "mouseout",
                Box::new(move |event| {
                    // Leaving through the top edge with no element to go to: towards the tabs or the address bar.
                    let property = |name| crate::dom::property(&event, name);
                    let towards_nothing = property("relatedTarget").is_some_and(|t| t.is_null());
                    let at_top = property("clientY")
                        .and_then(|y| y.as_f64())
                        .is_some_and(|y| y <= 0.0);
                    if towards_nothing && at_top {
                        fire();
                    }
                }),
            ));
        }
    }
    if let Some(name) = &trigger.event {
        let fire = fire(&prompter);
        armed
            ._listeners
            .push(Listener::new(&window, name, Box::new(move |_| fire())));
    }
    armed._prompter = Some(prompter.clone());
    (
        armed,
        Start(prompter, event_heard && trigger.event.is_some()),
    )
}
