import { mkdir, rm } from "node:fs/promises";
import { setTimeout } from "node:timers/promises";
import path from "node:path";
import { createDatabase, QUEUES, type Database } from "@paysign/server";
import { readProfile, summarizeProfile } from "./profile.ts";
import type { ScenarioResult } from "./results.ts";
import { startBenchStack, type BenchStack, type StackOptions } from "./stack.ts";

/** How big a run is: `full` for `pnpm bench`, `small` for the shape test. */
export type Sizes = {
  signstrSeconds: number;
  signstrConnections: number;
  /** Customers the signstr load is spread over, one after another (each signed in once). */
  signstrCustomers: number;
  loopRounds: number;
  loopSeconds: number;
  notifyAgreements: number;
  notifyWarmUp: number;
  notifyConnections: number;
  deductionAgreements: number;
  /** Agreements charged one by one (POST /admin/v1/agreements/:id/charges) before the measured scheduler run. */
  deductionWarmUp: number;
  floorSeconds: number;
  /** `scale`: the table sizes seeded one after the other, and the due set of its fixed-due tick. */
  scaleSizes: number[];
  scaleFixedDue: number;
  webhookEvents: number;
};

export const fullSizes: Sizes = {
  signstrSeconds: 8,
  signstrConnections: 16,
  signstrCustomers: 320,
  loopRounds: 3,
  loopSeconds: 1,
  notifyAgreements: 4_000,
  notifyWarmUp: 400,
  notifyConnections: 32,
  deductionAgreements: 100,
  deductionWarmUp: 100,
  floorSeconds: 3,
  scaleSizes: [10_000, 100_000, 1_000_000],
  scaleFixedDue: 100,
  webhookEvents: 2_000,
};

export const smallSizes: Sizes = {
  signstrSeconds: 1,
  signstrConnections: 4,
  signstrCustomers: 8,
  loopRounds: 1,
  loopSeconds: 0.2,
  notifyAgreements: 40,
  notifyWarmUp: 10,
  notifyConnections: 4,
  deductionAgreements: 12,
  deductionWarmUp: 2,
  floorSeconds: 0.5,
  scaleSizes: [1_000, 3_000, 10_000],
  scaleFixedDue: 5,
  webhookEvents: 60,
};

export type ScenarioOptions = {
  sizes: Sizes;
  /** Profile the server process during the measured load and attach the summary. */
  profileDir?: string | undefined;
};

/** The measured part of a scenario, on the profiler's clock, for the profile summary. */
type Window = { from: number; to: number };

export type ScenarioRun = (context: {
  stack: BenchStack;
  db: Database;
  markLoad: (window: Window) => void;
}) => Promise<ScenarioResult>;

/**
 * The API asks for one scheduler tick as it starts (apps/server/src/jobs/job-runner.ts), and pg-boss runs it when its
 * worker next polls: a scenario starts once it has completed, so that tick never charges the agreements a scenario
 * makes (a notify agreement due today, unknown to the sandbox, would be charged and unsigned by it).
 */
async function startupTickDone(db: Database): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const done = await db.sql
      .query<{ done: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state = 'completed') AS "done"`,
        [QUEUES.tick],
      )
      .then(
        (answer) => answer.rows[0]?.done === true,
        () => false,
      );
    if (done) return;
    if (performance.now() > deadline) throw new Error("the API's start-up scheduler tick did not complete within 60 s");
    await setTimeout(100);
  }
}

/**
 * Runs one scenario on a fresh stack (own PostgreSQL, sandbox and API in a child process), torn down after;
 * `stackEnv` adds to the server's environment.
 */
export async function onFreshStack(
  name: string,
  options: ScenarioOptions & { stackEnv?: StackOptions["env"] },
  run: ScenarioRun,
): Promise<ScenarioResult> {
  const cpuProfileDir = options.profileDir ? path.join(options.profileDir, name) : undefined;
  if (cpuProfileDir) {
    await rm(cpuProfileDir, { recursive: true, force: true });
    await mkdir(cpuProfileDir, { recursive: true });
  }
  const stack = await startBenchStack({
    ...(options.stackEnv ? { env: options.stackEnv } : {}),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const db = createDatabase({ url: stack.databaseUrl, poolSize: 4, logger: console });
  let window: Window | undefined;
  let result: ScenarioResult;
  try {
    if (options.stackEnv?.JOBS_IN_API !== "false") await startupTickDone(db);
    result = await run({ stack, db, markLoad: (measured) => (window = measured) });
  } finally {
    await db.close();
    await stack.stop();
  }
  if (cpuProfileDir) {
    const found = await readProfile(cpuProfileDir);
    if (found) result.profile = summarizeProfile(found.profile, path.relative(process.cwd(), found.file), window);
  }
  return result;
}
