import { defineProject } from "vitest/config";
import { sharedProject } from "../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

// Each scenario starts its own PostgreSQL cluster, sandbox and API process; the global setup collects every API
// process's output and scans it for secrets once the whole suite has run.
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    globalSetup: ["./test/setup/suite-logs.ts"],
    // The scenarios mostly wait (Alipay's retry schedule, an attempt's in-flight time, a stopped database): they run
    // side by side, each with its own processes, so the suite takes about as long as its longest scenario.
    maxWorkers: 3,
    fileParallelism: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
