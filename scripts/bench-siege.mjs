// The collector under siege: idle sockets, stalled readers, SIGTERM with clients
// hanging on. Prints one markdown table. Run by `npm run bench:siege` (and `npm run bench`).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const binary = process.env.BENCH_COLLECTOR ?? "target/server/sondeo-collector";

async function start(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "sondeo-siege-"));
  const child = spawn(binary, ["--listen", "127.0.0.1:0", "--db", join(dir, "siege.db"), "--www", "www", "--dist", "dist",
    "--rate-limit", "0", "--max-body", "2000000", ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`collector exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      const match = /127\.0\.0\.1:(\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, dir };
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function openSocket(port, send = "") {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      if (send) socket.write(send);
      resolve(socket);
    });
    socket.on("error", () => {});
  });
}

async function post(url, items) {
  const response = await fetch(`${url}/api/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(items) });
  if (!response.ok) throw new Error(`post: ${response.status} ${await response.text()}`);
}

async function fill(url, rows, prefix = "row") {
  const comment = "a comment of some length, as customers write them. ".repeat(14);
  for (let start = 0; start < rows; start += 250) {
    const items = [];
    for (let i = start; i < Math.min(rows, start + 250); i++) {
      items.push({ id: `${prefix}-${i}`, kind: "nps", score: i % 11, comment, metadata: { agent: `a${i % 7}`, ticketId: String(i) } });
    }
    await post(url, items);
  }
}

/** Requests answered in `seconds` by one client in a loop (each on a new connection). */
async function answeredWithin(url, seconds) {
  const until = Date.now() + seconds * 1000;
  let answered = 0, failed = 0;
  while (Date.now() < until) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000), headers: { connection: "close" } });
      if (response.ok) answered++; else failed++;
      await response.text();
    } catch { failed++; }
  }
  return { answered, failed };
}

function closedWhen(socket, since) {
  return new Promise((resolve) => socket.once("close", () => resolve((Date.now() - since) / 1000)));
}

const rows = [];
const row = (what, value) => rows.push(`| ${what} | ${value} |`);

// 1. 1,100 idle sockets: does anyone else get answers, and when are they closed?
{
  const c = await start();
  const opened = Date.now();
  const idle = await Promise.all(Array.from({ length: 1100 }, () => openSocket(c.port)));
  const closes = idle.map((s) => closedWhen(s, opened));
  const { answered, failed } = await answeredWithin(c.url, 3);
  row("requests answered in 3 s with 1,100 idle sockets open (one client, sequential)", `${answered} (${failed} failed)`);
  const times = await Promise.race([Promise.all(closes), sleep(30_000).then(() => null)]);
  row("seconds until the 1,100 idle sockets are closed (head timeout 10 s)", times ? Math.max(...times).toFixed(1) : "not within 30 s");
  c.child.kill("SIGTERM");
  rmSync(c.dir, { recursive: true, force: true });
}

// 2. Memory with 300 stalled stream readers, and with 120 stalled exports of a 1,500-row table.
{
  const c = await start();
  await fill(c.url, 1500);
  await sleep(300);
  const base = rssMb(c.child.pid);
  row("collector memory at rest, 1,500 rows stored", `${base.toFixed(1)} MB`);
  const streams = await Promise.all(Array.from({ length: 300 }, () => openSocket(c.port, "GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")));
  for (const s of streams) s.pause();
  for (let i = 0; i < 8; i++) await fill(c.url, 250, `event${i}`); // new ids: an exact re-send is not announced
  await sleep(500);
  row("… with 300 stalled event-stream readers", `${rssMb(c.child.pid).toFixed(1)} MB`);
  for (const s of streams) s.destroy();
  await sleep(500);
  const exports = await Promise.all(Array.from({ length: 120 }, () => openSocket(c.port, "GET /api/responses?format=ndjson HTTP/1.1\r\nHost: localhost\r\n\r\n")));
  for (const s of exports) s.pause();
  await sleep(2000);
  row("… with 120 stalled NDJSON exports of the 1,500-row table", `${rssMb(c.child.pid).toFixed(1)} MB`);
  const { answered } = await answeredWithin(c.url, 2);
  row("requests answered in 2 s meanwhile", `${answered}`);
  for (const s of exports) s.destroy();
  c.child.kill("SIGTERM");
  rmSync(c.dir, { recursive: true, force: true });
}

// 3. SIGTERM with a stalled upload, stalled exports, an open stream and idle sockets.
{
  const c = await start();
  await fill(c.url, 1500);
  const hanging = [
    await openSocket(c.port, "POST /api/responses HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{\"id\":"),
    await openSocket(c.port, "GET /api/stream HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ...(await Promise.all(Array.from({ length: 20 }, () => openSocket(c.port, "GET /api/responses HTTP/1.1\r\nHost: localhost\r\n\r\n")))),
    ...(await Promise.all(Array.from({ length: 100 }, () => openSocket(c.port)))),
  ];
  for (const s of hanging) s.pause();
  await sleep(500);
  const asked = Date.now();
  const exited = new Promise((resolve) => c.child.once("exit", () => resolve((Date.now() - asked) / 1000)));
  c.child.kill("SIGTERM");
  const seconds = await Promise.race([exited, sleep(30_000).then(() => null)]);
  row("seconds from SIGTERM to exit with a stalled upload, 20 stalled exports, a stream and 100 idle sockets", seconds === null ? "still running after 30 s" : seconds.toFixed(2));
  for (const s of hanging) s.destroy();
  if (seconds === null) c.child.kill("SIGKILL");
  rmSync(c.dir, { recursive: true, force: true });
}

console.log("| siege | result |\n|---|---|");
console.log(rows.join("\n"));
process.exit(0);
