import { definePage, type WebViewMessageEvent } from "../../runtime/page.ts";
import type { SignRelay } from "../../runtime/sign-relay.ts";
import type { PaySignAnswer } from "../../services/sign-center.ts";

export type SignWebviewData = { src: string; error: string };

function answerOf(detail: unknown): PaySignAnswer | null {
  const message = detail as { resultStatus?: unknown; result?: unknown } | null;
  if (!message || typeof message.resultStatus !== "string") return null;
  return { resultStatus: message.resultStatus, result: typeof message.result === "string" ? message.result : "" };
}

/**
 * Development mode only: the sandbox's H5 signing page stands in for my.paySignCenter, which the IDE simulator
 * cannot run. Its `my.postMessage({ resultStatus, result })` arrives here and goes back to the agreement page.
 */
export function signWebviewPage(relay: () => SignRelay) {
  const data: SignWebviewData = { src: "", error: "" };
  return definePage(data, {
    onLoad() {
      const url = relay().pendingUrl();
      if (!url) {
        this.setData({ error: "没有待签约的协议，请返回重新开通。" });
        return;
      }
      this.setData({ src: url });
    },

    onMessage(event: WebViewMessageEvent) {
      const answer = answerOf(event.detail);
      if (!answer) return;
      relay().finish(answer);
      return my.navigateBack();
    },

    onUnload() {
      // Back without deciding: what paySignCenter answers when the user leaves (6001).
      relay().finish({ resultStatus: "6001", result: "" });
    },
  });
}
