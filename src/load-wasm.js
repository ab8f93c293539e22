// Starts a wasm-bindgen module (`--target web`): compiled while it downloads, then
// instantiated at once. wasm-bindgen's own loader takes every kind of input and explains
// itself in long sentences, ~0.3 KB gzip that every visitor would fetch. A server that
// sends another MIME type than application/wasm gets the slower path, as it did there.
// A request accepted and never answered (a stalled CDN edge, a proxy or an extension holding
// it), or a page that set `Object.prototype.then` (every fetch then adopts its Response and
// never settles), would leave the load pending for ever, unsaid: after this long it fails,
// and says so. Long enough for the wasm on a slow 2G link.
export const LOAD_DEADLINE_MS = 30_000;

/** `promise`, or a rejection saying `what` did not load in time. */
export function within(promise, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() =>
    reject(new Error(`${what}: no answer within ${LOAD_DEADLINE_MS / 1000} s (a stalled network, proxy or CDN${"then" in {} ? ", or the page's Object.prototype.then" : ""})`)), LOAD_DEADLINE_MS))]);
}

export function loadWasm(url, initSync) {
  if (typeof WebAssembly !== "object") return Promise.reject(new Error("this browser runs no WebAssembly (Lockdown Mode, or turned off by a policy)"));
  return within(load(url, initSync), url);
}

async function load(url, initSync) {
  // A request that gets no answer at all says only "Failed to fetch": the address, and why.
  const response = await fetch(url).catch((error) => {
    throw new Error(`${url}: ${error?.message ?? error} (offline, or not in the page's CSP connect-src)`);
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  let module;
  try {
    module = await WebAssembly.compileStreaming(response.clone());
  } catch (error) {
    // A policy without 'wasm-unsafe-eval' refuses both ways: said as it is.
    if (error instanceof WebAssembly.CompileError) throw error;
    module = await WebAssembly.compile(await response.arrayBuffer());
  }
  initSync({ module });
}
