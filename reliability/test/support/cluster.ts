import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@paysign/server";
import { freePort } from "@paysign/test-kit";

/** A PostgreSQL cluster of the scenario's own, which it may stop and start again (same data folder and port). */
export type Cluster = {
  url: string;
  port: number;
  running(): boolean;
  /** A fast shutdown (SIGINT): every connection is cut, nothing committed is lost. */
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port. */
  start(): Promise<void>;
  /** Stops it if running and deletes its folder. */
  destroy(): Promise<void>;
};

export async function startCluster(): Promise<Cluster> {
  const folder = await mkdtemp(path.join(tmpdir(), "paysign-reliability-pg-"));
  // As root, PostgreSQL runs as the user `postgres`, which must be able to enter the folder.
  await chmod(folder, 0o755);
  const dataDir = path.join(folder, "data");
  const port = await freePort();
  const open = () => startEmbeddedPostgres({ dataDir, port, database: "paysign", throwaway: false });
  let current: EmbeddedDatabase | undefined = await open();
  const url = current.url;
  const cluster: Cluster = {
    url,
    port,
    running: () => current !== undefined,
    async stop() {
      const stopping = current;
      current = undefined;
      await stopping?.stop();
    },
    async start() {
      if (current) return;
      current = await open();
    },
    async destroy() {
      await cluster.stop().catch(() => {});
      await rm(folder, { recursive: true, force: true });
    },
  };
  return cluster;
}
