import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/.turbo/**",
      "**/generated/**",
      ".data/**",
      "test-artifacts/**",
      "bench/**/*.json",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ["**/*.ts", "**/*.tsx"] })),
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-non-null-assertion": "error",
      "max-params": ["error", 3],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read the environment only in an env.ts module." },
      ],
    },
  },
  {
    // The only places allowed to read process.env: env modules, tests (to start child processes) and scripts.
    files: ["**/env.ts", "**/test/**", "scripts/**", "**/scripts/**", "vitest*.ts", "**/vitest*.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  // Layer guards. Flat config replaces a rule's options block by block, so each block lists every pattern of its folder.
  {
    // Routes do HTTP only: they call services, which reach the database through repositories.
    files: ["apps/server/src/routes/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/generated/prisma/**", "**/db/**"],
              message: "Routes call services; queries and Prisma types belong in services/ and repositories/.",
            },
          ],
        },
      ],
    },
  },
  {
    // Services sit below deductions/, notifications/ and routes/; those call services, never the reverse.
    files: ["apps/server/src/services/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/deductions/**", "**/notifications/**", "**/routes/**"],
              message:
                "Services must not reach up into deductions/, notifications/ or routes/; move the shared part down.",
            },
          ],
        },
      ],
    },
  },
  {
    // Repositories persist; they know nothing of the layers that use them.
    files: ["apps/server/src/repositories/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/services/**", "**/deductions/**", "**/notifications/**", "**/routes/**", "**/http/**"],
              message: "Repositories must not import from the layers above them.",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure rules: no layer above it, no persistence; Prisma's generated types only, as types.
    files: ["apps/server/src/domain/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/services/**",
                "**/deductions/**",
                "**/notifications/**",
                "**/routes/**",
                "**/http/**",
                "**/repositories/**",
                "**/db/**",
              ],
              message: "The domain is pure: it must not import from other layers or from persistence.",
            },
            {
              group: ["**/generated/prisma/**"],
              allowTypeImports: true,
              message: "The domain may use Prisma's generated types (import type), never the client.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
