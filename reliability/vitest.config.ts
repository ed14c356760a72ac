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
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
