import {
  alipayNotificationSchema,
  NOTIFY_TYPES,
  type AlipayCharset,
  type AlipayNotification,
} from "@paysign/contracts/alipay";
import type { AlipayClient } from "../alipay/alipay-client.ts";
import type { Database } from "../db/prisma.ts";
import { applyTradeStatusSync, recordAlreadyPaidTrade } from "../deductions/trade-notification.ts";
import { applyRefundNotification, isRefundNotification } from "../refunds/refund-notification.ts";
import type { Clock } from "../clock.ts";
import type { SweepSchedule } from "../domain/sweep-schedule.ts";
import type { Logger } from "../logger.ts";
import type { InboxRow } from "../repositories/agreement-notification-sql.ts";
import { insertInboxRow, setInboxOutcome } from "../repositories/notification-inbox.ts";
import type { Tx } from "../repositories/transaction.ts";
import { redactAlipayFields } from "../services/redact.ts";
import { applyAgreementNotification } from "./agreement-notification.ts";
import type { Applied } from "./applied.ts";

/**
 * `clock` gives the day a signing takes effect on (docs/alipay-protocol.md §17.1); without it, D is never held back.
 * `sweep` schedules the agreement sweep's next look at an agreement a notification confirmed.
 */
export type NotificationDeps = {
  db: Database;
  alipay: AlipayClient;
  logger: Logger;
  clock?: Clock | undefined;
  sweep: SweepSchedule;
};

/** `acknowledge` → answer `success` (the effect is durable, or was already); otherwise `fail`, so Alipay retries. */
export type IngestResult = {
  acknowledge: boolean;
  outcome: Applied["outcome"] | "DUPLICATE" | "REFUSED";
  detail: string;
};

type Trace = { notifyId: string | undefined; notifyType: string | undefined; appId: string | undefined };

/**
 * One Alipay notification, exactly once: verify the signature and the app, then dispatch by `notify_type` —
 * dut_user_sign / dut_user_unsign to the agreement lifecycle, trade_status_sync to the deductions module — each
 * recording it (unique notify_id) and applying its effect with its event in one transaction. Duplicates change
 * nothing; forged or foreign ones, and ones that verify but do not parse, are logged and never stored.
 * `params` are the decoded form; `charset` the one it was sent in, whose bytes were signed (§18.1).
 */
export async function ingestNotification(
  deps: NotificationDeps,
  params: Record<string, string>,
  charset: AlipayCharset = "utf-8",
): Promise<IngestResult> {
  const { logger } = deps;
  const trace: Trace = { notifyId: params.notify_id, notifyType: params.notify_type, appId: params.app_id };
  const refused = verify(deps.alipay, params, charset);
  if (refused) {
    logger.warn(trace, `notification refused: ${refused}`);
    return { acknowledge: false, outcome: "REFUSED", detail: refused };
  }
  const inbox: InboxRow = {
    notifyId: params.notify_id ?? "",
    // Messages of Alipay's message service name themselves by msg_method instead (§17.4).
    notifyType: params.notify_type ?? params.msg_method ?? "",
    appId: params.app_id ?? "",
    agreementNo: params.agreement_no ?? null,
    outTradeNo: params.out_trade_no ?? null,
    params: redactAlipayFields(params),
  };
  // A message naming no type at all is not one the server acts on either: refused, Alipay would redeliver it forever.
  const untyped = params.notify_type === undefined && params.msg_method === undefined;
  if (
    untyped ||
    (!(NOTIFY_TYPES as readonly string[]).includes(params.notify_type ?? "") &&
      messageTypeFormat.test(inbox.notifyType))
  ) {
    return acknowledge(deps, trace, await recordIgnored(deps, inbox));
  }
  const parsed = alipayNotificationSchema.safeParse(params);
  if (!parsed.success) {
    // Never a new inbox row: what verifies but does not parse may be a genuine message re-cut along the signed
    // text (a value padded with `&key=…` of the next key), and would otherwise be stored as another notification.
    const detail = unexpectedFields(parsed.error.issues);
    logger.warn({ ...trace, detail }, "notification refused: verified but unparsable");
    return { acknowledge: false, outcome: "REFUSED", detail };
  }
  return acknowledge(deps, trace, await dispatch(deps, inbox, parsed.data));
}

function acknowledge(deps: NotificationDeps, trace: Trace, applied: Applied | "duplicate"): IngestResult {
  const { logger } = deps;
  if (applied === "duplicate") {
    logger.info(trace, "duplicate notification: already recorded, nothing changes");
    return { acknowledge: true, outcome: "DUPLICATE", detail: "already recorded" };
  }
  const level = applied.outcome === "MISMATCH" || applied.outcome === "UNKNOWN_TARGET" ? "warn" : "info";
  logger[level]({ ...trace, outcome: applied.outcome, detail: applied.detail }, "notification recorded");
  return { acknowledge: true, ...applied };
}

/**
 * A notify_id as Alipay makes them: 34 digits in every example (docs/alipay-protocol.md §10.2, §12); letters, `-` and
 * `_` are let through too, but never `&` or `=`, with which a value could absorb the next key of the signed text.
 */
const notifyIdFormat = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The name of a message type (`open_app_auth_notify`, `zhima.credit.payafteruse.creditagreement.changed`). Without
 * `&` or `=`, a value re-cut along the signed text (a known type absorbing the next key) is never taken for an
 * unknown type and stored under the genuine notification's notify_id.
 */
const messageTypeFormat = /^[A-Za-z0-9_.]{1,128}$/;

/** Why a notification is not believed (docs/alipay-protocol.md §10.5), or undefined when it is. */
function verify(alipay: AlipayClient, params: Record<string, string>, charset: AlipayCharset): string | undefined {
  if (params.sign_type !== undefined && params.sign_type !== alipay.signType)
    return `it names sign_type ${params.sign_type}, not the app's ${alipay.signType}`;
  if (!alipay.verifyNotification(params, charset)) return "its signature does not verify with the Alipay public key";
  if (params.app_id !== alipay.appId) return "it is for another app_id";
  if (!params.notify_id) return "no notify_id";
  if (!notifyIdFormat.test(params.notify_id)) return "its notify_id is not in Alipay's format";
  return undefined;
}

function unexpectedFields(issues: ReadonlyArray<{ path: PropertyKey[] }>): string {
  const fields = issues.map((issue) => issue.path.map(String).join(".") || "notify_type").join(", ");
  return `unexpected fields: ${fields}`;
}

function dispatch(
  deps: NotificationDeps,
  inbox: InboxRow,
  notification: AlipayNotification,
): Promise<Applied | "duplicate"> {
  switch (notification.notify_type) {
    case "dut_user_sign":
    case "dut_user_unsign":
      return applyAgreementNotification(deps, inbox, notification);
    case "trade_status_sync":
      if (isRefundNotification(notification))
        return recordInTransaction(deps, inbox, (tx) => applyRefundNotification(tx, notification));
      return dispatchTrade(deps, inbox, notification);
  }
}

/** A trade the engine already settled as paid costs one statement; any other goes to the deductions transaction. */
async function dispatchTrade(
  deps: NotificationDeps,
  inbox: InboxRow,
  notification: Extract<AlipayNotification, { notify_type: "trade_status_sync" }>,
): Promise<Applied | "duplicate"> {
  const settled = await recordAlreadyPaidTrade(deps, inbox, notification);
  return settled ?? recordInTransaction(deps, inbox, (tx) => applyTradeStatusSync(tx, notification));
}

/**
 * A verified message of a type the server does not act on (app-level messages of the app gateway, §17.4): recorded
 * IGNORED with its type, so Alipay gets `success` and stops retrying, and an operator can see what arrived.
 */
function recordIgnored(deps: NotificationDeps, inbox: InboxRow): Promise<Applied | "duplicate"> {
  const detail = `not acted on: ${inbox.notifyType || "no notify_type"}`;
  return recordInTransaction(deps, inbox, () => Promise.resolve({ outcome: "IGNORED", detail }));
}

/** The inbox row and the notification's effect in one Prisma transaction (trade_status_sync). */
function recordInTransaction(
  deps: NotificationDeps,
  inbox: InboxRow,
  apply: (tx: Tx) => Promise<Applied>,
): Promise<Applied | "duplicate"> {
  return deps.db.prisma.$transaction(async (tx) => {
    if (!(await insertInboxRow(tx, inbox))) return "duplicate";
    const applied = await apply(tx);
    await setInboxOutcome(tx, { notifyId: inbox.notifyId, ...applied });
    return applied;
  });
}
