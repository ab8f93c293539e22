// sondeo: the module and the same prompt config a site would give.
import { mount } from "/dist/sondeo.js";

window.contenderReady = Promise.resolve({
  show: (el, i) => mount(el, { kind: "nps", endpoint: "/api/responses", id: `bench-${i}` }),
  options: (el) => el.querySelector("sondeo-survey")?.shadowRoot?.querySelectorAll("[data-score]").length ?? 0,
  destroy: (survey) => survey.destroy(),
});
