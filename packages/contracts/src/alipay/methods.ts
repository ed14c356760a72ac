/** The OpenAPI methods this system calls (and the sandbox serves). */
export const ALIPAY_METHODS = [
  "alipay.system.oauth.token",
  "alipay.user.agreement.page.sign",
  "alipay.user.agreement.query",
  "alipay.user.agreement.unsign",
  "alipay.user.agreement.sign.effect",
  "alipay.user.agreement.executionplan.modify",
  "alipay.trade.pay",
  "alipay.trade.query",
  "alipay.data.dataservice.bill.downloadurl.query",
  "alipay.trade.refund",
  "alipay.trade.fastpay.refund.query",
] as const;
export type AlipayMethod = (typeof ALIPAY_METHODS)[number];

/** Methods that change state at Alipay: a lost answer leaves their outcome unknown (docs/alipay-protocol.md §8). */
export const MUTATING_ALIPAY_METHODS = [
  "alipay.user.agreement.unsign",
  "alipay.user.agreement.sign.effect",
  "alipay.user.agreement.executionplan.modify",
  "alipay.trade.pay",
  "alipay.trade.refund",
] as const satisfies readonly AlipayMethod[];

type DotsToUnderscores<S extends string> = S extends `${infer Head}.${infer Tail}`
  ? `${Head}_${DotsToUnderscores<Tail>}`
  : S;

export type AlipayResponseKey<M extends string> = `${DotsToUnderscores<M>}_response`;

/** The key older gateway failures use instead of `<method>_response` (§1.5). */
export const ERROR_RESPONSE_KEY = "error_response";

/** `alipay.trade.pay` → `alipay_trade_pay_response` (§1.5). */
export function alipayResponseKey<M extends string>(method: M): AlipayResponseKey<M> {
  return `${method.replaceAll(".", "_")}_response` as AlipayResponseKey<M>;
}

export function isAlipayMethod(value: string): value is AlipayMethod {
  return (ALIPAY_METHODS as readonly string[]).includes(value);
}

export function isMutatingAlipayMethod(method: AlipayMethod): boolean {
  return (MUTATING_ALIPAY_METHODS as readonly string[]).includes(method);
}
