// Runs `prisma generate` so that it also works where Prisma's schema-engine binary cannot be downloaded
// (offline machines, many networks in mainland China). `generate` never executes the engine, so when
// PRISMA_SCHEMA_ENGINE_BINARY is unset we point it at a placeholder file instead of letting the CLI download one.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = path.join(repoRoot, ".data", "prisma-schema-engine-placeholder");
  if (!existsSync(placeholder)) {
    mkdirSync(path.dirname(placeholder), { recursive: true });
    writeFileSync(placeholder, "not an engine: prisma generate does not run it\n");
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}

const result = spawnSync("prisma", ["generate", "--config", path.join(repoRoot, "prisma.config.ts")], {
  cwd: import.meta.dirname,
  env,
  stdio: "inherit",
  shell: process.platform === "win32",
});
process.exit(result.status ?? 1);
