import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@paysign/test-kit";
import { createSandboxControl } from "@paysign/alipay-sandbox";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const appId = "2021000000000077";
export const adminKey = "e2e-admin-key-0123456789";

type ManagedProcess = {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
};

export type E2eProcesses = {
  sandboxUrl: string;
  apiUrl: string;
  /** Every process's output so far, prefixed with its name (for a failure message). */
  output(): string;
  /** Stops every process (SIGTERM, then SIGKILL after 10 s) and removes the temporary folder. */
  stop(): Promise<void>;
};

export type ProcessOptions = {
  databaseUrl: string;
  /** Run a separate worker process (`src/worker.ts`) and no jobs in the API; otherwise the API runs them. */
  worker: boolean;
  /** Extra environment for the API and the worker. */
  env?: Record<string, string>;
  /** The app's key mode: public key (default) or public-key certificates (docs/alipay-protocol.md §19.3). */
  keyMode?: "key" | "cert";
  /** How the sandbox's app knows its users (docs/alipay-protocol.md §19.1); default `user_id`. */
  userIdType?: "user_id" | "open_id";
};

/**
 * The real processes on loopback, each as `node --import tsx --conditions=@paysign/source <entry>` would run it:
 * the Alipay sandbox (`packages/alipay-sandbox/src/main.ts`, its keys and state in a temporary folder), the API
 * (`apps/server/src/main.ts`) and, when asked, the worker (`apps/server/src/worker.ts`), both on `databaseUrl`,
 * signing with the app key the sandbox created and following the sandbox's clock over HTTP.
 */
export async function startProcesses(options: ProcessOptions): Promise<E2eProcesses> {
  const folder = await mkdtemp(path.join(tmpdir(), "paysign-e2e-"));
  await chmod(folder, 0o755);
  const started: ManagedProcess[] = [];
  const killAll = () => started.forEach(({ child }) => child.exitCode === null && child.kill("SIGKILL"));
  // Should this process die without running afterAll, its children die with it.
  process.once("exit", killAll);
  const output = () =>
    started.map(({ name, output }) => output.map((line) => `[${name}] ${line}`).join("\n")).join("\n");
  const stop = async () => {
    await Promise.all([...started].reverse().map(stopProcess));
    process.off("exit", killAll);
    await rm(folder, { recursive: true, force: true });
  };

  try {
    const sandboxPort = await freePort();
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const keysDir = path.join(folder, "keys");
    const sandbox = spawnEntry("sandbox", "packages/alipay-sandbox/src/main.ts", {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_KEYS_DIR: keysDir,
      SANDBOX_APP_ID: appId,
      SANDBOX_STATE_FILE: path.join(folder, "sandbox-state.json"),
      SANDBOX_KEY_MODE: options.keyMode ?? "key",
      SANDBOX_USER_ID_TYPE: options.userIdType ?? "user_id",
    });
    started.push(sandbox);
    await waitUntil(sandbox, () => answers(`${sandboxUrl}/sandbox/clock`));

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // The app gateway (应用网关) is the API's /alipay/notify, as production sets it in the Alipay console.
    await createSandboxControl(sandboxUrl).setAppGateway(appId, `${apiUrl}/alipay/notify`);
    const serverEnv = {
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: options.databaseUrl,
      ADMIN_API_KEY: adminKey,
      SESSION_SECRET: "e2e-session-secret-0123456789-0123456789",
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: await readFile(path.join(keysDir, "app-private.pem"), "utf8"),
      ...(await alipayKeyEnv(keysDir, options.keyMode ?? "key", appId)),
      ALIPAY_GATEWAY: `${sandboxUrl}/gateway.do`,
      ALIPAY_NOTIFY_URL: `${apiUrl}/alipay/notify`,
      SANDBOX_URL: sandboxUrl,
      RATE_LIMIT_PER_MINUTE: "1000000",
      SCHEDULER_INTERVAL_SECONDS: "1",
      FOLLOW_UP_INTERVAL_SECONDS: "1",
      JOBS_POLLING_INTERVAL_SECONDS: "0.5",
      JOBS_IN_API: options.worker ? "false" : "true",
      ...options.env,
    };
    const api = spawnEntry("api", "apps/server/src/main.ts", { ...serverEnv, PORT: String(apiPort) });
    started.push(api);
    if (options.worker) {
      const worker = spawnEntry("worker", "apps/server/src/worker.ts", serverEnv);
      started.push(worker);
      await waitUntil(worker, () => Promise.resolve(worker.output.some((line) => line.includes('"worker running"'))));
    }
    await waitUntil(api, () => answers(`${apiUrl}/readyz`));
    return { sandboxUrl, apiUrl, output, stop };
  } catch (error) {
    const log = output();
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log}`, { cause: error });
  }
}

/** The server's Alipay key variables for the sandbox's files: the Alipay public key, or the three certificates. */
async function alipayKeyEnv(keysDir: string, keyMode: "key" | "cert", app: string): Promise<Record<string, string>> {
  const read = (name: string) => readFile(path.join(keysDir, name), "utf8");
  if (keyMode === "key") return { ALIPAY_PUBLIC_KEY: await read("sandbox-alipay-public.pem") };
  return {
    ALIPAY_KEY_MODE: "cert",
    ALIPAY_APP_CERT: await read(`appCertPublicKey_${app}.crt`),
    ALIPAY_PUBLIC_CERT: await read("alipayCertPublicKey_RSA2.crt"),
    ALIPAY_ROOT_CERT: await read("alipayRootCert.crt"),
  };
}

function spawnEntry(name: string, entry: string, env: Record<string, string>): ManagedProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let rest = "";
  const collect = (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    output.push(...lines);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, output, exited };
}

async function stopProcess(managed: ManagedProcess): Promise<void> {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  managed.child.kill("SIGTERM");
  const timer = setTimeout(() => managed.child.kill("SIGKILL"), 10_000);
  await managed.exited;
  clearTimeout(timer);
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function waitUntil(managed: ManagedProcess, ready: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const started = Date.now();
  while (!(await ready())) {
    if (managed.child.exitCode !== null) throw new Error(`the ${managed.name} exited with ${managed.child.exitCode}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the ${managed.name} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
