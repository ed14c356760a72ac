import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "apps/miniprogram/vitest.es5.config.ts", "bench", "e2e", "reliability"],
    reporters: ["default", "./tooling/summary-reporter.ts"],
  },
});
