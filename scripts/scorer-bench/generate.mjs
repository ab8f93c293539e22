// Deterministic exports for the scorer benchmark: N responses as NDJSON (the
// collector's format) and CSV, with comments, reasons and metadata.
import { createWriteStream, existsSync, mkdirSync } from "node:fs";

const [count, dir = ".bench"] = [Number(process.argv[2] ?? 100000), process.argv[3]];
mkdirSync(dir, { recursive: true });
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const pick = (list) => list[Math.floor(random() * list.length)];
const kinds = ["nps", "nps", "csat", "ces"];
const touchpoints = ["support", "returns", "checkout", "onboarding", "billing"];
const agents = ["ana", "bo", "chen", "dita", "emre", "farah"];
const comments = ["The refund took weeks", "Friendly agent, quick answer", "Hard to find the return form", "Great product, a bit pricey",
  "El reembolso tardó mucho", "Atención rápida y amable", "", "", "Checkout kept failing on mobile", "Solved my problem in minutes"];
const reasons = ["price", "support", "speed", "quality"];
const csvEscape = (s) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

async function write(path, header, line) {
  if (existsSync(path)) return;
  const out = createWriteStream(path);
  if (header) out.write(header);
  seed = 42;
  for (let i = 0; i < count; i++) {
    if (!out.write(line(i))) await new Promise((ok) => out.once("drain", ok));
  }
  await new Promise((ok) => out.end(ok));
}

function response(i) {
  const kind = pick(kinds);
  const score = kind === "nps" ? Math.floor(random() * 11) : kind === "csat" ? 1 + Math.floor(random() * 5) : 1 + Math.floor(random() * 7);
  const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 330) * 86400000).toISOString().slice(0, 10);
  return { id: `r${i}`, surveyId: "bench", kind, score, comment: pick(comments), reasons: random() < 0.5 ? [pick(reasons)] : [],
    complete: true, locale: random() < 0.7 ? "en" : "es", metadata: { touchpoint: pick(touchpoints), agent: pick(agents) },
    createdAt: `${day}T10:00:00Z`, submittedAt: `${day}T10:01:00Z` };
}

await write(`${dir}/responses-${count}.ndjson`, null, (i) => `${JSON.stringify(response(i))}\n`);
await write(`${dir}/responses-${count}.csv`, "id,surveyId,kind,score,comment,reasons,complete,locale,createdAt,submittedAt,metadata.agent,metadata.touchpoint\n", (i) => {
  const r = response(i);
  return [r.id, r.surveyId, r.kind, r.score, csvEscape(r.comment), r.reasons.join("|"), "true", r.locale, r.createdAt, r.submittedAt, r.metadata.agent, r.metadata.touchpoint].join(",") + "\n";
});
console.error(`generated ${count} responses in ${dir}`);
