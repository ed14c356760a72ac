import { defineProject } from "vitest/config";
import { sharedProject } from "../../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

// The end-to-end test runs the real server (apps/server/test/support/stack.ts), which needs the server's database
// setup: one PostgreSQL for the run, a throwaway database per test file.
export default defineProject({
  ...shared,
  test: { ...shared.test, globalSetup: ["../server/test/setup/global-database.ts"] },
});
