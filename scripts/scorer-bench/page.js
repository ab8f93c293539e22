// The three contenders, each computing the same summary (NPS, CSAT %, CES mean per
// kind; by touchpoint; by ISO week) from the same file fetched over HTTP.
import init, { Scorer } from "/dist/sondeo-analytics.js";
import * as duckdb from "/data/duckdb-browser.bundle.mjs";

function isoWeek(dateText) {
  const d = new Date(dateText.slice(0, 10) + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((d - yearStart) / 86400000 / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function plainAggregate() {
  const groups = new Map();
  const add = (key, kind, score) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { nps: [0, 0, 0], csat: [0, 0, 0], ces: [0, 0] }));
    if (kind === "nps") { g.nps[0]++; if (score >= 9) g.nps[1]++; else if (score <= 6) g.nps[2]++; }
    else if (kind === "csat") { g.csat[0]++; if (score >= 4) g.csat[1]++; g.csat[2] += score; }
    else if (kind === "ces") { g.ces[0]++; g.ces[1] += score; }
  };
  return {
    row(kind, score, touchpoint, when) {
      if (!["nps", "csat", "ces"].includes(kind) || !Number.isInteger(score)) return;
      add("all", kind, score);
      add(`tp:${touchpoint}`, kind, score);
      if (when) add(`wk:${isoWeek(when)}`, kind, score);
    },
    groups,
  };
}

export async function runSondeo(url, format) {
  const exports = await init();
  const start = performance.now();
  const scorer = new Scorer();
  const response = await fetch(url);
  const report = await scorer.import(response.body, { format });
  const summary = scorer.summary({ by: "metadata.touchpoint", period: "week" });
  const ms = performance.now() - start;
  return { ms, rows: report.accepted, wasmBytes: exports.memory.buffer.byteLength, nps: summary.overall.nps.score };
}

// The same Scorer in one worker per core (the dashboard's way): the file is read as it
// arrives, cut at row boundaries into parts, each part scored by the least busy worker,
// the workers' states merged. The pool is started (workers spawned, wasm loaded) before
// the clock, as DuckDB's worker and wasm are instantiated before its clock.
export async function runSondeoWorkers(url, format, workers = navigator.hardwareConcurrency || 2) {
  const exports = await init();
  const { scoreInWorkers, scoringPool } = await import("/www/parallel-score.js");
  const pool = scoringPool({ workerUrl: "/www/score-worker.js", workers });
  await pool.ready;
  const start = performance.now();
  const response = await fetch(url);
  const size = Number(response.headers.get("content-length")) || undefined;
  const { state, report } = await scoreInWorkers(response.body, { pool, size }).done;
  const scorer = Scorer.fromState(state);
  const summary = scorer.summary({ by: "metadata.touchpoint", period: "week" });
  const ms = performance.now() - start;
  pool.terminate();
  return { ms, rows: report.accepted, workerMemory: report.workerMemory, nps: summary.overall.nps.score, workers };
}

export async function runPapa(url, format) {
  const start = performance.now();
  const agg = plainAggregate();
  let rows = 0;
  if (format === "csv") {
    await new Promise((resolve, reject) => Papa.parse(url, {
      download: true, header: true, skipEmptyLines: true,
      chunk: (results) => { for (const r of results.data) { rows++; agg.row(r.kind, Number(r.score), r["metadata.touchpoint"], r.submittedAt || r.createdAt); } },
      complete: resolve, error: reject,
    }));
  } else {
    const reader = (await fetch(url)).body.pipeThrough(new TextDecoderStream()).getReader();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const lines = (rest + value).split("\n");
      rest = lines.pop();
      for (const line of lines) {
        if (!line) continue;
        const r = JSON.parse(line);
        rows++;
        agg.row(r.kind, r.score, r.metadata?.touchpoint, r.submittedAt || r.createdAt);
      }
    }
  }
  const all = agg.groups.get("all");
  const ms = performance.now() - start;
  return { ms, rows, jsHeap: performance.memory?.usedJSHeapSize, nps: (100 * (all.nps[1] - all.nps[2])) / all.nps[0] };
}

export async function runDuck(url, format) {
  const bundle = { mainModule: "/duckdb/duckdb-eh.wasm", mainWorker: "/duckdb/duckdb-browser-eh.worker.js" };
  const worker = new Worker(bundle.mainWorker);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule);
  const start = performance.now();
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const name = `data.${format}`;
  const inputBytes = bytes.length; // registerFileBuffer transfers (detaches) the buffer
  await db.registerFileBuffer(name, bytes);
  const conn = await db.connect();
  const source = format === "csv"
    ? `(SELECT kind, score, "metadata.touchpoint" AS touchpoint, COALESCE(submittedAt, createdAt) AS ts FROM read_csv_auto('${name}', header = true))`
    : `(SELECT kind, score, metadata.touchpoint AS touchpoint, COALESCE(submittedAt, createdAt) AS ts FROM read_json_auto('${name}', format = 'newline_delimited'))`;
  await conn.query(`CREATE TABLE t AS SELECT * FROM ${source}`);
  const measures = `kind, count(*) AS n, sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END) AS p, sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END) AS d, sum(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS sat, avg(score) AS mean`;
  const overall = await conn.query(`SELECT ${measures} FROM t GROUP BY kind`);
  await conn.query(`SELECT touchpoint, ${measures} FROM t GROUP BY touchpoint, kind`);
  await conn.query(`SELECT strftime(CAST(ts AS TIMESTAMP), '%G-W%V') AS week, ${measures} FROM t GROUP BY week, kind`);
  const ms = performance.now() - start;
  const nps = overall.toArray().map((r) => r.toJSON()).find((r) => r.kind === "nps");
  const rows = Number((await conn.query("SELECT count(*) AS n FROM t")).toArray()[0].toJSON().n);
  await conn.close();
  await db.terminate();
  return { ms, rows, nps: (100 * (Number(nps.p) - Number(nps.d))) / Number(nps.n), inputBytes };
}

// The floor under every contender: reading the file over HTTP and doing nothing with it.
export async function runFetchOnly(url) {
  const start = performance.now();
  const reader = (await fetch(url)).body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return { ms: performance.now() - start, rows: 0, nps: 0, inputBytes: bytes };
}

// The same pipeline with a single worker: what the workers add over one.
export const runSondeoOneWorker = (url, format) => runSondeoWorkers(url, format, 1);

window.bench = { runFetchOnly, runSondeo, runSondeoOneWorker, runSondeoWorkers, runPapa, runDuck };
window.benchReady = true;
