import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSandboxControl, type ControlAnswer } from "@paysign/alipay-sandbox";
import { createLogger, loadConfig } from "@paysign/server";
import { freePort } from "@paysign/test-kit";
import { startDevStack, type DevStack } from "./dev-stack/dev-stack.ts";

// `pnpm demo`: the whole story on a fresh stack in a temporary folder (embedded PostgreSQL, the Alipay sandbox and
// the API with its in-process worker, on free ports), driven over HTTP the way the mini program, the Alipay app and
// an operator would, and narrated with the real objects. Exits 0 when every step holds, 1 naming the step that did
// not. Nothing is left behind: the stack stops and the folder is removed either way.

const monthlyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";

type Json = Record<string, unknown>;
type Agreement = {
  id: string;
  externalAgreementNo: string;
  status: string;
  agreementNo: string | null;
  executeTime: string;
  nextDeductDate: string | null;
  paymentsCount: number;
  paidTotal: string;
  charges: Array<{
    id: string;
    dueDate: string;
    amount: string;
    status: string;
    tradeNo: string | null;
    paidAt: string | null;
  }>;
  totals?: { charged: string; refunded: string; net: string };
  events: Array<{ fromStatus: string | null; toStatus: string; source: string }>;
};

class StepFailure extends Error {}

// A reader that goes away (`pnpm demo | head`) must not stop the demo before it has cleaned up.
let stdoutOpen = true;
process.stdout.on("error", () => (stdoutOpen = false));
const out = (line = "") => stdoutOpen && process.stdout.write(`${line}\n`);
const detail = (label: string, value: string) => out(`       ${label.padEnd(13)}${value}`);

let stepNumber = 0;
let interrupted = false;
async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  if (interrupted) throw new StepFailure("interrupted");
  stepNumber += 1;
  out(`\n  ${String(stepNumber).padStart(2)}. ${title}`);
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StepFailure(`step ${stepNumber} (${title}) failed: ${message}`, { cause: error });
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function call<T = Json>(url: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(url, {
    method: init.body === undefined ? "GET" : "POST",
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** The body of a sandbox control answer; a refusal fails the step. */
async function sandboxBody<T>(answer: Promise<ControlAnswer<T>>): Promise<T> {
  const settled = await answer;
  if (settled.status !== 200) throw new Error(`the sandbox answered ${settled.status}: ${settled.text}`);
  return settled.body;
}

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > 15_000) throw new Error(`${what}: not seen within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Today in Asia/Shanghai, or the 1st of next month after the 28th (a MONTH plan cannot start on the 29th–31st). */
function signingDay(now: Date): string {
  const shanghai = new Date(now.getTime() + 8 * 3_600_000);
  const [year, month, day] = [shanghai.getUTCFullYear(), shanghai.getUTCMonth(), shanghai.getUTCDate()];
  return new Date(Date.UTC(year, day > 28 ? month + 1 : month, day > 28 ? 1 : day)).toISOString().slice(0, 10);
}

const yuan = (value: string) => `¥${value}`;
const transition = (event: Agreement["events"][number]) =>
  `${event.fromStatus ?? "∅"}→${event.toStatus} (${event.source})`;

async function tellTheStory(stack: DevStack): Promise<void> {
  const api = stack.apiUrl;
  check(stack.sandboxUrl, "the demo stack runs without a sandbox; it needs one to sign and to deduct");
  const sandbox = createSandboxControl(stack.sandboxUrl);
  const asAdmin = { "x-admin-key": stack.adminApiKey };
  const agreementOf = (id: string) => call<Agreement>(`${api}/admin/v1/agreements/${id}`, { headers: asAdmin });

  const today = await step("The simulated clock (the API follows the sandbox's time)", async () => {
    const day = signingDay(new Date());
    await sandboxBody(sandbox.setClock(`${day}T10:00:00+08:00`));
    detail("now", `${day} 10:00 Asia/Shanghai`);
    return day;
  });

  const customer = await step("A customer signs in from the mini program", async () => {
    const user = await sandboxBody(sandbox.createUser({ balance: "100.00" }));
    const { authCode } = await sandboxBody(sandbox.createAuthCode(user.userId));
    const session = await call<{ token: string; customer: { id: string } }>(`${api}/api/v1/sessions`, {
      body: { authCode },
    });
    detail("Alipay user", `${user.userId} (${user.logonId}), balance ${yuan(user.balance)}`);
    detail("auth code", `${authCode.slice(0, 12)}… → alipay.system.oauth.token`);
    detail("customer", `${session.customer.id}, session token issued`);
    return { ...user, headers: { authorization: `Bearer ${session.token}` } };
  });

  const plan = await step("The customer picks a plan", async () => {
    const { items } = await call<{ items: Array<Json & { id: string }> }>(`${api}/api/v1/plans`);
    const found = items.find((item) => item.id === monthlyPlanId);
    check(found, `the seeded monthly plan ${monthlyPlanId} is not listed`);
    detail("plan", `${String(found.name)} (${found.id})`);
    detail(
      "terms",
      `${yuan(String(found.singleAmount))} every ${String(found.period)} ${String(found.periodType)}, ${String(found.productCode)} / ${String(found.personalProductCode)}, ${String(found.effectType)}`,
    );
    return found;
  });

  const created = await step("The server creates the agreement and its signStr", async () => {
    const answer = await call<{ agreement: Agreement; signStr: string }>(`${api}/api/v1/agreements`, {
      body: { planId: plan.id },
      headers: customer.headers,
    });
    check(answer.agreement.status === "PENDING", `status ${answer.agreement.status}, expected PENDING`);
    detail("agreement", `${answer.agreement.id} ${answer.agreement.status}`);
    detail("external no", `${answer.agreement.externalAgreementNo}, first deduction ${answer.agreement.executeTime}`);
    detail("signStr", `${answer.signStr.slice(0, 64)}… (${answer.signStr.length} characters, for my.paySignCenter)`);
    return answer;
  });

  const signed = await step("The customer signs in the Alipay app (sandbox signing center)", async () => {
    const answer = await sandboxBody(
      sandbox.signAtCenter({ signStr: created.signStr, userId: customer.userId, decision: "confirm" }),
    );
    check(answer.resultStatus === "7000", `paySignCenter answered ${answer.resultStatus}, expected 7000`);
    const response = (JSON.parse(answer.result) as { alipay_user_agreement_page_sign_response: Json })
      .alipay_user_agreement_page_sign_response;
    detail("resultStatus", "7000 (signed)");
    detail("agreement no", `${String(response.agreement_no)}, Alipay status ${String(response.status)}`);
    return answer;
  });

  await step("The mini program reports the result; the server verifies it", async () => {
    const answer = await call<{ outcome: string; agreement: Agreement }>(
      `${api}/api/v1/agreements/${created.agreement.id}/sign-result`,
      { body: { resultStatus: signed.resultStatus, result: signed.result }, headers: customer.headers },
    );
    check(answer.agreement.status === "ACTIVE", `status ${answer.agreement.status}, expected ACTIVE`);
    detail(
      "outcome",
      `${answer.outcome}: agreement ${answer.agreement.status}, next deduction ${answer.agreement.nextDeductDate}`,
    );
  });

  const agreementNo = await step("Alipay's dut_user_sign notification arrives", async () => {
    const agreement = await agreementOf(created.agreement.id);
    const notification = await waitFor(
      "dut_user_sign answered success",
      async () =>
        (await sandboxBody(sandbox.notifications())).find(
          (found) => found.notifyType === "dut_user_sign" && found.params.agreement_no === agreement.agreementNo,
        ),
      (found) => found?.delivered === true,
    );
    check(notification, "dut_user_sign was not delivered");
    check(agreement.agreementNo, "the signed agreement has no Alipay agreement number");
    detail("notify_id", `${notification.notifyId} (${notification.notifyType})`);
    detail("answer", `"${String(notification.attempts.at(-1)?.body)}": RSA2 signature verified, recorded once`);
    detail("events", agreement.events.map(transition).join(", "));
    return agreement.agreementNo;
  });

  const runScheduler = () =>
    call<{ enqueued: number; results: Array<{ dueDate: string; status: string }> }>(`${api}/admin/v1/scheduler/run`, {
      body: { wait: true },
      headers: asAdmin,
    });
  const chargeFor = async (dueDate: string) => {
    const run = await runScheduler();
    const agreement = await waitFor(
      `the charge of ${dueDate}`,
      () => agreementOf(created.agreement.id),
      (found) => found.charges.some((charge) => charge.dueDate === dueDate && charge.status === "SUCCEEDED"),
    );
    const charge = agreement.charges.find((found) => found.dueDate === dueDate);
    check(charge, `the agreement has no charge due ${dueDate}`);
    const trades = await sandboxBody(sandbox.trades());
    const trade = trades.find((found) => found.trade_no === charge.tradeNo);
    check(trade?.trade_status === "TRADE_SUCCESS", `no successful sandbox trade ${charge.tradeNo}`);
    detail("scheduler", `tick enqueued ${run.enqueued} charge(s)`);
    detail("charge", `${charge.dueDate}: ${yuan(charge.amount)} ${charge.status}, Alipay trade no. ${charge.tradeNo}`);
    detail(
      "agreement",
      `${agreement.paymentsCount} payment(s), ${yuan(agreement.paidTotal)} in all, next deduction ${agreement.nextDeductDate}`,
    );
    return agreement;
  };

  const afterFirst = await step(`First charge (due ${today}, the signing day)`, () => chargeFor(today));

  const secondDay = afterFirst.nextDeductDate;
  check(secondDay, "the agreement has no next deduction date after its first charge");
  await step("The clock moves one period", async () => {
    await sandboxBody(sandbox.setClock(`${secondDay}T10:00:00+08:00`));
    detail("now", `${secondDay} 10:00 Asia/Shanghai`);
  });

  const afterSecond = await step(`Second charge (due ${secondDay})`, () => chargeFor(secondDay));

  await step("The merchant refunds part of the second charge (alipay.trade.refund)", async () => {
    const charge = afterSecond.charges.find((found) => found.dueDate === secondDay);
    check(charge?.tradeNo, `no paid charge due ${secondDay}`);
    const answer = await call<{ refund: { status: string; amount: string; outRequestNo: string } }>(
      `${api}/admin/v1/charges/${charge.id}/refunds`,
      {
        body: { amount: "1.00", reason: "demo: a day of service missed" },
        headers: { ...asAdmin, "idempotency-key": `demo-${charge.id}` },
      },
    );
    check(answer.refund.status === "SUCCEEDED", `refund ${answer.refund.status}, expected SUCCEEDED`);
    const trade = (await sandboxBody(sandbox.trades())).find((found) => found.trade_no === charge.tradeNo);
    check(trade?.refund_fee === "1.00", `Alipay's refund_fee is ${trade?.refund_fee}, expected 1.00`);
    const totals = (await agreementOf(created.agreement.id)).totals;
    detail(
      "refund",
      `${yuan(answer.refund.amount)} ${answer.refund.status}, out_request_no ${answer.refund.outRequestNo}`,
    );
    detail("alipay", `trade ${trade.trade_no} ${trade.trade_status}, refund_fee ${yuan(trade.refund_fee)} (partial)`);
    detail(
      "totals",
      `charged ${yuan(totals?.charged ?? "")}, refunded ${yuan(totals?.refunded ?? "")}, net ${yuan(totals?.net ?? "")}`,
    );
  });

  await step(`The next day: reconciliation of ${secondDay} with Alipay's bill`, async () => {
    const nextDay = new Date(Date.parse(`${secondDay}T10:00:00+08:00`) + 86_400_000);
    await sandboxBody(sandbox.setClock(nextDay.toISOString()));
    const run = await call<{ status: string; tradeLines: number; matchedLines: number; differences: number }>(
      `${api}/admin/v1/reconciliations/${secondDay}/run`,
      { body: {}, headers: asAdmin },
    );
    check(run.status === "COMPLETED", `reconciliation ${run.status}`);
    check(run.tradeLines === 1 && run.differences === 0, `expected 1 line and 0 differences: ${JSON.stringify(run)}`);
    detail("bill", `alipay.data.dataservice.bill.downloadurl.query: ${run.tradeLines} line (GBK CSV in a zip)`);
    detail("result", `${run.matchedLines} matched, ${run.differences} differences`);
  });

  await step("The customer unsigns in the mini program", async () => {
    // A month has passed: yesterday's session has expired, so the mini program signs in again first.
    const { authCode } = await sandboxBody(sandbox.createAuthCode(customer.userId));
    const session = await call<{ token: string }>(`${api}/api/v1/sessions`, { body: { authCode } });
    const answer = await call<{ agreement: Agreement }>(`${api}/api/v1/agreements/${created.agreement.id}/unsign`, {
      body: {},
      headers: { authorization: `Bearer ${session.token}` },
    });
    check(answer.agreement.status === "UNSIGNED", `status ${answer.agreement.status}, expected UNSIGNED`);
    const atAlipay = (await sandboxBody(sandbox.agreements())).find((found) => found.agreement_no === agreementNo);
    detail("session", "signed in again (a month on, the old session has expired)");
    detail(
      "agreement",
      `${answer.agreement.status} (alipay.user.agreement.unsign; Alipay's status ${atAlipay?.status})`,
    );
  });

  const final = await step("Final state", async () => {
    const agreement = await agreementOf(created.agreement.id);
    const users = await sandboxBody(sandbox.users());
    const balance = users.find((user) => user.userId === customer.userId)?.balance;
    const trades = (await sandboxBody(sandbox.trades())).filter((trade) => trade.agreement_no === agreementNo);
    check(agreement.status === "UNSIGNED", `status ${agreement.status}, expected UNSIGNED`);
    check(agreement.paymentsCount === 2 && trades.length === 2, "expected two charges and two Alipay trades");
    detail("agreement", `${agreement.id} ${agreement.status}, Alipay ${agreement.agreementNo}`);
    detail("history", agreement.events.map(transition).join(", "));
    detail(
      "charges",
      [...agreement.charges]
        .sort((a, b) => a.dueDate.localeCompare(b.dueDate))
        .map((charge) => `${charge.dueDate} ${yuan(charge.amount)} ${charge.status}`)
        .join(", "),
    );
    detail("buyer", `balance ${yuan(String(balance))} (was ¥100.00), ${trades.length} trades at Alipay`);
    return agreement;
  });

  out("\n  Summary");
  const confirmedBy = final.events.find((event) => event.toStatus === "ACTIVE")?.source;
  out(
    `    customer   ${customer.userId} signed "${String(plan.name)}": 7000, confirmed by ${confirmedBy}, ` +
      `dut_user_sign answered success`,
  );
  out(
    `    charges    2 × ${yuan(String(plan.singleAmount))} = ${yuan(final.paidTotal)}, one Alipay trade per period, one simulated month apart`,
  );
  out(`    refunds    ${yuan(final.totals?.refunded ?? "")} refunded (partial), net ${yuan(final.totals?.net ?? "")}`);
  out(`    agreement  ${agreementNo} ${final.status}`);
}

const started = Date.now();
const folder = await mkdtemp(path.join(tmpdir(), "paysign-demo-"));
// As root, the embedded PostgreSQL runs as the user `postgres`, which must be able to enter the folder.
await chmod(folder, 0o755);
let stackStart: Promise<DevStack> | undefined;
let cleaning: Promise<boolean> | undefined;
/** Stops the stack (one still starting too) and removes the folder, once; false when the stack did not stop cleanly. */
const cleanUp = () =>
  (cleaning ??= (async () => {
    let clean = true;
    const running = await stackStart?.catch(() => undefined);
    await running?.stop().catch((error: unknown) => {
      clean = false;
      process.stderr.write(`\n  ✗ the stack did not stop cleanly: ${String(error)}\n`);
    });
    await rm(folder, { recursive: true, force: true });
    return clean;
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n  ✗ interrupted (${signal}): stopping the stack and removing ${folder}\n`);
    void cleanUp().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

let exitCode = 0;
out("\n  paysign demo: the whole story on a fresh local stack (embedded PostgreSQL, Alipay sandbox, API)");
try {
  const stack = await step("Start a fresh stack in a temporary folder", async () => {
    // Only what the demo chooses: a DATABASE_URL or real Alipay keys in the shell must not reach it.
    const config = loadConfig({
      NODE_ENV: "development",
      LOG_LEVEL: "silent",
      DATA_DIR: folder,
      PORT: String(await freePort()),
      SANDBOX_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
    stackStart = startDevStack(config, createLogger({ level: "silent" }));
    const running = await stackStart;
    detail("folder", folder);
    detail("API", `${running.apiUrl} (worker in process), admin key ${running.adminApiKey}`);
    detail("sandbox", `${running.sandboxUrl} (local Alipay)`);
    detail(
      "database",
      `embedded PostgreSQL, ${running.seededPlans} demo plans, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return running;
  });
  await tellTheStory(stack);
} catch (error) {
  exitCode = 1;
  if (!interrupted) process.stderr.write(`\n  ✗ ${error instanceof StepFailure ? error.message : String(error)}\n`);
} finally {
  if (!(await cleanUp())) exitCode = 1;
}
if (exitCode === 0) {
  out(`  Done in ${((Date.now() - started) / 1000).toFixed(1)} s; the stack is stopped and ${folder} removed.\n`);
} else {
  process.stderr.write(`  The stack is stopped and ${folder} removed.\n\n`);
}
process.exit(exitCode);
