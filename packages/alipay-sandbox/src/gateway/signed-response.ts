import type { KeyObject } from "node:crypto";
import { ERROR_RESPONSE_KEY, alipayResponseKey } from "@paysign/contracts/alipay";
import { signText, type SignType } from "../crypto/rsa.ts";
import { encodeIn, type GatewayCharset } from "./gateway-charsets.ts";
import type { GatewayBody } from "./results.ts";

function responseKeyFor(method: string | null): string {
  return method ? alipayResponseKey(method) : ERROR_RESPONSE_KEY;
}

/**
 * docs/alipay-protocol.md §1.5–1.6: `{"<method>_response":{…},"sign":"…"}`, signed over the exact bytes of the inner
 * object as emitted (JSON.stringify does not escape `/`; non-ASCII stays raw), in the answer's charset (§18.1).
 */
export function buildSignedResponse(options: {
  method: string | null;
  body: GatewayBody;
  key: KeyObject;
  signType: SignType;
  /** Certificate mode: the SN of the Alipay certificate whose key signed, between the answer and `sign` (§19.3). */
  alipayCertSn?: string | undefined;
  /** The charset the answer is written in; default utf-8. */
  charset?: GatewayCharset;
}): string {
  const inner = JSON.stringify(options.body);
  const sign = signText(encodeIn(inner, options.charset ?? "utf-8"), options.key, options.signType);
  const certSn = options.alipayCertSn ? `,"alipay_cert_sn":"${options.alipayCertSn}"` : "";
  return `{"${responseKeyFor(options.method)}":${inner}${certSn},"sign":"${sign}"}`;
}
