import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

let harness: Harness;
let agreementNo: string;
let counter = 0;

beforeAll(async () => {
  harness = await startHarness({ timeoutFaultMs: 1_500, payInProcessSettleMs: 200 });
  await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
});
afterAll(() => harness.sandbox.close());

beforeEach(async () => {
  await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
  const userId = (await createUser(harness)).userId;
  ({ agreementNo } = await signAgreement(harness, { userId }));
});

function payBiz(outTradeNo: string) {
  return {
    out_trade_no: outTradeNo,
    total_amount: "19.90",
    subject: "会员",
    product_code: "GENERAL_WITHHOLDING",
    agreement_params: { agreement_no: agreementNo },
  };
}

function nextOutTradeNo(): string {
  counter += 1;
  return `F${Date.now()}${counter}`;
}

async function query(outTradeNo: string) {
  return harness.sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: outTradeNo } }, { validateSign: true });
}

async function fault(body: Record<string, unknown>) {
  const response = await harness.post("/sandbox/faults", body);
  expect(response.status).toBe(200);
}

describe("gateway faults", () => {
  it("merchant-refusal: trade.pay answers the chosen merchant-side sub_code for count requests, charging nothing", async () => {
    await fault({
      method: "alipay.trade.pay",
      mode: "merchant-refusal",
      subCode: "ACQ.BEYOND_PAY_RESTRICTION",
      count: 2,
    });
    const refused = [];
    for (let i = 0; i < 2; i++) {
      const outTradeNo = nextOutTradeNo();
      refused.push(
        await harness.sdk.exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }, { validateSign: true }),
      );
      expect(await query(outTradeNo)).toMatchObject({ sub_code: "ACQ.TRADE_NOT_EXIST" });
    }
    expect(refused.map((answer) => [answer.code, answer.sub_code])).toEqual([
      ["40004", "ACQ.BEYOND_PAY_RESTRICTION"],
      ["40004", "ACQ.BEYOND_PAY_RESTRICTION"],
    ]);
    const paid = await harness.sdk.exec(
      "alipay.trade.pay",
      { bizContent: payBiz(nextOutTradeNo()) },
      { validateSign: true },
    );
    expect(paid.code).toBe("10000");
  });

  it("merchant-refusal accepts only a merchant-side sub_code, and only on trade.pay", async () => {
    const customerSide = await harness.post("/sandbox/faults", {
      method: "alipay.trade.pay",
      mode: "merchant-refusal",
      subCode: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    });
    expect(customerSide.status).toBe(400);
    const otherMethod = await harness.post("/sandbox/faults", {
      method: "alipay.trade.query",
      mode: "merchant-refusal",
    });
    expect(otherMethod.status).toBe(400);
  });

  it("timeout: the pay takes effect and the answer never comes", async () => {
    await fault({ method: "alipay.trade.pay", mode: "timeout" });
    const outTradeNo = nextOutTradeNo();
    const sdk = harness.sdkFor({ timeout: 300 });
    await expect(
      sdk.exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }, { validateSign: true }),
    ).rejects.toThrow(/HttpClient Request error/);
    expect(await query(outTradeNo)).toMatchObject({ code: "10000", trade_status: "TRADE_SUCCESS" });
    const retry = await harness.sdk.exec(
      "alipay.trade.pay",
      { bizContent: payBiz(outTradeNo) },
      { validateSign: true },
    );
    expect(retry.sub_code).toBe("ACQ.TRADE_HAS_SUCCESS");
  });

  it("timeout with applied: false loses the request", async () => {
    await fault({ method: "alipay.trade.pay", mode: "timeout", applied: false });
    const outTradeNo = nextOutTradeNo();
    await expect(
      harness.sdkFor({ timeout: 300 }).exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }),
    ).rejects.toThrow();
    expect((await query(outTradeNo)).sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("late-processing: no answer, not found meanwhile, processed when released on the clock of that moment", async () => {
    await fault({ method: "alipay.trade.pay", mode: "late-processing" });
    const outTradeNo = nextOutTradeNo();
    await expect(
      harness.sdkFor({ timeout: 300 }).exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }),
    ).rejects.toThrow(/HttpClient Request error/);
    expect((await query(outTradeNo)).sub_code).toBe("ACQ.TRADE_NOT_EXIST");
    expect((await harness.get<{ held: number }>("/sandbox/faults/late-requests")).body).toEqual({ held: 1 });

    await harness.post("/sandbox/clock", { now: "2026-11-30T10:30:00+08:00" });
    const released = await harness.post("/sandbox/faults/late-requests/release", {});
    expect(released.body).toEqual({ released: 1 });
    expect(await query(outTradeNo)).toMatchObject({
      trade_status: "TRADE_SUCCESS",
      send_pay_date: "2026-11-30 10:30:00",
    });
    const again = await harness.sdk.exec(
      "alipay.trade.pay",
      { bizContent: payBiz(outTradeNo) },
      { validateSign: true },
    );
    expect(again.sub_code).toBe("ACQ.TRADE_HAS_SUCCESS");
    expect((await harness.get<{ held: number }>("/sandbox/faults/late-requests")).body).toEqual({ held: 0 });
  });

  it("late-processing: a copy sent meanwhile is processed first, the late one then finds it paid", async () => {
    await fault({ method: "alipay.trade.pay", mode: "late-processing" });
    const outTradeNo = nextOutTradeNo();
    await expect(
      harness.sdkFor({ timeout: 300 }).exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }),
    ).rejects.toThrow();
    const copy = await harness.sdk.exec("alipay.trade.pay", { bizContent: payBiz(outTradeNo) }, { validateSign: true });
    expect(copy.code).toBe("10000");
    await harness.post("/sandbox/faults/late-requests/release", {});
    const trades = (await harness.get<Array<{ out_trade_no: string }>>("/sandbox/trades")).body;
    expect(trades.filter((trade) => trade.out_trade_no === outTradeNo)).toHaveLength(1);
  });

  it("system-error: a signed 20000 and no trade", async () => {
    await fault({ method: "alipay.trade.pay", mode: "system-error" });
    const outTradeNo = nextOutTradeNo();
    const result = await harness.sdk.exec(
      "alipay.trade.pay",
      { bizContent: payBiz(outTradeNo) },
      { validateSign: true },
    );
    expect(result).toMatchObject({ code: "20000", msg: "Service Currently Unavailable", sub_code: "isp.unknow-error" });
    expect((await query(outTradeNo)).sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("pay-in-process: 10003, WAIT_BUYER_PAY, then TRADE_SUCCESS and its notification", async () => {
    const merchant = await startReceiver();
    try {
      await fault({ method: "alipay.trade.pay", mode: "pay-in-process" });
      const outTradeNo = nextOutTradeNo();
      const result = await harness.sdk.exec(
        "alipay.trade.pay",
        { notify_url: merchant.url, bizContent: payBiz(outTradeNo) },
        { validateSign: true },
      );
      expect(result).toMatchObject({ code: "10003", out_trade_no: outTradeNo });
      expect((await query(outTradeNo)).trade_status).toBe("WAIT_BUYER_PAY");
      const [sync] = await merchant.waitFor(1);
      expect(sync?.params).toMatchObject({ trade_status: "TRADE_SUCCESS", out_trade_no: outTradeNo });
      expect((await query(outTradeNo)).trade_status).toBe("TRADE_SUCCESS");
    } finally {
      await merchant.close();
    }
  });

  it("acq-system-error: 40004 ACQ.SYSTEM_ERROR while the pay happened", async () => {
    await fault({ method: "alipay.trade.pay", mode: "acq-system-error" });
    const outTradeNo = nextOutTradeNo();
    const result = await harness.sdk.exec(
      "alipay.trade.pay",
      { bizContent: payBiz(outTradeNo) },
      { validateSign: true },
    );
    expect(result).toMatchObject({ code: "40004", sub_code: "ACQ.SYSTEM_ERROR" });
    expect((await query(outTradeNo)).trade_status).toBe("TRADE_SUCCESS");
  });

  it("applies a fault `count` times, then answers normally", async () => {
    await fault({ method: "alipay.trade.query", mode: "system-error", count: 2 });
    expect((await query("X")).code).toBe("20000");
    expect((await query("X")).code).toBe("20000");
    expect((await query("X")).sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("matches any method with `*` and is cleared by DELETE /sandbox/faults", async () => {
    await fault({ method: "*", mode: "system-error", count: 5 });
    const effect = await harness.sdk.exec(
      "alipay.user.agreement.query",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(effect.code).toBe("20000");
    const cleared = await fetch(`${harness.url}/sandbox/faults`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    expect((await query("X")).sub_code).toBe("ACQ.TRADE_NOT_EXIST");
  });

  it("rejects an unknown mode or method with 400", async () => {
    expect((await harness.post("/sandbox/faults", { method: "alipay.trade.pay", mode: "explode" })).status).toBe(400);
    expect((await harness.post("/sandbox/faults", { method: "alipay.trade.close", mode: "timeout" })).status).toBe(400);
    expect(
      (await harness.post("/sandbox/faults", { method: "alipay.trade.query", mode: "pay-in-process" })).status,
    ).toBe(400);
    expect(
      (await harness.post("/sandbox/faults", { method: "alipay.trade.query", mode: "late-processing" })).status,
    ).toBe(400);
  });
});
