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
};

/**
 * autocannon from the npm registry, in the benchmark process: the server runs in its own child process, so the load
 * tool never shares the server's event loop.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { bodies, cycle } = options;
  let next = 0;
  const result = await autocannon({
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
          ...(cycle
            ? { requests: [{ setupRequest: (request) => ({ ...request, body: cycle[next++ % cycle.length] }) }] }
            : {}),
        }),
  });
  const durationSeconds = result.duration;
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
