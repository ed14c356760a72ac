import { alipayAmountToFen } from "@paysign/contracts";
import {
  DEFAULT_SIGN_SCENE,
  PERSONAL_PRODUCT_CODES,
  PRODUCT_CODES,
  pageSignBizContentSchema,
  wireIntegerValue,
  type PageSignBizContent,
} from "@paysign/contracts/alipay";
import type { PeriodRule } from "../state/types.ts";

export type SignTerms = {
  personalProductCode: string;
  productCode: string | null;
  signScene: string;
  externalAgreementNo: string | null;
  externalLogonId: string | null;
  channel: string;
  periodRule: PeriodRule | null;
  validity: { amount: number; unit: "d" | "m" } | null;
  effectType: "DIRECT" | "NOTICE" | "ALLOW_INACTIVATE";
  thirdPartyType: string;
  signUserId: string | null;
};

export type RuleOutcome = { ok: true; terms: SignTerms } | { ok: false; reason: string };

/** §0: which sales product_code pairs with which personal_product_code (a swapped pair is a common 7002). */
const PRODUCT_PAIRS: Record<string, readonly string[]> = {
  [PRODUCT_CODES.CYCLE_PAY_AUTH]: [PERSONAL_PRODUCT_CODES.CYCLE_PAY_AUTH_P],
  [PRODUCT_CODES.GENERAL_WITHHOLDING]: [
    PERSONAL_PRODUCT_CODES.CYCLE_PAY_AUTH_P,
    PERSONAL_PRODUCT_CODES.GENERAL_WITHHOLDING_P,
  ],
};
const KNOWN_PERSONAL_PRODUCTS: readonly string[] = Object.values(PERSONAL_PRODUCT_CODES);

function toFen(value: string | number): number {
  return alipayAmountToFen(value) ?? 0;
}

function readPeriodRule(params: NonNullable<PageSignBizContent["period_rule_params"]>): PeriodRule {
  return {
    periodType: params.period_type,
    period: wireIntegerValue(params.period),
    executeTime: params.execute_time,
    singleAmountFen: toFen(params.single_amount),
    totalAmountFen: params.total_amount === undefined ? null : toFen(params.total_amount),
    totalPayments: params.total_payments === undefined ? null : wireIntegerValue(params.total_payments),
  };
}

function readValidity(text: string | undefined): SignTerms["validity"] {
  if (text === undefined) return null;
  return { amount: Number(text.slice(0, -1)), unit: text.endsWith("d") ? "d" : "m" };
}

function readSignUserId(biz: PageSignBizContent): string | null {
  const value = biz.identity_params?.sign_user_id;
  return typeof value === "string" && value !== "" ? value : null;
}

/** Rules beyond the shape the contracts schema checks: known products, their pairing, the configured cap. */
function findExtraViolation(biz: PageSignBizContent, rule: PeriodRule | null, capFen: number | null): string | null {
  if (!KNOWN_PERSONAL_PRODUCTS.includes(biz.personal_product_code)) {
    return `personal_product_code ${biz.personal_product_code} 无效（CYCLE_PAY_AUTH_P 或 GENERAL_WITHHOLDING_P）`;
  }
  const productCode = biz.product_code;
  if (productCode !== undefined && !(PRODUCT_PAIRS[productCode] ?? []).includes(biz.personal_product_code)) {
    return `product_code ${productCode} 与 personal_product_code ${biz.personal_product_code} 不匹配（是否填反了？）`;
  }
  if (rule && capFen !== null && rule.singleAmountFen > capFen) return "single_amount 超过周期扣款单笔限额";
  return null;
}

/**
 * Every biz_content rule of docs/alipay-protocol.md §2 (7002 with the reason): the shape and Alipay's rules from the
 * contracts' pageSignBizContentSchema, then the product pairing and the configured single-amount cap.
 */
export function validatePageSignBiz(raw: Record<string, unknown>, capFen: number | null): RuleOutcome {
  const parsed = pageSignBizContentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    return { ok: false, reason: `开通失败 ILLEGAL_PARAMS：${where}${issue?.message ?? "biz_content 不合法"}` };
  }
  const biz = parsed.data;
  const periodRule = biz.period_rule_params ? readPeriodRule(biz.period_rule_params) : null;
  const violation = findExtraViolation(biz, periodRule, capFen);
  if (violation) return { ok: false, reason: violation };
  return {
    ok: true,
    terms: {
      personalProductCode: biz.personal_product_code,
      productCode: biz.product_code ?? null,
      signScene: biz.sign_scene ?? DEFAULT_SIGN_SCENE,
      externalAgreementNo: biz.external_agreement_no ?? null,
      externalLogonId: biz.external_logon_id ?? null,
      channel: biz.access_params.channel,
      periodRule,
      validity: readValidity(biz.sign_validity_period),
      effectType: biz.agreement_effect_type ?? "DIRECT",
      thirdPartyType: biz.third_party_type ?? "PARTNER",
      signUserId: readSignUserId(biz),
    },
  };
}
