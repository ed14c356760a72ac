import { defineProject } from "vitest/config";
import { sharedProject } from "../../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

export default defineProject({
  ...shared,
  test: { ...shared.test, globalSetup: ["./test/setup/global-database.ts"] },
});
