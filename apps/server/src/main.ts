import { ConfigError, loadConfig } from "./env.ts";
import { createLogger } from "./logger.ts";
import { StartupError } from "./startup-error.ts";
import { startServer } from "./server.ts";

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel });

try {
  const running = await startServer(config, logger);
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
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
  logger.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
  process.exit(1);
}
