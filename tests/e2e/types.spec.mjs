// The TypeScript declarations shipped in dist/sondeo.d.ts: they compile a site's usage under
// `strict` and catch its mistakes, and they name what the widget really accepts, exports and
// sends. The widget's own answers (its config errors, its module, its events) are the reference,
// so a field added to the widget but not to the types (or the other way round) fails here.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { startServer, waitForPosts } from "./support/server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const usage = `${root}tests/types/usage.ts`;
const declarations = `${root}dist/sondeo.d.ts`;
const options = {
  strict: true,
  noEmit: true,
  noUnusedLocals: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
};

const program = ts.createProgram([usage], options);
const checker = program.getTypeChecker();
const exported = new Map(
  checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(declarations))).map((s) => [s.name, s]),
);

const declared = (name) => checker.getDeclaredTypeOfSymbol(exported.get(name));
const partsOf = (type) => (type.isUnion() ? type.types : [type]);
const objectsIn = (type) =>
  partsOf(type).filter((t) => (t.flags & ts.TypeFlags.Object || t.isIntersection()) && !checker.isArrayType(t));
const keysOf = (type) => [...new Set(objectsIn(type).flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)))].sort();
const propertyType = (type, name) => {
  const owner = objectsIn(type).find((t) => checker.getPropertyOfType(t, name));
  const symbol = checker.getPropertyOfType(owner, name);
  return checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration);
};
const literalsOf = (type) => partsOf(type).filter((t) => t.isStringLiteral()).map((t) => t.value).sort();
const requiredKeysOf = (type) =>
  checker.getPropertiesOfType(type).filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name).sort();

test("the shipped types compile a site's usage under strict and catch each of its mistakes", () => {
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  // A `@ts-expect-error` the types no longer catch is an error too (TS2578), so an empty list
  // means every valid line compiles and every mistake is caught.
  expect(diagnostics).toEqual([]);
  expect(program.getSourceFile(declarations)).toBeTruthy();
});

/** What the widget lists for `field` when `config` has an unknown key or value there. */
async function widgetExpects(page, config, field) {
  const message = await page.evaluate(async (config) => {
    const { mount } = await import("/dist/sondeo.js");
    try {
      (await mount(null, config)).destroy();
      return "mounted";
    } catch (error) {
      return error.message;
    }
  }, config);
  const prefix = `sondeo: invalid config: ${field}: `;
  expect(message.startsWith(prefix), message).toBe(true);
  const problem = message.slice(prefix.length).split(", got ")[0];
  const quoted = [...problem.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  if (quoted.length) return quoted.sort();
  return problem.replace(/^.* one of /, "").split(", ").sort();
}

test("the types name every config field and choice the widget accepts, and no other", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/blank.html`);
    const base = { kind: "nps", endpoint: "/api/responses" };
    const config = declared("SurveyConfig");
    const ofKind = (kind) => partsOf(config).find((t) => literalsOf(propertyType(t, "kind")).includes(kind));
    const questions = partsOf(config).find((t) => checker.getPropertyOfType(t, "questions"));

    expect(keysOf(config)).toEqual(await widgetExpects(page, { ...base, notAField: 1 }, "notAField"));
    expect(literalsOf(declared("Kind"))).toEqual(await widgetExpects(page, { ...base, kind: "x" }, "kind"));
    for (const kind of literalsOf(declared("Kind"))) {
      expect(literalsOf(propertyType(ofKind(kind), "scale")), kind).toEqual(await widgetExpects(page, { ...base, kind, scale: "x" }, "scale"));
    }
    const nested = [
      ["trigger", declared("Trigger"), { trigger: { x: 1 } }, "trigger.x"],
      ["delivery", declared("Delivery"), { delivery: { x: 1 } }, "delivery.x"],
      ["display", propertyType(ofKind("nps"), "display"), { display: { x: 1 } }, "display.x"],
      ["reasons", propertyType(ofKind("nps"), "reasons"), { reasons: { options: ["a"], x: 1 } }, "reasons.x"],
      ["thankYou (NPS)", propertyType(ofKind("nps"), "thankYou"), { thankYou: { x: "a" } }, "thankYou.x"],
      ["thankYou (CSAT)", propertyType(ofKind("csat"), "thankYou"), { kind: "csat", thankYou: { x: "a" } }, "thankYou.x"],
      ["thankYou.link", propertyType(propertyType(ofKind("nps"), "thankYou"), "link"), { thankYou: { link: { url: "/a", text: "A", x: 1 } } }, "thankYou.link.x"],
      ["questions[]", declared("Question"), { questions: [{ key: "a", kind: "nps", x: 1 }, { key: "b", kind: "csat" }] }, "questions[0].x"],
      ["followUp (questions)", propertyType(questions, "followUp"), { questions: [{ key: "a", kind: "nps" }, { key: "b", kind: "csat" }], followUp: { x: "a" } }, "followUp.x"],
    ];
    for (const [name, type, extra, field] of nested) {
      // A survey of several questions has no top-level kind.
      const config = extra.questions ? { endpoint: base.endpoint, ...extra } : { ...base, ...extra };
      expect(keysOf(type), name).toEqual(await widgetExpects(page, config, field));
    }
    // NPS's follow-up names its groups; the other fields of the follow-up are the same for every kind.
    const npsFollowUp = keysOf(propertyType(ofKind("nps"), "followUp"));
    expect(npsFollowUp).toEqual((await widgetExpects(page, { ...base, followUp: { x: "a" } }, "followUp.x")).filter((k) => k !== "after"));
    expect(literalsOf(declared("TextKey"))).toEqual(await widgetExpects(page, { ...base, texts: { x: "a" } }, "texts.x"));
    const themeNames = keysOf(declared("Theme")).filter((k) => k !== "mode");
    expect(themeNames).toEqual(await widgetExpects(page, { ...base, theme: { x: "a" } }, "theme.x"));
    const choices = [
      [propertyType(ofKind("nps"), "method"), "method"],
      [propertyType(ofKind("nps"), "consent"), "consent"],
      [declared("DisplayMode"), "display"],
      [declared("Position"), "display.position"],
      [propertyType(declared("Theme"), "mode"), "theme.mode"],
    ];
    for (const [type, field] of choices) {
      const value = field === "display.position" ? { display: { mode: "modal", position: "x" } } : field === "theme.mode" ? { theme: { mode: "x" } } : { [field]: "x" };
      expect(literalsOf(type), field).toEqual(await widgetExpects(page, { ...base, ...value }, field));
    }
  } finally {
    await server.close();
  }
});

test("the types name the module's exports and the survey's and element's methods", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/blank.html`);
    const found = await page.evaluate(async () => {
      const module = await import("/dist/sondeo.js");
      const survey = await module.mount(document.body.appendChild(document.createElement("div")), { kind: "nps", endpoint: "/api/responses" });
      const names = (prototype) => Object.getOwnPropertyNames(prototype).filter((n) => n !== "constructor");
      const result = { exports: Object.keys(module).sort(), survey: names(Object.getPrototypeOf(survey)).sort(), element: names(customElements.get("sondeo-survey").prototype).sort() };
      survey.destroy();
      return result;
    });
    const functions = [...exported.values()].filter((s) => s.flags & ts.SymbolFlags.Function).map((s) => s.name).sort();
    expect(functions).toEqual(found.exports);
    // What wasm-bindgen adds to every class (`free`), and what only sondeo.js calls (`reattached`, after
    // the element moves), are not a site's API.
    expect(keysOf(declared("Survey"))).toEqual(found.survey.filter((n) => !["free", "reattached", "__destroy_into_raw"].includes(n)));
    const element = exported.get("SondeoSurveyElement").declarations[0].members.map((m) => m.name.getText()).sort();
    const callbacks = ["connectedCallback", "disconnectedCallback", "attributeChangedCallback"];
    expect(element).toEqual(found.element.filter((n) => !callbacks.includes(n)));
  } finally {
    await server.close();
  }
});

test("the payload and event details have the fields the types give them", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/blank.html`);
    await page.evaluate(async () => {
      window.details = {};
      for (const name of ["show", "answer", "submit", "sent"]) {
        document.addEventListener(`sondeo:${name}`, (e) => { window.details[name] ??= e.detail; });
      }
      const { mount } = await import("/dist/sondeo.js");
      window.survey = await mount(document.body.appendChild(document.createElement("div")), {
        kind: "nps", endpoint: "/api/responses", id: "types", metadata: { agent: "ana" }, user: { id: "u-1", plan: "pro" },
      });
    });
    await page.getByRole("radio", { name: "3", exact: true }).click();
    await page.getByRole("textbox").fill("Slow answer");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    await page.waitForFunction(() => window.details.sent);
    const details = await page.evaluate(() => window.details);
    const payload = declared("ResponsePayload");
    for (const name of ["answer", "submit"]) {
      const keys = Object.keys(details[name]).sort();
      expect(keys.filter((k) => !keysOf(payload).includes(k)), `${name}: fields the types lack`).toEqual([]);
      expect(requiredKeysOf(payload).filter((k) => !keys.includes(k)), `${name}: required fields it lacks`).toEqual([]);
    }
    const posted = server.posts.find((p) => p.body.complete).body;
    expect(Object.keys(posted).filter((k) => !keysOf(payload).includes(k))).toEqual([]);
    expect(Object.keys(details.show).sort()).toEqual(keysOf(declared("SurveyRef")));
    expect(Object.keys(details.sent).filter((k) => !keysOf(declared("DeliveryDetail")).includes(k))).toEqual([]);
    expect(requiredKeysOf(declared("DeliveryDetail")).filter((k) => !(k in details.sent))).toEqual([]);
  } finally {
    await server.close();
  }
});
