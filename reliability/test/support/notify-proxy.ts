import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sleep } from "./http.ts";

/** One delivery attempt of a notification as it reaches the proxy from the sandbox. */
export type Delivery = {
  notifyId: string;
  notifyType: string;
  agreementNo: string;
  externalAgreementNo: string;
  /** 1 for Alipay's first attempt of this notify_id, 2 for its first retry… */
  attempt: number;
};

/**
 * What the network does to one delivery, in order: wait, drop before the API sees it, send it twice at once, lose
 * the API's answer after the API has committed (answer `fail` or cut the connection).
 */
export type Disruption = {
  delayMs?: number;
  /** Held until this resolves (a reorder: released once another notification went through). */
  holdUntil?: Promise<unknown>;
  drop?: boolean;
  duplicate?: boolean;
  loseAck?: "fail" | "reset";
};

type NotifyProxyStats = {
  deliveries: number;
  dropped: number;
  duplicated: number;
  delayed: number;
  held: number;
  acksLostAsFail: number;
  acksLostAsReset: number;
};

export type NotifyProxy = {
  url: string;
  stats: NotifyProxyStats;
  /** The order in which the API first answered `success` to each notify_id (its commit order). */
  committed: string[];
  /** Resolves once the API has answered `success` to some delivery of this notification. */
  committedOnce(match: (delivery: Delivery) => boolean): Promise<void>;
  setPolicy(policy: (delivery: Delivery) => Disruption): void;
  close(): Promise<void>;
};

/**
 * A network between the sandbox (Alipay) and POST /alipay/notify that loses acknowledgements, drops, duplicates,
 * delays and reorders deliveries, following a policy the scenario sets.
 */
export async function startNotifyProxy(target: string): Promise<NotifyProxy> {
  const attempts = new Map<string, number>();
  const committed: string[] = [];
  const committedSet = new Set<string>();
  const committedDeliveries: Delivery[] = [];
  const waiters: Array<{ match: (delivery: Delivery) => boolean; resolve: () => void }> = [];
  const stats: NotifyProxyStats = {
    deliveries: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    held: 0,
    acksLostAsFail: 0,
    acksLostAsReset: 0,
  };
  let policy: (delivery: Delivery) => Disruption = () => ({});

  const forward = async (body: string) => {
    try {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { status: 502, text: error instanceof Error ? error.message : "unreachable" };
    }
  };

  const noteCommitted = (delivery: Delivery) => {
    if (committedSet.has(delivery.notifyId)) return;
    committedSet.add(delivery.notifyId);
    committed.push(delivery.notifyId);
    committedDeliveries.push(delivery);
    for (const waiter of [...waiters]) {
      if (!waiter.match(delivery)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const params = new URLSearchParams(body);
    const notifyId = params.get("notify_id") ?? "";
    const attempt = (attempts.get(notifyId) ?? 0) + 1;
    attempts.set(notifyId, attempt);
    const delivery: Delivery = {
      notifyId,
      notifyType: params.get("notify_type") ?? "",
      agreementNo: params.get("agreement_no") ?? "",
      externalAgreementNo: params.get("external_agreement_no") ?? "",
      attempt,
    };
    stats.deliveries++;
    const disruption = policy(delivery);
    if (disruption.holdUntil) {
      stats.held++;
      await disruption.holdUntil;
    }
    if (disruption.delayMs) {
      stats.delayed++;
      await sleep(disruption.delayMs);
    }
    if (disruption.drop) {
      stats.dropped++;
      res.socket?.destroy();
      return;
    }
    const sends = disruption.duplicate ? [forward(body), forward(body)] : [forward(body)];
    if (disruption.duplicate) stats.duplicated++;
    const answers = await Promise.all(sends);
    if (answers.some((answer) => answer.text === "success")) noteCommitted(delivery);
    const answer = answers[0] ?? { status: 502, text: "" };
    if (disruption.loseAck === "reset") {
      stats.acksLostAsReset++;
      res.socket?.destroy();
      return;
    }
    if (disruption.loseAck === "fail") stats.acksLostAsFail++;
    res.writeHead(disruption.loseAck === "fail" ? 200 : answer.status, { "content-type": "text/plain" });
    res.end(disruption.loseAck === "fail" ? "fail" : answer.text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/alipay/notify`,
    stats,
    committed,
    committedOnce: (match) =>
      new Promise<void>((resolve) => {
        if (committedDeliveries.some(match)) resolve();
        else waiters.push({ match, resolve });
      }),
    setPolicy: (next) => void (policy = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
