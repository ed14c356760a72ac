import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, nextExternalNo, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.sandbox.close());

/** D = 2027-03-10, signed on 2027-03-01; the window is [03-05, 03-10] with N = 5. */
const D = "2027-03-10";
const SIGNED_AT = "2027-03-01T10:00:00+08:00";

type Rule = {
  period_type?: string;
  period?: number;
  single_amount?: string;
  total_amount?: string;
  total_payments?: number;
};
type Setup = { rule?: Rule; biz?: Record<string, unknown>; balance?: string };

type Agreement = {
  agreementNo: string;
  userId: string;
  pay(at: string, overrides?: Record<string, unknown>): Promise<Record<string, string>>;
};

let tradeCounter = 0;

async function arrange(setup: Setup = {}, sdk = harness.sdk, h = harness): Promise<Agreement> {
  await h.post("/sandbox/clock", { now: SIGNED_AT });
  const userId = (await createUser(h, setup.balance ? { balance: setup.balance } : {})).userId;
  const biz = {
    product_code: "GENERAL_WITHHOLDING",
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    external_agreement_no: nextExternalNo(),
    access_params: { channel: "ALIPAYAPP" },
    period_rule_params: { period_type: "MONTH", period: 1, execute_time: D, single_amount: "20.00", ...setup.rule },
    ...setup.biz,
  };
  const { agreementNo, result } = await signAgreement(h, { userId, biz });
  expect(result.resultStatus).toBe("7000");
  return {
    agreementNo,
    userId,
    async pay(at, overrides = {}) {
      await h.post("/sandbox/clock", { now: at });
      tradeCounter += 1;
      const bizContent = {
        out_trade_no: `T${Date.now()}${tradeCounter}`,
        total_amount: "19.90",
        subject: "月度会员",
        product_code: "GENERAL_WITHHOLDING",
        agreement_params: { agreement_no: agreementNo },
        ...overrides,
      };
      return await sdk.exec("alipay.trade.pay", { bizContent }, { validateSign: true });
    },
  };
}

function outcome(result: Record<string, string>): string {
  return result.code === "10000" ? "10000" : (result.sub_code ?? result.code ?? "");
}

type Case = {
  name: string;
  setup?: Setup;
  before?: (agreement: Agreement) => Promise<unknown>;
  at: string;
  overrides?: Record<string, unknown>;
  expected: string;
};

const cases: Case[] = [
  { name: "on D−5 (window opens)", at: "2027-03-05T00:00:00+08:00", expected: "10000" },
  { name: "on D (its last minute)", at: "2027-03-10T23:59:00+08:00", expected: "10000" },
  { name: "on D−6 (its last minute)", at: "2027-03-04T23:59:00+08:00", expected: "ACQ.CYCLE_PAY_DATE_NOT_MATCH" },
  { name: "on D+1 (window missed)", at: "2027-03-11T00:00:00+08:00", expected: "ACQ.CYCLE_PAY_DATE_NOT_MATCH" },
  {
    name: "a second success in the same period",
    before: (a) => a.pay("2027-03-08T10:00:00+08:00"),
    at: "2027-03-09T10:00:00+08:00",
    expected: "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
  },
  {
    name: "the next period's window, counted from D and not from the pay date",
    before: (a) => a.pay("2027-03-05T10:00:00+08:00"),
    at: "2027-04-05T10:00:00+08:00",
    expected: "10000",
  },
  {
    name: "before the next period's window",
    before: (a) => a.pay("2027-03-05T10:00:00+08:00"),
    at: "2027-04-04T10:00:00+08:00",
    expected: "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
  },
  {
    name: "an amount over single_amount",
    at: "2027-03-08T10:00:00+08:00",
    overrides: { total_amount: "20.01" },
    expected: "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED",
  },
  {
    name: "an amount equal to single_amount",
    at: "2027-03-08T10:00:00+08:00",
    overrides: { total_amount: "20.00" },
    expected: "10000",
  },
  {
    name: "a total over total_amount",
    setup: { rule: { total_amount: "30.00" } },
    before: (a) => a.pay("2027-03-08T10:00:00+08:00"),
    at: "2027-04-08T10:00:00+08:00",
    expected: "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED",
  },
  {
    name: "more successes than total_payments",
    setup: { rule: { total_payments: 1 } },
    before: (a) => a.pay("2027-03-08T10:00:00+08:00"),
    at: "2027-04-08T10:00:00+08:00",
    expected: "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED",
  },
  {
    name: "a balance below the amount",
    setup: { balance: "19.89" },
    at: "2027-03-08T10:00:00+08:00",
    expected: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
  },
  {
    name: "the same out_trade_no and params after success",
    before: (a) => a.pay("2027-03-08T10:00:00+08:00", { out_trade_no: "SAME1" }),
    at: "2027-03-08T11:00:00+08:00",
    overrides: { out_trade_no: "SAME1" },
    expected: "ACQ.TRADE_HAS_SUCCESS",
  },
  {
    name: "the same out_trade_no with another amount",
    before: (a) => a.pay("2027-03-08T10:00:00+08:00", { out_trade_no: "SAME2" }),
    at: "2027-03-08T11:00:00+08:00",
    overrides: { out_trade_no: "SAME2", total_amount: "9.90" },
    expected: "ACQ.CONTEXT_INCONSISTENT",
  },
  {
    name: "an agreement the merchant unsigned",
    before: (a) => harness.sdk.exec("alipay.user.agreement.unsign", { bizContent: { agreement_no: a.agreementNo } }),
    at: "2027-03-08T10:00:00+08:00",
    expected: "ACQ.AGREEMENT_NOT_EXIST",
  },
  {
    name: "an agreement the user unsigned in the app",
    before: (a) => harness.post(`/sandbox/agreements/${a.agreementNo}/unsign`),
    at: "2027-03-08T10:00:00+08:00",
    expected: "ACQ.AGREEMENT_NOT_EXIST",
  },
  {
    name: "an agreement past its invalid_time",
    setup: { biz: { sign_validity_period: "5d" } },
    at: "2027-03-07T10:00:00+08:00",
    expected: "ACQ.AGREEMENT_INVALID",
  },
  {
    name: "an agreement inside its validity",
    setup: { biz: { sign_validity_period: "10d" } },
    at: "2027-03-07T10:00:00+08:00",
    expected: "10000",
  },
  {
    name: "a TEMP (NOTICE) agreement",
    setup: { biz: { agreement_effect_type: "NOTICE" } },
    at: "2027-03-08T10:00:00+08:00",
    expected: "ACQ.AGREEMENT_STATUS_NOT_NORMAL",
  },
  {
    name: "a NOTICE agreement after sign.effect",
    setup: { biz: { agreement_effect_type: "NOTICE" } },
    before: (a) =>
      harness.sdk.exec("alipay.user.agreement.sign.effect", { bizContent: { agreement_no: a.agreementNo } }),
    at: "2027-03-08T10:00:00+08:00",
    expected: "10000",
  },
  {
    name: "another product_code than signed",
    at: "2027-03-08T10:00:00+08:00",
    overrides: { product_code: "CYCLE_PAY_AUTH" },
    expected: "ACQ.AGREEMENT_ERROR",
  },
  {
    name: "a product_code that is no deduction",
    at: "2027-03-08T10:00:00+08:00",
    overrides: { product_code: "FACE_TO_FACE_PAYMENT" },
    expected: "ACQ.ACCESS_FORBIDDEN",
  },
  {
    name: "an unknown agreement_no",
    at: "2027-03-08T10:00:00+08:00",
    overrides: { agreement_params: { agreement_no: "20270000000000000000" } },
    expected: "ACQ.AGREEMENT_NOT_EXIST",
  },
  {
    name: "a missed window after the merchant moved D later with executionplan.modify",
    before: (a) =>
      harness.sdk.exec("alipay.user.agreement.executionplan.modify", {
        bizContent: { agreement_no: a.agreementNo, deduct_time: "2027-03-20" },
      }),
    at: "2027-03-18T10:00:00+08:00",
    expected: "10000",
  },
];

describe("deduction rules (docs/alipay-protocol.md §11)", () => {
  it.each(cases)("trade.pay on $name → $expected", async ({ setup, before, at, overrides, expected }) => {
    const agreement = await arrange(setup);
    if (before) await before(agreement);
    expect(outcome(await agreement.pay(at, overrides))).toBe(expected);
  });

  it("advances D by one period from D on success and keeps the day of month", async () => {
    const agreement = await arrange();
    await agreement.pay("2027-03-06T10:00:00+08:00");
    const query = await harness.sdk.exec("alipay.user.agreement.query", {
      bizContent: { agreement_no: agreement.agreementNo },
    });
    expect(query.next_deduct_time).toBe("2027-04-10");
  });

  it("advances a DAY agreement by its period in days", async () => {
    const agreement = await arrange({ rule: { period_type: "DAY", period: 7 } });
    await agreement.pay("2027-03-10T10:00:00+08:00");
    const query = await harness.sdk.exec("alipay.user.agreement.query", {
      bizContent: { agreement_no: agreement.agreementNo },
    });
    expect(query.next_deduct_time).toBe("2027-03-17");
  });

  it("leaves D, balance and counts unchanged after a failure", async () => {
    const agreement = await arrange({ balance: "5.00" });
    expect(outcome(await agreement.pay("2027-03-08T10:00:00+08:00"))).toBe("ACQ.BUYER_BALANCE_NOT_ENOUGH");
    await harness.post(`/sandbox/users/${agreement.userId}/balance`, { balance: "100.00" });
    expect(outcome(await agreement.pay("2027-03-08T11:00:00+08:00"))).toBe("10000");
    const users = (await harness.get<Array<{ userId: string; balance: string }>>("/sandbox/users")).body;
    expect(users.find((user) => user.userId === agreement.userId)?.balance).toBe("80.10");
  });

  it("uses the configured window N", async () => {
    const narrow = await startHarness({ deductionWindowDays: 3 });
    try {
      const early = await arrange({}, narrow.sdk, narrow);
      expect(outcome(await early.pay("2027-03-06T10:00:00+08:00"))).toBe("ACQ.CYCLE_PAY_DATE_NOT_MATCH");
      expect(outcome(await early.pay("2027-03-07T10:00:00+08:00"))).toBe("10000");
    } finally {
      await narrow.sandbox.close();
    }
  });

  it("answers trade.query with TRADE_SUCCESS and ACQ.TRADE_NOT_EXIST", async () => {
    const agreement = await arrange();
    const paid = await agreement.pay("2027-03-08T10:00:00+08:00", { out_trade_no: "Q1" });
    const found = await harness.sdk.exec(
      "alipay.trade.query",
      { bizContent: { trade_no: paid.trade_no } },
      { validateSign: true },
    );
    expect(found).toMatchObject({ trade_status: "TRADE_SUCCESS", out_trade_no: "Q1", total_amount: "19.90" });
    const missing = await harness.sdk.exec(
      "alipay.trade.query",
      { bizContent: { out_trade_no: "NEVER" } },
      { validateSign: true },
    );
    expect(missing.sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });
});

describe("executionplan.modify (docs/alipay-protocol.md §7)", () => {
  const modify = (agreementNo: string, deductTime: string) =>
    harness.sdk.exec(
      "alipay.user.agreement.executionplan.modify",
      { bizContent: { agreement_no: agreementNo, deduct_time: deductTime } },
      { validateSign: true },
    );

  it.each([
    ["the same day as D", D, "ILLEGAL_EXECUTION_TIME"],
    ["a day before D", "2027-03-09", "ILLEGAL_EXECUTION_TIME"],
    ["a date with a time", "2027-03-20 00:00:00", "ILLEGAL_EXECUTION_TIME"],
    ["the 29th of a MONTH agreement", "2027-03-29", "ILLEGAL_EXECUTION_TIME"],
    ["the 28th of a MONTH agreement", "2027-03-28", "10000"],
    ["a day after D", "2027-03-11", "10000"],
  ])("moving D to %s → %s", async (_name, deductTime, expected) => {
    const agreement = await arrange();
    expect(outcome(await modify(agreement.agreementNo, deductTime))).toBe(expected);
  });

  it("refuses a date after the agreement's invalid_time with ILLEGAL_EXECUTION_TIME", async () => {
    const longTerm = await arrange();
    expect(outcome(await modify(longTerm.agreementNo, "9999-12-28"))).toBe("ILLEGAL_EXECUTION_TIME");
    // Signed 2027-03-01 for two months: invalid from 2027-05-01 10:00:00.
    const twoMonths = await arrange({ biz: { sign_validity_period: "2m" } });
    expect(outcome(await modify(twoMonths.agreementNo, "2027-05-02"))).toBe("ILLEGAL_EXECUTION_TIME");
    expect(outcome(await modify(twoMonths.agreementNo, "2027-04-28"))).toBe("10000");
  });

  it("lets a DAY agreement move to the 31st", async () => {
    const agreement = await arrange({ rule: { period_type: "DAY", period: 7 } });
    expect(outcome(await modify(agreement.agreementNo, "2027-03-31"))).toBe("10000");
  });

  it("rejects an unknown agreement with ILLEGAL_AGREEMENT", async () => {
    expect(outcome(await modify("20270000000000000000", "2027-03-31"))).toBe("ILLEGAL_AGREEMENT");
  });
});
