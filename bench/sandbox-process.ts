import { loadConfig } from "@paysign/server";
import { startDevSandbox } from "../scripts/dev-stack/dev-stack.ts";
import { serveChild } from "./child-ipc.ts";

/**
 * The stack's Alipay sandbox alone, in a process of its own, so the API process's CPU and memory (BenchStack.pid) are
 * the API's. Configured like `pnpm dev`'s (DATA_DIR, SANDBOX_PORT, PORT for the app gateway) by the benchmark.
 */
export type SandboxReady = { type: "ready"; sandboxUrl: string; keysDir: string };

await serveChild<SandboxReady>(async () => {
  const { sandbox, keysDir } = await startDevSandbox(loadConfig(undefined, { secrets: false }));
  return {
    ready: { type: "ready", sandboxUrl: sandbox.url, keysDir },
    stop: () => sandbox.close(),
  };
});
