// The size budget: everything a page loads to show the widget (JS + wasm; the CSS is
// compiled into the wasm), gzip -9 each, must stay within 50 KB. Prints the figures.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 51_200;
const files = ["dist/sondeo.js", "dist/sondeo_bg.wasm"];
let total = 0;
for (const file of files) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`${file}: ${raw.length} bytes raw, ${gz} bytes gzip -9`);
}
console.log(`widget total: ${total} bytes gzip -9 (budget ${BUDGET})`);
if (total > BUDGET) {
  console.error(`size budget exceeded by ${total - BUDGET} bytes`);
  process.exit(1);
}
