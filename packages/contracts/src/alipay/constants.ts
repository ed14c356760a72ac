/** Sales product codes (`product_code`, page.sign and trade.pay), docs/alipay-protocol.md §0. */
export const PRODUCT_CODES = {
  /** 周期扣款, the older standalone cycle product (no sandbox support at Alipay). */
  CYCLE_PAY_AUTH: "CYCLE_PAY_AUTH",
  /** 商家扣款 (2024/25) and 商户代扣. */
  GENERAL_WITHHOLDING: "GENERAL_WITHHOLDING",
} as const;
export type ProductCode = (typeof PRODUCT_CODES)[keyof typeof PRODUCT_CODES];

/** Agreement product codes (`personal_product_code`), §0. */
export const PERSONAL_PRODUCT_CODES = {
  /** Periodic agreements: `period_rule_params` required. */
  CYCLE_PAY_AUTH_P: "CYCLE_PAY_AUTH_P",
  /** Plain withholding: `period_rule_params` must not be sent. */
  GENERAL_WITHHOLDING_P: "GENERAL_WITHHOLDING_P",
} as const;
export type PersonalProductCode = (typeof PERSONAL_PRODUCT_CODES)[keyof typeof PERSONAL_PRODUCT_CODES];

/** The scene Alipay assumes when none is given; not allowed together with `external_agreement_no` (§2.1). */
export const DEFAULT_SIGN_SCENE = "DEFAULT|DEFAULT";
/** `INDUSTRY|XXX`, e.g. `INDUSTRY|DIGITAL_MEDIA` (§2.1). */
export const INDUSTRY_SIGN_SCENE_PATTERN = /^INDUSTRY\|[A-Z0-9_]+$/;
export const SIGN_SCENE_MAX_LENGTH = 64;

/** 商户签约号: letters and digits, 1–32 characters (§2.1). */
export const EXTERNAL_AGREEMENT_NO_PATTERN = /^[A-Za-z0-9]{1,32}$/;
/** 商户订单号: letters, digits and underscore, up to 64 (§8). */
export const OUT_TRADE_NO_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

/** `access_params.channel` (§2.2); mini programs use ALIPAYAPP. */
export const ACCESS_CHANNELS = ["ALIPAYAPP", "QRCODE", "QRCODEORSMS"] as const;
export const AGREEMENT_EFFECT_TYPES = ["DIRECT", "NOTICE", "ALLOW_INACTIVATE"] as const;
export const THIRD_PARTY_TYPES = ["PARTNER", "MERCHANT"] as const;

/** `trade_status` of trade.query and trade_status_sync (§9). */
export const TRADE_STATUSES = ["WAIT_BUYER_PAY", "TRADE_CLOSED", "TRADE_SUCCESS", "TRADE_FINISHED"] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export const SIGN_TYPES = ["RSA2", "RSA"] as const;
export type SignType = (typeof SIGN_TYPES)[number];

/** Production and sandbox gateways (§1.1). */
export const ALIPAY_GATEWAYS = {
  production: "https://openapi.alipay.com/gateway.do",
  sandbox: "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
} as const;

/** The only body that acknowledges a notification (§10.6); anything else makes Alipay retry. */
export const NOTIFY_ACK = "success";
/** A body that makes Alipay deliver the notification again. */
export const NOTIFY_RETRY = "fail";

/** Alipay's retry delays after the first delivery (§10.6): +4m, +10m, +10m, +1h, +2h, +6h, +15h. */
export const NOTIFY_RETRY_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((minutes) => minutes * 60_000);

/** Deduction window: [D − N, D], N = 5 in the 2024 docs, 3 in 2020 answers (§11.3) — make it configurable. */
export const DEFAULT_DEDUCT_WINDOW_DAYS = 5;
