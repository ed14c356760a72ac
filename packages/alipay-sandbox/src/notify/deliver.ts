import { request } from "undici";

export type DeliveryOutcome = { httpStatus: number; body: string };

/**
 * One form POST as Alipay sends it, with undici's `request` (fetch's stream layer cost a fifth of the sandbox's CPU
 * while it answered trade.pay). A redirect is an answer like any other, never followed: only `success` acknowledges
 * (docs/alipay-protocol.md §10.6). A network error or timeout is recorded as status 0 with what went wrong.
 */
export async function postForm(options: {
  url: string;
  body: string;
  /** The charset of the body's percent-encoded bytes, named in the Content-Type (§18.1). Default utf-8. */
  charset?: string | undefined;
  timeoutMs: number;
}): Promise<DeliveryOutcome> {
  try {
    const response = await request(options.url, {
      method: "POST",
      headers: { "content-type": `application/x-www-form-urlencoded; charset=${options.charset ?? "utf-8"}` },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { httpStatus: response.statusCode, body: await response.body.text() };
  } catch (error) {
    return { httpStatus: 0, body: describeFailure(error) };
  }
}

/** An error's message, else its code (a refused `localhost` is an AggregateError of both addresses, without one). */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as { code?: unknown };
  return error.message || (typeof code === "string" ? code : error.name);
}
