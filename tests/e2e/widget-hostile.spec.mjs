// Hostile host pages: a strict CSP with Trusted Types, and CSS that fights the widget.
import { test, expect } from "@playwright/test";
import { addPageStyles, openMount, startServer, waitForPosts } from "./support/server.mjs";

test("the widget works under a strict CSP with Trusted Types and causes no violation", async ({ page }) => {
  const server = await startServer({ csp: true });
  try {
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    await page.goto(`${server.url}/`);
    await page.locator("#inline-nps").getByRole("radio", { name: "8", exact: true }).click();
    await page.locator("#inline-nps").getByRole("textbox").fill("Good, but pricey");
    await page.locator("#inline-nps").getByRole("button", { name: "Send" }).click();
    await page.getByRole("button", { name: "CSAT (faces) in a modal" }).click();
    await page.getByRole("dialog").getByRole("radio", { name: "4 – Satisfied" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete) && p.some((x) => x.body.kind === "csat"));
    expect(await page.evaluate(() => window.violations)).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|TrustedHTML|Trusted Type/i.test(e))).toEqual([]);
    // The policy really was applied: an inline style attribute set by the page itself is refused.
    const blocked = await page.evaluate(() => {
      const probe = document.createElement("div");
      try { probe.innerHTML = "<b>x</b>"; return false; } catch { return true; }
    });
    expect(blocked).toBe(true);
  } finally {
    await server.close();
  }
});

test("a page whose CSS fights the widget cannot hide or restyle it", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/hostile.html`);
    const nine = page.getByRole("radio", { name: "9", exact: true });
    await expect(nine).toBeVisible();
    const style = await nine.evaluate((el) => {
      const s = getComputedStyle(el);
      return { fontSize: s.fontSize, color: s.color, display: s.display, textTransform: s.textTransform };
    });
    expect(style.fontSize).not.toBe("40px");
    expect(style.color).not.toBe("rgb(255, 0, 0)");
    expect(style.display).not.toBe("none");
    expect(style.textTransform).toBe("none");
    const box = await nine.boundingBox();
    expect(box.height).toBeGreaterThanOrEqual(30);
    await nine.click();
    await expect(page.getByText("Great to hear! What did we do well?")).toBeVisible();
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    expect(server.posts.at(-1).body).toMatchObject({ surveyId: "hostile", score: 9, group: "promoter" });
  } finally {
    await server.close();
  }
});

test("hostile values given to mount() and select() are refused clearly and leave the module working", async ({ page }) => {
  test.setTimeout(60_000);
  const server = await startServer();
  try {
    expect(await openMount(page, server.url, { kind: "nps", id: "first" })).toBeNull();
    const results = await page.evaluate(async () => {
      const { mount } = await import("/dist/sondeo.js");
      const target = () => document.body.appendChild(document.createElement("div"));
      const settle = (promise) => Promise.race([
        promise.then(() => "mounted", (e) => `rejected: ${e.message}`),
        new Promise((r) => setTimeout(() => r("still running after 10 s"), 10_000)),
      ]);
      const out = {};
      // A config whose traps throw, 600 times: an exception that crossed the wasm frames
      // used to leak its stack, and the module broke after about 470 of them.
      const throwing = () => new Proxy({}, { ownKeys() { throw new Error("boom"); }, get() { throw new Error("boom"); } });
      for (let i = 0; i < 600; i++) out.proxy = await settle(mount(target(), { kind: "nps", endpoint: "/api/responses", metadata: throwing() }));
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      out.revoked = await settle(mount(target(), { kind: "nps", endpoint: "/api/responses", metadata: revoked.proxy }));
      // An object that refers to itself under eight keys (8^8 paths, minutes to read whole).
      const many = {};
      for (let k = 0; k < 8; k++) many[`k${k}`] = many;
      out.selfReferring = await settle(mount(target(), { kind: "nps", endpoint: "/api/responses", metadata: many }));
      out.window = await settle(mount(target(), window));
      // Past the most values read, what follows is not left out unread (anonymous here): the config is refused.
      const theme = Object.fromEntries(Array.from({ length: 10_050 }, (_, i) => [`--sondeo-x${i}`, "1px"]));
      out.huge = await settle(mount(target(), { kind: "nps", endpoint: "/api/responses", theme, anonymous: true }));
      // Theme values the browser would drop (a colour without its #, a radius without a unit) are
      // named in the console and left out: the default stays, and the survey shows.
      out.themes = [];
      const warn = console.warn;
      const warned = [];
      console.warn = (message) => warned.push(String(message));
      const themed = [];
      for (const bad of [{ accent: "0b5fff" }, { border: "banana" }, { radius: "8" }, { font: "12px" }, { zIndex: "top" }]) {
        themed.push(target());
        out.themes.push(await settle(mount(themed.at(-1), { kind: "nps", endpoint: "/api/responses", theme: bad })));
      }
      console.warn = warn;
      out.themeWarnings = warned;
      out.accent = getComputedStyle(themed[0].querySelector("sondeo-survey")).getPropertyValue("--sondeo-accent");
      out.goodTheme = await settle(mount(target(), { kind: "nps", endpoint: "/api/responses",
        theme: { accent: "#0b5fff", accentText: "white", background: "var(--page-bg, #fff)", radius: "8px", font: "Inter, sans-serif", zIndex: "10", "--sondeo-anything": "x y z" } }));
      // select() takes a number, not what JavaScript would turn into one.
      out.select = [];
      for (const bad of [null, "", [], false, true, "9", [5], 3.5, 11]) {
        try { window.survey.select(bad); out.select.push("accepted"); } catch (e) { out.select.push(e.message); }
      }
      out.afterwards = await settle(mount(target(), { kind: "csat", endpoint: "/api/responses" }));
      return out;
    });
    expect(results.proxy).toMatch(/^rejected: sondeo: invalid config: metadata: /);
    expect(results.revoked).toMatch(/^rejected: sondeo: invalid config: metadata: /);
    expect(results.selfReferring).toMatch(/^rejected: sondeo: invalid config: expected at most 10000 values in all/);
    expect(results.huge).toMatch(/^rejected: sondeo: invalid config: expected at most 10000 values in all/);
    expect(results.themes).toEqual(Array(5).fill("mounted"));
    expect(results.themeWarnings).toEqual([
      'sondeo: theme.accent: expected a CSS color value, got "0b5fff"; the default is used',
      'sondeo: theme.border: expected a CSS color value, got "banana"; the default is used',
      'sondeo: theme.radius: expected a CSS border-radius value, got "8"; the default is used',
      'sondeo: theme.font: expected a CSS font-family value, got "12px"; the default is used',
      'sondeo: theme.zIndex: expected a CSS z-index value, got "top"; the default is used',
    ]);
    // The value left out is not set on the element: its own default colour stays.
    expect(results.accent).toBe("");
    expect(results.goodTheme).toBe("mounted");
    expect(results.window).toMatch(/^rejected: sondeo: invalid config: /);
    // The scale said in the error is NPS's, 0 to 10.
    expect(results.select).toEqual(Array(9).fill("sondeo: score: expected an integer from 0 to 10"));
    expect(results.afterwards).toBe("mounted");
    // The first survey still answers, and nothing was posted for the refused select() calls.
    await page.locator("#target").getByRole("radio", { name: "9", exact: true }).click();
    await waitForPosts(server.posts, (p) => p.length === 1);
    expect(server.posts[0].body).toMatchObject({ surveyId: "first", score: 9 });
  } finally {
    await server.close();
  }
});

test("a beforeSend that returns nothing is reported, sends nothing, and leaves the survey answering", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/mount.html`);
    const events = await page.evaluate(async () => {
      const { mount } = await import("/dist/sondeo.js");
      const errors = [];
      document.addEventListener("sondeo:error", (e) => errors.push(e.detail.error));
      const target = document.getElementById("target");
      const survey = await mount(target, { kind: "nps", endpoint: "/api/responses", beforeSend: () => {} });
      survey.select(9);
      survey.select(3);
      const left = survey.pending();
      survey.destroy();
      // A hook that throws an error whose message cannot be read, 600 times: nothing of it
      // may cross the module's frames (each crossing leaked stack; ~470 broke the module).
      const strange = () => { throw Object.defineProperty(new Error("x"), "message", { get() { throw new Error("no message"); } }); };
      const other = await mount(target, { kind: "nps", endpoint: "/api/responses", beforeSend: strange });
      for (let i = 0; i < 600; i++) other.select(i % 2 ? 9 : 3);
      other.destroy();
      const afterwards = await mount(target, { kind: "csat", endpoint: "/api/responses" });
      afterwards.select(5);
      return { errors, left, children: target.children.length };
    });
    expect(events.errors.slice(0, 2)).toEqual(Array(2).fill("beforeSend returned nothing JSON can write (undefined, a function, a cycle); expected a string or an object"));
    expect(events.errors.slice(2)).toEqual(Array(600).fill("beforeSend threw: "));
    expect(events.left).toBe(0);
    expect(events.children).toBe(1);
    await waitForPosts(server.posts, (p) => p.length === 1);
    expect(server.posts[0].body).toMatchObject({ kind: "csat", score: 5 });
  } finally {
    await server.close();
  }
});

test("a modal or slide-in stays on screen and on top of a transformed, scrolled page under a cookie bar at the highest z-index", async ({ page }) => {
  const server = await startServer();
  try {
    await page.setViewportSize({ width: 1000, height: 800 });
    // A transform on body makes `position: fixed` relative to the body, not the screen;
    // a consent bar at the highest z-index covers the bottom of the screen.
    await addPageStyles(page, `body { transform: scale(.5); filter: contrast(1); height: 6000px }
      #bar { position: fixed; left: 0; right: 0; bottom: 0; height: 50vh; z-index: 2147483647; background: #eee }`);
    await page.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => {
        const bar = document.createElement("div");
        bar.id = "bar";
        document.documentElement.append(bar);
      });
    });
    for (const display of ["slide-in", "modal"]) {
      await openMount(page, server.url, { kind: "nps", id: display, display, trigger: { event: "go" }, delivery: { partial: true } }, `?${display}`);
      await page.evaluate(() => window.scrollTo(0, 1500));
      await page.evaluate(() => window.dispatchEvent(new Event("go")));
      const ten = page.getByRole("radio", { name: "10", exact: true });
      await expect(ten).toBeVisible();
      const box = await ten.boundingBox();
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(800);
      expect(box.x + box.width).toBeLessThanOrEqual(1000);
      // A click lands on the widget, not on the bar drawn over the same place.
      await ten.click({ timeout: 5_000 });
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === display));
      const close = page.getByRole("button", { name: /close/i });
      await close.click({ timeout: 5_000 });
      await expect(ten).toBeHidden();
    }
  } finally {
    await server.close();
  }
});

for (const display of ["modal", "slide-in"]) {
  test(`a ${display} waits while the page's own modal dialog is open, then shows and takes the answer`, async ({ page }) => {
    const server = await startServer();
    try {
      // A cookie dialog opened with showModal() before the prompt's trigger fires: everything
      // else on the page is inert, so a prompt drawn over it could not be answered.
      await page.addInitScript(() => {
        document.addEventListener("DOMContentLoaded", () => {
          const dialog = document.createElement("dialog");
          dialog.id = "cookies";
          const accept = document.createElement("button");
          accept.textContent = "Accept all cookies";
          accept.onclick = () => dialog.close();
          dialog.append(accept);
          document.body.append(dialog);
          dialog.showModal();
        });
      });
      await openMount(page, server.url, { kind: "nps", display, force: true });
      const host = page.locator("sondeo-survey");
      await page.waitForTimeout(1_500);
      await expect(host).toHaveAttribute("data-state", "closed");
      // The site's own show() waits too.
      await page.evaluate(() => window.survey.show());
      await page.waitForTimeout(1_200);
      await expect(host).toHaveAttribute("data-state", "closed");
      // A score chosen by the site (a post-ticket link) is sent at once; the prompt still waits.
      await page.evaluate(() => window.survey.select(6));
      await waitForPosts(server.posts, (p) => p.length >= 1);
      expect(server.posts[0].body).toMatchObject({ score: 6, complete: false });
      expect(server.posts[0].body.id).toMatch(/^[0-9a-f-]{36}$/);
      await page.waitForTimeout(1_200);
      await expect(host).toHaveAttribute("data-state", "closed");
      await page.getByRole("button", { name: "Accept all cookies" }).click();
      await expect(host).toHaveAttribute("data-state", "open", { timeout: 3_000 });
      await page.getByRole("radio", { name: "9", exact: true }).click();
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.score === 9));
      expect(new Set(server.posts.map((p) => p.body.id)).size).toBe(1);
    } finally {
      await server.close();
    }
  });
}

test("an inline card on a page set vertically (Japanese, top to bottom) keeps its one-row scale and answers by mouse", async ({ page }) => {
  const server = await startServer();
  try {
    await addPageStyles(page, "html { writing-mode: vertical-rl }");
    await openMount(page, server.url, { kind: "nps", id: "vertical" });
    const nine = page.getByRole("radio", { name: "9", exact: true });
    const box = await nine.boundingBox();
    expect(box.width).toBeGreaterThanOrEqual(24);
    // One row: the first and the last point side by side.
    const first = await page.getByRole("radio", { name: "0", exact: true }).boundingBox();
    const last = await page.getByRole("radio", { name: "10", exact: true }).boundingBox();
    expect(Math.abs(first.y - last.y)).toBeLessThan(1);
    await nine.click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.surveyId === "vertical" && x.body.score === 9));
  } finally {
    await server.close();
  }
});

test("a page rule that sets the widget's own zoom variable on it cannot shrink a modal out of reach", async ({ page }) => {
  const server = await startServer();
  try {
    await addPageStyles(page, "sondeo-survey { --sondeo-unzoom: .05 !important; zoom: .05 !important; }");
    await openMount(page, server.url, { kind: "nps", display: "modal", force: true });
    const nine = page.getByRole("radio", { name: "9", exact: true });
    const box = await nine.boundingBox();
    // The README's smallest target: 24 px (and at this width, 44 px tall).
    expect(box.width).toBeGreaterThanOrEqual(24);
    expect(box.height).toBeGreaterThanOrEqual(44);
    await nine.click();
    await expect(page.getByRole("textbox")).toBeVisible();
  } finally {
    await server.close();
  }
});

test("a page's ::first-line and ::first-letter rules (a teaser that hides a first line, a drop cap) do not reach the question", async ({ page }) => {
  const server = await startServer();
  try {
    await addPageStyles(page, `body::first-line, body *::first-line { font-size: 2px !important; color: transparent !important; }
      body::first-letter, body *::first-letter { float: left; font-size: 120px !important; color: red !important; }`);
    for (const display of ["inline", "slide-in", "modal"]) {
      await openMount(page, server.url, { kind: "nps", display, force: true }, `?${display}`);
      // The question's first letter and first line as drawn: the card's own size and colour.
      const drawn = await page.locator("sondeo-survey").evaluate((host) => {
        const q = host.shadowRoot.querySelector(".q");
        const range = document.createRange();
        range.setStart(q.firstChild, 0);
        range.setEnd(q.firstChild, 1);
        const letter = range.getBoundingClientRect().height;
        range.setEnd(q.firstChild, 3);
        return { letter, line: range.getBoundingClientRect().height, size: parseFloat(getComputedStyle(q).fontSize) };
      });
      // A glyph's box is about its font size tall: not 2 px, not 120 px.
      expect(drawn.letter, display).toBeGreaterThan(drawn.size * 0.8);
      expect(drawn.letter, display).toBeLessThan(drawn.size * 2);
      expect(drawn.line, display).toBeLessThan(drawn.size * 2);
    }
  } finally {
    await server.close();
  }
});

test("a page that registers the widget's old short variable names or styles every ::backdrop changes nothing", async ({ page }) => {
  const server = await startServer();
  try {
    // A common gradient-animation snippet registers --a as an angle; a registered type
    // would void a colour given to a variable of that name inside the shadow root too.
    await addPageStyles(page, `
      @property --a { syntax: "<angle>"; inherits: false; initial-value: 0deg; }
      @property --bg { syntax: "<length>"; inherits: false; initial-value: 0px; }
      @property --fg { syntax: "<number>"; inherits: false; initial-value: 0; }
      ::backdrop { background: rgb(0 0 0 / .6); backdrop-filter: blur(3px); }`);
    await openMount(page, server.url, { kind: "nps", display: "slide-in", force: true });
    await page.getByRole("radio", { name: "9", exact: true }).click();
    // Off the point, and past its colour transition.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(400);
    const looks = await page.locator("sondeo-survey").evaluate((host) => {
      const root = host.shadowRoot;
      const style = (el) => getComputedStyle(el);
      return {
        chosen: style(root.querySelector(".pt[aria-checked=true]")).backgroundColor,
        send: style(root.querySelector(".send")).backgroundColor,
        card: style(root.querySelector(".card")).backgroundColor,
        backdrop: getComputedStyle(host, "::backdrop").backgroundColor,
      };
    });
    // The default accent (#2457d6) and card (#fff), and no dimmed page behind a non-modal slide-in.
    expect(looks.chosen).toBe("rgb(36, 87, 214)");
    expect(looks.send).toBe("rgb(36, 87, 214)");
    expect(looks.card).toBe("rgb(255, 255, 255)");
    expect(looks.backdrop).toBe("rgba(0, 0, 0, 0)");
  } finally {
    await server.close();
  }
});

test("a page that zooms its body (body { zoom: 2 }) does not push a modal or slide-in off a short screen", async ({ page }) => {
  const server = await startServer();
  try {
    await page.setViewportSize({ width: 740, height: 360 });
    await addPageStyles(page, "body { zoom: 2 }");
    for (const display of ["slide-in", "modal"]) {
      expect(await openMount(page, server.url, { kind: "nps", display, reasons: ["Price", "Support", "Speed", "Ease of use"] }, `?${display}`)).toBeNull();
      await page.getByRole("radio", { name: "9", exact: true }).click();
      const close = await page.getByRole("button", { name: "Close" }).boundingBox();
      expect(close.y, display).toBeGreaterThanOrEqual(0);
      expect(close.y + close.height, display).toBeLessThanOrEqual(360);
      // As on an unzoomed page: × is a 44 px target, and a slide-in is min(420 px, 100vw − 24 px) wide.
      expect(close.height, display).toBe(44);
      if (display === "slide-in") {
        const card = await page.locator("sondeo-survey .card").boundingBox();
        expect(card.y).toBeGreaterThanOrEqual(0);
        expect(card.width).toBe(Math.min(420, 740 - 24));
      }
      await page.getByRole("button", { name: "Close" }).click();
      expect(await page.locator("sondeo-survey").getAttribute("data-state")).toBe("closed");
    }
  } finally {
    await server.close();
  }
});
