import { addDays, shanghaiDateOf } from "@paysign/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxControl, type SandboxControl } from "../src/index.ts";
import { startReceiver } from "./support/notify-receiver.ts";
import { createUser, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";

let harness: Harness;
let control: SandboxControl;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  harness = await startHarness();
  control = createSandboxControl(harness.url);
});
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  await harness.sandbox.close();
});

let counter = 0;

/** A paid 10.00 trade whose notifications go to a fresh receiver. */
async function paidTrade() {
  const merchant = await startReceiver();
  receivers.push(merchant);
  // Tomorrow (Shanghai): inside the deduction window [D − 5, D] even when the run crosses midnight.
  const execute = addDays(shanghaiDateOf(harness.sandbox.now()), 1);
  const user = await createUser(harness, { balance: "100.00" });
  const { agreementNo } = await signAgreement(harness, {
    userId: user.userId,
    biz: {
      product_code: "GENERAL_WITHHOLDING",
      personal_product_code: "CYCLE_PAY_AUTH_P",
      access_params: { channel: "ALIPAYAPP" },
      period_rule_params: { period_type: "DAY", period: 7, execute_time: execute, single_amount: "10.00" },
    },
  });
  counter += 1;
  const outTradeNo = `RF${Date.now()}_${counter}`;
  const pay = await harness.sdk.exec(
    "alipay.trade.pay",
    {
      notify_url: merchant.url,
      bizContent: {
        out_trade_no: outTradeNo,
        total_amount: "10.00",
        subject: "s",
        product_code: "GENERAL_WITHHOLDING",
        agreement_params: { agreement_no: agreementNo },
      },
    },
    { validateSign: true },
  );
  expect(pay.code).toBe("10000");
  await merchant.waitFor(1);
  return { outTradeNo, tradeNo: String(pay.trade_no), userId: user.userId, merchant };
}

const refund = (bizContent: Record<string, unknown>) =>
  harness.sdk.exec("alipay.trade.refund", { bizContent }, { validateSign: true });
const refundQuery = (bizContent: Record<string, unknown>) =>
  harness.sdk.exec("alipay.trade.fastpay.refund.query", { bizContent }, { validateSign: true });

describe("alipay.trade.refund", () => {
  it("partial refunds add up to the paid amount; a refund over what is left is refused", async () => {
    const trade = await paidTrade();
    const first = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "3.00", out_request_no: "A1" });
    expect(first).toMatchObject({ code: "10000", fund_change: "Y", refund_fee: "3.00" });
    const second = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "4.00", out_request_no: "A2" });
    expect(second).toMatchObject({ code: "10000", fund_change: "Y", refund_fee: "7.00" });
    const over = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "3.01", out_request_no: "A3" });
    expect(over).toMatchObject({ code: "40004", sub_code: "ACQ.REASON_TRADE_REFUND_FEE_ERR" });
    const users = (await control.users()).body;
    expect(users.find((user) => user.userId === trade.userId)?.balance).toBe("97.00");
    const view = (await control.trades()).body.find((t) => t.trade_no === trade.tradeNo);
    expect(view).toMatchObject({ trade_status: "TRADE_SUCCESS", refund_fee: "7.00" });
  });

  it("the same out_request_no again answers the same refund with fund_change N and moves nothing", async () => {
    const trade = await paidTrade();
    await refund({ trade_no: trade.tradeNo, refund_amount: "2.50", out_request_no: "B1" });
    const again = await refund({ trade_no: trade.tradeNo, refund_amount: "2.50", out_request_no: "B1" });
    expect(again).toMatchObject({ code: "10000", fund_change: "N", refund_fee: "2.50" });
    const other = await refund({ trade_no: trade.tradeNo, refund_amount: "1.00", out_request_no: "B1" });
    expect(other).toMatchObject({ code: "40004", sub_code: "ACQ.DISCORDANT_REPEAT_REQUEST" });
    const view = (await control.trades()).body.find((t) => t.trade_no === trade.tradeNo);
    expect(view?.refunds).toHaveLength(1);
  });

  it("a full refund closes the trade and notifies TRADE_CLOSED; a partial one notifies TRADE_SUCCESS", async () => {
    const trade = await paidTrade();
    await refund({ out_trade_no: trade.outTradeNo, refund_amount: "4.00", out_request_no: "C1" });
    await refund({ out_trade_no: trade.outTradeNo, refund_amount: "6.00", out_request_no: "C2" });
    const [, partial, full] = await trade.merchant.waitFor(3);
    expect(partial?.params).toMatchObject({ trade_status: "TRADE_SUCCESS", refund_fee: "4.00", out_biz_no: "C1" });
    expect(partial?.params.gmt_refund).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(full?.params).toMatchObject({ trade_status: "TRADE_CLOSED", refund_fee: "10.00", out_biz_no: "C2" });
    expect(full?.params.gmt_close).toBeDefined();
    expect(harness.sdk.checkNotifySignV2(full?.params)).toBe(true);
    const after = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "1.00", out_request_no: "C3" });
    expect(after).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_STATUS_ERROR" });
  });

  it("a refund without out_request_no must be the whole amount", async () => {
    const trade = await paidTrade();
    const partial = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "1.00" });
    expect(partial).toMatchObject({ code: "40004", sub_code: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" });
  });

  it("a trade paid longer ago than the refund period is refused", async () => {
    const trade = await paidTrade();
    await control.setClock(new Date(harness.sandbox.now().getTime() + 91 * 86_400_000).toISOString());
    const late = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "1.00", out_request_no: "D1" });
    expect(late).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_ALLOWED_REFUND" });
  });

  it("a timeout fault applied: the refund happened, and the query and a resend both say so", async () => {
    const trade = await paidTrade();
    await control.addFault({ method: "alipay.trade.refund", mode: "acq-system-error", applied: true });
    const lost = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "5.00", out_request_no: "E1" });
    expect(lost).toMatchObject({ sub_code: "ACQ.SYSTEM_ERROR" });
    const query = await refundQuery({ out_trade_no: trade.outTradeNo, out_request_no: "E1" });
    expect(query).toMatchObject({ code: "10000", refund_amount: "5.00", refund_status: "REFUND_SUCCESS" });
    const resend = await refund({ out_trade_no: trade.outTradeNo, refund_amount: "5.00", out_request_no: "E1" });
    expect(resend).toMatchObject({ code: "10000", fund_change: "N", refund_fee: "5.00" });
  });
});

describe("alipay.trade.fastpay.refund.query", () => {
  it("answers 10000 without refund fields for a refund never made, and ACQ.TRADE_NOT_EXIST for no trade", async () => {
    const trade = await paidTrade();
    const none = await refundQuery({ out_trade_no: trade.outTradeNo, out_request_no: "NOPE" });
    expect(none.code).toBe("10000");
    expect(none.refund_amount).toBeUndefined();
    expect(none.refund_status).toBeUndefined();
    const missing = await refundQuery({ out_trade_no: "NO_SUCH_TRADE", out_request_no: "X" });
    expect(missing).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST" });
  });
});

describe("a refund in the merchant portal", () => {
  it("follows Alipay's rules and notifies the trade's notify_url", async () => {
    const trade = await paidTrade();
    const made = await control.refundInPortal(trade.tradeNo, { amount: "2.00", outRequestNo: "P1", reason: "客服" });
    expect(made.body).toMatchObject({ refund_fee: "2.00" });
    const [, sync] = await trade.merchant.waitFor(2);
    expect(sync?.params).toMatchObject({ refund_fee: "2.00", out_biz_no: "P1", trade_status: "TRADE_SUCCESS" });
    const over = await control.refundInPortal(trade.tradeNo, { amount: "9.00" });
    expect(over.status).toBe(409);
  });
});
