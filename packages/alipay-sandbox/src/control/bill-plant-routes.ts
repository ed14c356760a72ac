import { alipayAmountToFen, formatAlipayDateTime } from "@paysign/contracts";
import express, { type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { createTradeNo } from "../state/ids.ts";
import type { Trade } from "../state/types.ts";
import { PlantRefundBody, PlantTradeBody } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";
import { viewTrade } from "./record-views.ts";

/**
 * Test hooks for the daily bill (docs/alipay-protocol.md §21): a paid trade Alipay has and the merchant never asked
 * for, and a refund made now. Neither moves a balance or sends a notification.
 */
export function createBillPlantRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  const { state } = deps.store;

  router.post("/sandbox/bill-plants/trades", (request, response) => {
    const body = parseBody(PlantTradeBody, request.body);
    const paidAt = formatAlipayDateTime(deps.clock.now());
    const trade: Trade = {
      tradeNo: createTradeNo(deps.clock.now()),
      outTradeNo: body.outTradeNo,
      appId: body.appId,
      agreementNo: body.agreementNo,
      userId: body.userId,
      totalAmountFen: alipayAmountToFen(body.totalAmount) ?? 0,
      subject: body.subject,
      productCode: "GENERAL_WITHHOLDING",
      tradeStatus: "TRADE_SUCCESS",
      gmtCreate: paidAt,
      gmtPayment: paidAt,
      notifyUrl: null,
    };
    state.trades[trade.tradeNo] = trade;
    deps.store.save();
    response.json(viewTrade(trade));
  });

  router.post("/sandbox/bill-plants/refunds", (request, response) => {
    const body = parseBody(PlantRefundBody, request.body);
    const trade = state.trades[body.tradeNo];
    if (!trade) throw new ControlError("NOT_FOUND", `no trade ${body.tradeNo}`);
    const refunds = trade.refunds ?? [];
    if (refunds.some((refund) => refund.outRequestNo === body.outRequestNo))
      throw new ControlError("CONFLICT", `the trade already has a refund ${body.outRequestNo}`);
    const refundAmountFen = alipayAmountToFen(body.refundAmount) ?? 0;
    const refundedFen = refunds.reduce((total, refund) => total + refund.refundAmountFen, 0);
    if (refundedFen + refundAmountFen > trade.totalAmountFen)
      throw new ControlError("CONFLICT", "the refunds would exceed the trade's amount");
    const refundedAt = deps.clock.now().toISOString();
    trade.refunds = [
      ...refunds,
      { outRequestNo: body.outRequestNo, refundAmountFen, refundedAt, ...(body.reason ? { reason: body.reason } : {}) },
    ];
    deps.store.save();
    response.json(viewTrade(trade));
  });
  return router;
}
