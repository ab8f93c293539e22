// The Scorer (dist/sondeo-analytics.js) in Chromium: the same figures as native core
// on the same files, and figures checked by formula, independently of the code.
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startServer } from "./support/server.mjs";

let server;
test.beforeAll(async () => { server = await startServer(); });
test.afterAll(async () => { await server.close(); });

function native(file, ...args) {
  return JSON.parse(execFileSync("target/analytics/examples/summarize", [file, ...args], { encoding: "utf8" }));
}

async function scoreInBrowser(page, file, options) {
  const bytes = [...readFileSync(file)];
  return page.evaluate(async ({ bytes, options }) => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const scorer = new Scorer();
    const progress = [];
    // A stream of small chunks, as a large File would arrive.
    const data = new Uint8Array(bytes);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < data.length; i += 7) controller.enqueue(data.slice(i, i + 7));
        controller.close();
      },
    });
    const report = await scorer.import(stream, { onProgress: (p) => progress.push(p.bytes) });
    return { report, summary: scorer.summary(options), progress: progress.at(-1) };
  }, { bytes, options });
}

for (const [file, by, period] of [
  ["tests/fixtures/export.ndjson", "metadata.touchpoint", "week"],
  ["tests/fixtures/export.csv", "metadata.agent", "day"],
  ["tests/fixtures/plain.csv", "metadata.touchpoint", "month"],
  ["tests/fixtures/mac-excel.csv", "metadata.touchpoint", "day"],
]) {
  test(`the browser scores ${file} exactly as native core does`, async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
    const { summary, progress } = await scoreInBrowser(page, file, { by, period });
    expect(summary).toEqual(native(file, "--by", by, "--period", period));
    expect(progress).toBe(readFileSync(file).length);
  });
}

test("a stream of text instead of bytes is refused in words, and the Scorer keeps working", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const { error, accepted } = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const scorer = new Scorer();
    const text = new ReadableStream({ start(c) { c.enqueue("kind,score\nnps,9\n"); c.close(); } });
    const error = await scorer.import(text, { format: "csv" }).then(() => "no error", (e) => String(e.message ?? e));
    const bytes = new TextEncoder().encode("kind,score\nnps,9\nnps,3\n");
    const report = await scorer.import(bytes, { format: "csv" });
    return { error, accepted: report.accepted };
  });
  expect(error).toMatch(/^source: expected a stream of Uint8Array chunks/);
  expect(accepted).toBe(2);
});

test("listing the responses says why it cannot, and refuses a segment no answer can have, by name", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const got = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const scorer = new Scorer();
    const error = (f) => { try { f(); return "no error"; } catch (e) { return String(e.message ?? e); } };
    scorer.add({ id: "a1", kind: "nps", score: 9, metadata: { agent: "ana" } });
    const unkeyed = [error(() => scorer.responses({})), error(() => scorer.responsesCsv({}))];
    scorer.upsert({ id: "b1", kind: "nps", score: 3, comment: "slow", metadata: { agent: "bo" } });
    return {
      unkeyed,
      listed: scorer.responses({}).map((r) => r.id),
      byAgent: scorer.responses({ by: "metadata.agent", value: "bo" }).map((r) => r.id),
      badBy: error(() => scorer.responses({ by: "page", value: "/x" })),
      badCsvBy: error(() => scorer.responsesCsv({ by: "metadata.", value: "x" })),
      valueAlone: error(() => scorer.responses({ value: "bo" })),
    };
  });
  for (const message of got.unkeyed) expect(message).toContain("counted by id");
  expect(got.listed).toEqual(["b1"]);
  expect(got.byAgent).toEqual(["b1"]);
  expect(got.badBy).toMatch(/^by: expected kind, surveyId, locale or metadata\.<key>, got "page"/);
  expect(got.badCsvBy).toMatch(/^by: expected/);
  expect(got.valueAlone).toMatch(/^value: expected with by/);
});

test("a misspelt option or a value of another type is refused by name, never read as absent; the eNPS floor cannot be switched off", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const got = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const error = (f) => { try { f(); return "no error"; } catch (e) { return String(e.message ?? e); } };
    const rejected = (p) => p.then(() => "no error", (e) => String(e.message ?? e));
    const scorer = new Scorer();
    // A team of three answers an eNPS pulse: under the floor of 5, nobody's score is listed.
    for (const [i, score] of [0, 4, 8].entries()) scorer.upsert({ id: `e${i}`, kind: "enps", score, comment: `c${i}`, metadata: { team: "ops" } });
    const text = new Blob(['{"id":"d1","kind":"nps","score":9}\n']);
    return {
      byid: await rejected(new Scorer().import(text, { byid: true })),
      byIdText: await rejected(new Scorer().import(text, { byId: "false" })),
      format: await rejected(new Scorer().import(text, { format: 5 })),
      dateObject: error(() => scorer.summary({ from: new Date("2026-11-25") })),
      byArray: error(() => scorer.summary({ by: ["metadata.agent"] })),
      groupInSummary: error(() => scorer.summary({ group: "detractor" })),
      limitText: error(() => scorer.responses({ limit: "5" })),
      limitFraction: error(() => scorer.responses({ limit: 2.5 })),
      withCommentText: error(() => scorer.responses({ withComment: "false" })),
      reversed: error(() => scorer.responses({ from: "2026-11-28", to: "2026-11-20" })),
      compareTypo: error(() => scorer.summary({ compare: { a: "x", bb: "y" } })),
      notAnObject: error(() => scorer.summary("week")),
      floors: [NaN, 0, -1, "10", 2.5].map((minTeamSize) => error(() => scorer.responses({ minTeamSize }))),
      listedUnderFloor: scorer.responses({}).length,
      undefinedIsAbsent: scorer.responses({ limit: undefined, minTeamSize: undefined }).length,
      hole: error(() => new Scorer().addMany([{ kind: "nps", score: 9 }, , null])),
      holeAddedNothing: (() => { const s = new Scorer(); error(() => s.addMany([{ kind: "nps", score: 9 }, undefined])); return s.summary({}).overall.nps?.n ?? 0; })(),
      notArray: error(() => new Scorer().addMany("x")),
    };
  });
  expect(got.byid).toBe("byid: not an option of import; expected format, onProgress, skipPartials, byId");
  expect(got.byIdText).toBe('byId: expected true or false, got "false"');
  expect(got.format).toBe('format: expected "ndjson" or "csv", got 5');
  expect(got.dateObject).toMatch(/^from: expected a date such as "2026-11-01" or an RFC 3339 time, got a Date/);
  expect(got.byArray).toMatch(/^by: expected a segment field such as "metadata.agent", got an array/);
  expect(got.groupInSummary).toMatch(/^group: not an option of summary; expected by, value, kind, survey, from, to, period, compare, minTeamSize/);
  expect(got.limitText).toBe('limit: expected a whole number from 0 to 10000, got "5"');
  expect(got.limitFraction).toBe("limit: expected a whole number from 0 to 10000, got 2.5");
  expect(got.withCommentText).toBe('withComment: expected true or false, got "false"');
  expect(got.reversed).toBe("to: expected a date on or after from (2026-11-28), got 2026-11-20");
  expect(got.compareTypo).toMatch(/^compare\.bb: not an option of compare; expected a, b, from, to/);
  expect(got.notAnObject).toMatch(/^summary: expected an options object/);
  expect(got.floors).toEqual(["NaN", "0", "-1", '"10"', "2.5"].map((v) => `minTeamSize: expected a whole number from 1 to 1000000, got ${v}`));
  expect(got.listedUnderFloor).toBe(0);
  expect(got.undefinedIsAbsent).toBe(0);
  expect(got.hole).toBe("responses[1]: expected a response object such as { kind: \"nps\", score: 9 }, got undefined");
  expect(got.holeAddedNothing).toBe(0);
  expect(got.notArray).toBe('responses: expected an array of responses, got "x"');
});

test("figures match the formulas on the NDJSON fixture", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const { report, summary } = await scoreInBrowser(page, "tests/fixtures/export.ndjson", { by: "metadata.touchpoint" });
  // Accepted by hand: nps 10, nps 3, csat 4, ces "7", nps 8; rejected lines 5 (score 11), 6 (kind), 7 (not JSON), 9 (6.5).
  expect(report.accepted).toBe(5);
  expect(report.rejected.count).toBe(4);
  expect(report.rejected.first.map((e) => [e.line, e.field])).toEqual([[5, "score"], [6, "kind"], [7, "json"], [9, "score"]]);
  const nps = summary.overall.nps;
  // One promoter (10), one passive (8), one detractor (3): NPS 0. Adjusted Wald: ¾ promoter and ¾
  // detractor added, n + 3 = 6: p′ = d′ = 1.75/6, NPS′ = 0, margin 1.96·100·√((3.5/6 − 0)/6).
  expect(nps.n).toBe(3);
  expect(nps.score).toBeCloseTo(0, 6);
  const margin = 1.96 * 100 * Math.sqrt((3.5 / 6) / 6);
  expect(nps.margin95).toBeCloseTo(margin, 1);
  expect(nps.low95).toBeCloseTo(-margin, 1);
  expect(nps.high95).toBeCloseTo(margin, 1);
  expect(nps.smallSample).toBe(true);
  expect(summary.overall.csat).toMatchObject({ n: 1, score: 100, mean: 4 });
  expect(summary.overall.ces).toMatchObject({ n: 1, score: 7, agree: 100 });
  expect(summary.segments.returns.nps).toMatchObject({ n: 1, score: -100 });
  expect(summary.segments.support.nps.n).toBe(2);
});

test("responses counted by id: shards merged and a state restored count each id once, in its current version, and still list", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const result = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    // r1: a detractor's 0, corrected to 10 five minutes later; r2: a partial 3, then its final 9;
    // r3 answered once. Each version lands in another shard (a weekly re-export overlaps).
    const v = (id, score, minute, complete = true) => ({ id, kind: "nps", score, complete, surveyId: "s", updatedAt: `2026-11-20T10:${String(minute).padStart(2, "0")}:00Z`, submittedAt: "2026-11-20T10:00:00Z" });
    const older = [v("r1", 0, 0), v("r2", 3, 0, false), v("r3", 6, 0)];
    const newer = [v("r1", 10, 5), v("r2", 9, 5)];
    const shard = (rows) => { const s = new Scorer(); for (const r of rows) s.upsert(r); return s; };
    const figures = (s) => ({ nps: s.summary({}).overall.nps, counted: s.counted(), listed: s.responses({}).map((r) => `${r.id}:${r.score}`).sort() });
    const oldFirst = shard(older); oldFirst.merge(shard(newer));
    const newFirst = shard(newer); newFirst.merge(shard(older));
    const restored = Scorer.fromState(JSON.parse(JSON.stringify(shard(older).state())));
    const before = figures(restored);
    for (const r of newer) restored.upsert(r);
    let itself = null;
    try { oldFirst.merge(oldFirst); } catch (e) { itself = String(e.message ?? e); }
    return { oldFirst: figures(oldFirst), newFirst: figures(newFirst), before, restored: figures(restored), itself, june: restored.summary({ from: "2026-11-20", to: "2026-11-20" }).overall.nps.n };
  });
  // By hand: r1 10 and r2 9 are promoters, r3 6 a detractor: n 3, NPS (2 − 1) / 3 = 33.33.
  for (const merged of [result.oldFirst, result.newFirst, result.restored]) {
    expect(merged.nps.n).toBe(3);
    expect(merged.nps.promoters).toBeCloseTo(200 / 3, 5);
    expect(merged.nps.detractors).toBeCloseTo(100 / 3, 5);
    expect(merged.nps.score).toBeCloseTo(100 / 3, 5);
    expect(merged.counted).toEqual({ responses: 3, partial: 0 });
    expect(merged.listed).toEqual(["r1:10", "r2:9", "r3:6"]);
  }
  // The restored state, before the newer versions: r1 0, r2's partial 3, r3 6, and they list.
  expect(result.before.nps).toMatchObject({ n: 3, detractors: 100 });
  expect(result.before.counted).toEqual({ responses: 3, partial: 1 });
  expect(result.itself).toContain("merge: expected another Scorer");
  // Filters need every response counted by id: a restored scorer has them.
  expect(result.june).toBe(3);
});

test("state round-trips and merging two scorers equals one", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const result = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const responses = Array.from({ length: 40 }, (_, i) => ({ kind: "nps", score: i % 11, metadata: { agent: i % 2 ? "ana" : "bo" }, submittedAt: `2026-11-${String(10 + (i % 10)).padStart(2, "0")}T10:00:00Z` }));
    const all = new Scorer();
    all.addMany(responses);
    const a = new Scorer();
    const b = new Scorer();
    a.addMany(responses.slice(0, 17));
    b.addMany(responses.slice(17));
    a.merge(b);
    const again = Scorer.fromState(JSON.parse(JSON.stringify(all.state())));
    const bad = all.add({ kind: "nps", score: 11 });
    let refused = null;
    try { Scorer.fromState({ ...JSON.parse(JSON.stringify(all.state())), version: 99 }); } catch (e) { refused = String(e.message ?? e); }
    return { merged: a.summary({ by: "metadata.agent", period: "week" }), all: again.summary({ by: "metadata.agent", period: "week" }), bad, rejected: all.summary({}).rejected, refused, version: all.state().version };
  });
  expect(result.version).toBe(5);
  expect(result.refused).toContain("state.version: expected 5, got 99");
  expect(result.merged).toEqual(result.all);
  // 40 answers, scores 0..10 cycling: promoters are scores 9, 10.
  const promoters = [...Array(40).keys()].filter((i) => i % 11 >= 9).length;
  const detractors = [...Array(40).keys()].filter((i) => i % 11 <= 6).length;
  expect(result.all.overall.nps.score).toBeCloseTo(100 * (promoters - detractors) / 40, 6);
  expect(result.bad).toBe(false);
  expect(result.rejected.count).toBe(1);
  expect(result.rejected.first[0].field).toBe("score");
});

test("a significant change between two weeks is flagged", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const compare = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const s = new Scorer();
    // Week 46: 200 answers, NPS 0 (half 10, half 0). Week 47: 200 answers, NPS +60 (80% 10, 20% 0).
    for (let i = 0; i < 200; i++) s.add({ kind: "nps", score: i % 2 ? 10 : 0, submittedAt: "2026-11-10T10:00:00Z" });
    for (let i = 0; i < 200; i++) s.add({ kind: "nps", score: i % 5 ? 10 : 0, submittedAt: "2026-11-17T10:00:00Z" });
    return s.summary({ period: "week", compare: { a: "2026-W46", b: "2026-W47" } }).compare;
  });
  expect(compare.changes.nps.difference).toBeCloseTo(60, 6);
  // Adjusted Wald on each week (¾ promoter, ¾ detractor, n + 3 = 203): week 46 NPS′ 0, week 47
  // NPS′ 120/203; p′ + d′ = 201.5/203 in both; the variances (p′ + d′ − NPS′²)/203 add.
  const variance = (net) => (201.5 / 203 - (net / 203) ** 2) / 203;
  const half = 1.96 * 100 * Math.sqrt(variance(0) + variance(120));
  expect(compare.changes.nps.low95).toBeCloseTo(100 * 120 / 203 - half, 1);
  expect(compare.changes.nps.high95).toBeCloseTo(100 * 120 / 203 + half, 1);
  expect(compare.changes.nps.significant).toBe(true);
});

test("outcomes join the answers by user id: each group's rates and revenue, and promoters minus detractors", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html`);
  const result = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const scorer = new Scorer();
    const answers = [["a", 10], ["b", 9], ["c", 10], ["d", 8], ["e", 3], ["f", 0], ["g", 6], ["h", 9]];
    const ndjson = answers.map(([user, score], i) => JSON.stringify({ id: `r${i}`, kind: "nps", score, user: { id: user }, submittedAt: "2026-11-01T10:00:00Z" })).join("\n");
    await scorer.import(new Blob([ndjson]), { byId: true });
    const outcomes = "accountId,retained,revenue\na,true,120\nb,true,80\nc,false,100\nh,yes,100\nd,true,50\ne,false,10\nf,false,0\ng,true,30\nnobody,true,5\nbroken,perhaps,1\n";
    const report = await scorer.importOutcomes(new File([outcomes], "outcomes.csv"), {});
    // Scored in two halves (as by two workers), their states merged: the same join.
    const halves = [answers.slice(0, 4), answers.slice(4)].map((part, k) => {
      const half = new Scorer();
      return half.import(new Blob([part.map(([user, score], i) => JSON.stringify({ id: `r${k}${i}`, kind: "nps", score, user: { id: user } })).join("\n")]), {}).then(() => half.state());
    });
    const [a, b] = await Promise.all(halves);
    const merged = Scorer.fromState(a);
    merged.merge(Scorer.fromState(b));
    await merged.importOutcomes(new File([outcomes], "outcomes.csv"), {});
    return { report, outcomes: scorer.outcomes(), merged: merged.outcomes() };
  });
  expect(result.merged.respondents).toBe(8);
  expect(result.merged.kinds.nps.groups).toEqual(result.outcomes.kinds.nps.groups);
  expect(result.report.accepted).toBe(9);
  expect(result.report.rejected.count).toBe(1);
  const o = result.outcomes;
  expect([o.respondents, o.matched, o.unmatchedOutcomes, o.respondentsWithoutOutcome]).toEqual([8, 8, 1, 0]);
  const groups = o.kinds.nps.groups;
  // Promoters a, b, c, h: 3 of 4 retained; revenue 120, 80, 100, 100: mean 100.
  expect(groups.promoter.retained.value).toBe(75);
  expect(groups.promoter.revenue.value).toBe(100);
  // Detractors e, f, g: 1 of 3 retained; revenue 10, 0, 30.
  expect(groups.detractor.retained.value).toBeCloseTo(100 / 3, 6);
  expect(groups.detractor.revenue.value).toBeCloseTo(40 / 3, 6);
  // The Wilson interval, computed here from its formula.
  const z = 1.959963984540054, n = 4, p = 0.75;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  expect(groups.promoter.retained.low95).toBeCloseTo(100 * (centre - half), 5);
  expect(o.kinds.nps.difference.retained.difference).toBeCloseTo(75 - 100 / 3, 6);
  expect(o.kinds.nps.difference.best).toBe("promoter");
  expect(groups.passive.n).toBe(1);
});

test("a part is cut after its last row, by the CSV reader's quote rule, at every length of the text", async ({ page }) => {
  // Quoted newlines, doubled quotes, a quoted cell that opens a row, an empty quoted cell, CRLF, a quote
  // inside a cell (plain text: 5'10"), rows that end with a lone CR (a quote after one opens a cell),
  // a quoted CR.
  const csv = 'id,kind,score,comment\nr1,nps,9,"one\ntwo"\r\nr2,nps,3,"say ""hi""\n"\n"r3",csat,4,""\n' +
    "r4,ces,5,he is 5'10\" tall\nr5,nps,8,\"line one\nline two\"\n\"r\n6\",nps,1,\"a,b\n\nc\"\nr7,nps,2,\r\"x\ny\"\n" +
    'r8,nps,7,"a\rb"\rr9,nps,6,ok\r\r\nr10,nps,5,x\r';
  await page.goto(`${server.url}/test/mount.html#{}`);
  const { whole, split } = await page.evaluate(async (csv) => {
    const { default: init } = await import("/dist/sondeo-analytics.js");
    await init();
    const { lastRowEnd } = await import("/parallel-score.js");
    const bytes = new TextEncoder().encode(csv);
    const prefixes = Array.from({ length: bytes.length + 1 }, (_, n) => bytes.subarray(0, n));
    // The same prefixes as chunks of 1 to 5 bytes: quotes and newlines fall on every side of a chunk edge.
    const chunked = (prefix) => {
      const out = [];
      for (let at = 0, k = 0; at < prefix.length; k++) {
        const size = 1 + ((k * 7 + prefix.length) % 5);
        out.push(prefix.subarray(at, at + size));
        at += size;
      }
      return out;
    };
    return { whole: prefixes.map((p) => lastRowEnd(p, true)), split: prefixes.map((p) => lastRowEnd(chunked(p), true)) };
  }, csv);
  expect(split).toEqual(whole);
  // The reference: the CSV reader's rule written out byte by byte (crates/core/src/import/csv.rs):
  // a quote opens a quoted cell only when the cell is still empty, `""` inside one is a quote, any
  // other byte after a quote closes it; a row ends after LF, CRLF or a lone CR (a CR that is the last
  // byte so far may yet be followed by its LF: no row end known there).
  const expected = [];
  for (let n = 0; n <= csv.length; n++) {
    let inside = false;
    let empty = true;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const c = csv[i];
      if (inside) {
        if (c !== '"') continue;
        if (i + 1 >= n) break; // the byte after it is not here yet: the cell may go on
        if (csv[i + 1] === '"') { i++; continue; }
        inside = false;
        empty = false;
        continue;
      }
      if (c === '"' && empty) inside = true;
      else if (c === "\n") { last = i + 1; empty = true; }
      else if (c === "\r") {
        if (i + 1 >= n) break;
        if (csv[i + 1] === "\n") i++;
        last = i + 1;
        empty = true;
      }
      else if (c === ",") empty = true;
      else empty = false;
    }
    expected.push(last);
  }
  expect(whole).toEqual(expected);
  expect(new Set(whole).size).toBeGreaterThan(8);
});

test("cancelling a job ends it at once, whether the workers have loaded or not", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const outcome = await page.evaluate(async () => {
    const { scoreInWorkers } = await import("/parallel-score.js");
    const rows = "kind,score\n" + "nps,9\n".repeat(1_000_000); // 6 MB: cut into parts
    const settle = (job) => Promise.race([job.done.then(() => "resolved", (e) => e.message), new Promise((r) => setTimeout(() => r("still pending"), 5000))]);
    const early = scoreInWorkers(new Blob([rows]), { workerUrl: "/score-worker.js", workers: 2 });
    early.cancel();
    // A stream that sends one chunk and then waits: cancelled while reading.
    let controller;
    const stream = new ReadableStream({ start(c) { controller = c; c.enqueue(new TextEncoder().encode("kind,score\nnps,9\n")); } });
    const waiting = scoreInWorkers(stream, { workerUrl: "/score-worker.js", workers: 2 });
    await new Promise((r) => setTimeout(r, 500));
    waiting.cancel();
    return [await settle(early), await settle(waiting)];
  });
  expect(outcome).toEqual(["cancelled", "cancelled"]);
});

/** A summary's figures, its rejected list aside: a state carries figures, each import's report its rejections. */
const figures = ({ rejected, ...rest }) => rest;

/**
 * Scores `csv` in the page in one pass and in three workers: both summaries (`options`),
 * both import reports, and the file's size.
 */
async function scoreBothWays(page, csv, options) {
  await page.goto(`${server.url}/test/mount.html#{}`);
  return page.evaluate(async ([csv, options]) => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const { scoreInWorkers } = await import("/parallel-score.js");
    const file = new Blob([csv]);
    const one = new Scorer();
    const report = await one.import(file, {});
    const parallel = await scoreInWorkers(file, { workerUrl: "/score-worker.js", workers: 3 }).done;
    return { one: one.summary(options), many: Scorer.fromState(parallel.state).summary(options), report, parallelReport: parallel.report, size: file.size };
  }, [csv, options]);
}

/**
 * Scores `csv` in two workers from a stream of odd-sized chunks (up to `maxChunk` bytes), as a
 * download arrives, its size unknown: the summary (`options`) and the import report. With
 * `pause: { at, until }`, the stream stops giving bytes once it has given `at` of them until
 * the reported progress reaches `until` (or 5 s have passed): `reached` says which.
 */
async function scoreStreamedInWorkers(page, csv, options, maxChunk, pause) {
  return page.evaluate(async ([csv, options, maxChunk, pause]) => {
    const { Scorer } = await import("/dist/sondeo-analytics.js");
    const { scoreInWorkers } = await import("/parallel-score.js");
    const bytes = new TextEncoder().encode(csv);
    let at = 0;
    let progressed = () => {};
    let reached;
    const onProgress = (scored) => { if (pause && scored >= pause.until) progressed(); };
    const stream = new ReadableStream({
      async pull(controller) {
        if (pause && reached === undefined && at >= pause.at) {
          reached = await new Promise((resolve) => { progressed = () => resolve(true); setTimeout(() => resolve(false), 5_000); });
        }
        if (at >= bytes.length) return controller.close();
        const size = 1 + ((at * 7919) % maxChunk);
        controller.enqueue(bytes.slice(at, at + size));
        at += size;
      },
    });
    const { state, report } = await scoreInWorkers(stream, { workerUrl: "/score-worker.js", workers: 2, onProgress }).done;
    return { summary: Scorer.fromState(state).summary(options), report, reached };
  }, [csv, options, maxChunk, pause]);
}

test("a file scored by several workers, cut at row boundaries, gives exactly the figures of one pass", async ({ page }) => {
  // ~6 MB of CSV with quoted commas, quotes and newlines in the comments (a cut must not
  // fall inside one), and three bad rows at known lines.
  const header = "id,kind,score,comment,submittedAt,metadata.touchpoint\n";
  const rows = [];
  const bad = new Set([1_000, 20_000, 39_999]);
  let line = 1; // the header
  const badLines = [];
  // One comment longer than a part (~0.7 MB, 150 quoted newlines): no cut can fall in it.
  const LONG = 20_500;
  for (let i = 0; i < 40_000; i++) {
    const comment = i === LONG ? `"${`long ""quoted"" ${"z".repeat(4_700)}\n`.repeat(150)}end"`
      : i % 3 === 0 ? `"Slow, ""very"" slow\nsecond line ${i}"` : `fine ${"x".repeat(100)}`;
    const score = bad.has(i) ? "eleven" : String(i % 11);
    line += 1;
    if (bad.has(i)) badLines.push(line);
    rows.push(`r${i},nps,${score},${comment},2026-11-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z,tp${i % 5}`);
    if (i === LONG) line += 150;
    else if (i % 3 === 0) line += 1; // the comment's newline
  }
  const csv = header + rows.join("\n") + "\n";
  const options = { by: "metadata.touchpoint", period: "week" };
  const both = await scoreBothWays(page, csv, options);
  const fromStream = await scoreStreamedInWorkers(page, csv, options, 50_000);
  const result = { streamed: fromStream.summary, streamedReport: fromStream.report };
  Object.assign(result, both);
  expect(result.size).toBeGreaterThan(4 << 20);
  expect(result.parallelReport.workers).toBe(3);
  // Same figures (the rejected list aside, which each scorer keeps for its own import).
  const one = figures(result.one);
  expect(figures(result.many)).toEqual(one);
  expect(result.parallelReport.accepted).toBe(result.report.accepted);
  expect(result.parallelReport.accepted).toBe(40_000 - bad.size);
  expect(result.report.rejected.first.map((e) => e.line)).toEqual(badLines);
  expect(result.parallelReport.rejected.first.map((e) => e.line)).toEqual(badLines);
  expect(figures(result.streamed)).toEqual(one);
  expect(result.streamedReport.workers).toBe(2);
  // A worker's memory is a few parts, not the file: well under 64 MB whatever the size.
  expect(result.streamedReport.workerMemory).toBeGreaterThan(0);
  expect(result.streamedReport.workerMemory).toBeLessThan(64 << 20);
  expect(result.streamedReport.accepted).toBe(40_000 - bad.size);
  expect(result.streamedReport.rejected.first.map((e) => e.line)).toEqual(badLines);
});

test("a quote opened by mistake in a large file is one refused row, not held in the page: the same report in one pass and in workers", async ({ page }) => {
  // Rows, then a quote that opens by mistake and closes 15,000 rows later (one record over
  // 1 MiB: refused as too long), rows, then a quote that never closes (the rest of the file:
  // refused as unclosed). Bad scores at known lines.
  const row = (i) => `r${i},nps,${i % 7_000 === 3 ? "x" : i % 11},fine ${"y".repeat(90)},tp${i % 4}`;
  const lines = ["id,kind,score,comment,metadata.touchpoint"];
  const expected = [];
  const rows = (from, count) => {
    for (let i = from; i < from + count; i++) {
      if (i % 7_000 === 3) expected.push({ line: lines.length + 1, error: "got \"x\"" });
      lines.push(row(i));
    }
  };
  rows(0, 20_000);
  expected.push({ line: lines.length + 1, error: "longer than 1 MiB" });
  lines.push(`s1,nps,9,"opened by mistake`);
  const outside = expected.length;
  rows(100_000, 15_000); // inside the quote: not rows, their bad scores not read
  expected.length = outside;
  lines.push(`closed here",tp0`);
  rows(20_000, 20_000);
  const tail = lines.length;
  expected.push({ line: lines.length + 1, error: "never closed" });
  lines.push(`s2,nps,9,"never closed`);
  const unread = expected.length;
  rows(200_000, 30_000); // inside the quote too
  expected.length = unread;
  const csv = lines.join("\n") + "\n";
  const tailStart = new TextEncoder().encode(lines.slice(0, tail).join("\n") + "\n").length;
  const badRead = expected.filter((e) => e.error.startsWith("got")).length;

  const result = await scoreBothWays(page, csv, { by: "metadata.touchpoint" });
  // The stream waits, 2.5 MB into the unclosed quote, for progress to pass 2 MB into it: it
  // does only if those bytes went by as they arrived, not held until the file's end.
  const pause = { at: tailStart + (5 << 19), until: tailStart + (2 << 20) };
  result.streamed = await scoreStreamedInWorkers(page, csv, { by: "metadata.touchpoint" }, 60_000, pause);
  expect(result.streamed.reached).toBe(true);
  expect(result.size).toBeGreaterThan(8 << 20);
  const one = figures(result.one);
  expect(figures(result.many)).toEqual(one);
  expect(figures(result.streamed.summary)).toEqual(one);
  for (const report of [result.report, result.parallelReport, result.streamed.report]) {
    expect(report.accepted).toBe(40_000 - badRead);
    expect(report.rejected.count).toBe(expected.length);
    expect(report.rejected.first.map((e) => e.line)).toEqual(expected.map((e) => e.line));
    report.rejected.first.forEach((e, k) => expect(e.error).toContain(expected[k].error));
  }

  // NDJSON: a line of 3 MB (a whole JSON array where one response per line was expected) between good lines.
  const ndjson = await page.evaluate(async () => {
    const { Scorer } = await import("/dist/sondeo-analytics.js");
    const { scoreInWorkers } = await import("/parallel-score.js");
    const good = (i) => JSON.stringify({ id: `n${i}`, kind: "nps", score: i % 11, comment: "z".repeat(80) });
    const head = Array.from({ length: 30_000 }, (_, i) => good(i));
    const array = `[${Array.from({ length: 20_000 }, (_, i) => good(i)).join(",")}]`;
    const tail = Array.from({ length: 30_000 }, (_, i) => good(50_000 + i));
    const file = new Blob([[...head, array, ...tail].join("\n") + "\n"]);
    const one = await new Scorer().import(file, {});
    const many = await scoreInWorkers(file, { workerUrl: "/score-worker.js", workers: 2 }).done;
    return { one, many: many.report, arrayLength: array.length };
  });
  expect(ndjson.arrayLength).toBeGreaterThan(2 << 20);
  for (const report of [ndjson.one, ndjson.many]) {
    expect(report.accepted).toBe(60_000);
    expect(report.rejected.first).toEqual([expect.objectContaining({ line: 30_001, field: "json" })]);
    expect(report.rejected.first[0].error).toContain("longer than 1 MiB");
  }

  // CSV: a row of 3 MB on one line, with no quote in it: said to be long, not blamed on a quote.
  const long = await page.evaluate(async () => {
    const { Scorer } = await import("/dist/sondeo-analytics.js");
    const { scoreInWorkers } = await import("/parallel-score.js");
    const good = (i) => `r${i},nps,${i % 11},${"z".repeat(80)}`;
    const rows = (from) => Array.from({ length: 30_000 }, (_, i) => good(from + i));
    const file = new Blob([["id,kind,score,comment", ...rows(0), `x,nps,9,${"w".repeat(3 << 20)}`, ...rows(50_000)].join("\n") + "\n"]);
    const one = await new Scorer().import(file, {});
    const many = await scoreInWorkers(file, { workerUrl: "/score-worker.js", workers: 2 }).done;
    return { one, many: many.report };
  });
  for (const report of [long.one, long.many]) {
    expect(report.accepted).toBe(60_000);
    expect(report.rejected.first).toEqual([expect.objectContaining({ line: 30_002, field: "csv" })]);
    expect(report.rejected.first[0].error).toContain("a row longer than 1 MiB: a response's row is a few hundred bytes");
  }
});

test("a byte-order mark before a quoted header cell that holds a line end: cut as one pass reads it", async ({ page }) => {
  // The readers skip the mark, so the quote after it opens the first cell; taken for text, it
  // would turn every later quote inside out and the cuts would fall inside comments.
  const rows = [];
  // Quotes are rare (a file where they are not would set a wrong reading right at the next one).
  for (let i = 0; i < 50_000; i++) {
    const comment = i % 20_000 === 19_999 ? `"slow, ""very""\nline ${i}"` : `fine ${"x".repeat(80)}`;
    rows.push(`r${i},nps,${i % 11},${comment},tp${i % 3}`);
  }
  const csv = `\ufeff"id\n",kind,score,comment,metadata.touchpoint\n${rows.join("\n")}\n`;
  const result = await scoreBothWays(page, csv, { by: "metadata.touchpoint" });
  expect(result.size).toBeGreaterThan(4 << 20);
  const one = figures(result.one);
  expect(figures(result.many)).toEqual(one);
  expect(one.overall.nps.n).toBe(50_000);
  expect(result.parallelReport.accepted).toBe(50_000);
  expect(result.parallelReport.rejected.count).toBe(0);
});

test("Excel's Unicode Text (UTF-16, tab-separated) scores in workers as in one pass, as its UTF-8 text does", async ({ page }) => {
  await page.goto(`${server.url}/test/mount.html#{}`);
  const result = await page.evaluate(async () => {
    const { default: init, Scorer } = await import("/dist/sondeo-analytics.js");
    await init();
    const { scoreInWorkers } = await import("/parallel-score.js");
    const lines = ["kind\tscore\tcomment\tmetadata.agent"];
    for (let i = 0; i < 100_000; i++) lines.push(`nps\t${i % 11}\t${i % 4 ? "Genial 👍 atención" : "\"lento,\r\nmuy\""}\t${["ana", "bo"][i % 2]}`);
    lines.push("nps\televen\tbad\tbo");
    const text = `${lines.join("\r\n")}\r\n`;
    // Little-endian code units after the mark, as Excel writes them.
    const marked = `\ufeff${text}`;
    const units = new Uint16Array(marked.length);
    for (let i = 0; i < marked.length; i++) units[i] = marked.charCodeAt(i);
    const utf16 = new Blob([new Uint8Array(units.buffer)]);
    const summary = async (source) => {
      const scorer = new Scorer();
      const report = await scorer.import(source, {});
      return { summary: scorer.summary({ by: "metadata.agent" }), report };
    };
    const workers = await scoreInWorkers(utf16, { workerUrl: "/score-worker.js", workers: 3 }).done;
    return {
      utf8: await summary(new Blob([text])),
      utf16: await summary(utf16),
      workers: { summary: Scorer.fromState(workers.state).summary({ by: "metadata.agent" }), report: workers.report },
      size: utf16.size,
    };
  });
  expect(result.size).toBeGreaterThan(4 << 20);
  // Every fourth comment holds a line end: one more line each.
  expect(result.utf8.report.accepted).toBe(100_000);
  expect(result.utf8.report.rejected.first.map((e) => e.line)).toEqual([2 + 100_000 + 100_000 / 4]);
  for (const other of [result.utf16, result.workers]) {
    expect(figures(other.summary)).toEqual(figures(result.utf8.summary));
    expect(other.report.accepted).toBe(result.utf8.report.accepted);
    expect(other.report.rejected).toEqual(result.utf8.report.rejected);
  }
  expect(result.workers.report.workers).toBe(0);
});

test("a file of one long line (a JSON array where an export was expected) is read in one pass as it arrives, as one pass reads it", async ({ page }) => {
  // No row end anywhere: nothing to cut at, and nothing may be held until the end.
  const array = `[${Array.from({ length: 300_000 }, (_, i) => JSON.stringify({ id: `a${i}`, kind: "nps", score: i % 11 })).join(",")}]`;
  const result = await scoreBothWays(page, array, {});
  const pause = { at: 10 << 20, until: 9 << 20 };
  result.streamed = await scoreStreamedInWorkers(page, array, {}, 60_000, pause);
  expect(result.size).toBeGreaterThan(10.5 * (1 << 20));
  expect(result.streamed.reached).toBe(true);
  // One pass refuses the one line (longer than 1 MiB), on line 1.
  expect(result.report.rejected.first[0]).toMatchObject({ line: 1, error: expect.stringContaining("longer than 1 MiB") });
  for (const report of [result.parallelReport, result.streamed.report]) {
    expect(report.accepted).toBe(result.report.accepted);
    expect(report.rejected).toEqual(result.report.rejected);
    expect(report.workers).toBe(0);
  }
});

test("a sheet with old Mac line ends (a lone CR), CRLF split at chunk edges and a row over 1 MiB reads alike in one pass and in workers", async ({ page }) => {
  // Rows end with a lone CR, and every seventh with CRLF; some comments are quoted and hold a CR
  // or an LF (one more line each). Bad scores at known lines, and one comment of 1.1 MB that no
  // reader keeps: its row is refused, the rows after it read.
  const rows = ["id,kind,score,comment,metadata.touchpoint\r"];
  let line = 1;
  const badLines = [];
  const n = 50_000;
  const huge = 31_000;
  for (let i = 0; i < n; i++) {
    line += 1;
    const bad = i % 12_000 === 5;
    if (bad || i === huge) badLines.push(line);
    const comment = i === huge ? `"${"z".repeat(1_100_000)}"` : i % 4 === 0 ? `"slow\r${i % 8 === 0 ? "\n" : ""}again"` : `fine ${"w".repeat(60)}`;
    if (i % 4 === 0 && i !== huge) line += 1; // the quoted line end (CR or CRLF: one line)
    rows.push(`r${i},nps,${bad ? "x" : i % 11},${comment},tp${i % 3}${i % 7 === 0 ? "\r\n" : "\r"}`);
  }
  const csv = rows.join("");
  const result = await scoreBothWays(page, csv, { by: "metadata.touchpoint" });
  // Chunks of odd sizes: a CR and its LF fall on either side of an edge somewhere.
  result.streamed = await scoreStreamedInWorkers(page, csv, { by: "metadata.touchpoint" }, 40_000);
  expect(result.size).toBeGreaterThan(4 << 20);
  const one = figures(result.one);
  expect(figures(result.many)).toEqual(one);
  expect(figures(result.streamed.summary)).toEqual(one);
  expect(one.overall.nps.n).toBe(n - badLines.length);
  for (const report of [result.report, result.parallelReport, result.streamed.report]) {
    expect(report.accepted).toBe(n - badLines.length);
    expect(report.rejected.first.map((e) => e.line)).toEqual(badLines);
    expect(report.rejected.first.find((e) => e.line === badLines[3]).error).toContain("longer than 1 MiB");
  }
});

for (const [name, mark] of [["semicolons (Excel in much of Europe)", ";"], ["tabs", "\t"]]) {
  test(`a large sheet separated by ${name}, with the empty rows a spreadsheet writes, reads in workers as in one pass`, async ({ page }) => {
    // Quoted cells hold the other marks, line ends and the separator itself; bad rows at known lines.
    const rows = [`kind${mark}score${mark}comment${mark}touchpoint`];
    const badLines = [];
    let line = 1;
    const n = 80_000;
    for (let i = 0; i < n; i++) {
      line += 1;
      const bad = i % 20_000 === 3;
      if (bad) badLines.push(line);
      const comment = i % 5 === 0 ? `"slow${mark} very, slow\nagain"` : `fine, ${"v".repeat(50)}`;
      if (i % 5 === 0) line += 1;
      rows.push([i % 3 ? "nps" : "csat", bad ? "x" : String(i % 3 ? i % 11 : 1 + (i % 5)), comment, `tp${i % 4}`].join(mark));
      if (i % 9_000 === 0) { rows.push(mark.repeat(3)); line += 1; }
    }
    const csv = rows.join("\r\n") + "\r\n";
    const result = await scoreBothWays(page, csv, { by: "metadata.touchpoint" });
    expect(result.size).toBeGreaterThan(4 << 20);
    const one = figures(result.one);
    expect(figures(result.many)).toEqual(one);
    expect(one.overall.nps.n + one.overall.csat.n).toBe(n - badLines.length);
    expect(Object.keys(one.segments).sort()).toEqual(["tp0", "tp1", "tp2", "tp3"]);
    for (const report of [result.report, result.parallelReport]) {
      expect(report.accepted).toBe(n - badLines.length);
      expect(report.rejected.first.map((e) => e.line)).toEqual(badLines);
    }
  });
}

test("a large file that is no export (a sheet separated by bars) says so once, in one pass and in workers", async ({ page }) => {
  const rows = 600_000;
  const csv = `\u00a0\nkind|score|comment\n${"nps|9|fine\n".repeat(rows)}`;
  const result = await scoreBothWays(page, csv, {});
  expect(result.size).toBeGreaterThan(4 << 20);
  expect(result.parallelReport.workers).toBe(3);
  for (const report of [result.report, result.parallelReport]) {
    expect(report.accepted).toBe(0);
    expect(report.rejected.count).toBe(rows + 1);
    expect(report.rejected.first[0]).toMatchObject({ line: 2, field: "header" });
    // Why, once; each row after it names the header, not its own cells.
    expect(report.rejected.first.filter((e) => e.error.startsWith("no kind column"))).toHaveLength(1);
    expect(new Set(report.rejected.first.slice(1).map((e) => `${e.field}: ${e.error}`))).toEqual(new Set(["header: not read: the header row has no kind column"]));
  }
});

test("blank lines before a CSV header, a first chunk with no text yet, and a quote never closed read alike in one pass and in workers", async ({ page }) => {
  // A BOM, then blank lines (which the Scorer skips) before the header: no part may take a
  // blank line for its header. Bad rows at known lines; the last row opens a quote nothing closes.
  // Lines that look blank to the Scorer without being ASCII space: a no-break space, an empty
  // quoted cell, an ideographic space.
  const lead = "\ufeff  \r\n\n\t\n\u00a0\n\"\"\r\u3000\r\n";
  const leadLines = 6;
  const rows = [];
  const badLines = [];
  let line = leadLines + 1; // the header
  for (let i = 0; i < 45_000; i++) {
    line += 1;
    const bad = i % 15_000 === 7;
    if (bad) badLines.push(line);
    rows.push(`r${i},nps,${bad ? "x" : i % 11},fine ${"y".repeat(90)},tp${i % 4}`);
  }
  badLines.push(line + 1); // the unclosed quote's row
  const csv = `${lead}id,kind,score,comment,metadata.touchpoint\n${rows.join("\n")}\nlast,nps,9,"never closed\nr-gone,nps,0,swallowed\n`;
  const result = await scoreBothWays(page, csv, { by: "metadata.touchpoint" });
  result.ndjson = await page.evaluate(async () => {
    const { Scorer } = await import("/dist/sondeo-analytics.js");
    // NDJSON whose first chunk is a lone newline: the format waits for the first text.
    const lines = ["\n", '{"id":"a","kind":"nps","score":10}\n', '{"id":"b","kind":"nps","score":0}\n'];
    const streamOf = (parts) => new ReadableStream({ pull(c) { if (!parts.length) return c.close(); c.enqueue(new TextEncoder().encode(parts.shift())); } });
    const scorer = new Scorer();
    const answers = await scorer.import(streamOf(lines), {});
    // An outcomes file read the same way.
    const outcomes = await scorer.importOutcomes(streamOf(["\n", '{"userId":"u1","retained":true}\n']), {});
    return { ...answers, outcomes };
  });
  expect(result.size).toBeGreaterThan(4 << 20);
  const one = figures(result.one);
  expect(figures(result.many)).toEqual(one);
  expect(one.overall.nps.n).toBe(45_000 - 3);
  for (const report of [result.report, result.parallelReport]) {
    expect(report.accepted).toBe(45_000 - 3);
    expect(report.rejected.first.map((e) => e.line)).toEqual(badLines);
    expect(report.rejected.first.at(-1).error).toContain("never closed");
  }
  expect(result.parallelReport.workers).toBe(3);
  expect(result.ndjson).toMatchObject({ accepted: 2, rejected: { count: 0 } });
  expect(result.ndjson.outcomes).toMatchObject({ accepted: 1, rejected: { count: 0 } });
});
