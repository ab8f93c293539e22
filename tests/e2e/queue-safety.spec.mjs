// The offline queue in localStorage holds no secrets and obeys the page it is on.
import { test, expect } from "@playwright/test";
import { startServer, waitForPosts } from "./support/server.mjs";

// A query per call: a change of the fragment alone would not load the page again.
let loads = 0;
const mountUrl = (server, config) => `${server.url}/test/mount.html?load=${++loads}#${encodeURIComponent(JSON.stringify(config))}`;

test("the stored queue holds no header values; a later page sends with its own survey's headers", async ({ page }) => {
  const server = await startServer();
  try {
    await page.route("**/api/responses", (route) => route.fulfill({ status: 503, body: "down" }));
    await page.goto(mountUrl(server, { kind: "nps", endpoint: "/api/responses", headers: { "X-Api-Key": "k-secret-123" },
      delivery: { partial: false, maxAttempts: 1 } }));
    await page.waitForFunction(() => window.survey);
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(1);
    // (Polled: an answer counts as pending once handed over, before the delivery module queues it.)
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage))).toContain("sondeo:queue:/api/responses");
    const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join("\n"));
    expect(stored).not.toContain("k-secret-123");
    expect(stored).not.toContain("X-Api-Key");
    // Another page of the site (a new tab, so the first one never sends again: it gave up
    // after maxAttempts) mounts a survey for the same endpoint with its own key.
    const later = await page.context().newPage();
    await later.goto(mountUrl(server, { kind: "csat", id: "other", endpoint: "/api/responses", headers: { "X-Api-Key": "k-later" } }));
    await waitForPosts(server.posts, (p) => p.length >= 1);
    expect(server.posts[0].body).toMatchObject({ kind: "nps", score: 9, complete: true });
    expect(server.posts.map((p) => p.headers["x-api-key"])).toEqual(server.posts.map(() => "k-later"));
  } finally {
    await server.close();
  }
});

test("queued entries go only to an endpoint a survey on this page posts to, and expire after maxAgeDays once an attempt fails", async ({ page }) => {
  const server = await startServer();
  try {
    const elsewhere = [];
    await page.route("https://evil.example/**", (route) => { elsewhere.push(route.request().url()); route.abort(); });
    // The endpoint is down for "old" only: its one last attempt fails.
    let oldAttempts = 0;
    await page.route("**/api/responses", (route) => {
      if (route.request().postDataJSON()?.id !== "old") return route.continue();
      oldAttempts++;
      return route.fulfill({ status: 503, body: "down" });
    });
    const day = 86_400_000;
    await page.addInitScript(({ day }) => {
      if (sessionStorage.getItem("planted")) return;
      sessionStorage.setItem("planted", "1");
      const entry = (id, endpoint, ageDays) => ({ id, complete: true, endpoint, method: "POST", createdAt: Date.now() - ageDays * day,
        body: JSON.stringify({ id, kind: "nps", score: 9 }), attempts: 0, nextAt: 0, leaseUntil: 0, leaseOwner: "" });
      // A queue for an endpoint no survey here posts to (planted by a script on the page, or left by another site section).
      // (Written the way an older version stored entries: with the header values.)
      localStorage.setItem("sondeo:queue:https://evil.example/collect", JSON.stringify([
        { ...entry("planted-1", "https://evil.example/collect", 0), headers: [["X-Api-Key", "legacy-secret"]] }]));
      // The real endpoint's queue, with an entry that names another endpoint, two old ones and a fresh one.
      localStorage.setItem("sondeo:queue:/api/responses", JSON.stringify([
        entry("planted-2", "https://evil.example/x", 0), entry("old", "/api/responses", 8), entry("late", "/api/responses", 8),
        entry("fresh", "/api/responses", 1)]));
    }, { day });
    await page.goto(mountUrl(server, { kind: "nps", endpoint: "/api/responses" }));
    await page.waitForFunction(() => window.survey);
    await waitForPosts(server.posts, (p) => p.some((post) => post.body.id === "fresh"));
    // An entry older than maxAgeDays gets one last attempt (the clock that calls it old may be
    // days fast): "late" is taken; "old" fails once and is dropped, saying so.
    await expect.poll(() => page.evaluate(() => window.sondeoEvents.filter((e) => e.type === "error").length), { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(500);
    expect(server.posts.map((p) => p.body.id).sort()).toEqual(["fresh", "late"]);
    expect(oldAttempts).toBe(1);
    expect(elsewhere).toEqual([]);
    const errors = await page.evaluate(() => window.sondeoEvents.filter((e) => e.type === "error").map((e) => e.detail));
    expect(errors).toEqual([expect.objectContaining({ id: "old", error: expect.stringContaining("maxAgeDays") })]);
    // The foreign queue is not sent and not deleted, but loses the header values an older version stored.
    const foreign = await page.evaluate(() => localStorage.getItem("sondeo:queue:https://evil.example/collect"));
    expect(foreign).toContain("planted-1");
    expect(foreign).not.toContain("legacy-secret");
  } finally {
    await server.close();
  }
});

test("endpoints that browsers would resolve to another host are refused", async ({ page }) => {
  const server = await startServer();
  try {
    for (const endpoint of ["/\\evil.example/collect", "\\\\evil.example/collect", "//evil.example/collect"]) {
      await page.goto(mountUrl(server, { kind: "nps", endpoint }));
      await page.waitForFunction(() => window.survey || window.mountError);
      expect(await page.evaluate(() => window.mountError)).toContain("endpoint: expected an http(s) URL");
    }
  } finally {
    await server.close();
  }
});

test("with consent required, nothing is stored until the site consents, and withdrawing deletes it", async ({ page }) => {
  const server = await startServer();
  try {
    await page.route("**/api/responses", (route) => route.fulfill({ status: 503, body: "down" }));
    await page.goto(mountUrl(server, { kind: "nps", endpoint: "/api/responses", consent: "required", recontactDays: 30,
      delivery: { partial: false, maxAttempts: 1 } }));
    await page.waitForFunction(() => window.survey);
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(1);
    // Answered, unsent, remembered for recontactDays: all of it in memory only.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    // The consent banner is answered: the next save goes to storage.
    await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(true));
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sondeo:")))).toContain("sondeo:queue:/api/responses");
    // Withdrawn: everything sondeo stored is gone.
    await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(false));
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sondeo:")))).toEqual([]);
  } finally {
    await server.close();
  }
});

test("consent withdrawn while the delivery module loads: nothing stays stored, and the answer is still sent from the page", async ({ page }) => {
  const server = await startServer();
  try {
    // The module cannot load until the test lets it: every call the widget makes meanwhile is replayed later.
    await page.route("**/sondeo-deliver.js*", (route) => route.abort("connectionrefused"));
    await page.goto(mountUrl(server, { kind: "nps", endpoint: "/api/responses", consent: "required", delivery: { partial: false } }));
    await page.waitForFunction(() => window.survey);
    await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(true));
    await page.getByRole("radio", { name: "6", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sondeo:handoff:")).length)).toBe(1);
    await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(false));
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sondeo:")))).toEqual([]);
    // The module loads and replays the send (made while consent was given), then the withdrawal.
    await page.unroute("**/sondeo-deliver.js*");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await waitForPosts(server.posts, (p) => p.length === 1);
    expect(server.posts[0].body).toMatchObject({ score: 6, complete: true });
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sondeo:")))).toEqual([]);
  } finally {
    await server.close();
  }
});

test("consent(false) on a page whose surveys need no consent keeps an unsent answer and still sends it", async ({ page }) => {
  const server = await startServer();
  try {
    let down = true;
    await page.route("**/api/responses", (route) => (down ? route.fulfill({ status: 503, body: "down" }) : route.continue()));
    await page.goto(mountUrl(server, { kind: "nps", endpoint: "/api/responses", delivery: { partial: false, baseDelayMs: 60000 } }));
    await page.waitForFunction(() => window.survey);
    await page.getByRole("radio", { name: "2", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.evaluate(() => localStorage.getItem("sondeo:queue:/api/responses"))).not.toBeNull();
    await page.evaluate(async () => (await import("/dist/sondeo.js")).consent(false));
    expect(await page.evaluate(() => window.survey.pending())).toBe(1);
    down = false;
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await waitForPosts(server.posts, (p) => p.length === 1);
    expect(server.posts[0].body).toMatchObject({ score: 2, complete: true });
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
  } finally {
    await server.close();
  }
});

test("storage filled by the site: a later page's failed write leaves the answers earlier pages stored, and they are sent", async ({ browser }) => {
  const server = await startServer();
  const context = await browser.newContext();
  try {
    const config = { kind: "csat", endpoint: "/api/responses", delivery: { partial: false, maxAttempts: 1 } };
    await context.route("**/api/responses", (route) => route.fulfill({ status: 503, body: "down" }));
    // A new page of the site on which the visitor answers `score`; `pending` answers then wait.
    const answerOn = async (score, pending) => {
      const page = await context.newPage();
      await page.goto(mountUrl(server, config));
      await page.waitForFunction(() => window.survey);
      await page.getByRole("radio", { name: new RegExp(`^${score} – `) }).click();
      await page.getByRole("button", { name: "Send" }).click();
      await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(pending);
      return page;
    };
    const storedScores = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("sondeo:queue:/api/responses") ?? "[]").map((e) => JSON.parse(e.body).score));
    // Page 1: answer A is given while the endpoint is down, and stored.
    const first = await answerOn(1, 1);
    // (Polled: the answer is counted as pending once handed over, before the delivery module queues it.)
    await expect.poll(() => storedScores(first)).toEqual([1]);
    // A script of the site fills localStorage to its quota (a cache).
    await first.evaluate(() => {
      let n = 0;
      for (let size = 1 << 20; size >= 1;) { try { localStorage.setItem(`filler${n}`, "x".repeat(size)); n++; } catch { size >>= 1; } }
    });
    await first.close();
    // Page 2: answer B cannot be written next to A. A stays stored.
    const second = await answerOn(5, 2);
    await expect.poll(() => second.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("sondeo:handoff:")))).toBe(false);
    expect(await storedScores(second)).toEqual([1]);
    await second.close();
    // Page 3: the cache was evicted and the endpoint is back: A, stored by page 1, arrives.
    await context.unroute("**/api/responses");
    const third = await context.newPage();
    await third.goto(mountUrl(server, config));
    await third.evaluate(() => { for (const k of Object.keys(localStorage)) if (k.startsWith("filler")) localStorage.removeItem(k); });
    await third.goto(mountUrl(server, config));
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.score === 1));
  } finally {
    await context.close();
    await server.close();
  }
});

test("delivery.queueLimit bounds the stored queue: past it, a record of a prompt shown goes first, then the oldest answer, each said", async ({ page }) => {
  const server = await startServer();
  try {
    await page.route("**/api/responses", (route) => route.fulfill({ status: 503, body: "down" }));
    // Only the first survey records that it was shown.
    const config = (id) => ({ kind: "nps", id, endpoint: "/api/responses", impressions: id === "shown", delivery: { partial: false, maxAttempts: 1, queueLimit: 2 } });
    await page.goto(mountUrl(server, config("shown")));
    await page.waitForFunction(() => window.survey);
    await expect.poll(async () => page.evaluate(() => localStorage.getItem("sondeo:queue:/api/responses") ?? "")).toContain("impression");
    await page.evaluate(() => {
      window.errors = [];
      document.addEventListener("sondeo:error", (e) => window.errors.push(e.detail?.error ?? ""));
    });
    // Three answers on three more surveys, after the first one's display record.
    for (const id of ["first", "second", "third"]) {
      await page.evaluate(async ({ id, config }) => {
        const { mount } = await import("/dist/sondeo.js");
        const el = document.body.appendChild(document.createElement("div"));
        el.id = id;
        window[id] = await mount(el, config);
      }, { id, config: config(id) });
      await page.locator(`#${id}`).getByRole("radio", { name: "9", exact: true }).click();
      await page.locator(`#${id}`).getByRole("button", { name: "Send" }).click();
    }
    const bodies = () => page.evaluate(() => JSON.parse(localStorage.getItem("sondeo:queue:/api/responses") ?? "[]").map((e) => JSON.parse(e.body)));
    await expect.poll(async () => (await bodies()).map((b) => b.surveyId)).toEqual(["second", "third"]);
    const errors = await page.evaluate(() => window.errors);
    expect(errors.filter((m) => m.includes("the offline queue is full"))).toHaveLength(2);
  } finally {
    await server.close();
  }
});
