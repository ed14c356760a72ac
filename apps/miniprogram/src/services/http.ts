/**
 * One HTTP exchange over my.request, whatever the client does with a non-2xx status: some Alipay clients answer it
 * through `success`, others through `fail` with `error: 19` ("http status error") and the response's `status` and
 * `data` attached. Both become a `HttpAnswer`; only a request that got no response at all throws.
 */
export type HttpMethod = "GET" | "POST";

export type HttpRequest = {
  url: string;
  method: HttpMethod;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
};

export type HttpAnswer = { status: number; json: unknown };

/**
 * No answer: offline, timed out, refused, or a domain my.request may not reach. Tell it by `isNetworkError` (its
 * name), never `instanceof`: after the IDE's ES5 compile an Error subclass's instances are plain Errors.
 */
export class NetworkError extends Error {
  readonly alipayError: number | undefined;
  constructor(message: string, alipayError: number | undefined) {
    super(message);
    this.name = "NetworkError";
    this.alipayError = alipayError;
  }
}

export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof Error && error.name === "NetworkError";
}

export type RequestFunction = typeof my.request;

const REQUEST_TIMEOUT_MS = 15_000;

type RawAnswer = { status?: unknown; statusCode?: unknown; data?: unknown };

function parseBody(data: unknown): unknown {
  if (typeof data !== "string") return data ?? null;
  if (data.length === 0) return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function answerOf(raw: RawAnswer): HttpAnswer | undefined {
  const status = typeof raw.status === "number" ? raw.status : raw.statusCode;
  if (typeof status !== "number") return undefined;
  return { status, json: parseBody(raw.data) };
}

export async function sendHttp(request: RequestFunction, options: HttpRequest): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  try {
    const raw = await request({
      url: options.url,
      method: options.method,
      headers,
      // Text, parsed here: a body that is not JSON (a proxy's error page) must not become a parse failure.
      dataType: "text",
      timeout: REQUEST_TIMEOUT_MS,
      ...(options.body === undefined ? {} : { data: JSON.stringify(options.body) }),
    });
    const answer = answerOf(raw);
    if (!answer) throw new NetworkError("the response carried no status", undefined);
    return answer;
  } catch (error) {
    if (isNetworkError(error)) throw error;
    const failure = (error ?? {}) as RawAnswer & { error?: unknown; errorMessage?: unknown };
    const answer = answerOf(failure);
    if (answer) return answer;
    const message = typeof failure.errorMessage === "string" ? failure.errorMessage : String(error);
    throw new NetworkError(message, typeof failure.error === "number" ? failure.error : undefined);
  }
}
