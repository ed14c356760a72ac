import { defined } from "@paysign/test-kit";
import { addDays, compareCalendarDates, shanghaiDateOf } from "@paysign/contracts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  admin,
  agreementDetail,
  createPlan,
  runScheduler,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { http } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Twelve periods of three schedules on the sandbox's simulated clock, one scheduler tick a day at 10:00 Shanghai,
// across the leap February of 2028: MONTH signed on the 28th, MONTH signed on the 31st (execute_time cannot be after
// the 28th: firstDeductDate moves it to the 1st of the next month, and the schedule keeps that day), and DAY-7.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_WINDOW_DAYS: "5" } });
});
afterAll(async () => {
  await stack.close();
});

type Schedule = { name: string; signOn: string; planId: string; expected: string[] };

// About 370 simulated days, each a clock move and a scheduler run: 4–17 s on a quiet 2-core machine, more when the
// machine is shared, so the harness limit is the property and worker tests' kind, not vitest's 30 s default.
describe("a year of periodic charges", () => {
  test("each period is charged once, on D − 3 days, D advances from D, and total_payments completes it", async () => {
    const monthly = await createPlan(stack, {
      name: "Monthly, twelve payments",
      periodType: "MONTH",
      period: 1,
      singleAmount: "19.90",
      totalPayments: 12,
    });
    const weekly = await createPlan(stack, {
      name: "Every 7 days, twelve payments",
      periodType: "DAY",
      period: 7,
      singleAmount: "9.90",
      totalPayments: 12,
    });
    const months = (first: string) => Array.from({ length: 12 }, (_, i) => addMonthsKeepingDay(first, i));
    const schedules: Schedule[] = [
      { name: "MONTH signed on the 28th", signOn: "2027-12-28", planId: monthly, expected: months("2027-12-28") },
      { name: "MONTH signed on the 31st", signOn: "2028-01-31", planId: monthly, expected: months("2028-02-01") },
      {
        name: "DAY-7",
        signOn: "2028-02-19",
        planId: weekly,
        expected: Array.from({ length: 12 }, (_, i) => addDays("2028-02-19", 7 * i)),
      },
    ];
    const signed = new Map<string, Awaited<ReturnType<typeof signActiveAgreement>>>();

    for (let day = "2027-12-28"; compareCalendarDates(day, "2029-01-02") <= 0; day = addDays(day, 1)) {
      await setClock(stack, shanghai(day, "09:00:00"));
      for (const schedule of schedules.filter((s) => s.signOn === day)) {
        signed.set(schedule.name, await signActiveAgreement(stack, { planId: schedule.planId }));
      }
      await setClock(stack, shanghai(day));
      await runScheduler(stack);
    }

    const trades = await sandboxTrades(stack);
    const lines: string[] = [];
    for (const schedule of schedules) {
      const agreement = defined(signed.get(schedule.name), schedule.name);
      const detail = await agreementDetail(stack, agreement.agreementId);
      const charges = [...detail.charges].sort((a, b) => compareCalendarDates(a.dueDate, b.dueDate));
      expect(charges.map((charge) => charge.dueDate)).toEqual(schedule.expected);
      expect(charges.every((charge) => charge.status === "SUCCEEDED" && charge.attempts.length === 1)).toBe(true);
      for (const charge of charges) {
        const paidOn = shanghaiDateOf(new Date(charge.paidAt as string));
        const firstTry = addDays(charge.dueDate, -3);
        expect(paidOn).toBe(compareCalendarDates(firstTry, schedule.signOn) < 0 ? schedule.signOn : firstTry);
      }
      const ours = trades.filter((trade) => trade.agreement_no === agreement.agreementNo);
      expect(ours.map((trade) => trade.trade_no).sort()).toEqual(charges.map((charge) => charge.tradeNo).sort());
      expect(detail.status).toBe("COMPLETED");
      expect(detail.paymentsCount).toBe(12);
      lines.push(
        `${schedule.name}: ${charges.length} charges, ${ours.length} sandbox trades, ` +
          `${charges.map((c) => `${c.dueDate.slice(5)}@${shanghaiDateOf(new Date(c.paidAt as string)).slice(5)}`).join(" ")}` +
          ` → ${detail.status}, paid ${detail.paidTotal}`,
      );
    }
    const a28 = defined(signed.get("MONTH signed on the 28th"), "the agreement signed on the 28th");
    // A year later the first session has expired: sign in again as the same Alipay user.
    const code = await stack.control.createAuthCode(a28.userId);
    const session = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
    const own = await http(`${stack.api}/api/v1/agreements/${a28.agreementId}`, {
      headers: { authorization: `Bearer ${session.body.token as string}` },
    });
    expect(own.status).toBe(200);
    expect((own.body.charges as unknown[]).length).toBe(12);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `dueFrom=2028-01-01&dueTo=2028-06-30&status=SUCCEEDED&limit=7${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await admin(stack, `/admin/v1/charges?${query}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ dueDate: string; id: string }>).map((c) => `${c.dueDate} ${c.id}`));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    const expectedInRange = schedules
      .flatMap((schedule) => schedule.expected)
      .filter((d) => compareCalendarDates(d, "2028-01-01") >= 0 && compareCalendarDates(d, "2028-06-30") <= 0);
    expect(seen).toHaveLength(expectedInRange.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.map((line) => line.slice(0, 10))).toEqual([...expectedInRange].sort().reverse());
    lines.push(`GET /admin/v1/charges 2028-01-01..2028-06-30 by pages of 7: ${seen.length} charges, none twice`);
    console.log(lines.join("\n"));
  }, 120_000);
});

function addMonthsKeepingDay(date: string, months: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const index = year * 12 + month - 1 + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
