import { readObject, readText } from "../gateway/biz-fields.ts";
import { parseYuan } from "../money/yuan.ts";
import type { PeriodRule } from "../state/types.ts";
import { parseCalendarDate } from "../time/shanghai-time.ts";

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

/** §0: which sales product_code pairs with which personal_product_code. */
const PRODUCT_PAIRS: Record<string, readonly string[]> = {
  CYCLE_PAY_AUTH: ["CYCLE_PAY_AUTH_P"],
  GENERAL_WITHHOLDING: ["CYCLE_PAY_AUTH_P", "GENERAL_WITHHOLDING_P"],
};
const PERSONAL_PRODUCTS = ["CYCLE_PAY_AUTH_P", "GENERAL_WITHHOLDING_P"];
const CHANNELS = ["ALIPAYAPP", "QRCODE", "QRCODEORSMS"];
const EFFECT_TYPES = ["DIRECT", "NOTICE", "ALLOW_INACTIVATE"] as const;
const DEFAULT_SCENE = "DEFAULT|DEFAULT";

class RuleViolation extends Error {}

function fail(reason: string): never {
  throw new RuleViolation(reason);
}

function readPositiveInteger(source: Record<string, unknown>, key: string): number | null {
  const text = readText(source, key);
  if (text === null) return null;
  return /^\d{1,8}$/.test(text) && Number(text) > 0 ? Number(text) : fail(`period_rule_params.${key} 须为正整数`);
}

/** §2.3 and §11.8: all four of period_type/period/execute_time/single_amount; DAY ⇒ period ≥ 7; MONTH ⇒ day ≤ 28. */
function readPeriodRule(params: Record<string, unknown>, capFen: number | null): PeriodRule {
  const periodType = readText(params, "period_type");
  const period = readPositiveInteger(params, "period");
  const executeTime = readText(params, "execute_time");
  const singleAmountText = readText(params, "single_amount");
  if (!periodType || period === null || !executeTime || !singleAmountText) {
    fail("period_rule_params 须同时包含 period_type、period、execute_time、single_amount");
  }
  if (periodType !== "DAY" && periodType !== "MONTH") fail("period_type 只能是 DAY 或 MONTH");
  if (periodType === "DAY" && period < 7) fail("周期类型为 DAY 时 period 不能小于 7");
  const date = parseCalendarDate(executeTime);
  if (!date) fail("execute_time 须为真实日期 yyyy-MM-dd");
  if (periodType === "MONTH" && date.day > 28) fail("周期类型为 MONTH 时 execute_time 不能晚于每月28日");
  const singleAmountFen = parseYuan(singleAmountText);
  if (singleAmountFen === null || singleAmountFen <= 0) fail("single_amount 须为大于 0 的金额");
  if (capFen !== null && singleAmountFen > capFen) fail("single_amount 超过周期扣款单笔限额");
  const totalText = readText(params, "total_amount");
  const totalAmountFen = totalText === null ? null : parseYuan(totalText);
  if (totalText !== null && (totalAmountFen === null || totalAmountFen <= 0)) fail("total_amount 须为大于 0 的金额");
  const totalPayments = readPositiveInteger(params, "total_payments");
  return { periodType, period, executeTime, singleAmountFen, totalAmountFen, totalPayments };
}

function readValidity(text: string | null): SignTerms["validity"] {
  if (text === null) return null;
  const match = /^(\d{1,6})([dm])$/.exec(text);
  if (!match || Number(match[1]) <= 0) fail("sign_validity_period 须为整数加单位 d 或 m，如 2m");
  return { amount: Number(match[1]), unit: match[2] === "d" ? "d" : "m" };
}

function readTerms(biz: Record<string, unknown>, capFen: number | null): SignTerms {
  const personalProductCode = readText(biz, "personal_product_code") ?? fail("personal_product_code 必填");
  if (!PERSONAL_PRODUCTS.includes(personalProductCode)) fail(`personal_product_code ${personalProductCode} 无效`);
  const productCode = readText(biz, "product_code");
  if (productCode !== null && !(PRODUCT_PAIRS[productCode] ?? []).includes(personalProductCode)) {
    fail(`product_code ${productCode} 与 personal_product_code ${personalProductCode} 不匹配（是否填反了？）`);
  }
  const channel = readText(readObject(biz, "access_params") ?? {}, "channel");
  if (!channel || !CHANNELS.includes(channel)) fail("access_params.channel 必填：ALIPAYAPP、QRCODE 或 QRCODEORSMS");
  const periodParams = readObject(biz, "period_rule_params");
  if (personalProductCode === "CYCLE_PAY_AUTH_P" && !periodParams) fail("CYCLE_PAY_AUTH_P 必须传 period_rule_params");
  if (personalProductCode !== "CYCLE_PAY_AUTH_P" && periodParams) fail("非周期扣款产品不能传 period_rule_params");
  const externalAgreementNo = readText(biz, "external_agreement_no");
  if (externalAgreementNo !== null && !/^[A-Za-z0-9]{1,32}$/.test(externalAgreementNo)) {
    fail("external_agreement_no 最长32位，只能是字母和数字");
  }
  const signScene = readText(biz, "sign_scene") ?? DEFAULT_SCENE;
  if (externalAgreementNo !== null && signScene === DEFAULT_SCENE) {
    fail("传入 external_agreement_no 时 sign_scene 必填且不能为 DEFAULT|DEFAULT");
  }
  const effectType = readText(biz, "agreement_effect_type") ?? "DIRECT";
  const knownEffect = EFFECT_TYPES.find((candidate) => candidate === effectType);
  if (!knownEffect) fail("agreement_effect_type 只能是 DIRECT、NOTICE 或 ALLOW_INACTIVATE");
  return {
    personalProductCode,
    productCode,
    signScene,
    externalAgreementNo,
    externalLogonId: readText(biz, "external_logon_id"),
    channel,
    periodRule: periodParams ? readPeriodRule(periodParams, capFen) : null,
    validity: readValidity(readText(biz, "sign_validity_period")),
    effectType: knownEffect,
    thirdPartyType: readText(biz, "third_party_type") ?? "PARTNER",
    signUserId: readText(readObject(biz, "identity_params") ?? {}, "sign_user_id"),
  };
}

/** Every biz_content rule of alipay-protocol.md §2; a violation is a 7002 with the reason. */
export function validatePageSignBiz(biz: Record<string, unknown>, capFen: number | null): RuleOutcome {
  try {
    return { ok: true, terms: readTerms(biz, capFen) };
  } catch (error) {
    if (error instanceof RuleViolation) return { ok: false, reason: error.message };
    throw error;
  }
}
