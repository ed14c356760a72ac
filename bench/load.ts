import autocannon from "autocannon";

export type LoadResult = {
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
};

export type LoadOptions = {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  connections: number;
  /** Run for this long… */
  durationSeconds?: number;
  /** …or send exactly these bodies, one request each, in order. */
  bodies?: string[];
  /** The same body every request. */
  body?: string;
  /** For a timed run: these bodies in turn. */
  cycle?: string[];
  /** For a timed run: these headers in turn, over `headers` (the sessions of a pool of customers, …). */
  headerCycle?: Record<string, string>[];
};

/**
 * autocannon from the npm registry, in the benchmark process: the server runs in its own child process, so the load
 * tool never shares the server's event loop.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { bodies, cycle, headerCycle } = options;
  let next = 0;
  let nextHeaders = 0;
  const inTurn: autocannon.Request[] =
    cycle || headerCycle
      ? [
          {
            setupRequest: (request) => ({
              ...request,
              ...(cycle ? { body: cycle[next++ % cycle.length] } : {}),
              ...(headerCycle
                ? { headers: { ...options.headers, ...headerCycle[nextHeaders++ % headerCycle.length] } }
                : {}),
            }),
          },
        ]
      : [];
  const settings: autocannon.Options = {
    url: options.url,
    method: options.method ?? "GET",
    connections: options.connections,
    headers: options.headers ?? {},
    timeout: 30,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(bodies
      ? {
          amount: bodies.length,
          requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
        }
      : {
          duration: options.durationSeconds ?? 5,
          ...(inTurn.length > 0 ? { requests: inTurn } : {}),
        }),
  };
  // autocannon notices the end of a fixed amount on its one-second tick, so its `duration` is rounded up to the next
  // second; for an amount, the time from the start to the last answer is measured here instead.
  let startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(settings, (error, finished) => (error ? reject(asError(error)) : resolve(finished)));
    instance.on("start", () => {
      startedAt = performance.now();
    });
    instance.on("response", () => {
      lastAnswerAt = performance.now();
    });
  });
  const durationSeconds = bodies ? (lastAnswerAt - startedAt) / 1000 : result.duration;
  return {
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds,
    perSecond: result.requests.total / durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
