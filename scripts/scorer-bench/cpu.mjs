// The Scorer's own CPU time, without the network: the 1M-row export read into memory,
// imported by the analytics wasm in Node (the same V8 as Chromium), the fastest of N runs.
// For comparing builds while tuning (the browser bench's fetch adds 10–20% noise here).
// Usage: node scripts/scorer-bench/cpu.mjs [csv|ndjson] [runs]
import { readFileSync } from "node:fs";
import { initSync, Scorer } from "../../dist/sondeo-analytics.js";

initSync({ module: readFileSync("dist/sondeo-analytics_bg.wasm") });
const format = process.argv[2] ?? "csv";
const bytes = readFileSync(`.bench/responses-1000000.${format}`);
const chunks = [];
for (let at = 0; at < bytes.length; at += 1 << 20) chunks.push(new Uint8Array(bytes.buffer, bytes.byteOffset + at, Math.min(1 << 20, bytes.length - at)));
let best = Infinity;
for (let run = 0; run < Number(process.argv[3] ?? 5); run++) {
  const scorer = new Scorer();
  const start = performance.now();
  const report = await scorer.import(chunks, { format });
  scorer.summary({ by: "metadata.touchpoint", period: "week" });
  best = Math.min(best, performance.now() - start);
  if (report.accepted !== 1_000_000) throw new Error(`accepted ${report.accepted}`);
  scorer.free();
}
console.log(`${format}: ${(best / 1000).toFixed(3)} s, the fastest of the runs`);
