import { createPublicKey, createVerify, type KeyObject } from "node:crypto";
import { AlipaySdk, type AlipaySdkConfig } from "alipay-sdk";
import iconv from "iconv-lite";
import { formatAlipayDateTime } from "@paysign/contracts";
import {
  ALIPAY_METHOD_MAP,
  buildNotifySignContent,
  classifyAlipayResult,
  encodePaySignStr,
  isMerchantConfigurationFailure,
  type AlipayBizContent,
  type AlipayCharset,
  type AlipayGatewayMethod,
  type AlipayMethod,
  type AlipayResponse,
  type SignType,
} from "@paysign/contracts/alipay";
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { AlipayConfig } from "./alipay-config.ts";
import { configurationHint } from "./configuration-hints.ts";

/** What Alipay's answer said, when it was not a success (all undefined when nothing was answered). */
type AlipayFailureDetail = { code: string | undefined; subCode: string | undefined; subMsg: string | undefined };

type UnknownOutcomeCause =
  /** No verified answer: timeout, lost connection, an answer whose signature does not verify. */
  | "no-answer"
  /** An answer `classifyAlipayResult` reads as a lost one: 10003, 20000 on a write, ACQ.SYSTEM_ERROR… */
  | "ambiguous-answer"
  /** A success answer that its method's response schema refuses. */
  | "unreadable-success";

/** One gateway call's answer, parsed once: the classes are `classifyAlipayResult`'s. */
export type AlipayCallResult<M extends AlipayMethod> =
  | { kind: "success"; response: AlipayResponse<M> }
  | ({ kind: "business-failure"; class: "retryable" | "definitive" } & AlipayFailureDetail)
  | ({ kind: "unknown-outcome"; cause: UnknownOutcomeCause; reason: string } & AlipayFailureDetail);

export type AlipayClient = {
  appId: string;
  /** The app's configured sign type: notifications are verified with it, never with the one they name. */
  signType: SignType;
  /** The signStr for my.paySignCenter: sdkExecute output encoded once more, never with a return_url. */
  buildPaySignStr(bizContent: AlipayBizContent<"alipay.user.agreement.page.sign">): Promise<string>;
  call<M extends AlipayGatewayMethod>(method: M, biz: AlipayBizContent<M>): Promise<AlipayCallResult<M>>;
  /**
   * Verifies a notification's form params (already decoded from `charset`, default utf-8): `sign` over the bytes in
   * that charset of the rest minus `sign`/`sign_type`, as received (empty values kept), else with the empty values
   * left out — each the exact signed content of one of the forms Alipay's SDKs sign (docs/alipay-protocol.md §18.3).
   */
  verifyNotification(params: Record<string, string>, charset?: AlipayCharset): boolean;
  /** Verifies `sign` over an exact response text, e.g. the page.sign answer inside a paySignCenter `result`. */
  verifyAlipaySignature(content: string, sign: string, signType?: string): boolean;
};

const algorithms: Record<SignType, string> = { RSA2: "RSA-SHA256", RSA: "RSA-SHA1" };

const noDetail: AlipayFailureDetail = { code: undefined, subCode: undefined, subMsg: undefined };

function readString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * One SDK instance per process. Its private key and Alipay's public key (given, or the SDK's from the Alipay public
 * certificate) are swapped for parsed KeyObjects after construction, so neither signing nor verifying an answer or a
 * notification re-parses a PEM (the SDK otherwise hands the PEM strings to crypto on every call).
 *
 * The client sets every common parameter the SDK does not: `timestamp` (the SDK would format the host's local
 * time; Alipay reads Asia/Shanghai wall time, docs/alipay-protocol.md §1.2) from `clock`, and `notify_url` from the
 * configuration for the methods that take one.
 */
export function createAlipayClient(
  config: AlipayConfig,
  options: { clock: Clock; logger: Logger; metrics?: Metrics | undefined },
): AlipayClient {
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
  const alipayPublicKey = sdk.config.alipayPublicKey ? createPublicKey(sdk.config.alipayPublicKey) : undefined;
  if (alipayPublicKey) (sdk.config as { alipayPublicKey: string | KeyObject }).alipayPublicKey = alipayPublicKey;

  const verifyAlipaySignature = (content: string | Buffer, sign: string, signType: string = config.signType) => {
    const algorithm = algorithms[signType as SignType];
    if (!algorithm || !sign || !alipayPublicKey) return false;
    try {
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      return createVerify(algorithm).update(bytes).verify(alipayPublicKey, sign, "base64");
    } catch {
      return false;
    }
  };

  const commonParams = async (method: AlipayMethod): Promise<Record<string, string>> => ({
    timestamp: formatAlipayDateTime(await options.clock.now()),
    ...(ALIPAY_METHOD_MAP[method].notifyUrl && config.notifyUrl ? { notify_url: config.notifyUrl } : {}),
  });

  const readAnswer = <M extends AlipayGatewayMethod>(
    method: M,
    answer: Record<string, unknown>,
  ): AlipayCallResult<M> => {
    const detail: AlipayFailureDetail = {
      code: readString(answer.code),
      subCode: readString(answer.sub_code),
      subMsg: readString(answer.sub_msg),
    };
    const outcome = classifyAlipayResult(method, { code: detail.code, sub_code: detail.subCode });
    if (isMerchantConfigurationFailure(method, { code: detail.code, sub_code: detail.subCode })) {
      // sub_msg of a signature refusal may quote the signed content (the sandbox does): it is not logged then.
      const subMsg = detail.subCode?.includes("signature") ? undefined : detail.subMsg;
      options.logger.error(
        { method, code: detail.code, subCode: detail.subCode, subMsg, fix: configurationHint(detail.subCode) },
        `Alipay refused paysign's configuration (${detail.subCode ?? detail.code ?? "no code"}): the operator must fix it`,
      );
    }
    if (outcome === "retryable" || outcome === "definitive") {
      return { kind: "business-failure", class: outcome, ...detail };
    }
    if (outcome === "unknown-outcome") {
      const reason = `${detail.code ?? ""} ${detail.subCode ?? ""}`.trim();
      return { kind: "unknown-outcome", cause: "ambiguous-answer", reason, ...detail };
    }
    const parsed = ALIPAY_METHOD_MAP[method].response.safeParse(answer);
    if (parsed.success) return { kind: "success", response: parsed.data as AlipayResponse<M> };
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(answer)"}: ${issue.code}`);
    options.logger.warn({ method, issues }, "Alipay answered success in a shape its schema refuses: outcome unknown");
    const reason = `the success answer of ${method} does not match its schema (${issues.join("; ")})`;
    return { kind: "unknown-outcome", cause: "unreadable-success", reason, ...noDetail };
  };

  const callGateway = async <M extends AlipayGatewayMethod>(
    method: M,
    biz: AlipayBizContent<M>,
  ): Promise<AlipayCallResult<M>> => {
    let answer: Record<string, unknown>;
    try {
      const request = ALIPAY_METHOD_MAP[method].requestIn === "common-params" ? biz : { bizContent: biz };
      const params = { ...(await commonParams(method)), ...request };
      answer = await sdk.exec(method, params, { validateSign: true });
    } catch (error) {
      // Network errors, timeouts and unverifiable answers: the call may or may not have taken effect.
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: "unknown-outcome", cause: "no-answer", reason, ...noDetail };
    }
    return readAnswer(method, answer);
  };

  return {
    appId: config.appId,
    signType: config.signType,
    async buildPaySignStr(bizContent) {
      const method = "alipay.user.agreement.page.sign";
      const output = sdk.sdkExecute(method, { ...(await commonParams(method)), bizContent });
      return encodePaySignStr(output);
    },
    async call(method, biz) {
      const stopTimer = options.metrics?.gatewayDuration.startTimer({ method });
      const result = await callGateway(method, biz);
      stopTimer?.({ result: result.kind });
      if (result.kind !== "success") options.metrics?.gatewayErrors.inc({ method, kind: errorKind(method, result) });
      return result;
    },
    verifyNotification(params, charset = "utf-8") {
      const { sign, sign_type: signType } = params;
      // The hash is the app's configured sign type, never the one the message names (SECURITY.md).
      if (!sign || (signType !== undefined && signType !== config.signType)) return false;
      const signed = (emptyValues: "keep" | "skip") =>
        verifyAlipaySignature(iconv.encode(buildNotifySignContent(params, { emptyValues }), charset), sign);
      if (signed("keep")) return true;
      return Object.values(params).includes("") && signed("skip");
    },
    verifyAlipaySignature,
  };
}

/** The error kind a metric counts: the business class, a merchant configuration refusal, or why the outcome is unknown. */
function errorKind(method: AlipayGatewayMethod, result: AlipayCallResult<AlipayGatewayMethod>): string {
  if (result.kind === "success") return "none";
  if (result.kind === "unknown-outcome") return result.cause;
  return isMerchantConfigurationFailure(method, { code: result.code, sub_code: result.subCode })
    ? "merchant-configuration"
    : result.class;
}
