// Scores a file across several Web Workers, one per core, while it is still arriving: the
// bytes are read as a stream, cut at row boundaries into parts of a few megabytes, and
// each part is handed (transferred, not copied) to the least busy worker, which scores it
// into its own Scorer. At the end the workers' states are merged (a Scorer's state is
// histograms and counts: merging is exact, whatever the cut). Memory stays a few parts
// per worker whatever the file's size: reading waits while every worker is busy.
//
// A CSV row may hold a quoted newline, so a cut must not fall inside quotes. The bytes are
// followed once, as they arrive, by the readers' own rules (RowEnds, crates/core/src/
// import/cut.rs, tested against the CSV reader: a quote opens a quoted cell only at the
// start of a cell, `""` inside one is a quote; a row ends with LF, CRLF or a lone CR;
// cells are separated by what the Scorer says the header uses), so the last row end is
// always known and nothing is read twice.
import init, { RowEnds, Scorer, csvHeaderEnd, csvSeparator, fileFormat, lineEnds, refusedRecords } from "/dist/sondeo-analytics.js";

const COMMA = 44;
const CR = 13;
const MIN_PART = 256 << 10;
const MAX_PART = 4 << 20;
// Smaller files are not worth the cutting: one worker scores them whole.
const SMALL_FILE = 4 << 20;
// A CSV header not found in this many bytes (a quote opened in it and never closed, a file
// of one long line such as a JSON array): no row end can be trusted, and the file is read
// in one pass on the page as it arrives (see `onePass`).
const HEADER_SEARCH = 8 << 20;

/**
 * Where a part (one Uint8Array, or its chunks in order), starting at a row boundary, may
 * be cut: just after its last row, as an offset from its start; -1 when it has none. The
 * analytics module must be loaded (`init()`).
 */
export function lastRowEnd(chunks, csv, separator = COMMA) {
  const ends = new RowEnds(csv, separator);
  try {
    for (const chunk of chunks instanceof Uint8Array ? [chunks] : chunks) ends.feed(chunk);
    return ends.last;
  } finally {
    ends.free();
  }
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
 * Counts line ends in bytes fed in order, by the Scorer's own rule (`lineEnds`), a CRLF
 * cut between two chunks counted once.
 */
class LineEnds {
  constructor(csv) {
    this.csv = csv;
    this.count = 0;
    this.afterCR = false;
  }

  feed(bytes) {
    if (!bytes.length) return this;
    this.count += lineEnds(bytes, this.csv, this.afterCR);
    this.afterCR = bytes[bytes.length - 1] === CR;
    return this;
  }
}

/**
 * A pool of scoring workers made from `workerUrl` (www/score-worker.js), each with the
 * analytics module loaded. A page that scores files often keeps one and passes it to
 * `scoreInWorkers` (one file at a time); `scoreInWorkers` makes its own otherwise.
 * `terminate()` stops the workers for good; cancelling a job terminates its pool.
 */
export function scoringPool({ workerUrl, workers = 1 }) {
  const n = Math.max(1, Math.min(workers, 16));
  const list = Array.from({ length: n }, () => new Worker(workerUrl, { type: "module" }));
  let stop;
  const stopped = new Promise((_, reject) => { stop = reject; });
  stopped.catch(() => {});
  const loaded = Promise.all(list.map((worker) => new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve());
    worker.onerror = (event) => reject(new Error(event.message || "the scoring worker failed to load"));
    worker.postMessage({ ready: true });
  })));
  const pool = {
    workers: list,
    ready: Promise.race([loaded, stopped]),
    terminated: false,
    busy: false,
    terminate() {
      pool.terminated = true;
      stop(new Error("the scoring pool was terminated"));
      for (const worker of list) {
        worker.terminate();
        for (const waiting of (worker.pending ?? []).splice(0)) waiting.reject(new Error("cancelled"));
      }
    },
  };
  pool.ready.catch(() => {});
  return pool;
}

/**
 * Scores `source` (a Blob or File, or a ReadableStream of bytes with `size` when known),
 * CSV or NDJSON, in `workers` workers made from `workerUrl` (or in the given `pool`).
 * Returns `{ done, cancel }`: `done` resolves to `{ state, report }` (report as
 * `Scorer.import`'s, line numbers those of the whole file, with `workers`: how many
 * scored it, 0 for a file read in one pass on the page: a CSV whose header row no row
 * end follows, or UTF-16 text); `cancel()` stops reading, stops the workers and rejects `done`.
 */
export function scoreInWorkers(source, { workerUrl, workers = 1, pool, size, onProgress = () => {} }) {
  const total = size ?? source.size;
  const own = !pool;
  const small = total !== undefined && total < SMALL_FILE;
  pool ??= scoringPool({ workerUrl, workers: small ? 1 : workers });
  let cancelled = false;
  let failed;
  let reader;
  let cancel;
  const stopped = new Promise((_, reject) => { cancel = reject; });
  stopped.catch(() => {});
  // Every wait ends at once when the job is cancelled.
  const unlessCancelled = (promise) => Promise.race([promise, stopped]);
  const n = small ? 1 : pool.workers.length;
  // Parts of about a quarter of each worker's share, so that the last ones even out.
  const partSize = total === undefined ? MAX_PART : Math.min(MAX_PART, Math.max(MIN_PART, Math.ceil(total / (4 * n))));
  const busy = new Array(n).fill(0);
  const results = []; // by part: { report }
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

  // `copied`: the line ends of the header copy put in front of the part.
  const dispatch = (chunks, length, header, copied, format, index) => {
    let k = 0;
    for (let i = 1; i < n; i++) if (busy[i] < busy[k]) k = i;
    busy[k]++;
    const transfer = [...new Set(chunks.map((c) => c.buffer))];
    return send(k, { part: chunks, header, format }, transfer).then((result) => {
      results[index] = { ...result, copied };
      scored += length;
      onProgress(scored);
    }, (error) => { failed ??= error; }).finally(() => { busy[k]--; wake(); });
  };

  // The bytes held so far, then the rest of the stream, through one Scorer on the page: the
  // single pass holds nothing but the chunk at hand (what it refuses it does not keep), where
  // waiting for a part's end would hold the whole file.
  const onePass = async (held, reader) => {
    const stream = new ReadableStream({
      async pull(controller) {
        if (held.length) {
          const chunk = held.shift();
          controller.enqueue(chunk);
          return onProgress((scored += chunk.length));
        }
        const { done: end, value } = await reader.read();
        if (end) return controller.close();
        controller.enqueue(value);
        onProgress((scored += value.length));
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    const scorer = new Scorer();
    try {
      const { accepted, skippedPartials, windows1252, rejected } = await scorer.import(stream, {});
      return { state: scorer.state(), report: { accepted, skippedPartials, windows1252, rejected, workers: 0, workerMemory: 0 } };
    } finally {
      scorer.free();
    }
  };

  const done = (async () => {
    if (pool.terminated) throw new Error("the scoring pool was terminated");
    if (pool.busy) throw new Error("the scoring pool is scoring another file");
    pool.busy = true;
    // Where the rows end in the bytes held (a RowEnds of the analytics module).
    let ends;
    try {
      await unlessCancelled(Promise.all([pool.ready, init()]));
      const limits = refusedRecords();
      // A fresh Scorer in every worker: nothing left from a job that failed.
      await unlessCancelled(Promise.all(pool.workers.slice(0, n).map((_, k) => send(k, { begin: true }))));
      const stream = typeof source.getReader === "function" ? source : source.stream();
      reader = stream.getReader();
      let chunks = [];
      let held = 0;
      let format;
      let header = null;
      let headerLines = 0;
      // No header found near the start: no cut (see HEADER_SEARCH).
      let whole = false;
      let utf16 = false;
      const parts = [];
      // The held bytes up to `at`, taken off: whole chunks up to it, then the start of the
      // chunk it falls in; the rest of that chunk (copied) and the chunks after it stay.
      const split = (at) => {
        const part = [];
        let taken = 0;
        let k = 0;
        while (k < chunks.length && taken + chunks[k].length <= at) taken += chunks[k++].length;
        const rest = chunks.slice(k);
        part.push(...chunks.slice(0, k));
        if (taken < at) {
          rest[0] = chunks[k].slice(at - taken);
          part.push(chunks[k].subarray(0, at - taken));
        }
        chunks = rest;
        held -= at;
        ends.forget(at);
        return part;
      };
      const cut = (at) => {
        const copy = parts.length === 0 ? null : header;
        parts.push(dispatch(split(at), at, copy, copy ? headerLines : 0, format, parts.length));
      };
      // A record longer than the Scorer takes is refused whatever it holds, so its bytes are
      // counted and let go as they arrive instead of held until its row ends: a quote opened
      // by mistake would otherwise keep the rest of the file in the page's memory. Its
      // report is the one the Scorer would give it, at its line.
      let refused = null; // { lines } while such a record's bytes go by
      const letGo = (at) => {
        for (const c of split(at)) refused.lines.feed(c);
        scored += at;
        onProgress(scored);
      };
      const reportRefused = (error) => {
        const report = {
          accepted: 0,
          skippedPartials: 0,
          windows1252: 0,
          newlines: refused.lines.count,
          rejected: { count: 1, first: [{ line: 1, field: format === "csv" ? "csv" : "json", error }] },
        };
        results[parts.length] = { report, copied: 0 };
        parts.push(Promise.resolve());
        refused = null;
      };
      const take = (chunk, last) => {
        if (chunk.length) {
          chunks.push(chunk);
          held += chunk.length;
        }
        if (format === undefined) {
          // The Scorer's own guess (Format::sniff), undecided until the first byte of text
          // (or the end) has arrived.
          const head = concat(chunks, held);
          const sniffed = fileFormat(head);
          if (!sniffed && !last) return;
          // UTF-16 (Excel's "Unicode Text") has two-byte line ends, which no cut follows: it
          // is read in one pass on the page, which decodes it (see `onePass`).
          if (sniffed === "utf16") {
            utf16 = true;
            return;
          }
          format = sniffed || "csv";
          if (chunks.length > 1) chunks = [head];
          // A CSV's row ends are followed once its separator is known (with its header).
          if (format === "ndjson") {
            ends = new RowEnds(false, 0);
            for (const c of chunks) ends.feed(c);
          }
        } else if (chunk.length && ends) {
          ends.feed(chunk);
        }
        if (format === "csv" && header === null) {
          // The header row, put in front of every later part with what precedes it (a BOM,
          // blank lines): the Scorer's own reading says where it ends, so each part's import
          // skips and takes exactly what the whole file's would.
          const head = concat(chunks, held);
          if (chunks.length > 1) chunks = [head];
          const end = csvHeaderEnd(head, last);
          if (end < 0 && !last && held < HEADER_SEARCH) return;
          whole = end < 0;
          header = head.slice(0, whole ? held : end);
          headerLines = new LineEnds(true).feed(header).count;
          const separator = csvSeparator(head, last);
          ends?.free();
          ends = new RowEnds(true, separator < 0 ? COMMA : separator);
          for (const c of chunks) ends.feed(c);
        }
        if (refused) {
          if (ends.first < 0 && !last) return letGo(held);
          const endOfFile = ends.first < 0;
          letGo(endOfFile ? held : ends.first);
          ends.stopWatching();
          const unclosed = format === "csv" && endOfFile && ends.inOpenQuote;
          // Line ends inside the record (the one that ends it aside): none, and the row is
          // simply long; some, and a quote ran on into the rows after it.
          const inside = refused.lines.count - (endOfFile ? 0 : 1);
          const tooLong = inside > 0 ? limits.tooLong : limits.tooLongRow;
          reportRefused(format === "csv" ? (unclosed ? limits.unclosedQuote : tooLong) : limits.tooLongLine);
        }
        if (last) { if (held) cut(held); return; }
        if (whole) return;
        // Past the limit by more than a line end: refused, whatever follows.
        if (ends.openBytes > limits.maxBytes + 2) {
          if (ends.last > 0) cut(ends.last);
          refused = { lines: new LineEnds(format === "csv") };
          ends.watchFirst();
          return letGo(held);
        }
        if (held >= partSize && ends.last > 0) cut(ends.last);
      };
      for (;;) {
        if (cancelled) throw new Error("cancelled");
        if (failed) throw failed;
        // Backpressure: read on only while some worker has room.
        while (Math.min(...busy) >= 2) await unlessCancelled(new Promise((resolve) => { wake = resolve; }));
        const { done: end, value } = await unlessCancelled(reader.read());
        if (end) break;
        take(owned(value), false);
        if (whole || utf16) return await unlessCancelled(onePass(chunks, reader));
      }
      if (cancelled) throw new Error("cancelled");
      if (utf16) return await unlessCancelled(onePass(chunks, reader));
      take(new Uint8Array(0), true);
      await unlessCancelled(Promise.all(parts));
      if (failed) throw failed;
      // Merge: the first worker's state takes in the others'.
      const states = await unlessCancelled(Promise.all(pool.workers.slice(0, n).map((_, k) => send(k, { finish: true }))));
      const merged = Scorer.fromState(states[0].state);
      for (const { state } of states.slice(1)) {
        const other = Scorer.fromState(state);
        merged.merge(other);
        other.free();
      }
      const state = merged.state();
      merged.free();
      // A part's line 1 is its first row, or, after the first part of a CSV, the header copy's first line.
      let before = 0;
      const first = [];
      // What a later part says about its copy of the header (no kind column) the first part said.
      let repeated = 0;
      for (const { report, copied } of results) {
        for (const e of report.rejected.first) {
          if (e.line <= copied) repeated++;
          else first.push({ ...e, line: e.line + before - copied });
        }
        before += report.newlines - copied;
      }
      first.sort((a, b) => a.line - b.line);
      const sum = (pick) => results.reduce((all, { report }) => all + pick(report), 0);
      const report = {
        accepted: sum((r) => r.accepted),
        skippedPartials: sum((r) => r.skippedPartials),
        windows1252: sum((r) => r.windows1252),
        rejected: { count: sum((r) => r.rejected.count) - repeated, first: first.slice(0, 100) },
        workers: n,
        // The largest wasm memory of a worker, in bytes (what each worker's memory peaked at).
        workerMemory: Math.max(...states.map((s) => s.memory ?? 0)),
      };
      return { state, report };
    } catch (error) {
      reader?.cancel(error).catch(() => {});
      throw error;
    } finally {
      ends?.free();
      pool.busy = false;
      if (own) pool.terminate();
    }
  })();
  done.catch(() => {});
  return {
    done,
    cancel() {
      cancelled = true;
      cancel(new Error("cancelled"));
      reader?.cancel("cancelled").catch(() => {});
      wake();
      pool.terminate();
    },
  };
}
