import { defineProject } from "vitest/config";
import { sharedProject } from "../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

// End-to-end: real processes (sandbox, API, worker) over HTTP on one embedded PostgreSQL for the project.
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    globalSetup: ["./test/setup/postgres.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
