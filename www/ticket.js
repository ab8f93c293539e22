// Post-ticket survey page: the "ticket closed" email links here with the score the
// customer clicked, e.g. ticket.html?kind=csat&score=4&ticketId=123&agent=ana.
// The score is recorded at once (a partial post) and the page asks the follow-up.
import { mount } from "/dist/sondeo.js";

const params = new URLSearchParams(location.search);
const kind = params.get("kind") ?? params.get("survey") ?? "csat";
const metadata = { touchpoint: "support", channel: params.get("channel") ?? "email" };
for (const key of ["ticketId", "agent"]) {
  if (params.get(key)) metadata[key] = params.get(key);
}
if (metadata.ticketId) {
  document.getElementById("ticket-line").textContent = `Thank you for contacting support about ticket #${metadata.ticketId}.`;
}

const survey = await mount(document.getElementById("survey"), {
  kind: ["nps", "csat", "ces"].includes(kind) ? kind : "csat",
  id: params.get("surveyId") ?? "post-ticket",
  endpoint: "/api/responses",
  locale: params.get("lang") ?? "auto",
  metadata,
  reasons: ["Speed", "Friendliness", "Solved my problem", "Knowledge"],
});
const score = params.get("score");
if (score !== null && score.trim() !== "") {
  try {
    survey.select(Number(score));
  } catch (error) {
    // A score that is not on the scale (an edited link): ask normally instead.
    console.warn(error.message);
  }
}
