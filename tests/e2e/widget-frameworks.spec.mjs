// The widget as frameworks use it: a handle nobody keeps, components unmounted without
// destroy(), a config set again at every render or before the element is defined, an
// import while a server renders the page.
import { test, expect } from "@playwright/test";
import { pathToFileURL } from "node:url";
import { startServer, waitForPosts } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.close(); });

const blank = (page) => page.goto(`${server.url}/test/blank.html`);
// `mount()` as `useEffect(() => { mount(…) })` calls it: what it returns is not kept.
const mountForgotten = (page, target, config) => page.evaluate(async ([target, config]) => {
  const { mount } = await import("/dist/sondeo.js");
  await mount(target ? document.querySelector(target) : null, { endpoint: "/api/responses", ...config });
}, [target, config]);
const collectGarbage = async (page) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.detach();
};
const state = (page, n = 0) => page.locator("sondeo-survey").nth(n).getAttribute("data-state");

test("a survey whose handle nobody keeps still answers after a garbage collection, and its modal still closes", async ({ page }) => {
  await blank(page);
  await mountForgotten(page, null, { kind: "nps", id: "kept", display: "modal" });
  await expect(page.getByRole("dialog")).toBeVisible();
  await collectGarbage(page);
  await page.getByRole("radio", { name: "9" }).click();
  await page.locator("textarea").fill("still here");
  await page.getByRole("button", { name: "Send" }).click();
  const final = (posts) => posts.find((p) => p.body.complete === true && p.body.comment === "still here");
  await waitForPosts(server.posts, final);
  expect(final(server.posts).body.score).toBe(9);
  // Escape still closes it; a second one, mounted and collected the same way, too.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await mountForgotten(page, null, { kind: "csat", id: "second", display: "modal" });
  await collectGarbage(page);
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
});

test("a component taken out without destroy() holds back no later modal, and its delayed prompt counts no display", async ({ page }) => {
  await blank(page);
  await page.evaluate(() => {
    window.shown = [];
    document.addEventListener("sondeo:show", (e) => window.shown.push(e.detail.surveyId));
    for (const id of ["first", "delayed"]) document.body.append(Object.assign(document.createElement("div"), { id }));
  });
  await mountForgotten(page, "#first", { kind: "nps", id: "first", display: "modal" });
  await expect(page.getByRole("dialog")).toBeVisible();
  await mountForgotten(page, "#delayed", { kind: "csat", id: "delayed", trigger: { delayMs: 300 } });
  // The framework takes both components out (a route change), without destroy().
  await page.evaluate(() => { document.querySelector("#first").remove(); document.querySelector("#delayed").remove(); });
  await page.waitForTimeout(600);
  await mountForgotten(page, null, { kind: "ces", id: "next", display: "modal" });
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await page.evaluate(() => window.shown)).toEqual(["first", "next"]);
});

test("a prompt waiting behind a modal whose element is then taken out shows within a second; a survey mounted before its element is in the page shows once it is", async ({ page }) => {
  await blank(page);
  await page.evaluate(() => document.body.append(Object.assign(document.createElement("div"), { id: "first" })));
  await mountForgotten(page, "#first", { kind: "nps", id: "first", display: "modal" });
  await expect(page.getByRole("dialog")).toBeVisible();
  // Its trigger fires while the first is open: it waits.
  await mountForgotten(page, null, { kind: "csat", id: "waiting", display: "slide-in" });
  expect(await page.locator("sondeo-survey").nth(1).getAttribute("data-state")).toBe("closed");
  await page.evaluate(() => document.querySelector("#first").remove());
  await expect(page.getByRole("dialog")).toBeVisible({ timeout: 2_500 });
  expect(await page.locator("sondeo-survey").last().getAttribute("data-state")).toBe("open");
  // Mounted into elements made but not put in yet (a framework that renders, then attaches).
  await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    const [a, b] = [document.createElement("div"), document.createElement("div")];
    a.id = "a";
    b.id = "b";
    await mount(a, { endpoint: "/api/responses", kind: "nps", id: "a" });
    await mount(b, { endpoint: "/api/responses", kind: "ces", id: "b" });
    document.body.append(a, b);
  });
  await expect(page.locator("#a sondeo-survey")).toHaveAttribute("data-state", "open", { timeout: 2_500 });
  await expect(page.locator("#b sondeo-survey")).toHaveAttribute("data-state", "open", { timeout: 2_500 });
});

test("destroy() of an open prompt is no dismissal: a component mounted again (React's StrictMode) shows it", async ({ page }) => {
  await blank(page);
  const shownAfterRemount = await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    const config = { endpoint: "/api/responses", kind: "nps", id: "strict", display: "slide-in", dismissDays: 30 };
    (await mount(null, config)).destroy();
    await mount(null, config);
    return document.querySelector("sondeo-survey").getAttribute("data-state");
  });
  expect(shownAfterRemount).toBe("open");
});

test("the element keeps its survey when its config is set again to an equal object, and takes a config set before it was defined", async ({ page }) => {
  await blank(page);
  // A framework renders the element and sets its config before sondeo.js has loaded.
  await page.evaluate(() => {
    const el = document.createElement("sondeo-survey");
    el.config = { kind: "csat", endpoint: "/api/responses", id: "early" };
    document.querySelector("#app").append(el);
  });
  await page.evaluate(() => import("/dist/sondeo.js"));
  await expect(page.getByRole("radio")).toHaveCount(5);
  await page.getByRole("radio", { name: "2" }).click();
  await page.locator("textarea").fill("half a sentence");
  // The next render sets an equal new object: nothing restarts.
  await page.evaluate(() => { document.querySelector("sondeo-survey").config = { kind: "csat", endpoint: "/api/responses", id: "early" }; });
  await page.waitForTimeout(100);
  await expect(page.locator("textarea")).toHaveValue("half a sentence");
  // A real change is taken (the setter, not a property hiding it).
  await page.evaluate(() => { document.querySelector("sondeo-survey").config = { kind: "nps", endpoint: "/api/responses", id: "early" }; });
  await expect(page.getByRole("radio")).toHaveCount(11);
});

test("sondeo.js imports where a server renders the page (no DOM), and mount() there says why it cannot run", async () => {
  const module = await import(pathToFileURL("dist/sondeo.js").href);
  expect(typeof module.mount).toBe("function");
  await expect(module.mount(null, { kind: "nps", endpoint: "/api/responses" })).rejects.toThrow(/sondeo: could not start/);
});

test("an in-app event the page sends while the wasm is still starting is heard, not lost", async ({ page }) => {
  await blank(page);
  const state = await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    const mounting = mount(null, { endpoint: "/api/responses", kind: "nps", id: "early-event", display: "slide-in", trigger: { event: "checkout:done" } });
    // The order page announces itself before mount() has resolved.
    dispatchEvent(new Event("checkout:done"));
    await mounting;
    return document.querySelector("sondeo-survey").getAttribute("data-state");
  });
  expect(state).toBe("open");
});
