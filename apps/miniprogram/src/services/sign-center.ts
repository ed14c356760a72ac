import type { SignRelay } from "../runtime/sign-relay.ts";
import { PAGES, pageUrl } from "../app-pages.ts";
import { ApiError } from "./api-error.ts";
import { isNetworkError, sendHttp, type RequestFunction } from "./http.ts";

/** What my.paySignCenter answers: both strings (docs/alipay-protocol.md §3). */
export type PaySignAnswer = { resultStatus: string; result: string };

/** Opens Alipay's signing for a signStr exactly as the server gave it. */
export type SignCenter = { open(signStr: string): Promise<PaySignAnswer> };

/**
 * The JSAPI does not exist on this client (old client, the IDE simulator): nothing was signed. Tell it by
 * `isSignCenterUnavailable` (its name), never `instanceof` (see isNetworkError in http.ts).
 */
export class SignCenterUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignCenterUnavailable";
  }
}

export function isSignCenterUnavailable(error: unknown): error is SignCenterUnavailable {
  return error instanceof Error && error.name === "SignCenterUnavailable";
}

/** What `fail` of my.paySignCenter becomes when the API exists: the outcome is unknown, the server asks Alipay. */
const UNKNOWN_SIGN_OUTCOME: PaySignAnswer = { resultStatus: "7001", result: "" };

/**
 * Real mode: my.paySignCenter with the signStr as is — the server already encoded it for this JSAPI. Every result
 * code (7000 … 6002) arrives through `success` (docs/alipay-protocol.md §3); `fail` means the call itself did not
 * run to an answer, which proves nothing about the agreement. So a `fail` is reported as the unknown outcome 7001
 * (the server queries Alipay), unless `my.canIUse('paySignCenter')` says the API is missing: then nothing can have
 * been signed and SignCenterUnavailable is thrown.
 */
export function alipaySignCenter(api: Pick<typeof my, "paySignCenter" | "canIUse">): SignCenter {
  return {
    async open(signStr) {
      try {
        const answer = await api.paySignCenter({ signStr });
        return { resultStatus: String(answer.resultStatus), result: answer.result ?? "" };
      } catch (error) {
        if (api.canIUse("paySignCenter")) return UNKNOWN_SIGN_OUTCOME;
        const failure = (error ?? {}) as { errorMessage?: unknown; error?: unknown };
        throw new SignCenterUnavailable(
          typeof failure.errorMessage === "string"
            ? failure.errorMessage
            : `my.paySignCenter failed (${String(failure.error)})`,
        );
      }
    },
  };
}

/**
 * Development mode: the sandbox's H5 signing page in a web-view page. The page posts `{ resultStatus, result }`
 * with my.postMessage; the web-view page hands it back through the relay. Leaving the page without an answer is 6001.
 */
export function sandboxSignCenter(options: {
  sandboxUrl: string;
  buyerId(): Promise<string>;
  relay(): SignRelay;
  navigateTo: typeof my.navigateTo;
}): SignCenter {
  return {
    async open(signStr) {
      const userId = await options.buyerId();
      // The page URL carries the signStr as a query value: one more encodeURIComponent (sandbox README).
      const url = `${options.sandboxUrl}/sandbox/sign?signStr=${encodeURIComponent(signStr)}&userId=${encodeURIComponent(userId)}`;
      const answer = options.relay().begin(url);
      await options.navigateTo({ url: pageUrl(PAGES.signWebview) });
      return answer;
    },
  };
}

/**
 * Development mode without web-view (`devSigning: "sandbox-api"`): the app asks the developer in a dialog, then has
 * the sandbox's signing center sign (or cancel) as the sandbox buyer — `POST /sandbox/sign-center
 * { signStr, userId, decision }`, whose `{ resultStatus, result }` are what my.paySignCenter would answer. The page
 * reports and polls exactly as in real mode.
 */
export function sandboxApiSignCenter(options: {
  request: RequestFunction;
  sandboxUrl: string;
  buyerId(): Promise<string>;
  confirm: typeof my.confirm;
}): SignCenter {
  return {
    async open(signStr) {
      const { confirm } = await options.confirm({
        title: "沙箱签约（开发环境）",
        content: "以沙箱测试买家签约这份协议？选「取消」则如同用户在支付宝中取消。",
        confirmButtonText: "签约",
        cancelButtonText: "取消",
      });
      const userId = await options.buyerId();
      let answer;
      try {
        answer = await sendHttp(options.request, {
          url: `${options.sandboxUrl}/sandbox/sign-center`,
          method: "POST",
          body: { signStr, userId, decision: confirm ? "confirm" : "cancel" },
        });
      } catch (error) {
        if (!isNetworkError(error)) throw error;
        throw new ApiError({ code: "NETWORK", message: `the sandbox did not answer: ${error.message}` });
      }
      const body = answer.json as { resultStatus?: unknown; result?: unknown } | null;
      if (answer.status !== 200 || typeof body?.resultStatus !== "string") {
        throw new ApiError({ code: "BAD_RESPONSE", status: answer.status, message: "the sandbox's signing center" });
      }
      return { resultStatus: body.resultStatus, result: typeof body.result === "string" ? body.result : "" };
    },
  };
}
