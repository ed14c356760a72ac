import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@paysign/test-kit";
import { childEnvironment } from "./env.ts";
import { restartPeakRss } from "./memory.ts";
import type { SandboxReady } from "./sandbox-process.ts";
import type { StackReady } from "./stack-process.ts";

export const repoRoot = path.resolve(import.meta.dirname, "..");

/** The Node.js options production runs the server with (the Dockerfile's NODE_OPTIONS), so the API runs with them here. */
export const PRODUCTION_NODE_OPTIONS = ["--max-semi-space-size=8"];

export type BenchStack = Omit<StackReady, "type"> & {
  sandboxUrl: string;
  /** The API process's pid: the API and its PostgreSQL client pool alone (the sandbox and PostgreSQL run apart). */
  pid: number;
  /** The API's peak RSS in MB over its start-up, after which its peak restarts (bench/memory.ts). */
  startupPeakRssMb: number | undefined;
  stop(): Promise<void>;
};

export type StackOptions = {
  /** Extra server environment (DATABASE_POOL_SIZE, FOLLOW_UP_SCHEDULE…). */
  env?: Record<string, string>;
  /** Run the API with `--cpu-prof` and write its profile into this folder when it stops. */
  cpuProfileDir?: string;
};

type BenchChild<Ready> = { ready: Ready; pid: number; stop(): Promise<void> };

/**
 * Forks one of the benchmark's child processes (bench/child-ipc.ts) and waits for its `ready` message; `stop()` asks
 * it to stop and kills it after 20 s.
 */
export async function forkChild<Ready extends { type: "ready" }>(
  script: string,
  options: { args?: string[]; env: NodeJS.ProcessEnv; execArgv?: string[] },
): Promise<BenchChild<Ready>> {
  const child = fork(script, options.args ?? [], {
    cwd: repoRoot,
    execArgv: ["--conditions=@paysign/source", "--import", "tsx", ...(options.execArgv ?? [])],
    env: options.env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once("message", (message: Ready | { type: "failed"; message: string }) => {
        if (message.type === "ready") resolve(message);
        else reject(new Error(`${path.basename(script)} did not start: ${(message as { message: string }).message}`));
      });
      child.once("exit", (code) =>
        reject(new Error(`${path.basename(script)} exited with ${code} before it was ready`)),
      );
    });
    return {
      ready,
      pid: child.pid ?? 0,
      stop: async () => {
        if (child.connected) child.send("stop");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
}

/**
 * A fresh stack: a temporary DATA_DIR (its own PostgreSQL cluster, keys and sandbox state) and free ports, the
 * sandbox in one child process and the API (production mode, bench/stack-process.ts) in another; `stop()` ends both
 * and deletes the folder.
 */
export async function startBenchStack(options: StackOptions = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "paysign-bench-"));
  // As root, the embedded PostgreSQL runs as the user `postgres`, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const [port, sandboxPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const common = { DATA_DIR: dataDir, PORT: String(port), SANDBOX_PORT: String(sandboxPort), LOG_LEVEL: "silent" };
  const cleanUp = async () => {
    await stopOrphanedPostgres(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  };
  let sandbox: BenchChild<SandboxReady> | undefined;
  try {
    sandbox = await forkChild<SandboxReady>(path.join(import.meta.dirname, "sandbox-process.ts"), {
      env: childEnvironment({ ...common, NODE_ENV: "development" }),
    });
    const api = await forkChild<StackReady>(path.join(import.meta.dirname, "stack-process.ts"), {
      args: [sandbox.ready.sandboxUrl],
      execArgv: [
        ...PRODUCTION_NODE_OPTIONS,
        ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
      ],
      env: childEnvironment({
        ...common,
        NODE_ENV: "production",
        ADMIN_API_KEY: randomBytes(24).toString("hex"),
        SESSION_SECRET: randomBytes(32).toString("hex"),
        EMBEDDED_PG_PORT: String(pgPort),
        RATE_LIMIT_PER_MINUTE: "1000000",
        MAX_PENDING_AGREEMENTS_PER_CUSTOMER: "1000000",
        // No confirmation follow-up during a run: the PENDING agreements made for a scenario stay quiet.
        FOLLOW_UP_SCHEDULE: "24h",
        // No scheduler tick of its own either: deductions run when the deductions scenario asks for them.
        SCHEDULER_INTERVAL_SECONDS: "86400",
        ...options.env,
      }),
    });
    const { type: _type, ...addresses } = api.ready;
    const running = sandbox;
    const startupPeakRssMb = await restartPeakRss(api.pid);
    return {
      ...addresses,
      sandboxUrl: running.ready.sandboxUrl,
      pid: api.pid,
      startupPeakRssMb,
      stop: async () => {
        await api.stop();
        await running.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await sandbox?.stop();
    await cleanUp();
    throw error;
  }
}

/** When the stack process had to be killed, its embedded PostgreSQL is still running: stop it by its pid file. */
async function stopOrphanedPostgres(dataDir: string): Promise<void> {
  const pidFile = await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(pidFile.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGQUIT");
  } catch {
    // already gone
  }
}
