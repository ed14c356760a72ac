import { defineProject } from "vitest/config";
import { sharedProject } from "../../vitest.shared.ts";

const shared = sharedProject(import.meta.dirname);

/**
 * The page tests once more, against `dist/` transpiled to ES5 by Babel with loose classes (what the Alipay IDE and
 * phones may run): test/support/mini-runtime.ts loads the built scripts instead of src/ when PAYSIGN_MINI_RUNTIME
 * says so. The end-to-end and dist tests build for themselves and are not repeated.
 */
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    name: "miniprogram-es5",
    include: [
      "test/plans-page.test.ts",
      "test/agreement-signing.test.ts",
      "test/agreement-actions.test.ts",
      "test/agreements-page.test.ts",
      "test/development-mode.test.ts",
      "test/live-agreement.test.ts",
    ],
    env: { PAYSIGN_MINI_RUNTIME: "es5-dist" },
    globalSetup: ["test/setup/es5-dist-root.ts"],
  },
});
