import type { SignRelay } from "../runtime/sign-relay.ts";
import { PAGES, pageUrl } from "../app-pages.ts";

/** What my.paySignCenter answers: both strings (docs/alipay-protocol.md §3). */
export type PaySignAnswer = { resultStatus: string; result: string };

/** Opens Alipay's signing for a signStr exactly as the server gave it. */
export type SignCenter = { open(signStr: string): Promise<PaySignAnswer> };

/** The JSAPI could not open at all (old client, not an enterprise app, the IDE simulator). Nothing was signed. */
export class SignCenterUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignCenterUnavailable";
  }
}

/** Real mode: my.paySignCenter with the signStr as is — the server already encoded it for this JSAPI. */
export function alipaySignCenter(paySignCenter: typeof my.paySignCenter): SignCenter {
  return {
    async open(signStr) {
      try {
        const answer = await paySignCenter({ signStr });
        return { resultStatus: String(answer.resultStatus), result: answer.result ?? "" };
      } catch (error) {
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
