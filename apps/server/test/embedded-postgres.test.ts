import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres.ts";
import { freePort, tempDir } from "@paysign/test-kit";

describe("embedded PostgreSQL start-up errors", () => {
  test("a data folder holding something else is refused with what to do", async () => {
    const dataDir = tempDir("paysign-notpg-");
    writeFileSync(path.join(dataDir, "notes.txt"), "mine");
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(
      /is not empty and holds no PostgreSQL cluster: move its files away or choose another folder with DATA_DIR/,
    );
  });

  test("a taken port is refused with the port's number", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    const dataDir = tempDir("paysign-port-");
    try {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        `needs port ${port} (EMBEDDED_PG_PORT), which is already in use: stop what uses it or set EMBEDDED_PG_PORT`,
      );
    } finally {
      blocker.close();
    }
  });

  test.skipIf(process.getuid?.() !== 0)(
    "as root, a parent folder the postgres user cannot enter is named",
    async () => {
      const parent = tempDir("paysign-private-");
      chmodSync(parent, 0o700);
      await expect(startEmbeddedPostgres({ dataDir: path.join(parent, "pg"), port: await freePort() })).rejects.toThrow(
        `cannot enter ${parent}. Run \`chmod o+x ${parent}\``,
      );
    },
  );

  test("starting a cluster leaves the process's exit and signal handling alone (a failing run must exit non-zero)", async () => {
    const events = ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit", "message"] as const;
    const emitter: NodeJS.EventEmitter = process;
    const counts = () => events.map((event) => emitter.listenerCount(event));
    const before = counts();
    const dataDir = tempDir("paysign-hooks-", { open: true });
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: await freePort(),
      throwaway: true,
    });
    try {
      expect(counts()).toEqual(before);
    } finally {
      await cluster.stop();
    }
  });
});

describe("embedded PostgreSQL stop", () => {
  test("stop() returns at once when PostgreSQL has already stopped (Ctrl-C reaches the whole process group)", async () => {
    const dataDir = path.join(tempDir("paysign-stopped-", { open: true }), "pg");
    const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), throwaway: true });
    const postmasterPid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(postmasterPid, "SIGINT");
    // Gone once reaped: by then this process has seen the child's exit, as in `pnpm dev` after Ctrl-C.
    await expect.poll(() => isRunning(postmasterPid), { timeout: 30_000, interval: 50 }).toBe(false);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve("still stopping after 10 s"), 10_000)),
    );
    try {
      expect(await Promise.race([cluster.stop().then(() => "stopped"), late])).toBe("stopped");
    } finally {
      clearTimeout(timer);
    }
    expect(existsSync(dataDir)).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
