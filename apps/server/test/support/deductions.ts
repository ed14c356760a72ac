import type { SandboxTradeView } from "@paysign/alipay-sandbox";
import { http, signIn, type HttpAnswer, type Json } from "./customer-client.ts";
import type { Stack } from "./stack.ts";

// Helpers for the deduction tests: admin calls, sandbox clock and records, and agreements signed for real.

export const admin = (stack: Stack, path: string, body?: unknown): Promise<HttpAnswer> =>
  http(`${stack.api}${path}`, {
    headers: { "x-admin-key": stack.config.adminApiKey },
    ...(body === undefined ? {} : { body }),
  });

/** Sets the sandbox's simulated time (the server's clock follows it). `at` is ISO 8601 with an offset. */
export async function setClock(stack: Stack, at: string): Promise<void> {
  const answer = await stack.control.setClock(at);
  if (answer.status !== 200) throw new Error(`clock move failed: ${answer.text}`);
}

/** 10:00 in Shanghai on a calendar day. */
export const shanghai = (date: string, time = "10:00:00") => `${date}T${time}+08:00`;

export async function sandboxTrades(stack: Stack): Promise<SandboxTradeView[]> {
  return (await stack.control.trades()).body;
}

/** The next deduction date Alipay (the sandbox) has for an agreement, `yyyy-MM-dd`. */
export async function sandboxDeductDate(stack: Stack, agreementNo: string): Promise<string | null | undefined> {
  const agreements = (await stack.control.agreements()).body;
  return agreements.find((agreement) => agreement.agreement_no === agreementNo)?.next_deduct_date;
}

/** A monthly plan whose first charge is a week after signing: signed on the 1st, D is the 8th. */
export const monthlyAfterAWeek: Json = {
  name: "Monthly, first charge after a week",
  periodType: "MONTH",
  period: 1,
  singleAmount: "19.90",
  firstChargeDelayDays: 7,
};

export async function createPlan(stack: Stack, plan: Json): Promise<string> {
  const answer = await admin(stack, "/admin/v1/plans", {
    productCode: "GENERAL_WITHHOLDING",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    ...plan,
  });
  if (answer.status !== 201) throw new Error(`plan refused: ${answer.text}`);
  return answer.body.id as string;
}

/** A customer signs the plan in the sandbox and reports 7000 with the verified result: the agreement is ACTIVE. */
/**
 * A customer signs the plan and reports the verified result. `notificationFirst`: Alipay's dut_user_sign is delivered
 * before the report (otherwise the two race, and either may be the one that activates the agreement).
 */
export async function signActiveAgreement(
  stack: Stack,
  options: { planId: string; balance?: string; notificationFirst?: boolean },
) {
  const customer = await signIn(stack, options.balance ?? "1000.00");
  const created = await customer.as("/api/v1/agreements", { planId: options.planId });
  if (created.status !== 201) throw new Error(`agreement refused: ${created.text}`);
  const agreementId = (created.body.agreement as Json).id as string;
  const signed = await stack.control.signAtCenter({
    signStr: created.body.signStr as string,
    userId: customer.userId,
    decision: "confirm",
  });
  if (options.notificationFirst) await stack.sandbox.settleNotifications();
  const reported = await customer.as(`/api/v1/agreements/${agreementId}/sign-result`, {
    resultStatus: signed.body.resultStatus,
    result: signed.body.result,
  });
  const agreement = reported.body.agreement as Json | undefined;
  if (agreement?.status !== "ACTIVE") throw new Error(`agreement not active: ${reported.text}`);
  return {
    agreementId,
    agreementNo: agreement.agreementNo as string,
    executeTime: agreement.executeTime as string,
    userId: customer.userId,
    customer,
  };
}

export async function setBalance(stack: Stack, userId: string, balance: string): Promise<void> {
  const answer = await stack.control.setBalance(userId, balance);
  if (answer.status !== 200) throw new Error(`balance refused: ${answer.text}`);
}

/** One scheduler tick, its charges run before the answer. */
export async function runScheduler(stack: Stack) {
  const answer = await admin(stack, "/admin/v1/scheduler/run", { wait: true });
  if (answer.status !== 200) throw new Error(`scheduler run failed: ${answer.text}`);
  return answer.body as { enqueued: number; results: Array<{ agreementId: string; dueDate: string; status: string }> };
}

export async function agreementDetail(stack: Stack, agreementId: string) {
  const answer = await admin(stack, `/admin/v1/agreements/${agreementId}`);
  if (answer.status !== 200) throw new Error(`agreement read failed: ${answer.text}`);
  return answer.body as Json & {
    status: string;
    nextDeductDate: string | null;
    paymentsCount: number;
    paidTotal: string;
    charges: Array<Json & { dueDate: string; status: string; tradeNo: string | null; attempts: Json[] }>;
  };
}

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
