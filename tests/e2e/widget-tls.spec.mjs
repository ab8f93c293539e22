// A transactional survey (TLS) of three questions after a support ticket: satisfaction,
// resolution and the agent, one response id, one "why" at the end, by mouse and by keyboard.
import { test, expect } from "@playwright/test";
import { openMount, startServer, waitForPosts } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer({ csp: true }); });
test.afterEach(async () => { await server.close(); });

const TLS = {
  id: "post-ticket-tls",
  questions: [
    { key: "satisfaction", kind: "csat" },
    { key: "resolved", kind: "yesno" },
    { key: "agent", kind: "rating", question: "How would you rate the agent?" },
  ],
  metadata: { agent: "ana", touchpoint: "support" },
};
const open = (page, config, query) => openMount(page, server.url, config, query);
// The test server keeps every copy of a retried post; the widget's distinct bodies, in order.
const distinct = () => [...new Map(server.posts.map((p) => [JSON.stringify(p.body), p.body])).values()];

test("by mouse: three questions in order, back keeps the answer, a partial after each answer, schema 2 at the end", async ({ page }) => {
  expect(await open(page, TLS)).toBeNull();
  await expect(page.getByText("Question 1 of 3")).toBeVisible();
  await page.getByRole("radio", { name: "4 – Satisfied" }).click();
  await expect(page.getByText("Question 2 of 3")).toBeVisible();
  await expect(page.getByText("Was your issue resolved?")).toBeVisible();
  await waitForPosts(server.posts, () => distinct().length === 1);
  expect(distinct()[0]).toMatchObject({
    schema: 2, surveyId: "post-ticket-tls", kind: "csat", score: 4, group: "high", complete: false,
    answers: [{ key: "satisfaction", kind: "csat", score: 4 }],
  });
  // Back: the first question again, its answer still chosen.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByRole("radio", { name: "4 – Satisfied" })).toHaveAttribute("aria-checked", "true");
  await page.getByRole("radio", { name: "4 – Satisfied" }).click();
  await page.getByRole("radio", { name: "No", exact: true }).click();
  await expect(page.getByText("How would you rate the agent?")).toBeVisible();
  await expect(page.getByRole("radio")).toHaveCount(5);
  // The follow-up waits for the last answer.
  await expect(page.getByRole("textbox")).toBeHidden();
  await page.getByRole("radio", { name: "5 – Excellent" }).click();
  // One "why", worded for the worst answer: the issue was not resolved.
  await expect(page.getByText("We're sorry to hear that. What went wrong?")).toBeVisible();
  await page.getByRole("textbox").fill("Still broken after the fix");
  await page.getByRole("button", { name: "Send" }).click();
  await waitForPosts(server.posts, () => distinct().some((b) => b.complete));
  const bodies = distinct();
  const final = bodies.at(-1);
  expect(final).toMatchObject({
    schema: 2, kind: "csat", score: 4, complete: true, comment: "Still broken after the fix",
    answers: [
      { key: "satisfaction", kind: "csat", score: 4 },
      { key: "resolved", kind: "yesno", score: 0 },
      { key: "agent", kind: "rating", score: 5 },
    ],
    metadata: { agent: "ana", touchpoint: "support" },
  });
  // One response id from the first partial to the end.
  expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
  // Each partial carried the answers given so far.
  const partials = bodies.filter((b) => !b.complete).map((b) => b.answers.map((a) => `${a.key}=${a.score}`).join(","));
  expect(partials).toContain("satisfaction=4,resolved=0");
  expect(partials).toContain("satisfaction=4,resolved=0,agent=5");
});

test("by keyboard alone: arrows choose, Enter moves on, the progress names each scale, Back and Send by Tab", async ({ page }) => {
  expect(await open(page, TLS, "?keys")).toBeNull();
  await page.getByRole("radio", { name: /^1 – / }).focus();
  await page.keyboard.press("End");
  await expect(page.getByRole("radio", { name: "5 – Very satisfied" })).toBeFocused();
  // Enter on the chosen point: the next question, focus on its scale, named with the progress.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: "No", exact: true })).toBeFocused();
  const group = page.getByRole("radiogroup");
  await expect(group).toHaveAccessibleName("Question 2 of 3 Was your issue resolved?");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("radio", { name: "Yes" })).toBeFocused();
  await page.keyboard.press(" ");
  await expect(page.getByRole("radiogroup")).toHaveAccessibleName("Question 3 of 3 How would you rate the agent?");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("radio", { name: "4 – Good" })).toBeFocused();
  // Back by keyboard: Tab reaches Back (after the scale), Enter goes back with "Yes" kept.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Back" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: "Yes" })).toBeFocused();
  await expect(page.getByRole("radio", { name: "Yes" })).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: "4 – Good" })).toBeFocused();
  await page.keyboard.press("Enter");
  // All good: the promoter-side wording ("What did we do well?").
  await expect(page.getByText("Glad to hear it! What did we do well?")).toBeVisible();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("textbox")).toBeFocused();
  await page.keyboard.type("Quick and kind");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await waitForPosts(server.posts, () => distinct().some((b) => b.complete));
  expect(distinct().at(-1)).toMatchObject({
    complete: true, score: 5, comment: "Quick and kind",
    answers: [{ key: "satisfaction", score: 5 }, { key: "resolved", score: 1 }, { key: "agent", score: 4 }],
  });
});

test("a bad question is refused at mount with its index named", async ({ page }) => {
  const error = await open(page, { questions: [{ key: "a", kind: "csat" }, { key: "b", kind: "thumbs" }] }, "?bad");
  expect(error).toContain('questions[1].kind: expected "nps", "csat", "ces", "enps", "rating" or "yesno", got "thumbs"');
});

test("ticket.html?survey=tls takes the first answer from the email link, then asks the other two", async ({ page }) => {
  await page.goto(`${server.url}/ticket.html?survey=tls&q1=2&ticketId=T-77&agent=bo`);
  await page.mouse.move(30, 30);
  await waitForPosts(server.posts, () => distinct().length >= 1);
  expect(distinct()[0]).toMatchObject({
    schema: 2, surveyId: "post-ticket-tls", kind: "csat", score: 2, complete: false,
    answers: [{ key: "satisfaction", kind: "csat", score: 2 }],
    metadata: { ticketId: "T-77", agent: "bo" },
  });
  await expect(page.locator("#status")).toHaveText("Your score of 2 was recorded. Thank you!");
  await expect(page.getByText("Question 2 of 3")).toBeVisible();
  await page.getByRole("radio", { name: "Yes" }).click();
  await page.getByRole("radio", { name: "3 – Fair" }).click();
  await page.getByRole("button", { name: "Send" }).click();
  await waitForPosts(server.posts, () => distinct().some((b) => b.complete));
  const final = distinct().at(-1);
  expect(final.answers.map((a) => a.score)).toEqual([2, 1, 3]);
  expect(final.id).toBe(distinct()[0].id);
});

test("arrows then Tab reach Next; with followUp off the last answer sends, and no comment box ever shows", async ({ page }) => {
  expect(await open(page, { ...TLS, followUp: false }, "?next")).toBeNull();
  await expect(page.getByRole("button", { name: "Next" })).toBeHidden();
  await page.getByRole("radio", { name: /^1 – / }).focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Next" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: "No", exact: true })).toBeFocused();
  await page.keyboard.press(" ");
  // Back to the second question and on again: the last one still asks, no comment box.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Back" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Question 3 of 3")).toBeVisible();
  await expect(page.getByRole("textbox")).toBeHidden();
  await page.getByRole("radio", { name: "2 – Poor" }).click();
  await waitForPosts(server.posts, () => distinct().some((b) => b.complete));
  expect(distinct().at(-1).answers.map((a) => a.score)).toEqual([2, 0, 2]);
  await expect(page.getByRole("textbox")).toBeHidden();
});

test("select() from the page answers the question asked and moves on without taking the focus", async ({ page }) => {
  expect(await open(page, TLS, "?select")).toBeNull();
  await page.evaluate(() => { document.body.tabIndex = -1; document.body.focus(); window.survey.select(5); });
  await expect(page.getByText("Question 2 of 3")).toBeVisible();
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  // A value off the second question's scale (yes 1, no 0) is refused, naming that scale.
  expect(await page.evaluate(() => { try { window.survey.select(4); return "taken"; } catch (e) { return e.message; } })).toBe("sondeo: score: expected an integer from 0 to 1");
  // Once sent, no score is taken, and the error says why.
  await page.evaluate(() => window.survey.destroy());
  expect(await page.evaluate(() => { try { window.survey.select(1); return "taken"; } catch (e) { return e.message; } })).toBe("sondeo: score: expected a survey still being answered (not sent or destroyed)");
});

test("every step passes axe (WCAG A and AA), in light and dark", async ({ page }) => {
  expect(await open(page, TLS, "?axe")).toBeNull();
  await page.evaluate(await (await import("node:fs/promises")).readFile("node_modules/axe-core/axe.min.js", "utf8"));
  const check = async (step) => {
    // Colours are measured once the hover transition (0.12 s) has run, not halfway.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(250);
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(250); // the scale's colours change with a 0.12 s transition
      const found = await page.evaluate(async () => (await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] }))
        .violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`));
      expect(found, `${step}, ${scheme}`).toEqual([]);
    }
  };
  await check("question 1");
  await page.getByRole("radio", { name: "3 – Neither satisfied nor dissatisfied" }).click();
  await check("question 2");
  await page.getByRole("radio", { name: "Yes" }).click();
  await check("question 3");
  await page.getByRole("radio", { name: "4 – Good" }).click();
  await expect(page.getByRole("textbox")).toBeVisible();
  await check("the follow-up");
});
