import { chromium } from "@playwright/test";
import { startCollector } from "./tests/e2e/support/collector.mjs";
const c = await startCollector({ www: "www", csp: true });
let i = 0;
const agents = ["ana", "bo", "chen", "dee", "eli"];
for (let d = 0; d < 56; d++) {
  const day = new Date(Date.UTC(2026, 9, 1) + d * 86400000).toISOString().slice(0, 10);
  for (let k = 0; k < 6; k++) {
    const agent = agents[(d + k) % 5];
    const bias = agent === "bo" ? -4 : 0;
    const score = Math.max(0, Math.min(10, Math.round(8 + bias + 3 * Math.sin(d * 7 + k * 13))));
    await c.post({ id: `n${i++}`, surveyId: "relationship", kind: "nps", score, complete: true, submittedAt: `${day}T10:00:00Z`, metadata: { agent, touchpoint: k % 2 ? "web" : "phone" }, reasons: score < 7 ? [["price", "speed", "support"][k % 3]] : (k == 5 ? ["support"] : []), comment: score < 7 ? "Too slow to answer" : "Great help" });
    if (k < 3) await c.post({ id: `c${i++}`, surveyId: "post-ticket", kind: "csat", score: Math.max(1, Math.min(5, Math.round(4 + bias / 3 + Math.cos(d + k)))), complete: true, submittedAt: `${day}T11:00:00Z`, metadata: { agent } });
  }
}
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless=new"] });
for (const [w, name] of [[1280, "wide"], [320, "narrow"]]) {
  const p = await b.newPage({ viewport: { width: w, height: 900 } });
  p.on("pageerror", (e) => console.log("pageerror:", e.message));
  await p.goto(`${c.url}/dashboard.html?by=metadata.agent`);
  await p.waitForTimeout(2500);
  for (const id of ["groups", "trend", "segment-charts", "driver-charts"]) await p.locator(`#${id}`).screenshot({ path: `/tmp/dash-${name}-${id}.png` });
  if (w == 1280) await p.screenshot({ path: "/tmp/dash-readme.png", clip: { x: 0, y: 0, width: 1280, height: 1500 } });
  console.log(name, await p.evaluate(() => document.documentElement.scrollWidth));
}
await b.close(); await c.stop();
