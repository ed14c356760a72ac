import { GATEWAY_CODES } from "@paysign/contracts/alipay";

/** The inner `<method>_response` object: `code` and `msg` first, then sub codes, then business fields. */
export type GatewayBody = { code: string; msg: string; [field: string]: unknown };

export function success(fields: Record<string, unknown> = {}): GatewayBody {
  return { code: "10000", msg: GATEWAY_CODES["10000"].msg, ...fields };
}

/** docs/alipay-protocol.md §1.7: 40004 with the API's own sub_code. */
export function businessFailed(subCode: string, subMsg: string, fields: Record<string, unknown> = {}): GatewayBody {
  return { code: "40004", msg: GATEWAY_CODES["40004"].msg, sub_code: subCode, sub_msg: subMsg, ...fields };
}

export function missingArguments(subCode: string, subMsg: string): GatewayBody {
  return { code: "40001", msg: GATEWAY_CODES["40001"].msg, sub_code: subCode, sub_msg: subMsg };
}

export function invalidArguments(subCode: string, subMsg: string): GatewayBody {
  return { code: "40002", msg: GATEWAY_CODES["40002"].msg, sub_code: subCode, sub_msg: subMsg };
}

/** §18.2: 40003, e.g. isv.missing-signature-config for a request whose sign type the app has no key for. */
export function insufficientConditions(subCode: string, subMsg: string): GatewayBody {
  return { code: "40003", msg: GATEWAY_CODES["40003"].msg, sub_code: subCode, sub_msg: subMsg };
}

export function serviceUnavailable(): GatewayBody {
  return { code: "20000", msg: GATEWAY_CODES["20000"].msg, sub_code: "isp.unknow-error", sub_msg: "系统繁忙" };
}

/** §1.7: 10003 " order success pay inprocess" (the leading space is what Alipay returns). */
export function payInProcess(fields: Record<string, unknown>): GatewayBody {
  return { code: "10003", msg: GATEWAY_CODES["10003"].msg, ...fields };
}
