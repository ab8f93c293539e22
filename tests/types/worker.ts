// Compiled (never run) by tests/e2e/types.spec.mjs with the web worker's library and no DOM: the
// Scorer's types must not need the page's (the dashboard scores big files in workers).
import init, { Scorer } from "../../dist/sondeo-analytics.js";
import type { Summary } from "../../dist/sondeo-analytics.js";

export async function scoreInWorker(part: Uint8Array): Promise<Summary> {
  await init();
  const scorer = new Scorer();
  await scorer.import(part, { format: "ndjson", byId: true });
  return scorer.summary({ period: "week" });
}
