// A fault-injecting HTTP proxy for delivery tests, outside the production path:
// in front of the collector it fails a share of response posts with 503, delays
// some, and resets some connections — before forwarding (the post is lost) or after
// (the post is stored but its acknowledgement is lost). It counts what it injected.
import { createServer, request } from "node:http";

export async function startFaultProxy(target, { fail = 0.2, delay = 0.2, resetBefore = 0.05, resetAfter = 0.05, seed = 1 } = {}) {
  let state = seed;
  // A small deterministic generator (mulberry32), so a failing run can be replayed.
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const injected = { failed: 0, delayed: 0, resetBefore: 0, resetAfter: 0, forwarded: 0 };
  let faulty = true;
  const targetUrl = new URL(target);
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const isPost = req.method === "POST" && req.url.startsWith("/api/responses");
    if (isPost && faulty) {
      const r = random();
      if (r < fail) { injected.failed++; res.writeHead(503, { "content-type": "application/json" }).end('{"error":"injected 503"}'); return; }
      if (r < fail + resetBefore) { injected.resetBefore++; req.socket.destroy(); return; }
      if (random() < delay) { injected.delayed++; await new Promise((ok) => setTimeout(ok, 100 + random() * 1500)); }
    }
    const upstream = request({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const out = [];
      up.on("data", (c) => out.push(c));
      up.on("end", () => {
        if (isPost) injected.forwarded++;
        if (isPost && faulty && random() < resetAfter) { injected.resetAfter++; req.socket.destroy(); return; }
        res.writeHead(up.statusCode, up.headers).end(Buffer.concat(out));
      });
    });
    upstream.on("error", () => res.destroy());
    upstream.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    injected,
    heal() { faulty = false; },
    close: () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); }),
  };
}
