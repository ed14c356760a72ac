import path from "node:path";
import type { Config } from "./env.ts";
import { startEmbeddedPostgres } from "./db/embedded-postgres.ts";
import { migrate } from "./db/migrator.ts";
import type { Logger } from "./logger.ts";
import { explainDatabaseError } from "./startup-error.ts";

export type DatabaseHandle = { url: string; embedded: boolean; stop(): Promise<void> };

/** `DATABASE_URL` when configured; otherwise the embedded PostgreSQL under `<DATA_DIR>/postgres`. Migrated either way. */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (config.databaseUrl) {
    handle = { url: config.databaseUrl, embedded: false, stop: async () => {} };
  } else {
    const dataDir = path.join(config.dataDir, "postgres");
    logger.info({ dataDir, port: config.embeddedPostgresPort }, "starting embedded PostgreSQL");
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.embeddedPostgresPort,
      log: (line) => logger.debug({ postgres: line }, "postgres"),
    });
    handle = { url: embedded.url, embedded: true, stop: () => embedded.stop() };
  }
  try {
    const { applied } = await migrate({ connectionString: handle.url, log: (line) => logger.info(line) });
    logger.info({ applied: applied.length }, "database migrated");
  } catch (error) {
    await handle.stop();
    throw config.databaseUrl ? explainDatabaseError(error, config.databaseUrl) : error;
  }
  return handle;
}
