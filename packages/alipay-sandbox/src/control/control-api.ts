import { z } from "zod";
import { alipayAmountToFen, type CalendarDate } from "@paysign/contracts";
import { GATEWAY_FAULT_MODES, NOTIFY_FAULT_MODES, type FaultMode } from "../faults/fault-store.ts";
import type { AgreementStatus, NotificationAttempt, TradeStatus } from "../state/types.ts";
import type { ControlErrorCode } from "./control-error.ts";
import { USER_ID_TYPES, type UserIdType } from "../users/user-identity.ts";

// The control API (`/sandbox/…`) in one place: the bodies the routes parse and the answers they send. The routes and
// the typed client (`createSandboxControl`) both use these, so a changed answer fails to compile on both sides.

const yuan = z.string().refine((value) => alipayAmountToFen(value) !== undefined, 'a yuan amount like "19.90"');
const userId = z.string().regex(/^2088\d{12}$/, "2088 followed by 12 digits");

export const CreateUserBody = z.object({
  userId: userId.optional(),
  logonId: z.string().min(1).optional(),
  balance: yuan.optional(),
});
export const BalanceBody = z.object({ balance: yuan });
export const AuthCodeBody = z.object({ userId });
export const ClockBody = z.object({ now: z.iso.datetime({ offset: true }) });
export const SignCenterBody = z.object({
  signStr: z.string().min(1),
  userId: z.string().min(1),
  decision: z.enum(["confirm", "cancel"]),
});
export const FaultBody = z.object({
  method: z.string().min(1),
  mode: z.enum([...GATEWAY_FAULT_MODES, ...NOTIFY_FAULT_MODES]),
  count: z.int().positive().optional(),
  applied: z.boolean().optional(),
  /** `merchant-refusal` only: one of contracts' MERCHANT_SIDE_PAY_SUB_CODES (default ACQ.MERCHANT_STATUS_NOT_NORMAL). */
  subCode: z.string().min(1).optional(),
});

/** A refund made in Alipay's merchant portal, outside paysign (docs/alipay-protocol.md §20.5). */
export const PortalRefundBody = z.object({
  amount: yuan,
  /** Absent: the portal picks one (`PORTAL` + digits). */
  outRequestNo: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/)
    .optional(),
  reason: z.string().max(256).optional(),
});

export const AppSettingsBody = z.object({ userIdType: z.enum(USER_ID_TYPES) });
export const AppGatewayBody = z.object({ appGatewayUrl: z.url().nullable() });

export type CreateUserInput = z.input<typeof CreateUserBody>;
export type AppSettingsInput = z.input<typeof AppSettingsBody>;
export type SignCenterInput = z.input<typeof SignCenterBody>;
export type FaultInput = z.input<typeof FaultBody>;
export type PortalRefundInput = z.input<typeof PortalRefundBody>;

/** The fixed interface of docs/product.md §6: `{ userId, logonId, balance }`. */
export type SandboxUserView = { userId: string; logonId: string; balance: string };

export type SandboxAuthCodeView = { authCode: string };

export type SandboxAppView = { appId: string; name: string | null; userIdType: UserIdType };

export type SandboxClockView = { now: string; alipayTime: string };

export type SandboxFaultView = {
  method: string;
  mode: FaultMode;
  count: number;
  applied: boolean;
  subCode?: string;
};

export type SandboxLateRequestsView = { held: number };

export type SandboxReleasedView = { released: number };

export type SandboxInfoView = {
  alipayPublicKey: string;
  apps: Array<SandboxAppView & { appGatewayUrl: string | null }>;
  /** `key` (public-key mode) or `cert` (public-key certificate mode, docs/alipay-protocol.md §19.3). */
  keyMode: "key" | "cert";
  deductionWindowDays: number;
  singleAmountCap: string | null;
  maxLiveAgreementsPerUser: number;
  timeScale: number;
  timestampToleranceMinutes: number | null;
};

/** Records use Alipay's snake_case names, like the spec's table (`agreement_no`, `trade_status`). */
export type SandboxAgreementView = {
  agreement_no: string;
  external_agreement_no: string | null;
  app_id: string;
  alipay_user_id: string;
  personal_product_code: string;
  product_code: string | null;
  sign_scene: string;
  status: AgreementStatus;
  expired: boolean;
  sign_time: string;
  valid_time: string;
  invalid_time: string;
  unsign_time: string | null;
  notify_url: string | null;
  period_type: "DAY" | "MONTH" | null;
  period: number | null;
  execute_time: CalendarDate | null;
  single_amount: string | null;
  total_amount: string | null;
  total_payments: number | null;
  next_deduct_date: CalendarDate | null;
  deducted_count: number;
  deducted_amount: string;
  last_deduct_time: string | null;
  modify_count: number;
};

export type SandboxTradeView = {
  trade_no: string;
  out_trade_no: string;
  agreement_no: string;
  app_id: string;
  buyer_user_id: string;
  total_amount: string;
  subject: string;
  product_code: string;
  trade_status: TradeStatus;
  gmt_create: string;
  gmt_payment: string | null;
  /** Cumulative refunded amount. */
  refund_fee: string;
  refunds: Array<{ out_request_no: string; refund_amount: string; refunded_at: string; reason: string | null }>;
};

export type SandboxNotificationView = {
  notifyId: string;
  notifyType: string;
  url: string;
  params: Record<string, string>;
  attempts: NotificationAttempt[];
  delivered: boolean;
};

export type SandboxAppGatewayView = { appId: string; appGatewayUrl: string | null };

export type SandboxResetView = { reset: true };

/** Every refusal of the control API: 400 / 404 / 409 (500 for a bug). */
export type ControlErrorBody = { error: { code: ControlErrorCode | "INTERNAL"; message: string } };

export const PlantTradeBody = z.strictObject({
  appId: z.string().min(1),
  outTradeNo: z.string().min(1).max(64),
  totalAmount: yuan,
  subject: z.string().min(1).default("对账测试"),
  agreementNo: z.string().default(""),
  userId: z.string().default(""),
});

export const PlantRefundBody = z.strictObject({
  tradeNo: z.string().min(1),
  outRequestNo: z.string().min(1).max(64),
  refundAmount: yuan,
  reason: z.string().optional(),
});

/** A paid trade planted for the daily bill (POST /sandbox/bill-plants/trades); amounts in yuan. */
export type PlantTradeInput = z.input<typeof PlantTradeBody>;

/** A refund planted on a trade, made at the sandbox's now (POST /sandbox/bill-plants/refunds). */
export type PlantRefundInput = z.input<typeof PlantRefundBody>;
