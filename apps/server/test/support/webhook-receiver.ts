import { createServer, type IncomingHttpHeaders } from "node:http";

/** One request the receiver took: its headers and raw body. `webhookId` is its `webhook-id` header. */
export type Receipt = { webhookId: string; headers: IncomingHttpHeaders; body: string };

/** How a request is answered; a promise holds the answer until it settles. */
export type ReceiverAnswer = { status: number; body?: string };

export type WebhookReceiver = {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string;
  port: number;
  receipts: Receipt[];
  /** Answers the next requests with this (default: 200 "ok"). */
  answerWith(answer: (receipt: Receipt, index: number) => ReceiverAnswer | Promise<ReceiverAnswer>): void;
  /** Resolves once `count` requests have arrived in all (no polling: checked on each arrival). */
  received(count: number): Promise<Receipt[]>;
  close(): Promise<void>;
};

/** A real HTTP receiver on a free loopback port that records every request and answers as the test says. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receipts: Receipt[] = [];
  let answer: (receipt: Receipt, index: number) => ReceiverAnswer | Promise<ReceiverAnswer> = () => ({
    status: 200,
    body: "ok",
  });
  const waiters: Array<{ count: number; resolve: (receipts: Receipt[]) => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const webhookId = req.headers["webhook-id"];
      const receipt: Receipt = {
        webhookId: typeof webhookId === "string" ? webhookId : "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      const index = receipts.push(receipt) - 1;
      for (const waiter of waiters.filter((item) => receipts.length >= item.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve([...receipts]);
      }
      void Promise.resolve(answer(receipt, index)).then((given) => {
        res.statusCode = given.status;
        res.end(given.body ?? "");
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    receipts,
    answerWith(next) {
      answer = next;
    },
    received(count) {
      if (receipts.length >= count) return Promise.resolve([...receipts]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An answer the test releases: `answer` is handed to the receiver, `release(status)` lets it go. */
export function heldAnswer(): { answer: Promise<ReceiverAnswer>; release(status: number): void } {
  let release: (status: number) => void = () => undefined;
  const answer = new Promise<ReceiverAnswer>((resolve) => {
    release = (status) => resolve({ status, body: `held, then ${status}` });
  });
  return { answer, release };
}
