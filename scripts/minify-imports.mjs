// Renames the wasm's imports and exports to the shortest names, in the wasm and in its JS
// glue alike. wasm-bindgen names each import `__wbg_<method>_<16 hex digits>`; the hex is
// incompressible and appears in both files, ~3 KB gzip that every visitor would pay.
// Usage: node scripts/minify-imports.mjs <glue.js> <module.wasm>
import { readFileSync, writeFileSync } from "node:fs";

const [jsPath, wasmPath] = process.argv.slice(2);
let js = readFileSync(jsPath, "utf8");
const wasm = readFileSync(wasmPath);

function readLeb(buf, pos) {
  let result = 0, shift = 0, byte;
  do { byte = buf[pos++]; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [result, pos];
}
function leb(n) {
  const out = [];
  do { let byte = n & 0x7f; n = Math.floor(n / 128); if (n) byte |= 0x80; out.push(byte); } while (n);
  return out;
}
function readName(buf, pos) {
  const [len, start] = readLeb(buf, pos);
  return [buf.subarray(start, start + len).toString("utf8"), start + len];
}
const name = (s) => { const b = Buffer.from(s, "utf8"); return [...leb(b.length), ...b]; };
// The shortest identifiers in turn (`a`…`$`, then `aa`…): one namespace for the imports and
// exports renamed, none the same as an export that keeps its name.
const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
const NEXT = `${FIRST}0123456789`;
let named = 0;
function shortName() {
  for (;;) {
    let n = named++;
    let id = FIRST[n % FIRST.length];
    for (n = Math.floor(n / FIRST.length); n > 0; n = Math.floor((n - 1) / NEXT.length)) id += NEXT[(n - 1) % NEXT.length];
    if (!exportNames.has(id)) return id;
  }
}

// The exports, renamed in both files: wasm-bindgen's runtime (`__wbindgen_malloc`, the
// closure trampolines `wasm_bindgen_<hash>___convert__closures_…`, a class's `__wbg_*_free`)
// and the module's own API (`mount`, `survey_show`…), which the glue alone calls; `memory`
// keeps its name.
function renameExports(start, end) {
  let [count, p] = readLeb(wasm, start);
  const body = [...leb(count)];
  for (let i = 0; i < count; i++) {
    let field;
    [field, p] = readName(wasm, p);
    const descStart = p;
    p++;
    [, p] = readLeb(wasm, p);
    let short = field;
    if (/^(wasm_bindgen_[0-9a-f]+___|__wbindgen_|__externref_|__wbg_|__abort_handler$|__instance_terminated$)/.test(field) && new RegExp(`\\b${field}\\b`).test(js)) {
      short = shortName();
      renames.set(field, short);
    } else if (field !== "memory" && new RegExp(`\\bwasm\\.${field}\\b`).test(js)) {
      // The module's API (`mount`, `survey_show`…): the glue alone calls it, always as
      // `wasm.<name>`, and its own functions keep their names. (`memory` stays: pages read
      // it from what `init()` returns, as the analytics workers do.)
      short = shortName();
      apiRenames.set(field, short);
    }
    body.push(...name(short), ...wasm.subarray(descStart, p));
  }
  return Buffer.from([7, ...leb(body.length), ...body]);
}

// The glue's own import module ("./sondeo_bg.js") is named again by every import: one letter.
const moduleNames = new Map();
for (const { module } of WebAssembly.Module.imports(new WebAssembly.Module(wasm))) {
  const key = JSON.stringify(module);
  if (!moduleNames.has(module) && module.endsWith("_bg.js") && js.split(`${key}:`).length === 2) {
    const short = FIRST[moduleNames.size];
    js = js.replace(`${key}:`, `"${short}":`);
    moduleNames.set(module, short);
  }
}
const exportNames = new Set(WebAssembly.Module.exports(new WebAssembly.Module(wasm)).map((e) => e.name));
const out = [wasm.subarray(0, 8)];
let pos = 8;
const renames = new Map();
const apiRenames = new Map();
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, start] = readLeb(wasm, pos + 1);
  const end = start + size;
  if (id === 7) { out.push(renameExports(start, end)); pos = end; continue; }
  if (id !== 2) { out.push(wasm.subarray(pos, end)); pos = end; continue; }
  let [count, p] = readLeb(wasm, start);
  const body = [...leb(count)];
  for (let i = 0; i < count; i++) {
    let module, field;
    [module, p] = readName(wasm, p);
    [field, p] = readName(wasm, p);
    const descStart = p;
    const kind = wasm[p++];
    if (kind === 0) [, p] = readLeb(wasm, p);
    else if (kind === 1) { p++; const flags = wasm[p++]; [, p] = readLeb(wasm, p); if (flags & 1) [, p] = readLeb(wasm, p); }
    else if (kind === 2) { const flags = wasm[p++]; [, p] = readLeb(wasm, p); if (flags & 1) [, p] = readLeb(wasm, p); }
    else if (kind === 3) p += 2;
    else if (kind === 4) { p++; [, p] = readLeb(wasm, p); }
    else throw new Error(`unknown import kind ${kind}`);
    let short = field;
    if (!exportNames.has(field) && new RegExp(`\\b${field}\\b`).test(js)) {
      short = renames.get(field) ?? shortName();
      renames.set(field, short);
    }
    body.push(...name(moduleNames.get(module) ?? module), ...name(short), ...wasm.subarray(descStart, p));
  }
  out.push(Buffer.from([2, ...leb(body.length), ...body]));
  pos = end;
}
// (Replaced by functions: a `$` in a short name is no replacement pattern.)
for (const [long, short] of renames) js = js.replace(new RegExp(`\\b${long}\\b`, "g"), () => short);
for (const [long, short] of apiRenames) js = js.replace(new RegExp(`\\bwasm\\.${long}\\b`, "g"), () => `wasm.${short}`);
writeFileSync(jsPath, js);
writeFileSync(wasmPath, Buffer.concat(out));
new WebAssembly.Module(readFileSync(wasmPath)); // throws if the rewrite broke the module
console.error(`minify-imports: ${renames.size + apiRenames.size} imports and exports renamed`);
