// Runs the real collector (target/server/sondeo-collector) on a free port with a
// fresh SQLite file, for end-to-end tests of delivery.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

// Without a rate limit: every simulated visitor posts from 127.0.0.1 (the limit has its own tests).
export async function startCollector({ www = "tests/e2e/pages", csp = false, token = "" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sondeo-e2e-"));
  const child = spawn(join(root, "target/server/sondeo-collector"),
    ["--listen", "127.0.0.1:0", "--rate-limit", "0", "--db", join(dir, "e2e.db"), "--www", join(root, www), "--dist", join(root, "dist"), ...(csp ? [] : ["--no-csp"])],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SONDEO_READ_TOKEN: token } });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`collector exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      const match = /http:\/\/([0-9.:]+)\//.exec(String(chunk));
      if (match) resolve(`http://${match[1]}`);
    });
  });
  return {
    url,
    async post(body) {
      const response = await fetch(`${url}/api/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`post answered ${response.status}: ${await response.text()}`);
    },
    async export() {
      const response = await fetch(`${url}/api/responses?format=ndjson`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      return (await response.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
