import { createSignRelay, type AppGlobal } from "./runtime/sign-relay.ts";

// The relay exists in development builds only; a release bundle drops it (and the web-view page never exists).
const globalData: AppGlobal = __PAYSIGN_MODE__ === "development" ? { signRelay: createSignRelay() } : {};

App({ globalData });
