// An employee pulse: eNPS with its standard question, asked anonymously.
import { test, expect } from "@playwright/test";
import { openMount, startServer, waitForPosts } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer({ csp: true }); });
test.afterEach(async () => { await server.close(); });

const open = (page, config, query) => openMount(page, server.url, config, query);

test("an anonymous eNPS pulse asks the standard question and posts no page, no user, no free metadata, only the day", async ({ page }) => {
  await open(page, { kind: "enps", anonymous: true, metadata: { team: "platform", location: "Lisbon" } }, "?employee=42");
  expect(await page.evaluate(() => window.mountError)).toBeNull();
  await expect(page.getByText("How likely are you to recommend us as a place to work?")).toBeVisible();
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await page.getByRole("textbox").fill("Good team");
  await page.getByRole("button", { name: "Send" }).click();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.complete));
  for (const { body } of server.posts) {
    expect(body.kind).toBe("enps");
    expect(body.group).toBe("promoter");
    expect(Object.keys(body)).not.toContain("page");
    expect(Object.keys(body)).not.toContain("user");
    expect(body.metadata).toEqual({ team: "platform", location: "Lisbon" });
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
  }
  expect(server.posts.at(-1).body.submittedAt).toMatch(/T00:00:00\.000Z$/);
});

test("an anonymous pulse refuses a user id or free metadata, naming each", async ({ page }) => {
  await open(page, { kind: "enps", anonymous: true, user: { id: "e-42" }, metadata: { team: "a", email: "x@example.com" }, responseId: "pulse-2026-11-e-42" });
  const error = await page.evaluate(() => window.mountError);
  expect(error).toContain("user: expected no user with anonymous: true");
  expect(error).toContain("metadata.email: not sent with anonymous: true");
  expect(error).toContain("responseId: expected none with anonymous: true");
});

test("the eNPS question comes in the visitor's language", async ({ page }) => {
  await open(page, { kind: "enps", locale: "de" });
  await expect(page.getByText("Wie wahrscheinlich ist es, dass Sie uns als Arbeitgeber weiterempfehlen?")).toBeVisible();
  await open(page, { kind: "enps", locale: "es" }, "?es");
  await expect(page.getByText("¿Qué probabilidad hay de que recomiende nuestra empresa como lugar de trabajo?")).toBeVisible();
});

test("impressions: true posts a display record when the prompt shows, with the id its answer will carry", async ({ page }) => {
  await open(page, { kind: "csat", id: "post-ticket", impressions: true, metadata: { agent: "ana" } }, "?rates");
  await waitForPosts(server.posts, (posts) => posts.length === 1);
  const shown = server.posts[0].body;
  expect(shown).toMatchObject({ schema: 1, type: "impression", surveyId: "post-ticket", kind: "csat", metadata: { agent: "ana" } });
  expect(Object.keys(shown)).not.toContain("score");
  await page.getByRole("radio", { name: /^5 – / }).click();
  await waitForPosts(server.posts, (posts) => posts.length === 2);
  expect(server.posts[1].body.id).toBe(shown.id);
  expect(server.posts[1].body.type).toBeUndefined();
  // Acknowledged before the page is left: an answer still unacknowledged when the page goes
  // is sent again (by keepalive, and by the next page), as it must be, and the count below
  // would see those copies.
  await page.waitForFunction(() => window.survey.pending() === 0);
  // Without the option, nothing but answers is posted.
  await open(page, { kind: "csat" }, "?plain");
  await page.getByRole("radio", { name: /^4 – / }).click();
  await waitForPosts(server.posts, (posts) => posts.length === 3);
  expect(server.posts[2].body.score).toBe(4);
});
