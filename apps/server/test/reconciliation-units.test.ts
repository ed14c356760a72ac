import { zipSync } from "fflate";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { parseBillZip } from "../src/alipay/bill-file.ts";
import { billDateFor } from "../src/deductions/reconciliation.ts";
import { matchRefundLines, type BillLine } from "../src/domain/reconciliation-match.ts";
import { reconciliationSchedule } from "../src/jobs/job-runner.ts";

const gbk = (text: string) => new Uint8Array(iconv.encode(text, "gbk"));

describe("Alipay's bill file (docs/alipay-protocol.md §21)", () => {
  test("a GBK statement with Chinese subjects, comment lines and a summary file parses", () => {
    const detail = [
      "#支付宝业务明细查询",
      "#账号：[20880000000000000156]",
      "#-----------------------------------------业务明细列表----------------------------------------",
      "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）,商家实收（元）,退款批次号/请求号,备注",
      '2028050522001\t,C1,交易,"视频会员,连续包月",2028-05-05 10:00:00,2028-05-05 10:00:01,19.90,19.90,,',
      "2028050522001,C1,退款,视频会员,2028-05-05 10:00:00,2028-05-05 15:00:00,19.90,-5.00,R1,用户申请",
      "2028050522002,C2,冻结,音乐会员,2028-05-05 11:00:00,2028-05-05 11:00:00,9.90,9.90,,",
      "#-----------------------------------------业务明细列表结束------------------------------------",
      "#交易合计：1笔",
      "#导出时间：[2028-05-06 09:00:00]",
    ].join("\r\n");
    const summary = "#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数\r\n,合计,1\r\n";
    const zip = zipSync({ "summary.csv": gbk(summary), "detail.csv": gbk(detail) });

    expect(parseBillZip(zip)).toEqual<BillLine[]>([
      {
        type: "TRADE",
        tradeNo: "2028050522001",
        outTradeNo: "C1",
        subject: "视频会员,连续包月",
        completedAt: "2028-05-05 10:00:01",
        amountFen: 1990,
        outRequestNo: null,
      },
      {
        type: "REFUND",
        tradeNo: "2028050522001",
        outTradeNo: "C1",
        subject: "视频会员",
        completedAt: "2028-05-05 15:00:00",
        amountFen: 500,
        outRequestNo: "R1",
      },
    ]);
  });

  test("a zip without a detail file is refused", () => {
    const zip = zipSync({ "summary.csv": gbk("#支付宝业务汇总查询\r\n门店编号,门店名称\r\n") });
    expect(() => parseBillZip(zip)).toThrow(/no detail file/);
  });
});

describe("the refund pass", () => {
  const line = (outRequestNo: string, amountFen: number): BillLine => ({
    type: "REFUND",
    tradeNo: "T1",
    outTradeNo: "C1",
    subject: "会员",
    completedAt: "2028-05-05 15:00:00",
    amountFen,
    outRequestNo,
  });

  test("matches refund lines by out_request_no once refunds exist, and reports the rest", () => {
    const result = matchRefundLines({
      lines: [line("R1", 500), line("R2", 300), line("R3", 100), line("R4", 100)],
      refundByOutRequestNo: new Map([
        ["R1", { outRequestNo: "R1", amountFen: 500, succeeded: true }],
        ["R2", { outRequestNo: "R2", amountFen: 200, succeeded: true }],
        ["R3", { outRequestNo: "R3", amountFen: 100, succeeded: false }],
      ]),
    });
    expect(result.matched).toBe(1);
    expect(result.differences.map((d) => [d.outRequestNo, d.kind])).toEqual([
      ["R2", "AMOUNT_DIFFERS"],
      ["R3", "STATUS_DIFFERS"],
      ["R4", "MISSING_HERE"],
    ]);
  });
});

describe("the daily job's schedule", () => {
  test("runs at RECONCILIATION_HOUR in Asia/Shanghai and reconciles Shanghai's yesterday on a UTC host", () => {
    expect(reconciliationSchedule(2)).toEqual({ cron: "0 2 * * *", tz: "Asia/Shanghai" });
    // 2028-05-05 18:30 UTC is 02:30 on 05-06 in Shanghai: yesterday is 05-05 there (05-04 by the UTC day).
    expect(billDateFor(new Date("2028-05-05T18:30:00Z"))).toBe("2028-05-05");
    expect(billDateFor(new Date("2028-05-05T15:59:59Z"))).toBe("2028-05-04");
  });
});
