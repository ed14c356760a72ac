import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { freePort } from "@paysign/test-kit";

declare module "vitest" {
  export interface ProvidedContext {
    /** A maintenance-database URL on which each test file creates its own throwaway database. */
    adminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: `DATABASE_URL` when set (its server must let us CREATE DATABASE), otherwise a
 * throwaway embedded cluster in a temporary folder. Test files each get their own database, so they run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide("adminDatabaseUrl", external);
    return async () => {};
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "paysign-test-pg-"));
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), throwaway: true });
  project.provide("adminDatabaseUrl", cluster.adminUrl);
  return async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
