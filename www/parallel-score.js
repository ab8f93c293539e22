// Scores a file across several Web Workers, one per core: the file is cut at row
// boundaries into one part per worker, each part is scored apart, and the parts' states
// are merged (a Scorer's state is histograms and counts: merging is exact, whatever the
// cut). Each worker streams its part, so memory stays one chunk per worker whatever the
// file's size. A CSV row may hold a quoted newline, so a cut must know whether it falls
// inside quotes: a first pass counts each part's quotes (and newlines, for the rejected
// rows' line numbers) in parallel, and the cut goes after the first newline outside them.
import { Scorer } from "/dist/sondeo-analytics.js";

const WINDOW = 1 << 16;

const bytesOf = async (blob, start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer());

/** The first row boundary at or after `from` (after a newline outside quotes), and the newlines passed. */
async function boundary(file, from, inside, csv) {
  let at = from;
  let newlines = 0;
  while (at < file.size) {
    const chunk = await bytesOf(file, at, Math.min(file.size, at + WINDOW));
    for (let i = 0; i < chunk.length; i++) {
      if (csv && chunk[i] === 34) inside = !inside;
      else if (chunk[i] === 10) {
        newlines++;
        if (!inside) return { offset: at + i + 1, newlines };
      }
    }
    at += chunk.length;
  }
  return { offset: file.size, newlines };
}

/**
 * Scores `file` (a Blob or File, CSV or NDJSON) in `workers` workers made from `workerUrl`.
 * Returns `{ done, cancel }`: `done` resolves to `{ state, report }` (report as
 * `Scorer.import`'s, line numbers those of the whole file), `cancel()` stops every worker.
 */
export function scoreInWorkers(file, { workerUrl, workers = 1, onProgress = () => {} }) {
  const started = [];
  let cancelled = false;
  const spawn = () => {
    const worker = new Worker(workerUrl, { type: "module" });
    started.push(worker);
    return worker;
  };
  const ask = (message, onBytes) => new Promise((resolve, reject) => {
    if (cancelled) return reject(new Error("cancelled"));
    const worker = spawn();
    worker.onmessage = ({ data }) => {
      if (data.bytes !== undefined) return onBytes?.(data.bytes);
      worker.terminate();
      data.error ? reject(new Error(data.error)) : resolve(data);
    };
    worker.onerror = (event) => { worker.terminate(); reject(new Error(event.message)); };
    worker.postMessage(message);
  });
  const done = (async () => {
    const head = await bytesOf(file, 0, Math.min(file.size, 256));
    const csv = head.find((b) => b > 32) !== 123; // NDJSON lines start with "{"
    // Small files are not worth the cutting.
    const n = file.size < 4 << 20 ? 1 : Math.max(1, Math.min(workers, 16));
    const starts = Array.from({ length: n }, (_, k) => Math.floor((k * file.size) / n));
    // Where each part starts, at a row boundary, and how many lines come before it.
    const cuts = [{ offset: 0, lines: 0 }];
    let header = null;
    if (n > 1) {
      const counts = await Promise.all(starts.map((s, k) => ask({ count: file.slice(s, starts[k + 1] ?? file.size) })));
      let quotes = 0;
      let lines = 0;
      for (let k = 1; k < n; k++) {
        quotes += counts[k - 1].quotes;
        lines += counts[k - 1].newlines;
        const cut = await boundary(file, starts[k], csv && quotes % 2 === 1, csv);
        cuts.push({ offset: Math.max(cut.offset, cuts[k - 1].offset), lines: lines + cut.newlines });
      }
      if (csv) header = file.slice(0, (await boundary(file, 0, false, true)).offset);
    }
    const progress = new Array(n).fill(0);
    const parts = await Promise.all(cuts.map((cut, k) => {
      const end = cuts[k + 1]?.offset ?? file.size;
      const body = file.slice(cut.offset, end);
      // Every CSV part after the first gets the header row in front of it.
      const part = k > 0 && header ? new Blob([header, body]) : body;
      return ask({ file: part }, (bytes) => {
        progress[k] = bytes;
        onProgress(progress.reduce((a, b) => a + b, 0));
      });
    }));
    // Merge: the first part's state takes in the others'.
    const merged = Scorer.fromState(parts[0].state);
    for (const part of parts.slice(1)) {
      const other = Scorer.fromState(part.state);
      merged.merge(other);
      other.free();
    }
    const state = merged.state();
    merged.free();
    const first = parts.flatMap((part, k) => part.report.rejected.first.map((e) => ({
      ...e,
      // A part's line 1 is its first row (or, after the first part of a CSV, the header copy).
      line: e.line + cuts[k].lines - (k > 0 && header ? 1 : 0),
    }))).sort((a, b) => a.line - b.line).slice(0, 100);
    const sum = (pick) => parts.reduce((total, part) => total + pick(part.report), 0);
    const report = {
      accepted: sum((r) => r.accepted),
      skippedPartials: sum((r) => r.skippedPartials),
      rejected: { count: sum((r) => r.rejected.count), first },
      workers: n,
    };
    return { state, report };
  })();
  return {
    done,
    cancel() {
      cancelled = true;
      for (const worker of started) worker.terminate();
    },
  };
}
