import type { CalendarDate, ChargeStatus, ReconciliationDifferenceKind } from "@paysign/contracts";

/** One line of Alipay's daily `trade` bill (docs/alipay-protocol.md §21). Amounts in integer fen, always positive. */
export type BillLine = {
  type: "TRADE" | "REFUND";
  tradeNo: string;
  outTradeNo: string;
  subject: string;
  /** 完成时间: the payment (TRADE) or refund (REFUND) time, `yyyy-MM-dd HH:mm:ss` Asia/Shanghai. */
  completedAt: string;
  /** TRADE: the order amount; REFUND: the amount refunded. */
  amountFen: number;
  /** REFUND: the refund's out_request_no (退款批次号/请求号). */
  outRequestNo: string | null;
};

/** One of our charges as the reconciliation sees it. Amounts in integer fen. */
export type ChargeFacts = {
  chargeId: string;
  status: ChargeStatus;
  amountFen: number;
  tradeNo: string | null;
  /** The Asia/Shanghai day it was paid, when paid. */
  paidDay: CalendarDate | null;
  /** An attempt is PROCESSING or UNKNOWN: trade.query (the engine's reconcile path) can settle it. */
  hasOpenAttempt: boolean;
};

/** One of our refunds: matched with refund lines by out_request_no. */
export type RefundFacts = { outRequestNo: string; amountFen: number; succeeded: boolean };

export type FoundDifference = {
  kind: ReconciliationDifferenceKind;
  lineType: "TRADE" | "REFUND";
  outTradeNo: string | null;
  tradeNo: string | null;
  outRequestNo: string | null;
  chargeId: string | null;
  alipayAmountFen: number | null;
  ourAmountFen: number | null;
  alipayStatus: string | null;
  ourStatus: string | null;
  detail: string;
  suggestedAction: string;
  /** trade.query can settle it: the charge has an open attempt. */
  settleable: boolean;
};

export type MatchResult = { matched: number; differences: FoundDifference[] };

const blank = {
  outTradeNo: null,
  tradeNo: null,
  outRequestNo: null,
  chargeId: null,
  alipayAmountFen: null,
  ourAmountFen: null,
  alipayStatus: null,
  ourStatus: null,
  settleable: false,
} as const;

const ACTIONS = {
  tradeMissingHere:
    "Alipay holds a paid trade this system has no attempt for: look the trade up (trade.query) and refund it unless someone owes it",
  missingAtAlipay:
    "ask trade.query for this trade number: if Alipay has no such paid trade, the charge was recorded as paid wrongly; reopen it and tell the customer's support",
  amountDiffers: "compare with trade.query: correct our charge, or refund the excess to the customer",
  statusDiffers:
    "trade.query settles it through the deduction engine; if still open, check the charge and its attempts",
  dateDiffers: "the payment is recorded on another day: check the charge's paid time against trade.query",
  duplicate: "a second paid trade for one period: refund one of them (the later one)",
  refundMissingHere:
    "no refund with this out_request_no here: record a refund made outside this system, or investigate",
  refundAmount: "compare with refund.query: correct our refund record",
  refundStatus: "our refund is not marked as succeeded: settle it with refund.query",
} as const;

const PAID_AT_ALIPAY = "TRADE_SUCCESS";

/**
 * Matches the payment lines of one day's bill with our charges (docs/alipay-protocol.md §21). `chargeByOutTradeNo`
 * holds the charge of every attempt whose out_trade_no a line names; `paidThatDay` our charges paid on `billDate`.
 * Each line is matched once: with no charge it is MISSING_HERE; a second paid trade for a charge is DUPLICATE_TRADE;
 * a paid line for a charge we do not hold as paid by that trade is STATUS_DIFFERS (settleable when an attempt is
 * open); an amount not ours is AMOUNT_DIFFERS. A charge paid that day whose trade the bill lacks is MISSING_AT_ALIPAY.
 */
export function matchTradeLines(input: {
  billDate: CalendarDate;
  lines: readonly BillLine[];
  chargeByOutTradeNo: ReadonlyMap<string, ChargeFacts>;
  paidThatDay: readonly ChargeFacts[];
}): MatchResult {
  const differences: FoundDifference[] = [];
  let matched = 0;
  const byCharge = new Map<string, { charge: ChargeFacts; lines: BillLine[] }>();
  for (const line of input.lines) {
    const charge = input.chargeByOutTradeNo.get(line.outTradeNo);
    if (!charge) {
      differences.push({
        ...blank,
        ...lineFields(line),
        kind: "MISSING_HERE",
        lineType: "TRADE",
        detail: `Alipay's bill has trade ${line.tradeNo} (${line.outTradeNo}) paid at ${line.completedAt}; no charge here`,
        suggestedAction: ACTIONS.tradeMissingHere,
      });
      continue;
    }
    const group = byCharge.get(charge.chargeId) ?? { charge, lines: [] };
    group.lines.push(line);
    byCharge.set(charge.chargeId, group);
  }
  for (const { charge, lines } of byCharge.values()) {
    const own = charge.status === "SUCCEEDED" ? lines.find((line) => line.tradeNo === charge.tradeNo) : lines[0];
    for (const line of lines) {
      const found = line === own ? compareOwnLine(line, charge, input.billDate) : [duplicateOf(line, charge)];
      if (found.length === 0) matched++;
      differences.push(...found);
    }
  }
  const billTradeNos = new Set(input.lines.map((line) => line.tradeNo));
  for (const charge of input.paidThatDay) {
    if (charge.tradeNo && billTradeNos.has(charge.tradeNo)) continue;
    differences.push({
      ...blank,
      ...chargeFields(charge),
      kind: "MISSING_AT_ALIPAY",
      lineType: "TRADE",
      detail: `charge paid on ${input.billDate} by trade ${charge.tradeNo ?? "(none)"}; Alipay's bill has no such line`,
      suggestedAction: ACTIONS.missingAtAlipay,
    });
  }
  return { matched, differences };
}

function lineFields(line: BillLine) {
  return {
    outTradeNo: line.outTradeNo,
    tradeNo: line.tradeNo,
    alipayAmountFen: line.amountFen,
    alipayStatus: PAID_AT_ALIPAY,
  };
}

function chargeFields(charge: ChargeFacts) {
  return {
    chargeId: charge.chargeId,
    ourAmountFen: charge.amountFen,
    ourStatus: charge.status,
    tradeNo: charge.tradeNo,
  };
}

function duplicateOf(line: BillLine, charge: ChargeFacts): FoundDifference {
  return {
    ...blank,
    ...chargeFields(charge),
    ...lineFields(line),
    kind: "DUPLICATE_TRADE",
    lineType: "TRADE",
    detail: `trade ${line.tradeNo} is a second paid trade for the period of charge ${charge.chargeId} (ours: ${charge.tradeNo ?? "none"})`,
    suggestedAction: ACTIONS.duplicate,
  };
}

function compareOwnLine(line: BillLine, charge: ChargeFacts, billDate: CalendarDate): FoundDifference[] {
  const both = { ...blank, ...chargeFields(charge), ...lineFields(line), lineType: "TRADE" as const };
  const found: FoundDifference[] = [];
  if (charge.status !== "SUCCEEDED") {
    found.push({
      ...both,
      kind: "STATUS_DIFFERS",
      detail: `Alipay has trade ${line.tradeNo} paid; the charge here is ${charge.status}`,
      suggestedAction: ACTIONS.statusDiffers,
      settleable: charge.hasOpenAttempt,
    });
  } else if (charge.paidDay !== billDate) {
    found.push({
      ...both,
      kind: "STATUS_DIFFERS",
      detail: `paid on ${billDate} at Alipay, on ${charge.paidDay ?? "(no day)"} here`,
      suggestedAction: ACTIONS.dateDiffers,
    });
  }
  if (line.amountFen !== charge.amountFen) {
    found.push({
      ...both,
      kind: "AMOUNT_DIFFERS",
      detail: `Alipay's trade ${line.tradeNo} is for ${line.amountFen} fen, the charge here for ${charge.amountFen} fen`,
      suggestedAction: ACTIONS.amountDiffers,
    });
  }
  return found;
}

/**
 * Matches the refund lines of one day's bill with our refunds by out_request_no (docs/alipay-protocol.md §14.2, §21).
 */
export function matchRefundLines(input: {
  lines: readonly BillLine[];
  refundByOutRequestNo: ReadonlyMap<string, RefundFacts>;
}): MatchResult {
  const differences: FoundDifference[] = [];
  let matched = 0;
  for (const line of input.lines) {
    const fields = {
      ...blank,
      outTradeNo: line.outTradeNo,
      tradeNo: line.tradeNo,
      outRequestNo: line.outRequestNo,
      alipayAmountFen: line.amountFen,
      alipayStatus: "REFUND_SUCCESS",
      lineType: "REFUND" as const,
    };
    const ours = line.outRequestNo ? input.refundByOutRequestNo.get(line.outRequestNo) : undefined;
    if (!ours) {
      const detail = `Alipay refunded ${line.amountFen} fen of trade ${line.tradeNo} (${line.outRequestNo ?? "no out_request_no"}); no refund here`;
      differences.push({ ...fields, kind: "MISSING_HERE", detail, suggestedAction: ACTIONS.refundMissingHere });
      continue;
    }
    const ourFields = { ...fields, ourAmountFen: ours.amountFen, ourStatus: ours.succeeded ? "SUCCEEDED" : "PENDING" };
    const found: FoundDifference[] = [];
    if (!ours.succeeded) {
      const detail = `Alipay refunded ${line.outRequestNo ?? ""}; our refund is not marked as succeeded`;
      found.push({ ...ourFields, kind: "STATUS_DIFFERS", detail, suggestedAction: ACTIONS.refundStatus });
    }
    if (ours.amountFen !== line.amountFen) {
      const detail = `Alipay refunded ${line.amountFen} fen, our refund is for ${ours.amountFen} fen`;
      found.push({ ...ourFields, kind: "AMOUNT_DIFFERS", detail, suggestedAction: ACTIONS.refundAmount });
    }
    if (found.length === 0) matched++;
    differences.push(...found);
  }
  return { matched, differences };
}
