// The README's "Every screen" pictures, each taken as a visitor sees that state and checked
// before it is taken: the card inside the screen, nothing wider than the page, the text in
// the language asked for. `SONDEO_UPDATE_DOCS=1 npx playwright test readme-screens` writes
// them into docs/screens/; otherwise they go to test-results/ and the tree stays clean.
import { test, expect } from "@playwright/test";
import { openMount, startServer, waitForPosts } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.close(); });

const folder = process.env.SONDEO_UPDATE_DOCS === "1" ? "docs/screens" : "test-results/screens";
const open = async (page, config, query) => expect(await openMount(page, server.url, config, query)).toBeNull();

/** A page as a site has it (a heading and some text around the survey), not the test page's controls. */
async function dressPage(page) {
  await page.evaluate(() => {
    document.getElementById("before").hidden = true;
    document.getElementById("log").hidden = true;
    const heading = Object.assign(document.createElement("h1"), { textContent: "Order #4521 delivered" });
    const lead = Object.assign(document.createElement("p"), { textContent: "Your parcel arrived on Tuesday. Tell us how it went." });
    document.body.prepend(heading, lead);
    for (let i = 0; i < 6; i++) {
      document.body.append(Object.assign(document.createElement("p"), { textContent: "Track another order, see your invoices or change your delivery address from your account page." }));
    }
    document.body.style.cssText = "font: 16px/1.5 system-ui, sans-serif; margin: 16px; color: #222";
  });
}

/** The card's box and the page's overflow, read once the layout has settled. */
async function expectInside(page, width, height) {
  await expect.poll(() => page.locator("sondeo-survey").evaluate((host) => {
    const card = host.shadowRoot.querySelector(".card");
    return [card.scrollWidth - card.clientWidth, document.documentElement.scrollWidth - document.documentElement.clientWidth];
  })).toEqual([0, 0]);
  const box = await page.locator("sondeo-survey .card").boundingBox();
  expect(box.x >= 0 && box.x + box.width <= width + 0.5, `card ${JSON.stringify(box)} within ${width} px`).toBe(true);
  if (height) expect(box.y >= 0 && box.y + box.height <= height + 0.5, `card ${JSON.stringify(box)} within ${height} px`).toBe(true);
}

test("README screen: a 320 px phone, the slide-in as a bottom sheet after a detractor's score", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await open(page, { kind: "nps", display: "slide-in", reasons: ["Delivery time", "Packaging", "Price"] }, "?phone");
  await dressPage(page);
  await page.getByRole("radio", { name: "3", exact: true }).click();
  await expect(page.getByText("We're sorry to hear that. What went wrong?")).toBeVisible();
  await page.getByRole("button", { name: "Delivery time" }).click();
  await expectInside(page, 320, 640);
  await page.screenshot({ path: `${folder}/phone-slide-in.png` });
});

test("README screen: Arabic, right to left, from its language pack", async ({ page }) => {
  await page.setViewportSize({ width: 560, height: 400 });
  await open(page, { kind: "nps", locale: "ar" }, "?ar");
  await expect(page.getByText("ما مدى احتمال أن توصي بنا لصديق أو زميل؟")).toBeVisible();
  await page.evaluate(() => { document.getElementById("target").style.width = "520px"; });
  await page.getByRole("radio", { name: "10", exact: true }).click();
  const card = page.locator("sondeo-survey .card");
  await expect(card).toHaveAttribute("dir", "rtl");
  await expect(card).toHaveAttribute("lang", "ar");
  // Right to left: 0 is drawn at the right end, 10 at the left.
  const [zero, ten] = await Promise.all(["0", "10"].map((n) => page.getByRole("radio", { name: n, exact: true }).boundingBox()));
  expect(zero.x).toBeGreaterThan(ten.x);
  await expectInside(page, 560);
  await page.locator("sondeo-survey").screenshot({ path: `${folder}/arabic-inline.png` });
});

test("README screen: CSAT faces in dark mode, drawn without an emoji font", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 480, height: 400 });
  await open(page, { kind: "csat", scale: "emoji" }, "?faces-dark");
  await page.evaluate(() => { document.body.style.background = "#111"; document.getElementById("target").style.width = "440px"; });
  await page.getByRole("radio", { name: "2 – Dissatisfied", exact: true }).click();
  await expect(page.getByRole("radio", { name: "2 – Dissatisfied", exact: true })).toHaveAttribute("aria-checked", "true");
  // Dark mode reached the card: its background is dark (each channel under a quarter).
  const background = await page.locator("sondeo-survey .card").evaluate((card) => getComputedStyle(card).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  expect(Math.max(r, g, b), background).toBeLessThan(64);
  await expectInside(page, 480);
  await page.locator("sondeo-survey").screenshot({ path: `${folder}/csat-faces-dark.png` });
});

test("README screen: CSAT stars under forced colours (Windows high contrast)", async ({ page }) => {
  await page.emulateMedia({ forcedColors: "active" });
  await page.setViewportSize({ width: 480, height: 400 });
  await open(page, { kind: "csat", scale: "stars" }, "?stars-forced");
  await page.evaluate(() => { document.getElementById("target").style.width = "440px"; });
  await page.getByRole("radio", { name: "4 – Satisfied", exact: true }).click();
  await expect(page.getByRole("radio", { name: "4 – Satisfied", exact: true })).toHaveAttribute("aria-checked", "true");
  await expectInside(page, 480);
  await page.locator("sondeo-survey").screenshot({ path: `${folder}/stars-forced-colours.png` });
});

test("README screen: a German CES modal on a 740×360 landscape phone, Send reached by scrolling the card", async ({ page }) => {
  await page.setViewportSize({ width: 740, height: 360 });
  await open(page, { kind: "ces", display: "modal", locale: "de", reasons: ["Wartezeit", "Rückerstattungsbearbeitung", "Erreichbarkeit"] }, "?de-modal");
  await dressPage(page);
  await page.getByRole("radio", { name: /^2 – / }).click();
  await expect(page.getByText("Das tut uns leid. Was ist schiefgelaufen?")).toBeVisible();
  await expectInside(page, 740, 360);
  await page.screenshot({ path: `${folder}/german-modal-landscape.png` });
  // The rest of the card is reached by scrolling the card itself, with × still in sight.
  const send = page.getByRole("button", { name: "Senden" });
  await send.scrollIntoViewIfNeeded();
  await expect(send).toBeInViewport();
  await expect(page.getByRole("button", { name: "Schließen" })).toBeInViewport();
});

test("README screen: the post-ticket page after the email's click, the score recorded and the why asked", async ({ page }) => {
  await page.setViewportSize({ width: 480, height: 640 });
  await page.goto(`${server.url}/ticket.html?kind=csat&score=2&ticketId=4521&agent=ana`);
  await page.mouse.move(40, 40);
  await waitForPosts(server.posts, (p) => p.length >= 1);
  await expect(page.locator("#status")).toHaveText("Your score of 2 was recorded. Thank you!");
  await expect(page.getByText("We're sorry to hear that. What went wrong?")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  await page.screenshot({ path: `${folder}/ticket-page.png` });
});
