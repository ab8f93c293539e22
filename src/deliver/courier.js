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
// Taken when the module loads, as the element's own timer is: a page may replace the global.
const later = setTimeout.bind(globalThis);

/** Calls the module's `name` with `args` (kept until it loads); `load`: fetch it now. */
export function courier(name, args, load) {
  if (loaded) return loaded[name](...args);
  waiting.push([name, args]);
  if (load) preload();
}

/** Fetches the module if it is not loaded or loading. */
export function preload() {
  loading ??= import(new URL("sondeo-deliver.js", import.meta.url).href)
    .then(async (module) => {
      await module.default();
      // A call that a call made here causes (a page's listener of a delivery event) waits its turn.
      while (waiting.length) {
        const [name, args] = waiting.shift();
        module[name](...args);
      }
      loaded = module;
    })
    .catch((error) => {
      loading = null;
      const problem = `could not load the delivery module (the answer is kept and sent when it loads): ${error?.message ?? error}`;
      if (!failures++) console.warn(`sondeo: ${problem}`);
      // Each waiting answer says so once, on its survey's element: a site's CSP that allows
      // sondeo.js but not the files beside it must be seen.
      for (const [name, [target, id]] of waiting) {
        if (name !== "send" || told.has(id)) continue;
        told.add(id);
        target.dispatchEvent(new CustomEvent("sondeo:error", { detail: { id, error: problem }, bubbles: true, composed: true }));
      }
      if (failures <= 5) later(preload, 2000 * 2 ** failures);
      addEventListener("online", preload, { once: true });
    });
}
