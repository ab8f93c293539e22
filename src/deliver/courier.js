// Loads the delivery module (crates/deliver) when the widget first needs it, and passes the
// widget's calls to it: those made before it has loaded are kept and made in order once it
// has. What the widget hands over is also in localStorage until the module has queued it, so
// a failed load (offline, a blocked URL) loses nothing: it is tried again on `online`, on the
// next answer, after a pause that doubles (five times) and on the next page.
let loaded = null;
let loading = null;
let failures = 0;
const waiting = [];
const told = new Set();
// Taken when the module loads, as the element's own timer is: a page may replace the globals.
const later = setTimeout.bind(globalThis);
// (Absent where a server renders the page: nothing there calls them.)
const listen = globalThis.addEventListener?.bind(globalThis);
const Event = globalThis.CustomEvent;

/** Calls the module's `name` with `args` (kept until it loads; `pending` is not); `load`: fetch it now. */
export function courier(name, args, load) {
  if (loaded) return loaded[name](...args);
  if (name === "pending") return;
  waiting.push([name, args]);
  if (load) preload();
}

/** Fetches the module if it is not loaded or loading. */
export function preload() {
  // A failed import stays failed for the page in some browsers: a retry asks for another URL.
  const url = new URL(`sondeo-deliver.js${failures ? `?retry=${failures}` : ""}`, import.meta.url);
  loading ??= import(url.href)
    .then((module) => module.default().then(() => module))
    .then((module) => {
      // In order: a call that a call made here causes (a page's listener of a delivery event)
      // waits its turn.
      while (waiting.length) {
        const [name, args] = waiting.shift();
        try {
          module[name](...args);
        } catch (error) {
          console.error(error);
        }
      }
      loaded = module;
    }, fail);
}

function fail(error) {
  loading = null;
  if (failures++ < 5) later(preload, 2000 * 2 ** failures);
  listen("online", preload, { once: true });
  const offline = navigator.onLine === false;
  const problem = `could not load the delivery module (the answer is kept and sent when it loads): ${error?.message ?? error}`;
  if (failures === 1 && !offline) console.warn(`sondeo: ${problem}`);
  // Each waiting answer says so once, on its survey's element: offline, it is queued; else
  // the site must see it (a CSP that allows sondeo.js but not the files beside it).
  for (const [name, [target, key]] of waiting) {
    if (name !== "send" || told.has(key)) continue;
    told.add(key);
    // The key is `sondeo:handoff:<id> <endpoint>`.
    const detail = { id: key.slice(15, key.indexOf(" ")) };
    if (!offline) detail.error = problem;
    try {
      target.dispatchEvent(new Event(offline ? "sondeo:queued" : "sondeo:error", { detail, bubbles: true, composed: true }));
    } catch {}
  }
}
