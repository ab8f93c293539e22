// Hostile host pages: a strict CSP with Trusted Types, and CSS that fights the widget.
import { test, expect } from "@playwright/test";
import { startServer, waitForPosts } from "./support/server.mjs";

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
