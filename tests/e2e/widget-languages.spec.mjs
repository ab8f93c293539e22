// Fourteen languages: English built in, thirteen packs fetched only by the
// visitors who need them, under the strict CSP, with the standard NPS wording; lang and
// dir always match the text shown; a pack that cannot be fetched leaves English and says so.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { openMount, startServer, waitForPosts } from "./support/server.mjs";

let server;
test.beforeEach(async () => { server = await startServer({ csp: true }); });
test.afterEach(async () => { await server.close(); });

const open = async (page, config, query) => expect(await openMount(page, server.url, config, query)).toBeNull();

// The NPS question as each language's NPS surveys put it (written here, not read from the build).
const NPS = {
  es: "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
  "pt-BR": "Qual a probabilidade de você nos recomendar a um amigo ou colega?",
  fr: "Quelle est la probabilité que vous nous recommandiez à un ami ou à un collègue\u202f?",
  de: "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen weiterempfehlen?",
  it: "Con quale probabilità ci consiglieresti a un amico o a un collega?",
  nl: "Hoe waarschijnlijk is het dat u ons aanbeveelt bij een vriend of collega?",
  pl: "Jak prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?",
  tr: "Bizi bir arkadaşınıza veya iş arkadaşınıza tavsiye etme olasılığınız nedir?",
  ja: "当社を友人や同僚に薦める可能性はどのくらいありますか？",
  "zh-CN": "您向朋友或同事推荐我们的可能性有多大？",
  ko: "친구나 동료에게 저희를 추천할 가능성은 얼마나 됩니까?",
  ar: "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
  he: "מה הסיכוי שתמליצו עלינו לחבר או לעמית?",
};

test("each of the thirteen packs loads under the strict CSP, with lang and dir set, and posts its locale", async ({ page }) => {
  const violations = [];
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective));
  });
  for (const [tag, question] of Object.entries(NPS)) {
    const fetched = [];
    const listener = (request) => request.url().includes("/locales/") && fetched.push(new URL(request.url()).pathname);
    page.on("request", listener);
    await open(page, { kind: "nps", locale: tag }, `?${tag}`);
    await expect(page.getByText(question)).toBeVisible();
    const card = page.locator("sondeo-survey .card");
    await expect(card).toHaveAttribute("lang", tag);
    await expect(card).toHaveAttribute("dir", tag === "ar" || tag === "he" ? "rtl" : "ltr");
    expect(fetched).toEqual([`/dist/locales/${tag}.json`]);
    violations.push(...(await page.evaluate(() => window.violations)));
    page.off("request", listener);
  }
  expect(violations).toEqual([]);
  // The payload says which language the visitor answered in.
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await waitForPosts(server.posts, (posts) => posts.length === 1);
  expect(server.posts[0].body.locale).toBe("he");
});

test("the visitor's language picks the pack; English fetches nothing", async ({ page }) => {
  const fetched = [];
  page.on("request", (request) => request.url().includes("/locales/") && fetched.push(request.url()));
  await open(page, { kind: "csat" });
  await expect(page.getByText("How satisfied are you with your experience?")).toBeVisible();
  expect(fetched).toEqual([]);
  // A Mexican visitor: Spanish, matched on the primary subtag.
  await open(page, { kind: "csat", locale: "es-MX" }, "?es");
  await expect(page.getByText("¿Qué tan satisfecho está con su experiencia?")).toBeVisible();
  // A Brazilian visitor (pt-PT and pt-BR both take the Portuguese pack).
  await open(page, { kind: "csat", locale: "pt-PT" }, "?pt");
  await expect(page.getByText("Quão satisfeito você está com a sua experiência?")).toBeVisible();
  await expect(page.getByRole("radio", { name: /^5 – Muito satisfeito$/ })).toBeVisible();
  expect(fetched.map((u) => new URL(u).pathname)).toEqual(["/dist/locales/es.json", "/dist/locales/pt-BR.json"]);
});

test("a page's own texts win over the pack, and a pack that cannot be fetched leaves English with a warning", async ({ page }) => {
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await open(page, { kind: "nps", locale: "de", texts: { submit: "Abschicken" } }, "?de");
  await expect(page.getByText(NPS.de)).toBeVisible();
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await expect(page.getByRole("button", { name: "Abschicken" })).toBeVisible();
  expect(warnings).toEqual([]);
  // The packs' folder is missing on this site.
  await page.route("**/locales/**", (route) => route.fulfill({ status: 404, body: "not found" }));
  await open(page, { kind: "nps", locale: "ko" }, "?ko");
  await expect(page.getByText("How likely are you to recommend us to a friend or colleague?")).toBeVisible();
  await expect.poll(() => warnings.join("\n")).toContain("locales/ko.json could not be loaded; English is shown");
  // English is what the card says it is, right to left nowhere, and what the answer records.
  await page.unrouteAll();
  await page.route("**/locales/**", (route) => route.fulfill({ status: 404, body: "not found" }));
  await open(page, { kind: "nps", locale: "ar", id: "pack-missing" }, "?ar-missing");
  await expect(page.getByText("How likely are you to recommend us to a friend or colleague?")).toBeVisible();
  const card = page.locator("sondeo-survey .card");
  expect([await card.getAttribute("lang"), await card.getAttribute("dir")]).toEqual(["en", "ltr"]);
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "pack-missing"));
  expect(server.posts.find((p) => p.body.surveyId === "pack-missing").body.locale).toBe("en");
  // The site's own Arabic question is Arabic, pack or not: right to left, and posted as ar.
  const question = "ما مدى رضاك عن الدعم؟";
  await open(page, { kind: "nps", locale: "ar", id: "own-words", question }, "?ar-own");
  await expect(page.getByText(question)).toBeVisible();
  expect([await card.getAttribute("lang"), await card.getAttribute("dir")]).toEqual(["ar", "rtl"]);
  await page.getByRole("radio", { name: "9", exact: true }).click();
  await waitForPosts(server.posts, (posts) => posts.some((p) => p.body.surveyId === "own-words"));
  expect(server.posts.find((p) => p.body.surveyId === "own-words").body.locale).toBe("ar");
});

test("a pack whose request never answers (a stalled server, an extension holding it) is given up after 5 s: the prompt shows in English", async ({ page }) => {
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  // Held: neither answered nor failed.
  await page.route("**/locales/**", () => {});
  await open(page, { kind: "nps", locale: "de", display: "modal" }, "?held");
  const state = () => page.locator("sondeo-survey").getAttribute("data-state");
  await page.waitForTimeout(3000);
  expect(await state(), "waiting for its pack").toBe("closed");
  await expect.poll(state, { timeout: 5000 }).toBe("open");
  await expect(page.getByText("How likely are you to recommend us to a friend or colleague?")).toBeVisible();
  expect(await page.locator("sondeo-survey .card").getAttribute("lang")).toBe("en");
  expect(warnings.join("\n")).toContain("locales/de.json could not be loaded; English is shown");
});

test("every pack has every text, and stays within 1.5 KB", async () => {
  const keys = Object.keys(JSON.parse(readFileSync("dist/locales/fr.json", "utf8")));
  expect(keys.length).toBeGreaterThan(30);
  for (const tag of Object.keys(NPS)) {
    const pack = JSON.parse(readFileSync(`dist/locales/${tag}.json`, "utf8"));
    expect(Object.keys(pack)).toEqual(keys);
    expect(pack.npsQuestion).toBe(NPS[tag]);
    for (const text of Object.values(pack)) expect(text.trim().length).toBeGreaterThan(0);
  }
});

test("a Traditional Chinese reader is not shown the Simplified pack: the next language, else English, with lang to match", async ({ page }) => {
  const fetched = [];
  const warnings = [];
  page.on("request", (request) => request.url().includes("/locales/") && fetched.push(new URL(request.url()).pathname));
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  // Asked for by the site: no Traditional texts here, so English, and the card says so.
  await open(page, { kind: "nps", locale: "zh-TW" }, "?tw");
  await expect(page.getByText("How likely are you to recommend us to a friend or colleague?")).toBeVisible();
  await expect(page.locator("sondeo-survey .card")).toHaveAttribute("lang", "en");
  await expect.poll(() => warnings.join("\n")).toContain('locale "zh-TW" has no texts here; English is shown');
  // A browser in Hong Kong that reads Japanese next gets Japanese.
  const context = await page.context().browser().newContext({ locale: "zh-HK" });
  const visitor = await context.newPage();
  await visitor.addInitScript(() => {
    Object.defineProperty(navigator, "languages", { get: () => ["zh-HK", "zh", "ja", "en"] });
    // The page is in Traditional Chinese too (set once parsed, before its scripts run).
    document.addEventListener("readystatechange", () => { document.documentElement.lang = "zh-Hant"; }, { once: true });
  });
  visitor.on("request", (request) => request.url().includes("/locales/") && fetched.push(new URL(request.url()).pathname));
  expect(await openMount(visitor, server.url, { kind: "nps" }, "?hk")).toBeNull();
  await expect(visitor.getByText(NPS.ja)).toBeVisible();
  await expect(visitor.locator("sondeo-survey .card")).toHaveAttribute("lang", "ja");
  // The site's own words in its own language keep its tag.
  await open(page, { kind: "nps", locale: "zh-TW", texts: { npsQuestion: "您有多大可能向朋友或同事推薦我們？" } }, "?tw-own");
  await expect(page.getByText("您有多大可能向朋友或同事推薦我們？")).toBeVisible();
  await expect(page.locator("sondeo-survey .card")).toHaveAttribute("lang", "zh-TW");
  expect(fetched).toEqual(["/dist/locales/ja.json"]);
  await context.close();
});

test("at 320 px a Japanese question breaks its line between phrases, not inside a word", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await open(page, { kind: "nps", locale: "ja" });
  // The pack is fetched after mount: its text first.
  await expect(page.getByText(NPS.ja)).toBeVisible();
  // Each character's line (its top), read from the laid-out text: Japanese has no spaces, so without
  // phrase breaking a line may end anywhere, as in 可能 | 性.
  const lines = await page.evaluate(() => {
    const legend = [...document.querySelector("sondeo-survey").shadowRoot.querySelectorAll("*")].find((e) => e.textContent.startsWith("当社を") && e.children.length === 0);
    const text = legend.firstChild;
    const tops = [];
    for (let i = 0; i < text.length; i++) {
      const range = document.createRange();
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      tops.push(Math.round(range.getBoundingClientRect().top));
    }
    return { text: text.data, tops };
  });
  expect(new Set(lines.tops).size, "the question takes more than one line at 320 px").toBeGreaterThan(1);
  const word = lines.text.indexOf("可能性");
  expect(new Set(lines.tops.slice(word, word + 3)).size).toBe(1);
});
