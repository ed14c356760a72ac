import { openDatabase } from "../src/database.ts";
import { loadConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";

// Applies pending migrations to DATABASE_URL, or to the embedded development database when it is unset.
const config = loadConfig(undefined, { secrets: false });
const logger = createLogger({ level: config.logLevel });
try {
  const database = await openDatabase(config, logger);
  await database.stop();
} catch (error) {
  logger.fatal(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
