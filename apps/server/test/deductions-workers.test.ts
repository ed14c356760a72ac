import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { defined } from "@paysign/test-kit";
import { addDays, calendarDateToUtcMidnight } from "@paysign/contracts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  admin,
  createPlan,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
  waitFor,
} from "./support/deductions.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";

// Two real worker processes (`src/worker.ts`, what `pnpm --filter @paysign/server worker` runs) on one database and
// one sandbox, each ticking the scheduler every second and running charge jobs four at a time, while this process
// also runs the scheduler inline (POST /admin/v1/scheduler/run {wait:true}) against the same due agreements. The
// pg-boss singleton jobs, the agreement row locks and the unique (agreement, due date) must keep every period to one
// charge and one trade.
const AGREEMENTS = 24;
const PERIODS = 3;
let stack: Stack;
const workers: Array<{ child: ChildProcess; lines: string[] }> = [];

beforeAll(async () => {
  // Production's default gateway timeout (10 s), not the test stacks' 3 s: under a full parallel test run a call can
  // take seconds, and how a timed-out call is recovered is what the deductions fault tests check, not this file.
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3" }, alipayTimeoutMs: 10_000 });
});
afterAll(async () => {
  for (const { child } of workers) {
    if (child.exitCode === null) child.kill("SIGTERM");
  }
  await Promise.all(
    workers.map(({ child }) =>
      child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve(),
    ),
  );
  await stack.close();
});

function startWorker(): { child: ChildProcess; lines: string[] } {
  const alipay = defined(stack.config.alipay, "stack.config.alipay");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@paysign/source", path.join(import.meta.dirname, "../src/worker.ts")],
    {
      cwd: path.join(import.meta.dirname, ".."),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        LOG_LEVEL: "info",
        DATABASE_URL: stack.database.url,
        DATABASE_POOL_SIZE: "6",
        SANDBOX_URL: stack.sandbox.url,
        ALIPAY_APP_ID: testAppId,
        ALIPAY_PRIVATE_KEY: alipay.privateKey.pkcs8Pem,
        ALIPAY_PUBLIC_KEY: stack.sandbox.alipayPublicKey,
        ALIPAY_GATEWAY: stack.sandbox.gatewayUrl,
        ALIPAY_NOTIFY_URL: `${stack.api}/alipay/notify`,
        DEDUCTION_LEAD_DAYS: "3",
        SCHEDULER_INTERVAL_SECONDS: "1",
        FOLLOW_UP_INTERVAL_SECONDS: "60",
        JOBS_POLLING_INTERVAL_SECONDS: "0.5",
        JOBS_BATCH_SIZE: "2",
        JOBS_CONCURRENCY: "4",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  let rest = "";
  const collect = (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return { child, lines };
}

/**
 * The period's charges so far: how many SUCCEEDED, and for a wait that times out, every other charge with its attempts,
 * the agreements without a charge, and the workers' last warnings and errors.
 */
async function periodProgress(dueDate: string) {
  const charges = await stack.database.db.prisma.charge.findMany({
    where: { dueDate: calendarDateToUtcMidnight(dueDate) },
    include: { attempts: { select: { status: true, subCode: true } } },
  });
  const charged = new Set(charges.map((charge) => charge.agreementId));
  const uncharged = await stack.database.db.prisma.agreement.findMany({
    where: { id: { notIn: [...charged] } },
    select: { id: true, status: true, nextDeductDate: true, nextSweepAt: true },
  });
  return {
    succeeded: charges.filter((charge) => charge.status === "SUCCEEDED").length,
    others: charges
      .filter((charge) => charge.status !== "SUCCEEDED")
      .map(({ agreementId, status, failureCode, nextAttemptAt, attempts }) => ({
        agreementId,
        status,
        failureCode,
        nextAttemptAt,
        attempts,
      })),
    uncharged,
    workerWarnings: workers.flatMap(({ lines }) => lines.filter((line) => /"level":(40|50|60)/.test(line)).slice(-10)),
  };
}

describe("two worker processes", () => {
  test("the same due agreements are charged once per period, never twice", async () => {
    const planId = await createPlan(stack, {
      name: "Weekly, for two workers",
      periodType: "DAY",
      period: 7,
      singleAmount: "5.00",
    });
    await setClock(stack, shanghai("2028-11-01", "08:00:00"));
    const agreements = [];
    for (let i = 0; i < AGREEMENTS; i++) agreements.push(await signActiveAgreement(stack, { planId }));
    workers.push(startWorker(), startWorker());
    await waitFor(
      () => Promise.resolve(workers.map(({ lines }) => lines.some((line) => line.includes("worker running")))),
      (ready) => ready.every(Boolean),
      60_000,
    );

    for (let period = 0; period < PERIODS; period++) {
      const dueDate = addDays("2028-11-01", 7 * period);
      await setClock(stack, shanghai(period === 0 ? "2028-11-01" : addDays(dueDate, -3)));
      const inline = admin(stack, "/admin/v1/scheduler/run", { wait: true });
      const paid = await waitFor(
        () => periodProgress(dueDate),
        (progress) => progress.succeeded === AGREEMENTS,
        60_000,
      );
      expect(paid.succeeded).toBe(AGREEMENTS);
      expect((await inline).status).toBe(200);
    }
    await stack.sandbox.settleNotifications();

    const trades = (await sandboxTrades(stack)).filter((t) => t.trade_status === "TRADE_SUCCESS");
    const charges = await stack.database.db.prisma.charge.findMany({ include: { attempts: true } });
    const attempts = charges.flatMap((c) => c.attempts);
    const perPeriod = new Map<string, number>();
    for (const trade of trades) {
      const attempt = attempts.find((a) => a.outTradeNo === trade.out_trade_no);
      const charge = charges.find((c) => c.id === attempt?.chargeId);
      expect(charge, `trade ${trade.out_trade_no} has no charge`).toBeDefined();
      const key = `${defined(charge, "charge").agreementId} ${defined(charge, "charge").dueDate.toISOString()}`;
      perPeriod.set(key, (perPeriod.get(key) ?? 0) + 1);
    }
    expect(trades).toHaveLength(AGREEMENTS * PERIODS);
    expect(perPeriod.size).toBe(AGREEMENTS * PERIODS);
    expect(Math.max(...perPeriod.values())).toBe(1);
    expect(charges).toHaveLength(AGREEMENTS * PERIODS);
    expect(attempts).toHaveLength(AGREEMENTS * PERIODS);
    expect(charges.map((c) => c.tradeNo).sort()).toEqual(trades.map((t) => t.trade_no).sort());

    const byWorker = workers.map(({ lines }) => lines.filter((line) => line.includes('"deduction attempt"')).length);
    const inlineAttempts = stack.logs.filter((line) => line.includes('"deduction attempt"')).length;
    console.log(
      `${AGREEMENTS} agreements × ${PERIODS} periods: ${trades.length} sandbox trades, ${charges.length} charges, ` +
        `${attempts.length} attempts (worker A ${byWorker[0]}, worker B ${byWorker[1]}, inline scheduler run ${inlineAttempts}); ` +
        `max trades per period ${Math.max(...perPeriod.values())}`,
    );
  }, 240_000);
});
