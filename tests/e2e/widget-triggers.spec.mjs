// When a prompt shows itself: triggers, sampling, and not asking again too soon.
import { test, expect } from "@playwright/test";
import { startServer } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.close(); });

const open = (page, config) => page.goto(`${server.url}/test/mount.html#${encodeURIComponent(JSON.stringify({ endpoint: "/api/responses", ...config }))}`);
const ready = (page) => page.waitForFunction(() => window.survey !== undefined || window.mountError);
const shown = (page) => page.locator("sondeo-survey").getAttribute("data-state");

test("an in-app event shows the prompt only when the app dispatches it", async ({ page }) => {
  await open(page, { kind: "nps", id: "event", display: "slide-in", trigger: { event: "checkout:done" } });
  await ready(page);
  expect(await shown(page)).toBe("closed");
  await page.evaluate(() => window.dispatchEvent(new Event("checkout:done")));
  expect(await shown(page)).toBe("open");
  await expect(page.getByRole("dialog")).toBeVisible();
});

test("a delayed prompt waits for its delay", async ({ page }) => {
  await page.clock.install();
  await open(page, { kind: "csat", id: "delay", trigger: { delayMs: 5000 } });
  await ready(page);
  await page.clock.runFor(4000);
  expect(await shown(page)).toBe("closed");
  await page.clock.runFor(1500);
  expect(await shown(page)).toBe("open");
});

test("a prompt due in a tab opened in the background waits until the tab is looked at, spending no display before", async ({ page }) => {
  // Headless Chromium's tabs are never hidden: the page's visibility is played here.
  await page.addInitScript(() => {
    window.visibility = "hidden";
    Object.defineProperty(Document.prototype, "visibilityState", { get: () => window.visibility });
    Object.defineProperty(Document.prototype, "hidden", { get: () => window.visibility === "hidden" });
  });
  await open(page, { kind: "nps", id: "background", display: "slide-in", trigger: { delayMs: 200 }, maxDisplays: 1 });
  await ready(page);
  await page.waitForTimeout(1_500);
  expect(await shown(page)).toBe("closed");
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:background"))).toBeNull();
  await page.evaluate(() => { window.visibility = "visible"; document.dispatchEvent(new Event("visibilitychange")); });
  await expect.poll(() => shown(page), { timeout: 5_000 }).toBe("open");
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:background"))).toMatch(/^s\d+,1$/);
});

test("a scroll-depth prompt shows once the visitor has read that far", async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await open(page, { kind: "ces", id: "scroll", display: "slide-in", trigger: { scrollPercent: 50 } });
  await ready(page);
  await page.evaluate(() => { const tall = document.createElement("div"); tall.style.setProperty("height", "3000px"); document.body.append(tall); });
  await page.evaluate(() => window.scrollTo(0, 200));
  await page.waitForTimeout(100);
  expect(await shown(page)).toBe("closed");
  await page.evaluate(() => window.scrollTo(0, 1400));
  await expect.poll(() => shown(page)).toBe("open");
});

test("a visitor who answered is not asked again within recontactDays, but is after", async ({ page }) => {
  await open(page, { kind: "nps", id: "recontact", recontactDays: 30 });
  await ready(page);
  await page.getByRole("radio", { name: "10", exact: true }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await page.reload();
  await ready(page);
  expect(await shown(page)).toBe("closed");
  // 31 days later (the stored time moved back), the prompt shows again.
  await page.evaluate(() => localStorage.setItem("sondeo:seen:recontact", `a${Date.now() - 31 * 86400000}`));
  await page.reload();
  await ready(page);
  expect(await shown(page)).toBe("open");
});

test("a dismissed prompt stays away for dismissDays; show() still opens it", async ({ page }) => {
  await open(page, { kind: "csat", id: "dismiss", display: "modal", dismissDays: 7 });
  await ready(page);
  await page.getByRole("button", { name: "Close" }).click();
  await page.reload();
  await ready(page);
  expect(await shown(page)).toBe("closed");
  await page.evaluate(() => window.survey.show());
  await expect(page.getByRole("dialog")).toBeVisible();
});

test("a sample of zero never prompts on its own", async ({ page }) => {
  await open(page, { kind: "nps", id: "sampled", sample: 0 });
  await ready(page);
  expect(await shown(page)).toBe("closed");
});

// The draw, computed here from its definition (FNV-1a 64 of "survey\0visitor", then
// MurmurHash3's fmix64, top 53 bits as a fraction), independently of the widget.
function draw(survey, visitor) {
  const mask = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(`${survey}\0${visitor}`, "utf8")) h = ((h ^ BigInt(b)) * 0x100000001b3n) & mask;
  h ^= h >> 33n; h = (h * 0xff51afd7ed558ccdn) & mask;
  h ^= h >> 33n; h = (h * 0xc4ceb9fe1a85ec53n) & mask;
  h ^= h >> 33n;
  return Number(h >> 11n) / 2 ** 53;
}

test("sampling draws once per person: the same answer on every page view, and per user across devices", async ({ browser }) => {
  // Two people known by user id, one in a 50% sample and one out (found from the formula).
  const ids = Array.from({ length: 40 }, (_, i) => `customer-${i}`);
  const inside = ids.find((id) => draw("stable", id) < 0.5);
  const outside = ids.find((id) => draw("stable", id) >= 0.5);
  for (const [id, expected] of [[inside, "open"], [outside, "closed"]]) {
    // Two browsers (two devices) for the same person, three page views each.
    for (let device = 0; device < 2; device++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      for (let view = 0; view < 3; view++) {
        await page.goto(`${server.url}/test/mount.html?view=${view}#${encodeURIComponent(JSON.stringify({ endpoint: "/api/responses", kind: "nps", id: "stable", sample: 0.5, user: { id } }))}`);
        await ready(page);
        expect(await shown(page), `${id}, device ${device}, view ${view}`).toBe(expected);
      }
      await context.close();
    }
  }
  // An anonymous visitor keeps one random id, and with it one draw, across page views.
  const context = await browser.newContext();
  const page = await context.newPage();
  let visitor = null;
  for (let view = 0; view < 4; view++) {
    await page.goto(`${server.url}/test/mount.html?view=${view}#${encodeURIComponent(JSON.stringify({ endpoint: "/api/responses", kind: "nps", id: "anon", sample: 0.5 }))}`);
    await ready(page);
    const stored = await page.evaluate(() => localStorage.getItem("sondeo:visitor"));
    visitor ??= stored;
    expect(stored).toBe(visitor);
    expect(await shown(page)).toBe(draw("anon", visitor) < 0.5 ? "open" : "closed");
  }
  await context.close();
});
