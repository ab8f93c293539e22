// Delivery test page: mounts `count` inline surveys numbered from `from` (in the URL
// hash), each tagged with metadata.n so the test can find its response.
import { mount } from "/dist/sondeo.js";

const params = new URLSearchParams(location.hash.slice(1));
const from = Number(params.get("from") ?? 0);
const count = Number(params.get("count") ?? 0);
window.surveys = {};
window.deliveryEvents = [];
for (const type of ["sent", "retry", "queued", "error"]) {
  document.addEventListener(`sondeo:${type}`, (e) => window.deliveryEvents.push({ type, ...e.detail }));
}
window.ready = (async () => {
  for (let n = from; n < from + count; n++) {
    const target = document.createElement("div");
    document.getElementById("surveys").append(target);
    window.surveys[n] = await mount(target, {
      kind: "nps", id: "chaos", endpoint: "/api/responses", metadata: { n },
      delivery: { baseDelayMs: 100, maxDelayMs: 1500, maxAttempts: 30, timeoutMs: Number(params.get("timeoutMs") ?? 10_000) },
    });
  }
})();

/** Answers survey n: the score (a partial post), then, when `submit`, a comment and Send. */
window.answer = (n, score, comment, submit) => {
  window.surveys[n].select(score);
  if (!submit) return;
  const root = document.querySelectorAll("sondeo-survey")[n - from].shadowRoot;
  const box = root.querySelector("textarea");
  box.value = comment;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  root.querySelector("[data-action=submit]").click();
};
