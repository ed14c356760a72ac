import { alipayAmountToFen } from "@paysign/contracts";
import { parse } from "csv-parse/sync";
import { unzipSync } from "fflate";
import iconv from "iconv-lite";
import type { BillLine } from "../domain/reconciliation-match.ts";

const COLUMNS = {
  tradeNo: "支付宝交易号",
  outTradeNo: "商户订单号",
  type: "业务类型",
  subject: "商品名称",
  completedAt: "完成时间",
  orderAmount: "订单金额（元）",
  received: "商家实收（元）",
  outRequestNo: "退款批次号/请求号",
} as const;

function toFen(text: string, what: string): number {
  const fen = alipayAmountToFen(text.replace(/^-/, ""));
  if (fen === undefined) throw new Error(`the bill has an unreadable amount in ${what}: "${text}"`);
  return fen;
}

/**
 * Reads the zip behind `bill_download_url` (docs/alipay-protocol.md §21): GBK CSV files whose `#` lines are comments;
 * the detail file is the one whose header names 支付宝交易号 and 业务类型 (entry names are not relied on). Lines of
 * another business type than 交易 / 退款 are skipped. Throws when no detail file is found or a line is unreadable.
 */
export function parseBillZip(bytes: Uint8Array): BillLine[] {
  const files = Object.values(unzipSync(bytes)).map((content) => iconv.decode(Buffer.from(content), "gbk"));
  for (const text of files) {
    const body = text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .join("\n");
    const records: string[][] = parse(body, { relax_column_count: true, trim: true, bom: true });
    const header = records[0] ?? [];
    if (!header.includes(COLUMNS.tradeNo) || !header.includes(COLUMNS.type)) continue;
    const index = (name: string) => header.indexOf(name);
    const cell = (record: string[], name: string) => record[index(name)]?.trim() ?? "";
    return records.slice(1).flatMap((record): BillLine[] => {
      const kind = cell(record, COLUMNS.type);
      if (kind !== "交易" && kind !== "退款") return [];
      const refund = kind === "退款";
      const tradeNo = cell(record, COLUMNS.tradeNo);
      return [
        {
          type: refund ? "REFUND" : "TRADE",
          tradeNo,
          outTradeNo: cell(record, COLUMNS.outTradeNo),
          subject: cell(record, COLUMNS.subject),
          completedAt: cell(record, COLUMNS.completedAt),
          amountFen: toFen(cell(record, refund ? COLUMNS.received : COLUMNS.orderAmount), tradeNo),
          outRequestNo: refund ? cell(record, COLUMNS.outRequestNo) || null : null,
        },
      ];
    });
  }
  throw new Error("the bill zip holds no detail file (a CSV whose header names 支付宝交易号 and 业务类型)");
}
