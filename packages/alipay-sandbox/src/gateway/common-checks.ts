import type { KeyObject } from "node:crypto";
import type { RegisteredApp, SandboxConfig } from "../config.ts";
import { isSignType, verifyText, type SignType } from "../crypto/rsa.ts";
import { buildRequestSignContent } from "../crypto/sign-content.ts";
import { tryParseAlipayDateTime } from "@paysign/contracts";
import { checkCertificateSns } from "./cert-checks.ts";
import { encodeIn, toGatewayCharset, type GatewayCharset } from "./gateway-charsets.ts";
import { insufficientConditions, invalidArguments, missingArguments, type GatewayBody } from "./results.ts";

export type CheckedRequest = {
  method: string;
  app: RegisteredApp;
  signType: SignType;
  /** The charset the request names; null when it names none (§18.1: its notifications then take the app's). */
  charset: GatewayCharset | null;
  params: Record<string, string>;
  biz: Record<string, unknown>;
};

export type CheckOutcome = { ok: true; request: CheckedRequest } | { ok: false; signType: SignType; body: GatewayBody };

const REQUIRED: Array<[param: string, subCode: string, subMsg: string]> = [
  ["method", "isv.missing-method", "缺少方法名参数"],
  ["app_id", "isv.missing-app-id", "缺少AppID参数"],
  ["timestamp", "isv.missing-timestamp", "缺少时间戳参数"],
  ["version", "isv.missing-version", "缺少版本参数"],
  ["sign_type", "isv.missing-signature-type", "缺少签名类型参数"],
  ["sign", "isv.missing-signature", "缺少签名参数"],
];

type CheckContext = {
  config: SandboxConfig;
  knownMethods: ReadonlySet<string>;
  now: Date;
};

function checkTimestamp(timestamp: string, context: CheckContext): GatewayBody | null {
  const instant = tryParseAlipayDateTime(timestamp);
  if (!instant) return invalidArguments("isv.invalid-timestamp", "非法的时间戳参数，格式须为 yyyy-MM-dd HH:mm:ss");
  const tolerance = context.config.timestampToleranceMinutes;
  if (tolerance === null) return null;
  const distance = Math.abs(instant.getTime() - context.now.getTime());
  return distance > tolerance * 60_000 ? invalidArguments("isv.invalid-timestamp", "时间戳参数超出允许范围") : null;
}

function checkSignature(
  params: Record<string, string>,
  key: KeyObject,
  signed: { signType: SignType; charset: GatewayCharset },
): GatewayBody | null {
  const content = buildRequestSignContent(params);
  const text = encodeIn(content, signed.charset);
  if (verifyText({ text, signature: params.sign ?? "", key, signType: signed.signType })) return null;
  return invalidArguments(
    "isv.invalid-signature",
    `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
  );
}

function parseBizContent(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined || text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** docs/alipay-protocol.md §1.2, §1.3, §1.7: the gateway's common checks, in the order Alipay reports them. */
export function checkCommonParams(params: Record<string, string>, context: CheckContext): CheckOutcome {
  const declared = params.sign_type ?? "RSA2";
  const signType: SignType = isSignType(declared) ? declared : "RSA2";
  const fail = (body: GatewayBody): CheckOutcome => ({ ok: false, signType, body });
  for (const [param, subCode, subMsg] of REQUIRED) {
    if (!params[param]) return fail(missingArguments(subCode, subMsg));
  }
  const method = params.method ?? "";
  if (!context.knownMethods.has(method)) return fail(invalidArguments("isv.invalid-method", "不存在的方法名"));
  const registered = context.config.apps.get(params.app_id ?? "");
  if (!registered) return fail(invalidArguments("isv.invalid-app-id", "无效的AppID参数"));
  const timestampError = checkTimestamp(params.timestamp ?? "", context);
  if (timestampError) return fail(timestampError);
  const charset = params.charset ? toGatewayCharset(params.charset) : null;
  if (charset === undefined)
    return fail(invalidArguments("isv.invalid-charset", "字符集错误，目前支持格式：GBK,UTF-8"));
  if (params.format && params.format.toUpperCase() !== "JSON") {
    return fail(invalidArguments("isv.invalid-format", "无效的数据格式，只支持 JSON"));
  }
  if (!isSignType(declared)) return fail(invalidArguments("isv.invalid-signature-type", "无效的签名类型"));
  const certificateError = checkCertificateSns(params, { config: context.config, app: registered });
  if (certificateError) return fail(certificateError);
  // §18.2: an app's key belongs to its one sign type; Alipay has no key of the other type to verify with.
  if (signType !== (registered.app.signType ?? "RSA2")) {
    return fail(insufficientConditions("isv.missing-signature-config", "应用未配置对应签名算法的公钥或者证书"));
  }
  const signatureError = checkSignature(params, registered.publicKey, { signType, charset: charset ?? "utf-8" });
  if (signatureError) return fail(signatureError);
  const biz = parseBizContent(params.biz_content);
  if (!biz) return fail(invalidArguments("isv.invalid-parameter", "biz_content 不是合法的 JSON 对象"));
  return { ok: true, request: { method, app: registered.app, signType, charset, params, biz } };
}
