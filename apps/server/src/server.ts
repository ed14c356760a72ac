import type { Server } from "node:http";
import { createAlipayClient } from "./alipay/alipay-client.ts";
import { createApp } from "./app.ts";
import { sandboxClock, systemClock } from "./clock.ts";
import { openDatabase } from "./database.ts";
import { createDatabaseClient } from "./db/prisma.ts";
import { assertPortFree } from "./db/embedded-postgres.ts";
import type { Config } from "./env.ts";
import { startFollowUpLoop } from "./jobs/follow-up-loop.ts";
import type { Logger } from "./logger.ts";

export type RunningServer = {
  url: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  stop(): Promise<void>;
};

/** Opens (and migrates) the database, then serves the API. `stop()` closes the server, the pool and the database. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  if (config.port !== 0) await assertPortFree(config.port, "The API");
  const database = await openDatabase(config, logger);
  const db = createDatabaseClient({ url: database.url, poolSize: config.databasePoolSize });
  const clock = config.sandboxUrl ? sandboxClock(config.sandboxUrl) : systemClock;
  const alipay = config.alipay ? createAlipayClient(config.alipay) : undefined;
  if (!alipay) logger.warn("Alipay is not configured: sessions, signing and notifications answer 503 until it is");
  const app = createApp({ config, db, logger, clock, alipay });
  const stopFollowUps = startFollowUpLoop({ config, db, logger, clock, alipay }, 5_000);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}`;
  logger.info({ url }, "API listening");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopFollowUps();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await db.$disconnect();
      await database.stop();
      logger.info("stopped");
    })());
  return { url, databaseUrl: database.url, embeddedDatabase: database.embedded, stop };
}
