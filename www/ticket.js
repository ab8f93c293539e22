// Post-ticket survey page: the "ticket closed" email links here with the score the
// customer clicked, e.g. ticket.html?kind=csat&score=4&ticketId=123&agent=ana.
// - One ticket keeps one response: its id comes from the survey and the ticket, so a
//   reload or a second click on the link updates that response instead of adding one.
// - The score is recorded at the first sign of a person (a pointer move, a touch, a key,
//   a scroll): a mail scanner that opens every link and does nothing records nothing.
// - The page says the score was recorded, then asks why; closing leaves a thank-you.
import { mount } from "/dist/sondeo.js";

const params = new URLSearchParams(location.search);
const kind = params.get("kind") ?? params.get("survey") ?? "csat";
const surveyId = params.get("surveyId") ?? "post-ticket";
const metadata = { touchpoint: "support", channel: params.get("channel") ?? "email" };
for (const key of ["ticketId", "agent"]) {
  if (params.get(key)) metadata[key] = params.get(key);
}

const lang = (params.get("lang") ?? navigator.language ?? "en").toLowerCase().startsWith("es") ? "es" : "en";
const words = {
  en: { ticket: (id) => `Thank you for contacting support about ticket #${id}.`, recorded: (s) => `Your score of ${s} was recorded. Thank you!`, closed: "Thank you. You can close this page." },
  es: { ticket: (id) => `Gracias por contactar con soporte por el caso n.º ${id}.`, recorded: (s) => `Hemos registrado tu puntuación de ${s}. ¡Gracias!`, closed: "Gracias. Ya puedes cerrar esta página." },
}[lang];
document.documentElement.lang = lang;
if (metadata.ticketId) document.getElementById("ticket-line").textContent = words.ticket(metadata.ticketId);

// Letters, digits, '-' and '_' (what a response id may hold), at most 64.
const safe = (text) => text.replace(/[^A-Za-z0-9_-]/g, "_");
const responseId = metadata.ticketId ? `t-${safe(surveyId)}-${safe(metadata.ticketId)}`.slice(0, 64) : undefined;

// Listen for a person from the start: a move made while the widget loads counts too.
const score = params.get("score");
let personHere = false;
let survey = null;
const signs = ["pointermove", "pointerdown", "touchstart", "keydown", "wheel", "scroll"];
const record = () => {
  personHere = true;
  if (!survey || score === null || score.trim() === "") return;
  signs.forEach((sign) => removeEventListener(sign, record, true));
  try {
    survey.select(Number(score));
    document.getElementById("status").textContent = words.recorded(score);
  } catch (error) {
    // A score that is not on the scale (an edited link): ask normally instead.
    console.warn(error.message);
  }
};
signs.forEach((sign) => addEventListener(sign, record, { capture: true, passive: true }));

document.addEventListener("sondeo:close", () => {
  document.getElementById("status").textContent = words.closed;
});

survey = await mount(document.getElementById("survey"), {
  kind: ["nps", "csat", "ces"].includes(kind) ? kind : "csat",
  id: surveyId,
  responseId,
  endpoint: "/api/responses",
  locale: params.get("lang") ?? "auto",
  metadata,
  reasons: ["Speed", "Friendliness", "Solved my problem", "Knowledge"],
});
if (personHere) record();
