// A scoring worker, off the page's main thread (the dashboard stays responsive, and
// "Cancel" terminates it). It keeps one Scorer for the whole file: `{ ready }` answers
// once the analytics module is loaded; `{ begin }` starts a new file with a new Scorer;
// `{ part, header, format }` scores one part of the
// file (its chunks in order, cut at a row boundary by parallel-score.js; a CSV part after
// the first gets the header row in front) and answers its import report (with the newlines
// it read);
// `{ finish }` answers the Scorer's exact state, to be merged with the other workers', and
// the peak size of the worker's wasm memory.
import init, { Scorer } from "/dist/sondeo-analytics.js";

const ready = init();
let scorer;
// One message at a time, in order: the page matches answers to its messages by order.
let queue = Promise.resolve();

async function handle(data) {
  const wasm = await ready;
  if (data.ready) return { ready: true };
  if (data.begin) {
    // A new file: nothing of an earlier job (one that failed or was left) is kept.
    scorer?.free();
    scorer = new Scorer();
    return { begun: true };
  }
  if (data.finish) {
    const state = (scorer ??= new Scorer()).state();
    scorer.free();
    scorer = undefined;
    // Linear memory only grows: its size now is the worker's peak.
    return { state, memory: wasm.memory.buffer.byteLength };
  }
  scorer ??= new Scorer();
  const chunks = data.header ? [data.header, ...data.part] : data.part;
  const report = await scorer.import(chunks, { format: data.format });
  return { report };
}

onmessage = ({ data }) => {
  queue = queue.then(() => handle(data)).then(
    (answer) => postMessage(answer),
    (error) => postMessage({ error: String(error?.message ?? error) }),
  );
};
