import { createSandboxControl, type SandboxControl } from "@paysign/alipay-sandbox";
import { http, type HttpAnswer, type Json } from "@paysign/test-kit";
import type { BenchStack } from "./stack.ts";

export type { Json };
export type Answer = HttpAnswer;

export async function expectStatus<A extends { status: number; text: string } = Answer>(
  answer: Promise<A>,
  status: number,
  what: string,
): Promise<A> {
  const settled = await answer;
  if (settled.status !== status) throw new Error(`${what} answered ${settled.status}: ${settled.text.slice(0, 300)}`);
  return settled;
}

/** The sandbox's control API of the stack. */
export const sandbox = (stack: BenchStack): SandboxControl => createSandboxControl(stack.sandboxUrl);

export const admin = (stack: BenchStack, path: string, body?: unknown) =>
  http(`${stack.apiUrl}${path}`, {
    headers: { "x-admin-key": stack.adminApiKey },
    ...(body === undefined ? {} : { body }),
  });

export type Customer = { userId: string; token: string; customerId: string };

/** A sandbox buyer signed in to the API the way the mini program does (auth code → session). */
export async function signIn(stack: BenchStack, balance = "100000.00"): Promise<Customer> {
  const user = await expectStatus(sandbox(stack).createUser({ balance }), 200, "POST /sandbox/users");
  const userId = user.body.userId;
  const code = await sandbox(stack).createAuthCode(userId);
  const session = await expectStatus(
    http(`${stack.apiUrl}/api/v1/sessions`, { body: { authCode: code.body.authCode } }),
    201,
    "POST /api/v1/sessions",
  );
  return { userId, token: session.body.token as string, customerId: (session.body.customer as Json).id as string };
}

export const asCustomer = (stack: BenchStack, customer: Customer, request: { path: string; body?: unknown }) =>
  http(`${stack.apiUrl}${request.path}`, {
    headers: { authorization: `Bearer ${customer.token}` },
    ...(request.body === undefined ? {} : { body: request.body }),
  });

/** The seeded demo plan "Monthly membership" (19.90 a month, first charge on the signing day, DIRECT). */
export const monthlyPlanId = "6f1c4a52-0d3b-4c1e-9a53-000000000001";

/** Runs `task` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapConcurrent<T, R>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
