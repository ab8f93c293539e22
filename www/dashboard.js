// Live dashboard: streams the collector's export into the Scorer (Rust/wasm), then
// follows new responses over server-sent events. Built node by node (strict CSP).
import init, { Scorer } from "/dist/sondeo-analytics.js";

const $ = (id) => document.getElementById(id);
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};
const fmt = (x, digits = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));
const signed = (x) => (x > 0 ? "+" : "") + fmt(x);

let scorer;

// The read token: from the link the collector prints (#token=…, a fragment never sent
// to a server), or typed in; kept for this tab only, and taken out of the address bar.
const TOKEN_KEY = "sondeo:read-token";
function readToken() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}
const authorised = (token) => (token ? { headers: { authorization: `Bearer ${token}` } } : {});

function askForToken(message) {
  const form = $("token-form");
  form.hidden = false;
  $("token-message").textContent = message;
  $("token").focus();
}

function card(title, main, lines, small) {
  const c = el("article", undefined, "card");
  c.append(el("h3", title), el("div", main, "big"));
  for (const line of lines) if (line) c.append(line instanceof Node ? line : el("div", line, "small"));
  if (small) c.append(el("div", "Fewer than 30 answers: too few to trust.", "warn"));
  return c;
}

function npsBar(nps) {
  const bar = el("div", undefined, "bar");
  bar.setAttribute("role", "img");
  bar.setAttribute("aria-label", `${fmt(nps.detractors)}% detractors, ${fmt(nps.passives)}% passives, ${fmt(nps.promoters)}% promoters`);
  for (const [cls, share] of [["d", nps.detractors], ["p", nps.passives], ["pr", nps.promoters]]) {
    const part = el("span", undefined, cls);
    part.style.setProperty("width", `${share}%`);
    bar.append(part);
  }
  return bar;
}

function table(headers, rows) {
  const t = el("table");
  const head = el("tr");
  for (const h of headers) head.append(el("th", h));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const cell of row) tr.append(el("td", cell));
    t.append(tr);
  }
  return t;
}

// An interval from fewer than 30 answers means little (±138.6 on an NPS that spans 200):
// say so instead; and an interval never reaches past its scale.
const clip = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const interval = (f, score, margin, lo, hi, digits = 1) => f.smallSample
  ? `n=${f.n}, too few for an interval`
  : `95%: ${fmt(clip(score - margin, lo, hi), digits)} to ${fmt(clip(score + margin, lo, hi), digits)} · n=${f.n}`;
const kindCells = (k) => [
  k.nps ? `${signed(k.nps.score)} (${interval(k.nps, k.nps.score, k.nps.margin95, -100, 100)})` : "–",
  k.csat ? `${fmt(k.csat.score)}% (${k.csat.smallSample ? `n=${k.csat.n}, too few for an interval` : `95%: ${fmt(k.csat.low95)}–${fmt(k.csat.high95)}% · n=${k.csat.n}`})` : "–",
  k.ces ? `${fmt(k.ces.score, 2)} (${interval(k.ces, k.ces.score, k.ces.margin95, 1, 7, 2)})` : "–",
];

// The comments of the responses counted from the collector, newest first; text is always
// set as text, never parsed as HTML.
function renderComments() {
  const list = scorer.responses({ text: $("comment-text").value, group: $("comment-group").value || undefined, withComment: true, limit: 50 });
  const items = list.map((r) => {
    const li = el("li", undefined, `comment ${r.group ?? ""}`);
    const where = r.metadata.touchpoint ?? r.surveyId ?? "";
    const meta = `${r.kind.toUpperCase()} ${r.score} · ${r.group ?? ""}${where ? ` · ${where}` : ""}${r.reasons.length ? ` · ${r.reasons.join(", ")}` : ""}${r.time ? ` · ${r.time.slice(0, 16).replace("T", " ")}` : ""}${r.complete ? "" : " · not yet submitted"}`;
    li.append(el("p", r.comment), el("p", meta, "small"));
    return li;
  });
  $("comments").replaceChildren(...(items.length ? items : [el("li", "No comments match.", "small")]));
}

function render() {
  const by = $("by").value;
  const period = $("period").value;
  const s = scorer.summary({ by, period });
  const o = s.overall;
  const cards = [];
  if (o.nps) cards.push(card("NPS", signed(o.nps.score), [interval(o.nps, o.nps.score, o.nps.margin95, -100, 100), npsBar(o.nps),
    `${fmt(o.nps.promoters)}% promoters · ${fmt(o.nps.passives)}% passives · ${fmt(o.nps.detractors)}% detractors`], o.nps.smallSample));
  if (o.csat) cards.push(card("CSAT", `${fmt(o.csat.score)}%`, [`95%: ${fmt(o.csat.low95)}–${fmt(o.csat.high95)}% · n=${o.csat.n}`, `mean ${fmt(o.csat.mean, 2)} / 5`], o.csat.smallSample));
  if (o.ces) cards.push(card("CES", fmt(o.ces.score, 2), [interval(o.ces, o.ces.score, o.ces.margin95, 1, 7, 2), `${fmt(o.ces.agree)}% agree it was easy`], o.ces.smallSample));
  if (!cards.length) cards.push(card("No answers yet", "–", ["Answer a survey on the demo pages; it shows up here live."]));
  $("cards").replaceChildren(...cards);

  const periods = Object.entries(s.periods ?? {});
  $("trend").replaceChildren(periods.length ? table(["Period", "NPS", "CSAT", "CES"], periods.map(([p, k]) => [p, ...kindCells(k)])) : el("p", "No dated answers yet.", "small"));
  const segments = Object.entries(s.segments ?? {});
  $("segments").replaceChildren(segments.length ? table([by, "NPS", "CSAT", "CES"], segments.map(([v, k]) => [v, ...kindCells(k)])) : el("p", `No answers carry ${by}.`, "small"));
  const drivers = s.drivers.slice(0, 15);
  $("drivers").replaceChildren(drivers.length ? table(["Reason", "Kind", "Cited by", "Score citing", "Score not citing", "Share of detractors / low"],
    drivers.map((d) => [d.reason, d.kind.toUpperCase(), String(d.count), fmt(d.scoreCiting), fmt(d.scoreNotCiting), `${fmt(d.shareOfWorstGroup)}%`])) : el("p", "No reason chips chosen yet.", "small"));
  const themes = [];
  for (const [name, title] of [["negative", "Detractors / low"], ["neutral", "Passives / neutral"], ["positive", "Promoters / high"]]) {
    const box = el("div");
    box.append(el("h3", title));
    const list = el("ol");
    for (const t of s.themes[name]) list.append(el("li", `${t.term} (${t.count})`));
    box.append(s.themes[name].length ? list : el("p", "No comments yet.", "small"));
    themes.push(box);
  }
  $("themes").replaceChildren(...themes);
  const r = s.rejected;
  renderComments();
  $("rejected").replaceChildren(r.count ? table(["Line", "Field", "Error"], r.first.map((e) => [String(e.line), e.field, e.error])) : el("p", "None.", "small"));
}

let events = null;

// Every answer counts once, as its latest version: a score clicked in a ticket email
// (a partial) counts at once and is replaced, not added, when the customer submits.
// "Submitted only" leaves partials out.
function countedText(prefix) {
  const { responses, partial } = scorer.counted();
  const submittedOnly = $("submitted-only").checked;
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const what = submittedOnly ? plural(responses, "submitted response") : `${plural(responses, "response")} (${partial} not yet submitted)`;
  return `${prefix}${what}; live updates on.`;
}

let loads = 0;

async function loadFromCollector() {
  // Each load owns its scorer and its stream; a newer load (a toggle, a token) makes it stop.
  const load = ++loads;
  events?.close();
  const s = new Scorer();
  scorer = s;
  const token = readToken();
  const submittedOnly = $("submitted-only").checked;
  // Subscribe before reading the export, and hold what arrives until the export is scored:
  // a response submitted meanwhile is then replayed over its partial, not missed.
  const held = [];
  let scored = false;
  const stream = new EventSource(token ? `/api/stream?access_token=${encodeURIComponent(token)}` : "/api/stream");
  events = stream;
  stream.addEventListener("response", (e) => {
    if (load !== loads) return;
    const response = JSON.parse(e.data);
    if (submittedOnly && !response.complete) return;
    if (!scored) return void held.push(response);
    s.upsert(response);
    $("status").textContent = countedText("Live: ");
    render();
  });
  const response = await fetch("/api/responses?format=ndjson", authorised(token));
  if (load !== loads) return;
  if (response.status === 401) {
    stream.close();
    render();
    $("status").textContent = "This collector needs its read token to show responses.";
    askForToken(token ? "That token was refused. Paste the read token:" : "Paste the collector's read token:");
    return;
  }
  if (!response.ok) throw new Error(`the export answered ${response.status}`);
  $("token-form").hidden = true;
  const total = Number(response.headers.get("content-length")) || 0;
  const bar = $("progress");
  bar.hidden = false;
  await s.import(response.body, { format: "ndjson", byId: true, skipPartials: submittedOnly, onProgress: (p) => { bar.max = total || p.bytes; bar.value = p.bytes; } });
  if (load !== loads) return;
  bar.hidden = true;
  for (const held_response of held) s.upsert(held_response);
  scored = true;
  $("status").textContent = countedText("");
  render();
}

async function loadFile(file) {
  // A local file replaces the collector's figures: its stream stops too.
  ++loads;
  events?.close();
  scorer = new Scorer();
  $("status").textContent = `Scoring ${file.name}…`;
  const bar = $("progress");
  bar.hidden = false;
  bar.max = file.size;
  const started = performance.now();
  const report = await scorer.import(file, { onProgress: (p) => { bar.value = p.bytes; } });
  bar.hidden = true;
  const seconds = (performance.now() - started) / 1000;
  $("status").textContent = `${file.name}: ${report.accepted} rows scored, ${report.rejected.count} rejected, in ${seconds.toFixed(1)} s.`;
  render();
}

await init();
// The view lives in the address (?by=…&period=…&submitted=1&q=…&group=…), so it can be
// shared and survives a reload; the token stays out of it (tab storage only).
const VIEW = [["by", "by"], ["period", "period"], ["comment-text", "q"], ["comment-group", "group"]];
function restoreView() {
  const query = new URLSearchParams(location.search);
  for (const [id, key] of VIEW) {
    const value = query.get(key);
    if (value === null) continue;
    const field = $(id);
    // A select only takes one of its options; anything else in the address is ignored.
    if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) field.value = value;
  }
  $("submitted-only").checked = query.get("submitted") === "1";
}
function saveView() {
  const query = new URLSearchParams();
  for (const [id, key] of VIEW) if ($(id).value) query.set(key, $(id).value);
  if ($("submitted-only").checked) query.set("submitted", "1");
  const text = query.toString();
  history.replaceState(null, "", `${location.pathname}${text ? `?${text}` : ""}`);
}
restoreView();
for (const id of ["by", "period", "comment-text", "comment-group", "submitted-only"]) {
  $(id).addEventListener(id === "comment-text" ? "input" : "change", saveView);
}
$("by").addEventListener("change", render);
$("period").addEventListener("change", render);
$("comment-text").addEventListener("input", renderComments);
$("comment-group").addEventListener("change", renderComments);
$("comment-filters").addEventListener("submit", (e) => e.preventDefault());
$("submitted-only").addEventListener("change", () => loadFromCollector().catch((err) => { $("status").textContent = err.message; }));
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token").value = "";
  loadFromCollector().catch((err) => { $("status").textContent = err.message; });
});
$("file").addEventListener("change", (e) => e.target.files[0] && loadFile(e.target.files[0]).catch((err) => { $("status").textContent = err.message; }));
loadFromCollector().catch((err) => {
  scorer = new Scorer();
  render();
  $("status").textContent = `No collector here (${err.message}). Pick an export file to score it in your browser.`;
});
