export type Json = Record<string, unknown>;
export type HttpAnswer<T = Json> = { status: number; body: T; text: string; contentType: string };

/** One request as a client outside the processes makes it: JSON in, the answer as text and, when it parses, JSON. */
export async function http<T = Json>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(init.timeoutMs) }),
  });
  const text = await response.text();
  let body = {} as T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    // not JSON (the notify route answers plain text)
  }
  return { status: response.status, body, text, contentType: response.headers.get("content-type") ?? "" };
}
