import { createAlipayClient } from "./alipay/alipay-client.ts";
import { sandboxClock, systemClock } from "./clock.ts";
import { openDatabase } from "./database.ts";
import { createDatabase } from "./db/prisma.ts";
import { ConfigError, loadConfig } from "./env.ts";
import { QUEUES, startJobRunner } from "./jobs/job-runner.ts";
import { createLogger } from "./logger.ts";
import { serveMetrics } from "./metrics/metrics-server.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { createDatabaseGauges } from "./repositories/metrics-queries.ts";
import { StartupError } from "./startup-error.ts";

// `pnpm --filter @paysign/server worker`: the deduction and follow-up workers without the API, for scale-out. Any
// number of these may run against one database (pg-boss singleton jobs, row locks, one charge per period).
let config;
try {
  // The worker serves no request: it holds neither the admin key nor the session secret.
  config = loadConfig(undefined, { secrets: false });
  if (!config.databaseUrl) {
    throw new ConfigError(
      "Invalid configuration; fix these environment variables:\n  - DATABASE_URL: is required by the worker " +
        "(the API's database; with `pnpm dev` on the embedded PostgreSQL: " +
        `postgresql://postgres:<password>@127.0.0.1:${config.embeddedPostgresPort}/paysign)`,
    );
  }
  if (!config.alipay) {
    throw new ConfigError(
      "Invalid configuration; fix these environment variables:\n  - ALIPAY_APP_ID: is required by the worker " +
        "(with ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY): it calls alipay.trade.pay",
    );
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel }).child({ role: "worker" });

try {
  const database = await openDatabase(config, logger);
  const db = createDatabase({ url: database.url, poolSize: config.databasePoolSize, logger });
  const clock = config.sandboxUrl ? sandboxClock(config.sandboxUrl) : systemClock;
  const metrics = createMetrics();
  metrics.readDatabase(createDatabaseGauges({ db, clock, queues: Object.values(QUEUES) }));
  const alipay = config.alipay ? createAlipayClient(config.alipay, { clock, logger, metrics }) : undefined;
  const jobs = await startJobRunner(
    { config, db, logger, clock, alipay, metrics },
    { databaseUrl: database.url, work: true },
  );
  const metricsServer = config.metricsPort ? await serveMetrics({ config, metrics }) : undefined;
  logger.info({ pid: process.pid, metricsPort: config.metricsPort }, "worker running");
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping");
    metricsServer?.close();
    jobs
      .stop(config.shutdownGraceSeconds * 1000)
      .then(() => db.close())
      .then(() => database.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "worker shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  // What the operator fixes (a port, DATABASE_URL) is said in plain words; anything else is a bug: logged whole.
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  logger.fatal({ err: error }, error instanceof Error ? error.message : "worker start-up failed");
  process.exit(1);
}
