// Boundary micro-benchmark of the analytics module in Node: addMany, add, summary, state/fromState.
import { readFileSync } from "node:fs";
// Usage: node scripts/bench-boundary.mjs [dist folder]  (after scripts/build)
const dist = process.argv[2] ?? new URL("../dist", import.meta.url).pathname;
const mod = await import(`${dist}/sondeo-analytics.js`);
await mod.default({ module_or_path: readFileSync(`${dist}/sondeo-analytics_bg.wasm`) });
const { Scorer } = mod;
const responses = Array.from({ length: 100000 }, (_, i) => ({ id: `r${i}`, kind: ["nps", "csat", "ces"][i % 3], score: [i % 11, 1 + (i % 5), 1 + (i % 7)][i % 3],
  complete: true, comment: i % 4 ? "fast and friendly agent" : "slow refund", reasons: i % 2 ? ["price"] : ["speed", "staff"],
  metadata: { agent: `a${i % 1500}`, touchpoint: ["web", "phone", "chat"][i % 3] }, submittedAt: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z` }));
const time = (label, f, reps = 1) => { const t = performance.now(); let r; for (let k = 0; k < reps; k++) r = f(); console.log(`${label}: ${((performance.now() - t) / reps).toFixed(1)} ms`); return r; };
for (let round = 0; round < 2; round++) {
  const s = new Scorer();
  time("addMany 100k", () => s.addMany(responses));
  const one = new Scorer();
  time("add x 20k (one call each)", () => { for (let i = 0; i < 20000; i++) one.add(responses[i]); });
  time("summary by agent (1,500 segments), week", () => s.summary({ by: "metadata.agent", period: "week" }), 5);
  const st = time("state()", () => s.state(), 5);
  time("fromState()", () => Scorer.fromState(st), 5);
}
