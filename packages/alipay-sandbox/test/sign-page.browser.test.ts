import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "@paysign/test-kit";
import {
  MONTHLY_BIZ,
  createUser,
  nextExternalNo,
  sdkExecuteWith,
  startHarness,
  type Harness,
} from "./support/sandbox-harness.ts";

/** The signing center's `result`: the page.sign response, read as JSON. */
type PageSignAnswer = { alipay_user_agreement_page_sign_response: Record<string, string> };

const executablePath = findChromium();
const ARTIFACTS = path.resolve(import.meta.dirname, "../../../test-artifacts");

if (!executablePath) {
  console.warn(
    "sign page browser test skipped: no Chromium at CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)",
  );
}

describe.skipIf(!executablePath)("H5 signing page in headless Chromium", () => {
  let harness: Harness;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startHarness();
    await harness.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
    browser = await chromium.launch({ executablePath: executablePath ?? undefined, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.sandbox.close();
  });

  async function openPage(userId: string) {
    const biz = {
      ...MONTHLY_BIZ,
      external_agreement_no: nextExternalNo(),
      period_rule_params: { ...MONTHLY_BIZ.period_rule_params, total_amount: "238.80", total_payments: 12 },
    };
    const signStr = sdkExecuteWith(harness.sdk, biz, {});
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.addInitScript(() => {
      const posted: unknown[] = [];
      Object.assign(globalThis, { my: { postMessage: (message: unknown) => posted.push(message) }, __posted: posted });
    });
    await page.goto(`${harness.url}/sandbox/sign?signStr=${encodeURIComponent(signStr)}&userId=${userId}`);
    return page;
  }

  it("shows the terms and signs on confirm, posting the result back to the mini program", async () => {
    const { userId } = await createUser(harness);
    const page = await openPage(userId);
    const terms = await page.locator("#terms").innerText();
    expect(terms).toContain("Test merchant");
    expect(terms).toContain("每 1 个月");
    expect(terms).toContain("¥19.90");
    expect(terms).toContain("2026-12-01");
    expect(terms).toContain("¥238.80");
    expect(terms).toContain("12");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "sandbox-sign-page.png"), fullPage: true });

    await page.click("#confirm");
    await expect.poll(() => page.locator("#result").innerText()).toContain("签约成功");
    const posted = await page.evaluate<Array<{ resultStatus: string; result: string }>>("window.__posted");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.resultStatus).toBe("7000");
    const agreementNo = (JSON.parse(posted[0]?.result ?? "{}") as PageSignAnswer)
      .alipay_user_agreement_page_sign_response.agreement_no;
    const agreements = (
      await harness.get<Array<{ agreement_no: string; alipay_user_id: string }>>("/sandbox/agreements")
    ).body;
    expect(agreements).toContainEqual(
      expect.objectContaining({ agreement_no: agreementNo, alipay_user_id: userId }) as unknown,
    );
    await page.close();
  });

  it("creates nothing on cancel and posts 6001", async () => {
    const { userId } = await createUser(harness);
    const page = await openPage(userId);
    await page.click("#cancel");
    await expect.poll(() => page.locator("#result").innerText()).toContain("已取消");
    const posted = await page.evaluate<Array<{ resultStatus: string }>>("window.__posted");
    expect(posted[0]?.resultStatus).toBe("6001");
    const agreements = (await harness.get<Array<{ alipay_user_id: string }>>("/sandbox/agreements")).body;
    expect(agreements.filter((agreement) => agreement.alipay_user_id === userId)).toHaveLength(0);
    await page.close();
  });

  it("shows why an invalid signStr cannot be signed", async () => {
    const page = await browser.newPage();
    await page.goto(
      `${harness.url}/sandbox/sign?signStr=${encodeURIComponent("app_id=1&sign=x")}&userId=2088000000000000`,
    );
    expect(await page.locator("#sign-error").innerText()).toContain("无效签名");
    await page.close();
  });
});
