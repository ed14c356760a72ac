import { createSignRelay, type AppGlobal } from "./runtime/sign-relay.ts";

const globalData: AppGlobal = { signRelay: createSignRelay() };

App({ globalData });
