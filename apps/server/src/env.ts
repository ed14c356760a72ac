import path from "node:path";
import { z } from "zod";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: port(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection URL")
      .optional(),
    DATA_DIR: z.string().min(1).default(path.join(repoRoot, ".data")),
    EMBEDDED_PG_PORT: port(54329),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ADMIN_API_KEY: z.string().min(12, "must be at least 12 characters").optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (!env.DATABASE_URL)
      ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "is required in production" });
    if (!env.ADMIN_API_KEY)
      ctx.addIssue({ code: "custom", path: ["ADMIN_API_KEY"], message: "is required in production" });
  });

export type Env = z.infer<typeof envSchema>;

export type Config = {
  nodeEnv: Env["NODE_ENV"];
  host: string;
  port: number;
  /** Unset: an embedded PostgreSQL is started under `dataDir` (development and tests only). */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  databasePoolSize: number;
  logLevel: Env["LOG_LEVEL"];
  adminApiKey: string;
};

export const devAdminApiKey = "dev-admin-key";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once at start-up; the message lists every variable to fix. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty value (`DATABASE_URL=` in a shell or .env file) means unset.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "environment"}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  return {
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    embeddedPostgresPort: env.EMBEDDED_PG_PORT,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    logLevel: env.LOG_LEVEL,
    adminApiKey: env.ADMIN_API_KEY ?? devAdminApiKey,
  };
}
