import { calendarDateToUtcMidnight } from "@paysign/contracts";
import { describe, expect, test } from "vitest";
import { nextSweepAfter, sweepAfterSigning } from "../src/domain/sweep-schedule.ts";

const schedule = { intervalHours: 24, leadDays: 3 };
// 2029-07-01 09:00 in Asia/Shanghai.
const now = new Date("2029-07-01T01:00:00Z");
const day = (date: string) => calendarDateToUtcMidnight(date);

describe("the agreement sweep's schedule", () => {
  test("an agreement is next asked after the interval, or at the start (Shanghai) of the day before D's window if sooner", () => {
    const weekly = { intervalHours: 168, leadDays: 3 };
    // D 2029-07-10, window from D − 3 = 07-07: the day before starts 07-06 00:00 Shanghai (07-05 16:00 UTC), before
    // a week has passed.
    expect(nextSweepAfter({ status: "ACTIVE", nextDeductDate: day("2029-07-10") }, now, weekly)).toEqual(
      new Date("2029-07-05T16:00:00Z"),
    );
    expect(nextSweepAfter({ status: "ACTIVE", nextDeductDate: day("2029-07-10") }, now, schedule)).toEqual(
      new Date("2029-07-02T01:00:00Z"),
    );
    // D 2029-07-04: the day before its window (07-01 00:00) has passed.
    expect(nextSweepAfter({ status: "ACTIVE", nextDeductDate: day("2029-07-04") }, now, weekly)).toEqual(
      new Date("2029-07-08T01:00:00Z"),
    );
    expect(nextSweepAfter({ status: "PAUSED", nextDeductDate: day("2029-07-10") }, now, weekly)).toEqual(
      new Date("2029-07-08T01:00:00Z"),
    );
  });

  test("a signing Alipay reports schedules the next sweep only when it makes a PENDING or TEMP agreement ACTIVE", () => {
    // D after the transition is the agreement's executeTime `date`, or none when no date is given.
    const signing = (from: "PENDING" | "TEMP" | "PAUSED", to: "ACTIVE" | "TEMP" | "ABANDONED", date?: string) =>
      sweepAfterSigning(
        { executeTime: day(date ?? "2029-06-01"), nextDeductDate: null },
        {
          kind: "transition",
          from,
          to,
          changes: { status: to, startDeductingFromExecuteTime: date !== undefined, clearNextFollowUp: true },
        },
        { now, schedule },
      );
    expect(signing("PENDING", "ACTIVE", "2029-07-10")).toEqual(new Date("2029-07-02T01:00:00Z"));
    expect(signing("TEMP", "ACTIVE", "2029-07-01")).toEqual(new Date("2029-07-02T01:00:00Z"));
    // Without D the sweep sets the first date (§17.1): due at once.
    expect(signing("PENDING", "ACTIVE")).toEqual(now);
    // A TEMP agreement is asked until it takes effect; a duplicate is unsigned at once; a re-delivery that moves a
    // PAUSED agreement back must not hold off the sweep that corrects it.
    expect(signing("PENDING", "TEMP")).toBeUndefined();
    expect(signing("PENDING", "ABANDONED")).toBeUndefined();
    expect(signing("PAUSED", "ACTIVE", "2029-07-10")).toBeUndefined();
  });
});
