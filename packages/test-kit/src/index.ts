export { encodeCharsetForm } from "./charset-form.ts";
export { CHROMIUM_ARGS, findChromium } from "./chromium.ts";
export { defined } from "./defined.ts";
export { freePort } from "./free-port.ts";
export { http, type HttpAnswer, type Json } from "./http.ts";
export { signal } from "./signal.ts";
export { tempDir } from "./temp-dir.ts";
