import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "@paysign/test-kit";
import { startStack, type Stack } from "./support/stack.ts";

const executablePath = findChromium() ?? undefined;
const ARTIFACTS = path.resolve(import.meta.dirname, "../../../test-artifacts");

if (!executablePath) {
  console.warn(
    "docs page browser test skipped: no Chromium at CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)",
  );
}

describe.skipIf(!executablePath)("/docs in headless Chromium", () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  test(
    "renders the API reference from /openapi.json with its script from /docs/assets, offline",
    { timeout: 60_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const apiOrigin = new URL(stack.api).origin;
      const outside: string[] = [];
      const served: string[] = [];
      const pageErrors: string[] = [];
      // Nothing leaves the machine: requests to any other origin are refused and recorded.
      await page.route("**/*", async (route) => {
        const url = route.request().url();
        if (url.startsWith(apiOrigin) || url.startsWith("data:") || url.startsWith("blob:")) {
          served.push(url.slice(apiOrigin.length));
          await route.continue();
          return;
        }
        outside.push(url);
        await route.abort();
      });
      page.on("pageerror", (error) => pageErrors.push(error.message));

      const response = await page.goto(`${stack.api}/docs`, { waitUntil: "load" });
      expect(response?.status()).toBe(200);
      // Operation summaries come from the contracts through /openapi.json: their text proves the page rendered it.
      await page.getByText("Sign in with a mini program auth code").first().waitFor({ timeout: 30_000 });
      // The admin group opens on a click and lists the admin operations too.
      await page.getByText("admin", { exact: true }).first().click({ timeout: 10_000 });
      await page.getByText("Define a plan").first().waitFor({ timeout: 10_000 });
      const title = await page.title();

      mkdirSync(ARTIFACTS, { recursive: true });
      const screenshot = path.join(ARTIFACTS, "api-docs.png");
      await page.screenshot({ path: screenshot });
      await page.close();

      expect(title).toContain("paysign API");
      expect(served).toContain("/docs/assets/standalone.js");
      expect(served).toContain("/openapi.json");
      expect(pageErrors).toEqual([]);
      expect(outside).toEqual([]);
      console.log(
        `docs-page: /docs rendered in Chromium from ${served.length} loopback requests, ` +
          `${outside.length} outside; screenshot ${path.relative(path.resolve(ARTIFACTS, ".."), screenshot)}`,
      );
    },
  );
});
