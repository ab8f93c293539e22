// The TypeScript declarations shipped in dist/sondeo.d.ts: they compile a site's usage under
// `strict` and catch its mistakes, and they name what the widget really accepts, exports and
// sends. The widget's own answers (its config errors, its module, its events) are the reference,
// so a field added to the widget but not to the types (or the other way round) fails here.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { startServer, waitForPosts } from "./support/server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const usage = [`${root}tests/types/usage.ts`, `${root}tests/types/scorer.ts`, `${root}tests/types/react.tsx`];
const declarations = `${root}dist/sondeo.d.ts`;
const scorerDeclarations = `${root}dist/sondeo-analytics.d.ts`;
const options = {
  strict: true,
  noEmit: true,
  noUnusedLocals: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  jsx: ts.JsxEmit.ReactJSX,
  types: [],
};

const program = ts.createProgram(usage, options);
const checker = program.getTypeChecker();
const exportsOf = (file) =>
  new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file))).map((s) => [s.name, s]));
const exported = exportsOf(declarations);
const scorerExported = exportsOf(scorerDeclarations);

const declared = (name) => checker.getDeclaredTypeOfSymbol(exported.get(name) ?? scorerExported.get(name));
const partsOf = (type) => (type.isUnion() ? type.types : [type]);
const objectsIn = (type) =>
  partsOf(type).filter((t) => (t.flags & ts.TypeFlags.Object || t.isIntersection()) && !checker.isArrayType(t));
const keysOf = (type) => [...new Set(objectsIn(type).flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)))].sort();
const propertyType = (type, name) => {
  const owner = objectsIn(type).find((t) => checker.getPropertyOfType(t, name));
  const symbol = checker.getPropertyOfType(owner, name);
  return checker.getTypeOfSymbol(symbol);
};
const literalsOf = (type) => partsOf(type).filter((t) => t.isStringLiteral()).map((t) => t.value).sort();
const requiredKeysOf = (type) =>
  checker.getPropertiesOfType(type).filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name).sort();

// wasm-bindgen's own members of every class it makes, used by its glue.
const isPublic = (name) => !["__destroy_into_raw", "__wrap"].includes(name);

/** Where `value` (plain JSON, as a page returns it) strays from `type`: each problem with its path. */
function strays(value, type, path = "", problems = []) {
  const parts = partsOf(type);
  const has = (flag) => parts.some((t) => t.flags & flag);
  if (value === null) {
    if (!has(ts.TypeFlags.Null)) problems.push(`${path}: null, which the type does not allow`);
  } else if (typeof value === "number") {
    if (!has(ts.TypeFlags.Number) && !parts.some((t) => t.isNumberLiteral() && t.value === value)) problems.push(`${path}: a number (${value})`);
  } else if (typeof value === "string") {
    if (!has(ts.TypeFlags.String) && !parts.some((t) => t.isStringLiteral() && t.value === value)) problems.push(`${path}: "${value}", not one the type names`);
  } else if (typeof value === "boolean") {
    const fits = has(ts.TypeFlags.Boolean) || parts.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(t) === String(value));
    if (!fits) problems.push(`${path}: ${value}`);
  } else if (Array.isArray(value)) {
    const array = parts.find((t) => checker.isArrayType(t));
    if (!array) problems.push(`${path}: an array`);
    else value.forEach((item, i) => strays(item, checker.getTypeArguments(array)[0], `${path}[${i}]`, problems));
  } else {
    const candidates = objectsIn(type);
    const memberType = (candidate, key) => {
      const symbol = checker.getPropertyOfType(candidate, key);
      // A member typed `never` (`kind?: never` beside `questions`) is one the value must not have.
      if (symbol) return checker.getNonNullableType(checker.getTypeOfSymbol(symbol)).flags & ts.TypeFlags.Never ? undefined : checker.getTypeOfSymbol(symbol);
      return checker.getIndexInfosOfType(candidate).find((info) => info.keyType.flags & ts.TypeFlags.String)?.type;
    };
    const keys = Object.keys(value);
    // The member of a union that names every key (a suppressed eNPS figure, or the figures).
    const fitting = candidates.filter((c) => keys.every((k) => memberType(c, k)));
    const chosen = fitting.find((c) => requiredKeysOf(c).every((k) => k in value)) ?? fitting[0];
    if (!chosen) {
      const best = candidates.toSorted((a, b) => keys.filter((k) => memberType(b, k)).length - keys.filter((k) => memberType(a, k)).length)[0];
      problems.push(`${path}: an object with ${best ? keys.filter((k) => !memberType(best, k)).join(", ") : keys.join(", ")}, which the type does not name`);
      return problems;
    }
    for (const key of requiredKeysOf(chosen)) if (!(key in value)) problems.push(`${path}.${key}: missing, though the type requires it`);
    for (const key of keys) strays(value[key], memberType(chosen, key), `${path}.${key}`, problems);
  }
  return problems;
}

test("the shipped types compile a site's usage under strict and catch each of its mistakes", () => {
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  // A `@ts-expect-error` the types no longer catch is an error too (TS2578), so an empty list
  // means every valid line compiles and every mistake is caught.
  expect(diagnostics).toEqual([]);
  // A site that sets `exactOptionalPropertyTypes` may still pass a value that may be undefined.
  const exact = ts.createProgram(usage, { ...options, exactOptionalPropertyTypes: true });
  expect(ts.getPreEmitDiagnostics(exact).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  // In a worker there is no DOM: the Scorer's types compile with the worker's library alone.
  const worker = ts.createProgram([`${root}tests/types/worker.ts`], { ...options, lib: ["lib.es2022.d.ts", "lib.webworker.d.ts"], jsx: undefined });
  expect(ts.getPreEmitDiagnostics(worker).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
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
    // Every optional field may be null, in the types and in the widget (read as not given).
    const optional = keysOf(config).filter((key) => !["kind", "endpoint", "questions"].includes(key));
    const refused = await page.evaluate(async (keys) => {
      const { mount } = await import("/dist/sondeo.js");
      const out = [];
      for (const key of keys) {
        try {
          (await mount(null, { kind: "nps", endpoint: "/api/responses", [key]: null })).destroy();
        } catch (error) {
          out.push(`${key}: ${error.message}`);
        }
      }
      return out;
    }, optional);
    expect(refused).toEqual([]);
    const notNullable = optional.filter((key) => !partsOf(propertyType(ofKind("nps"), key)).some((t) => t.flags & ts.TypeFlags.Null));
    expect(notNullable).toEqual([]);
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
    // Each kind's follow-up names its groups (`after` belongs to surveys of several questions).
    for (const kind of literalsOf(declared("Kind"))) {
      const followUp = keysOf(propertyType(ofKind(kind), "followUp"));
      expect(followUp, kind).toEqual((await widgetExpects(page, { ...base, kind, followUp: { x: "a" } }, "followUp.x")).filter((k) => k !== "after"));
      // A question's scales, as a question of a survey of several.
      const question = partsOf(declared("Question")).find((t) => literalsOf(propertyType(t, "kind")).includes(kind));
      const asked = { endpoint: base.endpoint, questions: [{ key: "a", kind, scale: "x" }, { key: "b", kind: "nps" }] };
      expect(literalsOf(propertyType(question, "scale")), kind).toEqual(await widgetExpects(page, asked, "questions[0].scale"));
    }
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
      const result = { exports: Object.keys(module).sort(), survey: names(Object.getPrototypeOf(survey)).sort(), element: names(customElements.get("sondeo-survey").prototype).sort(), attributes: [...customElements.get("sondeo-survey").observedAttributes].sort() };
      survey.destroy();
      return result;
    });
    const functions = [...exported.values()].filter((s) => s.flags & ts.SymbolFlags.Function).map((s) => s.name).sort();
    expect(functions).toEqual(found.exports);
    // What wasm-bindgen adds to every class (`free`), and what only sondeo.js calls (`reattached`, after
    // the element moves), are not a site's API.
    expect(keysOf(declared("Survey"))).toEqual(found.survey.filter((n) => isPublic(n) && !["free", "reattached"].includes(n)));
    const element = exported.get("SondeoSurveyElement").declarations[0].members.map((m) => m.name.getText()).sort();
    const callbacks = ["connectedCallback", "disconnectedCallback", "attributeChangedCallback"];
    expect(element).toEqual(found.element.filter((n) => !callbacks.includes(n)));
    // `data-managed` marks an element mount() configures: sondeo's own, not a site's attribute.
    expect(keysOf(declared("SondeoSurveyAttributes"))).toEqual(found.attributes.filter((n) => n !== "data-managed"));
  } finally {
    await server.close();
  }
});

test("the payload and event details have the fields the types give them", async ({ page }) => {
  // The first post meets a collector that is down (a retry); another endpoint refuses (an error).
  const server = await startServer({ failFirst: 1 });
  try {
    await page.route("**/api/refuse", (route) => route.fulfill({ status: 422, contentType: "application/json", body: '{"error":"no","field":"score"}' }));
    await page.goto(`${server.url}/test/blank.html`);
    await page.evaluate(async () => {
      window.details = {};
      for (const name of ["show", "answer", "submit", "sent", "retry", "close", "error"]) {
        document.addEventListener(`sondeo:${name}`, (e) => { window.details[name] ??= e.detail; });
      }
      const { mount } = await import("/dist/sondeo.js");
      window.survey = await mount(document.body.appendChild(document.createElement("div")), {
        kind: "nps", endpoint: "/api/responses", id: "types", metadata: { agent: "ana" }, user: { id: "u-1", plan: "pro" },
      });
    });
    await page.getByRole("radio", { name: "3", exact: true }).click();
    // The partial's failed attempt is settled before Send: a failure that comes back after the
    // complete version replaced it is superseded, and no retry is said for it.
    await page.waitForFunction(() => window.details.retry);
    await page.getByRole("textbox").fill("Slow answer");
    await page.getByRole("button", { name: "Send" }).click();
    await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
    await page.waitForFunction(() => window.details.sent);
    await page.evaluate(async () => {
      window.survey.close();
      const { mount } = await import("/dist/sondeo.js");
      (await mount(document.body.appendChild(document.createElement("div")), { kind: "csat", endpoint: "/api/refuse" })).select(2);
    });
    await page.waitForFunction(() => window.details.error && window.details.close);
    const details = await page.evaluate(() => window.details);
    const payload = declared("ResponsePayload");
    const delivery = declared("DeliveryDetail");
    for (const name of ["retry", "error"]) expect(strays(details[name], delivery, name)).toEqual([]);
    expect(details.retry.attempt).toBe(1);
    // The retry was the partial's; the refused answer is a partial too (a score, no Send).
    expect(details.retry.complete).toBe(false);
    expect(details.error.status).toBe(422);
    expect(details.error.complete).toBe(false);
    expect(strays(details.close, checker.getUnionType([declared("SurveyRef"), payload]), "close")).toEqual([]);
    expect(details.close.complete).toBe(true);
    expect(strays(details.answer, payload, "answer")).toEqual([]);
    expect(strays(details.submit, payload, "submit")).toEqual([]);
    expect(strays(server.posts.find((p) => p.body.complete).body, payload, "posted")).toEqual([]);
    expect(Object.keys(details.show).sort()).toEqual(keysOf(declared("SurveyRef")));
    expect(strays(details.show, declared("SurveyRef"), "show")).toEqual([]);
    expect(strays(details.sent, declared("DeliveryDetail"), "sent")).toEqual([]);
  } finally {
    await server.close();
  }
});

test("the Scorer's declarations name its exports and methods, and every figure it returns has the type they give it", async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`${server.url}/test/blank.html`);
    const found = await page.evaluate(async () => {
      const module = await import("/dist/sondeo-analytics.js");
      await module.default();
      const scorer = new module.Scorer();
      // Every kind, a survey of several questions, segments, weeks, reasons, comments, partials and customers.
      const ranges = { nps: [0, 10], enps: [0, 10], csat: [1, 5], ces: [1, 7], rating: [1, 5], yesno: [0, 1] };
      const kinds = Object.keys(ranges);
      for (let i = 0; i < 600; i++) {
        const kind = kinds[i % kinds.length];
        const [low, high] = ranges[kind];
        const day = String(1 + (i % 28)).padStart(2, "0");
        scorer.upsert({
          schema: 1, id: `r${i}`, surveyId: kind === "enps" ? "pulse" : "relationship", kind, score: low + ((i * 7) % (high - low + 1)),
          complete: i % 9 !== 0, comment: ["slow refund", "great support team", "price too high", ""][i % 4],
          reasons: [["price"], ["support"], []][i % 3], metadata: { agent: ["ana", "bo", "cy"][Math.floor(i / 6) % 3], team: ["ops", "sales"][Math.floor(i / 6) % 2] },
          user: { id: `u${i % 50}` }, createdAt: `2026-11-${day}T10:00:00Z`, submittedAt: `2026-11-${day}T10:01:00Z`,
        });
      }
      for (let i = 0; i < 80; i++) {
        scorer.upsert({
          schema: 2, id: `t${i}`, surveyId: "post-ticket", kind: "csat", score: 1 + (i % 5), complete: true,
          answers: [{ key: "satisfaction", kind: "csat", score: 1 + (i % 5) }, { key: "resolved", kind: "yesno", score: i % 2 }, { key: "agent", kind: "rating", score: 1 + ((i * 3) % 5) }],
          metadata: { agent: ["ana", "bo"][i % 2] }, submittedAt: "2026-11-10T10:00:00Z",
        });
      }
      // What makes figures null, suppressed or truncated: one CES and one rating answer in a segment (no
      // interval), a survey asking NPS and yes/no (groups named detractor and promoter; some never answered)
      // and an eNPS question under the anonymity floor, and a field with more values than are kept.
      scorer.upsert({ id: "solo-ces", kind: "ces", score: 6, metadata: { agent: "solo" }, submittedAt: "2026-11-03T10:00:00Z" });
      scorer.upsert({ id: "solo-rating", kind: "rating", score: 2, metadata: { agent: "solo" }, submittedAt: "2026-11-03T10:00:00Z" });
      for (let i = 0; i < 12; i++) {
        scorer.upsert({
          schema: 2, id: `m${i}`, surveyId: "mixed", kind: "nps", score: i < 8 ? 10 : 2, complete: true,
          answers: [{ key: "recommend", kind: "nps", score: i < 8 ? 10 : 2 }, { key: "resolved", kind: "yesno", score: i < 8 ? 1 : 0 },
            ...(i < 3 ? [{ key: "team", kind: "enps", score: 8 }] : [])],
          metadata: { agent: "ana" }, submittedAt: "2026-11-12T10:00:00Z",
        });
      }
      for (let i = 0; i < 2100; i++) scorer.upsert({ id: `k${i}`, kind: "csat", score: 4, metadata: { ticket: `T-${i}` }, submittedAt: "2026-11-20T10:00:00Z" });
      scorer.upsert({ id: "undated", kind: "nps", score: 9, submittedAt: "someday" });
      const bytes = (text) => new TextEncoder().encode(text);
      const outcomes = ["userId,retained,churned,repurchased,crossSell,revenue"];
      for (let i = 0; i < 60; i++) outcomes.push(`u${i},${i % 3 ? "true" : "false"},${i % 3 ? 0 : 1},${i % 2},${i % 4 ? "no" : "yes"},${(i * 37) % 500}`);
      const impressions = Array.from({ length: 300 }, (_, i) => JSON.stringify({ schema: 1, type: "impression", id: `r${i}`, surveyId: "relationship", kind: "nps", metadata: { agent: ["ana", "bo", "cy"][i % 3] }, shownAt: "2026-11-02T10:00:00Z" }));
      const figures = {
        import: await scorer.import(bytes('{"id":"i1","kind":"nps","score":3}\n{"id":"i2","kind":"nope","score":1}\nnot json\n'), { byId: true }),
        importOutcomes: await scorer.importOutcomes(bytes(outcomes.join("\n") + "\nnobody,maybe,0,0,0,x\n"), {}),
        importImpressions: await scorer.importImpressions(bytes(impressions.join("\n") + "\nbad\n"), {}),
        summary: scorer.summary({ by: "metadata.agent", period: "week", compare: { a: "2026-W45", b: "2026-W46" } }),
        summaryByTeam: scorer.summary({ by: "metadata.team", minTeamSize: 1000 }),
        summaryFiltered: scorer.summary({ by: "metadata.agent", value: "ana", from: "2026-11-01", to: "2026-11-15", kind: "nps" }),
        summaryHidden: scorer.summary({ period: "week", compare: { a: "2026-W45", b: "2026-W46" }, minTeamSize: 1000 }),
        summaryTickets: scorer.summary({ by: "metadata.ticket" }),
        responses: scorer.responses({ limit: 1000 }),
        counted: scorer.counted(),
        outcomes: scorer.outcomes(),
        rates: scorer.rates({ by: "metadata.agent" }),
        ratesPlain: scorer.rates({}),
        participation: scorer.participation("team,invited\nops,8\nsales,900\nx,y\n"),
        inflation: scorer.inflation({ by: "metadata.agent", kind: "nps" }),
        refusedRecords: module.refusedRecords(),
      };
      const names = (prototype) => Object.getOwnPropertyNames(prototype).filter((n) => n !== "constructor").sort();
      return { figures, exports: Object.keys(module).sort(), scorer: names(module.Scorer.prototype), statics: names(module.Scorer).filter((n) => !["length", "name", "prototype"].includes(n)) };
    });
    const values = ts.SymbolFlags.Function | ts.SymbolFlags.Class;
    // The Scorer repeats the widget's kinds (for workers): the two lists are one.
    const kindsOf = (exports) => literalsOf(checker.getDeclaredTypeOfSymbol(exports.get("Kind")));
    expect(kindsOf(scorerExported)).toEqual(kindsOf(exported));
    const declaredNames = [...scorerExported.values()].filter((s) => s.flags & values).map((s) => s.name).sort();
    expect(declaredNames).toEqual(found.exports);
    const scorerClass = scorerExported.get("Scorer");
    const instance = checker.getDeclaredTypeOfSymbol(scorerClass);
    expect(checker.getPropertiesOfType(instance).map((p) => p.name).filter((n) => !n.startsWith("__@")).sort()).toEqual(found.scorer.filter(isPublic));
    const statics = checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(scorerClass, scorerClass.valueDeclaration)).map((p) => p.name).filter((n) => n !== "prototype");
    expect(statics.sort()).toEqual(found.statics.filter(isPublic));

    // Each figure against its function's declared return type (a method's, or an export's; a
    // promise's value for the imports).
    const returnOf = (symbol) => {
      const signature = checker.getTypeOfSymbol(symbol).getCallSignatures()[0];
      const type = checker.getReturnTypeOfSignature(signature);
      return checker.getAwaitedType(type) ?? type;
    };
    const methodOf = { summaryByTeam: "summary", summaryFiltered: "summary", summaryHidden: "summary", summaryTickets: "summary", ratesPlain: "rates" };
    for (const [name, value] of Object.entries(found.figures)) {
      const type = name === "refusedRecords"
        ? returnOf(scorerExported.get(name))
        : returnOf(checker.getPropertyOfType(instance, methodOf[name] ?? name));
      expect(strays(value, type, name), name).toEqual([]);
    }
    // The data reached what the types describe: no check above passed on an empty figure.
    const { summary, outcomes, inflation, rates } = found.figures;
    expect(Object.keys(summary.overall).sort()).toEqual(["ces", "csat", "enps", "nps", "rating", "yesno"]);
    expect(summary.questions["post-ticket"].length).toBe(3);
    expect(summary.drivers.length).toBeGreaterThan(0);
    expect(summary.undated).toBe(2); // "undated", whose date does not read, and the import's i1, which has none
    expect(found.figures.summaryByTeam.segments.ops.enps).toEqual({ suppressed: true, minimum: 1000 });
    expect(outcomes.matched).toBeGreaterThan(0);
    expect(inflation.map((row) => row.segment)).toEqual(expect.arrayContaining(["ana", "bo", "cy"]));
    expect(rates.rows.some((row) => row.responseRate)).toBe(true);
    expect(summary.segments.solo.ces.low95).toBeNull();
    expect(found.figures.summaryHidden.compare.changes.enps).toEqual({ suppressed: true, minimum: 1000 });
    expect(typeof found.figures.summaryTickets.segmentsTruncated).toBe("string");
    const recommend = summary.questions.mixed.find((q) => q.key === "resolved").by.find((b) => b.question === "recommend");
    expect(Object.keys(recommend.groups).sort()).toEqual(["detractor", "promoter"]);
    expect(summary.questions.mixed.find((q) => q.key === "team").figures).toEqual({ suppressed: true, minimum: 5 });
  } finally {
    await server.close();
  }
});
