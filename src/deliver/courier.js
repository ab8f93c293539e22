// Loads the delivery module (crates/deliver) when the widget first needs it, and passes the
// widget's calls to it: those made before it has loaded are kept and made in order once it
// has. What the widget hands over is also in localStorage until the module has queued it, so
// a failed load (offline, a blocked URL) loses nothing: it is tried again on `online`, on the
// next answer, after a pause that doubles (five times) and on the next page.
let loaded = null;
let loading = null;
let failures = 0;
// Calls kept until the module loads, written and read by index: a page may have replaced
// `Array.prototype.push` or the array iterator (a polyfill that breaks them).
const waiting = [];
const told = new Set();
// Taken when the module loads, as the element's own timer is: a page may replace the globals.
const later = setTimeout.bind(globalThis);
// (Absent where a server renders the page: nothing there calls them.)
const listen = globalThis.addEventListener?.bind(globalThis);
const Event = globalThis.CustomEvent;
// A load accepted and never answered (a stalled CDN edge, a proxy holding the request, a
// page's `Object.prototype.then`) fails after this long, as load-wasm.js's do, so that it is
// said and tried again. (Its own copy: wasm-bindgen moves this file, which can import nothing.)
const DEADLINE_MS = 30_000;
const within = (promise, what) => Promise.race([promise, new Promise((_, reject) =>
  later(() => reject(new Error(`${what}: no answer within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS))]);

/** Calls the module's `name` with `args` (kept until it loads; `pending` is not); `load`: fetch it now. */
export function courier(name, args, load) {
  if (loaded) return loaded[name].apply(null, args);
  if (name === "pending") return;
  waiting[waiting.length] = [name, args];
  if (load) preload();
}

/** Fetches the module if it is not loaded or loading. */
export function preload() {
  // A failed import stays failed for the page in some browsers: a retry asks for another URL.
  const url = new URL(`sondeo-deliver.js${failures ? `?retry=${failures}` : ""}`, import.meta.url);
  loading ??= within(import(url.href).then((module) => module.default().then(() => module)), url.href)
    .then((module) => {
      // In order: a call that a call made here causes (a page's listener of a delivery event)
      // waits its turn.
      for (let i = 0; i < waiting.length; i++) {
        const call = waiting[i];
        try {
          module[call[0]].apply(null, call[1]);
        } catch (error) {
          console.error(error);
        }
      }
      waiting.length = 0;
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
  for (let i = 0; i < waiting.length; i++) {
    const name = waiting[i][0], target = waiting[i][1][0], key = waiting[i][1][1];
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
