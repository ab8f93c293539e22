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
    const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join("\n"));
    expect(stored).toContain("sondeo:queue:/api/responses");
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
