// Starts a wasm-bindgen module (`--target web`): compiled while it downloads, then
// instantiated at once. wasm-bindgen's own loader takes every kind of input and explains
// itself in long sentences, ~0.3 KB gzip that every visitor would fetch. A server that
// sends another MIME type than application/wasm gets the slower path, as it did there.
export async function loadWasm(url, initSync) {
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
