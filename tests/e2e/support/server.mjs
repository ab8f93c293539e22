// A small real HTTP server for widget tests: serves www/ at /, dist/ at /dist/ and
// tests/e2e/pages/ at /test/, and records every body posted to /api/responses so
// tests can check exactly what the widget sent. `csp` adds the strict policy the
// widget promises to work under.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png" };
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; require-trusted-types-for 'script'; trusted-types 'none'";

export async function startServer({ csp = false, status = 200, failFirst = 0, hangFirst = 0, reportCsp = false } = {}) {
  // `csp`: true for the strict policy, or a policy of the test's own.
  const policy = csp === true ? STRICT_CSP : csp;
  const posts = [];
  const refused = [];
  // The first `hangFirst` posts are read and never answered, as by a stalled proxy.
  const hung = [];
  // `down`: every post is refused until the test brings the collector back.
  const state = { down: false };
  const cspReports = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname === "/csp-report" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      cspReports.push(body);
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === "/api/responses" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      if (hung.length < hangFirst) {
        hung.push({ body: JSON.parse(body), at: Date.now() });
        return;
      }
      // The first `failFirst` posts (and all while `down`) meet a collector that is down: refused, not recorded.
      if (state.down || refused.length < failFirst) {
        refused.push(JSON.parse(body));
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"down for the test"}');
        return;
      }
      posts.push({ body: JSON.parse(body), headers: req.headers });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status < 300 ? '{"stored":1}' : '{"error":"refused by test","field":"score"}');
      return;
    }
    const [base, rest] = url.pathname.startsWith("/dist/") ? ["dist", url.pathname.slice(6)]
      : url.pathname.startsWith("/test/") ? ["tests/e2e/pages", url.pathname.slice(6)]
      : ["www", url.pathname === "/" ? "index.html" : url.pathname.slice(1)];
    const file = normalize(join(root, base, rest));
    if (!file.startsWith(join(root, base))) { res.writeHead(403).end(); return; }
    try {
      const data = await readFile(file);
      const headers = { "content-type": types[extname(file)] ?? "application/octet-stream" };
      if (policy && extname(file) === ".html") headers["content-security-policy"] = policy + (reportCsp ? "; report-uri /csp-report" : "");
      res.writeHead(200, headers);
      res.end(data);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, posts, refused, hung, cspReports, setDown: (down) => { state.down = down; }, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }) };
}

/** Waits until `predicate(posts)` holds (the widget posts asynchronously). */
export async function waitForPosts(posts, predicate, timeout = 10_000) {
  const start = Date.now();
  while (!predicate(posts)) {
    if (Date.now() - start > timeout) throw new Error(`posts never matched; got ${JSON.stringify(posts.map((p) => p.body))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Opens the test page with `config` mounted (endpoint /api/responses unless given); `query`
 * makes each load its own page (a URL that differs only in its hash does not reload).
 * Resolves to the mount error, or null.
 */
export async function openMount(page, base, config, query = "") {
  await page.goto(`${base}/test/mount.html${query}#${encodeURIComponent(JSON.stringify({ endpoint: "/api/responses", ...config }))}`);
  await page.waitForFunction(() => window.survey !== undefined || window.mountError);
  return page.evaluate(() => window.mountError);
}

/** Gives every page `css` as the page's own stylesheet (adopted once the document is parsed: no inline style, so it holds under the strict CSP too). */
export async function addPageStyles(page, css) {
  await page.addInitScript((css) => {
    document.addEventListener("DOMContentLoaded", () => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = [sheet];
    });
  }, css);
}
