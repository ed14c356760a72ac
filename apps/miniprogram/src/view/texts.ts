/**
 * Customer-facing sentences for states that need more than a status label, in Chinese (shown) and English. The
 * status labels themselves are the contracts' AGREEMENT_STATUS_LABELS / CHARGE_STATUS_LABELS.
 */
import type { MoneyTotals, RefundStatus } from "@paysign/contracts/mini";

type Text = { zh: string; en: string };

export const AGREEMENT_NOTES = {
  /** 409 CONFLICT on subscribe: the customer already holds a live agreement for the plan. */
  ALREADY_SUBSCRIBED: {
    zh: "你已开通这个方案，已为你打开现有的协议。",
    en: "You already subscribe to this plan; here is your agreement.",
  },
  /** An agreement signed while another of the same plan was live: ABANDONED, unsigned by the server (§17.6). */
  DUPLICATE: {
    title: { zh: "你已开通这个方案", en: "You already subscribe to this plan" },
    zh: "这次签约与你生效中的协议重复，不会扣款，系统会自动为你解约。",
    en: "This signing duplicates your live agreement: it is never charged and will be cancelled for you.",
  },
  /** ABANDONED without a duplicate: the signing was never confirmed. */
  ABANDONED: {
    zh: "签约没有完成，这份协议不会扣款。如需开通，请重新选择方案。",
    en: "Signing was not completed; this agreement is never charged. Choose the plan again to subscribe.",
  },
  /** At least one period is PAST_DUE: the customer may want to act. */
  PAST_DUE: {
    zh: "有一期扣款没有成功，已逾期。请确认支付宝账户余额或扣款方式，如有疑问请联系商家。",
    en: "A period could not be charged and is past due. Check your Alipay balance or payment method, or contact us.",
  },
  PAUSED: {
    zh: "这份协议已在支付宝中暂停，暂停期间不会扣款。",
    en: "This agreement is paused in Alipay; nothing is charged while it is paused.",
  },
} as const satisfies Record<string, Text & { title?: Text }>;

export const CHARGE_NOTES = {
  PAST_DUE: {
    zh: "本期没有扣款成功，已逾期，不会再自动扣款。",
    en: "This period could not be charged; it is past due and will not be charged again automatically.",
  },
  UNKNOWN: {
    zh: "扣款结果正在与支付宝确认，请勿重复付款。",
    en: "The result is being confirmed with Alipay; please do not pay again.",
  },
} as const satisfies Record<string, Text & { title?: Text }>;

/** A refund's status as the customer reads it on its charge. */
export const REFUND_STATUS_TEXTS = {
  PENDING: { zh: "退款处理中", en: "Refund in progress" },
  SUCCEEDED: { zh: "已退款", en: "Refunded" },
  FAILED: { zh: "退款失败", en: "Refund failed" },
} as const satisfies Record<RefundStatus, Text>;

/** The agreement's money totals: what was charged, what went back (succeeded refunds only), and what was paid. */
export const TOTALS_LABELS = {
  charged: { zh: "已扣款", en: "Charged" },
  refunded: { zh: "已退款", en: "Refunded" },
  net: { zh: "实付", en: "Net paid" },
} as const satisfies Record<keyof MoneyTotals, Text>;
