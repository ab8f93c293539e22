// One NPS prompt ("How likely…", 0–10, then "why"), shown by whichever contender the page
// loaded (window.contender, from sondeo.js or surveyjs.js). Records when the first prompt
// could be answered: mounted, laid out, and one frame painted.
const contender = await window.contenderReady;
const painted = () => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));

const first = document.getElementById("prompt");
await contender.show(first, 0);
first.getBoundingClientRect();
await painted();
window.firstPromptMs = performance.now();
window.firstOptions = contender.options(first);

// Mounting again on a warm page, each time into a new container: from the call to the
// prompt laid out (a synchronous layout forced by reading its size).
window.mountTimes = async (count) => {
  const times = [];
  let options = -1;
  for (let i = 1; i <= count; i++) {
    const el = document.createElement("div");
    document.querySelector("main").append(el);
    const start = performance.now();
    const handle = await contender.show(el, i);
    el.getBoundingClientRect();
    times.push(performance.now() - start);
    options = contender.options(el);
    contender.destroy(handle, el);
    el.remove();
    await painted();
  }
  return { times, options };
};
window.benchReady = true;
