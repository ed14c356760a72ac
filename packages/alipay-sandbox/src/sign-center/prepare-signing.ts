import type { RegisteredApp } from "../config.ts";
import { isSignType, verifyText, type SignType } from "../crypto/rsa.ts";
import { buildRequestSignContent } from "../crypto/sign-content.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { decodeSignStr } from "./decode-sign-str.ts";
import { validatePageSignBiz, type SignTerms } from "./page-sign-rules.ts";

export type PreparedSigning = {
  app: RegisteredApp;
  params: Record<string, string>;
  signType: SignType;
  terms: SignTerms;
};

export type Preparation = { ok: true; signing: PreparedSigning } | { ok: false; reason: string };

const PAGE_SIGN_METHOD = "alipay.user.agreement.page.sign";

function parseJsonObject(text: string | undefined): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Decode, verify the app's signature, validate biz_content: what Alipay does before showing the sign page. */
export function prepareSigning(deps: SandboxDeps, signStr: string): Preparation {
  const decoded = decodeSignStr(signStr);
  if (!decoded.ok) return decoded;
  const { params } = decoded;
  if (params.method !== PAGE_SIGN_METHOD) {
    return { ok: false, reason: `method 须为 ${PAGE_SIGN_METHOD}，收到 ${params.method ?? "（空）"}` };
  }
  const registered = deps.config.apps.get(params.app_id ?? "");
  if (!registered) return { ok: false, reason: `无效的AppID参数：${params.app_id ?? "（空）"}` };
  const declared = params.sign_type ?? "";
  if (!isSignType(declared)) return { ok: false, reason: "无效签名：sign_type 须为 RSA2 或 RSA" };
  const content = buildRequestSignContent(params);
  const verified = verifyText({
    text: content,
    signature: params.sign ?? "",
    key: registered.publicKey,
    signType: declared,
  });
  if (!verified) {
    return { ok: false, reason: `无效签名：验签出错，网关生成的验签字符串为：${content}` };
  }
  const biz = parseJsonObject(params.biz_content);
  if (!biz) return { ok: false, reason: "开通失败 ILLEGAL_PARAMS：biz_content 不是合法的 JSON 对象" };
  const validated = validatePageSignBiz(biz, deps.config.singleAmountCapFen);
  if (!validated.ok) return validated;
  return { ok: true, signing: { app: registered.app, params, signType: declared, terms: validated.terms } };
}
