// The widget's hand-written JavaScript, with load-wasm.js (which starts the wasm) and the
// delivery module's loader (deliver/courier.js): the platform needs a JS class for a custom
// element, and a module to start the wasm. Everything else forwards to Rust.
import { initSync, mount as mountRaw, consent as consentNow, navigated as navigatedNow, reset as resetNow } from "../target/bindgen/sondeo/sondeo.js";
import { loadWasm } from "./load-wasm.js";

// A second copy of this script on the page (a tag manager's, another micro-frontend's
// `sondeo.js?v=2`) hands every call to the copy that defined <sondeo-survey>: one list of
// mounted surveys and one open prompt, so the visitor is asked once, and no second wasm.
const FIRST = Symbol.for("sondeo");
let first;
try {
  first = globalThis.customElements?.get("sondeo-survey")?.[FIRST];
} catch {
  // A registry that throws: this copy works on its own.
}

// A page whose Content-Security-Policy lacks 'wasm-unsafe-eval' cannot compile the module:
// said in words, to `mount()`'s caller and on every <sondeo-survey>. (Only when the browser
// names the policy: a module damaged on the way, by a proxy or a page's `fetch` wrapper, is a
// CompileError too.)
const ready = first ? null : loadWasm(new URL("sondeo_bg.wasm", import.meta.url), initSync).catch((error) => {
  const csp = error?.name === "CompileError" && /CSP|Security.Policy|unsafe-eval/i.test(error.message);
  throw new Error(`sondeo: could not start: ${error?.message ?? error}${csp ? " (CSP: script-src needs 'wasm-unsafe-eval')" : ""}`);
});
ready?.catch(() => {});
// The language packs sit in locales/ beside this script, wherever the site serves it from.
const LOCALES = new URL("locales/", import.meta.url).href;
// Taken when the module loads: a page that later replaces the global cannot keep removed
// surveys alive.
const later = setTimeout.bind(globalThis);

/** Mounts a survey into `target` (or, with null, onto the page for modal and slide-in). */
export async function mount(target, config) {
  if (first) return first.mount(target, config);
  const heard = hearEarly(config);
  // A <sondeo-survey> the page rendered (a framework's ref) is configured by this call, not
  // by its attributes: its own mount, queued when it connected, stands down.
  try {
    if (target.localName === "sondeo-survey") target.setAttribute("data-managed", "");
  } catch {
    // Not an element: the wasm says what was expected.
  }
  // Heard or not, the early listener goes (on a page that cannot start the wasm too).
  await ready.finally(heard);
  return mountNow(target ?? null, config, false, LOCALES, heard());
}

// What a page lacks or broke (no `attachShadow`, no constructable stylesheets) is said as
// sondeo's, as the wasm's own errors are.
function mountNow(...args) {
  try {
    return mountRaw(...args);
  } catch (error) {
    throw String(error?.message).startsWith("sondeo:") ? error : new Error(`sondeo: could not show the survey: ${error?.message ?? error}`);
  }
}

// The in-app event of `trigger.event` sent while the wasm is still starting (an order page
// that announces "checkout:done" as it loads) is heard from mount()'s call, not lost.
function hearEarly(config) {
  let name;
  try {
    name = config?.trigger?.event;
  } catch {
    // A config whose getter throws: mount() says so.
  }
  if (typeof name !== "string" || !globalThis.addEventListener) return () => false;
  let heard = false;
  const hear = () => { heard = true; };
  addEventListener(name, hear);
  return () => { removeEventListener(name, hear); return heard; };
}

/** The site's consent to storing, for surveys with `consent: "required"` (false deletes what was stored). */
export async function consent(granted) {
  if (first) return first.consent(granted);
  await ready;
  consentNow(Boolean(granted));
}

/** A single-page app changed its address (after `history.pushState`): page rules and load triggers run again. */
export async function navigated() {
  if (first) return first.navigated();
  await ready;
  navigatedNow();
}

/** Forgets this visitor (id, page views, seen markers) so that every survey may prompt again; unsent answers are kept. */
export async function reset() {
  if (first) return first.reset();
  await ready;
  resetNow();
}

const sameData = (a, b) => {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // a config JSON cannot write (a cycle) is taken as new
  }
};

// Imported while a page is rendered on a server (Next.js, Nuxt), where there is no DOM:
// the module loads, and the element is defined where it can be.
class SondeoSurvey extends (globalThis.HTMLElement ?? Object) {
  static [FIRST] = { mount, consent, navigated, reset };
  constructor() {
    super();
    // A `config` set before this script defined the element (a framework that renders
    // first) sits on the element itself, hiding the setter: taken, and the setter is used.
    if (Object.hasOwn(this, "config")) {
      const value = this.config;
      delete this.config;
      this.#config = value;
    }
  }
  static get observedAttributes() {
    return ["kind", "endpoint", "survey-id", "locale", "display", "scale", "question", "data-managed"];
  }
  connectedCallback() {
    if (this.hasAttribute("data-managed")) return;
    if (!this.#survey || this.ownerDocument !== document) return this.#remount();
    // Moved (taken out and put back within one task, as frameworks, portals and
    // drag-and-drop lists do): the survey and what the visitor typed carry on, with a score
    // chosen while it was out.
    this.#survey.reattached();
    // (A score waiting for a new config's survey waits on.)
    const early = this.#queued ? undefined : this.#early;
    if (!early) return;
    this.#early = undefined;
    try {
      this.#survey.select(early[0]);
    } catch (error) {
      this.#fail(error);
    }
  }
  disconnectedCallback() {
    if (this.hasAttribute("data-managed")) return;
    // Ended only if still out of the page once this task is over (see connectedCallback).
    const end = () => { if (!this.isConnected || this.ownerDocument !== document) { this.#drop(); this.#early = undefined; } };
    try { later(end); } catch { end(); }
  }
  attributeChangedCallback(name, before, after) {
    // Handed to mount(): the survey it makes replaces the element's own.
    if (name === "data-managed") return this.#drop();
    if (this.hasAttribute("data-managed") || before === after) return;
    // While out of the page, a change is taken when it comes back.
    if (this.isConnected) this.#remount();
    else this.#drop();
  }
  get config() { return this.#config; }
  set config(value) {
    const before = this.#config;
    this.#config = value;
    // A framework that renders `config={{…}}` sets an equal new object at every render: the
    // survey, and what the visitor is typing, carry on (functions, as `beforeSend`, compare
    // equal; the first one stays).
    if (this.#survey && before !== value && sameData(before, value)) return;
    if (this.isConnected) this.#remount();
    else this.#drop();
  }
  show() { this.#survey?.show(); }
  close() { this.#survey?.close(); }
  // A score chosen before the survey has started (a page that prefills as soon as it adds
  // the element, or sets a new config) waits for it, as does one chosen before the element
  // is in the page; with no survey coming, it throws as the survey's own would.
  select(score) {
    if (this.#queued || !this.isConnected) return void (this.#early = [score]);
    if (this.#survey) return this.#survey.select(score);
    throw new Error("sondeo: score: expected a survey still being answered");
  }
  pending() { return this.#survey?.pending() ?? 0; }
  #config;
  #survey = null;
  #queued = false;
  #early;
  #fail(error) {
    console.error(error);
    this.dispatchEvent(new CustomEvent("sondeo:error", { detail: { error: String(error?.message ?? error) }, bubbles: true, composed: true }));
  }
  #drop() {
    this.#survey?.destroy();
    this.#survey = null;
  }
  // Several attributes change at once when the element is parsed: mount once, after them.
  #remount() {
    if (this.#queued) return;
    this.#queued = true;
    ready.then(() => {
      this.#queued = false;
      this.#drop();
      if (!this.isConnected || this.hasAttribute("data-managed")) return;
      const early = this.#early;
      this.#early = undefined;
      try {
        this.#survey = mountNow(this, null, true, LOCALES);
        if (early) this.#survey.select(early[0]);
      } catch (error) {
        this.#fail(error);
      }
    }, (error) => { this.#queued = false; this.#early = undefined; this.#fail(error); });
  }
}

// A registry polyfill (or a console) that throws leaves the module, and mount(), working.
const say = (message) => { try { console.warn(`sondeo: ${message}`); } catch {} };
try {
  if (!globalThis.customElements) {
    // No DOM (server-side rendering): nothing to define.
  } else if (first) {
    // Another copy of sondeo runs the elements and takes this one's calls.
  } else if (customElements.get("sondeo-survey")) say("<sondeo-survey> is defined by another script; use mount()");
  else {
    customElements.define("sondeo-survey", SondeoSurvey);
    // A polyfill that takes the definition and does nothing would leave every <sondeo-survey> empty, unsaid.
    // (A polyfill may register a subclass of it, which works.)
    const defined = customElements.get("sondeo-survey");
    if (defined !== SondeoSurvey && !(defined?.prototype instanceof SondeoSurvey)) throw new Error("the registry ignored it");
  }
} catch (error) {
  say(`<sondeo-survey> could not be defined (${error?.message ?? error}); use mount()`);
}
