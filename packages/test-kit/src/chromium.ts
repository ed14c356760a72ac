import { existsSync } from "node:fs";
import { chromiumPathFromEnv } from "./env.ts";

/** The system Chromium for browser tests: CHROMIUM_PATH, else /usr/bin/chromium; null when neither exists. */
export function findChromium(): string | null {
  const candidates = [chromiumPathFromEnv(), "/usr/bin/chromium"].filter((value): value is string => !!value);
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
