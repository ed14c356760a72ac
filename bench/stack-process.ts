import { createLogger, loadConfig, type Config } from "@paysign/server";
import { devSandboxServerConfig, startDevApi } from "../scripts/dev-stack/dev-stack.ts";
import { serveChild } from "./child-ipc.ts";
import { environmentParsedAsDevelopment, processNodeEnv } from "./env.ts";

/**
 * The stack's API process: the embedded PostgreSQL's client, migrations, demo plans and the API in production mode,
 * pointed at the sandbox that runs in its own process (argv[2]: its URL). Configured by the environment the benchmark
 * gives it, so the server never shares a process with the load tool or the sandbox.
 */
export type StackReady = {
  type: "ready";
  apiUrl: string;
  databaseUrl: string;
  keysDir: string;
  adminApiKey: string;
  /** The API's mode, as its configuration says: "production" here. */
  nodeEnv: string;
};

/**
 * Production as it runs, on the local sandbox. The environment is parsed as development would parse it — the only
 * mode that accepts the embedded database, the sandbox's http:// gateway and its app — and the result is switched to
 * production here, in code: `nodeEnv` (no contract checks of answers, secure cookies), docs off, and the system clock
 * (no SANDBOX_URL, as production); only webhooks may go to this machine's loopback receiver. Production's own checks (apps/server/src/env.ts) are not touched and no variable a
 * deployment could set reaches this override: it exists only in this benchmark file.
 */
async function benchProductionConfig(sandboxUrl: string): Promise<Config> {
  const parsed = loadConfig(environmentParsedAsDevelopment());
  const onSandbox = await devSandboxServerConfig(parsed, {
    url: sandboxUrl,
    gatewayUrl: `${sandboxUrl}/gateway.do`,
    alipayPublicKey: await sandboxAlipayPublicKey(sandboxUrl),
  });
  // The webhooks row delivers to a receiver on this machine, which production's SSRF rules refuse by design.
  return {
    ...onSandbox,
    nodeEnv: "production",
    docsEnabled: false,
    sandboxUrl: undefined,
    webhookPublicTargetsOnly: false,
  };
}

async function sandboxAlipayPublicKey(sandboxUrl: string): Promise<string> {
  const response = await fetch(new URL("/sandbox/info", sandboxUrl));
  if (!response.ok) throw new Error(`GET /sandbox/info answered ${response.status}`);
  return ((await response.json()) as { alipayPublicKey: string }).alipayPublicKey;
}

await serveChild<StackReady>(async () => {
  if (processNodeEnv() !== "production") throw new Error("the bench API process runs with NODE_ENV=production");
  const sandboxUrl = process.argv[2];
  if (!sandboxUrl) throw new Error("the sandbox's URL is the first argument");
  const config = await benchProductionConfig(sandboxUrl);
  const api = await startDevApi(config, createLogger({ level: config.logLevel }));
  return {
    ready: {
      type: "ready",
      apiUrl: api.apiUrl,
      databaseUrl: api.databaseUrl,
      keysDir: `${config.dataDir}/keys`,
      adminApiKey: config.adminApiKey,
      nodeEnv: config.nodeEnv,
    },
    stop: () => api.stop(),
  };
});
