import { createLogger, loadConfig } from "@paysign/server";
import { startDevStack } from "../scripts/dev-stack/dev-stack.ts";

/**
 * A stack child process: what `pnpm dev` runs (sandbox, embedded PostgreSQL, API) configured by the environment the
 * benchmark gives it, so the server never shares a process with the load tool. It reports its addresses over IPC
 * and stops on a "stop" message (or when the parent goes away), exiting normally so `--cpu-prof` writes its profile.
 */
export type StackReady = {
  type: "ready";
  apiUrl: string;
  sandboxUrl: string;
  databaseUrl: string;
  keysDir: string;
  adminApiKey: string;
};

const send = (message: StackReady | { type: "failed"; message: string }) =>
  new Promise<void>((resolve) => process.send?.(message, () => resolve()));

try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const stack = await startDevStack(config, logger);
  if (!stack.sandboxUrl) throw new Error("the benchmark needs the sandbox; unset ALIPAY_APP_ID");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("message", (message) => {
    if (message === "stop") stop();
  });
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  await send({
    type: "ready",
    apiUrl: stack.apiUrl,
    sandboxUrl: stack.sandboxUrl,
    databaseUrl: stack.databaseUrl,
    keysDir: stack.keysDir,
    adminApiKey: stack.adminApiKey,
  });
} catch (error) {
  await send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
