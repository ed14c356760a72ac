import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/**
 * What the network does to one gateway call: pass it; `hold-after`: Alipay receives and processes it, the answer
 * never comes back; `hold-before`: it never reaches Alipay and never returns. A held call ends when the caller
 * gives up (SDK timeout) or dies.
 */
type GatewayAction = "pass" | "hold-after" | "hold-before";

export type GatewayProxy = {
  url: string;
  /** Calls held right now. */
  held(): number;
  stats: { calls: number; heldAfter: number; heldBefore: number };
  setPolicy(policy: (method: string) => GatewayAction): void;
  close(): Promise<void>;
};

/** A network between the API and the sandbox gateway (ALIPAY_GATEWAY points at it). */
export async function startGatewayProxy(target: string): Promise<GatewayProxy> {
  const targetUrl = new URL(target);
  const stats = { calls: 0, heldAfter: 0, heldBefore: 0 };
  let heldNow = 0;
  let policy: (method: string) => GatewayAction = () => "pass";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const incoming = new URL(req.url ?? "/", "http://proxy");
    const method = incoming.searchParams.get("method") ?? new URLSearchParams(body.toString()).get("method") ?? "";
    stats.calls++;
    const action = policy(method);
    const hold = () => {
      heldNow++;
      res.once("close", () => heldNow--);
    };
    if (action === "hold-before") {
      stats.heldBefore++;
      hold();
      return;
    }
    const response = await fetch(`${targetUrl.origin}${targetUrl.pathname}${incoming.search}`, {
      method: req.method ?? "POST",
      headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
      ...(req.method === "GET" ? {} : { body }),
      signal: AbortSignal.timeout(65_000),
    });
    const text = await response.text();
    if (action === "hold-after") {
      stats.heldAfter++;
      if (res.socket?.destroyed) return;
      hold();
      return;
    }
    res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
    res.end(text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    held: () => heldNow,
    stats,
    setPolicy: (next) => void (policy = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
