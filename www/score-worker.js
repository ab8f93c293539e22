// A scoring worker, off the page's main thread (the dashboard stays responsive, and
// "Cancel" terminates it). Two jobs: `{ count: blob }` counts a part's quotes and newlines
// (where rows may be cut, see parallel-score.js); `{ file: blob }` scores a part and posts
// progress, then the Scorer's exact state and the import report.
import init, { Scorer } from "/dist/sondeo-analytics.js";

const ready = init();

async function count(blob) {
  let quotes = 0;
  let newlines = 0;
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { quotes, newlines };
    for (let i = 0; i < value.length; i++) {
      const b = value[i];
      if (b === 34) quotes++;
      else if (b === 10) newlines++;
    }
  }
}

onmessage = async ({ data }) => {
  try {
    if (data.count) return void postMessage(await count(data.count));
    await ready;
    const scorer = new Scorer();
    let last = 0;
    const report = await scorer.import(data.file, {
      onProgress: ({ bytes }) => {
        // A few updates a second are enough for a progress bar.
        const now = performance.now();
        if (now - last > 100) (last = now), postMessage({ bytes });
      },
    });
    postMessage({ report, state: scorer.state() });
    scorer.free();
  } catch (error) {
    postMessage({ error: String(error?.message ?? error) });
  }
};
