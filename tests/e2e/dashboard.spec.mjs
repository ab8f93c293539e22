// The live dashboard against the real collector, under the collector's strict CSP.
import { test, expect } from "@playwright/test";
import { startCollector } from "./support/collector.mjs";

test("the dashboard scores the stored responses and updates live", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    // 4 promoters, 1 passive, 3 detractors (one of them still partial, so not counted): NPS by hand = (4 − 2)/7.
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
    await expect(page.locator("#status")).toContainText("7 submitted responses loaded (1 not yet submitted)");
    const expected = (100 * (4 - 2)) / 7;
    await expect(page.locator(".card .big").first()).toHaveText(`+${expected.toFixed(1)}`);
    await expect(page.locator("#segments")).toContainText("returns");
    await expect(page.locator("#drivers")).toContainText("price");
    await expect(page.locator("#themes")).toContainText("refund");
    // A new promoter arrives while the page is open: NPS becomes (5 − 2)/8.
    await collector.post({ id: "live-1", kind: "nps", score: 10, complete: true, submittedAt: "2026-11-21T10:00:00Z" });
    await expect(page.locator(".card .big").first()).toHaveText(`+${((100 * 3) / 8).toFixed(1)}`);
    // The same response re-sent (a retry) is not counted again.
    await collector.post({ id: "live-1", kind: "nps", score: 10, complete: true, submittedAt: "2026-11-21T10:00:00Z" });
    await page.waitForTimeout(300);
    await expect(page.locator("#status")).toContainText("8 submitted responses (1 live)");
    expect(await page.evaluate(() => window.violations)).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test("a local export is scored in the browser with no server involved", async ({ page }) => {
  const collector = await startCollector({ www: "www", csp: true });
  try {
    await page.goto(`${collector.url}/dashboard.html`);
    await expect(page.locator("#status")).toContainText("0 submitted responses loaded");
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
    await expect(page.locator("#status")).toContainText("1 submitted responses loaded");
    await expect(page.locator("#token-form")).toBeHidden();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    // The link the collector prints: the token leaves the address bar at once, the stream works with it.
    const fresh = await page.context().newPage();
    await fresh.goto(`${collector.url}/dashboard.html#token=${token}`);
    await expect(fresh.locator("#status")).toContainText("1 submitted responses loaded");
    expect(fresh.url()).not.toContain(token);
    await collector.post({ id: "t2", kind: "nps", score: 0, complete: true });
    await expect(fresh.locator("#status")).toContainText("2 submitted responses (1 live)");
  } finally {
    await collector.stop();
  }
});
