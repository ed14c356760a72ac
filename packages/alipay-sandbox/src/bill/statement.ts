import { fenToYuan, formatAlipayDateTime, yuanToFen, type CalendarDate } from "@paysign/contracts";
import { stringify } from "csv-stringify/sync";
import { zipSync } from "fflate";
import iconv from "iconv-lite";
import { maskLogonId } from "../state/ids.ts";
import type { SandboxRefund, SandboxState, Trade } from "../state/types.ts";

/**
 * The columns of the detail file (业务明细) this sandbox writes, in Alipay's order (docs/alipay-protocol.md §21). The
 * ones it cannot know (stores, terminals, discounts, fees) are empty or 0.00.
 */
const BILL_DETAIL_COLUMNS = [
  "支付宝交易号",
  "商户订单号",
  "业务类型",
  "商品名称",
  "创建时间",
  "完成时间",
  "门店编号",
  "门店名称",
  "操作员",
  "终端号",
  "对方账户",
  "订单金额（元）",
  "商家实收（元）",
  "支付宝红包（元）",
  "集分宝（元）",
  "支付宝优惠（元）",
  "商家优惠（元）",
  "券核销金额（元）",
  "券名称",
  "商家红包消费金额（元）",
  "卡消费金额（元）",
  "退款批次号/请求号",
  "服务费（元）",
  "分润（元）",
  "备注",
] as const;

const SUMMARY_COLUMNS = [
  "门店编号",
  "门店名称",
  "交易订单总笔数",
  "退款订单总笔数",
  "订单金额（元）",
  "商家实收（元）",
  "支付宝优惠（元）",
  "商家优惠（元）",
  "卡消费金额（元）",
  "服务费（元）",
  "分润（元）",
  "实收净额（元）",
] as const;

type Row = string[];

const isOnDay = (alipayDateTime: string | null, day: CalendarDate) => alipayDateTime?.slice(0, 10) === day;

function tradeRow(trade: Trade, buyer: string): Row {
  const amount = fenToYuan(trade.totalAmountFen);
  const times = [trade.gmtCreate, trade.gmtPayment ?? ""];
  return [
    trade.tradeNo,
    trade.outTradeNo,
    "交易",
    trade.subject,
    ...times,
    "",
    "",
    "",
    "",
    buyer,
    amount,
    amount,
  ].concat(["0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", "", "0.00", "0.00", ""]);
}

function refundRow(trade: Trade, options: { refund: SandboxRefund; buyer: string }): Row {
  const { refund, buyer } = options;
  const refundedAt = formatAlipayDateTime(new Date(refund.refundedAt));
  const total = fenToYuan(trade.totalAmountFen);
  const refunded = `-${fenToYuan(refund.refundAmountFen)}`;
  return [trade.tradeNo, trade.outTradeNo, "退款", trade.subject, trade.gmtCreate, refundedAt, "", "", "", "", buyer]
    .concat([total, refunded, "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", refund.outRequestNo])
    .concat(["0.00", "0.00", refund.reason ?? ""]);
}

/** The lines of one app's bill for one Asia/Shanghai day: trades paid that day, then refunds made that day. */
export function billRows(state: SandboxState, options: { appId: string; day: CalendarDate }): Row[] {
  const trades = Object.values(state.trades).filter((trade) => trade.appId === options.appId);
  const buyerOf = (trade: Trade) => maskLogonId(state.users[trade.userId]?.logonId ?? "");
  const paid = trades
    .filter((trade) => isOnDay(trade.gmtPayment, options.day))
    .sort((a, b) => (a.gmtPayment ?? "").localeCompare(b.gmtPayment ?? ""))
    .map((trade) => tradeRow(trade, buyerOf(trade)));
  const refunds = trades.flatMap((trade) =>
    (trade.refunds ?? [])
      .filter((refund) => isOnDay(formatAlipayDateTime(new Date(refund.refundedAt)), options.day))
      .map((refund) => refundRow(trade, { refund, buyer: buyerOf(trade) })),
  );
  return [...paid, ...refunds];
}

const chineseDay = (day: CalendarDate) => `${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日`;

function signedFen(text: string): number {
  return text.startsWith("-") ? -yuanToFen(text.slice(1)) : yuanToFen(text);
}

function sumFen(rows: Row[], column: number): string {
  const fen = rows.reduce((total, row) => total + signedFen(row[column] ?? "0.00"), 0);
  return fen < 0 ? `-${fenToYuan(-fen)}` : fenToYuan(fen);
}

/**
 * The zip Alipay serves at `bill_download_url` (docs/alipay-protocol.md §21): a detail file and a summary file, CSV
 * in GBK, `#` comment lines before and after the header and rows. `now` is the export time written in the footer.
 */
export function buildBillZip(rows: Row[], options: { appId: string; day: CalendarDate; now: Date }): Uint8Array {
  const { appId, day, now } = options;
  const compact = day.replaceAll("-", "");
  const nextDay = new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000);
  const period = `#起始日期：[${chineseDay(day)} 00:00:00]   终止日期：[${formatAlipayDateTime(nextDay).slice(0, 10)} 00:00:00]`;
  const tradeRows = rows.filter((row) => row[2] === "交易");
  const trades = tradeRows.length;
  const refunds = rows.length - trades;
  const exported = `#导出时间：[${formatAlipayDateTime(now)}]`;
  const detail = [
    "#支付宝业务明细查询",
    `#账号：[${appId}]`,
    period,
    "#-----------------------------------------业务明细列表----------------------------------------",
    stringify([[...BILL_DETAIL_COLUMNS], ...rows], { record_delimiter: "windows" }).trimEnd(),
    "#-----------------------------------------业务明细列表结束------------------------------------",
    `#交易合计：${trades}笔，商家实收共${sumFen(rows, 12)}元`,
    exported,
  ];
  const summaryRow = ["", "合计", String(trades), String(refunds), sumFen(tradeRows, 11), sumFen(rows, 12)].concat([
    "0.00",
    "0.00",
    "0.00",
    "0.00",
    "0.00",
    sumFen(rows, 12),
  ]);
  const summary = [
    "#支付宝业务汇总查询",
    `#账号：[${appId}]`,
    period,
    "#-----------------------------------------业务汇总列表----------------------------------------",
    stringify([[...SUMMARY_COLUMNS], summaryRow], { record_delimiter: "windows" }).trimEnd(),
    "#-----------------------------------------业务汇总列表结束------------------------------------",
    exported,
  ];
  const gbk = (lines: string[]) => new Uint8Array(iconv.encode(`${lines.join("\r\n")}\r\n`, "gbk"));
  return zipSync({
    [`${appId}${compact}_业务明细.csv`]: gbk(detail),
    [`${appId}${compact}_业务明细(汇总).csv`]: gbk(summary),
  });
}
