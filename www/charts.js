// The dashboard's charts, drawn as SVG node by node (no markup parsed, no inline styles:
// they work under the collector's strict CSP). Each chart is a <figure> with a title, a
// text alternative (the SVG's <title> and <desc>) and its numbers as a table under
// "Table", so that nothing is only in the picture. Colours come from classes in
// dashboard.css, which also has the forced-colours and print rules.
import { shownText } from "/dist/sondeo-analytics.js";

const SVG = "http://www.w3.org/2000/svg";
// Charts are drawn at the width they are shown at (the caller passes it), so that their
// text stays at its real size on a phone instead of being scaled down.
let W = 640;

/** Sets the width (CSS px) the next charts are drawn for. */
export function drawAt(width) {
  W = Math.round(Math.max(280, Math.min(760, width)));
}

/**
 * Text as the page shows it: an imported file's labels and comments may hold bidirectional
 * overrides and zero-width characters (the Scorer's own list strips them); plain ASCII needs
 * no call into it.
 */
export const shown = (text) => (/^[\x20-\x7e]*$/.test(text = String(text)) ? text : shownText(text));

function node(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = shown(text);
  return el;
}

function html(tag, text, className) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = shown(text);
  if (className) el.className = className;
  return el;
}

let ids = 0;
const openTables = new Set();

/** A figure: caption, the SVG (role img, labelled by its title and description), the table. */
function figure(caption, description, svg, headers, rows) {
  const id = `chart-${++ids}`;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", `${id}-t ${id}-d`);
  svg.prepend(node("title", { id: `${id}-t` }, caption), node("desc", { id: `${id}-d` }, description));
  const fig = html("figure", undefined, "chart");
  const details = html("details");
  // A table opened stays open through the redraws a live answer makes.
  details.open = openTables.has(caption);
  details.addEventListener("toggle", () => (details.open ? openTables.add(caption) : openTables.delete(caption)));
  // Each "Table" named by its chart: a screen reader lists ten of them otherwise alike.
  const summary = html("summary", "Table");
  summary.append(html("span", ` of ${caption}`, "vh"));
  details.append(summary, table(headers, rows));
  fig.append(html("figcaption", caption), svg, html("p", description, "small"), details);
  return fig;
}

// A column's order, per table (known by its name and headers), kept across the redraws a live
// answer or a filter makes: a lead who sorted agents by NPS keeps them so.
const sortedBy = new Map();
/** Text in the order people count (agent-2 before agent-10). */
export const natural = new Intl.Collator(undefined, { numeric: true }).compare;
// A cell's figure is its leading number as a word of its own ("+42.0 (95%: …)", "87.5% (…)",
// "12"), not the year of "2026-W47" or "2026-11-22"; a cell without one ("–", "hidden: …")
// goes last whichever the direction.
const figure0 = (text) => {
  const m = /^[+-]?\d+(\.\d+)?(?=$|[\s%(,])/.exec(text);
  return m ? Number(m[0]) : null;
};

/**
 * A table whose columns sort by a click on their header (numbers as numbers, then text).
 * `footer`: rows that sum the others up (a difference), kept under them whatever the order.
 * `name`: what tells apart tables with the same headers (one per survey, one per kind), so
 * each keeps its own order and its focused header.
 */
export function table(headers, rows, footer = [], name = "") {
  const wrap = html("div", undefined, "table-wrap");
  const t = html("table");
  const head = html("tr");
  const body = html("tbody");
  const key = [name, ...headers].join("\u0000");
  const line = (row) => {
    const tr = html("tr");
    for (const cell of row) tr.append(html("td", cell));
    return tr;
  };
  const draw = () => {
    const [column, direction] = sortedBy.get(key) ?? [-1, 0];
    const order = rows.map((row, i) => [row, i]);
    if (column >= 0) {
      order.sort(([a, i], [b, j]) => {
        const [x, y] = [String(a[column]), String(b[column])];
        const [fx, fy] = [figure0(x), figure0(y)];
        if ((fx === null) !== (fy === null)) return fx === null ? 1 : -1;
        // Equal figures keep the table's own order (agent-2 before agent-10).
        return direction * (fx === null ? natural(x, y) : fx - fy) || i - j;
      });
    }
    body.replaceChildren(...order.map(([row]) => line(row)));
    [...head.children].forEach((th, i) => {
      if (i === column) th.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  };
  headers.forEach((h, i) => {
    const th = html("th");
    th.scope = "col";
    head.append(th);
    // A column without a name (a row's label) is not one to sort by.
    if (!h) return;
    // A button, so that the keyboard and screen readers reach it; aria-sort says the order.
    const sort = html("button", h, "sort");
    sort.type = "button";
    sort.dataset.sort = `${key}\u0000${i}`;
    // A live answer redraws the page: a header that had the focus keeps it in the new table.
    if (document.activeElement?.dataset?.sort === sort.dataset.sort) queueMicrotask(() => sort.isConnected && sort.focus());
    sort.addEventListener("click", () => {
      const [column, direction] = sortedBy.get(key) ?? [-1, 0];
      // Figures start from the highest, words from A.
      const first = rows.some((row) => figure0(String(row[i])) !== null) ? -1 : 1;
      sortedBy.set(key, [i, column === i ? -direction : first]);
      draw();
    });
    th.append(sort);
  });
  const thead = html("thead");
  thead.append(head);
  t.append(thead, body);
  if (footer.length) {
    const foot = html("tfoot");
    foot.append(...footer.map(line));
    t.append(foot);
  }
  draw();
  wrap.append(t);
  return wrap;
}

const round = (x, digits) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(digits));

/**
 * Score over time for one kind: a line through each period's score, its 95% band where
 * the period has enough answers, and hollow points where it has fewer than 30.
 * points: [{ label, score, low, high, n, small }]; scale: { min, max, digits, unit }.
 */
export function trendChart(kindName, points, scale, target = null) {
  const H = 240, left = 44, right = 12, top = 12, bottom = 40;
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend" });
  const x = (i) => left + (points.length === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (points.length - 1));
  const y = (v) => top + ((scale.max - Math.min(scale.max, Math.max(scale.min, v))) * (H - top - bottom)) / (scale.max - scale.min);
  for (const tick of [scale.min, (scale.min + scale.max) / 2, scale.max]) {
    svg.append(node("line", { x1: left, x2: W - right, y1: y(tick), y2: y(tick), class: "grid" }));
    svg.append(node("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", class: "axis" }, round(tick, 0)));
  }
  // The program's target, dashed across the plot, named at its end.
  if (target !== null) {
    svg.append(node("line", { x1: left, x2: W - right, y1: y(target), y2: y(target), class: "target" }));
    // Named above the line, or below it where the line runs along the top.
    const labelY = y(target) - 5 < top + 8 ? y(target) + 14 : y(target) - 5;
    svg.append(node("text", { x: W - right, y: labelY, "text-anchor": "end", class: "axis" }, `target ${round(target, scale.digits)}${scale.unit}`));
  }
  // The band, one polygon per run of periods that have an interval.
  let run = [];
  const flush = () => {
    if (run.length) {
      const upper = run.map((p) => `${x(p.i)},${y(p.high)}`);
      const lower = run.slice().reverse().map((p) => `${x(p.i)},${y(p.low)}`);
      svg.append(node("polygon", { points: [...upper, ...lower].join(" "), class: "band" }));
    }
    run = [];
  };
  points.forEach((p, i) => {
    if (p.small || p.gapBefore) flush();
    if (!p.small) run.push({ ...p, i });
  });
  flush();
  // The line, one piece per run of periods that follow each other (none across a gap).
  let piece = [];
  const draw = () => {
    if (piece.length > 1) svg.append(node("polyline", { points: piece.join(" "), class: "line" }));
    piece = [];
  };
  points.forEach((p, i) => {
    if (p.gapBefore) draw();
    piece.push(`${x(i)},${y(p.score)}`);
  });
  draw();
  // As many period labels as fit (about 90 px each), always the last.
  const every = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor((W - left - right) / 90))));
  points.forEach((p, i) => {
    const dot = node("circle", { cx: x(i), cy: y(p.score), r: 4.5, class: p.small ? "point small" : "point" });
    dot.append(node("title", {}, `${p.label}: ${round(p.score, scale.digits)}${scale.unit}, n=${p.n}${p.small ? " (too few to trust)" : ""}`));
    svg.append(dot);
    if ((i % every === 0 && points.length - 1 - i >= every) || i === points.length - 1) {
      // The first and last labels sit inside the plot's edges.
      const anchor = points.length === 1 ? "middle" : i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
      svg.append(node("text", { x: x(i), y: H - bottom + 18, "text-anchor": anchor, class: "axis" }, p.label));
    }
  });
  const first = points[0], last = points[points.length - 1];
  // Among the periods with answers enough to trust where there are any; the first of
  // equals, in time order.
  const trusted = points.some((p) => !p.small) ? points.filter((p) => !p.small) : points;
  const lowest = trusted.reduce((a, p) => (p.score < a.score ? p : a));
  const highest = trusted.reduce((a, p) => (p.score > a.score ? p : a));
  const small = points.filter((p) => p.small).length;
  const gaps = points.filter((p) => p.gapBefore).length;
  const description = points.length === 1
    ? `${first.label}: ${round(first.score, scale.digits)}${scale.unit} from ${first.n} ${first.n === 1 ? "answer" : "answers"}.`
    : `From ${round(first.score, scale.digits)}${scale.unit} in ${first.label} to ${round(last.score, scale.digits)}${scale.unit} in ${last.label}, over ${points.length} periods.` +
      // The low and the high the lead looks for, named (an axis labels only some periods).
      (points.length > 2 ? ` Lowest ${round(lowest.score, scale.digits)}${scale.unit} in ${lowest.label}${lowest.small ? " (few answers)" : ""}; highest ${round(highest.score, scale.digits)}${scale.unit} in ${highest.label}${highest.small ? " (few answers)" : ""}.` : "") +
      (small ? ` ${small} of them have fewer than 30 answers (hollow points, no band).` : " The shaded band is the 95% interval.") +
      (gaps ? ` The line breaks at ${gaps} ${gaps === 1 ? "gap" : "gaps"}: periods without answers.` : "");
  const reached = points.filter((p) => Number(round(p.score, scale.digits)) >= target).length;
  const against = target === null ? "" : ` Target ${round(target, scale.digits)}${scale.unit} (dashed): reached in ${reached} of ${points.length} ${points.length === 1 ? "period" : "periods"}.`;
  return figure(`${kindName} over time`, description + against, svg, ["Period", kindName, "95% interval", "n"],
    points.map((p) => [p.label, round(p.score, scale.digits), p.small ? "too few answers" : `${round(p.low, scale.digits)} to ${round(p.high, scale.digits)}`, String(p.n)]));
}

/** The share of each group, as one stacked bar with a legend. parts: [{ label, share, className }]. */
export function groupsChart(kindName, parts, n) {
  // The legend wraps onto more lines where the chart is narrow (about 7.5 px a character).
  const items = [];
  let lx = 0, ly = 51;
  for (const part of parts) {
    const label = `${part.label} ${round(part.share, 1)}%`;
    const width = 26 + label.length * 7.5;
    if (lx > 0 && lx + width > W) {
      lx = 0;
      ly += 22;
    }
    items.push({ part, label, x: lx, y: ly });
    lx += width + 8;
  }
  const H = ly + 8;
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "groups" });
  let at = 0;
  for (const part of parts) {
    const width = (part.share / 100) * W;
    const rect = node("rect", { x: at, y: 0, width: Math.max(0, width), height: 28, class: `g-${part.className}` });
    rect.append(node("title", {}, `${part.label}: ${round(part.share, 1)}%`));
    svg.append(rect);
    at += width;
  }
  for (const { part, label, x, y } of items) {
    svg.append(node("rect", { x, y: y - 11, width: 12, height: 12, class: `g-${part.className}` }));
    svg.append(node("text", { x: x + 18, y, class: "legend" }, label));
  }
  const description = `${parts.map((p) => `${round(p.share, 1)}% ${p.label}`).join(", ")}, of ${n} ${n === 1 ? "answer" : "answers"}.`;
  return figure(`${kindName}: answers by group`, description, svg, ["Group", "Share"], parts.map((p) => [p.label, `${round(p.share, 1)}%`]));
}

// A label cut to fit `width` px of the axis font (12px system-ui, as dashboard.css sets
// svg text), measured by a canvas, which works detached and under the strict CSP; cut
// between characters as readers see them (an emoji or an accent with its letter whole).
const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter() : null;
const ruler = document.createElement("canvas").getContext("2d");
if (ruler) ruler.font = "12px system-ui, sans-serif";
function fitLabel(text, width) {
  const measure = (t) => (ruler ? ruler.measureText(t).width : t.length * 7.5);
  if (measure(text) <= width) return text;
  const characters = segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
  let keep = characters.length;
  while (keep > 1 && measure(`${characters.slice(0, keep).join("")}…`) > width) keep--;
  return `${characters.slice(0, keep).join("")}…`;
}

/**
 * Horizontal bars around zero, most negative first: each segment's effect on the total,
 * or each reason's difference. bars: [{ label, value, marker, note }] (marker: a
 * significant difference, drawn as a filled dot and said in the table).
 */
export function divergingChart(caption, bars, { digits = 1, unit = "", what, headers, markerMeaning }) {
  // Names on the left; each half of the plot keeps room for its value labels (pad).
  const rowH = 26, left = Math.min(170, W * 0.3), right = 8, pad = 64;
  const H = bars.length * rowH + 8;
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "diverging" });
  const extent = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const zero = left + (W - left - right) / 2;
  const scale = Math.max(1, (W - left - right) / 2 - pad) / extent;
  svg.append(node("line", { x1: zero, x2: zero, y1: 0, y2: H, class: "zero" }));
  bars.forEach((b, i) => {
    const yy = 4 + i * rowH;
    const label = fitLabel(b.label, left - 8);
    svg.append(node("text", { x: left - 8, y: yy + 16, "text-anchor": "end", class: "axis" }, label));
    const width = Math.abs(b.value) * scale;
    const rect = node("rect", { x: b.value < 0 ? zero - width : zero, y: yy + 3, width, height: rowH - 8, class: b.value < 0 ? "neg" : "pos" });
    rect.append(node("title", {}, `${b.label}: ${b.value > 0 ? "+" : ""}${round(b.value, digits)}${unit}${b.note ? ` (${b.note})` : ""}`));
    svg.append(rect);
    const end = b.value < 0 ? zero - width - 6 : zero + width + 6;
    svg.append(node("text", { x: end, y: yy + 16, "text-anchor": b.value < 0 ? "end" : "start", class: "value" },
      `${b.value > 0 ? "+" : ""}${round(b.value, digits)}${b.marker ? " ●" : ""}`));
  });
  const worst = bars[0], best = bars[bars.length - 1];
  const significant = bars.filter((b) => b.marker).length;
  const description = `${what}: ${worst.label} ${round(worst.value, digits)}${unit} at the bottom, ${best.label} ${best.value > 0 ? "+" : ""}${round(best.value, digits)}${unit} at the top.` +
    ` ${significant} of ${bars.length} ${markerMeaning} (● in the chart).`;
  return figure(caption, description, svg, headers, bars.map((b) => [b.label, `${b.value > 0 ? "+" : ""}${round(b.value, digits)}${unit}`, b.marker ? "yes" : "no", b.note ?? ""]));
}
