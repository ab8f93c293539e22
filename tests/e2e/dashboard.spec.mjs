// The live dashboard against the real collector, under the collector's strict CSP.
import { test, expect } from "@playwright/test";
import { startCollector } from "./support/collector.mjs";

test("the dashboard counts every answer once, as its latest version, live", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // 4 promoters, 1 passive, 2 detractors submitted; one more detractor (score 1) only clicked
    // in a ticket email (a partial): it counts. NPS by hand = (4 − 3)/8.
    const answers = [10, 9, 9, 10, 7, 2, 0];
    let i = 0;
    for (const score of answers) {
      await collector.post({ id: `d${i++}`, kind: "nps", score, complete: true, reasons: score < 7 ? ["price"] : [], comment: score < 7 ? "Refund took too long" : "Friendly agent",
        metadata: { touchpoint: score < 7 ? "returns" : "support" }, submittedAt: "2026-11-20T10:00:00Z" });
    }
    await collector.post({ id: "partial", kind: "nps", score: 1, complete: false });
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective));
    });
    await page.goto(`${collector.url}/dashboard.html`);
    const nps = page.locator(".card .big").first();
    const shown = (promoters, detractors, n) => {
      const score = (100 * (promoters - detractors)) / n;
      return `${score > 0 ? "+" : ""}${score.toFixed(1)}`;
    };
    await expect(page.locator("#status")).toContainText("8 responses (1 not yet submitted)");
    await expect(nps).toHaveText(shown(4, 3, 8));
    await expect(page.locator("#segments")).toContainText("returns");
    // The partial has no touchpoint: it is "(no touchpoint)", so the segments add up to the whole (8).
    const segmentRows = page.locator("#segments tr");
    await expect(segmentRows.filter({ hasText: "(no touchpoint)" })).toContainText("n=1,");
    // 8 answers: too few for an interval, and the page says so instead of printing one.
    await expect(page.locator(".card").first()).toContainText("n=8, too few for an interval");
    await expect(page.locator("#drivers")).toContainText("price");
    await expect(page.locator("#themes")).toContainText("refund");
    // The comments: newest first, found by text and by group, always shown as text.
    await expect(page.locator("#comments li")).toHaveCount(7);
    await page.locator("#comment-text").fill("FRIENDLY");
    await expect(page.locator("#comments li")).toHaveCount(answers.filter((a) => a >= 7).length);
    await page.locator("#comment-text").fill("");
    await page.locator("#comment-group").selectOption("detractor");
    await expect(page.locator("#comments li")).toHaveCount(answers.filter((a) => a <= 6).length);
    await expect(page.locator("#comments")).toContainText("Refund took too long");
    await page.locator("#comment-group").selectOption("");
    // A new promoter arrives while the page is open: (5 − 3)/9.
    await collector.post({ id: "live-1", kind: "nps", score: 10, complete: true, submittedAt: "2026-11-21T10:00:00Z" });
    await expect(nps).toHaveText(shown(5, 3, 9));
    // The same response re-sent (a retry) is not counted again.
    await collector.post({ id: "live-1", kind: "nps", score: 10, complete: true, submittedAt: "2026-11-21T10:00:00Z" });
    await page.waitForTimeout(300);
    await expect(page.locator("#status")).toContainText("9 responses (1 not yet submitted)");
    // The email click is submitted as a 9: replaced, not added: (6 − 2)/9.
    await collector.post({ id: "partial", kind: "nps", score: 9, complete: true, comment: "Sorted <img src=x onerror=alert(1)> in the end" });
    await expect(nps).toHaveText(shown(6, 2, 9));
    await expect(page.locator("#status")).toContainText("9 responses (0 not yet submitted)");
    await expect(page.locator("#comments")).toContainText("Sorted <img src=x onerror=alert(1)> in the end");
    await expect(page.locator("#comments img")).toHaveCount(0);
    // "Submitted only" leaves a new partial out; unticked, it counts: (6 − 3)/10.
    await page.locator("#submitted-only").check();
    await expect(page.locator("#status")).toContainText("9 submitted responses");
    await collector.post({ id: "p2", kind: "nps", score: 0, complete: false });
    await page.waitForTimeout(300);
    await expect(nps).toHaveText(shown(6, 2, 9));
    await page.locator("#submitted-only").uncheck();
    await expect(page.locator("#status")).toContainText("10 responses (1 not yet submitted)");
    await expect(nps).toHaveText(shown(6, 3, 10));
    // The view is in the address: a reload (or a shared link) restores it.
    await page.locator("#by").selectOption("metadata.agent");
    await page.locator("#comment-text").fill("refund");
    expect(new URL(page.url()).searchParams.get("by")).toBe("metadata.agent");
    // (Polled: the page's replaceState reaches the browser a moment later, and a reload
    // issued before then loads the address without it.)
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("refund");
    await page.reload();
    // The page's script restores the view once its wasm has loaded (the browser may restore
    // a select by itself before then): wait for the figures, as a reader would.
    await expect(page.locator("#status")).toContainText("10 responses", { timeout: 15_000 });
    await expect(page.locator("#by")).toHaveValue("metadata.agent");
    await expect(page.locator("#comment-text")).toHaveValue("refund");
    await expect(page.locator("#submitted-only")).not.toBeChecked();
    await expect(page.locator("#comments li")).toHaveCount(answers.filter((a) => a <= 6).length);
    expect(await page.evaluate(() => window.violations)).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test("a field with more values than the Scorer keeps says its segments are partial", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 responses");
    // 2,001 distinct touchpoints: one more than a field keeps (MAX_SEGMENT_VALUES).
    const rows = Array.from({ length: 2001 }, (_, i) => `nps,9,P${i}`).join("\n");
    await page.locator("#file").setInputFiles({ name: "points.csv", mimeType: "text/csv", buffer: Buffer.from(`kind,score,touchpoint\n${rows}\n`) });
    await expect(page.locator("#status")).toContainText("points.csv: 2001 rows scored");
    await page.locator("#by").selectOption("metadata.touchpoint");
    await expect(page.locator("#segments")).toContainText("metadata.touchpoint has more than 2000 values; only the first are shown");
    await expect(page.locator("#segments tr:has(td)")).toHaveCount(2000);
  } finally {
    await collector.stop();
  }
});

test("a local export is scored in the browser with no server involved", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 responses");
    await page.locator("#file").setInputFiles("tests/fixtures/plain.csv");
    await expect(page.locator("#status")).toContainText("plain.csv: 4 rows scored, 1 rejected");
    await expect(page.locator("#rejected")).toContainText("seven");
    // The CSAT row has no date (its cell is empty): in the totals, not in the trend, and said so.
    await expect(page.locator("#trend")).toContainText("1 answer has no date that reads");
    // Its rows are not kept: no comments to list, no CSV to download, and each says why.
    await expect(page.locator("#comments")).toContainText("A scored file keeps its figures, not its rows");
    await page.locator("#download").click();
    await expect(page.locator("#status")).toContainText("Download CSV is for the collector's responses");
  } finally {
    await collector.stop();
  }
});

test("an export Excel saved as Windows-1252 keeps its accented agents apart, and the dashboard says how it was read", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 responses");
    // Inés: two promoters (NPS +100); Inès: one detractor (NPS −100). Read lossily they were one agent.
    await page.locator("#file").setInputFiles("tests/fixtures/windows-1252.csv");
    await expect(page.locator("#status")).toContainText("windows-1252.csv: 3 rows scored, 0 rejected");
    await expect(page.locator("#status")).toContainText("3 rows were not UTF-8 and were read as Windows-1252");
    await page.locator("#by").selectOption("metadata.agent");
    const rows = page.locator("#segments tr:has(td)");
    await expect(rows).toHaveCount(2);
    await expect(page.locator("#segments tr", { hasText: "Inés" })).toContainText(/^Inés\s*\+100\.0/);
    await expect(page.locator("#segments tr", { hasText: "Inès" })).toContainText(/^Inès\s*-100\.0/);
  } finally {
    await collector.stop();
  }
});

test("text from a scored file is shown without the invisible characters that would reorder it", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 responses");
    // "\u202Eevil" would show as "live"; a zero-width space would split a word unseen.
    const csv = "kind,score,touchpoint\nnps,9,\u202Eevil\nnps,3,sh\u200Bop\n";
    await page.locator("#file").setInputFiles({ name: "bidi.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect(page.locator("#status")).toContainText("bidi.csv: 2 rows scored");
    const text = await page.locator("#segments").textContent();
    expect(text).toContain("evil");
    expect(text).toContain("shop");
    expect(text).not.toMatch(/[\u202A-\u202E\u200B]/);
  } finally {
    await collector.stop();
  }
});

test("a large file is scored in a worker: the page answers meanwhile, and Cancel stops it", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 responses");
    // ~400 MB of NDJSON, built in the page from one shared 4 MB part (a Blob of Blobs copies nothing):
    // many seconds of scoring, so the job is surely still running when Cancel is pressed.
    await page.evaluate(() => {
      const lines = [];
      for (let i = 0; i < 12_000; i++) lines.push(JSON.stringify({ id: `r${i}`, kind: "nps", score: i % 11, comment: "x".repeat(300), metadata: { agent: `a${i % 7}` } }));
      const part = new Blob([lines.join("\n") + "\n"]);
      const transfer = new DataTransfer();
      transfer.items.add(new File(Array(100).fill(part), "big.ndjson", { type: "application/x-ndjson" }));
      const input = document.getElementById("file");
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await expect(page.locator("#cancel")).toBeVisible();
    // The main thread is free: a task scheduled now runs at once, not after the import (which takes many seconds;
    // the bound leaves room for a loaded 2-core CI machine, where the worker and the other test compete for the cores).
    const delay = await page.evaluate(() => new Promise((resolve) => { const t = performance.now(); setTimeout(() => resolve(performance.now() - t), 0); }));
    expect(delay).toBeLessThan(1_000);
    await page.locator("#cancel").click();
    await expect(page.locator("#status")).toContainText("Scoring cancelled");
    await expect(page.locator("#progress")).toBeHidden();
    // A small file afterwards is scored in full.
    await page.locator("#file").setInputFiles("tests/fixtures/plain.csv");
    await expect(page.locator("#status")).toContainText("plain.csv: 4 rows scored, 1 rejected");
  } finally {
    await collector.stop();
  }
});

test("with a read token, the dashboard takes it from the link or asks for it, and keeps it for the tab only", async ({ page }) => {
  const token = "dash-token-0123456789abcdef";
  const collector = await startCollector({ www: "www", csp: true, token });
  try {
    await collector.post({ id: "t1", kind: "nps", score: 10, complete: true });
    // No token: the page asks for one; a wrong one is refused; the right one shows the answers.
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#token-form")).toBeVisible();
    await page.locator("#token").fill("wrong-token-wrong-token");
    await page.locator("#token-form button").click();
    await expect(page.locator("#token-message")).toContainText("refused");
    // Nothing is read yet: no "No answers yet" over a collector that holds one.
    await expect(page.locator("main")).toBeHidden();
    await expect(page.locator("body")).not.toContainText("No answers yet", { useInnerText: true });
    await page.locator("#token").fill(token);
    await page.locator("#token-form button").click();
    await expect(page.locator("#status")).toContainText("1 response (0 not yet submitted)");
    await expect(page.locator("#token-form")).toBeHidden();
    await expect(page.locator("main")).toBeVisible();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    // The link the collector prints: the token leaves the address bar at once, the stream works with it.
    const fresh = await page.context().newPage();
    const requests = [];
    fresh.on("request", (request) => requests.push(request));
    await fresh.goto(`${collector.url}/dashboard.html#token=${token}`);
    await expect(fresh.locator("#status")).toContainText("1 response (0 not yet submitted)");
    expect(fresh.url()).not.toContain(token);
    await collector.post({ id: "t2", kind: "nps", score: 0, complete: true });
    await expect(fresh.locator("#status")).toContainText("2 responses (0 not yet submitted)");
    // The token rides in the Authorization header, the stream's included: no URL carries it,
    // where a proxy's or a server's log would keep it.
    const stream = requests.find((request) => new URL(request.url()).pathname === "/api/stream");
    expect(stream, "the dashboard opened the stream").toBeTruthy();
    expect(await stream.headerValue("authorization")).toBe(`Bearer ${token}`);
    expect(requests.map((request) => request.url()).filter((url) => url.includes(token))).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test("an agent of 500 characters or a reason of 100 widens no page, desktop or phone", async ({ page }) => {
  // A select is as wide as its longest option, and the grid track around it was too.
  const collector = await startCollector({ www: "www" });
  try {
    await collector.post({ id: "w1", surveyId: "s", kind: "csat", score: 2, complete: true, comment: "slow", reasons: ["R".repeat(100)], metadata: { agent: "A".repeat(500) } });
    await collector.post({ id: "w2", surveyId: "s", kind: "csat", score: 5, complete: true, comment: "fine", metadata: { agent: "bo" } });
    // Chart labels cut to their room: a wide-character agent starts inside its chart, and an
    // emoji at the cut is kept whole or left out, never halved.
    await collector.post({ id: "w3", surveyId: "s", kind: "csat", score: 1, complete: true, metadata: { agent: "サポート窓口東京本社カスタマーサクセス部門" } });
    await collector.post({ id: "w4", surveyId: "s", kind: "csat", score: 4, complete: true, metadata: { agent: `${"a".repeat(20)}${"😀".repeat(10)}` } });
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText("4 responses");
    await expect(page.locator("#segment option")).toHaveCount(5);
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 800 });
      const labels = await page.evaluate(() => [...document.querySelectorAll("svg.diverging text.axis")].map((t) => {
        const box = t.getBoundingClientRect(), chart = t.ownerSVGElement.getBoundingClientRect();
        return { text: t.textContent, inside: box.left >= chart.left - 1 };
      }));
      const wide = labels.find((l) => l.text.startsWith("サポート"));
      expect(wide, JSON.stringify(labels)).toBeTruthy();
      expect(wide.inside, `${width} px: ${wide.text}`).toBe(true);
      for (const { text } of labels) expect(text).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  } finally {
    await collector.stop();
  }
});

test("charts, filters by date, survey and kind, the filtered CSV, axe-clean and usable at 320 px", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const post = (id, surveyId, kind, score, day, agent) => collector.post({ id, surveyId, kind, score, complete: true,
      createdAt: `${day}T09:59:30.250Z`, submittedAt: `${day}T10:00:00Z`, page: `https://shop.example/help?agent=${agent},x`,
      metadata: { agent }, comment: score <= 3 ? "=HYPERLINK(\"x\") too slow" : "fine" });
    const nps = [[10, "2026-11-02", "ana"], [9, "2026-11-02", "bo"], [3, "2026-11-02", "bo"], [10, "2026-11-10", "ana"], [0, "2026-11-10", "bo"],
      [8, "2026-11-17", "ana"], [9, "2026-11-17", "ana"], [10, "2026-11-17", "bo"]];
    const csat = [[5, "2026-11-03", "ana"], [4, "2026-11-03", "bo"], [1, "2026-11-03", "bo"], [5, "2026-11-18", "ana"], [5, "2026-11-18", "bo"]];
    let i = 0;
    for (const [score, day, agent] of nps) await post(`n${i++}`, "relationship", "nps", score, day, agent);
    for (const [score, day, agent] of csat) await post(`c${i++}`, "post-ticket", "csat", score, day, agent);
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective));
    });
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText("13 responses");
    // Each kind: its groups with a legend, its trend (weekly), its agents by effect; every chart a labelled image with a table.
    await expect(page.locator("#groups figure")).toHaveCount(2);
    await expect(page.locator("#trend figure")).toHaveCount(2);
    await expect(page.locator("#segment-charts figure")).toHaveCount(2);
    for (const svg of await page.locator("figure svg").all()) {
      expect(await svg.getAttribute("role")).toBe("img");
      expect((await svg.locator("desc").textContent()).length).toBeGreaterThan(10);
    }
    await expect(page.locator("#groups figure").first()).toContainText("detractors");
    // Every form control is a target of at least 24 px (WCAG 2.5.8): not the browser's ~19 px
    // select; a checkbox 18 px, on a label row of 24 that toggles it too.
    const small = await page.locator("body").evaluate((body) => [...body.querySelectorAll("form select, form input, form button")]
      .map((c) => [c.id || c.name || c.textContent.trim(), c.getBoundingClientRect(), c.type === "checkbox" ? 18 : 24])
      .filter(([, r, least]) => r.height > 0 && (r.height < least || r.width < 18)).map(([name, r]) => `${name}: ${Math.round(r.width)}×${Math.round(r.height)}`));
    expect(small).toEqual([]);
    // Weeks with fewer than 30 answers are hollow points, and the text says so.
    await expect(page.locator("#trend figure").first()).toContainText("fewer than 30 answers");

    // NPS from 9 November: 10, 0, 8, 9, 10 → 3 promoters, 1 detractor of 5: +40.0.
    const bigs = page.locator(".card .big");
    await page.locator("#kind").selectOption("nps");
    await page.locator("#from").fill("2026-11-09");
    await page.locator("#from").dispatchEvent("change");
    await expect(bigs).toHaveCount(1);
    await expect(bigs.first()).toHaveText(`+${((100 * (3 - 1)) / 5).toFixed(1)}`);
    // The comments follow the filter: the one detractor since 9 November.
    await expect(page.locator("#comments li")).toHaveCount(nps.filter(([s, d]) => d >= "2026-11-09").length);
    // The CSV of what is shown: those 5 responses, formula cells guarded.
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
    const csv = await (await import("node:fs/promises")).readFile(await download.path(), "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0].startsWith("id,surveyId,kind,score,group,answers,comment")).toBe(true);
    expect(lines.length - 1).toBe(5);
    expect(csv).toContain("\"'=HYPERLINK");
    expect(csv).not.toContain("post-ticket");
    // Each row holds what the collector stored: its page and its three times, to the millisecond.
    const cells = (line) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map(([, c]) => (c.startsWith('"') ? c.slice(1, -1).replaceAll('""', '"') : c));
    const header = cells(lines[0]);
    const stored = new Map((await collector.export()).map((r) => [r.id, r]));
    for (const line of lines.slice(1)) {
      const row = Object.fromEntries(cells(line).map((c, i) => [header[i], c]));
      const original = stored.get(row.id);
      expect(row.page).toBe(original.page);
      for (const time of ["createdAt", "submittedAt", "receivedAt"]) {
        expect(Date.parse(row[time]), `${row.id} ${time}: ${row[time]}`).toBe(Date.parse(original[time]));
      }
    }
    // The survey filter alone: post-ticket CSAT, 4 of 5 satisfied: 80.0%.
    await page.locator("#kind").selectOption("");
    await page.locator("#from").fill("");
    await page.locator("#from").dispatchEvent("change");
    await page.locator("#survey").selectOption("post-ticket");
    await expect(bigs).toHaveCount(1);
    await expect(bigs.first()).toHaveText(`${((100 * 4) / 5).toFixed(1)}%`);
    // As under every other kind: 5 answers are too few for an interval, said instead of printed.
    await expect(page.locator(".card").first()).toContainText("n=5, too few for an interval");
    // The filters are part of the shared view.
    expect(new URL(page.url()).searchParams.get("survey")).toBe("post-ticket");
    await page.reload();
    await expect(page.locator("#survey")).toHaveValue("post-ticket");
    await expect(bigs.first()).toHaveText("80.0%");

    // axe-core finds no WCAG A/AA violation.
    await page.evaluate(await (await import("node:fs/promises")).readFile("node_modules/axe-core/axe.min.js", "utf8"));
    const found = await page.evaluate(async () => (await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] })).violations.map((v) => `${v.id}: ${v.nodes.length}`));
    expect(found).toEqual([]);
    // And in dark mode.
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate(async () => (await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] })).violations.map((v) => `${v.id}: ${v.nodes.length}`));
    expect(dark).toEqual([]);
    // At 320 px nothing is wider than the screen.
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    // A table's words and figures stay whole ("touchp/oint", "-100./0" were split): the
    // table scrolls sideways in its frame instead.
    const split = await page.evaluate(() => [...document.querySelectorAll("td, th")].filter((cell) => {
      const text = cell.textContent.trim();
      // (A hyphen inside, as in "2026-W45", is a place to break like a space.)
      if (!text || /\s|.-/.test(text) || text.length > 40) return false;
      // The lines each text takes (a header's text sits in its sort button).
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        range.selectNodeContents(text);
        if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) return true;
      }
      return false;
    }).map((cell) => cell.textContent));
    expect(split).toEqual([]);
    expect(await page.evaluate(() => window.violations)).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test("an outcomes file shows whether promoters stay: rates per group and the difference, unmatched ids counted", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // 6 promoters (5 retained) and 6 detractors (2 retained), answering as customers u0…u11.
    const scores = [10, 9, 10, 9, 10, 9, 0, 3, 5, 6, 2, 1];
    const retained = [1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    await collector.post(scores.map((score, i) => ({ id: `o${i}`, kind: "nps", score, complete: true, user: { id: `u${i}` }, submittedAt: "2026-11-10T10:00:00Z" })));
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("12 responses");
    const csv = ["userId,retained", ...retained.map((r, i) => `u${i},${r ? "true" : "false"}`), "stranger,true"].join("\n");
    await page.locator("#outcomes-file").setInputFiles({ name: "outcomes.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const outcomes = page.locator("#outcomes");
    await expect(outcomes).toContainText("12 customers matched; 1 outcome rows name nobody who answered");
    const promoters = outcomes.locator("tr", { hasText: /^promoter\d/ });
    await expect(promoters).toContainText(`${((100 * 5) / 6).toFixed(1)}%`);
    await expect(outcomes.locator("tr", { hasText: /^detractor\d/ })).toContainText(`${((100 * 2) / 6).toFixed(1)}%`);
    await expect(outcomes.locator("tr", { hasText: "promoter − detractor" })).toContainText(`+${(100 * (5 / 6 - 2 / 6)).toFixed(1)} pts`);
  } finally {
    await collector.stop();
  }
});

test("response rates: prompts shown, answered and completed per survey and agent, with intervals", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // 8 prompts shown (5 for ana, 3 for bo); ana's customers answered 4 (3 submitted), bo's 1.
    const shown = (id, agent) => ({ type: "impression", id, surveyId: "post-ticket", kind: "csat", metadata: { agent } });
    const answer = (id, agent, complete) => ({ id, surveyId: "post-ticket", kind: "csat", score: 4, complete, metadata: { agent } });
    await collector.post([...["a1", "a2", "a3", "a4", "a5"].map((id) => shown(id, "ana")), ...["b1", "b2", "b3"].map((id) => shown(id, "bo"))]);
    await collector.post([answer("a1", "ana", true), answer("a2", "ana", true), answer("a3", "ana", true), answer("a4", "ana", false), answer("b1", "bo", true)]);
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText("5 responses");
    const rows = page.locator("#rates tr");
    await expect(rows.filter({ hasText: "ana" })).toContainText(`${((100 * 4) / 5).toFixed(1)}%`);
    await expect(rows.filter({ hasText: "ana" })).toContainText(`${((100 * 3) / 5).toFixed(1)}%`);
    await expect(rows.filter({ hasText: "bo" })).toContainText(`${((100 * 1) / 3).toFixed(1)}%`);
  } finally {
    await collector.stop();
  }
});

test("the inflation check flags an agent whose tens come without a word; participation per team from an invitations file", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const posts = [];
    for (let i = 0; i < 30; i++) {
      posts.push({ id: `bo${i}`, kind: "nps", score: 10, complete: true, metadata: { agent: "bo" }, ...(i < 27 ? {} : { comment: "Bo explained the refund policy clearly" }) });
      posts.push({ id: `ana${i}`, kind: "nps", score: 9, complete: true, metadata: { agent: "ana" }, comment: i < 6 ? "ok" : "Ana found the missing parcel in a day" });
    }
    // An employee pulse: 3 answers from ops, 1 from eng.
    for (const [i, team] of ["ops", "ops", "ops", "eng"].entries()) posts.push({ id: `e${i}`, kind: "enps", score: 8, complete: true, anonymous: true, metadata: { team } });
    for (let at = 0; at < posts.length; at += 50) await collector.post(posts.slice(at, at + 50));
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText(`${posts.length} responses`);
    const bo = page.locator("#inflation tr", { hasText: /^bo/ });
    await expect(bo).toContainText(`27 (${(90).toFixed(1)}%)`);
    await expect(bo).toContainText("⚑");
    await expect(page.locator("#inflation tr", { hasText: /^ana/ })).not.toContainText("⚑");
    // It follows the view's filters, as the figures beside it do: one agent's view is that
    // agent's row, still weighed against every other agent (bo keeps the flag).
    await page.locator("#segment").selectOption("bo");
    await expect(page.locator("#inflation tr", { hasText: /^ana/ })).toHaveCount(0);
    await expect(page.locator("#inflation tr", { hasText: /^bo/ })).toContainText("(n=30)");
    await expect(page.locator("#inflation tr", { hasText: /^bo/ })).toContainText("⚑");
    await page.locator("#segment").selectOption("");
    // Employees' answers are not checked (per agent or team they would name small teams).
    await page.locator("#kind").selectOption("enps");
    await expect(page.locator("#inflation")).toContainText("Employees' eNPS answers are not checked");
    await expect(page.locator("#inflation tr")).toHaveCount(0);
    await page.locator("#kind").selectOption("");
    await page.locator("#invited-file").setInputFiles({ name: "invited.csv", mimeType: "text/csv", buffer: Buffer.from("team,invited\nops,4\neng,5\n") });
    await expect(page.locator("#participation tr", { hasText: "ops" })).toContainText(`${(75).toFixed(1)}%`);
    await expect(page.locator("#participation tr", { hasText: "eng" })).toContainText(`${(20).toFixed(1)}%`);
  } finally {
    await collector.stop();
  }
});

test("an employee pulse by team: the floor counts people across pulses, a small team's comments are not listed, participation reads one pulse's dates", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const posts = [];
    // Two execs answer three monthly pulses (six answers, two people); six in ops answer
    // November's, one of them with a comment.
    for (const [pulse, day] of [["sep", "2026-09-15"], ["oct", "2026-10-15"], ["nov", "2026-11-16"]]) {
      for (const person of [0, 1]) posts.push({ id: `exec-${pulse}-${person}`, kind: "enps", score: 10, complete: true, anonymous: true, metadata: { team: "exec" }, createdAt: `${day}T09:00:00Z`, comment: "The plan is clear" });
    }
    for (let person = 0; person < 6; person++) posts.push({ id: `ops-${person}`, kind: "enps", score: person < 3 ? 9 : 4, complete: true, anonymous: true, metadata: { team: "ops" }, createdAt: "2026-11-17T09:00:00Z", ...(person === 0 ? { comment: "Good tools" } : {}) });
    await collector.post(posts);
    await page.goto(`${collector.url}/dashboard.html?by=metadata.team&kind=enps`);
    await expect(page.locator("#status")).toContainText(`${posts.length} responses`);
    await expect(page.locator("#segments tr", { hasText: /^exec/ })).toContainText("hidden: fewer than 5 people");
    // ops: 3 promoters, 3 detractors of 6.
    await expect(page.locator("#segments tr", { hasText: /^ops/ })).toContainText(new RegExp(`[^0-9.]${(100 * (3 - 3) / 6).toFixed(1)} \\(n=6`));
    await expect(page.locator("#segments tr", { hasText: /^ops/ })).toContainText("n=6");
    // One small team's answers asked for by name: not listed, and said.
    await page.locator("#segment").selectOption("exec");
    await expect(page.locator("#comments-count")).toContainText("Employees' comments are not listed here");
    await expect(page.locator("#comments")).not.toContainText("The plan is clear");
    await page.locator("#segment").selectOption("ops");
    await expect(page.locator("#comments")).toContainText("Good tools");
    await page.locator("#segment").selectOption("");
    // Nor does a date narrow the list to them: September's pulse is the two execs alone.
    await page.locator("#from").fill("2026-09-15");
    await page.locator("#from").dispatchEvent("change");
    await page.locator("#to").fill("2026-09-15");
    await page.locator("#to").dispatchEvent("change");
    await expect(page.locator("#comments-count")).toContainText("Employees' comments are not listed here");
    await expect(page.locator("#comments")).not.toContainText("The plan is clear");
    for (const id of ["from", "to"]) {
      await page.locator(`#${id}`).fill("");
      await page.locator(`#${id}`).dispatchEvent("change");
    }
    // Participation: all three pulses against one list, then November's alone.
    await page.locator("#invited-file").setInputFiles({ name: "invited.csv", mimeType: "text/csv", buffer: Buffer.from("team,invited\nexec,2\nops,8\n") });
    await expect(page.locator("#participation tr", { hasText: "exec" })).toContainText("more answers than invitations");
    await expect(page.locator("#participation")).toContainText("choose one pulse's dates");
    await page.locator("#from").fill("2026-11-01");
    await page.locator("#from").dispatchEvent("change");
    await expect(page.locator("#participation tr", { hasText: "exec" })).toContainText(`${(100).toFixed(1)}%`);
    await expect(page.locator("#participation tr", { hasText: "ops" })).toContainText(`${(100 * 6 / 8).toFixed(1)}%`);
    // Whatever kind or team the view keeps to, each team is read against its list.
    await page.locator("#kind").selectOption("nps");
    await expect(page.locator("#participation tr", { hasText: "exec" })).toContainText(`${(100).toFixed(1)}%`);
    await page.locator("#kind").selectOption("enps");
    // Its card and lines say eNPS as people write it.
    // (As shown: innerText applies the stylesheet's text-transform.)
    expect(await page.locator(".card h2").first().evaluate((h) => h.innerText)).toMatch(/^eNPS/);
    // A small team's comment words are not in the themes either (their comments are not listed).
    await page.locator("#segment").selectOption("exec");
    await expect(page.locator("#comments-count")).toContainText("Employees' comments are not listed here");
    await expect(page.locator("#themes")).not.toContainText("plan");
  } finally {
    await collector.stop();
  }
});

test("a theme opens its comments, as written; reason and date presets filter; the last period is compared with the one before", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const day = (d) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const posts = [
      { id: "c1", kind: "nps", score: 2, complete: true, comment: "El ñandú llegó tarde", reasons: ["delivery"], submittedAt: `${day(2)}T10:00:00Z` },
      { id: "c2", kind: "nps", score: 3, complete: true, comment: "Ñandú roto otra vez", reasons: ["quality"], submittedAt: `${day(3)}T10:00:00Z` },
      { id: "c3", kind: "nps", score: 10, complete: true, comment: "Great support team", reasons: ["support"], submittedAt: `${day(40)}T10:00:00Z` },
      // A wrong clock: an answer dated 2099 must not become "the last period".
      { id: "c4", kind: "nps", score: 0, complete: true, submittedAt: "2099-06-01T10:00:00Z" },
    ];
    await collector.post(posts);
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("4 responses");
    // The theme counts "Ñandú" and "ñandú" together, shown as customers spell it; it opens both comments.
    await page.locator("#themes button", { hasText: /^ñandú \(2\)$/ }).click();
    await expect(page.locator("#comments li")).toHaveCount(2);
    await expect(page.locator("#comments")).toContainText("El ñandú llegó tarde");
    await page.locator("#comment-text").fill("");
    await page.locator("#comment-text").dispatchEvent("input");
    await page.locator("#comment-reason").selectOption("quality");
    await expect(page.locator("#comments li")).toHaveCount(1);
    await page.locator("#comment-reason").selectOption("");
    // Last 7 days: the two recent answers only (both detractors: NPS −100).
    await page.locator("#range").selectOption("7");
    await expect(page.locator("#from")).toHaveValue(day(6));
    await expect(page.locator(".card .big").first()).toHaveText("-100.0");
    expect(new URL(page.url()).searchParams.get("range")).toBe("7");
    // By week over everything: the last week is compared with the one before, and says how much to trust it.
    await page.locator("#range").selectOption("");
    await expect(page.locator(".card").first()).toContainText("vs");
    await expect(page.locator(".card").first()).toContainText("too few answers to tell");
    await expect(page.locator(".card").first()).not.toContainText("2099");
    // The trend joins only periods that follow each other: weeks without answers lie between
    // day 40's week and the recent ones. The answer dated 2099 is in the totals, not drawn as
    // the trend's latest point, and the page says so.
    await expect(page.locator("figure", { hasText: "NPS over time" })).toContainText("The line breaks at 1 gap");
    await expect(page.locator("figure", { hasText: "NPS over time" })).not.toContainText("2099");
    await expect(page.locator("#trend")).toContainText("1 answer is dated after today");
  } finally {
    await collector.stop();
  }
});

test("dates chosen (the week a lead asks about) are compared with as many days just before them", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // The week of 2 to 8 November: 10 promoters, 30 detractors. The 7 days before: 30
    // promoters, 5 passives, 5 detractors. And one answer before those, which counts in neither.
    const answer = (id, score, date) => ({ id, kind: "nps", score, complete: true, submittedAt: `${date}T12:00:00Z` });
    const posts = [];
    for (let i = 0; i < 40; i++) posts.push(answer(`w${i}`, i < 10 ? 10 : 2, "2026-11-05"));
    for (let i = 0; i < 40; i++) posts.push(answer(`p${i}`, i < 30 ? 9 : i < 35 ? 8 : 0, "2026-10-28"));
    posts.push(answer("older", 0, "2026-10-20"));
    await collector.post(posts);
    const week = (100 * (10 - 30)) / 40, before = (100 * (30 - 5)) / 40;
    // By week over everything, the trend's summary names its low and its high among the
    // weeks with answers enough to trust: W44 (the days before) and W45 (the week), not W43,
    // whose one older answer is a 0.
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("figure", { hasText: "NPS over time" })).toContainText(
      `Lowest ${week.toFixed(1)} in 2026-W45; highest ${before.toFixed(1)} in 2026-W44.`);
    await page.goto(`${collector.url}/dashboard.html?from=2026-11-02&to=2026-11-08`);
    await expect(page.locator("#status")).toContainText(`${posts.length} responses`);
    const card = page.locator(".card").first();
    await expect(card.locator(".big")).toHaveText(week.toFixed(1));
    await expect(card).toContainText(`vs the 7 days before (2026-10-26 to 2026-11-01): ${(week - before).toFixed(1)} pts`);
    await expect(card).toContainText("a real change");
    // Days before them with no answers: nothing to compare, nothing said.
    await page.goto(`${collector.url}/dashboard.html?from=2026-11-05&to=2026-11-05`);
    await expect(card.locator(".big")).toHaveText(week.toFixed(1));
    await expect(card).not.toContainText("vs the day before");
  } finally {
    await collector.stop();
  }
});

test("one agent's view says how the agent compares with every other, as the segments weigh it", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // ana: 30 promoters (NPS +100); bo: 30 detractors (−100); so ana is 200 points above the rest.
    const posts = [];
    for (let i = 0; i < 30; i++) {
      posts.push({ id: `a${i}`, kind: "nps", score: 10, complete: true, metadata: { agent: "ana" } });
      posts.push({ id: `b${i}`, kind: "nps", score: 0, complete: true, metadata: { agent: "bo" } });
    }
    await collector.post(posts);
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent&value=ana`);
    const card = page.locator(".card").first();
    await expect(card.locator(".big")).toHaveText("+100.0");
    await expect(card).toContainText(`vs every other agent: +${(100 - -100).toFixed(1)} pts`);
    await expect(card).toContainText("a real difference");
  } finally {
    await collector.stop();
  }
});

test("the README screenshot shows the dashboard of a program's eight weeks", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // Eight weeks of a relationship NPS and a post-ticket CSAT, five agents, one of them struggling.
    const agents = ["ana", "bo", "chen", "dee", "eli"];
    const batch = [];
    for (let d = 0; d < 56; d++) {
      const day = new Date(Date.UTC(2026, 9, 1) + d * 86_400_000).toISOString().slice(0, 10);
      for (let k = 0; k < 6; k++) {
        const agent = agents[(d + k) % 5];
        const bias = agent === "bo" ? -4 : 0;
        const score = Math.max(0, Math.min(10, Math.round(8 + bias + 3 * Math.sin(d * 7 + k * 13))));
        batch.push({ id: `n${d}-${k}`, surveyId: "relationship", kind: "nps", score, complete: true, submittedAt: `${day}T10:00:00Z`,
          metadata: { agent }, reasons: score < 7 ? [["price", "speed", "support"][k % 3]] : [], comment: score < 7 ? "Took too long to hear back" : "Great help" });
        if (k < 3) batch.push({ id: `c${d}-${k}`, surveyId: "post-ticket", kind: "csat", complete: true, submittedAt: `${day}T11:00:00Z`, metadata: { agent },
          score: Math.max(1, Math.min(5, Math.round(4 + bias / 3 + Math.cos(d + k)))) });
      }
    }
    // In posts of 100 (the collector caps a body at 64 KB).
    for (let at = 0; at < batch.length; at += 100) await collector.post(batch.slice(at, at + 100));
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText(`${batch.length} responses`);
    await expect(page.locator("#segment-charts figure")).toHaveCount(2);
    await page.screenshot({ path: `${process.env.SONDEO_UPDATE_DOCS === "1" ? "docs" : "test-results"}/dashboard.png` });
  } finally {
    await collector.stop();
  }
});

test("a multi-question survey gets its questions, per agent, and how satisfaction moves with resolution", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // Resolved: CSAT 5, 5, 4 (all satisfied); not resolved: 2, 1, 4 (one of three satisfied).
    // By hand: CSAT 4/6 = 66.7%; resolved 3/6 = 50%; satisfied when resolved 100%, when not 33.3%.
    const rows = [[5, 1, 5, "ana"], [5, 1, 4, "ana"], [4, 1, 5, "bo"], [2, 0, 2, "bo"], [1, 0, 1, "bo"], [4, 0, 3, "ana"]];
    let i = 0;
    for (const [csat, resolved, agent, who] of rows) {
      await collector.post({ schema: 2, id: `t${i++}`, surveyId: "post-ticket-tls", kind: "csat", score: csat, complete: true,
        answers: [{ key: "satisfaction", kind: "csat", score: csat }, { key: "resolved", kind: "yesno", score: resolved }, { key: "agent", kind: "rating", score: agent }],
        metadata: { agent: who }, submittedAt: "2026-11-20T10:00:00Z" });
    }
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("6 responses");
    const section = page.locator("#questions");
    await expect(section).toBeVisible();
    await expect(section).toContainText("post-ticket-tls: 3 questions");
    const figure = (x, digits = 1) => x.toFixed(digits);
    await expect(section.locator("tr", { hasText: "satisfaction (csat)" }).first()).toContainText(`${figure((100 * 4) / 6)}%`);
    await expect(section.locator("tr", { hasText: "resolved (yesno)" }).first()).toContainText("50.0%");
    // The agent's mean rating: (5 + 4 + 5 + 2 + 1 + 3) / 6.
    await expect(section.locator("tr", { hasText: "agent (rating)" }).first()).toContainText(figure(20 / 6, 2));
    const relation = section.locator("tr", { hasText: "satisfaction by resolved" });
    await expect(relation).toContainText("yes: 100.0%");
    await expect(relation).toContainText(`no: ${figure(100 / 3)}%`);
    await expect(relation).toContainText(`+${figure(100 - 100 / 3)}`);
    // Segmented by agent: ana's ratings 5, 4, 3 → mean 4.00.
    await page.locator("#by").selectOption("metadata.agent");
    await expect(section.locator("tr", { hasText: "ana" })).toContainText("4.00");
    // The section passes axe and fits a 320 px screen (its tables scroll inside it).
    await page.evaluate(await (await import("node:fs/promises")).readFile("node_modules/axe-core/axe.min.js", "utf8"));
    const found = await page.evaluate(async () => (await window.axe.run("#questions-section", { runOnly: ["wcag2a", "wcag2aa"] })).violations.map((v) => `${v.id}: ${v.nodes.length}`));
    expect(found).toEqual([]);
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  } finally {
    await collector.stop();
  }
});

test("with outcomes loaded, the inflation check flags an agent whose promoters do not stay", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // 40 promoters per agent, each with a reason; ana's retain 36 of 40, bo's 16 of 40.
    const posts = [];
    const outcomes = ["customerId,retained"];
    for (const [agent, retained] of [["ana", 36], ["bo", 16]]) {
      for (let i = 0; i < 40; i++) {
        posts.push({ id: `${agent}${i}`, kind: "nps", score: 10, complete: true, user: { id: `${agent}-${i}` }, metadata: { agent }, comment: "Solved on the first call, thank you" });
        outcomes.push(`${agent}-${i},${i < retained}`);
      }
    }
    for (let at = 0; at < posts.length; at += 50) await collector.post(posts.slice(at, at + 50));
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText("80 responses");
    await page.locator("#outcomes-file").setInputFiles({ name: "outcomes.csv", mimeType: "text/csv", buffer: Buffer.from(outcomes.join("\n")) });
    const bo = page.locator("#inflation tr", { hasText: /^bo/ });
    // bo: 40% against ana's 90%: −50 points.
    await expect(bo).toContainText(`${(40).toFixed(1)}% of 40`);
    await expect(bo).toContainText(`${(40 - 90).toFixed(1)} pts`);
    await expect(bo).toContainText("its promoters do not stay");
    await expect(page.locator("#inflation tr", { hasText: /^ana/ })).not.toContainText("⚑");
  } finally {
    await collector.stop();
  }
});

test("after the collector restarts, the dashboard says live updates were cut and catches up on what it missed", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    for (let i = 0; i < 3; i++) await collector.post({ id: `before-${i}`, kind: "nps", score: 10, complete: true });
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("3 responses (0 not yet submitted); live updates on.");
    // Down for a moment: the page says so.
    await collector.down();
    await expect(page.locator("#status")).toContainText("live updates interrupted");
    await collector.up();
    // Answers that widgets queued during the outage arrive as soon as it is back, before the
    // page's stream reconnects: 4 detractors the stream never carries.
    for (let i = 0; i < 4; i++) await collector.post({ id: `meanwhile-${i}`, kind: "nps", score: 0, complete: true });
    await expect(page.locator("#status")).toContainText("7 responses", { timeout: 15_000 });
    // (3 − 4)/7 promoters minus detractors.
    await expect(page.locator(".card .big").first()).toHaveText(`${((100 * (3 - 4)) / 7).toFixed(1)}`);
    // Live again: one more arrives through the stream.
    await collector.post({ id: "after", kind: "nps", score: 10, complete: true });
    await expect(page.locator("#status")).toContainText("Live: 8 responses (0 not yet submitted); live updates on.");
  } finally {
    await collector.stop();
  }
});

test("a shared view's date preset means those days from the day it is opened; filters that match nothing say so", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const day = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    await collector.post({ id: "recent", kind: "csat", score: 5, complete: true, submittedAt: day(1) });
    await collector.post({ id: "old", kind: "csat", score: 1, complete: true, submittedAt: day(20) });
    // Written by the page three weeks ago: the preset wins over the dates it saved then.
    await page.goto(`${collector.url}/dashboard.html?range=7&from=2026-01-01&to=2026-01-07`);
    await expect(page.locator("#status")).toContainText("2 responses");
    await expect(page.locator("#from")).toHaveValue(day(6).slice(0, 10));
    await expect(page.locator("#to")).toHaveValue(new Date().toISOString().slice(0, 10));
    await expect(page.locator(".card").first()).toContainText("n=1");
    await expect(page.locator(".card .big").first()).toHaveText("100.0%");
    await page.goto(`${collector.url}/dashboard.html?from=2030-01-01`);
    await expect(page.locator(".card").first()).toContainText("No answers match");
  } finally {
    await collector.stop();
  }
});

test("the CSAT groups are labelled by their scores, 50 comments at a time with more on demand, agents in natural order", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // CSAT: 2 answers of 1–2, 1 of 3, 1 of 4–5: low 50%, neutral 25%, high 25% (the README's groups).
    const csat = [1, 2, 3, 5].map((score, i) => ({ id: `s${i}`, kind: "csat", score, complete: true }));
    // 55 NPS comments from agents 1…55: more than one page of 50.
    const nps = Array.from({ length: 55 }, (_, i) => ({ id: `n${i}`, kind: "nps", score: 3, complete: true,
      comment: `comment number ${i}`, metadata: { agent: `agent-${i + 1}`, ticketId: `T${i}` }, submittedAt: `2026-11-${String(1 + (i % 20)).padStart(2, "0")}T10:00:00Z` }));
    // Yes/no: 1 no and 2 yes, in two groups (a yes/no answer has no middle).
    const yesno = [0, 1, 1].map((score, i) => ({ id: `y${i}`, kind: "yesno", score, complete: true }));
    await collector.post([...csat, ...nps, ...yesno]);
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText("62 responses");
    const yes = page.locator("figure", { hasText: "Yes %: answers by group" });
    await expect(yes).toContainText(`${(100 * 1 / 3).toFixed(1)}% no`);
    await expect(yes).toContainText(`${(100 * 2 / 3).toFixed(1)}% yes`);
    await expect(yes.locator("tbody tr")).toHaveCount(2);
    const legend = page.locator("figure", { hasText: "CSAT %: answers by group" });
    await expect(legend).toContainText(`${(100 * 2 / 4).toFixed(1)}% low (1–2)`);
    await expect(legend).toContainText(`${(100 * 1 / 4).toFixed(1)}% neutral (3)`);
    await expect(legend).toContainText(`${(100 * 1 / 4).toFixed(1)}% high (4–5)`);
    // Each chart's "Table" is named by its chart for a screen reader.
    await expect(page.locator("summary", { hasText: "Table of CSAT %: answers by group" })).toHaveCount(1);
    await expect(page.locator("#comments li")).toHaveCount(50);
    await expect(page.locator("#comments-count")).toContainText(`${nps.length} comments match; the newest 50 shown.`);
    // Who to call back: the newest (i = 19, on the 20th) names its agent and ticket.
    await expect(page.locator("#comments li").first()).toContainText("agent agent-20 · ticket T19");
    await page.locator("#comments-more").click();
    await expect(page.locator("#comments li")).toHaveCount(55);
    await expect(page.locator("#comments-more")).toBeHidden();
    await expect(page.locator("#comments-count")).toContainText("55 comments match.");
    // agent-2 before agent-10 before agent-55, as people count.
    const agents = await page.locator("#segments td:first-child").allTextContents();
    expect(agents.slice(0, 3)).toEqual(["agent-1", "agent-2", "agent-3"]);
    expect(agents.indexOf("agent-9")).toBeLessThan(agents.indexOf("agent-10"));
    // One agent's page: the figures, comments and the shared view follow the choice. agent-3
    // gave the one answer i = 2 (a 3: a detractor), so NPS −100 from 1 answer.
    await page.locator("#segment").selectOption("agent-3");
    await expect(page.locator(".card .big").first()).toHaveText("-100.0");
    await expect(page.locator(".card").first()).toContainText("n=1");
    await expect(page.locator("#comments li")).toHaveCount(1);
    await expect(page.locator("#comments")).toContainText("comment number 2");
    expect(new URL(page.url()).searchParams.get("value")).toBe("agent-3");
    // The list offers every agent still, not only the one chosen ("all", 55 agents, and
    // "(none)" for the CSAT answers without one); another field clears it.
    await expect(page.locator("#segment option")).toHaveCount(1 + 55 + 1);
    await page.locator("#by").selectOption("metadata.channel");
    await expect(page.locator("#segment")).toHaveValue("");
    await expect(page.locator("#comments li")).toHaveCount(50);
  } finally {
    await collector.stop();
  }
});

test("on a phone the scores come first, the filters folded under 'Filters'", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await collector.post({ id: "p1", kind: "nps", score: 9, complete: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("1 response");
    await expect(page.locator("#controls")).toBeHidden();
    const card = await page.locator(".card").first().boundingBox();
    expect(card.y + card.height).toBeLessThanOrEqual(740);
    await page.locator("#filters > summary").click();
    await expect(page.locator("#by")).toBeVisible();
  } finally {
    await collector.stop();
  }
});

test("a segments column sorts by a click on its header, figures as figures, and stays sorted as answers come in", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // Per agent (scores by hand): ana 10,10 → +100; bo 0,9 → 0; cy 0,0 → −100; dee 9,8 → +50;
    // ed 10,7,0 → 0.
    const scores = { ana: [10, 10], bo: [0, 9], cy: [0, 0], dee: [9, 8], ed: [10, 7, 0] };
    const nps = (list) => (100 * (list.filter((s) => s >= 9).length - list.filter((s) => s <= 6).length)) / list.length;
    let i = 0;
    const answers = Object.entries(scores).flatMap(([agent, list]) => list.map((score) => ({ id: `a${i++}`, kind: "nps", score, complete: true, metadata: { agent } })));
    await collector.post(answers);
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText(`${answers.length} responses`);
    const agents = () => page.locator("#segments tbody td:first-child").allTextContents();
    const header = page.locator("#segments th", { hasText: "NPS" });
    const byNps = (direction) => Object.keys(scores).sort((a, b) => direction * (nps(scores[a]) - nps(scores[b])) || Object.keys(scores).indexOf(a) - Object.keys(scores).indexOf(b));
    // Figures start from the highest; a second click turns the order round.
    await header.getByRole("button").click();
    await expect(header).toHaveAttribute("aria-sort", "descending");
    expect(await agents()).toEqual(byNps(-1));
    await header.getByRole("button").click();
    await expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(await agents()).toEqual(byNps(1));
    // The keyboard reaches it too, and the agent column sorts as words (ed before dee reversed).
    await page.locator("#segments th").first().getByRole("button").focus();
    await page.keyboard.press("Enter");
    expect(await agents()).toEqual(Object.keys(scores).sort());
    await page.keyboard.press("Enter");
    expect(await agents()).toEqual(Object.keys(scores).sort().reverse());
    // A live answer redraws the page: the chosen order stays. cy gets a 10: (1 − 2)/3.
    await header.getByRole("button").click();
    scores.cy.push(10);
    await collector.post({ id: "live", kind: "nps", score: 10, complete: true, metadata: { agent: "cy" } });
    await expect(page.locator("#status")).toContainText(`${answers.length + 1} responses`);
    await expect(header).toHaveAttribute("aria-sort", "descending");
    await expect.poll(agents).toEqual(byNps(-1));
  } finally {
    await collector.stop();
  }
});

test("a column of dates or weeks sorts as text, not as the year they start with", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    const weeks = ["2026-W05", "2025-W52", "2026-W47", "2026-W12"];
    // Teams named by the week they started, as a segment value.
    await collector.post(weeks.map((week, i) => ({ id: `w${i}`, kind: "nps", score: 9, complete: true, metadata: { agent: week } })));
    await page.goto(`${collector.url}/dashboard.html?by=metadata.agent`);
    await expect(page.locator("#status")).toContainText(`${weeks.length} responses`);
    const cells = () => page.locator("#segments tbody td:first-child").allTextContents();
    const header = page.locator("#segments th").first();
    await header.getByRole("button").click();
    await expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(await cells()).toEqual([...weeks].sort());
    await header.getByRole("button").click();
    expect(await cells()).toEqual([...weeks].sort().reverse());
  } finally {
    await collector.stop();
  }
});

test("two tables with the same headers (one per survey) each keep their own order", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // Two surveys of the same two questions: sorting one survey's table leaves the other's as it was.
    let i = 0;
    for (const survey of ["first-tls", "second-tls"]) {
      for (const [csat, resolved] of [[5, 1], [2, 0], [4, 1]]) {
        await collector.post({ schema: 2, id: `q${i++}`, surveyId: survey, kind: "csat", score: csat, complete: true,
          answers: [{ key: "satisfaction", kind: "csat", score: csat }, { key: "resolved", kind: "yesno", score: resolved }] });
      }
    }
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("6 responses");
    const headers = page.locator("#questions th", { hasText: "Question" });
    await expect(headers).toHaveCount(2);
    await headers.nth(1).getByRole("button").click();
    await expect(headers.nth(1)).toHaveAttribute("aria-sort", "ascending");
    // A live answer redraws both tables: each with its own order.
    await collector.post({ schema: 2, id: "live", surveyId: "first-tls", kind: "csat", score: 3, complete: true,
      answers: [{ key: "satisfaction", kind: "csat", score: 3 }, { key: "resolved", kind: "yesno", score: 0 }] });
    await expect(page.locator("#status")).toContainText("7 responses");
    // first-tls's satisfaction, by hand: 5, 2, 4, 3 → 2 of 4 satisfied.
    await expect(page.locator("#questions tr", { hasText: "satisfaction (csat)" }).first()).toContainText("50.0%");
    await expect(headers.nth(1)).toHaveAttribute("aria-sort", "ascending");
    await expect(headers.nth(0)).not.toHaveAttribute("aria-sort", /./);
  } finally {
    await collector.stop();
  }
});

test("targets: the headline says how far the score is from the program's target, the trend draws it, and the shared view keeps it", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // Week of 2026-11-02: 3 promoters, 1 detractor → +50. Week of 2026-11-09: 1 promoter,
    // 1 passive, 2 detractors → −25. Overall: 4 promoters, 3 detractors of 8 → +12.5.
    const weeks = { "2026-11-03T10:00:00Z": [10, 9, 9, 2], "2026-11-10T10:00:00Z": [9, 8, 0, 3] };
    let i = 0;
    const answers = Object.entries(weeks).flatMap(([at, scores]) => scores.map((score) => ({ id: `t${i++}`, kind: "nps", score, complete: true, submittedAt: at })));
    await collector.post(answers);
    const overall = (100 * (4 - 3)) / 8;
    const goal = 30;
    await page.goto(`${collector.url}/dashboard.html?target.nps=${goal}`);
    await expect(page.locator("#status")).toContainText("8 responses");
    await expect(page.locator("#target-nps")).toHaveValue(String(goal));
    const nps = page.locator(".card").first();
    await expect(nps).toContainText(`target +${goal}.0: ${(goal - overall).toFixed(1)} pts below`);
    // The trend: a dashed line, and in words how many weeks reached it (the first, +50).
    const trend = page.locator("figure", { hasText: "NPS over time" });
    await expect(trend.locator("line.target")).toHaveCount(1);
    await expect(trend).toContainText(`Target ${goal}.0 (dashed): reached in 1 of 2 periods.`);
    // A lower target is met; cleared, the line and the words go.
    await page.locator("#target-nps").fill("10");
    await page.locator("#target-nps").dispatchEvent("change");
    await expect(nps).toContainText(`target +10.0: met, ${(overall - 10).toFixed(1)} pts above`);
    expect(new URL(page.url()).searchParams.get("target.nps")).toBe("10");
    await page.locator("#target-nps").fill("");
    await page.locator("#target-nps").dispatchEvent("change");
    await expect(nps).not.toContainText("target");
    await expect(trend.locator("line.target")).toHaveCount(0);
  } finally {
    await collector.stop();
  }
});

test("call back: the unhappy customers are a work queue, oldest first, and what the team did is kept by the collector", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true, token: "read-token-0123456789" });
  try {
    const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString();
    await collector.post([
      { id: "old-detractor", kind: "nps", score: 3, complete: true, comment: "Refund took three weeks", metadata: { agent: "ana", ticketId: "T-1" }, user: { id: "cust-77" }, submittedAt: daysAgo(3) },
      { id: "low-csat", kind: "csat", score: 1, complete: true, metadata: { agent: "bo" }, submittedAt: daysAgo(0) },
      { id: "promoter", kind: "nps", score: 10, complete: true, comment: "Great", submittedAt: daysAgo(1) },
      { id: "passive", kind: "nps", score: 8, complete: true, submittedAt: daysAgo(1) },
      { id: "pulse", kind: "enps", score: 0, complete: true, anonymous: true, metadata: { team: "support" }, comment: "Too many tickets" },
    ]);
    await page.goto(`${collector.url}/dashboard.html#token=read-token-0123456789`);
    await expect(page.locator("#status")).toContainText("5 responses");
    const section = page.locator("#callback-section");
    await expect(section).toBeVisible();
    // By hand: the detractor and the low CSAT are to call back; the detractor is 3 days old.
    await expect(page.locator("#callback-count")).toHaveText("2 to call back (1 waiting over 2 days) · 0 contacted · 0 resolved.");
    const items = page.locator("#callbacks > li");
    await expect(items).toHaveCount(2);
    await expect(items.first()).toContainText("Refund took three weeks");
    await expect(items.first()).toContainText("ticket T-1");
    // Whom to call: the customer the site named.
    await expect(items.first()).toContainText("customer cust-77");
    await expect(items.nth(1)).toContainText("(no comment)");
    await expect(section).not.toContainText("Too many tickets");
    // Today's first, when the lead asks; the view keeps the choice.
    await page.locator("#callback-order").selectOption("newest");
    await expect(items.first()).toContainText("(no comment)");
    expect(new URL(page.url()).searchParams.get("order")).toBe("newest");
    await page.locator("#callback-order").selectOption("");
    await expect(items.first()).toContainText("Refund took three weeks");
    // The lead calls the detractor back and says so.
    const first = items.first();
    await first.getByRole("combobox").selectOption("contacted");
    await first.getByRole("textbox", { name: "Note" }).fill("Called; refund sent <b>today</b>");
    await first.getByRole("button", { name: "Save" }).click();
    await expect(first.getByRole("status")).toContainText("Saved: Contacted");
    await expect(page.locator("#callback-count")).toHaveText("1 to call back · 1 contacted · 0 resolved.");
    // The collector keeps it: another lead (a reload) sees it, under "contacted".
    const stored = await (await fetch(`${collector.url}/api/follow-ups`, { headers: { authorization: "Bearer read-token-0123456789" } })).json();
    expect(stored.map((f) => [f.id, f.status, f.note])).toEqual([["old-detractor", "contacted", "Called; refund sent <b>today</b>"]]);
    await page.reload();
    await expect(page.locator("#callback-count")).toHaveText("1 to call back · 1 contacted · 0 resolved.");
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText("(no comment)");
    await page.locator("#callback-status").selectOption("contacted");
    await expect(items).toHaveCount(1);
    await expect(items.first().getByRole("textbox", { name: "Note" })).toHaveValue("Called; refund sent <b>today</b>");
    await expect(page.locator("#callbacks b")).toHaveCount(0);
    // A live answer while the lead writes a note: the list waits, and what was typed stays
    // when it is drawn again (the lead clicks elsewhere), with the new customer in it.
    await page.locator("#callback-status").selectOption("open");
    // The open list is drawn (its one customer is the low CSAT, not the contacted detractor) before the lead types.
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText("(no comment)");
    await items.first().getByRole("textbox", { name: "Note" }).fill("Left a voicemail");
    await expect(items.first().getByRole("textbox", { name: "Note" })).toHaveValue("Left a voicemail");
    await collector.post({ id: "live-detractor", kind: "nps", score: 0, complete: true, comment: "Still broken", submittedAt: daysAgo(0) });
    await expect(page.locator("#status")).toContainText("6 responses");
    await expect(items).toHaveCount(1);
    await page.locator("#comment-text").click();
    await expect(items).toHaveCount(2);
    await expect(page.locator("#callbacks").getByRole("textbox", { name: "Note" }).first()).toHaveValue("Left a voicemail");
    await expect(page.locator("#callbacks")).toContainText("Still broken");
    // Another lead resolves the customer this lead has begun on (a status chosen, not saved):
    // once the page reads the follow-ups again, the draft keeps its note, not its status.
    const low = page.locator("#callbacks > li", { hasText: "(no comment)" });
    await low.getByRole("combobox").selectOption("contacted");
    const resolved = await fetch(`${collector.url}/api/follow-ups/low-csat`, { method: "PUT", headers: { authorization: "Bearer read-token-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ status: "resolved", note: "Refunded by phone" }) });
    expect(resolved.status).toBe(200);
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await page.locator("#comment-text").click();
    await expect(page.locator("#callback-count")).toHaveText("1 to call back · 1 contacted · 1 resolved.");
    await page.locator("#callback-status").selectOption("");
    await expect(low.getByRole("combobox")).toHaveValue("resolved");
    await expect(low.getByRole("textbox", { name: "Note" })).toHaveValue("Left a voicemail");
    await expect(low.getByRole("status")).toContainText("Changed meanwhile: Resolved");
    // The section passes axe.
    await page.evaluate(await (await import("node:fs/promises")).readFile("node_modules/axe-core/axe.min.js", "utf8"));
    const found = await page.evaluate(async () => (await window.axe.run("#callback-section", { runOnly: ["wcag2a", "wcag2aa"] })).violations.map((v) => `${v.id}: ${v.nodes.length}`));
    expect(found).toEqual([]);
  } finally {
    await collector.stop();
  }
});
