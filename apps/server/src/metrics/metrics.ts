import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { StatementBatchReport } from "../db/statement-batches.ts";

/** Seconds: HTTP answers and Alipay gateway calls (whose timeout is ALIPAY_TIMEOUT_MS, 10 s by default). */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Seconds: a batch's statement, from a millisecond to a write that failed at its 2 s lock timeout. */
const statementBatchBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Items per batch of a hot-path statement (at most 64, db/statement-batches.ts). */
const statementBatchSizeBuckets = [1, 2, 4, 8, 16, 32, 64];

/** What the database says at scrape time, whichever process did the work (API or any worker). */
export type DatabaseGauges = {
  /** Jobs per pg-boss queue and state (created, retry, active), and the age of the oldest waiting one. */
  jobs(): Promise<Array<{ queue: string; state: string; count: number; oldestSeconds: number | null }>>;
  /** PENDING agreements awaiting confirmation, and how many of them are due for a check now. */
  followUps(): Promise<{ pending: number; due: number }>;
  /** Charges per status. */
  charges(): Promise<Array<{ status: string; count: number }>>;
};

/**
 * The process's Prometheus registry (one per process, passed down; never prom-client's global one) and the
 * instruments the code records into. Counters count what this process did; the job, follow-up and charge gauges
 * read the database on scrape, so one scrape of the API also shows the work of separate workers.
 */
export type Metrics = {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  notifications: Counter<"type" | "outcome">;
  chargeAttempts: Counter<"outcome" | "sub_code_class">;
  gatewayDuration: Histogram<"method" | "result">;
  gatewayErrors: Counter<"method" | "kind">;
  /** Webhook attempts by outcome (succeeded, retry, failed); endpoints disabled after a day of failures. */
  webhookAttempts: Counter<"outcome">;
  webhookEndpointsDisabled: Counter;
  /** Hears of a batch of a batched hot-path statement (notify_read, notify_write): its size, wall time and failure. */
  observeStatementBatch(batch: StatementBatchReport): void;
  /** Reads the database on every scrape (set by the server once the database is open). */
  readDatabase(gauges: DatabaseGauges): void;
};

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "paysign_" });
  const registers = [registry];
  let database: DatabaseGauges | undefined;

  const readJobs = async () => (await database?.jobs().catch(() => [])) ?? [];
  new Gauge({
    name: "paysign_job_queue_depth",
    help: "pg-boss jobs per queue and state (created, retry, active)",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      const rows = await readJobs();
      this.reset();
      for (const row of rows) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: "paysign_job_oldest_waiting_seconds",
    help: "Age of the oldest pg-boss job per queue that could run now but has not started",
    labelNames: ["queue"] as const,
    registers,
    async collect() {
      const oldest = new Map<string, number>();
      for (const row of await readJobs()) {
        if (row.oldestSeconds === null || row.state === "active") continue;
        oldest.set(row.queue, Math.max(oldest.get(row.queue) ?? 0, row.oldestSeconds));
      }
      this.reset();
      for (const [queue, seconds] of oldest) this.set({ queue }, seconds);
    },
  });
  new Gauge({
    name: "paysign_follow_up_backlog",
    help: "PENDING agreements awaiting confirmation (due: their next agreement.query check is due now)",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const counts = await database?.followUps().catch(() => undefined);
      this.reset();
      if (!counts) return;
      this.set({ state: "pending" }, counts.pending);
      this.set({ state: "due" }, counts.due);
    },
  });
  new Gauge({
    name: "paysign_charges",
    help: "Charges per status, in the database",
    labelNames: ["status"] as const,
    registers,
    async collect() {
      const rows = (await database?.charges().catch(() => [])) ?? [];
      this.reset();
      for (const row of rows) this.set({ status: row.status }, row.count);
    },
  });

  const batchSize = new Histogram({
    name: "paysign_statement_batch_size",
    help: "Items per batch of a batched hot-path statement (notify_read, notify_write): notifications sharing one round trip",
    labelNames: ["statement"] as const,
    buckets: statementBatchSizeBuckets,
    registers,
  });
  const batchDuration = new Histogram({
    name: "paysign_statement_batch_duration_seconds",
    help:
      "Wall time of a batch's statement (notify_read, notify_write), from its dispatch to its answer or failure " +
      "(not its items run again alone)",
    labelNames: ["statement"] as const,
    buckets: statementBatchBuckets,
    registers,
  });
  const batchFailures = new Counter({
    name: "paysign_statement_batch_failures_total",
    help: "Batches of more than one item that failed as a whole, whose items were then run again one by one",
    labelNames: ["statement"] as const,
    registers,
  });

  return {
    registry,
    httpDuration: new Histogram({
      name: "paysign_http_request_duration_seconds",
      help: "HTTP answers by route (the route's pattern, never the raw path), method and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    notifications: new Counter({
      name: "paysign_notifications_total",
      help: "Alipay notifications by notify_type and outcome (APPLIED, DUPLICATE, REFUSED, MISMATCH, LOCK_TIMEOUT, ERROR…)",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    chargeAttempts: new Counter({
      name: "paysign_charge_attempts_total",
      help:
        "alipay.trade.pay attempts made by this process, by outcome and sub_code class " +
        "(none, retryable, definitive, merchant-configuration, unknown-outcome)",
      labelNames: ["outcome", "sub_code_class"] as const,
      registers,
    }),
    gatewayDuration: new Histogram({
      name: "paysign_alipay_call_duration_seconds",
      help: "Alipay gateway calls by method and result (success, business-failure, unknown-outcome)",
      labelNames: ["method", "result"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    gatewayErrors: new Counter({
      name: "paysign_alipay_call_errors_total",
      help:
        "Alipay gateway calls that did not succeed, by method and kind (retryable, definitive, " +
        "merchant-configuration, no-answer, ambiguous-answer, unreadable-success)",
      labelNames: ["method", "kind"] as const,
      registers,
    }),
    webhookAttempts: new Counter({
      name: "paysign_webhook_attempts_total",
      help: "Webhook delivery attempts by outcome (succeeded; retry: failed, tried again later; failed: the final one)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    webhookEndpointsDisabled: new Counter({
      name: "paysign_webhook_endpoints_disabled_total",
      help: "Webhook endpoints disabled because every delivery attempt to them failed for 24 hours",
      registers,
    }),
    observeStatementBatch({ statement, size, seconds, error }) {
      batchSize.observe({ statement }, size);
      batchDuration.observe({ statement }, seconds);
      if (error) batchFailures.inc({ statement });
    },
    readDatabase(gauges) {
      database = gauges;
    },
  };
}
