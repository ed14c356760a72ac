import { http as request, type HttpAnswer, type Json } from "@paysign/test-kit";

export type { HttpAnswer, Json };

/** One JSON request on loopback; a refused connection (the API is down) is status 0 with the error text. */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  try {
    return await request(url, { ...init, timeoutMs: init.timeoutMs ?? 20_000 });
  } catch (error) {
    return { status: 0, body: {}, text: error instanceof Error ? error.message : String(error), contentType: "" };
  }
}

export async function waitFor<T>(poll: {
  what: string;
  probe: () => Promise<T>;
  done: (value: T) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
}): Promise<T> {
  const { what, probe, done, timeoutMs = 30_000, intervalMs = 100 } = poll;
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${what}: not reached in ${timeoutMs} ms; last: ${String(JSON.stringify(value)).slice(0, 2_000)}`,
      );
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, at most `concurrency` at a time, results in order. */
export async function runBounded<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
