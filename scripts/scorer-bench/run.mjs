// Serves dist/, the peers' files and the generated exports, drives Chromium, prints a table.
import { createServer } from "node:http";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "@playwright/test";
import { execFileSync } from "node:child_process";

// duckdb-browser.mjs imports "apache-arrow" by bare name: bundle it for the page.
execFileSync("node_modules/.bin/esbuild", ["node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs", "--bundle", "--format=esm", "--log-level=error", "--outfile=.bench/duckdb-browser.bundle.mjs"]);

const sizes = process.argv.slice(2).map(Number);
const root = process.cwd();
const mounts = { "/dist/": "dist", "/www/": "www", "/duckdb/": "node_modules/@duckdb/duckdb-wasm/dist", "/papaparse/": "node_modules/papaparse", "/bench/": "scripts/scorer-bench", "/data/": ".bench" };
const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".csv": "text/csv", ".ndjson": "application/x-ndjson" };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const mount = Object.keys(mounts).find((m) => path.startsWith(m));
  if (!mount) return res.writeHead(404).end();
  const file = normalize(join(root, mounts[mount], path.slice(mount.length)));
  try {
    const size = statSync(file).size;
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "content-length": size });
    // Large reads, as a static server with sendfile would send: the same file server for every contender.
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  } catch { res.writeHead(404).end(); }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-precise-memory-info", "--js-flags=--max-old-space-size=8192"] });
const rows = [];
const FORMATS = (process.env.BENCH_FORMATS ?? "csv,ndjson").split(",");
// BENCH_RUNS runs of each (3 by default); the median run is reported, with the spread.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
// BENCH_ONLY=runSondeoWorkers,runDuck,native runs a subset (while tuning one contender).
const wanted = (fn) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(",").includes(fn);
// The CPU time every process on the machine spent during a run (the browser's network
// process and this server included), from /proc/stat where there is one: on a machine with
// few cores it says how much of the wall time any contender could win back.
const cpuBusyMs = () => {
  if (!existsSync("/proc/stat")) return NaN;
  const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  // user, nice, system, irq, softirq (idle and iowait left out); 100 ticks a second.
  return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) * 10;
};
const median = (runs) => {
  runs.sort((a, b) => a.ms - b.ms);
  const r = runs[Math.floor(runs.length / 2)];
  r.spread = `${(runs[0].ms / 1000).toFixed(2)}–${(runs.at(-1).ms / 1000).toFixed(2)} s`;
  return r;
};
const cpuOf = (r) => (Number.isFinite(r.cpuMs) ? `${(r.cpuMs / 1000).toFixed(2)} s` : "–");
const memoryOf = (r) => (r.rows === 0 ? "the floor: what fetching the file costs every contender" : r.workers ? `${r.workers === 1 ? "1 worker," : `${r.workers} workers, each`} ${(r.workerMemory / 1e6).toFixed(1)} MB wasm memory at most; the file read as a stream, a few 4 MB parts per worker at most` : r.wasmBytes ? `${(r.wasmBytes / 1e6).toFixed(1)} MB wasm memory` : r.jsHeap ? `${(r.jsHeap / 1e6).toFixed(0)} MB JS heap` : `${(r.inputBytes / 1e6).toFixed(0)} MB file buffered + DuckDB`);
for (const n of sizes) {
  for (const format of FORMATS) {
    const url = `${base}/data/responses-${n}.${format}`;
    const mb = statSync(`.bench/responses-${n}.${format}`).size / 1e6;
    for (const [name, fn] of [["reading the file, nothing else", "runFetchOnly"], ["sondeo Scorer (Rust/wasm, streamed)", "runSondeo"], ["sondeo Scorer, one worker", "runSondeoOneWorker"], ["sondeo Scorer, one worker per core", "runSondeoWorkers"], ["PapaParse + plain JS", "runPapa"], ["DuckDB-wasm (SQL)", "runDuck"]]) {
      if (!wanted(fn)) continue;
      // Each run in a fresh page.
      const runs = [];
      for (let run = 0; run < RUNS; run++) {
        const page = await browser.newPage();
        if (process.env.BENCH_LOG) page.on("console", (m) => console.error("page:", m.text()));
        await page.goto(`${base}/bench/page.html`);
        await page.waitForFunction(() => window.benchReady);
        // A new page keeps the renderer busy for a moment after it loads (its scripts
        // compiled, the bundled DuckDB module among them): every contender starts once
        // that is over, so that none is timed against the page's own start-up.
        await page.waitForTimeout(SETTLE_MS);
        try {
          const before = cpuBusyMs();
          runs.push(await page.evaluate(([fn, url, format]) => window.bench[fn](url, format), [fn, url, format]));
          runs.at(-1).cpuMs = cpuBusyMs() - before;
        } catch (e) {
          runs.push({ error: String(e.message).split("\n")[0].slice(0, 100) });
        }
        await page.close();
        if (runs.at(-1).error) break;
      }
      const r = runs.at(-1).error ? runs.at(-1) : median(runs);
      rows.push({ n, format, mb, name, ...r });
      console.error(r.error ? `${n} ${format} ${name}: ${r.error}` : `${n} ${format} ${name}: ${(r.ms / 1000).toFixed(2)} s (median, runs ${r.spread}), ${cpuOf(r)} CPU, ${r.rows} rows, NPS ${r.nps.toFixed(3)}, ${memoryOf(r)}`);
    }
  }
}
await browser.close();
server.close();
// The native figure, in the same run: the same Rust built for speed, one thread, the file read from disk.
const native = "target/analytics/examples/summarize";
for (const n of sizes) {
  for (const format of FORMATS) {
    if (!wanted("native")) continue;
    const file = `.bench/responses-${n}.${format}`;
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const out = JSON.parse(execFileSync(native, [file, "--by", "metadata.touchpoint", "--period", "week"], { maxBuffer: 1 << 26 }));
      runs.push({ ms: performance.now() - start, nps: out.overall.nps.score, rows: n });
    }
    const r = median(runs);
    r.native = true;
    rows.push({ n, format, mb: statSync(file).size / 1e6, name: "native Rust (same code, one thread, from disk)", ...r });
    console.error(`${n} ${format} native: ${(r.ms / 1000).toFixed(2)} s (median, runs ${r.spread}), NPS ${r.nps.toFixed(3)}`);
  }
}
console.log("\n| rows | format | file MB | engine | seconds | CPU, all processes | rows/s | MB/s | NPS | memory at the end |\n|---:|---|---:|---|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  if (r.error) { console.log(`| ${r.n.toLocaleString("en")} | ${r.format} | ${r.mb.toFixed(0)} | ${r.name} | failed: ${r.error} | | | | | |`); continue; }
  const perSecond = r.rows ? Math.round(r.rows / (r.ms / 1000)).toLocaleString("en") : "–";
  console.log(`| ${r.n.toLocaleString("en")} | ${r.format} | ${r.mb.toFixed(0)} | ${r.name} | ${(r.ms / 1000).toFixed(2)} | ${cpuOf(r)} | ${perSecond} | ${(r.mb / (r.ms / 1000)).toFixed(1)} | ${r.nps.toFixed(3)} | ${r.native ? "native process" : memoryOf(r)} |`);
}
