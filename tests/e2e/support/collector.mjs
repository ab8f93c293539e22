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
  const run = (listen) => {
    const child = spawn(join(root, "target/server/sondeo-collector"),
      ["--listen", listen, "--rate-limit", "0", "--db", join(dir, "e2e.db"), "--www", join(root, www), "--dist", join(root, "dist"), ...(csp ? [] : ["--no-csp"])],
      { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SONDEO_READ_TOKEN: token } });
    const url = new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`collector exited with ${code}`)));
      child.stdout.on("data", (chunk) => {
        const match = /http:\/\/([0-9.:]+)\//.exec(String(chunk));
        if (match) resolve(`http://${match[1]}`);
      });
    });
    return { child, url };
  };
  let { child, url: started } = run("127.0.0.1:0");
  const url = await started;
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
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
    /** Stops the collector, keeping its database (a deploy, a crash); `up()` starts it again. */
    down: stop,
    /** Starts the collector again on the same address and database. */
    async up() {
      ({ child, url: started } = run(url.slice("http://".length)));
      await started;
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
