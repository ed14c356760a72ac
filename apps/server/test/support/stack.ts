import type { Server } from "node:http";
import { defined } from "@paysign/test-kit";
import {
  createSandbox,
  createSandboxControl,
  generateRsaKeyPair,
  type RegisteredApp,
  type Sandbox,
  type SandboxControl,
} from "@paysign/alipay-sandbox";
import { createAlipayClient, type AlipayClient } from "../../src/alipay/alipay-client.ts";
import { createApp } from "../../src/app.ts";
import { inProcessSandboxClock, systemClock, type Clock } from "../../src/clock.ts";
import { seedDemoPlans } from "../../src/db/seed.ts";
import { loadConfig, type Config } from "../../src/env.ts";
import { QUEUES } from "../../src/jobs/job-runner.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { createDatabaseGauges } from "../../src/repositories/metrics-queries.ts";
import type { ServiceDeps } from "../../src/services/deps.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

export const testAppId = "2021000000000042";

export type Stack = {
  sandbox: Sandbox;
  /** The sandbox's control API over HTTP (users, auth codes, signing center, clock, records, faults). */
  control: SandboxControl;
  database: TestDatabase;
  config: Config;
  clock: Clock;
  alipay: AlipayClient;
  /** The same dependencies the app's services use, for calling services directly (follow-up rounds…). */
  deps: ServiceDeps;
  /** Base URL of the API, listening on a free port. */
  api: string;
  /** The app key pair the API signs with (its public key is registered in the sandbox). */
  appKeys: { privateKey: string; publicKey: string };
  /** Everything the server logged, one JSON line each. */
  logs: string[];
  close(): Promise<void>;
};

export type StackOptions = {
  env?: Record<string, string>;
  sandbox?: Parameters<typeof createSandbox>[0];
  /** How long the server waits for an Alipay answer (3 s by default). */
  alipayTimeoutMs?: number;
  /** The test app's settings in the sandbox beyond its id and key (sign type, charset…). */
  app?: Omit<RegisteredApp, "appId" | "publicKey">;
  /** "system": the server reads the host's clock instead of the sandbox's (a server whose clock is not Alipay's). */
  serverClock?: "sandbox" | "system";
  /** Whether the app gateway (应用网关) is the API's /alipay/notify (default true); false: no app gateway is set. */
  appGateway?: boolean;
};

/**
 * The real thing on loopback: the sandbox (gateway, signing center, notifications) and the API on their own ports,
 * a database of its own, app keys made for the run, the server's clock following the sandbox's.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const appKeys = generateRsaKeyPair();
  const sandbox = createSandbox({ timeScale: 0.0001, ...options.sandbox });
  await sandbox.listen(0);
  sandbox.registerApp({
    appId: testAppId,
    publicKey: appKeys.publicKey,
    name: "paysign test merchant",
    ...options.app,
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const database = await createTestDatabase({ observeStatementBatch: (batch) => metrics.observeStatementBatch(batch) });
  await seedDemoPlans(database.db);

  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(line) },
  });
  const clock = options.serverClock === "system" ? systemClock : inProcessSandboxClock(sandbox);
  const server = await listen();
  const api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  if (options.appGateway !== false)
    sandbox.registerApp({
      appId: testAppId,
      publicKey: appKeys.publicKey,
      name: "paysign test merchant",
      ...options.app,
      appGatewayUrl: `${api}/alipay/notify`,
    });
  const base = loadConfig({
    NODE_ENV: "test",
    FOLLOW_UP_SCHEDULE: "15s,1m,5m",
    ...options.env,
    ALIPAY_APP_ID: testAppId,
    ALIPAY_PRIVATE_KEY: appKeys.privateKey,
    ALIPAY_PUBLIC_KEY: sandbox.alipayPublicKey,
    ALIPAY_GATEWAY: sandbox.gatewayUrl,
    ALIPAY_NOTIFY_URL: `${api}/alipay/notify`,
    ALIPAY_TIMEOUT_MS: String(options.alipayTimeoutMs ?? 3_000),
    // The sandbox's app: the development secrets apply (developmentDefaultsApply), as with `pnpm dev`.
    SANDBOX_URL: sandbox.url,
  });
  const config: Config = { ...base, databaseUrl: database.url };
  metrics.readDatabase(createDatabaseGauges({ db: database.db, clock, queues: Object.values(QUEUES) }));
  const alipay = createAlipayClient(defined(config.alipay, "config.alipay"), { clock, logger, metrics });
  const app = createApp({ config, db: database.db, logger, clock, alipay, metrics });
  server.on("request", app);
  return {
    sandbox,
    control: createSandboxControl(sandbox.url),
    database,
    config,
    clock,
    alipay,
    deps: { config, db: database.db, logger, clock, alipay, metrics },
    api,
    appKeys,
    logs,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await sandbox.close();
      await database.drop();
    },
  };
}

async function listen(): Promise<Server> {
  const { createServer } = await import("node:http");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
