// Scores a file off the page's main thread, so that the dashboard stays responsive while
// a million-row export streams through, and "Cancel" can stop it (the page terminates
// this worker). It posts progress, then the Scorer's exact state and the import report.
import init, { Scorer } from "/dist/sondeo-analytics.js";

const ready = init();

onmessage = async ({ data: { file } }) => {
  try {
    await ready;
    const scorer = new Scorer();
    let last = 0;
    const report = await scorer.import(file, {
      onProgress: ({ bytes }) => {
        // A few updates a second are enough for a progress bar.
        const now = performance.now();
        if (now - last > 100) (last = now), postMessage({ bytes });
      },
    });
    postMessage({ report, state: scorer.state() });
  } catch (error) {
    postMessage({ error: String(error?.message ?? error) });
  }
};
