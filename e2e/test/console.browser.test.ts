import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AxeBuilder } from "@axe-core/playwright";
import pg from "pg";
import { CHROMIUM_ARGS, defined, findChromium } from "@paysign/test-kit";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { clientsOf, shanghai, waitFor } from "./support/client.ts";
import { createE2eDatabase, type E2eDatabase } from "./support/database.ts";
import { adminKey, startProcesses, type E2eProcesses } from "./support/processes.ts";

// The merchant console as an operator uses it: its production build served by the API at /console (CONSOLE_DIR),
// the sandbox and the API as real processes, a story seeded through the API, headless Chromium clicking through it.
const chromiumPath = findChromium() ?? undefined;
const repoRoot = path.resolve(import.meta.dirname, "../..");
const artifacts = path.join(repoRoot, "test-artifacts");

if (!chromiumPath) {
  console.warn(
    "console browser test skipped: no Chromium at CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)",
  );
}

type Overview = {
  activeAgreements: number;
  mrr: string;
  charged: string;
  refunded: string;
  net: string;
  successRate: number | null;
  attention: {
    pastDueCharges: number;
    failedCharges: number;
    notificationMismatches: number;
    reconciliationDifferences: number;
    agreementsWithoutFirstDate: number;
  };
};

type Refund = {
  id: string;
  chargeId: string;
  agreementId: string;
  outRequestNo: string;
  amount: string;
  reason: string | null;
  status: string;
};

/** `vite build` of apps/console into `outDir` (the package's build script, output elsewhere). */
async function buildConsole(outDir: string): Promise<void> {
  const consoleRoot = path.join(repoRoot, "apps", "console");
  await promisify(execFile)(process.execPath, [path.join(consoleRoot, "node_modules/vite/bin/vite.js"), "build"], {
    cwd: consoleRoot,
    env: { ...process.env, NODE_ENV: "production", CONSOLE_OUT_DIR: outDir },
  });
}

/**
 * axe on the page as it is once no Ant Design enter animation runs (a dialog zooming in is half transparent, and its
 * colours fail contrast until it ends): no serious or critical violation.
 */
async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.locator('[class*="-appear"], [class*="-enter"]').first().waitFor({ state: "detached" });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`,
    );
  expect(serious, `axe on ${name}`).toEqual([]);
}

async function snapshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `console-${name}.png`), fullPage: true });
}

describe.skipIf(!chromiumPath)("the merchant console in a browser", () => {
  let database: E2eDatabase;
  let processes: E2eProcesses;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleDir: string;
  let client: ReturnType<typeof clientsOf>;
  const story = { agreementId: "", agreementNo: "" };

  beforeAll(async () => {
    consoleDir = await mkdtemp(path.join(tmpdir(), "paysign-console-"));
    await buildConsole(consoleDir);
    database = await createE2eDatabase();
    processes = await startProcesses({ databaseUrl: database.url, worker: false, env: { CONSOLE_DIR: consoleDir } });
    client = clientsOf(processes);

    // The seeded story: three monthly customers sign on 2031-03-01 and are charged on D, 2031-03-08.
    await client.setClock(shanghai("2031-03-01"));
    const planId = await client.createPlan({
      name: "Monthly membership",
      periodType: "MONTH",
      period: 1,
      singleAmount: "19.90",
      firstChargeDelayDays: 7,
    });
    for (let index = 0; index < 3; index += 1) {
      const customer = await client.signIn();
      const { id, signStr } = await client.subscribe(customer, planId);
      const signed = await client.signAtAlipay(customer, signStr);
      const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, {
        resultStatus: signed.body.resultStatus,
        result: signed.body.result,
      });
      expect(reported.body.outcome).toBe("SIGNED");
      story.agreementId = id;
    }
    await client.setClock(shanghai("2031-03-08"));
    // The API's own jobs and this run may share the work; either way each period is charged once.
    await client.admin("/admin/v1/scheduler/run", { wait: true });
    await waitFor({
      what: "three paid charges",
      probe: () => client.charges(),
      done: (charges) => charges.length === 3 && charges.every((charge) => charge.status === "SUCCEEDED"),
    });
    story.agreementNo = defined((await client.agreement(story.agreementId)).agreementNo, "agreementNo");

    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await processes?.stop();
    await database?.drop();
    if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
  });

  test("sign in with the admin key; the overview shows the story's numbers as the API reports them", async () => {
    await page.goto(`${processes.apiUrl}/console/`);
    await page.getByRole("heading", { name: "登录商户控制台" }).waitFor();
    await expectAccessible(page, "sign-in");
    await snapshot(page, "sign-in");
    await page.getByLabel("管理密钥").fill("a-wrong-admin-key");
    await page.getByRole("button", { name: /^登\s?录$/ }).click();
    await page.getByText("The admin key is wrong.").waitFor();
    await page.getByLabel("管理密钥").fill(adminKey);
    await page.getByRole("button", { name: /^登\s?录$/ }).click();

    await page.getByTestId("mrr").waitFor();
    const cookies = await context.cookies();
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([
      ["paysign_admin_session", true, "Strict"],
    ]);
    const api = (await client.admin<Overview>("/admin/v1/overview")).body;
    expect(api).toMatchObject({
      activeAgreements: 3,
      mrr: "59.70",
      charged: "59.70",
      refunded: "0.00",
      successRate: 1,
    });
    const text = async (id: string) => (await page.getByTestId(id).innerText()).replace(/\s+/g, " ");
    expect(await text("active-agreements")).toContain(String(api.activeAgreements));
    expect(await text("mrr")).toContain(`¥${api.mrr}`);
    expect(await text("charged")).toContain(`¥${api.charged}`);
    expect(await text("refunded")).toContain("¥0.00");
    expect(await text("net")).toContain(`¥${api.net}`);
    expect(await text("success-rate")).toContain("100.0%");
    expect(await text("attention")).toContain("扣款失败");
    await page.locator("canvas").first().waitFor();
    await expectAccessible(page, "overview");
    await snapshot(page, "overview");
  });

  test("zh-CN and English switch", async () => {
    await page.getByText("English", { exact: true }).click();
    await page.getByText("Active agreements").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await snapshot(page, "overview-en");
    await page.getByText("中文", { exact: true }).click();
    await page.getByText("生效中的协议").waitFor();
  });

  test("filter the agreements, open one, defer its next deduction from the detail page", async () => {
    await page.getByRole("menuitem", { name: "签约协议" }).click();
    await page.getByRole("table").getByRole("link").nth(2).waitFor();
    await expectAccessible(page, "agreements");
    await snapshot(page, "agreements");
    await page.getByLabel("协议号、商户签约号或支付宝用户").fill(story.agreementNo);
    await page.getByLabel("协议号、商户签约号或支付宝用户").press("Enter");
    await expect.poll(() => page.getByRole("table").getByRole("link").count()).toBe(1);
    expect(page.url()).toContain(`q=${story.agreementNo}`);
    await page.getByRole("table").getByRole("link").click();

    await page.getByTestId("next-deduct").getByText("2031-04-08").waitFor();
    await expectAccessible(page, "agreement detail");
    await snapshot(page, "agreement-detail");
    // The picker offers no day before today by the browser's clock: the story's day, as an operator's browser shows it.
    await context.clock.setSystemTime(new Date(shanghai("2031-03-08")));
    await page.getByRole("button", { name: "延期下次扣款" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("executionplan.modify").waitFor();
    await dialog.locator(".ant-picker input").fill("2031-04-15");
    await dialog.locator(".ant-picker input").press("Enter");
    await dialog.getByRole("button", { name: /^确\s?认$/ }).click();
    await page.getByTestId("next-deduct").getByText("2031-04-15").waitFor();
    expect(await page.getByTestId("action-outcome").innerText()).toContain("2031-04-15");
    expect((await client.agreement(story.agreementId)).nextDeductDate).toBe("2031-04-15");
    await snapshot(page, "agreement-deferred");
  });

  test("refund part of a paid charge from the detail page; the refund shows there, in the API and in the list", async () => {
    const charge = defined(
      (await client.agreement(story.agreementId)).charges.find((made) => made.status === "SUCCEEDED"),
      "a paid charge",
    );
    expect(charge.amount).toBe("19.90");
    const facts = (label: string) =>
      page.locator(".ant-descriptions-item").filter({ has: page.getByText(label, { exact: true }) });
    expect(await facts("已退款").innerText()).toContain("¥0.00");

    await page.getByRole("button", { name: /^退\s?款$/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("alipay.trade.refund").waitFor();
    const confirm = dialog.getByRole("button", { name: /^确\s?认$/ });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("金额（元）").fill("5.5");
    await dialog.getByLabel("退款原因").fill("Customer asked for part of March back");
    await confirm.click();

    await expect.poll(() => page.getByTestId("action-outcome").innerText()).toContain("¥5.50 SUCCEEDED");
    await expect.poll(() => page.getByTestId("net-total").innerText()).toBe("¥14.40");
    expect(await facts("已退款").innerText()).toContain("¥5.50");
    const chargeRow = page
      .locator(".ant-card")
      .filter({ has: page.getByRole("heading", { name: "扣款记录" }) })
      .locator("tbody tr.ant-table-row")
      .filter({ hasText: charge.dueDate });
    expect(await chargeRow.innerText()).toContain("¥5.50 SUCCEEDED");

    const refunds = (await client.admin<{ items: Refund[] }>(`/admin/v1/refunds?chargeId=${charge.id}`)).body.items;
    expect(refunds).toHaveLength(1);
    const refund = defined(refunds[0], "the refund");
    expect(refund).toMatchObject({
      chargeId: charge.id,
      agreementId: story.agreementId,
      amount: "5.50",
      reason: "Customer asked for part of March back",
      status: "SUCCEEDED",
    });
    await snapshot(page, "agreement-refunded");

    await page.getByRole("menuitem", { name: "退款记录" }).click();
    const row = page.getByRole("table").locator("tbody tr").filter({ hasText: refund.outRequestNo });
    await row.waitFor();
    await page.locator(".ant-spin-spinning").waitFor({ state: "detached" });
    const cells = (await row.innerText()).replace(/\s+/g, " ");
    expect(cells).toContain("¥5.50");
    expect(cells).toContain("SUCCEEDED");
    expect(cells).toContain("Customer asked for part of March back");
    expect(cells).toContain(story.agreementId.slice(0, 8));
    expect(await page.getByRole("table").locator("tbody tr.ant-table-row").count()).toBe(1);
    await expectAccessible(page, "refunds");
    await snapshot(page, "refunds");
  });

  test("the charges, notifications and plans pages", async () => {
    for (const [menu, name] of [
      ["扣款", "charges"],
      ["通知", "notifications"],
      ["计划", "plans"],
    ] as const) {
      await page.getByRole("menuitem", { name: menu, exact: true }).click();
      await page.getByRole("table").locator("tbody tr").first().waitFor();
      await page.locator(".ant-spin-spinning").waitFor({ state: "detached" });
      await expectAccessible(page, name);
      await snapshot(page, name);
    }
    await page.getByRole("button", { name: "新建计划" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("名称").fill("Too short a week");
    await dialog.getByLabel("周期", { exact: true }).click();
    await page.locator('.ant-select-item-option[title="天"]').click();
    await dialog.getByLabel("数量").fill("6");
    await dialog.getByLabel("单次金额").fill("5.00");
    await dialog.getByRole("button", { name: /^保\s?存$/ }).click();
    const apiMessage = (
      await client.admin<{ error: { message: string } }>("/admin/v1/plans", {
        name: "Too short a week",
        productCode: "GENERAL_WITHHOLDING",
        signScene: "INDUSTRY|DIGITAL_MEDIA",
        periodType: "DAY",
        period: 6,
        singleAmount: "5.00",
        effectType: "DIRECT",
        description: "",
      })
    ).body.error.message;
    await expect.poll(() => page.getByTestId("plan-error").innerText()).toBe(apiMessage);
    await snapshot(page, "plan-refused");
  });

  test("webhook endpoints: create one and see its secret once; the list shows why paysign disabled one", async () => {
    await page.keyboard.press("Escape");
    // An endpoint the delivery engine disabled after a day of failures (written as it writes it).
    const failing = await client.admin<{ endpoint: { id: string } }>("/admin/v1/webhook-endpoints", {
      url: "https://old-crm.example.com/paysign/webhooks",
    });
    expect(failing.status).toBe(201);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(
      `UPDATE "WebhookEndpoint" SET "enabled" = false, "disabledReason" = $2, "disabledAt" = now(),
         "failingSince" = now() - interval '1 day' WHERE "id" = $1`,
      [failing.body.endpoint.id, "failing for 24 hours"],
    );
    await db.end();

    await page.getByRole("menuitem", { name: "Webhook", exact: true }).click();
    await page.getByTestId("webhook-disabled-reason").waitFor();
    expect(await page.getByTestId("webhook-disabled-reason").innerText()).toContain("failing for 24 hours");
    await page.locator(".ant-spin-spinning").waitFor({ state: "detached" });
    await expectAccessible(page, "webhooks");
    await snapshot(page, "webhooks");

    await page.getByRole("button", { name: "新建端点" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("地址").fill("https://crm.example.com/paysign/webhooks");
    await dialog.getByLabel("描述").fill("CRM");
    await dialog.getByRole("button", { name: /^保\s?存$/ }).click();
    const shown = page.getByTestId("webhook-secret");
    await shown.waitFor();
    const secret = (await shown.innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await expectAccessible(page, "webhook secret");
    await snapshot(page, "webhook-secret");

    // The API has it, and never shows the secret again.
    const list = await client.admin<{ items: Array<{ url: string; enabled: boolean }> }>("/admin/v1/webhook-endpoints");
    expect(list.body.items.map((item) => item.url)).toContain("https://crm.example.com/paysign/webhooks");
    expect(list.text).not.toContain(secret);
    await page.getByRole("button", { name: /^确\s?认$/ }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole("table").locator("tbody tr.ant-table-row").count()).toBe(2);
  });

  test("a 401 (the session is gone) returns to sign-in", async () => {
    await page.keyboard.press("Escape");
    await context.clearCookies();
    await page.getByRole("menuitem", { name: "签约协议" }).click();
    await page.getByRole("heading", { name: "登录商户控制台" }).waitFor();
    await snapshot(page, "signed-out");
  });
});
