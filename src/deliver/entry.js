// The delivery module's entry (dist/sondeo-deliver.js): its functions, and a default export
// that starts it, as wasm-bindgen's would (see ../load-wasm.js).
import { initSync } from "../../target/bindgen/sondeo-deliver/sondeo-deliver.js";
import { loadWasm } from "../load-wasm.js";

export * from "../../target/bindgen/sondeo-deliver/sondeo-deliver.js";
export default () => loadWasm(new URL("sondeo-deliver_bg.wasm", import.meta.url), initSync);
