import { defineProject } from "vitest/config";
import { sharedProject } from "../../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    // Type-level tests (expectTypeOf) in *.test-d.ts are checked by tsc as part of the run.
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
