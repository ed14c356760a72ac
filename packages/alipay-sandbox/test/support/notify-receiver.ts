import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedNotification = { at: number; rawBody: string; params: Record<string, string>; contentType: string };

/** A merchant endpoint that records every POST and answers from a script (`success` once the script runs out). */
export async function startReceiver(answers: string[] = []): Promise<{
  url: string;
  received: ReceivedNotification[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}> {
  const received: ReceivedNotification[] = [];
  const script = [...answers];
  const server: Server = createServer((request, response) => {
    let raw = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (raw += chunk));
    request.on("end", () => {
      received.push({
        at: Date.now(),
        rawBody: raw,
        params: Object.fromEntries(new URLSearchParams(raw)),
        contentType: request.headers["content-type"] ?? "",
      });
      response.end(script.shift() ?? "success");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return received;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
