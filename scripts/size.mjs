// The size budget: everything a page loads to show an English prompt (JS + wasm; the CSS
// and the English texts are compiled into the wasm), each file compressed with
// GNU `gzip -9` as a web server would precompress it, must stay within the budget.
// Prints the figures. (Node's zlib at level 9 comes out ~1% larger on the same bytes.)
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const BUDGET = 55_034;
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

// Each language pack, fetched only by visitors who need it, within 1.5 KB.
const PACK_BUDGET = 1_536;
const packs = readdirSync("dist/locales").filter((f) => f.endsWith(".json"));
if (packs.length !== 13) {
  console.error(`expected 13 language packs in dist/locales, found ${packs.length}`);
  process.exit(1);
}
let largest = ["", 0];
let smallest = ["", Infinity];
for (const pack of packs) {
  const gz = execFileSync("gzip", ["-9", "-n", "-c", `dist/locales/${pack}`]).length;
  if (gz > largest[1]) largest = [pack, gz];
  if (gz < smallest[1]) smallest = [pack, gz];
  if (gz > PACK_BUDGET) {
    console.error(`language pack ${pack}: ${gz} bytes gzip -9, over ${PACK_BUDGET}`);
    process.exit(1);
  }
}
console.log(`language packs: ${packs.length}, ${smallest[1]}–${largest[1]} bytes gzip -9 (${smallest[0]} to ${largest[0]}; budget ${PACK_BUDGET} each)`);

// Delivery, fetched when a visitor reaches for a prompt (after it is up): budgeted on its own.
const DELIVERY_BUDGET = 24_458;
let delivery = 0;
for (const file of ["dist/sondeo-deliver.js", "dist/sondeo-deliver_bg.wasm"]) {
  delivery += execFileSync("gzip", ["-9", "-n", "-c", file]).length;
}
console.log(`delivery module: ${delivery} bytes gzip -9 (budget ${DELIVERY_BUDGET}), fetched when a visitor reaches for a prompt`);
if (delivery > DELIVERY_BUDGET) {
  console.error(`delivery module over its budget by ${delivery - DELIVERY_BUDGET} bytes`);
  process.exit(1);
}

// Not budgeted, for the README: the analytics module, which only scoring pages load.
let analytics = 0;
for (const file of ["dist/sondeo-analytics.js", "dist/sondeo-analytics_bg.wasm"]) {
  analytics += execFileSync("gzip", ["-9", "-n", "-c", file], { maxBuffer: 1 << 26 }).length;
}
console.log(`analytics module: ${analytics} bytes gzip -9`);
