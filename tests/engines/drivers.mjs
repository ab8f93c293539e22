// One small driver interface over the two engines Playwright cannot drive here: Debian's
// Firefox ESR (over WebDriver BiDi, through puppeteer-core; no geckodriver needed) and
// WebKitGTK, Safari's engine (WebKitWebDriver driving MiniBrowser over classic WebDriver,
// under a virtual X display because MiniBrowser has no headless mode). Playwright's own
// Firefox and WebKit builds only come from its CDN, which this machine cannot reach.
//
// Every driver offers: goto(url), run(expression) → its JSON value (promises awaited),
// click(expression yielding an element), press(key), type(text), resize(width, height), close().
// Expressions see the helpers in HELPERS (shadow-DOM aware lookups).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import puppeteer from "puppeteer-core";

export const FIREFOX = "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver";
// In Debian's multiarch folder, whatever the machine's (x86_64-linux-gnu, aarch64-linux-gnu, …).
const MINIBROWSER = readdirSync("/usr/lib").map((dir) => `/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`).find((path) => existsSync(path))
  ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

// The widget renders into an open shadow root; these find elements in the page and in
// every shadow root, by selector and, optionally, accessible name (aria-label or text).
const HELPERS = `
  const roots = (top = document) => {
    const out = [top];
    for (let i = 0; i < out.length; i++) for (const e of out[i].querySelectorAll("*")) if (e.shadowRoot) out.push(e.shadowRoot);
    return out;
  };
  const nameOf = (e) => (e.getAttribute("aria-label") ?? e.textContent).trim();
  const findAll = (selector, name, top) => roots(top).flatMap((r) => [...r.querySelectorAll(selector)]).filter((e) => name === undefined || nameOf(e) === name);
  const find = (selector, name, top) => findAll(selector, name, top)[0] ?? null;
  const within = (host, selector, name) => find(selector, name, document.querySelector(host).shadowRoot);
  const focused = () => { let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a; };
`;
const wrap = (expression) => `(async () => { ${HELPERS} return (${expression}); })()`;

async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

export async function launchFirefox() {
  const browser = await puppeteer.launch({
    browser: "firefox", executablePath: FIREFOX, headless: true, protocol: "webDriverBiDi",
    // No first-run pages, no update or telemetry traffic: the machine has no internet.
    extraPrefsFirefox: { "app.update.enabled": false, "browser.shell.checkDefaultBrowser": false, "datareporting.policy.dataSubmissionEnabled": false, "toolkit.telemetry.enabled": false },
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  return {
    name: "firefox",
    async goto(url) { await page.goto(url, { waitUntil: "load" }); },
    run: (expression) => page.evaluate(wrap(expression)),
    async click(expression) {
      const handle = await page.evaluateHandle(wrap(expression));
      const element = handle.asElement();
      if (!element) throw new Error(`click: nothing matched ${expression}`);
      await element.click();
    },
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    resize: (width, height) => page.setViewport({ width, height }),
    close: () => browser.close(),
  };
}

// W3C WebDriver key codes for the keys the flows press.
const KEYS = { Shift: "\uE008", Tab: "\uE004", Enter: "\uE007", Escape: "\uE00C", " ": " ", End: "\uE010", Home: "\uE011", ArrowLeft: "\uE012", ArrowUp: "\uE013", ArrowRight: "\uE014", ArrowDown: "\uE015" };
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export async function launchWebKit() {
  const port = await freePort();
  // xvfb-run gives MiniBrowser a display; its own process group lets close() stop Xvfb too.
  // WebKitGTK sandboxes its web process with bubblewrap, which a container without user
  // namespaces refuses to start: off for these local test pages, as Chromium's is here.
  const child = spawn("xvfb-run", ["-a", "-s", "-screen 0 1280x1024x24", WEBKIT_DRIVER, `--port=${port}`, "--host=127.0.0.1"],
    { detached: true, stdio: "ignore", env: { ...process.env, WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: "1" } });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
    const reply = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${reply.value?.error} ${reply.value?.message}`);
    return reply.value;
  };
  let session;
  for (let attempt = 0; ; attempt++) {
    try {
      session = await call("POST", "/session", {
        capabilities: { alwaysMatch: { browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } } },
      });
      break;
    } catch (error) {
      if (attempt > 100) { process.kill(-child.pid); throw error; }
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  const s = `/session/${session.sessionId}`;
  await call("POST", `${s}/window/rect`, { width: 1280, height: 800 }).catch(() => {});
  const keys = (values) => call("POST", `${s}/actions`, {
    actions: [{ type: "key", id: "keyboard", actions: values.flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]) }],
  });
  return {
    name: "webkit",
    goto: (url) => call("POST", `${s}/url`, { url }),
    run: (expression) => call("POST", `${s}/execute/sync`, { script: `return ${wrap(expression)};`, args: [] }),
    async click(expression) {
      const element = await call("POST", `${s}/execute/sync`, { script: `return ${wrap(expression)};`, args: [] });
      if (!element?.[ELEMENT]) throw new Error(`click: nothing matched ${expression}`);
      await call("POST", `${s}/element/${element[ELEMENT]}/click`, {});
    },
    press: (key) => keys([KEYS[key] ?? key]),
    type: (text) => keys([...text]),
    // The window, not the viewport: MiniBrowser's toolbar takes some height (and it will not go below ~450 px wide).
    resize: (width, height) => call("POST", `${s}/window/rect`, { width, height }),
    async close() {
      await call("DELETE", s).catch(() => {});
      try { process.kill(-child.pid); } catch { /* already gone */ }
    },
  };
}

export const ENGINES = { firefox: launchFirefox, webkit: launchWebKit };

/** Polls `expression` in the page until it is truthy. */
export async function waitUntil(driver, expression, what, timeout = 10_000) {
  const start = Date.now();
  for (;;) {
    if (await driver.run(`Boolean(${expression})`).catch(() => false)) return;
    if (Date.now() - start > timeout) throw new Error(`${driver.name}: timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
