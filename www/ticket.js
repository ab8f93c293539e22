// Post-ticket survey page: the "ticket closed" email links here with the score the
// customer clicked, e.g. ticket.html?kind=csat&score=4&ticketId=123&agent=ana.
// With `survey=tls` it asks the transactional survey (satisfaction, resolved, the agent):
// the email's first answer comes as `q1=` (ticket.html?survey=tls&q1=4&ticketId=123), and
// the page asks the other two.
// - One ticket keeps one response: its id comes from the survey and the ticket, so a
//   reload or a second click on the link updates that response instead of adding one; a
//   link without a ticket keeps its response in this browser. A reload keeps the score the
//   customer chose here since; once sent in full, another click claims nothing.
// - The link is read as help desks and mail clients write it (see `link` below).
// - The score is recorded at the first sign of a person (a pointer move, a touch, a key,
//   the mouse wheel; not a scroll, which scanners do): a mail scanner that opens every
//   link and does nothing records nothing.
// - A value of the link the survey would refuse (too long) is left out on its own, with a
//   console warning: the rest of the link (the ticket, its one response) still counts.
// - The page says the score was recorded, then asks why; closing leaves a thank-you.
import { mount } from "/dist/sondeo.js";
import { RIGHT_TO_LEFT, TEXTS } from "/ticket-texts.js";

// The invisible characters the widget and the collector remove from visitors' text
// (crates/core/src/text.rs, is_hidden_format): removed here first, so that the page shows
// the ticket as it is stored ("\u202Egnp.exe" would read "exe.png") and a link with or
// without them names the same ticket, and the same response. A zero-width joiner or
// non-joiner stays between two characters of a script that shapes by it, or of an emoji
// (text.rs, joins): "می‌خواهم" keeps its spelling, "👩‍💻" stays one emoji.
const HIDDEN = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u3164\uFFA0\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;
const SHAPED = "\\u0600-\\u0DFF\\u1800-\\u18AF\\u2600-\\u27BF\\u2B00-\\u2BFF\\uFB50-\\uFDFF\\uFE0F\\uFE70-\\uFEFE\\u{1F000}-\\u{1FAFF}";
const STRAY_JOINER = new RegExp(`(?<![${SHAPED}])[\\u200C\\u200D]|[\\u200C\\u200D](?![${SHAPED}])`, "gu");
// The link as help desks and mail clients write it: the query (or, where a rewriter moved
// it, the fragment), names in any case and spelling (`TicketID`, `ticket_id`, `Score`) and with the `amp;` an HTML
// email leaves when it escapes `&` twice, the first of a name repeated, and the punctuation
// a mail client's autolink takes in at the end (`…ticketId=T-9.`) left out.
const link = new Map();
const query = withoutTrailingPunctuation(location.search.slice(1) || location.hash.replace(/^#\??/, ""));
const pairs = query.split("&").filter(Boolean).map((part) => {
  const at = part.includes("=") ? part.indexOf("=") : part.length;
  // (`ticket_id` and `ticket-id` name `ticketId` too.)
  return [decoded(part.slice(0, at)).replace(/^(amp;)+/i, "").replace(/[_-]/g, "").toLowerCase(), decoded(part.slice(at + 1))];
});
for (const [name, value] of pairs) if (!link.has(name)) link.set(name, value);
// The link as written, without what a mail client's autolink took in after it: a full stop
// or comma, or a bracket that closes nothing ("(see …ticketId=T-9)"). What the help desk
// encoded (`Ana%21`) is its own, and "Ana (Support)" and "[ticket_id]" keep their brackets.
function withoutTrailingPunctuation(text) {
  const last = text.slice(text.lastIndexOf("&") + 1);
  const open = { ")": (last.match(/\(/g) ?? []).length, "]": (last.match(/\[/g) ?? []).length };
  const closed = { ")": (last.match(/\)/g) ?? []).length, "]": (last.match(/\]/g) ?? []).length };
  let end = text.length;
  for (;;) {
    const c = text[end - 1];
    if (c !== undefined && ".,;:!?".includes(c)) end--;
    else if ((c === ")" || c === "]") && closed[c] > open[c]) { closed[c]--; end--; }
    else return text.slice(0, end);
  }
}
// A value percent-decoded as bytes and read as UTF-8, else as Windows-1252 (an older mail
// merge writes José as Jos%E9, which would be stored as "Jos\uFFFD", another agent); `+`
// is a space; a `%` that starts no escape stays as written.
function decoded(text) {
  const bytes = [];
  const encoder = new TextEncoder();
  // By code point: a character outside the BMP is one, not two halves.
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const escape = chars.slice(i + 1, i + 3).join("");
    if (chars[i] === "%" && /^[0-9a-f]{2}$/i.test(escape)) {
      bytes.push(parseInt(escape, 16));
      i += 2;
    } else bytes.push(...encoder.encode(chars[i] === "+" ? " " : chars[i]));
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return new TextDecoder("windows-1252").decode(new Uint8Array(bytes));
  }
}
// A help desk's placeholder that its template left unexpanded (`{{ticket.id}}`, `[ticket_id]`,
// `{%conversation.number%}`, `%TICKET%`, `*|MERGE|*`, `${id}`): no value, or every customer
// of that template would share one ticket, each answer replacing the one before.
const PLACEHOLDER = /\{\{|\}\}|\{%|%\}|\$\{|\*\||\|\*|^\[[^\]]*\]$|^%[A-Za-z0-9_.]+%$/;
const param = (key) => {
  const value = link.get(key.toLowerCase()) ?? null;
  if (value === null || !PLACEHOLDER.test(value)) return value;
  console.warn(`sondeo ticket page: ${key} holds a placeholder the help desk did not fill in (${value}); left out`);
  return null;
};
// The link's value for `key` as the survey stores it (line breaks and tabs as spaces, other
// control characters removed, trimmed: crates/core/src/answer.rs, attribute_text), or
// `fallback` when that leaves nothing or more than `max` characters (the survey's limit,
// counted in characters as it counts them: an emoji is one).
const linked = (key, max, fallback) => {
  const value = param(key)?.replace(HIDDEN, "").replace(STRAY_JOINER, "").replace(/[\t\n\r]/g, " ").replace(/\p{Cc}/gu, "").trim();
  const length = value ? [...value].length : 0;
  if (length > max) console.warn(`sondeo ticket page: ${key} is longer than ${max} characters; left out`);
  return value && length <= max ? value : fallback;
};
const lowered = (key) => param(key)?.trim().toLowerCase();
const tls = lowered("survey") === "tls" || lowered("kind") === "tls";
const kind = lowered("kind") ?? lowered("survey") ?? "csat";
// A kind the page does not ask (a typo, `rating`): the email's score was given on another
// scale, so it is not recorded; the visitor is asked CSAT afresh.
const knownKind = tls || ["nps", "csat", "ces"].includes(kind);
if (!knownKind) console.warn(`sondeo ticket page: kind ${kind} is not nps, csat, ces or tls; asking csat, without the link's score`);
const defaultSurveyId = tls ? "post-ticket-tls" : "post-ticket";
const surveyId = linked("surveyId", 100, defaultSurveyId);
const metadata = { touchpoint: "support", channel: linked("channel", 500, "email") };
for (const key of ["ticketId", "agent"]) {
  const value = linked(key, 500);
  if (value) metadata[key] = value;
}

// The page and the survey in one language, matched on the primary subtag as the widget
// matches its packs (pt-PT: Portuguese); English when the page has no texts for it, so that
// `lang` and `dir` always say what is shown.
// The visitor's languages in order (the link's `lang` first), the first the page has texts
// for; a reader of Traditional Chinese is passed over to the next, as the widget does (its
// Chinese is Simplified).
// (Hebrew's withdrawn code `iw`, still sent by Java and older Android systems, is Hebrew.)
const primary = (tag) => tag.toLowerCase().split(/[-_]/)[0].replace(/^iw$/, "he");
const traditional = (tag) => /^zh[-_](hant|tw|hk|mo)\b/i.test(tag);
const wanted = [param("lang"), ...(navigator.languages ?? []), navigator.language].filter((tag) => typeof tag === "string" && tag);
const chosenTag = wanted.find((tag) => !traditional(tag) && Object.hasOwn(TEXTS, primary(tag)));
const words = TEXTS[chosenTag ? primary(chosenTag) : "en"];
document.documentElement.lang = words.tag;
document.documentElement.dir = RIGHT_TO_LEFT.has(words.tag) ? "rtl" : "ltr";
document.title = words.title;
document.querySelector("h1").textContent = words.heading;
// The id isolated (U+2068…U+2069): "T-9" inside Arabic or Hebrew keeps its own order.
document.getElementById("ticket-line").textContent = metadata.ticketId ? words.ticket(`\u2068${metadata.ticketId}\u2069`) : words.intro;

// The response id: `rid=` when the help desk puts one in the link (best: an unguessable id
// per ticket, so nobody who knows a ticket number can overwrite its answer); else derived
// from survey, kind and ticket (64-bit FNV-1a in hex: distinct tickets get distinct ids,
// and an NPS link and a CSAT link about one ticket are two responses, as the collector
// keeps an id to one kind).
function derivedId(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `t-${h.toString(16).padStart(16, "0")}`;
}
const rid = param("rid");
if (rid && !/^[A-Za-z0-9_-]{1,64}$/.test(rid)) console.warn("sondeo ticket page: rid is not 1 to 64 letters, digits, '-' or '_'; the response id is derived from the ticket instead");
// What this browser keeps of the page (the widget's own storage is its business): a
// response id for a link without a ticket, and what happened to each response.
const pageStorage = {
  name: (key) => `sondeo-ticket:${key}`,
  get(key) {
    try { return JSON.parse(localStorage.getItem(this.name(key))); } catch { return null; }
  },
  set(key, value) {
    try { localStorage.setItem(this.name(key), JSON.stringify(value)); } catch {}
  },
};
// Without a ticket (nor `rid`), the link opened again in this browser (a reload, a second
// click) keeps the id it had: one response, not one per visit. Another browser is another
// customer, who gets their own.
// What names the link, whatever order its values come in and whatever a mailer adds to
// track the click.
const TRACKING = /^(utm.*|mc(eid|cid)|hs(enc|mi|tc|sc|fp)|gl|[a-z]*clid|[gw]braid|igshid|mkttok|score|q1|lang)$/;
function linkId() {
  const named = [...link].filter(([k]) => !TRACKING.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = derivedId(`${surveyId}\0${tls ? "tls" : kind}\0${JSON.stringify(named)}`);
  const id = pageStorage.get(key) ?? crypto.randomUUID?.();
  if (id) pageStorage.set(key, id);
  return typeof id === "string" ? id : undefined;
}
const responseId = rid && /^[A-Za-z0-9_-]{1,64}$/.test(rid) ? rid
  : metadata.ticketId ? derivedId(`${surveyId}\0${tls ? "tls" : kind}\0${metadata.ticketId}`) : linkId();
// What this browser did with the response: the link's score it recorded, the score chosen
// since (a mis-tap in the email, corrected here), and whether it was sent in full.
const pastVisit = () => (responseId && pageStorage.get(responseId)) || {};
const remember = (change) => responseId && pageStorage.set(responseId, { ...pastVisit(), ...change });

// Listen for a person from the start: a move made while the widget loads counts too.
// Digits only: Number() would read "0x9", "9e0" or " 9" as 9, which no email link says.
// (A three-question survey's first answer is `q1`; `score` is taken for it too.)
const given = param(tls ? "q1" : "score") ?? (tls ? param("score") : null);
const score = knownKind && given !== null && /^[0-9]{1,2}$/.test(given) ? given : null;
let personHere = false;
// Any sign of a person, a tap on a score included (see the script clicks below).
let personSeen = false;
let recordedSaid = false;
let survey = null;
// Not "scroll": scanners scroll pages (to load lazy content, to take screenshots).
const signs = ["pointermove", "pointerdown", "touchstart", "keydown", "wheel"];
const host = document.getElementById("survey");
const record = (event) => {
  if (event && !event.isTrusted) return;
  personSeen = true;
  // A tap or click on one of the survey's scores is the person answering: their choice, not
  // the link's. (A swipe or a tap elsewhere on the card is a person there, like any other.)
  const onScore = (node) => node instanceof Element && node.hasAttribute("data-score");
  if ((event?.type === "pointerdown" || event?.type === "touchstart") && event.composedPath().some(onScore)) {
    signs.forEach((sign) => removeEventListener(sign, record, true));
    // The link's score was passed over for this one: a reload keeps the visitor's.
    if (score !== null) remember({ link: Number(score) });
    return;
  }
  personHere = true;
  if (!survey || score === null) return;
  signs.forEach((sign) => removeEventListener(sign, record, true));
  const before = pastVisit();
  // Sent in full already: the endpoint keeps that answer, so the link's score would not be
  // stored; the card asks again, and a Send replaces the answer.
  if (before.sent) return;
  // The same link again (a reload, Back, the email opened again): the score chosen on the
  // page since stays; another score clicked in the email is the customer's new choice.
  const chosen = before.link === Number(score) && Number.isInteger(before.chosen) ? before.chosen : Number(score);
  try {
    survey.select(chosen);
    remember({ link: Number(score), chosen });
    document.getElementById("status").textContent = words.recorded(chosen);
    recordedSaid = true;
  } catch (error) {
    // A score that is not on the scale (an edited link): ask normally instead.
    console.warn(error.message);
  }
};
signs.forEach((sign) => addEventListener(sign, record, { capture: true, passive: true }));

// Once the link's score is said to be recorded, the line follows the visitor's own change of
// it, so that it always says what is stored (a mis-tap in the email, corrected here).
document.addEventListener("sondeo:answer", (event) => {
  const detail = event.detail ?? {};
  const chosen = tls ? detail.answers?.find((a) => a.key === "satisfaction")?.score : detail.score;
  if (!Number.isInteger(chosen)) return;
  remember({ chosen });
  if (recordedSaid) document.getElementById("status").textContent = words.recorded(chosen);
});
document.addEventListener("sondeo:submit", () => remember({ sent: true }));
// The endpoint refused the answer (a `rid` already used for another kind: 409): what the
// page said was recorded was not.
document.addEventListener("sondeo:error", (event) => {
  // (This response's: a display record's id is another.)
  if (!event.detail?.status || (responseId && event.detail.id !== responseId)) return;
  if (recordedSaid) document.getElementById("status").textContent = "";
  // Nor was a refused Send stored: the next click in the email may record its score. (A
  // late refusal of the partial says nothing of the Send.)
  if (event.detail.complete !== false) remember({ sent: false });
});
// A script's click on the survey (a mail security sandbox that presses every button) is no
// person answering: until a person is seen, only the visitor's own clicks and keys reach it.
// Then a script's may be theirs: voice control and keyboard-hint extensions click by script.
for (const type of ["click", "keydown", "pointerdown"]) {
  addEventListener(type, (event) => { if (!event.isTrusted && !personSeen) event.stopImmediatePropagation(); }, true);
}

// The link opened twice (a double click in the mail client) and the answer sent in full from
// the other tab: this tab's card, still on the email's score, must not replace that answer
// with that score and no comment. It thanks instead.
addEventListener("storage", (event) => {
  if (!survey || event.key !== pageStorage.name(responseId) || !pastVisit().sent) return;
  survey.destroy();
  survey = null;
  document.getElementById("status").textContent = words.closed;
});

document.addEventListener("sondeo:close", () => {
  document.getElementById("status").textContent = words.closed;
});

const questions = words.questions;
const asked = tls
  ? { questions: [
      { key: "satisfaction", kind: "csat", question: questions[0] },
      { key: "resolved", kind: "yesno", question: questions[1] },
      { key: "agent", kind: "rating", question: questions[2] },
    ] }
  : { kind: ["nps", "csat", "ces"].includes(kind) ? kind : "csat" };
const config = {
  ...asked,
  id: surveyId,
  responseId,
  endpoint: "/api/responses",
  locale: words.tag,
  metadata,
  reasons: words.reasons,
};
// An edited link (a language tag the survey does not take, a value it refuses) must not
// leave the page empty: first without its language, then without what else the link added.
const bare = { ...config, id: defaultSurveyId, locale: "auto", metadata: { touchpoint: "support", channel: "email" }, responseId: undefined };
for (const attempt of [config, { ...config, locale: "auto" }, bare]) {
  try {
    survey = await mount(host, attempt);
    break;
  } catch (error) {
    console.warn(error.message);
    // The widget itself could not start (its files blocked or missing): trying other
    // configs cannot help.
    if (/could not start/.test(error.message)) break;
  }
}
// Nothing to answer with: said, not an empty page under "Your ticket is closed".
if (!survey) document.getElementById("status").textContent = words.unavailable;
if (personHere) record();
