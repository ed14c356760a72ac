import type { Server } from "node:http";
import { createAlipayClient } from "./alipay/alipay-client.ts";
import { createApp } from "./app.ts";
import { sandboxClock, systemClock, type Clock } from "./clock.ts";
import { openDatabase } from "./database.ts";
import { createDatabase } from "./db/prisma.ts";
import { assertPortFree, portInUseError, type PortOwner } from "./db/embedded-postgres.ts";
import type { Config } from "./env.ts";
import { QUEUES, startJobRunner } from "./jobs/job-runner.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { createDatabaseGauges } from "./repositories/metrics-queries.ts";
import type { Logger } from "./logger.ts";

const apiPortOwner: PortOwner = { what: "The API", variable: "PORT" };

export type RunningServer = {
  url: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  stop(): Promise<void>;
};

/** Opens (and migrates) the database, then serves the API. `stop()` closes the server, the pool and the database. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: { clock?: Clock } = {},
): Promise<RunningServer> {
  if (config.port !== 0) await assertPortFree(config.port, apiPortOwner);
  const database = await openDatabase(config, logger);
  const metrics = createMetrics();
  const db = createDatabase({
    url: database.url,
    poolSize: config.databasePoolSize,
    logger,
    observeStatementBatch: (batch) => metrics.observeStatementBatch(batch),
  });
  const clock = options.clock ?? (config.sandboxUrl ? sandboxClock(config.sandboxUrl) : systemClock);
  metrics.readDatabase(createDatabaseGauges({ db, clock, queues: Object.values(QUEUES) }));
  const alipay = config.alipay ? createAlipayClient(config.alipay, { clock, logger, metrics }) : undefined;
  if (!alipay) logger.warn("Alipay is not configured: sessions, signing and notifications answer 503 until it is");
  // pg-boss: the queue for the admin routes; the workers too unless JOBS_IN_API=false (then run `worker`).
  const jobs = await startJobRunner(
    { config, db, logger, clock, alipay, metrics },
    { databaseUrl: database.url, work: config.jobs.inApi },
  ).catch(async (error: unknown) => {
    await db.close();
    await database.stop();
    throw error;
  });
  const app = createApp({ config, db, logger, clock, alipay, queue: jobs.queue, metrics });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    // The probe above binds 127.0.0.1 only; HOST may be another interface.
    listening.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? portInUseError(config.port, apiPortOwner) : error),
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}`;
  logger.info({ url }, "API listening");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      await closeHttp(server, deadline);
      await jobs.stop(Math.max(1000, deadline - Date.now()));
      await db.close();
      await database.stop();
      logger.info("stopped");
    })());
  return { url, databaseUrl: database.url, embeddedDatabase: database.embedded, stop };
}

/**
 * Stops accepting connections, closes idle keep-alive ones, and lets requests in flight finish until `deadline`; then
 * cuts what is left (a client retries; an Alipay notification not answered `success` is delivered again).
 */
async function closeHttp(server: Server, deadline: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
