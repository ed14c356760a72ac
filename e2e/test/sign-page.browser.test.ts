import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "@paysign/test-kit";
import { clientsOf, shanghai, transitions, waitFor } from "./support/client.ts";
import { createE2eDatabase, type E2eDatabase } from "./support/database.ts";
import { startProcesses, type E2eProcesses } from "./support/processes.ts";

// A person signs on the sandbox's H5 signing page in headless Chromium: the agreement is a real one created through
// the API (sandbox and API as real processes), and the server learns of the signature from the sandbox's
// dut_user_sign notification, as it would from Alipay.
const chromiumPath = findChromium() ?? undefined;
const artifacts = path.resolve(import.meta.dirname, "../../test-artifacts");

if (!chromiumPath) {
  console.warn(
    "end-to-end signing page test skipped: no Chromium at CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)",
  );
}

describe.skipIf(!chromiumPath)("a person signs on the sandbox's signing page", () => {
  let database: E2eDatabase;
  let processes: E2eProcesses;
  let browser: Browser;

  beforeAll(async () => {
    database = await createE2eDatabase();
    processes = await startProcesses({ databaseUrl: database.url, worker: false });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await processes?.stop();
    await database?.drop();
  });

  test("the terms of a real agreement, a click on confirm, and the server shows it ACTIVE", async () => {
    const client = clientsOf(processes);
    await client.setClock(shanghai("2031-06-15"));
    const planId = await client.createPlan({
      name: "Monthly membership",
      periodType: "MONTH",
      period: 1,
      singleAmount: "19.90",
      totalPayments: 12,
    });
    const customer = await client.signIn();
    const { id, signStr } = await client.subscribe(customer, planId);

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(
      `${processes.sandboxUrl}/sandbox/sign?signStr=${encodeURIComponent(signStr)}&userId=${customer.userId}`,
    );
    const terms = await page.locator("#terms").innerText();
    expect(terms).toContain("¥19.90");
    expect(terms).toContain("2031-06-15");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "e2e-sign-page.png"), fullPage: true });

    await page.click("#confirm");
    await expect.poll(() => page.locator("#result").innerText(), { timeout: 10_000 }).toContain("签约成功");
    await page.screenshot({ path: path.join(artifacts, "e2e-sign-page-signed.png"), fullPage: true });
    await page.close();

    const seen = await waitFor({
      what: "the customer's agreement ACTIVE",
      probe: () => customer.as<{ status: string; agreementNo: string | null }>(`/api/v1/agreements/${id}`),
      done: (answer) => answer.body.status === "ACTIVE",
    });
    const agreement = await client.agreement(id);
    expect(transitions(agreement)).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
    expect(seen.body.agreementNo).toBe(agreement.agreementNo);
    console.log(
      `signing page: ${agreement.agreementNo} ${transitions(agreement).join(", ")}; screenshots in test-artifacts/e2e-sign-page*.png`,
    );
  });
});
