// Compiled (never run) by tests/e2e/types.spec.mjs under `strict`: a scoring page written against
// dist/sondeo-analytics.d.ts. Each `@ts-expect-error` is a mistake the types must catch.
import init, { Scorer } from "../../dist/sondeo-analytics.js";
import type { NpsFigures, Summary } from "../../dist/sondeo-analytics.js";

export async function score(file: File): Promise<string> {
  await init();
  const scorer = new Scorer();
  const report = await scorer.import(file, { byId: true, onProgress: (p) => console.log(p.bytes) });
  if (report.rejected.count > 0) console.log(report.rejected.first[0].line, report.rejected.first[0].field);
  const summary: Summary = scorer.summary({ by: "metadata.agent", period: "week", compare: { a: "2026-W46", b: "2026-W47" } });
  const nps = summary.overall.nps;
  const enps = summary.segments?.ops?.enps;
  const shown = enps && "suppressed" in enps ? "hidden" : enps?.score.toFixed(0);
  const change = summary.compare?.changes.nps?.significant ? "a real change" : "noise";
  for (const driver of summary.drivers) console.log(driver.reason, driver.scoreNotCiting ?? "—");
  const comments = scorer.responses({ group: "detractor", withComment: true, limit: 20 }).map((r) => r.comment ?? "");
  const again = Scorer.fromState(scorer.state());
  again.merge(scorer);
  const rate = scorer.rates({ by: "metadata.agent" }).rows[0]?.responseRate?.value;
  const flagged = scorer.inflation({ kind: "nps" }).filter((row) => row.flagged).map((row) => row.segment);
  const outcome = scorer.outcomes().kinds.nps?.difference.retained?.significant;
  // @ts-expect-error: a period is day, week or month
  scorer.summary({ period: "quarter" });
  // @ts-expect-error: not a kind
  scorer.responses({ kind: "nsp" });
  // @ts-expect-error: figures may be absent (a kind with no answers): checked before use
  console.log(summary.overall.csat.score);
  const figures: NpsFigures | undefined = nps;
  return [figures?.margin95, shown, change, comments.length, rate, flagged.length, outcome].join(" ");
}
