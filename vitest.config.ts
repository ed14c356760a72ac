import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "bench", "e2e", "reliability"],
    reporters: ["default", "./tooling/summary-reporter.ts"],
  },
});
