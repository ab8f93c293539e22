// Hostile page scripts: a fetch wrapper that throws or never answers, a polluted prototype,
// hooks that are async or not functions, CSS variables set on everything, a navigator that
// says it is offline when it is not, a policy that forbids WebAssembly.
import { test, expect } from "@playwright/test";
import { openMount, startServer, waitForPosts, addPageStyles } from "./support/server.mjs";

test("a fetch wrapper that throws at once, then one that never answers, loses no answer", async ({ page }) => {
  test.setTimeout(60_000);
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      const real = window.fetch;
      let posts = 0;
      window.fetch = function (url, init) {
        if (init?.method === "POST") {
          posts += 1;
          // A monitoring wrapper with a bug: it throws before any promise exists.
          if (posts === 1) throw new Error("wrapper bug");
          // One that swallows the request (and the abort signal) and never settles.
          if (posts === 2) return new Promise(() => {});
        }
        return real.call(this, url, init);
      };
      window.retries = [];
      document.addEventListener("sondeo:retry", (e) => window.retries.push(e.detail.error ?? ""));
    });
    await openMount(page, server.url, { kind: "nps", id: "wrapped", delivery: { partial: false, timeoutMs: 1000, baseDelayMs: 200 } });
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("textbox").fill("fast");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.length === 1, 30_000);
    expect(server.posts[0].body).toMatchObject({ surveyId: "wrapped", score: 9, comment: "fast", complete: true });
    // Two failed attempts, each said; the second after the time limit and its grace.
    const retries = await page.evaluate(() => window.retries);
    expect(retries).toHaveLength(2);
    expect(retries[1]).toContain("did not answer in time");
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    // The module answers on: another survey on the same page is sent at once.
    await page.evaluate(async () => {
      const { mount } = await import("/dist/sondeo.js");
      const next = await mount(document.body.appendChild(document.createElement("div")), { kind: "csat", id: "after", endpoint: "/api/responses" });
      next.select(5);
    });
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === "after"), 5_000);
  } finally {
    await server.close();
  }
});

test("a fetch taken from an iframe (another window's Response) is understood: sent once, not retried forever", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      if (window !== window.top) return; // this script runs in the iframe too
      // As some sites do to get a fetch no other script wrapped.
      let frame;
      const real = window.fetch;
      window.fetch = (url, init) => {
        if (init?.method !== "POST") return real(url, init);
        if (!frame) {
          frame = document.createElement("iframe");
          frame.hidden = true;
          document.body.append(frame);
        }
        return frame.contentWindow.fetch(new URL(url, location.href).href, init);
      };
      window.outcomes = [];
      for (const type of ["sent", "retry", "error"]) document.addEventListener(`sondeo:${type}`, (e) => window.outcomes.push(`${type} ${e.detail.status ?? ""}`));
    });
    expect(await openMount(page, server.url, { kind: "nps", delivery: { baseDelayMs: 200 } })).toBeNull();
    await page.getByRole("radio", { name: "8", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    await page.waitForTimeout(1_000);
    expect(server.posts.map((p) => p.body.complete)).toEqual([false, true]);
    expect(await page.evaluate(() => window.outcomes)).toEqual(["sent 200", "sent 200"]);
  } finally {
    await server.close();
  }
});

test("beforeSend: an async hook is refused, an inherited one is not used, a hook that is no function is an error", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/mount.html`);
    const out = await page.evaluate(async () => {
      const { mount } = await import("/dist/sondeo.js");
      const errors = [];
      document.addEventListener("sondeo:error", (e) => errors.push(e.detail.error));
      const target = document.getElementById("target");
      const settle = (promise) => promise.then(() => "mounted", (e) => e.message);
      const result = {};
      // An async hook would have posted `{}`.
      const asyncHook = await mount(target, { kind: "nps", id: "async", endpoint: "/api/responses", beforeSend: async (p) => ({ ...p }) });
      asyncHook.select(9);
      result.asyncPending = asyncHook.pending();
      asyncHook.destroy();
      // Another script on the page polluted Object.prototype: the survey has no hook of its own.
      Object.prototype.beforeSend = () => ({ stolen: true });
      try {
        const plain = await mount(target, { kind: "nps", id: "polluted", endpoint: "/api/responses" });
        plain.select(7);
        plain.destroy();
      } finally {
        delete Object.prototype.beforeSend;
      }
      result.notAFunction = await settle(mount(target, { kind: "nps", endpoint: "/api/responses", beforeSend: "stripEmails" }));
      result.throwingGetter = await settle(mount(target, { kind: "nps", endpoint: "/api/responses", get metadata() { throw new Error("no"); } }));
      return { ...result, errors };
    });
    expect(out.errors).toEqual(["beforeSend returned a Promise; expected a string or an object (not async)"]);
    expect(out.asyncPending).toBe(0);
    expect(out.notAFunction).toBe("sondeo: invalid config: beforeSend: expected a function");
    expect(out.throwingGetter).toMatch(/^sondeo: invalid config: metadata: expected an object, got a value JSON cannot hold/);
    await waitForPosts(server.posts, (p) => p.length === 1);
    await page.waitForTimeout(300);
    expect(server.posts.map((p) => p.body.surveyId)).toEqual(["polluted"]);
    expect(server.posts[0].body).toMatchObject({ kind: "nps", score: 7 });
    expect(server.posts[0].body.stolen).toBeUndefined();
  } finally {
    await server.close();
  }
});

test("a page that sets the widget's colour variables on every element cannot recolour it", async ({ page }) => {
  const server = await startServer();
  try {
    await addPageStyles(page, "* { --sondeo-bg: #000 !important; --sondeo-fg: #000 !important; --sondeo-a: #000; --sondeo-bd: #000; --sondeo-r: 0; --bg: #000 !important; --fg: #000 !important; --a: #000 }");
    await openMount(page, server.url, { kind: "nps" });
    const colours = await page.locator(".card").evaluate((card) => {
      const style = getComputedStyle(card);
      return { background: style.backgroundColor, text: style.color, radius: style.borderTopLeftRadius };
    });
    expect(colours.background).toBe("rgb(255, 255, 255)");
    expect(colours.text).not.toBe(colours.background);
    expect(colours.text).not.toBe("rgb(0, 0, 0)");
    expect(colours.radius).toBe("12px");
  } finally {
    await server.close();
  }
});

test("a browser that wrongly says it is offline still sends the answer", async ({ page }) => {
  test.setTimeout(60_000);
  const server = await startServer();
  try {
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "onLine", { get: () => false }));
    await openMount(page, server.url, { kind: "nps", delivery: { partial: false } });
    await page.getByRole("radio", { name: "6", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    // Not at once (the browser says offline: the queue waits for `online`), but within the probe interval.
    await page.waitForTimeout(2_000);
    expect(server.posts).toHaveLength(0);
    await waitForPosts(server.posts, (p) => p.length === 1, 30_000);
    expect(server.posts[0].body).toMatchObject({ score: 6, complete: true });
  } finally {
    await server.close();
  }
});

test("a storage that answers every read with the same text sends each version once, from memory", async ({ page }) => {
  const server = await startServer();
  try {
    // A broken shim: writes are taken, and every read gives back the same unfinished JSON.
    await page.addInitScript(() => { Storage.prototype.getItem = function () { return '{"garbage":true'; }; });
    await openMount(page, server.url, { kind: "nps", id: "shim" });
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("textbox").fill("Quick fix");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    await page.waitForTimeout(1_000);
    const versions = server.posts.map((p) => `${p.body.surveyId}:${p.body.complete}`).sort();
    expect(versions).toEqual(["shim:false", "shim:true"]);
    expect(new Set(server.posts.map((p) => p.body.id)).size).toBe(1);
  } finally {
    await server.close();
  }
});

test("a page that replaced Array.prototype.push with a no-op still gets each answer sent, with its headers", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => { Array.prototype.push = function () { return this.length; }; });
    await openMount(page, server.url, { kind: "csat", id: "no-push", headers: { "X-Api-Key": "k-1" } });
    await page.getByRole("radio", { name: "2 – Dissatisfied" }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    expect(server.posts.map((p) => `${p.body.surveyId}:${p.body.complete}:${p.headers["x-api-key"]}`).sort()).toEqual(["no-push:false:k-1", "no-push:true:k-1"]);
  } finally {
    await server.close();
  }
});

test("a page whose <base href> names another origin still posts a path endpoint to its own", async ({ page }) => {
  const server = await startServer();
  try {
    const elsewhere = [];
    await page.route("https://cdn.example/**", (route) => { elsewhere.push(route.request().url()); return route.abort(); });
    await page.addInitScript(() => document.addEventListener("DOMContentLoaded", () => {
      const base = document.createElement("base");
      base.href = "https://cdn.example/assets/";
      document.head.prepend(base);
    }));
    await openMount(page, server.url, { kind: "nps", id: "based", endpoint: "/api/responses" });
    await page.getByRole("radio", { name: "10", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === "based" && x.body.complete));
    expect(elsewhere).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a registry that takes the element's definition and does nothing is said in the console, and mount() works", async ({ page }) => {
  const server = await startServer();
  try {
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    await page.addInitScript(() => { CustomElementRegistry.prototype.define = function () {}; });
    expect(await openMount(page, server.url, { kind: "nps", id: "unregistered" })).toBeNull();
    await expect(page.getByRole("radio", { name: "9", exact: true })).toBeVisible();
    expect(warnings.filter((w) => w.includes("<sondeo-survey> could not be defined (the registry ignored it); use mount()"))).toHaveLength(1);
  } finally {
    await server.close();
  }
});

test("a page whose policy forbids WebAssembly gets an error that says what to allow", async ({ page }) => {
  const server = await startServer({ csp: "default-src 'self'; script-src 'self'; style-src 'self'" });
  try {
    const warnings = [];
    page.on("console", (m) => warnings.push(m.text()));
    await page.goto(`${server.url}/test/mount.html#${encodeURIComponent(JSON.stringify({ kind: "nps", endpoint: "/api/responses" }))}`);
    await page.waitForFunction(() => window.mountError !== undefined);
    expect(await page.evaluate(() => window.mountError)).toMatch(/^sondeo: could not start: .*\(CSP: script-src needs 'wasm-unsafe-eval'\)$/);
    // A <sondeo-survey> on such a page says so too, on the element.
    const elementError = await page.evaluate(() => new Promise((resolve) => {
      const el = document.createElement("sondeo-survey");
      el.addEventListener("sondeo:error", (e) => resolve(e.detail.error));
      el.setAttribute("kind", "nps");
      el.setAttribute("endpoint", "/api/responses");
      document.body.append(el);
    }));
    expect(elementError).toContain("wasm-unsafe-eval");
  } finally {
    await server.close();
  }
});

test("a server that sends the wasm files as application/octet-stream still gets a working widget and delivery", async ({ page }) => {
  const server = await startServer({ csp: true });
  try {
    // As a host without a type for .wasm does (an old web server, a bucket upload without one).
    const relabelled = [];
    await page.route(/_bg\.wasm(\?|$)/, async (route) => {
      const response = await route.fetch();
      relabelled.push(new URL(route.request().url()).pathname);
      await route.fulfill({ response, headers: { ...response.headers(), "content-type": "application/octet-stream" } });
    });
    const complaints = [];
    page.on("console", (m) => /wasm|WebAssembly|sondeo/i.test(m.text()) && ["error", "warning"].includes(m.type()) && complaints.push(m.text()));
    expect(await openMount(page, server.url, { kind: "nps", id: "octet" })).toBeNull();
    await page.getByRole("radio", { name: "8", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    expect(server.posts.at(-1).body).toMatchObject({ surveyId: "octet", score: 8, complete: true });
    expect(relabelled).toEqual(expect.arrayContaining(["/dist/sondeo_bg.wasm", "/dist/sondeo-deliver_bg.wasm"]));
    expect(complaints).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a wasm file the server cannot find is said in mount()'s error, with its status", async ({ page }) => {
  const server = await startServer();
  try {
    await page.route(/\/dist\/sondeo_bg\.wasm/, (route) => route.fulfill({ status: 404, body: "not here" }));
    const error = await openMount(page, server.url, { kind: "nps" });
    expect(error).toMatch(/^sondeo: could not start: .*sondeo_bg\.wasm: HTTP 404$/);
  } finally {
    await server.close();
  }
});

test("a wasm file that cannot be fetched or comes damaged is said as such, not blamed on the policy", async ({ page }) => {
  const server = await startServer();
  try {
    // No answer at all (a connect-src that leaves out the widget's folder fails the same way).
    await page.route(/\/dist\/sondeo_bg\.wasm/, (route) => route.abort("failed"));
    let error = await openMount(page, server.url, { kind: "nps" });
    expect(error).toMatch(/^sondeo: could not start: \S*\/dist\/sondeo_bg\.wasm: .+ \(offline, or not in the page's CSP connect-src\)$/);
    // Cut short on the way (a proxy, a page's fetch wrapper that reads it as text): a
    // CompileError, but the policy allows WebAssembly.
    await page.unrouteAll();
    await page.route(/\/dist\/sondeo_bg\.wasm/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.body()).subarray(0, 1000) });
    });
    error = await openMount(page, server.url, { kind: "nps" }, "?cut");
    expect(error).toMatch(/^sondeo: could not start: /);
    expect(error).not.toContain("wasm-unsafe-eval");
  } finally {
    await server.close();
  }
});

test("a fetch wrapper that throws at once for the language pack leaves the survey in English, answering", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      const real = window.fetch;
      window.fetch = function (url, init) {
        // A blocker that validates addresses first, and throws for what it does not know.
        if (String(url).includes("/locales/")) throw new TypeError("blocked by wrapper");
        return real.call(this, url, init);
      };
    });
    const error = await openMount(page, server.url, { kind: "nps", id: "pack-blocked", locale: "fr" });
    expect(error).toBeNull();
    await expect(page.getByRole("radio", { name: "9", exact: true })).toBeVisible();
    await expect(page.locator("sondeo-survey")).toContainText("How likely are you to recommend us");
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === "pack-blocked"));
  } finally {
    await server.close();
  }
});

test("a page whose console.warn throws, an Object.prototype setter for an event's detail, a broken clock and a registry that throws: the survey shows, answers and delivers", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      // A test harness that fails on any warning.
      console.warn = () => { throw new Error("fail-on-console"); };
      // Accessors on Object.prototype for the keys of an event's and a shadow root's init.
      for (const key of ["detail", "mode", "bubbles"]) {
        Object.defineProperty(Object.prototype, key, { set() { throw new Error(`setter ${key}`); }, get() { return undefined; }, configurable: true });
      }
      // A broken date mock: Date.now() is not a number.
      Date.now = () => NaN;
      // A registry polyfill that refuses every definition.
      customElements.define = () => { throw new Error("registry says no"); };
      window.pageErrors = [];
      addEventListener("error", (e) => window.pageErrors.push(e.message));
      addEventListener("unhandledrejection", (e) => window.pageErrors.push(String(e.reason?.message ?? e.reason)));
    });
    // "sv" has no pack: its warning goes to a console that throws.
    const error = await openMount(page, server.url, { kind: "nps", id: "harsh", locale: "sv" });
    expect(error).toBeNull();
    await page.evaluate(() => {
      window.events = [];
      for (const name of ["answer", "submit", "sent"]) document.addEventListener(`sondeo:${name}`, (e) => window.events.push(`${name}:${e.detail.surveyId ?? e.detail.id}`));
    });
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("textbox").fill("fine");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === "harsh" && x.body.complete));
    await expect.poll(() => page.evaluate(() => window.survey.pending())).toBe(0);
    const events = await page.evaluate(() => window.events);
    expect(events).toContain("answer:harsh");
    expect(events).toContain("submit:harsh");
    expect(events.some((e) => e.startsWith("sent:"))).toBe(true);
    expect(await page.evaluate(() => window.pageErrors)).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a page without attachShadow gets sondeo's own error from mount(), and no empty element left behind", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      Element.prototype.attachShadow = () => { throw new DOMException("not supported", "NotSupportedError"); };
    });
    const error = await openMount(page, server.url, { kind: "nps", id: "no-shadow" });
    expect(error).toBe("sondeo: could not show the survey: not supported");
    await expect(page.locator("#target sondeo-survey")).toHaveCount(0);
  } finally {
    await server.close();
  }
});

test("a page rule that gives elements a full-screen ::after overlay does not cover a modal or slide-in", async ({ page }) => {
  const server = await startServer();
  try {
    // A UI kit's rule for its own [data-state] elements, and one aimed at the widget's tag.
    await addPageStyles(page, `[data-state]::after, sondeo-survey::before { content: ""; position: fixed; inset: 0; background: rgb(0 0 0 / .01); z-index: 2147483647; }`);
    for (const display of ["modal", "slide-in"]) {
      const id = `overlay-${display}`;
      await page.goto("about:blank"); // a new document: mount.html#… again would only move the fragment
      expect(await openMount(page, server.url, { kind: "nps", id, display, force: true })).toBeNull();
      // A real click at the point's place: it must reach the point, not an overlay.
      await page.getByRole("radio", { name: "9", exact: true }).click();
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === id));
    }
  } finally {
    await server.close();
  }
});

test("a wasm request that is never answered fails mount() after 30 s in words, not never", async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startServer();
  try {
    // Accepted and never answered, as a stalled CDN edge or a proxy holding it.
    await page.route(/\/dist\/sondeo_bg\.wasm/, () => {});
    const started = Date.now();
    const error = await openMount(page, server.url, { kind: "nps" });
    expect(error).toMatch(/^sondeo: could not start: \S*\/dist\/sondeo_bg\.wasm: no answer within 30 s \(a stalled network, proxy or CDN\)$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29_000);
  } finally {
    await server.close();
  }
});

test("a delivery module that never arrives is said after 30 s and fetched again, and the answer sent", async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startServer();
  try {
    // The first request for the delivery module's code is held for ever; a later one is served.
    let held = 0;
    await page.route(/\/dist\/sondeo-deliver\.js/, (route) => (held++ === 0 ? undefined : route.continue()));
    await page.addInitScript(() => {
      window.errors = [];
      document.addEventListener("sondeo:error", (e) => window.errors.push(e.detail?.error ?? ""));
    });
    await openMount(page, server.url, { kind: "nps", id: "stalled-courier" });
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.evaluate(() => window.errors), { timeout: 45_000 }).toEqual([expect.stringMatching(/sondeo-deliver\.js: no answer within 30 s/)]);
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete && x.body.surveyId === "stalled-courier"), 30_000);
  } finally {
    await server.close();
  }
});

test("a page that replaced TextEncoder with a polyfill without encodeInto still gets words with accents sent", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => {
      const Native = TextEncoder;
      // As the old `text-encoding` package did: encode() only.
      window.TextEncoder = class { encode(text) { return new Native().encode(text); } };
    });
    expect(await openMount(page, server.url, { kind: "nps", id: "encoder", locale: "es", metadata: { city: "Zürich" } })).toBeNull();
    await page.getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("textbox").fill("café ünï 😀");
    await page.getByRole("button", { name: "Enviar" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    expect(server.posts.at(-1).body).toMatchObject({ comment: "café ünï 😀", metadata: { city: "Zürich" }, locale: "es" });
  } finally {
    await server.close();
  }
});

test("a page that stubbed crypto.getRandomValues to do nothing still gives each response its own id", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => { Crypto.prototype.getRandomValues = (array) => array; });
    expect(await openMount(page, server.url, { kind: "nps", id: "ids" })).toBeNull();
    await page.evaluate(async () => {
      const { mount } = await import("/dist/sondeo.js");
      for (let i = 0; i < 5; i++) {
        const survey = await mount(document.body.appendChild(document.createElement("div")), { kind: "nps", id: `ids${i}`, endpoint: "/api/responses" });
        survey.select(9);
      }
    });
    await waitForPosts(server.posts, (p) => p.length >= 5);
    expect(new Set(server.posts.map((p) => p.body.id)).size).toBe(5);
  } finally {
    await server.close();
  }
});

test("a browser without WebAssembly (Lockdown Mode) is told so by name; a registry polyfill that defines a subclass raises no false warning", async ({ page }) => {
  const server = await startServer();
  try {
    await page.addInitScript(() => { delete globalThis.WebAssembly; });
    expect(await openMount(page, server.url, { kind: "nps" })).toBe("sondeo: could not start: this browser runs no WebAssembly (Lockdown Mode, or turned off by a policy)");
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    const other = await page.context().newPage();
    other.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    await other.addInitScript(() => {
      const define = CustomElementRegistry.prototype.define;
      CustomElementRegistry.prototype.define = function (name, c, options) { return define.call(this, name, class extends c {}, options); };
    });
    expect(await openMount(other, server.url, { kind: "nps", id: "subclass" })).toBeNull();
    await expect(other.getByRole("radio", { name: "9", exact: true })).toBeVisible();
    expect(warnings.filter((w) => w.includes("could not be defined"))).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a second copy of sondeo.js (a tag manager's ?v=2) hands its calls to the first: one prompt asked, one answer stored, one wasm", async ({ page }) => {
  const server = await startServer();
  try {
    const wasm = [];
    page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(new URL(r.url()).pathname));
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    const modal = { endpoint: "/api/responses", kind: "nps", id: "twice", display: "modal", trigger: { load: true }, delivery: { partial: false } };
    expect(await openMount(page, server.url, modal)).toBeNull();
    await expect(page.getByRole("dialog")).toHaveCount(1);
    await page.evaluate(async ([modal]) => {
      const second = await import("/dist/sondeo.js?v=2");
      window.second = await second.mount(null, modal);
      // The same inline survey from each copy into one container: one card, the second.
      const box = document.body.appendChild(document.createElement("div"));
      await (await import("/dist/sondeo.js")).mount(box, { endpoint: "/api/responses", kind: "csat", id: "inline-twice" });
      await second.mount(box, { endpoint: "/api/responses", kind: "csat", id: "inline-twice" });
      window.box = box;
    }, [modal]);
    // The first copy's open modal stands; the second copy's is the same survey, mounted again in the same place.
    await expect(page.getByRole("dialog")).toHaveCount(1);
    await expect(page.getByRole("radiogroup")).toHaveCount(2); // the modal's scale and the one inline card
    await page.getByRole("dialog").getByRole("radio", { name: "9", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.length >= 1);
    await page.waitForTimeout(2_000);
    // No second modal behind the first, asking again.
    await expect(page.getByRole("dialog").getByRole("radio")).toHaveCount(0);
    expect(server.posts.filter((p) => p.body.surveyId === "twice")).toHaveLength(1);
    expect(wasm.filter((path) => path.endsWith("/sondeo_bg.wasm"))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes("defined by another script"))).toEqual([]);
  } finally {
    await server.close();
  }
});

test("a survey inside an srcdoc frame posts no made-up page address", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/blank.html`);
    await page.evaluate(() => {
      const frame = document.createElement("iframe");
      frame.srcdoc = `<div id="box"></div><script type="module">
        import { mount } from "/dist/sondeo.js";
        mount(document.getElementById("box"), { kind: "nps", id: "framed", endpoint: "/api/responses" }).then((s) => s.select(7));
      </script>`;
      document.body.append(frame);
    });
    await waitForPosts(server.posts, (p) => p.length === 1);
    expect(server.posts[0].body).toMatchObject({ surveyId: "framed", score: 7 });
    // Its origin reads "null": "nullsrcdoc" is no page.
    expect(server.posts[0].body).not.toHaveProperty("page");
  } finally {
    await server.close();
  }
});
