import { randomBytes } from "node:crypto";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import { agreementHistories, extraTransitions, reportLine } from "./support/histories.ts";
import { http, runBounded, sleep, waitFor, type HttpAnswer } from "./support/http.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import {
  confirmInSandbox,
  createPlan,
  requestAgreement,
  sandboxNotifications,
  sandboxTrades,
  setClock,
  signAgreement,
  signIn,
  startStack,
  unsignInSandbox,
  type Customer,
  type Stack,
} from "./support/stack.ts";

// PostgreSQL is stopped (fast shutdown: every connection cut) for a few seconds while customers list, read and
// create agreements (each creation retried with its Idempotency-Key until it succeeds), sign in, Alipay delivers
// dut_user_sign and dut_user_unsign notifications (retries scaled by 1e-3), and a prober reads /readyz. Then it is
// started again on the same data folder and port, and nobody touches the API.
const OUTAGE_MS = 4_000;
const CREATORS = 20;
const SIGNING = 20;
const UNSIGNING = 10;
const CHARGED = 10;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    name: "outage",
    sandbox: { timeScale: 0.001, notifyTimeoutMs: 10_000 },
    env: { DEDUCTION_LEAD_DAYS: "3" },
  });
});
afterAll(async () => {
  await stack?.close();
});

const shanghai = (date: string, time = "10:00:00") => `${date}T${time}+08:00`;

type Observed = { at: number; route: string; answer: HttpAnswer };

/** A 503 with the contracts' error body (SERVICE_UNAVAILABLE, a message, the request id). */
const isUnavailableBody = (answer: HttpAnswer) => {
  const error = answer.body.error as { code?: unknown; message?: unknown; requestId?: unknown } | undefined;
  return (
    answer.status === 503 &&
    answer.contentType.startsWith("application/json") &&
    error?.code === "SERVICE_UNAVAILABLE" &&
    typeof error.message === "string" &&
    typeof error.requestId === "string"
  );
};

describe("PostgreSQL unavailable for a few seconds under load", () => {
  test("/readyz fails, notify answers non-success, customer routes answer 503 with the error body; all recovers with no help and no loss", async () => {
    onTestFailed(() => dumpApiLog(stack, 120));
    await setClock(stack, shanghai("2029-05-01"));
    const planId = await createPlan(stack, { name: "Weekly, outage", firstChargeDelayDays: 7 });
    const laterPlanId = await createPlan(stack, { name: "Weekly, later", firstChargeDelayDays: 30 });
    const charged = await runBounded(Array.from({ length: CHARGED }), 5, () =>
      signAgreement(stack, { planId, report: true }),
    );
    const toUnsign = await runBounded(Array.from({ length: UNSIGNING }), 5, () =>
      signAgreement(stack, { planId: laterPlanId, report: true }),
    );
    const toSign = await runBounded(Array.from({ length: SIGNING }), 5, () =>
      requestAgreement(stack, { planId: laterPlanId }),
    );
    const creators: Customer[] = await runBounded(Array.from({ length: CREATORS }), 5, () => signIn(stack));
    const reader = creators[0] as Customer;
    const someAgreement = charged[0]?.agreementId ?? "";
    await stack.sandbox.settleNotifications();

    const observed: Observed[] = [];
    const record = (route: string, answer: HttpAnswer) => observed.push({ at: Date.now(), route, answer });
    let loadRunning = true;
    const readiness: Array<{ at: number; status: number }> = [];
    const prober = (async () => {
      while (loadRunning) {
        readiness.push({
          at: Date.now(),
          status: (await http(`${stack.api.url}/readyz`, { timeoutMs: 5_000 })).status,
        });
        await sleep(100);
      }
    })();
    const readers = (async () => {
      while (loadRunning) {
        record("listAgreements", await reader.as("/api/v1/agreements"));
        record(
          "getAgreement",
          await defined(charged[0], "charged[0]").customer.as(`/api/v1/agreements/${someAgreement}`),
        );
        record("listPlans", await http(`${stack.api.url}/api/v1/plans`));
        await sleep(50);
      }
    })();
    // Each customer creates one agreement, retrying with the same Idempotency-Key until it is answered 201.
    const creations = creators.map(async (customer, index) => {
      await sleep(index * 250);
      const key = randomBytes(8).toString("hex");
      for (let attempt = 0; attempt < 200; attempt++) {
        const answer = await customer.as("/api/v1/agreements", { planId: laterPlanId }, { "idempotency-key": key });
        record("createAgreement", answer);
        if (answer.status === 201) {
          stack.rememberSecret("signStr", answer.body.signStr);
          return { customer, agreementId: (answer.body.agreement as { id: string }).id, attempts: attempt + 1 };
        }
        await sleep(200);
      }
      throw new Error("an agreement creation never succeeded");
    });
    // Sign-ins: an auth code works once (Alipay), so a sign-in refused by the outage starts over with a new one.
    const signIns = (async () => {
      for (let index = 0; index < 6; index++) {
        const user = await stack.control.createUser();
        for (let attempt = 0; attempt < 100; attempt++) {
          const code = await stack.control.createAuthCode(user.body.userId);
          stack.rememberSecret("auth code", code.body.authCode);
          const answer = await http(`${stack.api.url}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
          record("createSession", answer);
          stack.rememberSecret("session token", answer.body.token);
          if (answer.status === 201) break;
          await sleep(300);
        }
        await sleep(800);
      }
    })();

    await sleep(1_000);
    const outageStart = Date.now();
    await stack.cluster.stop();
    // While the database is down, Alipay notifies signs and unsigns.
    const signed = await runBounded(toSign, 4, (requested) => confirmInSandbox(stack, requested));
    for (const agreement of toUnsign) await unsignInSandbox(stack, agreement.agreementNo);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    await stack.cluster.start();
    const outageEnd = Date.now();

    const firstReady = await waitFor({
      what: "/readyz answers 200 again",
      probe: () => Promise.resolve(readiness.find((probe) => probe.at > outageEnd && probe.status === 200)),
      done: (probe) => probe !== undefined,
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const created = await Promise.all(creations);
    await signIns;
    const notifications = await waitFor({
      what: "every notification delivered",
      probe: () => sandboxNotifications(stack),
      done: (list) => list.every((item) => item.delivered),
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    loadRunning = false;
    await Promise.all([prober, readers]);

    // After the outage, the jobs run again by themselves: the charged agreements' first period comes due.
    await setClock(stack, shanghai("2029-05-05"));
    const chargeIds = charged.map((agreement) => agreement.agreementId);
    const paid = await waitFor({
      what: "the scheduler charges by itself after the outage",
      probe: () => stack.db.prisma.charge.count({ where: { agreementId: { in: chargeIds }, status: "SUCCEEDED" } }),
      done: (count) => count === CHARGED,
      timeoutMs: 30_000,
      intervalMs: 250,
    });

    // What callers saw while the database was down.
    const during = observed.filter((item) => item.answer.status !== 200 && item.answer.status !== 201);
    const notUnavailable = during.filter((item) => !isUnavailableBody(item.answer));
    const unavailable = during.length - notUnavailable.length;
    const readyFailures = readiness.filter((probe) => probe.status === 503).length;
    const notifyFailures = notifications.flatMap((item) =>
      item.attempts.filter((attempt) => attempt.body !== "success"),
    );

    // No loss, nothing twice.
    const inbox = await stack.db.prisma.notificationInbox.findMany({ select: { notifyId: true } });
    const inboxIds = new Set(inbox.map((row) => row.notifyId));
    const lostNotifications = notifications.filter((item) => !inboxIds.has(item.notifyId)).length;
    const perCreator = await Promise.all(
      created.map(({ customer }) =>
        stack.db.prisma.agreement.count({ where: { customer: { alipayUserId: customer.userId } } }),
      ),
    );
    const lostCreations = perCreator.filter((count) => count === 0).length;
    const doubleCreations = perCreator.reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const histories = await agreementHistories(stack.db, [
      ...signed.map((a) => a.agreementId),
      ...toUnsign.map((a) => a.agreementId),
    ]);
    const unsignedIds = new Set(toUnsign.map((a) => a.agreementId));
    const wrong: string[] = [];
    let double = doubleCreations;
    for (const [id, history] of histories) {
      const expected = unsignedIds.has(id) ? ["PENDING", "ACTIVE", "UNSIGNED"] : ["PENDING", "ACTIVE"];
      double += extraTransitions(history, expected);
      if (JSON.stringify(history.transitions) !== JSON.stringify(expected))
        wrong.push(`${id}: ${JSON.stringify(history)}`);
    }
    const trades = (await sandboxTrades(stack)).filter((trade) => trade.trade_status === "TRADE_SUCCESS");
    double += trades.length - new Set(trades.map((trade) => trade.agreement_no)).size;

    const routes = [...new Set(during.map((item) => item.route))].sort();
    reportLine(
      "outage",
      {
        injected: 1 + notifyFailures.length + unavailable,
        survived: `${notifications.length - lostNotifications}/${notifications.length} notifications, ${CREATORS - lostCreations}/${CREATORS} creations, ${paid}/${CHARGED} charges`,
        lost: lostNotifications + lostCreations + (CHARGED - paid),
        double,
      },
      `PostgreSQL down ${((outageEnd - outageStart) / 1000).toFixed(1)} s; /readyz 503 ×${readyFailures}, ready again ` +
        `${((defined(firstReady, "firstReady").at - outageEnd) / 1000).toFixed(1)} s after the restart; ${notifyFailures.length} notify ` +
        `attempts answered non-success (${[...new Set(notifyFailures.map((a) => `${a.httpStatus} ${a.body}`))].join(", ")}); ` +
        `${unavailable} customer answers 503 SERVICE_UNAVAILABLE with the error body on ${routes.join(", ")}, ` +
        `${notUnavailable.length} other; creations took at most ${Math.max(...created.map((c) => c.attempts))} tries`,
    );
    expect(
      notUnavailable.map((item) => `${item.route}: ${item.answer.status} ${item.answer.text.slice(0, 200)}`),
    ).toEqual([]);
    expect(readyFailures).toBeGreaterThan(0);
    expect(unavailable).toBeGreaterThan(0);
    expect(notifyFailures.length).toBeGreaterThan(0);
    expect(notifyFailures.every((attempt) => attempt.body !== "success")).toBe(true);
    expect(lostNotifications).toBe(0);
    expect(lostCreations).toBe(0);
    expect(wrong).toEqual([]);
    expect(double).toBe(0);
    expect(paid).toBe(CHARGED);
  });

  test("the API's logs of this scenario hold no secret", async () => {
    await sandboxNotifications(stack);
    assertLogsClean(stack);
  });
});
