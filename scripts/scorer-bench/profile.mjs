// Where the Scorer's time goes in Chromium: runs the streamed import of the 1M-row file
// (csv or ndjson, argv[2]) under the DevTools sampling profiler and prints the functions
// with the most self time. Function names need a wasm with its name section: build one
// with `wasm-opt -O3 -g` from target/wasm32-unknown-unknown/analytics (after wasm-bindgen
// and scripts/minify-imports.mjs, as scripts/build does) and put it in dist/ for the run.
// Not a benchmark: the profiler slows what it measures.
import { chromium } from "@playwright/test";
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
const root = process.cwd();
const mounts = { "/dist/": "dist", "/www/": "www", "/duckdb/": "node_modules/@duckdb/duckdb-wasm/dist", "/bench/": "scripts/scorer-bench", "/data/": ".bench" };
const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const mount = Object.keys(mounts).find((m) => path.startsWith(m));
  if (!mount) return res.writeHead(404).end();
  const file = normalize(join(root, mounts[mount], path.slice(mount.length)));
  try { const size = statSync(file).size; res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "content-length": size }); createReadStream(file).pipe(res); } catch { res.writeHead(404).end(); }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
await page.goto(`${base}/bench/page.html`);
await page.waitForFunction(() => window.benchReady);
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
await cdp.send("Profiler.start");
const format = process.argv[2] ?? "csv";
const r = await page.evaluate(([url, format]) => window.bench.runSondeo(url, format), [`${base}/data/responses-1000000.${format}`, format]);
const { profile } = await cdp.send("Profiler.stop");
const self = new Map();
const dt = profile.timeDeltas; const total = dt.reduce((a, b) => a + b, 0);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
let all = 0;
for (const [id, c] of counts) { const n = byId.get(id); const name = n.callFrame.functionName || `(${n.callFrame.url.split("/").pop()})`; self.set(name, (self.get(name) ?? 0) + c); all += c; }
console.log(format, (r.ms / 1000).toFixed(2), "s");
for (const [name, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((100 * c / all).toFixed(1).padStart(5), name.slice(0, 140));
await browser.close(); server.close();
