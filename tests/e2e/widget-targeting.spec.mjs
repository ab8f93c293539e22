// Whom to ask and how often: page rules (with SPA navigations), moments (page views,
// sessions, seconds on site), fatigue (maxDisplays, a site-wide cooldown, one prompt at
// a time), exit intent, and the tools a site tests with (force, reset, ?sondeo-debug).
// Time moves with page.clock, never with sleeps.
import { test, expect } from "@playwright/test";
import { openMount, startServer } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.close(); });

const state = (page, n = 0) => page.locator("sondeo-survey").nth(n).getAttribute("data-state");
// Each load needs its own query: a URL that differs only in its hash does not reload.
const load = async (page, config, query) => expect(await openMount(page, server.url, config, query)).toBeNull();
const MINUTE = 60_000;

test("showOn and hideOn: the prompt shows only on matching paths, and an SPA navigation there shows it", async ({ page }) => {
  const config = { kind: "nps", id: "pages", display: "slide-in", showOn: ["/test/checkout/*"], hideOn: "/test/checkout/login" };
  await load(page, config);
  expect(await state(page)).toBe("closed");
  // The app routes to a page the survey may not show on, then to one it may.
  await page.evaluate(async () => {
    history.pushState({}, "", "/test/checkout/login");
    (await import("/dist/sondeo.js")).navigated();
  });
  expect(await state(page)).toBe("closed");
  await page.evaluate(async () => {
    history.pushState({}, "", "/test/checkout/pay");
    (await import("/dist/sondeo.js")).navigated();
  });
  await expect.poll(() => state(page)).toBe("open");
});

test("a back navigation (popstate) is heard without the site calling navigated()", async ({ page }) => {
  await load(page, { kind: "csat", id: "back", display: "slide-in", showOn: "/test/mount.html?plan=pro" });
  expect(await state(page)).toBe("closed");
  // pushState itself fires nothing (and is not patched); going back fires popstate.
  await page.evaluate(() => history.pushState({}, "", "/test/mount.html?plan=pro"));
  await page.evaluate(() => history.pushState({}, "", "/test/other"));
  expect(await state(page)).toBe("closed");
  await page.evaluate(() => history.back());
  await expect.poll(() => state(page)).toBe("open");
});

test("a hash route is a page to the rules: showOn and hideOn match it, and an app's route changes are heard", async ({ page }) => {
  await load(page, { kind: "nps", id: "routes", display: "slide-in", showOn: "#/billing/*", hideOn: "#/billing/cancel" }, "?routes");
  expect(await state(page)).toBe("closed");
  // A hash router changes only the fragment: the browser says so by popstate.
  await page.evaluate(() => { location.hash = "#/billing/cancel"; });
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  expect(await state(page)).toBe("closed");
  await page.evaluate(() => { location.hash = "#/billing/invoices"; });
  await expect.poll(() => state(page)).toBe("open");
});

test("afterPageViews counts an app's hash routes as page views, not a jump to an anchor", async ({ page }) => {
  await load(page, { kind: "nps", id: "route-views", afterPageViews: 3 }, "?route-views");
  // Jumps within a long page: one page view still.
  await page.evaluate(() => { location.hash = "#pricing-table"; });
  await page.evaluate(() => { location.hash = "#faq"; });
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  expect(await state(page)).toBe("closed");
  // An app's routes (`#/…`, `#!…`): a page view each.
  await page.evaluate(() => { location.hash = "#/plans"; });
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  expect(await state(page)).toBe("closed");
  await page.evaluate(() => { location.hash = "#!/checkout"; });
  await expect.poll(() => state(page)).toBe("open");
});

test("afterPageViews counts this visitor's page views across pages and reloads", async ({ page }) => {
  const config = { kind: "nps", id: "views", afterPageViews: 3 };
  await load(page, config, "?p=1");
  expect(await state(page)).toBe("closed");
  await load(page, config, "?p=2");
  expect(await state(page)).toBe("closed");
  await load(page, config, "?p=3");
  expect(await state(page)).toBe("open");
});

test("afterSessions: a second visit, 30 minutes after the last page view, shows it", async ({ page }) => {
  await page.clock.install({ time: new Date("2026-11-02T09:00:00Z") });
  const config = { kind: "nps", id: "sessions", afterSessions: 2 };
  await load(page, config);
  expect(await state(page)).toBe("closed");
  await page.clock.setSystemTime(new Date("2026-11-02T09:29:00Z"));
  await load(page, config, "?again");
  expect(await state(page), "29 minutes later is the same session").toBe("closed");
  // The clock runs by itself while pages load, so each step keeps minutes of room, not seconds.
  await page.clock.setSystemTime(new Date("2026-11-02T10:05:00Z"));
  await load(page, config, "?later");
  expect(await state(page)).toBe("open");
});

test("afterSeconds counts time on the site, across pages, not on this page", async ({ page }) => {
  await page.clock.install({ time: new Date("2026-11-02T09:00:00Z") });
  const config = { kind: "csat", id: "seconds", afterSeconds: 30 };
  await load(page, config);
  await page.clock.runFor(20_000);
  expect(await state(page)).toBe("closed");
  // The visitor moves on after 20 s: the next page waits only the 10 s left (not 30). The clock
  // also runs by itself while the page loads, so the checks keep 3 s of room on either side.
  await load(page, config, "?next");
  await page.clock.runFor(7_000);
  expect(await state(page)).toBe("closed");
  await page.clock.runFor(6_000);
  expect(await state(page)).toBe("open");
});

test("maxDisplays: a prompt closed twice is not shown a third time", async ({ page }) => {
  const config = { kind: "ces", id: "max", display: "modal", maxDisplays: 2 };
  for (const expected of ["open", "open", "closed"]) {
    await load(page, config, `?v=${Math.random()}`);
    expect(await state(page)).toBe(expected);
    if (expected === "open") await page.getByRole("button", { name: "Close" }).click();
  }
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:max"))).toMatch(/^d\d+,2$/);
});

test("two prompts are never open at once: the second waits for the first to close", async ({ page }) => {
  await load(page, { kind: "nps", id: "first", display: "modal" });
  expect(await state(page, 0)).toBe("open");
  await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    window.second = await mount(null, { kind: "csat", id: "second", endpoint: "/api/responses", display: "slide-in" });
  });
  expect(await state(page, 1)).toBe("closed");
  await page.getByRole("button", { name: "Close" }).first().click();
  expect(await state(page, 0)).toBe("closed");
  await expect.poll(() => state(page, 1)).toBe("open");
});

test("globalCooldownDays: after one sondeo prompt, another waits that many days", async ({ page }) => {
  await page.clock.install({ time: new Date("2026-11-02T09:00:00Z") });
  await load(page, { kind: "nps", id: "relationship", display: "slide-in" });
  expect(await state(page)).toBe("open");
  await page.getByRole("button", { name: "Close" }).click();
  const other = { kind: "csat", id: "feature", display: "slide-in", globalCooldownDays: 7 };
  await load(page, other, "?next");
  expect(await state(page)).toBe("closed");
  // The prompt closed a few seconds after 09:00 (the clock runs by itself while pages load),
  // so each side of the seven days keeps ten minutes of room.
  await page.clock.setSystemTime(new Date("2026-11-09T08:50:00Z"));
  await load(page, other, "?almost-a-week");
  expect(await state(page), "ten minutes short of seven days").toBe("closed");
  await page.clock.setSystemTime(new Date("2026-11-09T09:10:00Z"));
  await load(page, other, "?week-later");
  expect(await state(page)).toBe("open");
});

test("exit intent: leaving through the top edge shows the prompt, moving inside the page does not", async ({ page }) => {
  await load(page, { kind: "nps", id: "exit", display: "modal", trigger: { exitIntent: true } });
  const mouseout = (clientY, toBody) => page.evaluate(([y, toBody]) => {
    document.dispatchEvent(new MouseEvent("mouseout", { clientY: y, relatedTarget: toBody ? document.body : null, bubbles: true }));
  }, [clientY, toBody]);
  await mouseout(300, true);
  await mouseout(-2, true);
  await mouseout(300, false);
  expect(await state(page)).toBe("closed");
  await mouseout(-2, false);
  expect(await state(page)).toBe("open");
});

test("force ignores every rule; reset() forgets the visitor but keeps unsent answers", async ({ page }) => {
  await load(page, { kind: "nps", id: "preview", sample: 0, showOn: "/nowhere", force: true }, "?preview");
  expect(await state(page)).toBe("open");

  const config = { kind: "nps", id: "asked", recontactDays: 90 };
  await load(page, config);
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await load(page, config, "?again");
  expect(await state(page)).toBe("closed");
  // An unsent answer from another endpoint, which reset() must not lose.
  // (A stored queue as the delivery module writes it, its one answer due in an hour: an
  // unreadable one the module may tidy away on its own schedule.)
  await page.evaluate(() => {
    const now = Date.now();
    localStorage.setItem("sondeo:queue:/elsewhere", JSON.stringify([{ id: "kept-1", complete: true, endpoint: "/elsewhere", method: "POST", createdAt: now, maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60000, maxAgeDays: 7,
      body: "{}", attempts: 1, nextAt: now + 3_600_000, leaseUntil: 0, leaseOwner: "", setAt: now }]));
  });
  await page.evaluate(async () => (await import("/dist/sondeo.js")).reset());
  const keys = await page.evaluate(() => Object.keys(localStorage).sort());
  expect(keys).toEqual(["sondeo:queue:/elsewhere"]);
  await load(page, config, "?after-reset");
  expect(await state(page)).toBe("open");
});

test("?sondeo-debug says in the console why a survey did or did not show", async ({ page }) => {
  const lines = [];
  page.on("console", (message) => lines.push(message.text()));
  await load(page, { kind: "nps", id: "debugged", afterPageViews: 2 }, "?sondeo-debug");
  await expect.poll(() => lines).toContain('sondeo: survey "debugged": not shown (afterPageViews)');
  await load(page, { kind: "nps", id: "debugged", afterPageViews: 2 }, "?sondeo-debug&second");
  await expect.poll(() => lines).toContain('sondeo: survey "debugged": shown');
  // Without the flag, nothing is printed.
  lines.length = 0;
  await load(page, { kind: "nps", id: "quiet" });
  expect(lines.filter((l) => l.startsWith("sondeo:"))).toEqual([]);
});

test("without storage the draw still holds for the page: a prompt out of the sample stays out however often its trigger fires", async ({ page }) => {
  // Consent not given: nothing may be stored, so the visitor id lives in the page only.
  await load(page, { kind: "nps", id: "unstored", consent: "required", sample: 0.5, display: "slide-in", trigger: { event: "go" } }, "?unstored");
  // Refused: the slide-in no longer waits for the answer, and decides without storage.
  await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(false));
  await page.evaluate(() => window.dispatchEvent(new Event("go")));
  const first = await state(page);
  for (let i = 0; i < 30; i++) await page.evaluate(() => window.dispatchEvent(new Event("go")));
  // Drawn afresh at each check, a 50% sample would have shown it within 30 tries (1 in 10^9 not).
  expect(await state(page)).toBe(first);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});

test("when a prompt closes, every waiting prompt gets its turn: one held back by its rules does not block the next", async ({ page }) => {
  await load(page, { kind: "nps", id: "first-prompt", display: "modal" }, "?queue");
  expect(await state(page, 0)).toBe("open");
  await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    window.held = await mount(null, { kind: "csat", id: "cooled", endpoint: "/api/responses", display: "slide-in", globalCooldownDays: 7, hideOn: "/test/elsewhere" });
    window.next = await mount(null, { kind: "ces", id: "next", endpoint: "/api/responses", display: "slide-in" });
  });
  expect(await state(page, 1)).toBe("closed");
  expect(await state(page, 2)).toBe("closed");
  // Both wait; meanwhile the app moved (without telling sondeo) to a page the first of them
  // may not show on: asked again at the close, it is held back, and the next one asks.
  await page.evaluate(() => history.pushState({}, "", "/test/elsewhere"));
  await page.getByRole("button", { name: "Close" }).first().click();
  await expect.poll(() => state(page, 2)).toBe("open");
  expect(await state(page, 1)).toBe("closed");
});

test("a visitor who chose a score and closed the prompt has answered: recontactDays applies, not dismissDays", async ({ page }) => {
  const config = { kind: "nps", id: "scored", display: "modal", recontactDays: 30, dismissDays: 0 };
  await load(page, config, "?first");
  expect(await state(page)).toBe("open");
  await page.getByRole("radio", { name: "8", exact: true }).click();
  await page.getByRole("button", { name: "Close" }).click();
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:scored"))).toMatch(/^a\d+,1$/);
  await load(page, config, "?next-page");
  expect(await state(page)).toBe("closed");
});

test("a visitor who chose a score and left the page (no Send, no close) has answered: the next page does not ask again", async ({ page }) => {
  const config = { kind: "csat", id: "left", display: "slide-in", recontactDays: 30 };
  await load(page, config, "?first");
  await expect.poll(() => state(page)).toBe("open");
  await page.getByRole("radio", { name: "4 – Satisfied" }).click();
  // The partial went out when the choice settled (a click settles it at once).
  await expect.poll(() => page.evaluate(() => localStorage.getItem("sondeo:seen:left"))).toMatch(/^a\d+,1$/);
  await load(page, config, "?next-page");
  expect(await state(page)).toBe("closed");
});

test("scrollPercent on a page too short to scroll: the visitor has seen it all, the prompt shows", async ({ page }) => {
  await load(page, { kind: "csat", id: "short", display: "slide-in", trigger: { scrollPercent: 50 } });
  expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
  await expect.poll(() => state(page)).toBe("open");
});

test("a page rule written with accents matches the address the browser percent-encodes", async ({ page }) => {
  await load(page, { kind: "nps", id: "accents", display: "slide-in", showOn: "/test/café/*" });
  expect(await state(page)).toBe("closed");
  await page.evaluate(async () => {
    history.pushState({}, "", "/test/café/menú");
    (await import("/dist/sondeo.js")).navigated();
  });
  expect(await page.evaluate(() => location.pathname)).toBe("/test/caf%C3%A9/men%C3%BA");
  await expect.poll(() => state(page)).toBe("open");
});

test("a prompt whose survey needs consent waits for the banner's answer, then its history counts: maxDisplays holds across pages", async ({ page }) => {
  const config = { kind: "nps", id: "consented", display: "modal", consent: "required", maxDisplays: 1, afterPageViews: 2 };
  const consent = (granted) => page.evaluate(async (granted) => (await import("/dist/sondeo.js")).consent(granted), granted);
  // Page 1: nothing is read or decided before the answer; with it, this first view is counted.
  await load(page, config, "?page-1");
  expect(await state(page)).toBe("closed");
  await consent(true);
  expect(await state(page)).toBe("closed");
  expect(await page.evaluate(() => localStorage.getItem("sondeo:visits"))).toMatch(/^1,/);
  // Page 2: the second view, counted once the banner (as on every page) says yes: shown.
  await load(page, config, "?page-2");
  expect(await state(page)).toBe("closed");
  await consent(true);
  await expect.poll(() => state(page)).toBe("open");
  await page.getByRole("button", { name: "Close" }).click();
  // Page 3: shown once already, read from storage once consent allows: not again.
  await load(page, config, "?page-3");
  await consent(true);
  expect(await state(page)).toBe("closed");
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:consented"))).toMatch(/^d\d+,1$/);
});

test("one prompt open in two tabs, answered in one, leaves the other (not a dismissal), and stays answered: recontactDays, not dismissDays", async ({ page, context }) => {
  const config = { kind: "nps", id: "two-tabs", display: "modal", recontactDays: 90, dismissDays: 7 };
  await load(page, config, "?tab-a");
  const other = await context.newPage();
  expect(await openMount(other, server.url, config, "?tab-b")).toBeNull();
  // A third tab where the visitor has begun to answer (no partial sent: it has not counted
  // yet) keeps what they chose.
  const third = await context.newPage();
  expect(await openMount(third, server.url, { ...config, delivery: { partial: false } }, "?tab-c")).toBeNull();
  await third.getByRole("radio", { name: "3", exact: true }).click();
  expect(await state(page)).toBe("open");
  expect(await state(other)).toBe("open");
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await page.getByRole("button", { name: "Send" }).click();
  // The untouched one goes by itself: the visitor would answer the same prompt twice.
  await expect.poll(() => state(other)).toBe("closed");
  await page.waitForTimeout(300);
  expect(await state(third)).toBe("open");
  await third.close();
  // Read where the last write was made (another tab's storage catches up a moment later).
  const seen = await other.evaluate(() => localStorage.getItem("sondeo:seen:two-tabs"));
  expect(seen).toMatch(/^a\d+,3$/);
  await expect.poll(() => page.evaluate(() => localStorage.getItem("sondeo:seen:two-tabs"))).toBe(seen);
  // Eight days on (the record's time moved back as the days would), the answer still holds.
  await page.evaluate((seen) => localStorage.setItem("sondeo:seen:two-tabs", seen.replace(/^a(\d+)/, (_, t) => `a${Number(t) - 8 * 86_400_000}`)), seen);
  await load(page, config, "?eight-days-on");
  expect(await state(page)).toBe("closed");
  await other.close();
});

test("a \"no\" (×) in one tab closes the same untouched prompt in another; an inline card answered in one tab, or elsewhere on the page, closes its untouched copies", async ({ page, context }) => {
  const modal = { kind: "nps", id: "no-twice", display: "modal", dismissDays: 30, recontactDays: 30 };
  await load(page, modal, "?tab-a");
  const other = await context.newPage();
  expect(await openMount(other, server.url, modal, "?tab-b")).toBeNull();
  expect(await state(other)).toBe("open");
  await page.getByRole("button", { name: "Close" }).click();
  // The visitor said no: the copy in the other tab goes too, instead of asking again.
  await expect.poll(() => state(other)).toBe("closed");
  expect(await other.evaluate(() => localStorage.getItem("sondeo:seen:no-twice"))).toMatch(/^d/);

  // Inline, in two tabs: answered in one, the untouched card of the other goes (a second
  // answer from one visitor within recontactDays would count twice).
  const inline = { kind: "csat", id: "inline-twice", recontactDays: 30 };
  await load(page, inline, "?inline-a");
  expect(await openMount(other, server.url, inline, "?inline-b")).toBeNull();
  const begun = await context.newPage();
  expect(await openMount(begun, server.url, { ...inline, delivery: { partial: false } }, "?inline-c")).toBeNull();
  await begun.getByRole("radio", { name: /^2 – / }).click();
  await page.getByRole("radio", { name: /^5 – / }).click();
  await expect.poll(() => state(other)).toBe("closed");
  // One begun in a third tab is the visitor's to finish.
  await page.waitForTimeout(300);
  expect(await state(begun)).toBe("open");
  await begun.close();

  // The same survey in the body and in the footer of one page: one answer ends both.
  await other.evaluate(() => localStorage.clear());
  expect(await openMount(other, server.url, { kind: "ces", id: "footer-too" }, "?footer")).toBeNull();
  await other.evaluate(async () => {
    const footer = document.body.appendChild(document.createElement("footer"));
    await (await import("/dist/sondeo.js")).mount(footer, { kind: "ces", id: "footer-too", endpoint: "/api/responses" });
  });
  expect(await state(other, 1)).toBe("open");
  await other.locator("sondeo-survey").first().getByRole("radio").nth(5).click();
  await expect.poll(() => state(other, 1)).toBe("closed");
  expect(await state(other, 0)).toBe("open");
  await other.close();
});

test("a prompt the site shows again after an answer in another tab stays open through that tab's later writes", async ({ page, context }) => {
  const config = { kind: "nps", id: "reshow", display: "modal", dismissDays: 7 };
  await load(page, config, "?tab-a");
  expect(await state(page)).toBe("open");
  await page.getByRole("button", { name: "Close" }).click();
  // The other tab: the site's Feedback button, and an answer.
  const other = await context.newPage();
  expect(await openMount(other, server.url, config, "?tab-b")).toBeNull();
  await other.evaluate(() => window.survey.show());
  await other.getByRole("radio", { name: "9", exact: true }).click();
  await expect.poll(() => page.evaluate(() => localStorage.getItem("sondeo:seen:reshow"))).toMatch(/^a/);
  // This tab's Feedback button, after that answer: the visitor asked for it.
  await page.evaluate(() => window.survey.show());
  expect(await state(page)).toBe("open");
  // The other tab writes on: the site's own key, then the answer's record again.
  await other.evaluate(() => localStorage.setItem("app:cart", "3 items"));
  await other.evaluate(() => localStorage.setItem("sondeo:seen:reshow", localStorage.getItem("sondeo:seen:reshow")));
  await page.waitForTimeout(300);
  expect(await state(page)).toBe("open");
  await other.close();
});

test("a browser that keeps nothing (storage refused or full) is not asked by a prompt that shows itself on every page; an inline survey still shows", async ({ browser }) => {
  for (const [name, shim] of [
    ["refused", () => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("storage is disabled", "SecurityError"); } })],
    ["full", () => { Storage.prototype.setItem = function () { throw new DOMException("full", "QuotaExceededError"); }; }],
  ]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(shim);
    // The load trigger has asked its rules by the time mount() resolves.
    await load(page, { kind: "nps", id: `forgetful-${name}`, display: "modal" }, `?modal-${name}`);
    expect(await state(page), name).toBe("closed");
    // The page may still open it itself, and an inline survey is on the page by design.
    await page.evaluate(() => window.survey.show());
    await expect.poll(() => state(page), name).toBe("open");
    await load(page, { kind: "nps", id: `inline-${name}` }, `?inline-${name}`);
    expect(await state(page), name).toBe("open");
    // A scroll trigger past its depth asks (and tries storage) once, not at each scroll.
    if (name === "full") {
      await page.addInitScript(() => {
        window.probes = 0;
        const setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key, value) {
          if (key === "sondeo:probe") window.probes += 1;
          return setItem.call(this, key, value);
        };
        addEventListener("DOMContentLoaded", () => { document.body.style.minHeight = "5000px"; });
      });
      await load(page, { kind: "nps", id: "forgetful-scroll", display: "slide-in", trigger: { scrollPercent: 10 } }, "?scroll");
      for (const y of [1000, 1500, 2000, 2500]) {
        await page.evaluate((y) => scrollTo(0, y), y);
        await page.waitForTimeout(100);
      }
      expect(await page.evaluate(() => window.probes)).toBe(1);
      expect(await state(page)).toBe("closed");
    }
    await context.close();
  }
});
