import { fork } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@paysign/test-kit";
import { childEnvironment } from "./env.ts";
import type { StackReady } from "./stack-process.ts";

export const repoRoot = path.resolve(import.meta.dirname, "..");

export type BenchStack = Omit<StackReady, "type"> & {
  /** The server process's pid (sandbox, API and the PostgreSQL client pool live in it). */
  pid: number;
  stop(): Promise<void>;
};

export type StackOptions = {
  /** Extra server environment (DATABASE_POOL_SIZE, FOLLOW_UP_SCHEDULE…). */
  env?: Record<string, string>;
  /** Run the server with `--cpu-prof` and write its profile into this folder when it stops. */
  cpuProfileDir?: string;
};

/**
 * A fresh stack in a child process: a temporary DATA_DIR (its own PostgreSQL cluster, keys and sandbox state) and
 * free ports; `stop()` ends the process and deletes the folder.
 */
export async function startBenchStack(options: StackOptions = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "paysign-bench-"));
  // As root, the embedded PostgreSQL runs as the user `postgres`, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const [port, sandboxPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const child = fork(path.join(import.meta.dirname, "stack-process.ts"), [], {
    cwd: repoRoot,
    execArgv: [
      "--conditions=@paysign/source",
      "--import",
      "tsx",
      ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ],
    env: childEnvironment({
      NODE_ENV: "development",
      LOG_LEVEL: "silent",
      DATA_DIR: dataDir,
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      EMBEDDED_PG_PORT: String(pgPort),
      RATE_LIMIT_PER_MINUTE: "1000000",
      MAX_PENDING_AGREEMENTS_PER_CUSTOMER: "1000000",
      // No confirmation follow-up during a run: the PENDING agreements made for a scenario stay quiet.
      FOLLOW_UP_SCHEDULE: "24h",
      // No scheduler tick of its own either: deductions run when the deductions scenario asks for them.
      SCHEDULER_INTERVAL_SECONDS: "86400",
      ...options.env,
    }),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const cleanUp = async () => {
    await stopOrphanedPostgres(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const ready = await new Promise<StackReady>((resolve, reject) => {
      child.once("message", (message: StackReady | { type: "failed"; message: string }) => {
        if (message.type === "ready") resolve(message);
        else reject(new Error(`the stack did not start: ${message.message}`));
      });
      child.once("exit", (code) => reject(new Error(`the stack process exited with ${code} before it was ready`)));
    });
    const { type: _type, ...addresses } = ready;
    return {
      ...addresses,
      pid: child.pid ?? 0,
      stop: async () => {
        if (child.connected) child.send("stop");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
        await cleanUp();
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
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
