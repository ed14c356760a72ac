import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import type { SandboxNotificationView } from "@paysign/alipay-sandbox";
import { agreementHistories, extraTransitions, reportLine } from "./support/histories.ts";
import { runBounded, sleep, waitFor } from "./support/http.ts";
import type { Delivery, Disruption } from "./support/notify-proxy.ts";
import { seededRandom } from "./support/random.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import {
  createPlan,
  genuineAttempts,
  sandboxNotifications,
  signAgreement,
  startStack,
  type Signed,
  type Stack,
  unsignInSandbox,
} from "./support/stack.ts";

// Alipay's whole retry schedule — 8 attempts at 0, +4m, +10m, +10m, +1h, +2h, +6h, +15h — scaled by 1e-4 (8.8 s in
// all), for 100 agreements, through a network that loses the API's acknowledgement after it committed (answers
// `fail`, or cuts the connection), drops deliveries before they arrive, sends them twice at once, delays them, and
// holds a sign back until its unsign has gone through. Every real change must make exactly one transition, and an
// unsigned agreement must stay unsigned whatever arrives late or is replayed.
const AGREEMENTS = 100;
const UNSIGNED = 30;
const REORDERED = 20;
const SEED = 0x9a11;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    name: "notifications",
    sandbox: { timeScale: 0.0001, notifyTimeoutMs: 20_000 },
  });
});
afterAll(async () => {
  await stack?.close();
});

/** Every notification is delivered, or Alipay has made its 8 attempts. */
const settled = (list: SandboxNotificationView[], expected: number) =>
  list.length === expected && list.every((item) => item.delivered || genuineAttempts(item) >= 8);

describe("notifications at scale", () => {
  test("100 agreements through Alipay's full retry schedule with lost acks, drops, duplicates and reorders: one transition per real change", async () => {
    onTestFailed(() => dumpApiLog(stack));
    const random = seededRandom(SEED);
    const reorderedNos = new Set<string>();
    // One notification in ten loses every acknowledgement but the last: it goes through all 8 attempts.
    const exhausted = new Map<string, boolean>();
    // A held sign is released once its unsign has been committed (or after 10 s, whichever is first).
    const releaseSign = (delivery: Delivery) =>
      Promise.race([
        stack.notifyProxy.committedOnce(
          (other) => other.notifyType === "dut_user_unsign" && other.agreementNo === delivery.agreementNo,
        ),
        sleep(10_000),
      ]);
    stack.notifyProxy.setPolicy((delivery): Disruption => {
      const disruption: Disruption = {};
      if (delivery.notifyType === "dut_user_sign" && reorderedNos.has(delivery.agreementNo)) {
        disruption.holdUntil = releaseSign(delivery);
      }
      // Alipay's last attempt (and a replay after it) always reaches the API: a notification that never arrives
      // cannot be applied by anyone.
      const last = delivery.attempt >= 8;
      if (!exhausted.has(delivery.notifyId)) exhausted.set(delivery.notifyId, random.chance(0.1));
      if (exhausted.get(delivery.notifyId) && !last) return { ...disruption, loseAck: "fail" };
      if (!last && random.chance(0.1)) return { ...disruption, drop: true };
      if (random.chance(0.2)) disruption.delayMs = random.int(1, 250);
      if (random.chance(0.15)) disruption.duplicate = true;
      const lose = random.next();
      if (lose < 0.25) disruption.loseAck = "fail";
      else if (lose < 0.35) disruption.loseAck = "reset";
      return disruption;
    });
    // Alipay's own faults on top: forged copies sent first, and duplicates of the first attempt.
    await stack.control.addFault({ method: "dut_user_sign", mode: "bad-sign-notify", count: 10 });
    await stack.control.addFault({ method: "dut_user_unsign", mode: "duplicate-notify", count: 10 });

    const planId = await createPlan(stack, { name: "Weekly, notifications", firstChargeDelayDays: 60 });
    const roles = Array.from({ length: AGREEMENTS }, (_, index) =>
      index < REORDERED ? "reordered" : index < REORDERED + UNSIGNED ? "unsigned" : "signed",
    );
    const signed: Signed[] = await runBounded(roles, 8, async (role) => {
      const agreement = await signAgreement(stack, { planId });
      if (role === "reordered") {
        // The user stops it at once: its dut_user_unsign races the (held) dut_user_sign.
        reorderedNos.add(agreement.agreementNo);
        await unsignInSandbox(stack, agreement.agreementNo);
      }
      return agreement;
    });
    // The others are stopped only once their sign is known to be in.
    await runBounded(
      signed.filter((_, index) => roles[index] === "unsigned"),
      8,
      async (agreement) => {
        const committed = await Promise.race([
          stack.notifyProxy
            .committedOnce(
              (delivery) => delivery.notifyType === "dut_user_sign" && delivery.agreementNo === agreement.agreementNo,
            )
            .then(() => true),
          sleep(30_000).then(() => false),
        ]);
        if (!committed) {
          const mine = (await sandboxNotifications(stack)).filter(
            (item) => item.params.agreement_no === agreement.agreementNo,
          );
          throw new Error(`the sign of ${agreement.agreementNo} was never committed: ${JSON.stringify(mine)}`);
        }
        await unsignInSandbox(stack, agreement.agreementNo);
      },
    );

    const expectedNotifications = AGREEMENTS + UNSIGNED + REORDERED;
    const started = Date.now();
    let notifications = await waitFor({
      what: "every notification delivered or its 8 attempts made",
      probe: () => sandboxNotifications(stack),
      done: (list) => settled(list, expectedNotifications),
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const scheduleSeconds = (Date.now() - started) / 1000;

    // Replay: every sign of an unsigned agreement is delivered again, byte for byte, after its unsign.
    const stopped = signed.filter((_, index) => roles[index] !== "signed");
    const stoppedNos = new Set(stopped.map((agreement) => agreement.agreementNo));
    const replays = notifications.filter(
      (item) => item.notifyType === "dut_user_sign" && stoppedNos.has(item.params.agreement_no ?? ""),
    );
    await runBounded(replays, 8, (item) => stack.control.redeliverNotification(item.notifyId));
    await stack.sandbox.settleNotifications();
    notifications = await sandboxNotifications(stack);

    // The oracle: the order in which the API committed each sign and unsign (first `success` it answered).
    const commitOrder = new Map(stack.notifyProxy.committed.map((notifyId, index) => [notifyId, index]));
    const byAgreement = new Map<string, { sign?: string; unsign?: string }>();
    for (const item of notifications) {
      const entry = byAgreement.get(item.params.agreement_no ?? "") ?? {};
      if (item.notifyType === "dut_user_sign") entry.sign = item.notifyId;
      if (item.notifyType === "dut_user_unsign") entry.unsign = item.notifyId;
      byAgreement.set(item.params.agreement_no ?? "", entry);
    }
    const expectedHistory = (agreement: Signed, index: number): string[] => {
      if (roles[index] === "signed") return ["PENDING", "ACTIVE"];
      const { sign, unsign } = byAgreement.get(agreement.agreementNo) ?? {};
      const signFirst = (commitOrder.get(sign ?? "") ?? Infinity) < (commitOrder.get(unsign ?? "") ?? Infinity);
      return signFirst ? ["PENDING", "ACTIVE", "UNSIGNED"] : ["PENDING", "UNSIGNED"];
    };

    const inbox = await stack.db.prisma.notificationInbox.findMany({ select: { notifyId: true, outcome: true } });
    const inboxIds = new Set(inbox.map((row) => row.notifyId));
    const lost = notifications.filter((item) => !inboxIds.has(item.notifyId)).map((item) => item.notifyId);
    const histories = await agreementHistories(
      stack.db,
      signed.map((agreement) => agreement.agreementId),
    );
    const wrong: string[] = [];
    let double = 0;
    let resurrected = 0;
    signed.forEach((agreement, index) => {
      const history = histories.get(agreement.agreementId);
      const expected = expectedHistory(agreement, index);
      double += extraTransitions(history, expected);
      if (roles[index] !== "signed" && history?.status !== "UNSIGNED") resurrected++;
      if (JSON.stringify(history?.transitions) !== JSON.stringify(expected)) {
        wrong.push(
          `${agreement.agreementId} (${roles[index]}): ${JSON.stringify(history)} ≠ ${JSON.stringify(expected)}`,
        );
      }
    });
    const unsignFirst = stopped.filter(
      (agreement) => expectedHistory(agreement, signed.indexOf(agreement)).length === 2,
    ).length;

    const { stats } = stack.notifyProxy;
    const attempts = notifications.reduce((sum, item) => sum + genuineAttempts(item), 0);
    const gaveUp = notifications.filter((item) => !item.delivered).length;
    const fullSchedule = notifications.filter((item) => genuineAttempts(item) >= 8).length;
    const forged = notifications.reduce(
      (sum, item) => sum + item.attempts.filter((attempt) => attempt.note === "forged").length,
      0,
    );
    const injected =
      stats.acksLostAsFail +
      stats.acksLostAsReset +
      stats.dropped +
      stats.duplicated +
      stats.delayed +
      stats.held +
      forged +
      replays.length;
    reportLine(
      "notifications",
      {
        injected,
        survived: `${notifications.length - lost.length}/${notifications.length}`,
        lost: lost.length,
        double,
      },
      `${AGREEMENTS} agreements, ${notifications.length} notifications in ${attempts} Alipay attempts over ` +
        `${scheduleSeconds.toFixed(1)} s; acks lost ${stats.acksLostAsFail} as fail + ${stats.acksLostAsReset} as reset, ` +
        `dropped ${stats.dropped}, duplicated ${stats.duplicated}, delayed ${stats.delayed}, held for reorder ${stats.held} ` +
        `(${unsignFirst} unsigns overtook their sign), forged ${forged}, replayed ${replays.length}; ` +
        `${fullSchedule} went through all 8 attempts, ${gaveUp} given up by Alipay yet applied; ` +
        `resurrected ${resurrected}`,
    );
    expect(lost).toEqual([]);
    expect(wrong).toEqual([]);
    expect(double).toBe(0);
    expect(resurrected).toBe(0);
    expect(inbox).toHaveLength(notifications.length);
    // The scenario did what it says: every kind of fault happened.
    expect(stats.acksLostAsFail).toBeGreaterThan(0);
    expect(stats.acksLostAsReset).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.duplicated).toBeGreaterThan(0);
    expect(forged).toBe(10);
    expect(unsignFirst).toBeGreaterThan(0);
    expect(fullSchedule).toBeGreaterThan(0);
  });

  test("the API's logs of this scenario hold no secret", async () => {
    await sandboxNotifications(stack);
    assertLogsClean(stack);
  });
});
