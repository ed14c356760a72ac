import path from "node:path";
import { createSandbox, readOrCreateCertificates, readOrCreateKeyPair, type Sandbox } from "@paysign/alipay-sandbox";
import {
  assertPortFree,
  createDatabase,
  inProcessSandboxClock,
  seedDemoPlans,
  startServer,
  type Config,
  type Logger,
} from "@paysign/server";
import { sandboxAlipayConfig } from "./sandbox-alipay-config.ts";

const devAppId = "2021000000000001";

export type DevStack = {
  apiUrl: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  adminApiKey: string;
  seededPlans: number;
  /** Unset when real Alipay keys are configured (ALIPAY_APP_ID): then no sandbox runs. */
  sandboxUrl: string | undefined;
  keysDir: string;
  stop(): Promise<void>;
};

/** The development app's keys (and certificates in cert mode) under `<DATA_DIR>/keys`, created on first use. */
async function devAppCredentials(config: Config, keysDir: string) {
  const appKeys = readOrCreateKeyPair(keysDir, "app");
  const alipayKeys = readOrCreateKeyPair(keysDir, "sandbox-alipay");
  // SANDBOX_KEY_MODE=cert: the app in public-key certificate mode, its certificates in the key folder (§19.3).
  const certificates =
    config.sandboxKeyMode === "cert"
      ? await readOrCreateCertificates(keysDir, {
          alipayKeys,
          app: { appId: devAppId, publicKey: appKeys.publicKey },
        })
      : undefined;
  return { appKeys, alipayKeys, certificates };
}

/**
 * The Alipay sandbox of `pnpm dev` on SANDBOX_PORT, with the development app registered (its app gateway is the
 * API's /alipay/notify on PORT) and its state in `<DATA_DIR>/sandbox-state.json`. The benchmark runs it alone in a
 * process of its own.
 */
export async function startDevSandbox(config: Config): Promise<{ sandbox: Sandbox; keysDir: string }> {
  await assertPortFree(config.sandboxPort, { what: "The Alipay sandbox", variable: "SANDBOX_PORT" });
  const keysDir = path.join(config.dataDir, "keys");
  const { appKeys, alipayKeys, certificates } = await devAppCredentials(config, keysDir);
  const sandbox = createSandbox({
    alipayKeys,
    apps: [
      {
        appId: devAppId,
        publicKey: appKeys.publicKey,
        name: "paysign (development)",
        // The app gateway (应用网关) is the API's /alipay/notify, as production sets it in the Alipay console.
        appGatewayUrl: `http://127.0.0.1:${config.port}/alipay/notify`,
        userIdType: config.sandboxUserIdType,
        ...(certificates ? { appCert: certificates.appCert } : {}),
      },
    ],
    ...(certificates ? { certificates } : {}),
    stateFile: path.join(config.dataDir, "sandbox-state.json"),
  });
  await sandbox.listen(config.sandboxPort);
  return { sandbox, keysDir };
}

/**
 * The server's configuration pointed at a development sandbox (in this process or another one, found by its URL):
 * the development app's keys from `<DATA_DIR>/keys`, the sandbox's gateway, notifications to the API's /alipay/notify.
 */
export async function devSandboxServerConfig(
  config: Config,
  sandbox: Pick<Sandbox, "url" | "gatewayUrl" | "alipayPublicKey">,
): Promise<Config> {
  const { appKeys, certificates } = await devAppCredentials(config, path.join(config.dataDir, "keys"));
  return {
    ...config,
    sandboxUrl: sandbox.url,
    alipay: sandboxAlipayConfig({
      sandbox,
      appId: devAppId,
      appPrivateKey: appKeys.privateKey,
      notifyUrl: `http://127.0.0.1:${config.port}/alipay/notify`,
      certificates,
    }),
  };
}

/**
 * Everything `pnpm dev` runs, in one process: the Alipay sandbox with the development keys under
 * `<DATA_DIR>/keys` (created once) and its state in `<DATA_DIR>/sandbox-state.json`, the database (embedded unless
 * DATABASE_URL), migrations, demo plans, and the API pointed at the sandbox and following its clock.
 */
export async function startDevStack(config: Config, logger: Logger): Promise<DevStack> {
  const keysDir = path.join(config.dataDir, "keys");
  let sandbox: Sandbox | undefined;
  let serverConfig = config;
  if (!config.alipay) {
    ({ sandbox } = await startDevSandbox(config));
    serverConfig = await devSandboxServerConfig(config, sandbox);
    logger.info(
      { sandbox: sandbox.url, keysDir, keyMode: config.sandboxKeyMode, userIdType: config.sandboxUserIdType },
      "Alipay sandbox started",
    );
  }
  let api: DevApi | undefined;
  try {
    api = await startDevApi(serverConfig, logger, sandbox ? { clock: inProcessSandboxClock(sandbox) } : {});
    const running = api;
    return {
      ...api,
      adminApiKey: config.adminApiKey,
      sandboxUrl: sandbox?.url,
      keysDir,
      stop: async () => {
        await running.stop();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
}

type DevApi = {
  apiUrl: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  seededPlans: number;
  stop(): Promise<void>;
};

/** The API of the dev stack: database (embedded unless DATABASE_URL), migrations, the server, demo plans. */
export async function startDevApi(
  config: Config,
  logger: Logger,
  options: Parameters<typeof startServer>[2] = {},
): Promise<DevApi> {
  const server = await startServer(config, logger, options);
  try {
    const db = createDatabase({ url: server.databaseUrl, poolSize: 1, logger: console });
    const seededPlans = await seedDemoPlans(db).finally(() => db.close());
    return {
      apiUrl: server.url,
      databaseUrl: server.databaseUrl,
      embeddedDatabase: server.embeddedDatabase,
      seededPlans,
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The banner `pnpm dev` prints; `consoleUrl` is the console's dev server when one runs. */
export function devBanner(stack: DevStack, dataDir: string, consoleUrl?: string): string {
  const database = stack.embeddedDatabase
    ? `embedded PostgreSQL, data in ${dataDir}/postgres (${redactPassword(stack.databaseUrl)})`
    : redactPassword(stack.databaseUrl);
  const sandbox = stack.sandboxUrl
    ? [
        `  Sandbox      ${stack.sandboxUrl}   (local Alipay: gateway ${stack.sandboxUrl}/gateway.do)`,
        `  Signing page ${stack.sandboxUrl}/sandbox/sign?signStr=…&userId=…`,
        `  Dev keys     ${stack.keysDir}`,
      ]
    : ["  Alipay       real gateway (ALIPAY_APP_ID is set): no sandbox"];
  return [
    "",
    "  paysign is running",
    "",
    `  API          ${stack.apiUrl}`,
    `  API docs     ${stack.apiUrl}/docs   (OpenAPI: ${stack.apiUrl}/openapi.json)`,
    ...(consoleUrl
      ? [`  Console      ${consoleUrl}   (hot reload; sign in with the admin key below)`]
      : [`  Console      ${stack.apiUrl}/console/   (the built console: pnpm --filter @paysign/console build)`]),
    `  Health       ${stack.apiUrl}/healthz   ${stack.apiUrl}/readyz`,
    ...sandbox,
    `  Database     ${database}`,
    `  Admin key    ${stack.adminApiKey}   (header x-admin-key)`,
    `  Demo plans   ${stack.seededPlans} seeded   (curl ${stack.apiUrl}/api/v1/plans)`,
    "  Mini program apps/miniprogram/dist, rebuilt on change (open apps/miniprogram in the Alipay IDE)",
    "",
    "  Ctrl-C stops everything; data stays for the next run.",
    "",
  ].join("\n");
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
