import { NOTIFY_ACK, NOTIFY_RETRY, NOTIFY_TYPES } from "@paysign/contracts/alipay";
import express, { Router, type ErrorRequestHandler } from "express";
import { isDatabaseUnavailable, isLockTimeout } from "../http/database-errors.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { ingestNotification, type NotificationDeps } from "../notifications/intake.ts";
import { readNotifyForm } from "../notifications/notify-form.ts";

/**
 * POST /alipay/notify. Alipay posts a form, sometimes with a content type body parsers do not expect
 * (alipay-sdk-nodejs-all#15) and in the charset of the request or of the app (GBK among them,
 * docs/alipay-protocol.md §18.1), so every body is read raw and decoded here. The answer is the bare text Alipay expects:
 * `success` only once the effect is durable; anything else makes it deliver again.
 */
export function notifyRoute(
  deps: Omit<NotificationDeps, "alipay"> & {
    alipay: NotificationDeps["alipay"] | undefined;
    metrics?: Metrics | undefined;
  },
): Router {
  const router = Router();
  // notify_type is the sender's text: only the known types become label values.
  const count = (notifyType: string | undefined, outcome: string) =>
    deps.metrics?.notifications.inc({
      type: NOTIFY_TYPES.find((known) => known === notifyType) ?? "other",
      outcome,
    });
  router.post("/alipay/notify", express.raw({ type: () => true, limit: "64kb" }), async (req, res) => {
    const answer = (status: number, text: string) => res.status(status).type("text/plain").send(text);
    const form = Buffer.isBuffer(req.body) ? readNotifyForm(req.body, req.get("content-type")) : undefined;
    if (!form?.ok || !deps.alipay) {
      req.log.warn(
        { configured: Boolean(deps.alipay), reason: form?.ok === false ? form.reason : "no form body" },
        "notification refused: unreadable form or Alipay not configured",
      );
      answer(400, NOTIFY_RETRY);
      count(form?.ok ? form.params.notify_type : undefined, "REFUSED");
      return;
    }
    const { params, charset } = form;
    try {
      const result = await ingestNotification({ ...deps, logger: req.log, alipay: deps.alipay }, params, charset);
      answer(result.acknowledge ? 200 : 400, result.acknowledge ? NOTIFY_ACK : NOTIFY_RETRY);
      count(params.notify_type, result.outcome);
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      const lockTimeout = isLockTimeout(error);
      if (lockTimeout) {
        req.log.warn(
          { err: error, notifyId: params.notify_id },
          "notification not recorded: its agreement stayed locked by another transaction past the lock timeout; Alipay will retry",
        );
      } else {
        req.log.error(
          { err: error, notifyId: params.notify_id },
          unavailable ? "notification not recorded: database unavailable; Alipay will retry" : "notification failed",
        );
      }
      answer(unavailable ? 503 : 500, NOTIFY_RETRY);
      count(params.notify_type, unavailable ? "DATABASE_UNAVAILABLE" : lockTimeout ? "LOCK_TIMEOUT" : "ERROR");
    }
  });
  // A body the reader refuses (too large) is answered the way Alipay expects.
  // eslint-disable-next-line max-params -- Express tells an error middleware by its four parameters
  router.use("/alipay/notify", ((error, req, res, _next) => {
    req.log.warn({ err: error }, "notification refused: unreadable form");
    res.status(400).type("text/plain").send(NOTIFY_RETRY);
  }) as ErrorRequestHandler);
  return router;
}
