// Test page: mounts a survey from the config in the URL (#<json>) and logs its events.
import { mount } from "/dist/sondeo.js";

window.sondeoEvents = [];
for (const type of ["show", "answer", "submit", "close", "error"]) {
  document.addEventListener(`sondeo:${type}`, (e) => window.sondeoEvents.push({ type, detail: e.detail }));
}
window.mountFromHash = async () => {
  const config = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  const target = config.display && config.display !== "inline" ? null : document.getElementById("target");
  try {
    window.survey = await mount(target, config);
    window.mountError = null;
  } catch (error) {
    window.mountError = error.message;
  }
};
window.ready = window.mountFromHash();
