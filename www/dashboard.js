// Live dashboard: streams the collector's export into the Scorer (Rust/wasm), then
// follows new responses over server-sent events. Built node by node (strict CSP).
import init, { Scorer, periodAfter, periodLabel } from "/dist/sondeo-analytics.js";
import { divergingChart, drawAt, groupsChart, natural, shown, table, trendChart } from "/charts.js";
import { scoreInWorkers } from "/parallel-score.js";

const $ = (id) => document.getElementById(id);
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = shown(text);
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
  c.append(el("h2", title), el("div", main, "big"));
  for (const line of lines) if (line) c.append(line instanceof Node ? line : el("div", line, "small"));
  if (small) c.append(el("div", "Fewer than 30 answers: the next few can move it a lot; wait for more before acting on it.", "warn"));
  return c;
}

// An interval from fewer than 30 answers means little (±138.6 on an NPS that spans 200):
// say so instead; and an interval never reaches past its scale.
const clip = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const interval = (kind, f, digits = 1) => {
  if (f.smallSample) return `n=${f.n}, too few for an interval`;
  const [low, high] = bounds(kind, f);
  const unit = kind === "csat" || kind === "yesno" ? "%" : "";
  return `95%: ${fmt(low, digits)}${unit} to ${fmt(high, digits)}${unit} · n=${f.n}`;
};
// An eNPS figure of too small a team comes back suppressed (the Scorer's anonymity floor).
const hidden = (f) => f?.suppressed ? `hidden: fewer than ${f.minimum} people` : null;
// The segments table's columns (those of the kinds with answers).
const CELL_KINDS = [["nps", "NPS"], ["csat", "CSAT"], ["ces", "CES"], ["enps", "eNPS"], ["rating", "Rating"], ["yesno", "Yes %"]];
// A figure as table text, in its kind's unit with its 95% interval (a segment's, a question's).
const kindCell = (kind, f) => {
  if (!f) return "–";
  if (kind === "enps" && f.suppressed) return hidden(f);
  if (kind === "nps" || kind === "enps") return `${signed(f.score)} (${interval(kind, f)})`;
  if (kind === "csat" || kind === "yesno") return `${fmt(f.score)}% (${f.smallSample ? `n=${f.n}, too few for an interval` : `95%: ${fmt(f.low95)}–${fmt(f.high95)}% · n=${f.n}`})`;
  return `${fmt(f.score, 2)} (${interval(kind, f, 2)})`;
};

// Who to call back: the customer (`user.id`), the touchpoint (or survey), the agent and the
// ticket, where the survey sent them.
const whereOf = (r) => [r.user && `customer ${r.user}`, r.metadata.touchpoint ?? r.surveyId, r.metadata.agent && `agent ${r.metadata.agent}`, r.metadata.ticketId && `ticket ${r.metadata.ticketId}`].filter(Boolean).join(" · ");
// The segment field as the lead reads it ("agent", not "metadata.agent").
// A kind as its people write it: eNPS, not ENPS.
const kindLabel = (kind) => ({ enps: "eNPS", rating: "Rating", yesno: "Yes/no" })[kind] ?? kind.toUpperCase();
const fieldName = () => $("by").selectedOptions[0]?.textContent ?? $("by").value;
// A segment value as shown: the answers without one are "(no agent)", not a "(none)" that
// reads as an agent's name (the value kept for filtering is still "(none)").
const valueName = (value, byName) => (value === "(none)" ? `(no ${byName})` : value);
// A time of the collector's, to the minute, as the filters' dates are: in UTC.
const utc = (time) => `${time.slice(0, 16).replace("T", " ")} UTC`;
// The line under a response's comment: kind, score, group, where, reasons, when (`ago`
// after it), and whether it was submitted.
const responseLine = (r, ago = "") => {
  const where = whereOf(r);
  return `${kindLabel(r.kind)} ${r.score} · ${r.group ?? ""}${where ? ` · ${where}` : ""}${r.reasons.length ? ` · ${r.reasons.join(", ")}` : ""}${r.time ? ` · ${utc(r.time)}${ago}` : ""}${r.complete ? "" : " · not yet submitted"}`;
};

// The comments of the responses counted from the collector, newest first, 50 at a time
// ("Show more" says that more match); text is always set as text, never parsed as HTML.
// `how`: "more" shows the next 50, "keep" as many as before (a live answer redraws the
// page), anything else (a filter changed) starts again from the newest.
const COMMENTS_PAGE = 50;
let commentsShown = COMMENTS_PAGE;
function renderComments(how) {
  commentsShown = how === "more" ? commentsShown + COMMENTS_PAGE : how === "keep" ? commentsShown : COMMENTS_PAGE;
  // A scored file leaves figures, not rows: its comments are not there to list. One more
  // than shown is asked for, to know whether more match.
  const asked = { text: $("comment-text").value, group: $("comment-group").value || undefined, reason: $("comment-reason").value || undefined,
    withComment: true, ...filters() };
  const list = fileReport ? [] : scorer.responses({ ...asked, limit: Math.min(commentsShown + 1, 10_000) });
  const items = list.slice(0, commentsShown).map((r) => {
    const li = el("li", undefined, `comment ${r.group ?? ""}`);
    li.append(el("p", r.comment), el("p", responseLine(r), "small"));
    return li;
  });
  const none = fileReport ? "A scored file keeps its figures, not its rows: comments are listed for the collector's responses." : "No comments match.";
  $("comments").replaceChildren(...(items.length ? items : [el("li", none, "small")]));
  const moreButton = $("comments-more");
  moreButton.hidden = list.length <= commentsShown;
  // How many match in all, when a page does not show them all.
  const total = list.length > commentsShown ? scorer.counted(asked).responses : items.length;
  $("comments-count").textContent = items.length ? (list.length > commentsShown ? `${total.toLocaleString("en")} comments match; the newest ${items.length} shown.` : `${items.length} ${items.length === 1 ? "comment matches" : "comments match"}.`) : "";
  // The Scorer leaves out employees' answers where the view holds too few of them to show.
  if (employeesHidden) $("comments-count").textContent += " Employees' comments are not listed here: fewer than 5 people answered in this view.";
}
let employeesHidden = false;

// Closing the loop: the responses in the worst group of their kind (detractors, low CSAT and
// CES, a "no"), but eNPS (anonymous), with what the team did about each, kept by the
// collector (GET and PUT /api/follow-ups). A collector without follow-ups, or a scored file,
// hides the section.
const followUps = new Map();
let followUpsRead = false;
let followUpToken = null;
const FOLLOW_UP_NAMES = [["open", "To call back"], ["contacted", "Contacted"], ["resolved", "Resolved"]];
const statusName = (status) => FOLLOW_UP_NAMES.find(([value]) => value === status)?.[1] ?? status;
const CALLBACKS_PAGE = 50;
const OVERDUE_MS = 2 * 86_400_000;
let callbacksShown = CALLBACKS_PAGE;
// A redraw while the lead works in the list (a live answer) waits until they act elsewhere;
// what they typed and did not save is kept per response whatever redraws.
let callbacksStale = false;
const drafts = new Map();
// Follow-ups saved here, and when: a read that started before a save does not undo it.
const savedAt = new Map();
let followUpReads = 0;
let reading = false;
let saving = 0;
// What the follow-ups were when the list was last drawn: a read that changes nothing draws nothing.
const signature = () => [...followUps.values()].map((f) => `${f.id} ${f.updatedAt}`).join("\n");
async function loadFollowUps(token, load = loads) {
  followUpToken = token;
  const read = ++followUpReads;
  const started = Date.now();
  reading = true;
  const answer = await fetch("/api/follow-ups", { ...authorised(token), signal: AbortSignal.timeout?.(20_000) }).catch(() => null);
  const list = answer?.ok ? await answer.json().catch(() => null) : null;
  if (read === followUpReads) reading = false;
  // A newer read, or a newer load (another token), answers instead.
  if (read !== followUpReads || load !== loads) return;
  // The token no longer reads: no more polling until the page has a new one.
  if (answer?.status === 401) followUpsRead = false;
  // A failed read (a 503, the network) keeps what the page knows; only a first read decides
  // whether this collector keeps follow-ups at all.
  if (!Array.isArray(list)) {
    if (!followUpsRead) renderCallbacks("keep");
    return;
  }
  const before = signature();
  const known = new Map(list.map((f) => [f.id, f]));
  for (const [id, at] of savedAt) if (at >= started && followUps.has(id)) known.set(id, followUps.get(id));
  followUps.clear();
  for (const [id, f] of known) followUps.set(id, f);
  const first = !followUpsRead;
  followUpsRead = true;
  // Drawn again only when something changed (a lead copying a phone number keeps the
  // selection), and never under a save on its way.
  if (first || (signature() !== before && !saving)) renderCallbacks("keep");
  else if (signature() !== before) callbacksStale = true;
}
const statusOf = (id) => followUps.get(id)?.status ?? "open";
const age = (r) => (r.time ? Date.now() - Date.parse(r.time) : 0);
// The responses to call back within the view's filters (dates, survey, kind, segment).
// Customers' only: employees' detractors are not called back (nor listed, in a team under
// the anonymity floor).
const unhappy = () => {
  const view = filters();
  if (view.kind === "enps") return [];
  return [["detractor", view.kind ?? "nps"], ["low", view.kind]].flatMap(([group, kind]) => scorer.responses({ group, limit: 10_000, ...view, ...(kind ? { kind } : {}) }));
};
let lastListed = 0;
function countCallbacks(worst = unhappy(), listed = lastListed) {
  lastListed = listed;
  const open = worst.filter((r) => statusOf(r.id) === "open");
  const overdue = open.filter((r) => age(r) > OVERDUE_MS).length;
  const count = (status) => worst.filter((r) => statusOf(r.id) === status).length;
  $("callback-count").textContent = `${open.length} to call back${overdue ? ` (${overdue} waiting over 2 days)` : ""} · ${count("contacted")} contacted · ${count("resolved")} resolved${listed > callbacksShown ? `; the first ${callbacksShown} shown` : ""}.`;
}
function renderCallbacks(how) {
  const section = $("callback-section");
  section.hidden = !followUpsRead || !!fileReport || !scorer;
  if (section.hidden) return;
  if (how === "keep" && $("callbacks").contains(document.activeElement)) return void (callbacksStale = true);
  callbacksStale = false;
  callbacksShown = how === "more" ? callbacksShown + CALLBACKS_PAGE : how === "keep" ? callbacksShown : CALLBACKS_PAGE;
  const worst = unhappy();
  const wanted = $("callback-status").value;
  // The work queue (and all) is worked oldest first, what was done shown newest first; or as the lead
  // chooses (yesterday's detractors, who can still be saved, first).
  const order = $("callback-order").value || (wanted === "open" || wanted === "" ? "oldest" : "newest");
  const list = worst.filter((r) => !wanted || statusOf(r.id) === wanted)
    .sort((a, b) => (order === "oldest" ? -1 : 1) * ((b.time ?? "") < (a.time ?? "") ? -1 : (b.time ?? "") > (a.time ?? "") ? 1 : 0));
  countCallbacks(worst, list.length);
  const items = list.slice(0, callbacksShown).map(callbackItem);
  $("callbacks").replaceChildren(...(items.length ? items : [el("li", wanted === "open" ? "Nobody is waiting for a call back." : "None.", "small")]));
  $("callbacks-more").hidden = list.length <= callbacksShown;
}
function callbackItem(r) {
  const li = el("li", undefined, `comment ${r.group ?? ""}`);
  const who = whereOf(r);
  const days = Math.floor(age(r) / 86_400_000);
  li.append(el("p", r.comment || "(no comment)"), el("p", responseLine(r, ` (${days ? `${days} day${days === 1 ? "" : "s"} ago` : "today"})`), "small"));
  const done = followUps.get(r.id);
  // A draft begun on a follow-up another lead has changed since keeps its note, not its
  // status: saving it must not undo their "resolved" unseen.
  let draft = drafts.get(r.id);
  const changedMeanwhile = draft && draft.base !== (done?.updatedAt ?? "");
  if (changedMeanwhile) draft = { ...draft, status: undefined };
  const form = el("form", undefined, "follow-up");
  const status = el("select");
  for (const [value, name] of FOLLOW_UP_NAMES) status.append(Object.assign(el("option", name), { value }));
  status.value = draft?.status ?? statusOf(r.id);
  status.setAttribute("aria-label", `Follow-up of ${kindLabel(r.kind)} ${r.score}${who ? `, ${who}` : ""}`);
  const note = el("input");
  Object.assign(note, { type: "text", maxLength: 2000, value: draft?.note ?? done?.note ?? "", placeholder: "Note: what was said, what was done" });
  note.setAttribute("aria-label", "Note");
  const keep = () => drafts.set(r.id, { status: status.value, note: note.value, base: followUps.get(r.id)?.updatedAt ?? "" });
  status.addEventListener("change", keep);
  note.addEventListener("input", keep);
  const save = el("button", "Save");
  save.type = "submit";
  const said = el("span", done ? `${changedMeanwhile ? "Changed meanwhile: " : ""}${statusName(done.status)} ${utc(done.updatedAt)}` : "", "small");
  said.setAttribute("role", "status");
  form.append(status, note, save, said);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    save.disabled = true;
    said.textContent = "Saving…";
    saving++;
    const answer = await fetch(`/api/follow-ups/${encodeURIComponent(r.id)}`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...authorised(followUpToken).headers },
      body: JSON.stringify({ status: status.value, note: note.value }),
    }).catch(() => null);
    saving--;
    save.disabled = false;
    if (!answer?.ok) {
      const problem = answer ? (await answer.json().catch(() => ({}))).error ?? `the collector answered ${answer.status}` : "the collector could not be reached";
      return void (said.textContent = `Not saved: ${problem}`);
    }
    const stored = await answer.json();
    followUps.set(r.id, stored);
    savedAt.set(r.id, Date.now());
    // What is saved is no draft any more, unless the lead changed it again meanwhile.
    const draft = drafts.get(r.id);
    if (draft?.status === stored.status && draft?.note === stored.note) drafts.delete(r.id);
    else if (draft) draft.base = stored.updatedAt;
    said.textContent = `Saved: ${statusName(stored.status)} ${utc(stored.updatedAt)}`;
    // The counts move at once; the item stays where it is (it may leave this view) until
    // the list is drawn again.
    countCallbacks();
  });
  li.append(form);
  return li;
}

// The filters of the view: dates, survey, kind and one segment (empty ones left out).
// The view's dates and survey alone: what rates and participation count (one pulse).
const pulseOf = ({ from, to, survey }) => ({ from, to, survey });
function filters() {
  // Dates given the wrong way round (To before From, a shared link's or a slip) are put the
  // right way round where they show: the Scorer refuses a reversed range.
  if ($("from").value && $("to").value && $("from").value > $("to").value) {
    [$("from").value, $("to").value] = [$("to").value, $("from").value];
  }
  const f = {};
  for (const id of ["from", "to", "survey", "kind"]) if ($(id).value) f[id] = $(id).value;
  // One agent's (or channel's…) figures, trend, drivers, comments and CSV.
  if ($("segment").value) Object.assign(f, { by: $("by").value, value: $("segment").value });
  return f;
}

// Each kind's scale, for the charts: NPS −100…100, CSAT % 0…100, CES 1…7.
const KINDS = [
  ["nps", "NPS", { min: -100, max: 100, digits: 1, unit: "" }, [["detractor", "detractors", "low"], ["passive", "passives", "mid"], ["promoter", "promoters", "high"]]],
  ["csat", "CSAT %", { min: 0, max: 100, digits: 1, unit: "%" }, [["low", "low (1–2)", "low"], ["neutral", "neutral (3)", "mid"], ["high", "high (4–5)", "high"]]],
  ["ces", "CES", { min: 1, max: 7, digits: 2, unit: "" }, [["low", "hard (1–3)", "low"], ["neutral", "neutral (4)", "mid"], ["high", "easy (5–7)", "high"]]],
  ["enps", "eNPS", { min: -100, max: 100, digits: 1, unit: "" }, [["detractor", "detractors", "low"], ["passive", "passives", "mid"], ["promoter", "promoters", "high"]]],
  ["rating", "Rating", { min: 1, max: 5, digits: 2, unit: "" }, [["low", "poor (1–2)", "low"], ["neutral", "fair (3)", "mid"], ["high", "good (4–5)", "high"]]],
  // A yes/no answer has no middle group: its place is kept (worst, middle, best) but not drawn.
  ["yesno", "Yes %", { min: 0, max: 100, digits: 1, unit: "%" }, [["low", "no", "low"], null, ["high", "yes", "high"]]],
];
// The program's targets (a lead's goal for the quarter), from the filters and the shared
// view: a number on the kind's scale, or none.
const TARGETED = ["nps", "csat", "ces"];
const targetOf = (kind) => {
  const field = TARGETED.includes(kind) ? $(`target-${kind}`) : null;
  const scale = KINDS.find(([k]) => k === kind)?.[2];
  const value = field?.value === "" ? NaN : Number(field?.value);
  return Number.isFinite(value) && value >= scale.min && value <= scale.max ? value : null;
};
// "target +40: 7.5 pts below" (or "met, 2.0 pts above"): how far the figure is from it.
const againstTarget = (kind, score) => {
  const goal = targetOf(kind);
  if (goal === null) return null;
  const digits = kind === "ces" ? 2 : 1;
  // Measured as shown: a 29.96 shown as +30.0 meets a target of 30.
  const gap = Number(score.toFixed(digits)) - goal;
  const unit = kind === "ces" ? "" : " pts";
  const goalText = kind === "nps" ? signed(goal) : kind === "csat" ? `${fmt(goal)}%` : fmt(goal, 2);
  return gap >= 0 ? `target ${goalText}: met, ${fmt(gap, digits)}${unit} above` : `target ${goalText}: ${fmt(-gap, digits)}${unit} below`;
};
// A figure's 95% interval: the Scorer's own (Wilson for shares, adjusted Wald for NPS), or
// a mean's, kept within its scale.
const bounds = (kind, f) => {
  if (kind !== "ces" && kind !== "rating") return [f.low95, f.high95];
  const [lo, hi] = kind === "rating" ? [1, 5] : [1, 7];
  return [clip(f.low95, lo, hi), clip(f.high95, lo, hi)];
};

// The surveys in the data, for the survey filter (the chosen one kept).
function fillSurveys() {
  const select = $("survey");
  const chosen = select.value || new URLSearchParams(location.search).get("survey") || "";
  const names = Object.keys(scorer.summary({ by: "surveyId" }).segments ?? {}).filter((n) => n !== "(none)").sort();
  if (chosen && !names.includes(chosen)) names.push(chosen);
  // Shown without invisible characters, chosen by the raw value.
  select.replaceChildren(el("option", "all"), ...names.map((n) => Object.assign(el("option", n), { value: n })));
  select.options[0].value = "";
  select.value = chosen;
}

function renderCharts(s, by) {
  // One chart per column of the grid: as wide as the column it lands in.
  const grid = document.querySelector("main"); // always laid out (an empty chart grid is not)
  const columns = Math.max(1, Math.floor((grid.clientWidth + 20) / (460 + 20)));
  drawAt((grid.clientWidth - 20 * (columns - 1)) / columns - 26);
  const groups = [], trends = [], segmentCharts = [], driverCharts = [];
  const periods = Object.entries(s.periods ?? {});
  // A period after today holds answers a wrong clock dated ahead: in the totals, not drawn
  // as the trend's latest point (the headline's rule).
  const now = periodLabel($("period").value, Date.now());
  const ahead = periods.filter(([label]) => label > now)
    .reduce((sum, [, k]) => sum + KINDS.reduce((n, [kind]) => n + (k[kind]?.n ?? 0), 0), 0);
  for (const [kind, name, scale, parts] of KINDS) {
    const overall = s.overall[kind];
    if (!overall || overall.suppressed) continue;
    groups.push(groupsChart(name, parts.filter(Boolean).map(([key, label, className]) => ({ label, share: overall.groups[key], className })), overall.n));
    const points = periods.filter(([label, k]) => label <= now && k[kind] && !k[kind].suppressed).map(([label, k]) => {
      const f = k[kind];
      const [low, high] = bounds(kind, f);
      return { label, score: f.score, low, high, n: f.n, small: f.smallSample };
    });
    // Periods without answers between two points: the line breaks there instead of
    // joining them as if they were next to each other.
    points.forEach((p, i) => (p.gapBefore = i > 0 && periodAfter($("period").value, points[i - 1].label) !== p.label));
    if (points.length) trends.push(trendChart(name, points, scale, targetOf(kind)));
    // Segments by their effect on the total, the largest 12, most damaging first.
    const byName = fieldName();
    const bars = Object.entries(s.segments ?? {}).filter(([, k]) => k[kind]?.effect !== undefined)
      .map(([value, k]) => ({ label: valueName(value, byName), value: k[kind].effect, marker: k[kind].vsRest.significant && !k[kind].vsRest.smallSample,
        note: `n=${k[kind].n}; ${fmt(k[kind].vsRest.difference, scale.digits)} against the rest (95%: ${fmt(k[kind].vsRest.low95, scale.digits)} to ${fmt(k[kind].vsRest.high95, scale.digits)})` }))
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, 12).sort((a, b) => a.value - b.value);
    if (bars.length) {
      segmentCharts.push(divergingChart(`${name}: effect of each ${byName} on the total`, bars,
        { digits: scale.digits, what: "How far each moves the total", markerMeaning: "differ significantly from the rest",
          headers: [byName, "Effect on the total", "Differs from the rest (95%)", "Details"] }));
    }
    const reasons = s.drivers.filter((d) => d.kind === kind && d.scoreNotCiting !== null)
      .map((d) => ({ label: d.reason, value: d.scoreCiting - d.scoreNotCiting, marker: d.significant, note: `cited by ${d.count}; ${fmt(d.shareOfWorstGroup)}% of ${parts[0][1]} cite it` }))
      .sort((a, b) => a.value - b.value).slice(0, 12);
    if (reasons.length) {
      driverCharts.push(divergingChart(`${name}: score of those citing each reason, against those not citing it`, reasons,
        { digits: scale.digits, what: "Citing minus not citing", markerMeaning: "are significant differences",
          headers: ["Reason", "Difference", "Significant (95%)", "Details"] }));
    }
  }
  $("groups").replaceChildren(...(groups.length ? groups : [el("p", "No answers yet.", "small")]));
  // Answers whose date does not read are in every total but in no period: said, with how many.
  const undated = s.undated ? [el("p", `${s.undated} ${s.undated === 1 ? "answer has" : "answers have"} no date that reads (expected a time such as 2026-11-20T10:00:00Z, 2026-11-20 10:00 or Unix seconds): in the totals, not in the trend.`, "small")] : [];
  if (ahead) undated.push(el("p", `${ahead} ${ahead === 1 ? "answer is" : "answers are"} dated after today (a device clock set ahead?): in the totals, not in the trend.`, "small"));
  $("trend").replaceChildren(...(trends.length ? trends : [el("p", "No dated answers yet.", "small")]), ...undated);
  $("segment-charts").replaceChildren(...segmentCharts);
  $("driver-charts").replaceChildren(...driverCharts);
}

// `comments`: "keep" for a redraw (a live answer, a resize) that keeps the comments shown;
// a changed filter starts them again from the newest 50.
function render(comments) {
  const by = $("by").value;
  const period = $("period").value;
  fillSurveys();
  let s;
  const note = $("filter-note");
  note.hidden = true;
  try {
    s = scorer.summary({ by, period, ...filters() });
    employeesHidden = Boolean(s.overall?.enps?.suppressed);
  } catch (error) {
    // A local file is scored as it streams, without keeping its rows: its figures cannot
    // be filtered afterwards. Say so, and show them whole.
    s = scorer.summary({ by, period });
    employeesHidden = false;
    note.textContent = `The date, survey, kind and segment filters apply to the collector's responses, not to a scored file (${error.message}).`;
    note.hidden = false;
  }
  const o = s.overall;
  const cards = [];
  if (o.nps) cards.push(card("NPS", signed(o.nps.score), [interval("nps", o.nps),
    `${fmt(o.nps.promoters)}% promoters · ${fmt(o.nps.passives)}% passives · ${fmt(o.nps.detractors)}% detractors`, againstTarget("nps", o.nps.score)], o.nps.smallSample));
  if (o.csat) cards.push(card("CSAT", `${fmt(o.csat.score)}%`, [interval("csat", o.csat), `mean ${fmt(o.csat.mean, 2)} / 5`, againstTarget("csat", o.csat.score)], o.csat.smallSample));
  if (o.enps?.suppressed) cards.push(card("eNPS", "hidden", [`fewer than ${o.enps.minimum} people: too few to show without naming anyone`]));
  else if (o.enps) cards.push(card("eNPS", signed(o.enps.score), [interval("enps", o.enps),
    `${fmt(o.enps.promoters)}% promoters · ${fmt(o.enps.detractors)}% detractors (employees)`], o.enps.smallSample));
  if (o.ces) cards.push(card("CES", fmt(o.ces.score, 2), [interval("ces", o.ces, 2), `${fmt(o.ces.agree)}% agree it was easy`, againstTarget("ces", o.ces.score)], o.ces.smallSample));
  if (o.rating) cards.push(card("Rating", `${fmt(o.rating.score, 2)} / 5`, [interval("rating", o.rating, 2), `${fmt(o.rating.agree)}% rate it good (4–5)`], o.rating.smallSample));
  if (o.yesno) cards.push(card("Yes %", `${fmt(o.yesno.score)}%`, [interval("yesno", o.yesno)], o.yesno.smallSample));
  if (!cards.length && Object.keys(filters()).length && scorer.counted().responses > 0) cards.push(card("No answers match", "–", ["None of the responses loaded falls within these dates, survey, kind and segment: widen the filters."]));
  else if (!cards.length && fileReport) cards.push(card("No answers in this file", "–", [fileReport.rejected.count ? `${fileReport.rejected.count} rows were rejected: see "Rejected rows" below.` : "The file holds no rows to score."]));
  else if (!cards.length) cards.push(card("No answers yet", "–", ["No responses in this collector yet: each answer a survey posts here shows up live."]));
  // A change, said on its kind's card: how much, its interval, and whether it is more than noise.
  const sayChange = (changes, what, real = "a real change") => {
    for (const [kind, name] of [["nps", "NPS"], ["csat", "CSAT"], ["ces", "CES"], ["enps", "eNPS"]]) {
      const c = changes[kind];
      const target = cards.find((x) => x.querySelector("h2")?.textContent === name);
      if (!c || !target || c.suppressed) continue;
      // Points of a score or a share; a mean's difference is in its own unit.
      const pts = kind === "ces" ? "" : " pts";
      target.append(el("div", `${what}: ${signed(c.difference)}${pts} (95%: ${fmt(c.low95)} to ${fmt(c.high95)}), ${c.smallSample ? "too few answers to tell" : c.significant ? real : "within noise"}`, "small"));
    }
  };
  // One agent's view (or one channel's…): against the rest of the view, as the segments
  // table weighs it (with the field's other values: a real difference, or noise).
  if ($("segment").value) {
    try {
      const { value, ...rest } = filters();
      const figures = scorer.summary({ ...rest }).segments?.[value] ?? {};
      const byName = fieldName();
      const changes = {};
      for (const kind of ["nps", "csat", "ces"]) if (figures[kind]?.vsRest) changes[kind] = figures[kind].vsRest;
      sayChange(changes, `vs every other ${byName}`, "a real difference");
    } catch {
      // A scored file cannot be filtered; the cards stand without the comparison.
    }
  }
  // Dates chosen (a week the lead asks about): against as many days just before them.
  if ($("from").value && $("to").value) {
    const [from, to] = [Date.parse(`${$("from").value}T00:00:00Z`), Date.parse(`${$("to").value}T00:00:00Z`)];
    const days = Math.round((to - from) / 86_400_000) + 1;
    if (days >= 1) {
      const date = (ms) => new Date(ms).toISOString().slice(0, 10);
      const before = { from: date(from - days * 86_400_000), to: date(from - 86_400_000) };
      try {
        const changes = scorer.summary({ ...filters(), compare: before }).compare?.changes ?? {};
        sayChange(changes, `vs the ${days === 1 ? "day" : `${days} days`} before (${before.from} to ${before.to})`);
      } catch {
        // A scored file cannot be filtered; the cards stand without the comparison.
      }
    }
  }
  // The last period against the one before it, with whether the change is more than noise;
  // up to now: an answer dated in the future by a wrong clock does not make a period "the last".
  const now = periodLabel(period, Date.now());
  const labels = Object.keys(s.periods ?? {}).filter((label) => label <= now).sort();
  if (labels.length >= 2) {
    const [a, b] = labels.slice(-2);
    // A From date inside the earlier period, or a To date inside the later one, cuts it short:
    // said, as the figure is then of part of it.
    const day = (id, shift) => periodLabel(period, Date.parse(`${$(id).value}T00:00:00Z`) + shift);
    const clipped = Boolean($("from").value) && day("from", -86_400_000) === a || Boolean($("to").value) && day("to", 86_400_000) === b;
    try {
      const changes = scorer.summary({ period, ...filters(), compare: { a, b } }).compare?.changes ?? {};
      sayChange(changes, `${b}${b === now ? " so far" : ""} vs ${a}${clipped ? " (within the dates chosen)" : ""}`);
    } catch {
      // A scored file cannot be filtered; the cards stand without the comparison.
    }
  }
  $("cards").replaceChildren(...cards);

  renderCharts(s, by);
  // The comments' reason and segment-value choices follow the data (the chosen one kept).
  const byName = fieldName();
  // (`shown` names each value: a segment's "(none)" as "(no agent)".)
  const fill = (id, values, all = "any", shown = (v) => v) => {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(el("option", all), ...values.map((v) => Object.assign(el("option", shown(v)), { value: v })));
    select.options[0].value = "";
    select.value = values.includes(chosen) ? chosen : "";
  };
  fill("comment-reason", [...new Set(s.drivers.map((d) => d.reason))].sort());
  // The values of "Segment by" over everything, not only the one chosen: the figures drawn
  // already hold them unless a filter narrowed them (scored again only then).
  const everything = Object.keys(filters()).length ? scorer.summary({ by }) : s;
  fill("segment", Object.keys(everything.segments ?? {}).sort(natural), "all", (v) => valueName(v, byName));
  // In natural order (agent-2 before agent-10), answers without a value last.
  const segments = Object.entries(s.segments ?? {}).sort(([a], [b]) => (a === "(none)") - (b === "(none)") || natural(a, b));
  const shownKinds = CELL_KINDS.filter(([kind]) => kind === "nps" || s.overall[kind] || segments.some(([, k]) => k[kind]));
  $("segments").replaceChildren(segments.length ? table([byName, ...shownKinds.map(([, name]) => name)],
    segments.map(([v, k]) => [valueName(v, byName), ...shownKinds.map(([kind]) => kindCell(kind, k[kind]))])) : el("p", `No answers carry ${/^[aeiou]/i.test(byName) ? "an" : "a"} ${byName}.`, "small"),
    // Past the Scorer's bounds (values per field, fields) a segment list is partial: say so.
    ...(s.segmentsTruncated ? [el("p", s.segmentsTruncated, "small")] : []));
  const drivers = s.drivers.slice(0, 15);
  $("drivers").replaceChildren(drivers.length ? table(["Reason", "Kind", "Cited by", "Score citing", "Score not citing", "Share of detractors / low"],
    drivers.map((d) => {
      // In the kind's unit: CSAT and yes/no are percentages.
      const unit = KINDS.find(([k]) => k === d.kind)?.[2].unit ?? "";
      return [d.reason, kindLabel(d.kind), String(d.count), `${fmt(d.scoreCiting)}${unit}`, `${fmt(d.scoreNotCiting)}${unit}`, `${fmt(d.shareOfWorstGroup)}%`];
    })) : el("p", "No reason chips chosen yet.", "small"));
  const themes = [];
  for (const [name, title] of [["negative", "Detractors / low"], ["neutral", "Passives / neutral"], ["positive", "Promoters / high"]]) {
    const box = el("div");
    box.append(el("h3", title));
    const list = el("ol");
    // A theme opens the comments that contain it (the search folds accents as themes do).
    for (const t of s.themes[name]) {
      const item = el("li");
      const open = el("button", `${t.term} (${t.count})`, "theme");
      open.type = "button";
      open.addEventListener("click", () => {
        $("comment-text").value = t.term;
        saveView();
        renderComments();
        $("comments-title").scrollIntoView();
      });
      item.append(open);
      list.append(item);
    }
    box.append(s.themes[name].length ? list : el("p", "No comments yet.", "small"));
    themes.push(box);
  }
  $("themes").replaceChildren(...themes);
  // A file scored in the worker brings its own report (its rows stay there).
  const r = fileReport?.rejected ?? s.rejected;
  renderQuestions(s);
  renderComments(comments);
  renderCallbacks(comments === "keep" ? "keep" : undefined);
  renderInflation();
  renderRates();
  renderParticipation();
  renderOutcomes();
  $("rejected").replaceChildren(r.count ? table(["Line", "Field", "Error"], r.first.map((e) => [String(e.line), e.field, e.error])) : el("p", "None.", "small"));
}

// Surveys of several questions: each question's figure (and per segment of "Segment by"),
// then how each question's answers differ with another's (satisfaction when the issue was
// resolved against when it was not), with whether the difference is more than noise.
function renderQuestions(s) {
  const box = $("questions");
  const surveys = Object.entries(s.questions ?? {});
  $("questions-section").hidden = !surveys.length;
  const parts = [];
  const byName = fieldName();
  for (const [survey, questions] of surveys) {
    parts.push(el("h3", `${survey}: ${questions.length} questions`));
    const name = (q) => `${q.key} (${q.kind})`;
    parts.push(table(["Question", "Score (95% interval)"], questions.map((q) => [name(q), kindCell(q.kind, q.figures)]), [], survey));
    const values = [...new Set(questions.flatMap((q) => Object.keys(q.segments ?? {})))].sort();
    if (values.length) {
      parts.push(table([byName, ...questions.map(name)], values.map((v) => [v, ...questions.map((q) => kindCell(q.kind, q.segments?.[v]))]), [], survey));
    }
    const relations = [];
    for (const q of questions) {
      for (const r of q.by) {
        const other = questions.find((x) => x.key === r.question);
        const [worst, , best] = KINDS.find(([k]) => k === other?.kind)?.[3] ?? [];
        if (!worst || !r.difference) continue;
        const d = r.difference;
        const unit = KINDS.find(([k]) => k === q.kind)?.[2] ?? { digits: 1 };
        relations.push([`${q.key} by ${r.question}`, `${best[1]}: ${kindCell(q.kind, r.groups[best[0]])}`, `${worst[1]}: ${kindCell(q.kind, r.groups[worst[0]])}`,
          `${signed(d.difference)} (95%: ${fmt(d.low95, unit.digits)} to ${fmt(d.high95, unit.digits)}), ${d.smallSample ? "too few answers to tell" : d.significant ? "a real difference" : "within noise"}`]);
      }
    }
    if (relations.length) parts.push(table(["Relationship", "When best", "When worst", "Difference (best − worst)"], relations, [], survey));
  }
  box.replaceChildren(...parts);
}

let events = null;

/** Shows or hides the figures (hidden while the read token is asked for; a local file can still be scored). */
function showData(shown) {
  document.querySelector("main").hidden = !shown;
}

// Every answer counts once, as its latest version: a score clicked in a ticket email
// (a partial) counts at once and is replaced, not added, when the customer submits.
// "Submitted only" leaves partials out.
function countedText(prefix, live = "live updates on") {
  const { responses, partial } = scorer.counted();
  const submittedOnly = $("submitted-only").checked;
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const what = submittedOnly ? plural(responses, "submitted response") : `${plural(responses, "response")} (${partial} not yet submitted)`;
  return `${prefix}${what}; ${live}.`;
}

// Live answers arrive in bursts (a collector back from an outage gets every queued answer at
// once): one drawing for a burst, spaced by what drawing costs, so the page stays usable.
let drawing = null;
let drawCost = 0;
function renderSoon() {
  if (drawing) return;
  drawing = setTimeout(() => {
    drawing = null;
    const start = performance.now();
    render("keep");
    drawCost = performance.now() - start;
  }, Math.min(2_000, Math.max(100, 2 * drawCost)));
}

let loads = 0;

// The start (UTC midnight) of the day of an RFC 3339 time: what a catch-up re-reads from.
// The collector compares `since` with `receivedAt`, which it keeps to the day for anonymous answers.
const dayStart = (time) => `${time.slice(0, 10)}T00:00:00Z`;
const RECONNECTING = "live updates interrupted: reconnecting to the collector…";

async function loadFromCollector() {
  // Each load owns its scorer and its stream; a newer load (a toggle, a token) makes it stop.
  const load = ++loads;
  fileReport = null;
  events?.close();
  const s = new Scorer();
  scorer = s;
  const token = readToken();
  const submittedOnly = $("submitted-only").checked;
  // Subscribe before reading the export, and hold what arrives until the export is scored:
  // a response submitted meanwhile is then replayed over its partial, not missed.
  const held = [];
  let scored = false;
  // The newest receipt seen (the collector's clock): after the stream drops (a restart, the
  // network), what arrived meanwhile is re-read from that day on; upserts by id make the
  // overlap harmless.
  let newest = "";
  const take = (response) => {
    if (typeof response.receivedAt === "string" && response.receivedAt > newest) newest = response.receivedAt;
    if (submittedOnly && !response.complete) return;
    if (!scored) return void held.push(response);
    s.upsert(response);
  };
  // The stream dropped since the last catch-up (or before the export was scored).
  let gap = false;
  let catching = null;
  // Re-reads what the stream missed; a collector just back may answer 503 for a moment:
  // tried again (after its Retry-After) until it answers, and only then is the gap closed.
  const catchUp = (wait = 1_000) => {
    if (catching || load !== loads) return;
    catching = (async () => {
      const url = `/api/responses?format=ndjson${newest ? `&since=${encodeURIComponent(dayStart(newest))}` : ""}`;
      const missed = await fetch(url, authorised(token)).catch(() => null);
      if (load !== loads) return;
      if (!missed?.ok) {
        const after = Number(missed?.headers.get("retry-after")) * 1000 || wait;
        return void setTimeout(() => catchUp(Math.min(2 * wait, 30_000)), after);
      }
      const lines = (await missed.text()).split("\n");
      if (load !== loads) return;
      gap = false;
      for (const line of lines) if (line.trim()) take(JSON.parse(line));
      $("status").textContent = countedText("Live: ");
      renderSoon();
    })().finally(() => { catching = null; });
  };
  // Read with fetch, not EventSource: the read token then travels in the Authorization
  // header as every other read's does, never in a URL (which proxies and servers log).
  const connect = () => {
    const aborter = new AbortController();
    const stream = { open: false, close: () => aborter.abort() };
    events = stream;
    const current = () => load === loads && !aborter.signal.aborted;
    // The stream ended (the collector stopped, the network dropped) or was refused.
    const dropped = (status) => {
      stream.open = false;
      if (!current()) return;
      gap = true;
      if (status === 401) {
        // Before the export is read, its own answer asks for the token.
        if (!scored) return;
        $("status").textContent = "The collector no longer takes this read token.";
        return void askForToken("That token was refused. Paste the read token:");
      }
      if (scored) $("status").textContent = countedText("", RECONNECTING);
      setTimeout(() => current() && connect(), 3_000);
    };
    const received = (json) => {
      if (!current()) return;
      take(JSON.parse(json));
      if (!scored) return;
      $("status").textContent = countedText(gap ? "" : "Live: ", gap ? "live updates interrupted: catching up…" : undefined);
      renderSoon();
    };
    (async () => {
      const response = await fetch("/api/stream", { ...authorised(token), signal: aborter.signal });
      if (!response.ok) return dropped(response.status);
      stream.open = true;
      if (current() && gap && scored) catchUp();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return dropped();
        buffer += value;
        // Server-sent events: blocks end with a blank line; `event:` names one, `data:` lines
        // carry it, a line starting with `:` is the keep-alive.
        for (let end; (end = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0; ) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 4 : end + 2);
          let name = "message";
          const data = [];
          for (const line of block.split(/\r\n|\r|\n/)) {
            const colon = line.indexOf(":");
            if (colon === 0) continue;
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") name = text;
            else if (field === "data") data.push(text);
          }
          if (name === "response" && data.length) received(data.join("\n"));
        }
      }
    })().catch(() => dropped());
  };
  connect();
  const response = await fetch("/api/responses?format=ndjson", authorised(token));
  if (load !== loads) return;
  if (response.status === 401) {
    events.close();
    render();
    // Nothing can be read yet: no "No answers yet" over a collector that has answers.
    showData(false);
    $("status").textContent = "This collector needs its read token to show responses.";
    askForToken(token ? "That token was refused. Paste the read token:" : "Paste the collector's read token:");
    return;
  }
  if (!response.ok) throw new Error(`the export answered ${response.status}`);
  // The export holds what the collector had received when it answered (its Date header).
  const served = Date.parse(response.headers.get("date") ?? "");
  if (!newest && Number.isFinite(served)) newest = new Date(served).toISOString();
  $("token-form").hidden = true;
  showData(true);
  const total = Number(response.headers.get("content-length")) || 0;
  const bar = $("progress");
  bar.hidden = false;
  await s.import(response.body, { format: "ndjson", byId: true, skipPartials: submittedOnly, onProgress: (p) => { bar.max = total || p.bytes; bar.value = p.bytes; } });
  if (load !== loads) return;
  bar.hidden = true;
  for (const held_response of held) s.upsert(held_response);
  // Live answers count from here on (set before the next wait, or those arriving meanwhile
  // would be held and never replayed).
  scored = true;
  // The display records, for response rates (a collector without them answers 404: no rates).
  const shown = await fetch("/api/impressions?format=ndjson", authorised(token)).catch(() => null);
  if (load !== loads) return;
  if (shown?.ok) await s.importImpressions(shown.body, {});
  $("status").textContent = countedText("");
  // The stream dropped while the export was read: what it missed is re-read (now, or when it is back).
  if (gap && events.open) catchUp();
  else if (gap) $("status").textContent = countedText("", RECONNECTING);
  render();
  await loadFollowUps(token, load);
}

// How many were asked: display records joined to the answers by id, per survey (and per
// segment when the view is segmented by a metadata field).
const RATES_HINT = "Surveys with impressions: true record each prompt shown; their response rates appear here.";
function renderRates() {
  const by = $("by").value.startsWith("metadata.") ? $("by").value : undefined;
  let rows = [];
  try {
    ({ rows } = scorer.rates({ ...pulseOf(filters()), kind: filters().kind, by }));
  } catch (error) {
    return void $("rates").replaceChildren(el("p", error.message, "small"));
  }
  if (!rows.length) return void $("rates").replaceChildren(el("p", RATES_HINT, "small"));
  const rate = (r) => (r ? `${fmt(r.value)}% (95%: ${fmt(r.low95)}–${fmt(r.high95)})` : "–");
  const byName = fieldName();
  $("rates").replaceChildren(table(["Survey", "Kind", ...(by ? [byName] : []), "Shown", "Answered", "Completed", "Response rate", "Completion rate"],
    rows.map((r) => [r.surveyId, kindLabel(r.kind), ...(by ? [valueName(r.segment, byName)] : []), String(r.shown), String(r.answered), String(r.completed), rate(r.responseRate), rate(r.completionRate)])));
}

function renderInflation() {
  // Employees' answers are not customers' to chase or question: said, not an error.
  if (filters().kind === "enps") return void $("inflation").replaceChildren(el("p", "Employees' eNPS answers are not checked: the check is for customers' top scores.", "small"));
  let rows;
  try {
    rows = scorer.inflation({ ...filters(), by: $("by").value });
  } catch (error) {
    return void $("inflation").replaceChildren(el("p", error.message, "small"));
  }
  // The kind the view filters to, in its own words (its top group: promoters, high (4–5)…
  // and its unit), else NPS.
  const [key, kindName, scale, groups] = KINDS.find((k) => k[0] === (filters().kind ?? "nps")) ?? KINDS[0];
  const top = key === "nps" ? "promoters" : `top scores (${groups[2][1]})`;
  if (!rows.length) return void $("inflation").replaceChildren(el("p", `No ${top} yet.`, "small"));
  const byName = fieldName();
  // With outcomes loaded: do each segment's top scorers stay like top scorers elsewhere?
  const outcome = rows.some((r) => r.outcome);
  const pts = (d) => (d ? `${signed(d.difference)} pts (95%: ${fmt(d.low95)} to ${fmt(d.high95)})` : "–");
  const score = (x) => `${x > 0 && scale.min < 0 ? "+" : ""}${fmt(x, scale.digits)}${scale.unit}`;
  const Top = top.replace(/^./, (c) => c.toUpperCase());
  $("inflation").replaceChildren(table([byName, kindName, Top, "Without a comment", "Against the rest",
    ...(outcome ? [`${Top} retained`, `Against other ${top}`] : []), ""], rows.map((r) => [
    valueName(r.segment, byName), `${score(r.score)} (n=${r.n})`, String(r.top), `${r.terse} (${fmt(r.share?.value)}%)`, pts(r.againstRest),
    ...(outcome ? [r.outcome?.rate ? `${fmt(r.outcome.rate.value)}% of ${r.outcome.rate.n} (95%: ${fmt(r.outcome.rate.low95)}–${fmt(r.outcome.rate.high95)})` : "–", pts(r.outcome?.againstRest)] : []),
    [r.flagged ? `⚑ check how ${byName === "agent" ? "this agent asks" : "these were asked"}` : "", r.outcome?.flagged ? `⚑ its ${top} do not stay` : ""].filter(Boolean).join("; "),
  ])));
}

// Participation in an employee pulse: eNPS answers per team against the invitations file.
// (The file is kept: each view counts its own dates' answers against it.)
let invited = null;
async function loadInvited(file) {
  invited = await file.text();
  renderParticipation();
}

function renderParticipation() {
  if (invited === null) return;
  const view = filters();
  let teams, rejected;
  try {
    ({ teams, rejected } = scorer.participation(invited, pulseOf(view)));
  } catch (error) {
    return void $("participation").replaceChildren(el("p", error.message, "small"));
  }
  const rate = (r) => (r ? `${fmt(r.value)}% (95%: ${fmt(r.low95)}–${fmt(r.high95)})` : "–");
  // Each pulse asks everyone once: only one pulse's dates can be read against the list.
  const dates = view.from || view.to ? `Answers from ${view.from ?? "the first"} to ${view.to ?? "the last"}.` : "All answers: with several pulses, choose one pulse's dates (From, To) to read each team against its list.";
  $("participation").replaceChildren(
    ...(rejected.count ? [el("p", `${rejected.count} rows rejected (first: line ${rejected.first[0].line}, ${rejected.first[0].field}: ${rejected.first[0].error}).`, "warn")] : []),
    el("p", dates, "small"),
    table(["Team", "Invited", "Answered", "Participation"], teams.map((t) => [t.team, String(t.invited), String(t.answered),
      t.moreAnswersThanInvited ? "more answers than invitations: is the list up to date?" : rate(t.rate)])),
  );
}

// Outcomes joined to the responses: per group, each outcome's rate (or revenue per
// respondent) with its interval, and the best group minus the worst with its significance.
const OUTCOMES = [["retained", "Retained"], ["churned", "Churned"], ["repurchased", "Repurchased"], ["crossSell", "Cross-sell"], ["revenue", "Revenue per respondent"]];
const OUTCOMES_HINT = "Load a file of what happened to the customers who answered (matched on the responses' user.id) to see each group's retention, repurchase and revenue, and whether promoters really differ from detractors. It joins the collector's responses (a scored file keeps no ids).";
function renderOutcomes() {
  const o = scorer.outcomes();
  if (!o.matched && !o.unmatchedOutcomes && !o.rejected.count) return void $("outcomes").replaceChildren(el("p", OUTCOMES_HINT, "small"));
  const blocks = [el("p", `${o.matched} customers matched; ${o.unmatchedOutcomes} outcome rows name nobody who answered; ${o.respondentsWithoutOutcome} of ${o.respondents} respondents have no outcome row.${o.rejected.count ? ` ${o.rejected.count} rows rejected (first: line ${o.rejected.first[0].line}, ${o.rejected.first[0].field}: ${o.rejected.first[0].error}).` : ""}`, "small")];
  for (const [kind, name] of [["nps", "NPS"], ["csat", "CSAT"], ["ces", "CES"], ["enps", "eNPS"]]) {
    const k = o.kinds[kind];
    if (!k) continue;
    const present = OUTCOMES.filter(([key]) => Object.values(k.groups).some((g) => g[key]));
    const money = (key) => key === "revenue";
    const cell = (e, key) => (e ? `${fmt(e.value)}${money(key) ? "" : "%"} (95%: ${fmt(e.low95)}–${fmt(e.high95)}, n=${e.n})` : "–");
    const rows = Object.entries(k.groups).map(([group, g]) => [group, String(g.n), ...present.map(([key]) => cell(g[key], key))]);
    const d = k.difference;
    const difference = [`${d.best} − ${d.worst}`, "", ...present.map(([key]) => (d[key] ? `${signed(d[key].difference)}${money(key) ? "" : " pts"} (95%: ${fmt(d[key].low95)} to ${fmt(d[key].high95)})${d[key].significant ? ", significant" : ", not significant"}` : "–"))];
    blocks.push(el("h3", name), table(["Group", "Customers", ...present.map(([, label]) => label)], rows, [difference], kind));
  }
  $("outcomes").replaceChildren(...blocks);
}

async function loadOutcomes(file) {
  $("status").textContent = `Joining ${file.name}…`;
  const report = await scorer.importOutcomes(file, {});
  $("status").textContent = `${file.name}: ${report.accepted} outcome rows read, ${report.rejected.count} rejected.`;
  renderOutcomes();
  renderInflation();
}

// Under the collector's Trusted Types policy a worker's URL must come from a policy: this
// one, the only one the page may create, allows exactly the scoring worker.
const WORKER_URL = globalThis.trustedTypes
  ? trustedTypes.createPolicy("sondeo-dashboard", {
    createScriptURL: (url) => {
      if (url !== "/score-worker.js") throw new TypeError(`sondeo-dashboard: ${url} is not the scoring worker`);
      return url;
    },
  }).createScriptURL("/score-worker.js")
  : "/score-worker.js";

// A local file is scored in workers, one per core (the page stays responsive); "Cancel"
// terminates them.
let scoring = null;
let fileReport = null;
function loadFile(file) {
  // A local file replaces the collector's figures: its stream stops too.
  ++loads;
  events?.close();
  scoring?.cancel();
  $("status").textContent = `Scoring ${file.name}…`;
  const bar = $("progress");
  bar.hidden = false;
  bar.max = file.size;
  bar.value = 0;
  $("cancel").hidden = false;
  const started = performance.now();
  const job = scoreInWorkers(file, {
    workerUrl: WORKER_URL,
    workers: Math.min(navigator.hardwareConcurrency || 2, 8),
    onProgress: (bytes) => { bar.value = bytes; },
  });
  scoring = job;
  const finish = (message) => {
    if (scoring !== job) return;
    scoring = null;
    bar.hidden = true;
    $("cancel").hidden = true;
    $("status").textContent = message;
  };
  job.done.then(({ state, report }) => {
    if (scoring !== job) return;
    scorer = Scorer.fromState(state);
    fileReport = report;
    showData(true);
    const seconds = (performance.now() - started) / 1000;
    // Said, so that a lead who sees odd letters knows why (the file was not saved as "CSV UTF-8").
    const n = report.windows1252;
    const encoding = n ? ` ${n === 1 ? "1 row was" : `${n} rows were`} not UTF-8 and ${n === 1 ? "was" : "were"} read as Windows-1252 (Excel's plain "CSV"); if letters look wrong, save the file as "CSV UTF-8".` : "";
    finish(`${file.name}: ${report.accepted} rows scored, ${report.rejected.count} rejected, in ${seconds.toFixed(1)} s (${report.workers ? `${report.workers} ${report.workers === 1 ? "worker" : "workers"}` : "in one pass on this page"}).${encoding}`);
    render();
  }, (error) => finish(`${file.name} could not be scored: ${error.message}`));
}

await init();
// The view lives in the address (?by=…&period=…&submitted=1&q=…&group=…), so it can be
// shared and survives a reload; the token stays out of it (tab storage only).
const VIEW = [["by", "by"], ["period", "period"], ["comment-text", "q"], ["comment-group", "group"], ["comment-reason", "reason"], ["segment", "value"], ["range", "range"], ["from", "from"], ["to", "to"], ["survey", "survey"], ["kind", "kind"],
  ["target-nps", "target.nps"], ["target-csat", "target.csat"], ["target-ces", "target.ces"], ["callback-status", "callback"], ["callback-order", "order"]];
function restoreView() {
  const query = new URLSearchParams(location.search);
  for (const [id, key] of VIEW) {
    const value = query.get(key);
    if (value === null) continue;
    const field = $(id);
    // A select only takes one of its options (the survey list is filled once data is in);
    // anything else in the address is ignored.
    if (["survey", "comment-reason", "segment"].includes(id)) field.append(Object.assign(el("option", value), { value }));
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
// On a phone (or at 200% zoom) the scores come first: the filters fold away under "Filters".
if (matchMedia("(max-width: 640px)").matches) $("filters").open = false;
for (const id of ["by", "period", "comment-text", "comment-group", "comment-reason", "segment", "submitted-only", "from", "to", "survey", "kind", "callback-status", "callback-order", ...TARGETED.map((kind) => `target-${kind}`)]) {
  $(id).addEventListener(id === "comment-text" ? "input" : "change", saveView);
}
for (const id of ["from", "to", "survey", "kind"]) $(id).addEventListener("change", render);
// A target changes no answer shown: the comments the lead has opened stay.
for (const kind of TARGETED) $(`target-${kind}`).addEventListener("change", () => render("keep"));
for (const id of ["from", "to"]) $(id).addEventListener("change", () => { $("range").value = $("from").value || $("to").value ? "custom" : ""; saveView(); });
// The filtered responses as a CSV file (written by the Scorer, formula cells guarded).
$("download").addEventListener("click", () => {
  if (fileReport) {
    $("status").textContent = "A scored file keeps its figures, not its rows: Download CSV is for the collector's responses.";
    return;
  }
  try {
    const csv = scorer.responsesCsv({ ...filters(), limit: undefined });
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    link.download = `sondeo-responses${$("from").value ? `-from-${$("from").value}` : ""}${$("to").value ? `-to-${$("to").value}` : ""}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    $("status").textContent = error.message;
  }
});
// Another field: the value chosen of the last one means nothing there.
$("by").addEventListener("change", () => {
  $("segment").value = "";
  saveView();
  render();
});
$("period").addEventListener("change", render);
$("comment-text").addEventListener("input", renderComments);
$("comment-group").addEventListener("change", renderComments);
$("comment-reason").addEventListener("change", renderComments);
$("segment").addEventListener("change", render);
$("comments-more").addEventListener("click", () => renderComments("more"));
for (const id of ["callback-status", "callback-order"]) $(id).addEventListener("change", () => renderCallbacks());
$("callbacks-more").addEventListener("click", () => renderCallbacks("more"));
$("callback-filters").addEventListener("submit", (e) => e.preventDefault());
// The lead acts elsewhere on the page (a click, the focus): what changed meanwhile shows.
// Not on the focus leaving the list: Safari does not focus a button it clicks, and the
// list drawn again between the press and the click would lose the click.
for (const type of ["pointerdown", "focusin"]) {
  document.addEventListener(type, (e) => {
    if (callbacksStale && !$("callbacks").contains(e.target)) renderCallbacks("keep");
  });
}
// Another lead may have called some back: read the follow-ups again when the tab comes
// back, and every 30 seconds while it is shown, so that a lead sees what the others
// marked (nothing claims a customer while a lead calls: mark "contacted" first).
const rereadFollowUps = () => {
  if (document.visibilityState === "visible" && followUpsRead && !reading && !fileReport) loadFollowUps(followUpToken);
};
document.addEventListener("visibilitychange", rereadFollowUps);
setInterval(rereadFollowUps, 30_000);
// Date presets fill From and To in UTC days, as the filter compares dates (the "Dates (UTC)"
// label says so), when chosen and when a shared view names one: "last 7 days" is the last
// 7 days on the day the link is opened, not the days it was shared on.
function applyPreset() {
  const preset = $("range").value;
  if (preset === "custom") return;
  const day = (d) => d.toISOString().slice(0, 10);
  const today = new Date();
  let from = "";
  if (preset === "quarter") from = day(new Date(Date.UTC(today.getUTCFullYear(), Math.floor(today.getUTCMonth() / 3) * 3, 1)));
  else if (preset) from = day(new Date(today.getTime() - (Number(preset) - 1) * 86_400_000));
  $("from").value = from;
  $("to").value = preset ? day(today) : "";
}
$("range").addEventListener("change", () => {
  if ($("range").value === "custom") return void $("from").focus();
  applyPreset();
  saveView();
  render();
});
if ($("range").value && $("range").value !== "custom") {
  applyPreset();
  saveView();
}
$("comment-filters").addEventListener("submit", (e) => e.preventDefault());
// Charts are drawn for their width: draw them again when it changes.
let resizing;
addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => scorer && render("keep"), 150);
});
$("submitted-only").addEventListener("change", () => loadFromCollector().catch((err) => { $("status").textContent = err.message; }));
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token").value = "";
  loadFromCollector().catch((err) => { $("status").textContent = err.message; });
});
$("file").addEventListener("change", (e) => e.target.files[0] && loadFile(e.target.files[0]));
$("cancel").addEventListener("click", () => {
  scoring?.cancel();
  scoring = null;
  $("progress").hidden = true;
  $("cancel").hidden = true;
  $("status").textContent = "Scoring cancelled; the figures shown are the ones before it.";
});
$("outcomes-file").addEventListener("change", (e) => e.target.files[0] && loadOutcomes(e.target.files[0]).catch((err) => { $("status").textContent = err.message; }));
$("outcomes-form").addEventListener("submit", (e) => e.preventDefault());
$("invited-form").addEventListener("submit", (e) => e.preventDefault());
$("invited-file").addEventListener("change", (e) => e.target.files[0] && loadInvited(e.target.files[0]).catch((err) => { $("status").textContent = err.message; }));
loadFromCollector().catch((err) => {
  scorer = new Scorer();
  render();
  $("status").textContent = `No collector here (${err.message}). Pick an export file to score it in your browser.`;
});
