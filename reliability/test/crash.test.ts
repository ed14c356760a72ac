import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import { startGatewayProxy, type GatewayProxy } from "./support/gateway-proxy.ts";
import { agreementHistories, extraTransitions, reportLine } from "./support/histories.ts";
import { runBounded, sleep, waitFor } from "./support/http.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import {
  confirmInSandbox,
  createPlan,
  genuineAttempts,
  requestAgreement,
  sandboxNotifications,
  sandboxTrades,
  setClock,
  signAgreement,
  startStack,
  unsignInSandbox,
  type Signed,
  type Stack,
} from "./support/stack.ts";

// The API process is killed with SIGKILL while trade.pay calls are in flight (some reached Alipay and charged, some
// never left) and while Alipay is delivering dut_user_sign notifications; the users stop some agreements while it is
// down. It is started again on the same port. Alipay redelivers on its schedule (scaled by 1e-3); the charge engine
// reconciles every attempt left PROCESSING once its in-flight time (SDK timeout + 30 s) has passed.
const CHARGED = 24;
const SIGNING = 30;
const UNSIGNED_WHILE_DOWN = 10;

let stack: Stack;
let gateway: GatewayProxy;
beforeAll(async () => {
  stack = await startStack({
    name: "crash",
    sandbox: { timeScale: 0.001, notifyTimeoutMs: 10_000 },
    env: { DEDUCTION_LEAD_DAYS: "3" },
    gateway: async (target) => (gateway = await startGatewayProxy(target)),
  });
});
afterAll(async () => {
  await stack?.close();
});

const shanghai = (date: string, time = "10:00:00") => `${date}T${time}+08:00`;

describe("the API killed mid-flight", () => {
  test("SIGKILL while charges and notifications are in flight, restart: every notification applied once, no period charged twice, none left unsettled", async () => {
    onTestFailed(() => dumpApiLog(stack, 120));
    await setClock(stack, shanghai("2029-03-01"));
    const planId = await createPlan(stack, { name: "Weekly, crash", firstChargeDelayDays: 7, singleAmount: "5.00" });
    const laterPlanId = await createPlan(stack, { name: "Weekly, later", firstChargeDelayDays: 30 });
    // Charged: ACTIVE at once (verified 7000 result); their first date D is 2029-03-08, due from 03-05 (lead 3).
    const charged = await runBounded(Array.from({ length: CHARGED }), 6, () =>
      signAgreement(stack, { planId, report: true }),
    );
    // Signing: PENDING with their signStr; they are confirmed in Alipay around the crash, nothing reported.
    const pending = await runBounded(Array.from({ length: SIGNING }), 6, () =>
      requestAgreement(stack, { planId: laterPlanId }),
    );
    await stack.sandbox.settleNotifications();

    // Every other trade.pay reaches Alipay and its answer is lost; the others never leave.
    let payCalls = 0;
    gateway.setPolicy((method) => {
      if (method !== "alipay.trade.pay") return "pass";
      payCalls++;
      return payCalls % 2 === 1 ? "hold-after" : "hold-before";
    });
    await setClock(stack, shanghai("2029-03-05"));
    await waitFor({
      what: "a trade.pay call in flight",
      probe: () => Promise.resolve(gateway.held()),
      done: (held) => held >= 1,
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    // Users confirm in Alipay while the charges run: the kill lands among their dut_user_sign deliveries.
    let confirmed = 0;
    const signing = runBounded(pending, 2, async (requested) => {
      const signed = await confirmInSandbox(stack, requested);
      confirmed++;
      return signed;
    });
    await waitFor({
      what: "trade.pay calls and signings in flight",
      probe: () => Promise.resolve({ held: gateway.held(), confirmed }),
      done: (state) => state.held >= 3 && state.confirmed >= 8,
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    await stack.api.crash();
    const confirmedAtCrash = confirmed;
    const atCrash = await stack.db.prisma.chargeAttempt.groupBy({ by: ["status"], _count: true });
    const inFlightAtCrash = atCrash.find((row) => row.status === "PROCESSING")?._count ?? 0;
    const signed: Signed[] = await signing;
    // While the API is down, users stop some agreements: Alipay's dut_user_unsign finds nobody.
    const stopped = signed.slice(0, UNSIGNED_WHILE_DOWN);
    for (const agreement of stopped) await unsignInSandbox(stack, agreement.agreementNo);
    await sleep(500);
    gateway.setPolicy(() => "pass");
    const restartedAt = Date.now();
    await stack.api.restart();
    const downSeconds = (Date.now() - restartedAt) / 1000;

    const notifications = await waitFor({
      what: "every notification delivered after the restart",
      probe: () => sandboxNotifications(stack),
      done: (list) => list.every((item) => item.delivered),
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const chargeIds = charged.map((agreement) => agreement.agreementId);
    // Jobs the dead process had fetched stay `active` in pg-boss until they expire (see RELIABILITY.md, open
    // findings): with the exclusive singleton policies they keep new ticks, charges and reconciles of the same key out.
    const staleJobs = await stack.db.prisma.$queryRaw<Array<{ name: string; count: bigint }>>`
      SELECT name, count(*) AS count FROM pgboss.job WHERE state = 'active' GROUP BY name ORDER BY name`;
    const stale = Object.fromEntries(staleJobs.map((row) => [row.name, Number(row.count)]));
    // The API's own jobs reconcile every attempt left PROCESSING once its in-flight time (SDK timeout + 30 s) has
    // passed, and charge what is still due: the dead process's jobs carry heartbeats, so they are failed within
    // seconds instead of blocking their singleton keys until they expire. No operator action is needed.
    const inFlightUntil = await stack.db.prisma.chargeAttempt.aggregate({
      where: { status: { in: ["PROCESSING", "UNKNOWN"] } },
      _max: { inFlightUntil: true },
    });
    const openCount = () =>
      stack.db.prisma.chargeAttempt.count({ where: { status: { in: ["PROCESSING", "UNKNOWN"] } } });
    const backgroundDeadline = (inFlightUntil._max.inFlightUntil?.getTime() ?? Date.now()) + 8_000;
    const paidCount = () =>
      stack.db.prisma.charge.count({ where: { agreementId: { in: chargeIds }, status: "SUCCEEDED" } });
    await waitFor({
      what: "the API's jobs reconcile the attempts left in flight and charge every period",
      probe: async () => ({
        open: await openCount(),
        paid: await paidCount(),
        late: Date.now() > backgroundDeadline + 30_000,
      }),
      done: (state) => (state.open === 0 && state.paid === CHARGED) || state.late,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    const openAfterBackground = await openCount();
    const paidWithoutHelp = await paidCount();
    expect(openAfterBackground, "attempts left in flight without an operator").toBe(0);
    expect(paidWithoutHelp, "periods charged without an operator").toBe(CHARGED);
    let schedulerRuns = 0;
    await waitFor({
      what: "every period charged",
      probe: async () => {
        schedulerRuns++;
        const run = await stack.admin("/admin/v1/scheduler/run", { wait: true });
        if (run.status !== 200) throw new Error(`scheduler run failed: ${run.text}`);
        return stack.db.prisma.charge.count({ where: { agreementId: { in: chargeIds }, status: "SUCCEEDED" } });
      },
      done: (paid) => paid === CHARGED,
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    expect(await openCount()).toBe(0);
    const reconcileSeconds = (Date.now() - restartedAt) / 1000;
    await stack.sandbox.settleNotifications();

    // Notifications: each recorded once; each agreement moved once per real change.
    const inbox = await stack.db.prisma.notificationInbox.findMany({ select: { notifyId: true } });
    const inboxIds = new Set(inbox.map((row) => row.notifyId));
    const final = await sandboxNotifications(stack);
    const lostNotifications = final.filter((item) => !inboxIds.has(item.notifyId)).length;
    const crashedDeliveries = final.filter((item) => item.attempts.some((attempt) => attempt.body !== "success"));
    const histories = await agreementHistories(stack.db, [...chargeIds, ...signed.map((a) => a.agreementId)]);
    const stoppedIds = new Set(stopped.map((a) => a.agreementId));
    const wrong: string[] = [];
    let double = 0;
    for (const [id, history] of histories) {
      const expected = stoppedIds.has(id)
        ? history.transitions.includes("ACTIVE")
          ? ["PENDING", "ACTIVE", "UNSIGNED"]
          : ["PENDING", "UNSIGNED"]
        : ["PENDING", "ACTIVE"];
      double += extraTransitions(history, expected);
      if (JSON.stringify(history.transitions) !== JSON.stringify(expected)) {
        wrong.push(`${id}: ${JSON.stringify(history)} ≠ ${JSON.stringify(expected)}`);
      }
    }

    // Charges: one paid trade per agreement for D, and it is the charge's trade.
    const trades = (await sandboxTrades(stack)).filter((trade) => trade.trade_status === "TRADE_SUCCESS");
    const perAgreement = new Map<string, number>();
    for (const trade of trades) perAgreement.set(trade.agreement_no, (perAgreement.get(trade.agreement_no) ?? 0) + 1);
    const doubleCharged = [...perAgreement.values()].filter((count) => count > 1).length;
    const charges = await stack.db.prisma.charge.findMany({ where: { agreementId: { in: chargeIds } } });
    const unpaid = charged.filter((agreement) => (perAgreement.get(agreement.agreementNo) ?? 0) === 0).length;
    const attempts = await stack.db.prisma.chargeAttempt.groupBy({ by: ["status"], _count: true });

    reportLine(
      "crash",
      {
        injected: 1 + inFlightAtCrash + crashedDeliveries.length + UNSIGNED_WHILE_DOWN,
        survived: `${final.length - lostNotifications}/${final.length} notifications, ${CHARGED - unpaid}/${CHARGED} periods`,
        lost: lostNotifications + unpaid,
        double: double + doubleCharged,
      },
      `SIGKILL with ${inFlightAtCrash} trade.pay attempts PROCESSING (${gateway.stats.heldAfter} answers lost after ` +
        `Alipay charged, ${gateway.stats.heldBefore} calls that never arrived), ${confirmedAtCrash}/${SIGNING} ` +
        `signed in Alipay before the kill, the rest while down; ${crashedDeliveries.length} notifications needed redelivery; ` +
        `${UNSIGNED_WHILE_DOWN} unsigned while down; restart ${downSeconds.toFixed(1)} s; all settled ` +
        `${reconcileSeconds.toFixed(1)} s after the restart; ${paidWithoutHelp}/${CHARGED} paid without help, the ` +
        `rest after ${schedulerRuns} scheduler run(s); ${openAfterBackground} attempts still in flight after the ` +
        `API's own jobs had their chance; jobs of the dead process still active in pg-boss ${JSON.stringify(stale)}; attempts ${JSON.stringify(
          Object.fromEntries(attempts.map((row) => [row.status, row._count])),
        )}; ${Math.max(...final.map(genuineAttempts))} attempts at most for one notification`,
    );
    expect(notifications.every((item) => item.delivered)).toBe(true);
    expect(lostNotifications).toBe(0);
    expect(wrong).toEqual([]);
    expect(double).toBe(0);
    expect(doubleCharged).toBe(0);
    expect(unpaid).toBe(0);
    expect(trades).toHaveLength(CHARGED);
    expect(charges.map((charge) => charge.tradeNo).sort()).toEqual(trades.map((trade) => trade.trade_no).sort());
    expect(charges.every((charge) => charge.status === "SUCCEEDED")).toBe(true);
    // The crash did hit work in flight.
    expect(inFlightAtCrash).toBeGreaterThan(0);
    expect(crashedDeliveries.length).toBeGreaterThan(0);
  });

  test("the API's logs of this scenario hold no secret", async () => {
    await sandboxNotifications(stack);
    assertLogsClean(stack);
  });
});
