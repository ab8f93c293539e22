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
    // The partial has no touchpoint: it is "(none)", so the segments add up to the whole (8).
    const segmentRows = page.locator("#segments tr");
    await expect(segmentRows.filter({ hasText: "(none)" })).toContainText("n=1,");
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
    await page.reload();
    await expect(page.locator("#by")).toHaveValue("metadata.agent");
    await expect(page.locator("#comment-text")).toHaveValue("refund");
    await expect(page.locator("#submitted-only")).not.toBeChecked();
    await expect(page.locator("#comments li")).toHaveCount(answers.filter((a) => a <= 6).length);
    expect(await page.evaluate(() => window.violations)).toEqual([]);
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
    await page.locator("#token").fill(token);
    await page.locator("#token-form button").click();
    await expect(page.locator("#status")).toContainText("1 response (0 not yet submitted)");
    await expect(page.locator("#token-form")).toBeHidden();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    // The link the collector prints: the token leaves the address bar at once, the stream works with it.
    const fresh = await page.context().newPage();
    await fresh.goto(`${collector.url}/dashboard.html#token=${token}`);
    await expect(fresh.locator("#status")).toContainText("1 response (0 not yet submitted)");
    expect(fresh.url()).not.toContain(token);
    await collector.post({ id: "t2", kind: "nps", score: 0, complete: true });
    await expect(fresh.locator("#status")).toContainText("2 responses (0 not yet submitted)");
  } finally {
    await collector.stop();
  }
});
