import { PgBoss, type Job } from "pg-boss";
import type { ChargeKey } from "../deductions/charge-engine.ts";
import { runCharge } from "../deductions/charge-engine.ts";
import { mapBounded, runSchedulerTick, settleCharge, type DeductionQueue } from "../deductions/scheduler.ts";
import { isDatabaseUnavailable } from "../http/database-errors.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { runAgreementSweep } from "../services/agreement-sweep.ts";
import { runRefundReconcile } from "../refunds/refund-reconcile.ts";
import { runDueFollowUps } from "../services/follow-up.ts";
import { billDateFor, runReconciliation } from "../deductions/reconciliation.ts";
import { runWebhookDeliveries } from "../webhooks/deliveries.ts";

/** pg-boss queues (schema `pgboss` of the same database). */
export const QUEUES = {
  /** One scheduler pass; `exclusive`, so however many processes ask, one runs at a time. */
  tick: "deduction-tick",
  /** One (agreement, D); `exclusive` per singletonKey = agreementId:D. */
  charge: "deduction-charge",
  /** trade.query for one charge with an unknown outcome; `exclusive` per charge id. */
  reconcile: "deduction-reconcile",
  /** The confirmation follow-up round (docs/product.md §7). */
  followUp: "confirmation-follow-up",
  /** The agreement sweep round (services/agreement-sweep.ts), asked on the follow-up's interval. */
  sweep: "agreement-sweep",
  /** Yesterday's Alipay bill against our charges, once a day at RECONCILIATION_HOUR (Asia/Shanghai). */
  reconciliation: "daily-reconciliation",
  /** PENDING refunds whose answer was lost, asked with the refund query (refunds/refund-reconcile.ts). */
  refundReconcile: "refund-reconcile",
  /** One webhook send round (webhooks/deliveries.ts: fans out as it goes, ends after ~30 s), every polling interval. */
  webhooks: "webhook-deliveries",
} as const;

/** pg-boss cron of the daily reconciliation: evaluated in Asia/Shanghai, whatever the host's TZ. */
export function reconciliationSchedule(hour: number): { cron: string; tz: "Asia/Shanghai" } {
  return { cron: `0 ${hour} * * *`, tz: "Asia/Shanghai" };
}

/** Seconds between a running job's heartbeats (pg-boss' minimum is 10). */
const heartbeatSeconds = 10;

export type JobRunner = {
  queue: DeductionQueue;
  /**
   * Stops fetching jobs, lets running ones finish for up to `graceMs` (pg-boss fails what is still running then; it
   * is retried, and a charge's attempt is reconciled), then closes pg-boss' pool. Connection errors from here on are
   * expected (the database may be stopping too) and logged at debug level.
   */
  stop(graceMs: number): Promise<void>;
};

/**
 * Starts pg-boss on the application database. With `work`, this process also runs the workers (polling interval,
 * batch size and local concurrency from JOBS_*) and asks for a scheduler tick every SCHEDULER_INTERVAL_SECONDS and
 * a follow-up round every FOLLOW_UP_INTERVAL_SECONDS; any number of processes may do so.
 */
export async function startJobRunner(
  deps: ServiceDeps,
  options: { databaseUrl: string; work: boolean },
): Promise<JobRunner> {
  const { config, logger } = deps;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: "pgboss",
    application_name: "paysign-jobs",
    max: Math.min(10, config.jobs.concurrency * 2 + 2),
    // A job whose worker died (SIGKILL, a lost machine) must not block its singleton key until it expires: every job
    // carries a heartbeat the running worker refreshes, and a job without one is failed (and retried) within
    // about heartbeat + supervise interval.
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
  });
  let stopping = false;
  boss.on("error", (error: unknown) => {
    if (stopping) return logger.debug({ err: error }, "pg-boss error while stopping");
    // A dropped connection (a database restart, a fail-over) is retried by pg-boss; readiness reports the outage.
    if (isDatabaseUnavailable(error)) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return logger.warn({ err: { code, message } }, "pg-boss lost a database connection; it reconnects");
    }
    logger.error({ err: error }, "pg-boss error");
  });
  await boss.start();
  const jobOptions = { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 };
  await boss.createQueue(QUEUES.tick, { policy: "exclusive", retryLimit: 0, expireInSeconds: 600 });
  await boss.createQueue(QUEUES.charge, { policy: "exclusive", ...jobOptions });
  await boss.createQueue(QUEUES.reconcile, { policy: "exclusive", ...jobOptions });
  await boss.createQueue(QUEUES.followUp, { policy: "exclusive", retryLimit: 0, expireInSeconds: 600 });
  await boss.createQueue(QUEUES.sweep, { policy: "exclusive", retryLimit: 0, expireInSeconds: 600 });
  await boss.createQueue(QUEUES.reconciliation, { policy: "exclusive", retryLimit: 2, expireInSeconds: 1800 });
  await boss.createQueue(QUEUES.refundReconcile, { policy: "exclusive", retryLimit: 0, expireInSeconds: 600 });
  await boss.createQueue(QUEUES.webhooks, { policy: "exclusive", retryLimit: 0, expireInSeconds: 600 });

  const queue: DeductionQueue = {
    async enqueueCharge(key) {
      const id = await boss.send(QUEUES.charge, key, {
        singletonKey: `${key.agreementId}:${key.dueDate}`,
        heartbeatSeconds,
      });
      return id !== null;
    },
    async enqueueReconcile(chargeId) {
      const id = await boss.send(QUEUES.reconcile, { chargeId }, { singletonKey: chargeId, heartbeatSeconds });
      return id !== null;
    },
  };
  const stopBoss = (graceMs: number) => {
    stopping = true;
    return boss.stop({ graceful: true, timeout: graceMs });
  };
  if (!options.work) return { queue, stop: stopBoss };

  const workOptions = {
    pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
    batchSize: config.jobs.batchSize,
    localConcurrency: config.jobs.concurrency,
  };
  const each =
    <T>(handle: (data: T) => Promise<unknown>) =>
    async (jobs: Job<T>[]) => {
      for (const job of jobs) await handle(job.data);
    };
  // A fetched batch of charges runs DEDUCTION_CONCURRENCY at once (each is safe beside any other: row locks, one
  // charge per period), and a full batch fetches the next one at once instead of waiting for the polling interval.
  const deductionOptions = { ...workOptions, burstWhenBatchFull: true };
  const atOnce =
    <T>(handle: (data: T) => Promise<unknown>) =>
    async (jobs: Job<T>[]) => {
      await mapBounded(jobs, config.deductions.concurrency, (job) => handle(job.data));
    };
  await boss.work<ChargeKey>(
    QUEUES.charge,
    deductionOptions,
    atOnce((key) => runCharge(deps, key)),
  );
  await boss.work<{ chargeId: string }>(
    QUEUES.reconcile,
    deductionOptions,
    atOnce(({ chargeId }) => settleCharge(deps, chargeId)),
  );
  const single = { pollingIntervalSeconds: config.jobs.pollingIntervalSeconds, batchSize: 1, localConcurrency: 1 };
  await boss.work(
    QUEUES.tick,
    single,
    each(async () => {
      const { enqueued } = await runSchedulerTick(deps, { queue });
      if (enqueued > 0) logger.info({ enqueued }, "scheduler tick");
    }),
  );
  await boss.work(
    QUEUES.followUp,
    single,
    each(() => runDueFollowUps(deps)),
  );
  await boss.work(
    QUEUES.sweep,
    single,
    each(() => runAgreementSweep(deps)),
  );
  await boss.work(
    QUEUES.refundReconcile,
    single,
    each(() => runRefundReconcile(deps)),
  );

  await boss.work(
    QUEUES.webhooks,
    single,
    each(() => runWebhookDeliveries(deps)),
  );

  await boss.work(
    QUEUES.reconciliation,
    single,
    each(async () => runReconciliation(deps, billDateFor(await deps.clock.now()))),
  );
  const { cron, tz } = reconciliationSchedule(config.jobs.reconciliationHour);
  await boss.schedule(QUEUES.reconciliation, cron, {}, { tz });

  const ask = (name: string) => () => {
    boss
      .send(name, {}, { singletonKey: name, heartbeatSeconds })
      .catch((error: unknown) => logger.warn({ err: error }, "send failed"));
  };
  ask(QUEUES.tick)();
  const timers = [
    setInterval(ask(QUEUES.tick), config.deductions.schedulerIntervalSeconds * 1000),
    setInterval(ask(QUEUES.followUp), config.jobs.followUpIntervalSeconds * 1000),
    setInterval(ask(QUEUES.sweep), config.jobs.followUpIntervalSeconds * 1000),
    setInterval(ask(QUEUES.refundReconcile), config.deductions.schedulerIntervalSeconds * 1000),
    setInterval(ask(QUEUES.webhooks), config.jobs.pollingIntervalSeconds * 1000),
  ];
  for (const timer of timers) timer.unref();
  return {
    queue,
    stop: async (graceMs) => {
      for (const timer of timers) clearInterval(timer);
      await stopBoss(graceMs);
    },
  };
}
