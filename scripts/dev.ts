import { createLogger, devBanner, loadConfig, startDevStack } from "@paysign/server";

// `pnpm dev`: the whole stack on embedded defaults. Logs go to stdout as JSON; the banner says where everything is.
try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const stack = await startDevStack(config, logger);
  process.stdout.write(devBanner(stack, config.dataDir) + "\n");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\n  stopping paysign…\n");
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`\n  paysign could not start: ${error instanceof Error ? error.message : String(error)}\n\n`);
  process.exit(1);
}
