import { GATEWAY_SUB_CODES } from "./codes.ts";
import { isMutatingAlipayMethod, type AlipayMethod } from "./methods.ts";

/**
 * What a failed call means for the caller:
 * - `retryable`: it did not take effect; the same call later (trade.pay: a fresh out_trade_no, inside the window) may
 *   succeed.
 * - `definitive`: it did not take effect and retrying the same input will not help; act on it (move the agreement,
 *   fix configuration, stop).
 * - `unknown-outcome`: it may have taken effect. Never retry blind: reconcile first (trade.query / agreement.query,
 *   or the notification), docs/alipay-protocol.md §8.
 */
export type FailureClass = "retryable" | "definitive" | "unknown-outcome";
export type CallOutcome = "success" | FailureClass;

/**
 * `merchant`: the refusal concerns the merchant's side — its contract, account, app or limits with Alipay — not the
 * customer's (§16). The customer can do nothing about it; the operator must, and a later attempt may succeed once
 * the cause has cleared.
 */
export type SubCodeInfo = { message: string; class: FailureClass; note?: string; side?: "merchant" };

const unknownOutcome = (message: string, note?: string): SubCodeInfo => ({ message, class: "unknown-outcome", note });
const retryable = (message: string, note?: string): SubCodeInfo => ({ message, class: "retryable", note });
const definitive = (message: string, note?: string): SubCodeInfo => ({ message, class: "definitive", note });
const merchantSide = (info: SubCodeInfo): SubCodeInfo => ({ ...info, side: "merchant" });

const reSign = "the agreement is gone or unusable: move it to its state and stop charging";

/** `alipay.trade.pay` sub_codes (§8, §11), all with code 40004. */
const TRADE_PAY_SUB_CODES = {
  "ACQ.SYSTEM_ERROR": unknownOutcome("系统异常", "query the order with alipay.trade.query before anything else"),
  "ACQ.TRADE_HAS_SUCCESS": unknownOutcome(
    "交易已被支付",
    "this out_trade_no was already paid: alipay.trade.query will show TRADE_SUCCESS; record it, never pay again",
  ),
  "ACQ.AGREEMENT_NOT_EXIST": definitive("用户协议不存在或已解约", reSign),
  "ACQ.AGREEMENT_INVALID": definitive("用户协议失效", reSign),
  "ACQ.AGREEMENT_STATUS_NOT_NORMAL": definitive("用户协议状态非NORMAL", "sync the agreement with agreement.query"),
  "ACQ.AGREEMENT_ERROR": definitive("协议信息异常", "check product_code against the agreement's product"),
  "ACQ.CYCLE_PAY_DATE_NOT_MATCH": retryable(
    "扣款日期不在签约时的允许范围之内",
    "before the window [D−N, D] opens: retry once it is open. After D the period is missed (past due): only " +
      "executionplan.modify to a later date resumes it (§11.4, §11.6); the caller decides by comparing today with D",
  ),
  "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED": definitive("单笔金额超过签约时限制", "charge at most single_amount"),
  "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED": definitive("累计金额超过签约时限制", "the agreement's total_amount is used up"),
  "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED": definitive("总次数超过签约时限制", "the agreement's total_payments are used up"),
  "ACQ.OVER_MAX_DEDUCT_COUNT": definitive("超过最大扣款次数", "[UNCERTAIN meaning] treated like a used-up cap"),
  "ACQ.OVER_MAX_UNDER_WAY_DEDUCT_COUNT": retryable(
    "处理中的扣款过多",
    "[UNCERTAIN meaning] too many deductions in flight: retry after they settle",
  ),
  "ACQ.OVER_DEDUCT_PERIOD": definitive("超出扣款周期", "[UNCERTAIN meaning] treated like a missed window"),
  "ACQ.OVER_MERCHANT_DAILY_DEDUCT_AMOUNT": merchantSide(
    retryable("超出商户单日扣款额度", "[UNCERTAIN meaning] merchant daily cap: retry on a later day inside the window"),
  ),
  "ACQ.BUYER_BALANCE_NOT_ENOUGH": retryable("买家余额不足", "retry later inside the window (support: about 2 retries)"),
  "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": retryable("用户银行卡余额不足", "retry later inside the window"),
  "ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE": retryable("没有可用的支付工具", "retry later inside the window"),
  "ACQ.PAYMENT_REQUEST_HAS_RISK": retryable("支付有风险", "risk control: retry later inside the window"),
  "ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR": retryable("买家付款日限额超限", "retry on a later day"),
  "ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR": retryable("买家付款月限额超限", "retry later inside the window"),
  "ACQ.ERROR_BALANCE_PAYMENT_DISABLE": retryable("余额支付功能关闭", "the buyer may re-enable it: retry later"),
  "ACQ.BUYER_ENABLE_STATUS_FORBID": definitive("买家状态非法", "the buyer's account is restricted"),
  "ACQ.TRADE_HAS_CLOSE": definitive("交易已经关闭", "use a fresh out_trade_no for a new attempt"),
  "ACQ.CONTEXT_INCONSISTENT": definitive("订单信息不一致", "out_trade_no reused with different parameters"),
  "ACQ.TOTAL_FEE_EXCEED": definitive("订单总金额超过限额", "total_amount must be in [0.01, 100000000]"),
  "ACQ.ACCESS_FORBIDDEN": merchantSide(definitive("无权限使用接口", "wrong product_code or product not signed")),
  "ACQ.INVALID_PARAMETER": definitive("参数无效"),
  "ACQ.MERCHANT_AGREEMENT_NOT_EXIST": merchantSide(definitive("商户协议不存在")),
  "ACQ.MERCHANT_AGREEMENT_INVALID": merchantSide(definitive("商户协议已失效")),
  "ACQ.MERCHANT_STATUS_NOT_NORMAL": merchantSide(definitive("商户状态异常")),
  "ACQ.PARTNER_ERROR": merchantSide(
    definitive("应用APP_ID填写错误", "the app id is not valid for this product (§16.1)"),
  ),
  "ACQ.EXIST_FORBIDDEN_WORD": definitive("订单信息中包含违禁词", "change subject/body"),
  "ACQ.BUYER_SELLER_EQUAL": definitive("买卖家不能相同"),
  "ACQ.SELLER_BEEN_BLOCKED": merchantSide(definitive("商家账号被冻结")),
  "ACQ.BEYOND_PAY_RESTRICTION": merchantSide(definitive("商户收款额度超限", "[UNCERTAIN side] §16.1")),
  "ACQ.BEYOND_PER_RECEIPT_RESTRICTION": merchantSide(definitive("商户收款金额超过月限额")),
  "ACQ.PRODUCT_AMOUNT_LIMIT_ERROR": merchantSide(definitive("产品额度超限")),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.trade.query` (§9): read-only, so a system error is simply retried. */
const TRADE_QUERY_SUB_CODES = {
  "ACQ.SYSTEM_ERROR": retryable("系统异常"),
  "ACQ.INVALID_PARAMETER": definitive("参数无效"),
  "ACQ.TRADE_NOT_EXIST": definitive(
    "交易不存在",
    "the pay request never reached Alipay: the attempt did not charge; a new attempt needs a fresh out_trade_no",
  ),
  "ACQ.ENTERPRISE_PAY_BIZ_ERROR": definitive("因公付业务异常"),
} satisfies Record<string, SubCodeInfo>;

/**
 * `alipay.trade.refund` (docs/alipay-protocol.md §14.2, §20.1). A refund is keyed by its `out_request_no`: whatever
 * may have happened is settled by re-sending the same number (Alipay answers fund_change N) or by the refund query.
 */
const TRADE_REFUND_SUB_CODES = {
  "ACQ.SYSTEM_ERROR": unknownOutcome(
    "系统异常",
    "query with alipay.trade.fastpay.refund.query or resend the same out_request_no",
  ),
  "ACQ.INVALID_PARAMETER": definitive("参数无效"),
  "ACQ.TRADE_NOT_EXIST": definitive("交易不存在"),
  "ACQ.TRADE_STATUS_ERROR": definitive("交易状态不合法", "the trade is not paid, or already closed by a full refund"),
  "ACQ.TRADE_NOT_ALLOWED_REFUND": definitive("当前交易不允许退款", "past the contract's refund period (§20.3)"),
  "ACQ.REASON_TRADE_REFUND_FEE_ERR": definitive("退款金额无效", "more than what is left to refund on the trade"),
  "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": definitive(
    "退款金额与原交易金额不一致",
    "a refund without out_request_no is a full one",
  ),
  "ACQ.REFUND_FEE_ERROR": definitive("交易退款金额有误"),
  "ACQ.DISCORDANT_REPEAT_REQUEST": definitive("请求信息不一致", "an out_request_no re-sent with another amount"),
  "ACQ.SELLER_BALANCE_NOT_ENOUGH": merchantSide(retryable("卖家余额不足", "top up the merchant account, then resend")),
  "ACQ.REFUND_CHARGE_ERROR": merchantSide(retryable("退收费异常")),
  "ACQ.BUYER_ERROR": definitive("买家状态非法"),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.trade.fastpay.refund.query` (§20.2): read-only. */
const REFUND_QUERY_SUB_CODES = {
  "ACQ.SYSTEM_ERROR": retryable("系统异常"),
  "ACQ.INVALID_PARAMETER": definitive("参数无效"),
  "ACQ.TRADE_NOT_EXIST": definitive("交易不存在", "no trade: no refund of it can exist"),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.user.agreement.query` (§5). "Not exist" is a definitive answer: not signed (yet) or gone. */
const AGREEMENT_QUERY_SUB_CODES = {
  SYSTEM_ERROR: retryable("系统错误"),
  USER_AGREEMENT_NOT_EXIST: definitive("用户协议不存在", "never signed, not signed yet, or unsigned"),
  "ACQ.USER_AGREEMENT_NOT_EXIST": definitive("用户协议不存在", "seen in some implementations; same as above"),
  AGREEMENT_HAS_UNSIGNED: definitive("用户协议已解约"),
  USER_NOT_EXIST_ERROR: definitive("支付宝用户信息不存在"),
  USER_NOT_EXSIT_ERROR: definitive("用户信息不存在"),
  PRODUCT_CODE_NOT_SUPPORTED_ERROR: definitive("无效的个人产品码"),
  INVALID_PARAMETER: definitive("参数无效"),
  AUTHOREE_IS_NOT_MATCH: definitive("被授权方不匹配"),
  LOGONID_IS_REPEATED: definitive("登录号重复"),
  PARENT_MERCHANT_QUERY_FAIL: retryable("平台商户查询失败"),
  MERCHANT_STATUS_IS_NOT_NORMAL: definitive("商户协议状态不正常"),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.user.agreement.unsign` (§6). "Already gone" answers are definitive: the agreement is not active. */
const AGREEMENT_UNSIGN_SUB_CODES = {
  SYSTEM_ERROR: unknownOutcome("系统错误", "check with agreement.query before calling again"),
  USER_AGREEMENT_UNSIGN_FAIL: unknownOutcome("用户协议解约失败", "check with agreement.query before calling again"),
  USER_AGREEMENT_QUERY_FAIL: retryable("用户协议查询失败"),
  AGREEMENT_NOT_EXIST: definitive("协议不存在", "already unsigned or never signed"),
  AGREEMENT_NOT_EXSIT: definitive("协议不存在", "already unsigned or never signed"),
  USER_AGREEMENT_STATUS_NOT_NORMAL: definitive("用户协议状态不正常"),
  USER_AGREEMENT_STATUS_IS_NOT_NORMAL: definitive("用户协议状态不正常"),
  USER_NOT_EXIST_ERROR: definitive("用户不存在"),
  USER_NOT_EXSIT_ERROR: definitive("用户不存在"),
  PRODUCT_CODE_NOT_SUPPORTED_ERROR: definitive("无效的个人产品码"),
  INVALID_PARAMETER: definitive("参数无效"),
  ILLEGAL_PARAMS: definitive("参数非法"),
  AUTHOREE_IS_NOT_MATCH: definitive("被授权方不匹配"),
  MERCHANT_AGREEMENT_IS_NOT_EXIST: definitive("商户协议不存在"),
  MERCHANT_STATUS_IS_NOT_NORMAL: definitive("商户状态不正常"),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.user.agreement.executionplan.modify` (§7). */
const EXECUTION_PLAN_MODIFY_SUB_CODES = {
  SYSTEM_ERROR: unknownOutcome("系统错误", "check next_deduct_time with agreement.query before calling again"),
  ILLEGAL_EXECUTION_TIME: definitive(
    "执行计划时间参数非法",
    "deduct_time must be yyyy-MM-dd, later than the current date D, day ≤ 28 for MONTH periods",
  ),
  ILLEGAL_AGREEMENT: definitive("协议非法"),
  INVALID_PARAMETER: definitive("参数无效"),
} satisfies Record<string, SubCodeInfo>;

/** `alipay.user.agreement.sign.effect` (§4): business sub_codes are unpublished [UNCERTAIN]. */
const SIGN_EFFECT_SUB_CODES = {
  SYSTEM_ERROR: unknownOutcome("系统错误", "check the status with agreement.query before calling again"),
  INVALID_PARAMETER: definitive("参数无效"),
} satisfies Record<string, SubCodeInfo>;

/**
 * `alipay.system.oauth.token`: not listed in docs/alipay-protocol.md; these are Alipay's documented oauth sub_codes.
 * An auth code works once, so a code consumed by a lost answer comes back as isv.code-invalid: ask the client for a
 * fresh one.
 */
const OAUTH_TOKEN_SUB_CODES = {
  "isv.code-invalid": definitive("授权码 (auth_code) 错误、状态不对或过期", "ask the client for a new auth code"),
  "isv.refresh-token-invalid": definitive("刷新令牌 (refresh_token) 错误或状态不对"),
  "isv.refresh-token-time-out": definitive("刷新令牌 (refresh_token) 过期"),
  "isv.grant-type-invalid": definitive("grant_type 不合法"),
} satisfies Record<string, SubCodeInfo>;

/**
 * `alipay.data.dataservice.bill.downloadurl.query` (docs/alipay-protocol.md §21): read-only. A day not yet closed
 * (today, the future) is refused as an invalid argument; a day with no bill, or older than Alipay keeps, is
 * `isp.bill_not_exist`.
 */
const BILL_DOWNLOAD_SUB_CODES = {
  "isv.invalid-arguments": definitive("参数不合法", "bill_date must be a past day (T+1), yyyy-MM-dd"),
  "isp.bill_not_exist": definitive("账单不存在", "no bill for that day: nothing was traded, or the day is too old"),
  "isp.unknown-error": retryable("系统繁忙"),
} satisfies Record<string, SubCodeInfo>;

export const SUB_CODES = {
  "alipay.system.oauth.token": OAUTH_TOKEN_SUB_CODES,
  "alipay.user.agreement.page.sign": {},
  "alipay.user.agreement.query": AGREEMENT_QUERY_SUB_CODES,
  "alipay.user.agreement.unsign": AGREEMENT_UNSIGN_SUB_CODES,
  "alipay.user.agreement.sign.effect": SIGN_EFFECT_SUB_CODES,
  "alipay.user.agreement.executionplan.modify": EXECUTION_PLAN_MODIFY_SUB_CODES,
  "alipay.trade.pay": TRADE_PAY_SUB_CODES,
  "alipay.trade.query": TRADE_QUERY_SUB_CODES,
  "alipay.data.dataservice.bill.downloadurl.query": BILL_DOWNLOAD_SUB_CODES,
  "alipay.trade.refund": TRADE_REFUND_SUB_CODES,
  "alipay.trade.fastpay.refund.query": REFUND_QUERY_SUB_CODES,
} as const satisfies Record<AlipayMethod, Record<string, SubCodeInfo>>;

export type SubCodeOf<M extends AlipayMethod> = keyof (typeof SUB_CODES)[M] & string;

export function getSubCodeInfo(method: AlipayMethod, subCode: string): SubCodeInfo | undefined {
  const table: Record<string, SubCodeInfo> = SUB_CODES[method];
  return Object.hasOwn(table, subCode) ? table[subCode] : undefined;
}

/** The class of a failure nobody answered (timeout, connection reset): unknown for writes, retryable for reads. */
export function classifyTransportFailure(method: AlipayMethod): FailureClass {
  return isMutatingAlipayMethod(method) ? "unknown-outcome" : "retryable";
}

/**
 * What a gateway answer means (§1.7, §8): 10000 success; 10003 and 20000 as a lost answer; 40004 by sub_code
 * (an unknown trade.pay sub_code is unknown-outcome, elsewhere definitive); 40005 (rate limit) retryable; the other
 * 2xxxx/4xxxx codes are configuration errors and definitive; any unknown code is treated as a lost answer.
 */
export function classifyAlipayResult(
  method: AlipayMethod,
  result: { code?: string | undefined; sub_code?: string | undefined },
): CallOutcome {
  // oauth.token answers success without a code (methods/oauth-token.ts).
  if (result.code === undefined)
    return method === "alipay.system.oauth.token" ? "success" : classifyTransportFailure(method);
  switch (result.code) {
    case "10000":
      return "success";
    case "10003":
      return "unknown-outcome";
    case "20000":
      return classifyTransportFailure(method);
    case "40005":
      return "retryable";
    case "20001":
    case "40001":
    case "40002":
    case "40003":
    case "40006":
      return "definitive";
    case "40004": {
      const info = result.sub_code === undefined ? undefined : getSubCodeInfo(method, result.sub_code);
      if (info) return info.class;
      return method === "alipay.trade.pay" ? "unknown-outcome" : "definitive";
    }
    default:
      return classifyTransportFailure(method);
  }
}

/** Gateway codes that refuse the caller rather than the request's business: 20001, 40001–40003, 40006 (§1.7). */
const configurationCodes: ReadonlySet<string> = new Set(["20001", "40001", "40002", "40003", "40006"]);

/**
 * True when Alipay refused the merchant's own set-up — signature, sign type, app id, app state, permissions
 * (`isv.invalid-signature`, `isv.invalid-app-id`, `isv.insufficient-isv-permissions`…) — rather than this call's
 * input. A sub_code the method documents itself (oauth.token's `isv.code-invalid`: the customer's auth code) is not.
 * The operator must act; retrying or asking the customer changes nothing.
 */
export function isMerchantConfigurationFailure(
  method: AlipayMethod,
  result: { code?: string | undefined; sub_code?: string | undefined },
): boolean {
  if (result.code === undefined || !configurationCodes.has(result.code)) return false;
  return result.sub_code === undefined || getSubCodeInfo(method, result.sub_code) === undefined;
}

/**
 * True when Alipay refused the call for the merchant's side rather than the customer's (§16): a sub_code the method
 * marks `merchant` (its contract, account, app or limits), or a refusal of the merchant's configuration
 * (`isMerchantConfigurationFailure`). The class stays `classifyAlipayResult`'s: the same call does not succeed until
 * the operator (or Alipay) clears the cause, which retrying later inside the window may find done.
 */
export function isMerchantSideRefusal(
  method: AlipayMethod,
  result: { code?: string | undefined; sub_code?: string | undefined },
): boolean {
  if (isMerchantConfigurationFailure(method, result)) return true;
  if (result.code !== "40004" || result.sub_code === undefined) return false;
  return getSubCodeInfo(method, result.sub_code)?.side === "merchant";
}

/** The `alipay.trade.pay` sub_codes that refuse on the merchant's side (§16.1), for the sandbox and operators. */
export const MERCHANT_SIDE_PAY_SUB_CODES: readonly string[] = Object.entries(SUB_CODES["alipay.trade.pay"])
  .filter(([, info]: [string, SubCodeInfo]) => info.side === "merchant")
  .map(([subCode]) => subCode);

/**
 * Every failure code a charge records for a merchant-side refusal of trade.pay (§16): the sub_codes above and the
 * configuration sub_codes of §1.7. Operators list such charges with `refusedBy=merchant`.
 */
export const MERCHANT_SIDE_FAILURE_CODES: readonly string[] = [
  ...MERCHANT_SIDE_PAY_SUB_CODES,
  ...Object.entries(GATEWAY_SUB_CODES)
    .filter(([code]) => configurationCodes.has(code))
    .flatMap(([, subCodes]): readonly string[] => subCodes),
];
