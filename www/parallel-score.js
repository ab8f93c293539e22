// Scores a file across several Web Workers, one per core, while it is still arriving: the
// bytes are read as a stream, cut at row boundaries into parts of a few megabytes, and
// each part is handed (transferred, not copied) to the least busy worker, which scores it
// into its own Scorer. At the end the workers' states are merged (a Scorer's state is
// histograms and counts: merging is exact, whatever the cut). Memory stays a few parts
// per worker whatever the file's size: reading waits while every worker is busy.
//
// A CSV row may hold a quoted newline, so a cut must not fall inside quotes. Every part
// starts outside quotes (it starts where the previous one was cut), so the quotes inside a
// part tell where its last row boundary is; nothing before the part needs to be read again.
import { Scorer } from "/dist/sondeo-analytics.js";

const QUOTE = 34;
const NEWLINE = 10;
const MIN_PART = 256 << 10;
const MAX_PART = 4 << 20;
// Smaller files are not worth the cutting: one worker scores them whole.
const SMALL_FILE = 4 << 20;

/**
 * Where a part (one Uint8Array, or its chunks in order), starting outside quotes, may be
 * cut: just after its last newline outside quotes, as an offset from its start; -1 when
 * it has none. The chunks are read where they are: a part is never copied into one array.
 */
export function lastRowEnd(chunks, csv) {
  const parts = chunks instanceof Uint8Array ? [chunks] : chunks;
  const starts = [];
  let length = 0;
  for (const part of parts) { starts.push(length); length += part.length; }
  // For CSV: each chunk's quotes, and how many came before it.
  const quotes = [];
  const quotesBefore = [];
  if (csv) {
    let count = 0;
    for (const part of parts) {
      const at = [];
      for (let i = part.indexOf(QUOTE); i >= 0; i = part.indexOf(QUOTE, i + 1)) at.push(i);
      quotes.push(at);
      quotesBefore.push(count);
      count += at.length;
    }
  }
  for (let k = parts.length - 1; k >= 0; k--) {
    const part = parts[k];
    let end = part.lastIndexOf(NEWLINE);
    if (!csv) {
      if (end >= 0) return starts[k] + end + 1;
      continue;
    }
    let before = quotes[k].length; // this chunk's quotes before `end`
    while (end >= 0) {
      while (before > 0 && quotes[k][before - 1] > end) before--;
      if ((quotesBefore[k] + before) % 2 === 0) return starts[k] + end + 1;
      // Inside a quoted cell: no newline after its opening quote can end a row.
      end = before > 0 ? part.lastIndexOf(NEWLINE, quotes[k][before - 1]) : -1;
    }
  }
  return -1;
}

/** The chunks joined into one array. */
const concat = (chunks, length) => {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
};

/** A chunk that is a view into a larger buffer, copied: parts are transferred by buffer. */
const owned = (chunk) => (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice());

/**
 * A pool of scoring workers made from `workerUrl` (www/score-worker.js), each with the
 * analytics module loaded. A page that scores files often keeps one; `scoreInWorkers`
 * makes its own otherwise.
 */
export function scoringPool({ workerUrl, workers = 1 }) {
  const n = Math.max(1, Math.min(workers, 16));
  const list = Array.from({ length: n }, () => new Worker(workerUrl, { type: "module" }));
  const ready = Promise.all(list.map((worker) => new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve());
    worker.onerror = (event) => reject(new Error(event.message || "the scoring worker failed to load"));
    worker.postMessage({ ready: true });
  })));
  const terminate = () => {
    for (const worker of list) {
      worker.terminate();
      for (const waiting of (worker.pending ?? []).splice(0)) waiting.reject(new Error("cancelled"));
    }
  };
  return { workers: list, ready, terminate };
}

/**
 * Scores `source` (a Blob or File, or a ReadableStream of bytes with `size` when known),
 * CSV or NDJSON, in `workers` workers made from `workerUrl` (or in the given `pool`).
 * Returns `{ done, cancel }`: `done` resolves to `{ state, report }` (report as
 * `Scorer.import`'s, line numbers those of the whole file), `cancel()` stops every worker.
 */
export function scoreInWorkers(source, { workerUrl, workers = 1, pool, size, onProgress = () => {} }) {
  const total = size ?? source.size;
  const own = !pool;
  const small = total !== undefined && total < SMALL_FILE;
  pool ??= scoringPool({ workerUrl, workers: small ? 1 : workers });
  let cancelled = false;
  let failed;
  const n = small ? 1 : pool.workers.length;
  // Parts of about a quarter of each worker's share, so that the last ones even out.
  const partSize = total === undefined ? MAX_PART : Math.min(MAX_PART, Math.max(MIN_PART, Math.ceil(total / (4 * n))));
  const busy = new Array(n).fill(0);
  const results = []; // by part: { report, lines }
  let wake = () => {};
  let scored = 0;

  const send = (k, message, transfer) => new Promise((resolve, reject) => {
    const worker = pool.workers[k];
    const pending = (worker.pending ??= []);
    pending.push({ resolve, reject });
    worker.onmessage = ({ data }) => {
      const next = pending.shift();
      data.error ? next.reject(new Error(data.error)) : next.resolve(data);
    };
    worker.onerror = (event) => { for (const p of pending.splice(0)) p.reject(new Error(event.message || "a scoring worker failed")); };
    worker.postMessage(message, transfer);
  });

  const dispatch = (chunks, length, header, format, index) => {
    let k = 0;
    for (let i = 1; i < n; i++) if (busy[i] < busy[k]) k = i;
    busy[k]++;
    const transfer = [...new Set(chunks.map((c) => c.buffer))];
    const part = send(k, { part: chunks, header, format }, transfer).then((result) => {
      results[index] = result;
      scored += length;
      onProgress(scored);
    }, (error) => { failed ??= error; }).finally(() => { busy[k]--; wake(); });
    return part;
  };

  const done = (async () => {
    await pool.ready;
    const stream = typeof source.getReader === "function" ? source : source.stream();
    const reader = stream.getReader();
    let chunks = [];
    let held = 0;
    let format;
    let header = null;
    const parts = [];
    const flush = (last) => {
      if (format === undefined) {
        const head = concat(chunks, held).subarray(0, 4096);
        const text = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
        const first = text.find((b) => b > 32);
        if (first === undefined && !last && held < 4096) return;
        format = first === 123 ? "ndjson" : "csv";
      }
      const csv = format === "csv";
      if (csv && header === null) {
        // The header row, put in front of every later part (the first chunks joined once).
        const joined = concat(chunks, held);
        chunks = [joined];
        const first = firstRowEnd(joined);
        if (first < 0 && !last) return;
        header = joined.slice(0, first < 0 ? joined.length : first);
      }
      const cut = last ? held : lastRowEnd(chunks, csv);
      if (cut <= 0) return;
      // The part: whole chunks up to the cut, then the start of the chunk it falls in;
      // the rest of that chunk (copied) and the chunks after it start the next part.
      const part = [];
      let taken = 0;
      let k = 0;
      while (k < chunks.length && taken + chunks[k].length <= cut) taken += chunks[k++].length;
      const rest = chunks.slice(k);
      if (taken < cut) {
        const split = chunks[k];
        rest[0] = split.slice(cut - taken);
        part.push(...chunks.slice(0, k), split.subarray(0, cut - taken));
      } else {
        part.push(...chunks.slice(0, k));
      }
      chunks = rest;
      held -= cut;
      parts.push(dispatch(part, cut, parts.length === 0 ? null : header, format, parts.length));
    };
    for (;;) {
      if (cancelled) throw new Error("cancelled");
      if (failed) throw failed;
      // Backpressure: read on only while some worker has room.
      while (Math.min(...busy) >= 2) await new Promise((resolve) => { wake = resolve; });
      const { done: end, value } = await reader.read();
      if (end) break;
      if (!value.length) continue;
      chunks.push(owned(value));
      held += value.length;
      if (held >= partSize) flush(false);
    }
    if (held) flush(true);
    await Promise.all(parts);
    if (failed) throw failed;
    // Merge: the first worker's state takes in the others'.
    const states = await Promise.all(pool.workers.slice(0, n).map((_, k) => send(k, { finish: true })));
    if (own) pool.terminate();
    const merged = Scorer.fromState(states[0].state);
    for (const { state } of states.slice(1)) {
      const other = Scorer.fromState(state);
      merged.merge(other);
      other.free();
    }
    const state = merged.state();
    merged.free();
    // A part's line 1 is its first row, or, after the first part of a CSV, the header copy.
    let before = 0;
    const first = [];
    for (const [index, { report, lines }] of results.entries()) {
      const shift = before - (index > 0 && header ? 1 : 0);
      for (const e of report.rejected.first) first.push({ ...e, line: e.line + shift });
      before += lines;
    }
    first.sort((a, b) => a.line - b.line);
    const sum = (pick) => results.reduce((all, { report }) => all + pick(report), 0);
    const report = {
      accepted: sum((r) => r.accepted),
      skippedPartials: sum((r) => r.skippedPartials),
      rejected: { count: sum((r) => r.rejected.count), first: first.slice(0, 100) },
      workers: n,
      // The largest wasm memory of a worker, in bytes (what each worker's memory peaked at).
      workerMemory: Math.max(...states.map((s) => s.memory ?? 0)),
    };
    return { state, report };
  })();
  done.catch(() => { if (own) pool.terminate(); });
  return {
    done,
    cancel() {
      cancelled = true;
      wake();
      pool.terminate();
    },
  };
}

/** Just after the first row (the header) of `bytes`, or -1 when it has not ended yet. */
function firstRowEnd(bytes) {
  // A header cell may be quoted and hold a newline: the row ends at a newline outside quotes.
  let inside = false;
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] === QUOTE) inside = !inside;
    else if (bytes[at] === NEWLINE && !inside) return at + 1;
  }
  return -1;
}
