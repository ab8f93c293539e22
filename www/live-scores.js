// Live scores of the answers given on this page (demos, kiosks): every submitted
// answer goes into a Scorer (Rust/wasm) and the panel shows its figures.
import init, { Scorer } from "/dist/sondeo-analytics.js";

const panel = document.getElementById("live-scores");
if (panel) {
  await init();
  const scorer = new Scorer();
  const title = document.createElement("h2");
  title.textContent = "Live scores of this page";
  const body = document.createElement("p");
  body.textContent = "Submit an answer to see NPS, CSAT and CES computed in your browser.";
  panel.replaceChildren(title, body);
  const fmt = (x, d = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
  document.addEventListener("sondeo:submit", (event) => {
    scorer.add(event.detail);
    const o = scorer.summary({}).overall;
    const parts = [];
    if (o.nps) parts.push(`NPS ${fmt(o.nps.score)} (95%: ${fmt(o.nps.low95)} to ${fmt(o.nps.high95)}, n=${o.nps.n})`);
    if (o.csat) parts.push(`CSAT ${fmt(o.csat.score)}% (n=${o.csat.n})`);
    if (o.ces) parts.push(`CES ${fmt(o.ces.score, 2)} (n=${o.ces.n})`);
    body.textContent = parts.join(" · ");
  });
}
