// Demo gallery: opens modal and slide-in surveys and shows what each one posts.
import { mount } from "/dist/sondeo.js";

const posted = document.getElementById("posted");
// A screen reader hears one line (the JSON, read whole, would queue over the survey's own thank-you).
const said = document.getElementById("posted-said");
for (const type of ["sondeo:answer", "sondeo:submit"]) {
  document.addEventListener(type, (event) => {
    posted.textContent = `${type}\n${JSON.stringify(event.detail, null, 2)}`;
    said.textContent = `${type === "sondeo:submit" ? "Sent" : "Partial sent"}: ${event.detail.kind} ${event.detail.score ?? ""}`;
  });
}

const reasons = {
  nps: ["Price", "Support", "Product quality", "Ease of use"],
  csat: ["Speed", "Friendliness", "Resolution"],
  ces: ["Finding help", "Waiting", "Repeating myself"],
  tls: ["Speed", "Friendliness", "Knowledge"],
};

// A transactional survey: satisfaction, resolution and the agent, one response.
const TLS = [
  { key: "satisfaction", kind: "csat", question: "How satisfied are you with the support you received?" },
  { key: "resolved", kind: "yesno", question: "Was your issue resolved?" },
  { key: "agent", kind: "rating", question: "How would you rate the agent who helped you?" },
];

let open = null;
for (const button of document.querySelectorAll("button[data-kind]")) {
  button.addEventListener("click", async () => {
    open?.destroy();
    const { kind, display, scale } = button.dataset;
    open = await mount(null, {
      ...(kind === "tls" ? { questions: TLS } : { kind, scale }),
      display,
      // The visitor asked for it (a click): shown whatever the rules say, every time.
      force: true,
      id: `demo-${kind}-${display}`,
      endpoint: "/api/responses",
      reasons: reasons[kind],
      metadata: { touchpoint: "demo", channel: "web" },
      thankYou: { link: { url: "https://example.com/review", text: "Leave a public review" } },
    });
  });
}
