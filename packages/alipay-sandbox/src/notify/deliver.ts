import { request } from "undici";

export type DeliveryOutcome = { httpStatus: number; body: string };

/**
 * One form POST as Alipay sends it, on undici's keep-alive connections (fetch cost a fifth of the sandbox's CPU while
 * it answered trade.pay); a network error or timeout is recorded as status 0 with the error text.
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
    return { httpStatus: 0, body: error instanceof Error ? error.message : String(error) };
  }
}
