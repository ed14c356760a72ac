import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
// Loaded by vitest itself, without the source condition the test files resolve `@paysign/server` with.
import { startEmbeddedPostgres } from "../../../apps/server/src/db/embedded-postgres.ts";
import type { TestProject } from "vitest/node";
import { freePort } from "../support/free-port.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A maintenance-database URL on which each end-to-end file creates its own database. */
    e2eAdminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL for the end-to-end project: `DATABASE_URL` when set (its user must be allowed to CREATE DATABASE),
 * otherwise an embedded cluster in a temporary folder, removed afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide("e2eAdminDatabaseUrl", external);
    return async () => {};
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "paysign-e2e-pg-"));
  // As root, PostgreSQL runs as the user `postgres`, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), throwaway: true });
  project.provide("e2eAdminDatabaseUrl", cluster.adminUrl);
  return async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
