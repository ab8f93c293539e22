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

test("an element's select() before its survey has started waits for it; with no survey coming it throws", async ({ page }) => {
  await blank(page);
  await page.evaluate(async () => {
    await import("/dist/sondeo.js");
    // A page that prefills the score before the element is in the page, and one that does
    // as soon as it adds it, before the wasm has mounted it.
    const before = document.createElement("sondeo-survey");
    before.config = { kind: "csat", endpoint: "/api/responses", id: "before" };
    before.select(4);
    const el = document.createElement("sondeo-survey");
    el.config = { kind: "nps", endpoint: "/api/responses", id: "prefilled" };
    document.querySelector("#app").append(before, el);
    el.select(9);
  });
  await expect(page.getByRole("radio", { name: "9", exact: true })).toBeChecked();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "prefilled" && p.body.score === 9));
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "before" && p.body.score === 4));
  // A new config and a score at once: the score is the new survey's, not the old one's.
  await page.evaluate(() => {
    const el = document.querySelectorAll("sondeo-survey")[1];
    el.config = { kind: "ces", endpoint: "/api/responses", id: "changed" };
    el.select(6);
  });
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "changed" && p.body.score === 6));
  expect(server.posts.filter((p) => p.body.surveyId === "prefilled").map((p) => p.body.score)).toEqual([9]);
  // The same, with the element moved in that task (a drag-and-drop list): still the new one's.
  await page.evaluate(() => {
    const el = document.querySelectorAll("sondeo-survey")[1];
    el.config = { kind: "csat", endpoint: "/api/responses", id: "moved" };
    el.select(2);
    document.querySelector("#app").prepend(el);
  });
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "moved" && p.body.score === 2));
  expect(server.posts.filter((p) => p.body.surveyId === "changed").map((p) => p.body.score)).toEqual([6]);
  // One in the page whose config the widget refused has no survey to choose in: said, not dropped.
  const thrown = await page.evaluate(async () => {
    const bad = document.createElement("sondeo-survey");
    const refused = new Promise((resolve) => bad.addEventListener("sondeo:error", resolve, { once: true }));
    bad.config = { kind: "nope", endpoint: "/api/responses" };
    document.querySelector("#app").append(bad);
    await refused;
    try {
      bad.select(9);
      return "nothing thrown";
    } catch (error) {
      return error.message;
    }
  });
  expect(thrown).toBe("sondeo: score: expected a survey still being answered");
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

test("the same survey mounted again in one place replaces the first: one card, and one Escape closes the modal for good", async ({ page }) => {
  await blank(page);
  // A component revisited without cleanup: mount() twice into its container, same survey.
  await mountForgotten(page, "#app", { kind: "nps", id: "twice" });
  await mountForgotten(page, "#app", { kind: "nps", id: "twice" });
  await expect(page.locator("#app sondeo-survey")).toHaveCount(1);
  await expect(page.getByRole("radio")).toHaveCount(11);
  // Another survey in the same container is the page's choice: it stays beside it. So do
  // two left to the default id (their kind): nothing says they are one survey.
  await mountForgotten(page, "#app", { kind: "csat", id: "other" });
  await mountForgotten(page, "#app", { kind: "ces", question: "Was it easy to pay?" });
  await mountForgotten(page, "#app", { kind: "ces", question: "Was it easy to return it?" });
  await expect(page.locator("#app sondeo-survey")).toHaveCount(4);
  await page.getByRole("radio", { name: "9" }).click();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "twice"));
  await page.waitForTimeout(300);
  expect(server.posts.filter((p) => p.body.surveyId === "twice").map((p) => p.body.id)).toHaveLength(1);
  // A modal mounted on each visit of a route: the visitor closes it once.
  for (let visit = 0; visit < 3; visit++) await mountForgotten(page, null, { kind: "ces", id: "leaky", display: "modal" });
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.waitForTimeout(1_300);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.locator("body > sondeo-survey")).toHaveCount(1);
});

test("mount() into a <sondeo-survey> the page rendered takes it over: no false config error, one survey answering", async ({ page }) => {
  await blank(page);
  const result = await page.evaluate(async () => {
    const errors = [];
    const log = console.error;
    console.error = (...args) => { errors.push(String(args[0]?.message ?? args[0])); log(...args); };
    document.addEventListener("sondeo:error", (e) => errors.push(e.detail.error));
    const { mount } = await import("/dist/sondeo.js");
    // A framework's ref: rendered bare, then handed to mount().
    const bare = document.createElement("sondeo-survey");
    document.querySelector("#app").append(bare);
    await mount(bare, { kind: "csat", endpoint: "/api/responses", id: "ref" });
    // One the page configured by attributes, and later handed to mount() with another kind.
    const own = Object.assign(document.createElement("sondeo-survey"), { id: "own" });
    for (const [name, value] of [["kind", "ces"], ["endpoint", "/api/responses"], ["survey-id", "own-attrs"]]) own.setAttribute(name, value);
    document.body.append(own);
    await new Promise((resolve) => document.addEventListener("sondeo:show", resolve, { once: true }));
    await mount(own, { kind: "nps", endpoint: "/api/responses", id: "own-first" });
    // Handed to mount() again (a ref in StrictMode): the survey there is replaced.
    await mount(own, { kind: "nps", endpoint: "/api/responses", id: "own-mounted" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return errors;
  });
  expect(result).toEqual([]);
  await expect(page.locator("#app sondeo-survey").getByRole("radio")).toHaveCount(5);
  await expect(page.locator("#own").getByRole("radio")).toHaveCount(11);
  await page.locator("#own").getByRole("radio", { name: "9" }).click();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "own-mounted"));
  await page.waitForTimeout(300);
  expect(server.posts.map((p) => p.body.surveyId)).toEqual(["own-mounted"]);
});

test("a single-page app routing to a page its rules exclude closes the open modal or slide-in, without counting a dismissal", async ({ page }) => {
  await blank(page);
  await page.evaluate(async () => {
    const { mount } = await import("/dist/sondeo.js");
    const endpoint = "/api/responses";
    await mount(null, { kind: "nps", endpoint, id: "slide", display: "slide-in", hideOn: ["/checkout/**"] });
    await mount(document.querySelector("#app"), { kind: "csat", endpoint, id: "card", hideOn: ["/checkout/**"] });
  });
  const slide = page.locator("body > sondeo-survey");
  const card = page.locator("#app > sondeo-survey");
  await expect(slide).toHaveAttribute("data-state", "open");
  await expect(card).toHaveAttribute("data-state", "open");
  await page.evaluate(async () => {
    const { navigated } = await import("/dist/sondeo.js");
    history.pushState({}, "", "/checkout/pay");
    await navigated();
  });
  await expect(slide).toHaveAttribute("data-state", "closed");
  // The inline card is the page's own component: the page removes it if it wants.
  await expect(card).toHaveAttribute("data-state", "open");
  // Closed by the route, not by the visitor: no dismissal is remembered.
  expect(await page.evaluate(() => localStorage.getItem("sondeo:seen:slide"))).toMatch(/^s/);
  // A prompt the visitor has begun to answer stays, whatever the route: what they type is theirs.
  await page.evaluate(async () => {
    const { mount, navigated } = await import("/dist/sondeo.js");
    history.pushState({}, "", "/");
    await navigated();
    await mount(null, { kind: "nps", endpoint: "/api/responses", id: "begun", display: "slide-in", hideOn: ["/checkout/**"] });
  });
  const begun = page.locator("body > sondeo-survey").last();
  await begun.getByRole("radio", { name: "9", exact: true }).click();
  await page.evaluate(async () => {
    const { navigated } = await import("/dist/sondeo.js");
    history.pushState({}, "", "/checkout/pay");
    await navigated();
  });
  await expect(begun).toHaveAttribute("data-state", "open");
  await begun.getByRole("button", { name: "Close" }).click();
  // A modal kept to one page (showOn) closes when the app leaves it.
  await page.evaluate(async () => {
    const { mount, navigated } = await import("/dist/sondeo.js");
    history.pushState({}, "", "/pricing");
    await navigated();
    await mount(null, { kind: "ces", endpoint: "/api/responses", id: "pricing", display: "modal", showOn: "/pricing" });
  });
  const modal = page.locator("sondeo-survey[data-display=modal]");
  await expect(modal).toHaveAttribute("data-state", "open");
  await page.evaluate(async () => {
    const { navigated } = await import("/dist/sondeo.js");
    history.pushState({}, "", "/account");
    await navigated();
  });
  await expect(modal).toHaveAttribute("data-state", "closed");
});
