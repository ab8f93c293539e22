// The widget benchmark (not a test): sondeo against SurveyJS, side by side in one headless
// Chromium run, showing the same NPS prompt. Per contender: the bytes a page downloads for
// it (GNU gzip -9, as served here), the time from navigation to the first prompt that can
// be answered (a fresh cache each load), and the time of one more mount on a warm page (the
// design's budget: under one frame, 16 ms). Each under two profiles: this machine as it is,
// and a phone as Lighthouse emulates one (150 ms round trips, 1.6 Mbit/s, CPU 4× slower).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { execFileSync } from "node:child_process";
import { chromium } from "@playwright/test";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MOUNTS = Number(process.env.BENCH_MOUNTS ?? 40);
const root = process.cwd();
const folders = { "/bench/": "scripts/widget-bench", "/dist/": "dist", "/surveyjs/core/": "node_modules/survey-core", "/surveyjs/ui/": "node_modules/survey-js-ui" };
const contenders = [
  {
    name: "sondeo (Rust/wasm)",
    files: ["dist/sondeo.js", "dist/sondeo_bg.wasm"],
    // As the README's embed: the module in the page's head (the bench's own script beside it).
    head: `<script type="module" src="/dist/sondeo.js"></script>
<script type="module" src="/bench/sondeo.js"></script>`,
  },
  {
    name: "sondeo, its wasm preloaded (the README's tip)",
    files: ["dist/sondeo.js", "dist/sondeo_bg.wasm"],
    // Without the hint the wasm is requested only once sondeo.js has run: one round trip later.
    head: `<link rel="preload" href="/dist/sondeo_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="/dist/sondeo.js"></script>
<script type="module" src="/bench/sondeo.js"></script>`,
  },
  {
    name: "SurveyJS 2.5 (survey-core + survey-js-ui, default theme)",
    files: ["node_modules/survey-core/survey-core.min.css", "node_modules/survey-core/survey.core.min.js", "node_modules/survey-js-ui/survey-js-ui.min.js"],
    head: `<link rel="stylesheet" href="/surveyjs/core/survey-core.min.css">
<script src="/surveyjs/core/survey.core.min.js"></script>
<script src="/surveyjs/ui/survey-js-ui.min.js"></script>
<script src="/bench/surveyjs.js"></script>`,
  },
];
const profiles = [
  { name: "this machine", network: null, cpu: 1 },
  // Lighthouse's mobile throttling (its "simulated slow 4G" and a mid-range phone's CPU).
  { name: "phone (150 ms, 1.6 Mbit/s, CPU ×4)", network: { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8) * 0.9, uploadThroughput: (750e3 / 8) * 0.9 }, cpu: 4 },
];

// Every file as a server that precompresses with GNU gzip -9 would send it.
const gzipped = new Map();
const gzip = (file) => {
  if (!gzipped.has(file)) gzipped.set(file, execFileSync("gzip", ["-9", "-n", "-c", file], { maxBuffer: 1 << 28 }));
  return gzipped.get(file);
};
const types = { ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (path === "/api/responses") {
    req.resume();
    return res.writeHead(204).end();
  }
  const page = path.match(/^\/page\/(\d+)\.html$/);
  if (page) {
    const html = readFileSync("scripts/widget-bench/page.html", "utf8").replace("<!--HEAD-->", contenders[page[1]].head);
    return res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
  }
  const folder = Object.keys(folders).find((f) => path.startsWith(f));
  if (!folder) return res.writeHead(404).end();
  const file = normalize(join(root, folders[folder], path.slice(folder.length)));
  try {
    const body = gzip(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "content-encoding": "gzip", "content-length": body.length });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const rows = [];
for (const profile of profiles) {
  for (const [index, contender] of contenders.entries()) {
    const bytes = contender.files.reduce((sum, f) => sum + gzip(f).length, 0);
    const firsts = [];
    let mounts = null;
    for (let run = 0; run < RUNS; run++) {
      // A new context each load: an empty cache, as a first visit has.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // Each file fetched once: a preload that the module's own request did not reuse is a second download.
      const fetched = [];
      page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
      const cdp = await context.newCDPSession(page);
      if (profile.network) {
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", profile.network);
      }
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
      await page.goto(`${base}/page/${index}.html`);
      await page.waitForFunction(() => window.benchReady, null, { timeout: 60_000 });
      const [first, options] = await page.evaluate(() => [window.firstPromptMs, window.firstOptions]);
      if (options !== 11) throw new Error(`${contender.name}: the first prompt shows ${options} options, not 11`);
      firsts.push(first);
      for (const file of contender.files) {
        const times = fetched.filter((p) => !p.startsWith("/bench/") && p.endsWith(`/${file.split("/").pop()}`)).length;
        if (times !== 1) throw new Error(`${contender.name}: ${file} fetched ${times} times`);
      }
      if (run === RUNS - 1) {
        mounts = await page.evaluate((n) => window.mountTimes(n), MOUNTS);
        if (mounts.options !== 11) throw new Error(`${contender.name}: a warm mount shows ${mounts.options} options, not 11`);
      }
      await context.close();
    }
    const row = { profile: profile.name, name: contender.name, bytes, first: median(firsts), firstRange: [Math.min(...firsts), Math.max(...firsts)], mount: median(mounts.times), mount95: percentile(mounts.times, 0.95) };
    rows.push(row);
    console.error(`${profile.name}, ${contender.name}: ${bytes} B gzip -9, first prompt ${row.first.toFixed(0)} ms (median of ${RUNS}, ${row.firstRange.map((x) => x.toFixed(0)).join("–")}), warm mount ${row.mount.toFixed(1)} ms (median of ${MOUNTS}; 95th percentile ${row.mount95.toFixed(1)})`);
  }
}
await browser.close();
server.close();
console.log("\n| profile | contender | bytes (gzip -9) | navigation to first prompt, ms (median; range) | warm mount to laid out, ms (median; 95th pct.) |\n|---|---|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.profile} | ${r.name} | ${r.bytes.toLocaleString("en")} | ${r.first.toFixed(0)} (${r.firstRange.map((x) => x.toFixed(0)).join("–")}) | ${r.mount.toFixed(1)} (${r.mount95.toFixed(1)}) |`);
}
