/**
 * Gateway (public) codes, docs/alipay-protocol.md §1.7. `msg` is the English text Alipay returns; the texts of 40003 and
 * 40005 are not confirmed by any source [UNCERTAIN] and are the best known guesses.
 */
export const GATEWAY_CODES = {
  "10000": { msg: "Success", meaning: "调用成功" },
  /** trade.pay only: order created, payment still processing. The leading space is as observed on the wire. */
  "10003": { msg: " order success pay inprocess", meaning: "订单创建成功支付处理中" },
  "20000": { msg: "Service Currently Unavailable", meaning: "服务不可用" },
  "20001": { msg: "Insufficient Token Permissions", meaning: "授权权限不足" },
  "40001": { msg: "Missing Required Arguments", meaning: "缺少必选参数" },
  "40002": { msg: "Invalid Arguments", meaning: "非法的参数" },
  "40003": { msg: "Insufficient Conditions", meaning: "条件异常" },
  "40004": { msg: "Business Failed", meaning: "业务处理失败" },
  "40005": { msg: "Call Limited", meaning: "调用频次超限" },
  "40006": { msg: "Insufficient Permissions", meaning: "权限不足" },
} as const;

export type GatewayCode = keyof typeof GATEWAY_CODES;

export const GATEWAY_CODE_VALUES = Object.keys(GATEWAY_CODES) as GatewayCode[];

export function isGatewayCode(value: string): value is GatewayCode {
  return Object.hasOwn(GATEWAY_CODES, value);
}

/** Common sub_codes per gateway code (§1.7), for the sandbox and for log messages. */
export const GATEWAY_SUB_CODES = {
  "20000": ["isp.unknow-error", "aop.unknow-error"],
  "20001": [
    "aop.invalid-auth-token",
    "aop.auth-token-time-out",
    "aop.invalid-app-auth-token",
    "aop.invalid-app-auth-token-no-api",
    "aop.app-auth-token-time-out",
    "aop.no-product-reg-by-partner",
  ],
  "40001": [
    "isv.missing-method",
    "isv.missing-signature",
    "isv.missing-signature-type",
    "isv.missing-signature-key",
    "isv.missing-app-id",
    "isv.missing-timestamp",
    "isv.missing-version",
    "isv.decryption-error-missing-encrypt-type",
  ],
  "40002": [
    "isv.invalid-parameter",
    "isv.upload-fail",
    "isv.invalid-file-extension",
    "isv.invalid-file-size",
    "isv.invalid-method",
    "isv.invalid-format",
    "isv.invalid-signature-type",
    "isv.invalid-signature",
    "isv.invalid-encrypt-type",
    "isv.invalid-encrypt",
    "isv.invalid-app-id",
    "isv.invalid-timestamp",
    "isv.invalid-charset",
    "isv.invalid-digest",
    "isv.missing-signature-config",
    "isv.not-support-app-auth",
    "isv.suspected-attack",
    "isv.forbidden-api",
  ],
  "40003": ["isv.invalid-app-state", "invalid-auth-relations", "isv.missing-signature-config"],
  "40005": ["isv.app-call-limited", "isv.method-call-limited"],
  "40006": ["isv.insufficient-isv-permissions", "isv.insufficient-user-permissions"],
} as const satisfies Partial<Record<GatewayCode, readonly string[]>>;
