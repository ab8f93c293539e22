// Compiled (never run) by tests/e2e/types.spec.mjs under `strict`: what a site writes against
// dist/sondeo.d.ts. Each `@ts-expect-error` is a mistake the types must catch; an unused one is
// itself an error, so a type that grew too loose fails the test.
import { mount, consent, navigated, reset } from "../../dist/sondeo.js";
import type { ResponsePayload, Survey, SurveyConfig } from "../../dist/sondeo.js";

// A value a site may not have (a ref, a route parameter): the widget leaves the key out.
declare function maybe(): string | undefined;

export async function embed(): Promise<void> {
  const survey: Survey = await mount(document.querySelector("#feedback"), {
    kind: "csat",
    scale: "stars",
    endpoint: "/api/responses",
    id: "checkout",
    reasons: ["Price", "Delivery", "Support"],
    metadata: { touchpoint: "checkout", channel: "web", orderId: 1234567890123456, vip: true, agent: maybe() },
    user: { id: "u-42", plan: "pro" },
    followUp: { low: "What went wrong?", high: "What did we do well?", required: true, maxLength: 500 },
    thankYou: { high: "Thanks!", link: { url: "/reviews", text: "Review us" }, closeAfterMs: 0 },
    display: { mode: "slide-in", position: "bottom-left" },
    trigger: { scrollPercent: 50, event: "checkout:done" },
    showOn: ["/checkout/*"],
    texts: { submit: "Send it", csatQuestion: "How was checkout?" },
    theme: { mode: "dark", accent: "#0a7", "--sondeo-radius": "4px" },
    delivery: { maxAttempts: 3, timeoutMs: 5000 },
    beforeSend: (payload) => ({ ...payload, source: "web" }),
  });
  survey.select(4);
  const waiting: number = survey.pending();
  if (waiting === 0) survey.destroy();
  survey.show();
  survey.close();
  await consent(true);
  await navigated();
  await reset();

  await mount(null, { kind: "nps", endpoint: "https://survey.example.com/api/responses", followUp: { detractor: "What went wrong?" } });
  await mount(null, { kind: "enps", endpoint: "/api/responses", anonymous: true, metadata: { team: "support" } });
  // Null is "not given", as a form or a server's JSON often writes it.
  await mount(null, { kind: "ces", endpoint: "/api/responses", responseId: null, question: null, display: null, theme: null });
  // A value the site may not have, under `exactOptionalPropertyTypes` too (the test compiles this file both ways),
  // at the top level and inside.
  await mount(null, { kind: "ces", endpoint: "/api/responses", id: maybe(), responseId: maybe(), question: maybe() });
  await mount(null, {
    kind: "nps",
    endpoint: "/api/responses",
    followUp: { detractor: maybe(), placeholder: maybe() },
    thankYou: { promoter: maybe(), link: undefined },
    reasons: { options: ["Price", "Support"], label: maybe() },
    display: { mode: "slide-in", position: undefined },
    trigger: { event: maybe(), delayMs: undefined },
    theme: { accent: maybe(), mode: undefined },
    delivery: { maxAttempts: undefined, partial: undefined },
  });
  await mount(null, {
    endpoint: "/api/responses",
    questions: [{ key: "a", kind: "csat", question: maybe(), scale: undefined }, { key: "b", kind: "yesno" }],
    followUp: { after: maybe() },
  });
  await mount(null, {
    endpoint: "/api/responses",
    id: "post-ticket-tls",
    questions: [
      { key: "satisfaction", kind: "csat", scale: "emoji" },
      { key: "resolved", kind: "yesno" },
      { key: "agent", kind: "rating", question: "How would you rate the agent?" },
    ],
    followUp: { after: "resolved", low: "What is still open?" },
  });

  // @ts-expect-error: not a kind
  await mount(null, { kind: "nsp", endpoint: "/api/responses" });
  // @ts-expect-error: the endpoint is required
  await mount(null, { kind: "nps" });
  // @ts-expect-error: faces are CSAT's, not NPS's
  await mount(null, { kind: "nps", endpoint: "/x", scale: "emoji" });
  // @ts-expect-error: NPS words its follow-up per detractor/passive/promoter, not low/high
  await mount(null, { kind: "nps", endpoint: "/x", followUp: { low: "Why?" } });
  // @ts-expect-error: a typo, as the widget refuses it
  await mount(null, { kind: "nps", endpoint: "/x", recontactDay: 30 });
  // @ts-expect-error: with questions, the kind goes on each question
  await mount(null, { kind: "nps", endpoint: "/x", questions: [{ key: "a", kind: "nps" }] });
  // @ts-expect-error: not a display mode
  await mount(null, { kind: "nps", endpoint: "/x", display: "popup" });
  // @ts-expect-error: not a text key
  await mount(null, { kind: "nps", endpoint: "/x", texts: { sumbit: "Go" } });
  // @ts-expect-error: theme values are strings (a number is refused)
  await mount(null, { kind: "nps", endpoint: "/x", theme: { zIndex: 10 } });
  // @ts-expect-error: a score is a number
  survey.select("4");
  // @ts-expect-error: beforeSend is synchronous (the widget refuses a Promise)
  await mount(null, { kind: "nps", endpoint: "/x", beforeSend: async (payload) => payload });
  // A framework's ref may be undefined before it is attached: mount() takes it as null.
  const ref: { value?: HTMLElement } = {};
  await mount(ref.value, { kind: "nps", endpoint: "/x" });
}

// The custom element and its events are typed by their names.
export function listen(): void {
  const element = document.createElement("sondeo-survey");
  element.config = { kind: "ces", endpoint: "/api/responses" };
  element.show();
  const waiting: number = element.pending();
  element.addEventListener("sondeo:submit", (event) => {
    const payload: ResponsePayload = event.detail;
    const score: number = payload.score + waiting;
    console.log(score, payload.comment?.length, payload.metadata.agent);
  });
  document.addEventListener("sondeo:retry", (event) => console.log(event.detail.attempt, event.detail.delayMs));
  window.addEventListener("sondeo:error", (event) => console.log(event.detail.error));
  const config: SurveyConfig = { kind: "rating", endpoint: "/x", scale: "numbers" };
  console.log(config);
}
