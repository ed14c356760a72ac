import { addDays, compareCalendarDates, shanghaiDateOf, type CalendarDate } from "@paysign/contracts";
import { parseBillZip } from "../alipay/bill-file.ts";
import { matchRefundLines, matchTradeLines, type BillLine } from "../domain/reconciliation-match.ts";
import { AppError, notFound } from "../errors.ts";
import {
  findChargesByOutTradeNos,
  findChargesPaidOn,
  findReconciliationRun,
  findReconciliationRuns,
  findRefundsByOutRequestNos,
  replaceReconciliationRun,
  type DifferenceToStore,
  type ReconciliationRunRow,
} from "../repositories/reconciliations.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { requireAlipay } from "../services/require-alipay.ts";
import { reconcileCharge } from "./charge-engine.ts";

/** The day the daily job reconciles: yesterday in Asia/Shanghai, whatever the host's TZ. */
export function billDateFor(now: Date): CalendarDate {
  return addDays(shanghaiDateOf(now), -1);
}

type Download = { ok: true; lines: BillLine[] } | { ok: false; reason: string };

/**
 * Asks for the day's bill address and reads the zip behind it (docs/alipay-protocol.md §21). `isp.bill_not_exist`
 * for a past day is an empty bill (Alipay writes no bill for a day without a line).
 */
async function downloadBill(deps: ServiceDeps, billDate: CalendarDate): Promise<Download> {
  const result = await requireAlipay(deps).call("alipay.data.dataservice.bill.downloadurl.query", {
    bill_type: "trade",
    bill_date: billDate,
  });
  if (result.kind !== "success") {
    if (result.subCode === "isp.bill_not_exist") return { ok: true, lines: [] };
    return { ok: false, reason: `bill.downloadurl.query: ${result.subCode ?? result.code ?? result.kind}` };
  }
  const url = result.response.bill_download_url;
  if (!url) return { ok: false, reason: "bill.downloadurl.query answered without bill_download_url" };
  const response = await fetch(url, { signal: AbortSignal.timeout(3 * (deps.config.alipay?.timeoutMs ?? 10_000)) });
  if (!response.ok) return { ok: false, reason: `the bill download answered HTTP ${response.status}` };
  try {
    return { ok: true, lines: parseBillZip(new Uint8Array(await response.arrayBuffer())) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Reconciles one Asia/Shanghai day of Alipay's bill with our charges (and, in a separate pass, refunds by
 * out_request_no) and stores the run in place of an earlier one of that day. Differences a trade.query can settle
 * (a paid line for a charge with an open attempt) go through the deduction engine's reconcile path and are marked
 * settled when the charge ends paid by that trade. A bill that cannot be had is stored as a FAILED run.
 * Throws BAD_REQUEST for today or a later day (Alipay serves T+1 only).
 */
export async function runReconciliation(deps: ServiceDeps, billDate: CalendarDate): Promise<ReconciliationRunRow> {
  const startedAt = await deps.clock.now();
  if (compareCalendarDates(billDate, shanghaiDateOf(startedAt)) >= 0)
    throw new AppError("BAD_REQUEST", "Alipay's bill of a day is ready the next day: pick a day before today.");
  const download = await downloadBill(deps, billDate);
  const db = deps.db.prisma;
  if (!download.ok) {
    deps.logger.error({ billDate, reason: download.reason }, "reconciliation: the bill could not be read");
    const finishedAt = await deps.clock.now();
    const failed = { tradeLines: 0, refundLines: 0, matchedLines: 0, differences: [] };
    const failedRun = {
      ...failed,
      billDate,
      status: "FAILED",
      failureReason: download.reason,
      startedAt,
      finishedAt,
    } as const;
    return db.$transaction((tx) => replaceReconciliationRun(tx, failedRun));
  }
  const tradeLines = download.lines.filter((line) => line.type === "TRADE");
  const refundLines = download.lines.filter((line) => line.type === "REFUND");
  const trades = matchTradeLines({
    billDate,
    lines: tradeLines,
    chargeByOutTradeNo: await findChargesByOutTradeNos(
      db,
      tradeLines.map((line) => line.outTradeNo),
    ),
    paidThatDay: await findChargesPaidOn(db, billDate),
  });
  const refunds = matchRefundLines({
    lines: refundLines,
    refundByOutRequestNo: await findRefundsByOutRequestNos(
      db,
      refundLines.flatMap((line) => (line.outRequestNo ? [line.outRequestNo] : [])),
    ),
  });
  const differences: DifferenceToStore[] = [];
  for (const difference of [...trades.differences, ...refunds.differences]) {
    differences.push({ ...difference, ...(await settleIfPossible(deps, difference)) });
  }
  const completed = {
    billDate,
    status: "COMPLETED",
    tradeLines: tradeLines.length,
    refundLines: refundLines.length,
    matchedLines: trades.matched + refunds.matched,
    failureReason: null,
    startedAt,
    finishedAt: await deps.clock.now(),
    differences,
  } as const;
  // One transaction: the earlier run of the day is replaced, never lost.
  const run = await db.$transaction((tx) => replaceReconciliationRun(tx, completed));
  deps.logger.info(
    { billDate, lines: download.lines.length, differences: run.differences, settled: run.settled },
    "reconciliation done",
  );
  return run;
}

async function settleIfPossible(
  deps: ServiceDeps,
  difference: { settleable: boolean; chargeId: string | null; tradeNo: string | null },
): Promise<{ settledAt: Date | null; settlement: string | null }> {
  const unsettled = { settledAt: null, settlement: null };
  if (!difference.settleable || !difference.chargeId) return unsettled;
  await reconcileCharge(deps, difference.chargeId);
  const charge = await deps.db.prisma.charge.findUnique({ where: { id: difference.chargeId } });
  if (charge?.status !== "SUCCEEDED" || charge.tradeNo !== difference.tradeNo) return unsettled;
  return {
    settledAt: await deps.clock.now(),
    settlement: `trade.query confirmed trade ${charge.tradeNo}: the charge is settled as paid`,
  };
}

/** The latest 90 days' runs, newest first (without their differences). */
export function listReconciliations(deps: ServiceDeps) {
  return findReconciliationRuns(deps.db.prisma, 90);
}

/** One day's run with its differences. Throws NOT_FOUND when that day was never reconciled. */
export async function getReconciliation(deps: ServiceDeps, billDate: CalendarDate): Promise<ReconciliationRunRow> {
  const run = await findReconciliationRun(deps.db.prisma, billDate);
  if (!run) throw notFound(`A reconciliation of ${billDate}`);
  return run;
}
