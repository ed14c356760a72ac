import { Prisma } from "../src/generated/prisma/client.ts";
import { describe, expect, test } from "vitest";
import {
  isUsedUp,
  nextChargeAmountFen,
  nextReconcileAt,
  nextRetryAt,
  outTradeNoFor,
  startOfShanghaiDay,
} from "../src/deductions/deduction-policy.ts";
import { ConfigError, loadConfig } from "../src/env.ts";

const at = (iso: string) => new Date(iso);
const schedule = [6 * 3600, 86_400, 86_400, 86_400];

describe("retry policy inside the window", () => {
  test("retries follow the schedule, rounded down to the minute, from the failure", () => {
    const next = nextRetryAt({
      now: at("2028-03-05T10:00:42+08:00"),
      dueDate: "2028-03-08",
      failedAttempts: 1,
      scheduleSeconds: schedule,
    });
    expect(next?.toISOString()).toBe(at("2028-03-05T16:00:00+08:00").toISOString());
  });

  test("a step that would fall after D becomes a last chance at the start of D", () => {
    const next = nextRetryAt({
      now: at("2028-03-07T16:30:00+08:00"),
      dueDate: "2028-03-08",
      failedAttempts: 4,
      scheduleSeconds: [86_400 * 3],
    });
    expect(next?.toISOString()).toBe(startOfShanghaiDay("2028-03-08").toISOString());
    expect(startOfShanghaiDay("2028-03-08").toISOString()).toBe("2028-03-07T16:00:00.000Z");
  });

  test("on D, only a step still on D is taken; a used-up schedule stops", () => {
    const onD = { now: at("2028-03-08T10:00:00+08:00"), dueDate: "2028-03-08", scheduleSeconds: schedule };
    expect(nextRetryAt({ ...onD, failedAttempts: 1 })?.toISOString()).toBe(
      at("2028-03-08T16:00:00+08:00").toISOString(),
    );
    expect(nextRetryAt({ ...onD, failedAttempts: 2 })).toBeNull();
    expect(nextRetryAt({ ...onD, failedAttempts: 5 })).toBeNull();
  });
});

describe("reconcile schedule", () => {
  test("counted from the attempt, the last step repeating", () => {
    const requestedAt = at("2028-01-01T00:00:00Z");
    const steps = [10, 60];
    expect(nextReconcileAt({ requestedAt, now: requestedAt, scheduleSeconds: steps }).toISOString()).toBe(
      "2028-01-01T00:00:10.000Z",
    );
    expect(
      nextReconcileAt({ requestedAt, now: at("2028-01-01T00:00:30Z"), scheduleSeconds: steps }).toISOString(),
    ).toBe("2028-01-01T00:01:10.000Z");
    expect(
      nextReconcileAt({ requestedAt, now: at("2028-01-01T00:05:00Z"), scheduleSeconds: steps }).toISOString(),
    ).toBe("2028-01-01T00:05:10.000Z");
  });
});

describe("amounts and caps", () => {
  const agreement = (fields: Partial<Parameters<typeof nextChargeAmountFen>[0]>) => ({
    singleAmount: new Prisma.Decimal("19.90"),
    totalAmount: null,
    totalPayments: null,
    paymentsCount: 0,
    paidTotal: new Prisma.Decimal("0"),
    ...fields,
  });

  test("the last charge takes what is left of total_amount; total_payments and total_amount complete", () => {
    expect(nextChargeAmountFen(agreement({}))).toBe(1990);
    const partial = agreement({ totalAmount: new Prisma.Decimal("50.00"), paidTotal: new Prisma.Decimal("39.80") });
    expect(nextChargeAmountFen(partial)).toBe(1020);
    expect(isUsedUp(agreement({ totalPayments: 12, paymentsCount: 12 }))).toBe(true);
    expect(nextChargeAmountFen(agreement({ totalPayments: 12, paymentsCount: 12 }))).toBeUndefined();
    expect(
      isUsedUp(agreement({ totalAmount: new Prisma.Decimal("50.00"), paidTotal: new Prisma.Decimal("50.00") })),
    ).toBe(true);
  });

  test("out_trade_no is ≤ 64 letters, digits and underscores, one per attempt", () => {
    const chargeId = "0b7c8f0e-1d2a-4c3b-9e4f-5a6b7c8d9e0f";
    const first = outTradeNoFor({ chargeId, dueDate: "2028-02-29", attemptNumber: 1 });
    expect(first).toMatch(/^[A-Za-z0-9_]{1,64}$/);
    expect(first).not.toBe(outTradeNoFor({ chargeId, dueDate: "2028-02-29", attemptNumber: 2 }));
  });
});

describe("deduction configuration", () => {
  test("defaults: window 5, lead 3, retries 6h,1d,1d,1d, workers in the API", () => {
    const config = loadConfig({});
    expect(config.deductions).toMatchObject({
      windowDays: 5,
      leadDays: 3,
      retryScheduleSeconds: [21_600, 86_400, 86_400, 86_400],
    });
    expect(config.jobs).toMatchObject({ inApi: true, pollingIntervalSeconds: 1, batchSize: 5, concurrency: 4 });
  });

  test("a lead beyond the window, a bad schedule or a bad flag are refused with what to fix", () => {
    expect(() => loadConfig({ DEDUCTION_LEAD_DAYS: "6" })).toThrow(
      /DEDUCTION_LEAD_DAYS: must be at most DEDUCTION_WINDOW_DAYS \(5\)/,
    );
    expect(() => loadConfig({ DEDUCTION_RETRY_SCHEDULE: "soon" })).toThrow(ConfigError);
    expect(() => loadConfig({ DEDUCTION_RETRY_SCHEDULE: "soon" })).toThrow(
      /DEDUCTION_RETRY_SCHEDULE: must be a comma-separated list/,
    );
    expect(() => loadConfig({ JOBS_IN_API: "yes" })).toThrow(/JOBS_IN_API: must be "true" or "false"/);
    expect(() => loadConfig({ JOBS_POLLING_INTERVAL_SECONDS: "0.1" })).toThrow(/JOBS_POLLING_INTERVAL_SECONDS/);
  });
});
