import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";
import { http, sleep } from "./http.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/**
 * The API as production runs it: `node --import tsx apps/server/src/main.ts` in its own process, configured by the
 * environment only. Its stdout and stderr go to `logFile` (the whole-suite secrets check reads them) and to `lines`.
 */
export type ApiProcess = {
  url: string;
  port: number;
  lines: string[];
  pid(): number | undefined;
  alive(): boolean;
  /** SIGKILL: no shutdown hook runs, in-flight requests and transactions die with it. */
  crash(): Promise<void>;
  /** Starts it again with the same environment and port, and waits until it is ready. */
  restart(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after a few seconds. */
  stop(): Promise<void>;
};

export async function startApi(options: {
  port: number;
  env: Record<string, string>;
  logFile: string;
  entry?: string;
}): Promise<ApiProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const log: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const spawnOnce = () => {
    const started = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@paysign/source", options.entry ?? "apps/server/src/main.ts"],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let rest = "";
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    };
    started.stdout?.on("data", collect);
    started.stderr?.on("data", collect);
    // Should this process die first, the API must not outlive it.
    const orphanGuard = () => started.kill("SIGKILL");
    process.once("exit", orphanGuard);
    exited = new Promise((resolve) =>
      started.once("exit", () => {
        process.off("exit", orphanGuard);
        resolve();
      }),
    );
    child = started;
  };

  const waitReady = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!alive()) throw new Error(`the API exited at start-up:\n${lines.slice(-20).join("\n")}`);
      if ((await http(`${url}/healthz`, { timeoutMs: 2_000 })).status === 200) return;
      await sleep(100);
    }
    throw new Error(`the API did not answer /healthz within 60 s:\n${lines.slice(-20).join("\n")}`);
  };

  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals) => {
    if (!alive()) return;
    child?.kill(signal);
    await exited;
  };

  spawnOnce();
  try {
    await waitReady();
  } catch (error) {
    await kill("SIGKILL");
    log.end();
    throw error;
  }
  return {
    url,
    port: options.port,
    lines,
    pid: () => child?.pid,
    alive,
    crash: () => kill("SIGKILL"),
    async restart() {
      await kill("SIGKILL");
      spawnOnce();
      await waitReady();
    },
    async stop() {
      if (alive()) {
        child?.kill("SIGTERM");
        const stopped = await Promise.race([exited.then(() => true), sleep(8_000).then(() => false)]);
        if (!stopped) await kill("SIGKILL");
      }
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
