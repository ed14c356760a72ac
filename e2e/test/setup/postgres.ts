import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@paysign/server";
import { freePort } from "@paysign/test-kit";
import type { TestProject } from "vitest/node";

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
