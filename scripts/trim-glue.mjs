// Takes out of wasm-bindgen's JS glue what no browser that runs the widget needs: every
// browser with WebAssembly reference types (which the widget's wasm uses) has
// FinalizationRegistry, the widget never decodes the 2 GB after
// which Safari's TextDecoder needs renewing, and src/load-wasm.js always hands initSync a
// compiled module in an object, and every string passed to the wasm is given a `realloc`.
// ~0.2 KB gzip that every visitor would fetch. (The fallback for a TextEncoder without
// encodeInto stays: browsers have it, but a page may replace TextEncoder with an old polyfill.)
// Each piece must be found exactly as the pinned wasm-bindgen writes it: a new version that
// writes it otherwise stops the build here, to be looked at, rather than ship it untrimmed.
// Usage: node scripts/trim-glue.mjs <glue.js>
import { readFileSync, writeFileSync } from "node:fs";

const [path] = process.argv.slice(2);
let js = readFileSync(path, "utf8");

const cuts = [
  {
    what: "FinalizationRegistry fallbacks",
    from: /\(typeof FinalizationRegistry === 'undefined'\)\s*\?\s*\{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\s*:\s*/g,
    to: "",
  },
  {
    what: "Safari's TextDecoder renewal",
    from: `const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}`,
    to: `function decodeText(bytes) {
    return cachedTextDecoder.decode(bytes);
}`,
  },
  {
    what: "initSync's other kinds of argument",
    from: `    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for \`initSync()\`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }`,
    to: `    ({module} = module);
    const imports = __wbg_get_imports();`,
  },
];

// The branch for a call without `realloc`: every call gives one (checked here).
const calls = [...js.matchAll(/passStringToWasm0\(([^)]*)\)/g)].map((m) => m[1].split(",").length);
if (calls.some((count) => count !== 3)) {
  console.error(`trim-glue: ${path}: a passStringToWasm0 call without realloc; update scripts/trim-glue.mjs`);
  process.exit(1);
}
cuts.push({
  what: "passStringToWasm0's branch without realloc",
  from: `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`,
  to: "",
});

for (const { what, from, to } of cuts) {
  const found = typeof from === "string" ? js.split(from).length - 1 : (js.match(from) ?? []).length;
  if (found === 0) {
    console.error(`trim-glue: ${path}: ${what} not found as wasm-bindgen wrote it; update scripts/trim-glue.mjs`);
    process.exit(1);
  }
  js = typeof from === "string" ? js.split(from).join(to) : js.replace(from, to);
}
writeFileSync(path, js);
