import type { AgreementDetail } from "@paysign/contracts/mini";
import type { ApiClient } from "./api-client.ts";

export type PollResult = {
  /** The last agreement read, or null when no poll got an answer. */
  agreement: AgreementDetail | null;
  /** True when it left PENDING; false when the delays ran out, every read failed, or the page went away. */
  final: boolean;
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads the agreement after each delay until it is no longer PENDING. Bounded by the number of delays: after them
 * the server's own follow-up (agreement.query on a back-off) finishes the confirmation, and the customer sees it in
 * My agreements. A failed read counts as a poll and is not shown: the next one may succeed.
 */
export async function pollAgreement(options: {
  api: ApiClient;
  id: string;
  delaysMs: readonly number[];
  stopped(): boolean;
}): Promise<PollResult> {
  let agreement: AgreementDetail | null = null;
  for (const delay of options.delaysMs) {
    await sleep(delay);
    if (options.stopped()) return { agreement, final: false };
    try {
      agreement = await options.api.getAgreement(options.id);
    } catch {
      continue;
    }
    if (agreement.status !== "PENDING") return { agreement, final: true };
  }
  return { agreement, final: false };
}
