import { randomBytes, randomInt } from "node:crypto";
import { defined } from "@paysign/test-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FaultInput } from "@paysign/alipay-sandbox";
import { agreementState, waitFor } from "./support/agreement-state.ts";
import { injectFault, monthlyPlanId, signIn } from "./support/customer-client.ts";
import { postNotification, signedNotification } from "./support/forge-notification.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  // Real-time retry schedule: a held (reordered) notification waits a real minute, not a few milliseconds.
  stack = await startStack({ sandbox: { timeScale: 1 } });
});
afterAll(async () => {
  await stack.close();
});

type Customer = Awaited<ReturnType<typeof signIn>>;

async function subscribeAndSign(customer: Customer, fault?: FaultInput) {
  const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
  const id = (created.body.agreement as { id: string }).id;
  if (fault) await injectFault(stack, fault);
  const signed = await stack.control.signAtCenter({
    signStr: created.body.signStr as string,
    userId: customer.userId,
    decision: "confirm",
  });
  expect(signed.body.resultStatus).toBe("7000");
  return id;
}

const inboxRows = (notifyId: string) => stack.database.db.prisma.notificationInbox.findMany({ where: { notifyId } });
const settle = () => stack.sandbox.settleNotifications();

function notifyParams(overrides: Record<string, string>): Record<string, string> {
  return {
    notify_id: randomBytes(17).toString("hex"),
    notify_time: "2026-11-22 10:00:00",
    notify_type: "dut_user_sign",
    app_id: testAppId,
    auth_app_id: testAppId,
    charset: "utf-8",
    version: "1.0",
    status: "NORMAL",
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    ...overrides,
  };
}

describe("Alipay notifications", () => {
  test("a duplicated dut_user_sign is recorded once and makes one transition", async () => {
    const id = await subscribeAndSign(await signIn(stack), { method: "dut_user_sign", mode: "duplicate-notify" });
    await settle();
    const state = await waitFor(
      () => agreementState(stack, id),
      (s) => s.status === "ACTIVE",
    );
    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
    const deliveries = (await stack.control.notifications()).body;
    const delivery = deliveries.find(
      (entry) => entry.params.external_agreement_no === state.agreement.externalAgreementNo,
    );
    expect(delivery?.attempts.map((attempt) => attempt.body)).toEqual(["success", "success"]);
    expect(await inboxRows(defined(delivery, "delivery").notifyId)).toHaveLength(1);
    const outbound = await stack.database.db.prisma.webhookEvent.findMany({ where: { agreementId: id } });
    expect(outbound.map((event) => [event.type, event.sequence])).toEqual([["agreement.activated", 1]]);
  });

  test("an unsign that overtakes its sign (reordered) ends UNSIGNED, and the late sign does not resurrect it", async () => {
    const customer = await signIn(stack);
    const id = await subscribeAndSign(customer, { method: "dut_user_sign", mode: "reorder-notify" });
    const sandboxAgreements = (await stack.control.agreements()).body;
    const external = (await agreementState(stack, id)).agreement.externalAgreementNo;
    const mine = sandboxAgreements.find((entry) => entry.external_agreement_no === external);
    await stack.control.unsignAgreement(defined(mine, "mine").agreement_no);
    await settle();
    const state = await waitFor(
      () => agreementState(stack, id),
      (s) => s.status === "UNSIGNED" && s.events.length === 2,
    );
    await settle();
    expect((await agreementState(stack, id)).events).toEqual(["∅→PENDING CUSTOMER", "PENDING→UNSIGNED NOTIFICATION"]);
    expect(state.status).toBe("UNSIGNED");
    const inbox = await waitFor(
      () =>
        stack.database.db.prisma.notificationInbox.findMany({
          where: { agreementNo: defined(mine, "mine").agreement_no },
        }),
      (rows) => rows.length === 2,
    );
    expect((await agreementState(stack, id)).events).toEqual(["∅→PENDING CUSTOMER", "PENDING→UNSIGNED NOTIFICATION"]);
    expect(inbox.map((row) => `${row.notifyType}:${row.outcome}`).sort()).toEqual([
      "dut_user_sign:NO_CHANGE",
      "dut_user_unsign:APPLIED",
    ]);
  });

  test("a badly signed copy is refused and the genuine one applies once", async () => {
    const id = await subscribeAndSign(await signIn(stack), { method: "dut_user_sign", mode: "bad-sign-notify" });
    await settle();
    const state = await waitFor(
      () => agreementState(stack, id),
      (s) => s.status === "ACTIVE",
    );
    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
    expect(stack.logs.some((line) => line.includes("its signature does not verify"))).toBe(true);
  });

  test("a dut_user_sign replayed after an unsign — redelivered or with a new notify_id — never resurrects", async () => {
    const customer = await signIn(stack);
    const id = await subscribeAndSign(customer);
    await settle();
    const active = await waitFor(
      () => agreementState(stack, id),
      (s) => s.status === "ACTIVE",
    );
    const agreementNo = defined(active.agreementNo, "active.agreementNo");
    await stack.control.unsignAgreement(agreementNo);
    await settle();
    await waitFor(
      () => agreementState(stack, id),
      (s) => s.status === "UNSIGNED",
    );

    const deliveries = (await stack.control.notifications()).body;
    const sign = deliveries.find(
      (entry) => entry.notifyType === "dut_user_sign" && entry.params.agreement_no === agreementNo,
    );
    await stack.control.redeliverNotification(defined(sign, "sign").notifyId);
    await settle();

    const replay = signedNotification(
      { ...defined(sign, "sign").params, notify_id: randomBytes(17).toString("hex") },
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, replay)).toEqual({ status: 200, text: "success" });

    const state = await agreementState(stack, id);
    expect(state.status).toBe("UNSIGNED");
    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION", "ACTIVE→UNSIGNED NOTIFICATION"]);
  });

  /**
   * PENDING agreements, each with a signed dut_user_sign and a dut_user_unsign maker. Each has a customer of its own:
   * two signed agreements of one customer and plan would make all but the first DUPLICATE_OF it (§17.6).
   */
  async function pendingWithNotifications(count: number) {
    const key = stack.sandbox.alipayKeys.privateKey;
    return Promise.all(
      Array.from({ length: count }, async () => {
        const customer = await signIn(stack);
        const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
        const agreement = created.body.agreement as { id: string; externalAgreementNo: string };
        const common = {
          agreement_no: `2024${String(randomInt(2 ** 47)).padStart(16, "0")}`,
          external_agreement_no: agreement.externalAgreementNo,
          alipay_user_id: customer.userId,
        };
        return {
          agreement,
          sign: signedNotification(notifyParams(common), key),
          unsign: () =>
            signedNotification(notifyParams({ ...common, notify_type: "dut_user_unsign", status: "UNSIGN" }), key),
        };
      }),
    );
  }

  async function deliverAllAtOnce(deliveries: Array<Record<string, string>>) {
    const answers = await Promise.all(deliveries.map((params) => postNotification(stack, params)));
    expect(answers.every((answer) => answer.status === 200 && answer.text === "success")).toBe(true);
  }

  test("concurrent copies of a sign and an unsign for one agreement: one inbox row each, a valid chain of transitions, UNSIGNED", async () => {
    const sent = (await pendingWithNotifications(12)).map((item) => ({ ...item, unsign: item.unsign() }));
    await deliverAllAtOnce(sent.flatMap(({ sign, unsign }) => [sign, sign, sign, unsign, unsign, unsign]));

    for (const { agreement, sign, unsign } of sent) {
      const state = await agreementState(stack, agreement.id);
      expect(state.status).toBe("UNSIGNED");
      expect([
        "∅→PENDING CUSTOMER,PENDING→ACTIVE NOTIFICATION,ACTIVE→UNSIGNED NOTIFICATION",
        "∅→PENDING CUSTOMER,PENDING→UNSIGNED NOTIFICATION",
      ]).toContain(state.events.join(","));
      const rows = [
        ...(await inboxRows(defined(sign.notify_id, "sign.notify_id"))),
        ...(await inboxRows(defined(unsign.notify_id, "unsign.notify_id"))),
      ];
      expect(rows).toHaveLength(2);
      const applied = rows.filter((row) => row.outcome === "APPLIED").length;
      expect(applied).toBe(state.events.length - 1);
    }
  });

  test("two different dut_user_unsign for one ACTIVE agreement, with copies, at once: one transition, the other NO_CHANGE", async () => {
    const sent = await pendingWithNotifications(12);
    for (const { sign } of sent) expect(await postNotification(stack, sign)).toEqual({ status: 200, text: "success" });
    const unsigns = sent.map((item) => ({ ...item, first: item.unsign(), second: item.unsign() }));
    await deliverAllAtOnce(unsigns.flatMap(({ first, second }) => [first, second, first, second, first, second]));

    for (const { agreement, first, second } of unsigns) {
      const state = await agreementState(stack, agreement.id);
      expect(state.events).toEqual([
        "∅→PENDING CUSTOMER",
        "PENDING→ACTIVE NOTIFICATION",
        "ACTIVE→UNSIGNED NOTIFICATION",
      ]);
      const outcomes = [
        ...(await inboxRows(defined(first.notify_id, "first.notify_id"))),
        ...(await inboxRows(defined(second.notify_id, "second.notify_id"))),
      ]
        .map((row) => row.outcome)
        .sort();
      expect(outcomes).toEqual(["APPLIED", "NO_CHANGE"]);
    }
  });

  test("a notification whose agreement stays locked past the lock timeout: 500 fail, logged and counted as LOCK_TIMEOUT; applied when delivered again", async () => {
    const [pending] = await pendingWithNotifications(1);
    const { agreement, sign } = defined(pending, "a PENDING agreement");
    const writer = new pg.Client({ connectionString: stack.database.url });
    await writer.connect();
    try {
      // Should the lock timeout ever be lost, the server ends this session instead of every later write waiting on it.
      await writer.query("SET idle_in_transaction_session_timeout = '10s'");
      await writer.query("BEGIN");
      await writer.query(`SELECT 1 FROM "Agreement" WHERE "id" = $1 FOR UPDATE`, [agreement.id]);

      expect(await postNotification(stack, sign)).toEqual({ status: 500, text: "fail" });

      expect(await inboxRows(defined(sign.notify_id, "sign.notify_id"))).toHaveLength(0);
      const warned = stack.logs
        .map((line) => JSON.parse(line) as { level: number; msg: string; notifyId?: string })
        .filter((line) => line.notifyId === sign.notify_id);
      expect(warned.map((line) => [line.level, line.msg.includes("past the lock timeout")])).toEqual([[40, true]]);
      const metrics = await fetch(`${stack.api}/metrics`, {
        headers: { authorization: `Bearer ${stack.config.adminApiKey}` },
      }).then((answer) => answer.text());
      expect(metrics).toMatch(/^paysign_notifications_total\{type="dut_user_sign",outcome="LOCK_TIMEOUT"\} 1$/m);
      expect(metrics).not.toContain('outcome="ERROR"');
    } finally {
      await writer.query("ROLLBACK").finally(() => writer.end());
    }

    expect(await postNotification(stack, sign)).toEqual({ status: 200, text: "success" });
    expect((await agreementState(stack, agreement.id)).status).toBe("ACTIVE");
  });

  test("a notification for another app_id is refused and nothing is recorded", async () => {
    const params = signedNotification(
      notifyParams({ app_id: "2021000000009999", agreement_no: "20240000000000000001" }),
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, params)).toEqual({ status: 400, text: "fail" });
    expect(await inboxRows(defined(params.notify_id, "params.notify_id"))).toHaveLength(0);
  });

  test("a notification signed with another key is refused and nothing is recorded", async () => {
    const { privateKey } = await import("node:crypto").then((crypto) =>
      crypto.generateKeyPairSync("rsa", {
        modulusLength: 2048,
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      }),
    );
    const params = signedNotification(notifyParams({ agreement_no: "20240000000000000002" }), privateKey);
    expect(await postNotification(stack, params)).toEqual({ status: 400, text: "fail" });
    expect(await inboxRows(defined(params.notify_id, "params.notify_id"))).toHaveLength(0);
  });

  test("a verified notification about an unknown agreement is acknowledged and kept for operators", async () => {
    const params = signedNotification(
      notifyParams({ agreement_no: "20240000000000000003", external_agreement_no: "NOSUCHAGREEMENT" }),
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, params)).toEqual({ status: 200, text: "success" });
    const [row] = await inboxRows(defined(params.notify_id, "params.notify_id"));
    expect(row?.outcome).toBe("UNKNOWN_TARGET");
    expect(row?.params).not.toHaveProperty("sign");
  });

  test("a notification naming another Alipay user is recorded as a mismatch and changes nothing", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const agreement = created.body.agreement as { id: string; externalAgreementNo: string };
    const params = signedNotification(
      notifyParams({
        agreement_no: "20240000000000000004",
        external_agreement_no: agreement.externalAgreementNo,
        alipay_user_id: "2088999999999999",
      }),
      stack.sandbox.alipayKeys.privateKey,
    );
    expect(await postNotification(stack, params)).toEqual({ status: 200, text: "success" });
    expect((await inboxRows(defined(params.notify_id, "params.notify_id")))[0]?.outcome).toBe("MISMATCH");
    expect((await agreementState(stack, agreement.id)).status).toBe("PENDING");
  });
});
