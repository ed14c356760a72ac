import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "bench", "e2e"],
    reporters: ["default", "./tooling/summary-reporter.ts"],
  },
});
