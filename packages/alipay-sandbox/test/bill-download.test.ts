import { billDownloadUrlQueryResponseSchema } from "@paysign/contracts/alipay";
import { unzipSync } from "fflate";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ID,
  MONTHLY_BIZ,
  createUser,
  nextExternalNo,
  signAgreement,
  startHarness,
  type Harness,
} from "./support/sandbox-harness.ts";

// The daily bill (docs/alipay-protocol.md §21): one trade paid on 2027-03-06 and one refund of it the same day.
let harness: Harness;
let tradeNo: string;

beforeAll(async () => {
  harness = await startHarness();
  await harness.post("/sandbox/clock", { now: "2027-03-01T10:00:00+08:00" });
  const { userId } = await createUser(harness);
  const rule = { ...MONTHLY_BIZ.period_rule_params, execute_time: "2027-03-10" };
  const biz = { ...MONTHLY_BIZ, external_agreement_no: nextExternalNo(), period_rule_params: rule };
  const { agreementNo } = await signAgreement(harness, { userId, biz });
  await harness.post("/sandbox/clock", { now: "2027-03-06T09:30:00+08:00" });
  const paid = await harness.sdk.exec("alipay.trade.pay", {
    bizContent: {
      out_trade_no: "BILL_T1",
      total_amount: "19.90",
      subject: "月度会员，连续包月",
      product_code: "GENERAL_WITHHOLDING",
      agreement_params: { agreement_no: agreementNo },
    },
  });
  expect([paid.code, paid.sub_code]).toEqual(["10000", undefined]);
  tradeNo = paid.trade_no as string;
  await harness.post("/sandbox/clock", { now: "2027-03-06T15:00:00+08:00" });
  const refunded = await harness.post("/sandbox/bill-plants/refunds", {
    tradeNo,
    outRequestNo: "R1",
    refundAmount: "5.00",
    reason: "部分退款",
  });
  expect(refunded.status).toBe(200);
});
afterAll(() => harness.sandbox.close());

const ask = (billDate: string) =>
  harness.sdk.exec("alipay.data.dataservice.bill.downloadurl.query", {
    bizContent: { bill_type: "trade", bill_date: billDate },
  });

function readZip(bytes: Uint8Array): Record<string, string[]> {
  const files = unzipSync(bytes);
  return Object.fromEntries(
    Object.entries(files).map(([name, content]) => [name, iconv.decode(Buffer.from(content), "gbk").split("\r\n")]),
  );
}

describe("alipay.data.dataservice.bill.downloadurl.query", () => {
  it("refuses today and later days: only past days have a bill (T+1)", async () => {
    await harness.post("/sandbox/clock", { now: "2027-03-06T23:00:00+08:00" });
    for (const day of ["2027-03-06", "2027-03-07"]) {
      const answer = await ask(day);
      expect([answer.code, answer.sub_code]).toEqual(["40002", "isv.invalid-arguments"]);
    }
  });

  it("answers isp.bill_not_exist for a day without a line and for a day older than Alipay keeps", async () => {
    await harness.post("/sandbox/clock", { now: "2027-03-07T10:00:00+08:00" });
    for (const day of ["2027-03-05", "2020-01-01"]) {
      const answer = await ask(day);
      expect([answer.code, answer.sub_code]).toEqual(["40004", "isp.bill_not_exist"]);
    }
  });

  it("serves a zip of a GBK detail file and summary file with the day's trade and refund lines", async () => {
    await harness.post("/sandbox/clock", { now: "2027-03-07T10:00:00+08:00" });
    const answer = billDownloadUrlQueryResponseSchema.parse(await ask("2027-03-06"));
    const url = answer.bill_download_url ?? "";
    expect(url.startsWith(`${harness.url}/downloadBillFile.resource?`)).toBe(true);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    const files = readZip(new Uint8Array(await response.arrayBuffer()));
    const names = Object.keys(files).sort();
    expect(names).toEqual([`${APP_ID}20270306_业务明细(汇总).csv`, `${APP_ID}20270306_业务明细.csv`]);
    const detail = files[`${APP_ID}20270306_业务明细.csv`] ?? [];
    expect(detail[0]).toBe("#支付宝业务明细查询");
    const rows = detail.filter((line) => line !== "" && !line.startsWith("#"));
    expect(rows[0]?.split(",").slice(0, 3)).toEqual(["支付宝交易号", "商户订单号", "业务类型"]);
    expect(rows.slice(1).map((row) => row.split(","))).toEqual([
      expect.arrayContaining([tradeNo, "BILL_T1", "交易", "月度会员，连续包月", "19.90"]),
      expect.arrayContaining([tradeNo, "BILL_T1", "退款", "-5.00", "R1", "部分退款"]),
    ]);
    expect(detail.at(-2)).toBe("#导出时间：[2027-03-07 10:00:00]");
    const summary = files[`${APP_ID}20270306_业务明细(汇总).csv`] ?? [];
    expect(summary.find((line) => line.includes("合计"))).toBe(",合计,1,1,19.90,14.90,0.00,0.00,0.00,0.00,0.00,14.90");
  });

  it("lets the address expire after 30 seconds", async () => {
    await harness.post("/sandbox/clock", { now: "2027-03-07T10:00:00+08:00" });
    const url = billDownloadUrlQueryResponseSchema.parse(await ask("2027-03-06")).bill_download_url ?? "";
    await harness.post("/sandbox/clock", { now: "2027-03-07T10:00:31+08:00" });
    expect((await fetch(url)).status).toBe(404);
  });
});
