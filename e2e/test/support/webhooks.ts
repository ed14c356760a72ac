import { createServer, type IncomingHttpHeaders } from "node:http";
import { Webhook } from "standardwebhooks";
import type { clientsOf } from "./client.ts";

// The merchant's side of the webhooks (issue #19) in the end-to-end story: a real HTTP receiver on loopback, and the
// reads of the events and deliveries the API shows, page after page.

/**
 * One request the receiver took, in order of arrival: its headers, raw body, and what `Webhook.verify` said about
 * them at arrival (`webhook-timestamp` is checked against the time of arrival, as a real receiver checks it).
 */
type Receipt = {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  verified: { ok: true; payload: unknown } | { ok: false; error: string };
};

export type WebhookReceiver = {
  /** `http://127.0.0.1:<port>/paysign/webhooks` */
  url: string;
  receipts: Receipt[];
  /** The endpoint's `whsec_…` secret, known once it is registered; a request before that is recorded unverified. */
  useSecret(secret: string): void;
  close(): Promise<void>;
};

/** A receiver on a free loopback port that answers every request 200 "ok" and records it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receipts: Receipt[] = [];
  let webhook: Webhook | undefined;
  const verify = (headers: IncomingHttpHeaders, body: string): Receipt["verified"] => {
    if (!webhook) return { ok: false, error: "no secret yet" };
    try {
      return { ok: true, payload: webhook.verify(body, headers as Record<string, string>) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const webhookId = req.headers["webhook-id"];
      receipts.push({
        webhookId: typeof webhookId === "string" ? webhookId : "",
        headers: req.headers,
        body,
        verified: verify(req.headers, body),
      });
      res.statusCode = 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/paysign/webhooks`,
    receipts,
    useSecret(secret) {
      webhook = new Webhook(secret);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type OutboundEvent = {
  id: string;
  type: string;
  createdAt: string;
  agreementId: string | null;
  sequence: number | null;
  data: Record<string, unknown>;
};

export type Delivery = { id: string; eventId: string; status: string; attemptCount: number; sequence: number | null };

type Admin = ReturnType<typeof clientsOf>["admin"];

/** Every final event of `GET /admin/v1/events`, in the API's order. */
export async function allEvents(admin: Admin): Promise<OutboundEvent[]> {
  const all: OutboundEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const query = after ? `?limit=100&after=${encodeURIComponent(after)}` : "?limit=100";
    const page = await admin<{ items: OutboundEvent[]; nextCursor: string; hasMore: boolean }>(
      `/admin/v1/events${query}`,
    );
    if (page.status !== 200) throw new Error(`events read failed: ${page.text}`);
    all.push(...page.body.items);
    if (!page.body.hasMore) return all;
    after = page.body.nextCursor;
  }
}

/** Every delivery to `endpointId` of `GET /admin/v1/webhook-deliveries`. */
export async function allDeliveries(admin: Admin, endpointId: string): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?endpointId=${endpointId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await admin<{ items: Delivery[]; nextCursor: string | null }>(`/admin/v1/webhook-deliveries${query}`);
    if (page.status !== 200) throw new Error(`deliveries read failed: ${page.text}`);
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}
