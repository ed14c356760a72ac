import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const EnvSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  SANDBOX_HOST: z.string().default("127.0.0.1"),
  SANDBOX_KEYS_DIR: z.string().default(path.join(repoRoot, ".data/keys")),
  SANDBOX_APP_ID: z
    .string()
    .regex(/^\d{16}$/, "16 digits like 2021000000000001")
    .default("2021000000000001"),
  SANDBOX_APP_PUBLIC_KEY: z.string().optional(),
  SANDBOX_STATE_FILE: z.string().default(path.join(repoRoot, ".data/sandbox-state.json")),
  SANDBOX_TIME_SCALE: z.coerce.number().positive().default(1),
  SANDBOX_DEDUCTION_WINDOW_DAYS: z.coerce.number().int().min(0).default(5),
  SANDBOX_SINGLE_AMOUNT_CAP: z.string().optional(),
  SANDBOX_KEY_MODE: z.enum(["key", "cert"]).default("key"),
  SANDBOX_USER_ID_TYPE: z.enum(["user_id", "open_id"]).default("user_id"),
  SANDBOX_APP_GATEWAY_URL: z.url().optional(),
});

export type SandboxEnv = z.infer<typeof EnvSchema>;

export function readSandboxEnv(): SandboxEnv {
  const parsed = EnvSchema.safeParse(process.env);
  if (parsed.success) return parsed.data;
  throw new Error(`Fix the sandbox environment:\n${z.prettifyError(parsed.error)}`);
}
