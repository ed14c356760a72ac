import { http, type HttpAnswer, type Json } from "@paysign/test-kit";
import type { FaultInput } from "@paysign/alipay-sandbox";
import type { Stack } from "./stack.ts";

export { http, type HttpAnswer, type Json };

/** Sets a sandbox fault (`POST /sandbox/faults`), failing the test when the sandbox refuses it. */
export async function injectFault(stack: Stack, fault: FaultInput): Promise<void> {
  const answer = await stack.control.addFault({ count: 1, ...fault });
  if (answer.status >= 300) throw new Error(`fault refused: ${answer.text}`);
}

/** A buyer in the sandbox and a session for them in the API, the way the mini program signs in. */
export async function signIn(stack: Stack, balance = "1000.00") {
  const user = await stack.control.createUser({ balance });
  const userId = user.body.userId;
  const code = await stack.control.createAuthCode(userId);
  const session = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.text}`);
  const token = session.body.token as string;
  const as = (path: string, body?: unknown, method?: string) =>
    http(`${stack.api}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body }),
      ...(method ? { method } : {}),
    });
  return { userId, token, customer: session.body.customer as Json, as };
}

export const monthlyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";
export const weeklyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000002";
export const noticePlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000003";

/**
 * Holds back the next notification of `notifyType`: its first delivery is dropped, and on a stack with `timeScale: 1`
 * Alipay's first retry is four real minutes away. `deliverHeld` then sends it, so a test fixes the order of events.
 */
export async function holdNextNotification(stack: Stack, notifyType: string): Promise<void> {
  await injectFault(stack, { method: notifyType, mode: "drop-notify" });
}

/** Delivers the held notification of `notifyType` for `agreementNo`; answers the server's reply body. */
export async function deliverHeld(stack: Stack, notifyType: string, agreementNo: string): Promise<string> {
  await stack.sandbox.settleNotifications();
  const log = (await stack.control.notifications()).body;
  const held = log.find(
    (entry) => entry.notifyType === notifyType && entry.params.agreement_no === agreementNo && !entry.delivered,
  );
  if (!held) throw new Error(`no held ${notifyType} for ${agreementNo}`);
  const sent = await stack.control.redeliverNotification(held.notifyId);
  return sent.body.attempts.at(-1)?.body ?? "";
}
