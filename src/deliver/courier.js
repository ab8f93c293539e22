// Loads the delivery module (crates/deliver) when the widget first needs it, and passes the
// widget's calls to it: those made before it has loaded are kept and made in order once it
// has. What the widget hands over is also in localStorage until the module has queued it, so
// a failed load (offline, a blocked URL) loses nothing: it is tried again on `online`, on the
// next answer, after a pause that doubles (five times) and on the next page.
let loaded = null;
let loading = null;
let failures = 0;
const waiting = [];
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
      if (!failures++) console.warn(`sondeo: could not load delivery (answers are kept and sent later): ${error?.message ?? error}`);
      if (failures <= 5) later(preload, 2000 * 2 ** failures);
      addEventListener("online", preload, { once: true });
    });
}
