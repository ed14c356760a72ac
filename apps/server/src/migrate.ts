import { migrate } from "./db/migrator.ts";
import { ConfigError, loadMigrationConfig } from "./env.ts";
import { createLogger } from "./logger.ts";
import { explainDatabaseError, StartupError } from "./startup-error.ts";

// `node dist/migrate.js` (`pnpm --filter @paysign/server migrate`): applies pending migrations to DATABASE_URL and
// exits, as a deploy's own step; it needs the database credentials only. The API applies them at start-up too; the
// advisory lock lets any number of both run at once.
try {
  const config = loadMigrationConfig();
  const logger = createLogger({ level: config.logLevel });
  const { applied } = await migrate({ connectionString: config.databaseUrl, log: (line) => logger.info(line) }).catch(
    (error: unknown) => {
      throw explainDatabaseError(error, config.databaseUrl);
    },
  );
  logger.info({ applied: applied.length }, "database migrated");
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
