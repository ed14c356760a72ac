import type { AlipayCharset } from "@paysign/contracts/alipay";
import type { CalendarDate } from "@paysign/contracts";

export type SandboxUser = { userId: string; logonId: string; balanceFen: number };

type AuthCode = { code: string; userId: string; used: boolean };

type AccessToken = { accessToken: string; refreshToken: string; userId: string };

export type PeriodRule = {
  periodType: "DAY" | "MONTH";
  period: number;
  executeTime: CalendarDate;
  singleAmountFen: number;
  totalAmountFen: number | null;
  totalPayments: number | null;
};

/**
 * Alipay's statuses (§2.6: TEMP, NORMAL, STOP — paused by the user in the Alipay app, §17.3) plus UNSIGN once
 * terminated; expiry is derived from invalid_time.
 */
export type AgreementStatus = "TEMP" | "NORMAL" | "STOP" | "UNSIGN";

export type Agreement = {
  agreementNo: string;
  appId: string;
  userId: string;
  externalAgreementNo: string | null;
  externalLogonId: string | null;
  personalProductCode: string;
  productCode: string | null;
  signScene: string;
  thirdPartyType: string;
  status: AgreementStatus;
  signTime: string;
  validTime: string;
  invalidTime: string;
  unsignTime: string | null;
  notifyUrl: string | null;
  /** The charset page.sign named: its notifications are sent in it (§18.1); absent, the app's. */
  notifyCharset?: AlipayCharset;
  periodRule: PeriodRule | null;
  nextDeductDate: CalendarDate | null;
  successCount: number;
  successSumFen: number;
  lastDeductTime: string | null;
  modifyCount: number;
};

export type TradeStatus = "WAIT_BUYER_PAY" | "TRADE_SUCCESS" | "TRADE_CLOSED";

/** One refund of a trade, in the order Alipay made them (docs/alipay-protocol.md §20); the bill lists them (§21). */
export type SandboxRefund = {
  outRequestNo: string;
  refundAmountFen: number;
  refundedAt: string /* ISO instant on the sandbox clock */;
  reason?: string;
};

export type Trade = {
  tradeNo: string;
  outTradeNo: string;
  appId: string;
  agreementNo: string;
  userId: string;
  totalAmountFen: number;
  subject: string;
  productCode: string;
  tradeStatus: TradeStatus;
  gmtCreate: string;
  gmtPayment: string | null;
  notifyUrl: string | null;
  /** The charset the trade.pay request named: its notifications are sent in it (§18.1); absent, the app's. */
  notifyCharset?: AlipayCharset;
  /** Refunds made through alipay.trade.refund or the control API ("outside paysign"), oldest first. */
  refunds?: SandboxRefund[];
  /** `yyyy-MM-dd HH:mm:ss` when a full refund closed the trade. */
  gmtClose?: string;
};

export type NotificationAttempt = {
  at: string;
  httpStatus: number;
  body: string;
  /**
   * Absent on an ordinary attempt. `dropped` (drop-notify: never reached the receiver), `duplicate` (duplicate-notify:
   * the same bytes again), `forged` (bad-sign-notify: a copy with an invalid sign), `redelivery` (control API).
   */
  note?: "dropped" | "duplicate" | "forged" | "redelivery";
};

/**
 * A notification as sent. Once created only `attempts` (appended) and `delivered` change: the state file reuses a
 * record's JSON until one of them does (state/store.ts).
 */
export type NotificationRecord = {
  notifyId: string;
  notifyType: string;
  url: string;
  params: Record<string, string>;
  /** The exact form body sent on every attempt (redelivery sends these bytes again). */
  rawBody: string;
  /** The charset of rawBody's bytes, named in the Content-Type (§18.1); absent means utf-8. */
  charset?: AlipayCharset;
  attempts: NotificationAttempt[];
  delivered: boolean;
};

export type SandboxState = {
  users: Record<string, SandboxUser>;
  authCodes: Record<string, AuthCode>;
  accessTokens: Record<string, AccessToken>;
  agreements: Record<string, Agreement>;
  trades: Record<string, Trade>;
  notifications: NotificationRecord[];
  clockOffsetMs: number;
};

export function createEmptyState(): SandboxState {
  return {
    users: {},
    authCodes: {},
    accessTokens: {},
    agreements: {},
    trades: {},
    notifications: [],
    clockOffsetMs: 0,
  };
}
