import { createVerify, type KeyObject } from "node:crypto";
import { AlipaySdk, type AlipaySdkConfig } from "alipay-sdk";
import {
  classifyAlipayResult,
  encodePaySignStr,
  type AlipayMethod,
  type FailureClass,
  type SignType,
} from "@paysign/contracts/alipay";
import type { AlipayConfig } from "./alipay-config.ts";

export type GatewayCallResult =
  | { outcome: "success"; response: Record<string, unknown> }
  | {
      outcome: Exclude<FailureClass, never>;
      code: string | undefined;
      subCode: string | undefined;
      subMsg: string | undefined;
      response: Record<string, unknown> | undefined;
      error?: string;
    };

export type AlipayClient = {
  appId: string;
  /** The signStr for my.paySignCenter: sdkExecute output encoded once more, never with a return_url. */
  buildPaySignStr(bizContent: Record<string, unknown>, notifyUrl: string | undefined): string;
  call(
    method: AlipayMethod,
    bizContent: Record<string, unknown>,
    options?: { notifyUrl?: string; authCode?: string },
  ): Promise<GatewayCallResult>;
  /** Verifies a notification's form params (already decoded): `sign` over the rest minus `sign`/`sign_type`. */
  verifyNotification(params: Record<string, string>): boolean;
  /** Verifies `sign` over an exact response text, e.g. the page.sign answer inside a paySignCenter `result`. */
  verifyAlipaySignature(content: string, sign: string, signType?: string): boolean;
};

const algorithms: Record<SignType, string> = { RSA2: "RSA-SHA256", RSA: "RSA-SHA1" };

/**
 * One SDK instance per process. Its private key is swapped for a parsed KeyObject after construction, so signing
 * never re-parses the PEM (the SDK otherwise hands the PEM string to crypto on every call).
 */
export function createAlipayClient(config: AlipayConfig): AlipayClient {
  const sdkConfig: AlipaySdkConfig = {
    appId: config.appId,
    privateKey: config.privateKey.pkcs8Pem,
    keyType: "PKCS8",
    signType: config.signType,
    gateway: config.gateway,
    timeout: config.timeoutMs,
    camelcase: false,
    ...(config.mode === "public-key"
      ? { alipayPublicKey: config.alipayPublicKey.pem }
      : {
          appCertContent: config.appCert,
          alipayPublicCertContent: config.alipayPublicCert,
          alipayRootCertContent: config.alipayRootCert,
        }),
  };
  const sdk = new AlipaySdk(sdkConfig);
  (sdk.config as { privateKey: string | KeyObject }).privateKey = config.privateKey.keyObject;
  const alipayPublicKey = sdk.config.alipayPublicKey ?? "";

  const verifyAlipaySignature = (content: string, sign: string, signType: string = config.signType) => {
    const algorithm = algorithms[signType as SignType];
    if (!algorithm || !sign) return false;
    try {
      return createVerify(algorithm).update(content, "utf8").verify(alipayPublicKey, sign, "base64");
    } catch {
      return false;
    }
  };

  return {
    appId: config.appId,
    buildPaySignStr(bizContent, notifyUrl) {
      const output = sdk.sdkExecute("alipay.user.agreement.page.sign", {
        bizContent,
        ...(notifyUrl ? { notifyUrl } : {}),
      });
      return encodePaySignStr(output);
    },
    async call(method, bizContent, options = {}) {
      let response: Record<string, unknown>;
      try {
        const params: Record<string, unknown> = {};
        if (method === "alipay.system.oauth.token") {
          params.grant_type = "authorization_code";
          params.code = options.authCode;
        } else {
          params.bizContent = bizContent;
        }
        if (options.notifyUrl) params.notify_url = options.notifyUrl;
        response = (await sdk.exec(method, params, { validateSign: true })) as Record<string, unknown>;
      } catch (error) {
        // Network errors, timeouts and unverifiable answers: the call may or may not have taken effect.
        return {
          outcome: "unknown-outcome",
          code: undefined,
          subCode: undefined,
          subMsg: undefined,
          response: undefined,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      const code = typeof response.code === "string" ? response.code : undefined;
      const subCode = typeof response.sub_code === "string" ? response.sub_code : undefined;
      const subMsg = typeof response.sub_msg === "string" ? response.sub_msg : undefined;
      const outcome = classifyAlipayResult(method, { code, sub_code: subCode });
      if (outcome === "success") return { outcome, response };
      return { outcome, code, subCode, subMsg, response };
    },
    verifyNotification(params) {
      const { sign, sign_type: signType, ...rest } = params;
      // The hash is the app's configured sign type, never the one the message names (SECURITY.md).
      if (!sign || (signType !== undefined && signType !== config.signType)) return false;
      const content = Object.keys(rest)
        .sort()
        .map((key) => `${key}=${rest[key]}`)
        .join("&");
      return verifyAlipaySignature(content, sign);
    },
    verifyAlipaySignature,
  };
}
