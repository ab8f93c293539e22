// The size budget: everything a page loads to show an English prompt (JS + wasm; the CSS
// and the English and Spanish texts are compiled into the wasm), each file compressed with
// GNU `gzip -9` as a web server would precompress it, must stay within the budget.
// Prints the figures. (Node's zlib at level 9 comes out ~1% larger on the same bytes.)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const BUDGET = 53_500;
const files = ["dist/sondeo.js", "dist/sondeo_bg.wasm"];
let total = 0;
for (const file of files) {
  const raw = readFileSync(file).length;
  const gz = execFileSync("gzip", ["-9", "-n", "-c", file], { maxBuffer: 1 << 26 }).length;
  total += gz;
  console.log(`${file}: ${raw} bytes raw, ${gz} bytes gzip -9`);
}
console.log(`widget total: ${total} bytes gzip -9 (budget ${BUDGET})`);
if (total > BUDGET) {
  console.error(`size budget exceeded by ${total - BUDGET} bytes`);
  process.exit(1);
}
