import path from "node:path";
import { z } from "zod";
import { ALIPAY_GATEWAYS, SIGN_TYPES } from "@paysign/contracts/alipay";
import { toAlipayConfig, type AlipayConfig } from "./alipay/alipay-config.ts";
import { alipayKeyIssues } from "./alipay/key-checks.ts";
import { parseTrustProxy, type TrustProxy } from "./http/trust-proxy.ts";
import { weakSecretReason } from "./services/secret-strength.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

// Confirmation follow-up after 7001 / 6001 / 6002 or silence: agreement.query at these delays, then ABANDONED.
const defaultFollowUpSchedule = "15s,30s,1m,2m,5m,10m,30m,1h,3h,6h,12h";
const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
// Deductions (docs/product.md §8): a retryable failure is tried again after these delays, never past D (the last chance
// is D itself); an unknown outcome is checked with trade.query at these delays from the attempt, then every last step.
const defaultRetrySchedule = "6h,1d,1d,1d";
const defaultReconcileSchedule = "10s,1m,5m,30m,1h";
// A refusal on the merchant's side (docs/alipay-protocol.md §16) is tried again after these delays, the last one
// repeating, until D ends: the cause may be cleared by the operator or by Alipay at any time.
const defaultMerchantRetrySchedule = "30m,1h,2h";

function parseDurations(value: string, ctx: z.RefinementCtx): number[] {
  const seconds = value.split(",").map((part) => {
    const match = /^\s*(\d+)([smhd])\s*$/.exec(part);
    return match ? Number(match[1]) * (durationUnits[match[2] ?? "s"] ?? 1) : Number.NaN;
  });
  if (seconds.length === 0 || seconds.some((item) => !Number.isFinite(item) || item <= 0)) {
    ctx.addIssue({ code: "custom", message: 'must be a comma-separated list of durations such as "15s,1m,2h"' });
    return z.NEVER;
  }
  return seconds;
}

/** Published: accepted only with the embedded database and the sandbox (developmentDefaultsApply). */
export const devSessionSecret = "paysign-development-session-secret-not-for-production";

/** The documented maximum lifetime of a customer session token (SECURITY.md). */
const maxSessionTtlSeconds = 7 * 86_400;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const envObject = z.object({
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
  ALIPAY_APP_ID: z
    .string()
    .regex(/^\d{16}$/, "must be the 16-digit app id of your Alipay application")
    .optional(),
  ALIPAY_PRIVATE_KEY: z.string().optional(),
  ALIPAY_KEY_MODE: z.enum(["public-key", "cert"]).default("public-key"),
  ALIPAY_PUBLIC_KEY: z.string().optional(),
  ALIPAY_APP_CERT: z.string().optional(),
  ALIPAY_PUBLIC_CERT: z.string().optional(),
  ALIPAY_ROOT_CERT: z.string().optional(),
  ALIPAY_SIGN_TYPE: z.enum(SIGN_TYPES).default("RSA2"),
  ALIPAY_GATEWAY: z.url({ protocol: /^https?$/ }).default(ALIPAY_GATEWAYS.production),
  ALIPAY_NOTIFY_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALIPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters of random text").optional(),
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(maxSessionTtlSeconds, "must be at most 604800 (7 days), the documented maximum session lifetime")
    .default(86_400),
  FOLLOW_UP_SCHEDULE: z
    .string()
    .default(defaultFollowUpSchedule)
    .transform((value, ctx) => parseDurations(value, ctx)),
  DEDUCTION_WINDOW_DAYS: z.coerce.number().int().min(0).max(30).default(5),
  DEDUCTION_LEAD_DAYS: z.coerce.number().int().min(0).max(30).default(3),
  DEDUCTION_RETRY_SCHEDULE: z
    .string()
    .default(defaultRetrySchedule)
    .transform((value, ctx) => parseDurations(value, ctx)),
  DEDUCTION_MERCHANT_RETRY_SCHEDULE: z
    .string()
    .default(defaultMerchantRetrySchedule)
    .transform((value, ctx) => parseDurations(value, ctx)),
  DEDUCTION_RECONCILE_SCHEDULE: z
    .string()
    .default(defaultReconcileSchedule)
    .transform((value, ctx) => parseDurations(value, ctx)),
  SCHEDULER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  DEDUCTION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  FOLLOW_UP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(5),
  AGREEMENT_SWEEP_INTERVAL_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  RECONCILIATION_HOUR: z.coerce.number().int().min(0).max(23).default(10),
  JOBS_IN_API: z.enum(["true", "false"], 'must be "true" or "false"').default("true"),
  JOBS_POLLING_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  JOBS_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(25),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  CUSTOMER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  ADMIN_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(20),
  MAX_PENDING_AGREEMENTS_PER_CUSTOMER: z.coerce.number().int().min(1).max(1_000_000).default(20),
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform((value, ctx) => parseTrustProxy(value, ctx)),
  DOCS_ENABLED: z.enum(["true", "false"], 'must be "true" or "false"').optional(),
  CONSOLE_DIR: z.string().min(1).optional(),
  SANDBOX_URL: z.url({ protocol: /^https?$/ }).optional(),
  SANDBOX_PORT: port(4100),
  SANDBOX_KEY_MODE: z.enum(["key", "cert"]).default("key"),
  SANDBOX_USER_ID_TYPE: z.enum(["user_id", "open_id"]).default("user_id"),
});

const envSchema = envObject.superRefine((env, ctx) => {
  const require = (name: keyof typeof env, why: string) => {
    if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: `is required ${why}` });
  };
  const production = env.NODE_ENV === "production";
  if (production) {
    require("DATABASE_URL", "in production");
    require("ADMIN_API_KEY", "in production");
    require("ALIPAY_APP_ID", "in production");
    require("ALIPAY_NOTIFY_URL", "in production (the public URL of POST /alipay/notify)");
    require("SESSION_SECRET", "in production");
    if (env.SANDBOX_URL)
      ctx.addIssue({ code: "custom", path: ["SANDBOX_URL"], message: "must not be set in production" });
  }
  if (production) {
    for (const name of ["ALIPAY_GATEWAY", "ALIPAY_NOTIFY_URL"] as const) {
      const value = env[name];
      if (value && !value.startsWith("https://"))
        ctx.addIssue({ code: "custom", path: [name], message: "must be an https:// URL in production" });
    }
  }
  if (env.METRICS_PORT !== undefined) require("ADMIN_API_KEY", "with METRICS_PORT (it protects the worker's /metrics)");
  if (env.DEDUCTION_LEAD_DAYS > env.DEDUCTION_WINDOW_DAYS) {
    ctx.addIssue({
      code: "custom",
      path: ["DEDUCTION_LEAD_DAYS"],
      message: `must be at most DEDUCTION_WINDOW_DAYS (${env.DEDUCTION_WINDOW_DAYS}): the first attempt has to fall inside the window [D−N, D]`,
    });
  }
  if (!production && !env.ALIPAY_APP_ID) return;
  require("ALIPAY_PRIVATE_KEY", "with ALIPAY_APP_ID (the app private key, PEM or base64)");
  if (env.ALIPAY_KEY_MODE === "public-key") {
    require("ALIPAY_PUBLIC_KEY", "in public-key mode (the Alipay public key, not the app public key)");
  } else {
    require("ALIPAY_APP_CERT", "in cert mode (appCertPublicKey_*.crt)");
    require("ALIPAY_PUBLIC_CERT", "in cert mode (alipayCertPublicKey_RSA2.crt)");
    require("ALIPAY_ROOT_CERT", "in cert mode (alipayRootCert.crt)");
  }
});

type Env = z.infer<typeof envSchema>;

type RawEnv = {
  NODE_ENV: string;
  HOST?: string | undefined;
  DATABASE_URL?: string | undefined;
  ALIPAY_GATEWAY?: string | undefined;
  ALIPAY_APP_ID?: string | undefined;
  SANDBOX_URL?: string | undefined;
  ADMIN_API_KEY?: string | undefined;
  SESSION_SECRET?: string | undefined;
};

const loopbackHosts = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * The published development secrets (dev-admin-key, the development session secret) apply only outside production
 * with the embedded database and the sandbox, reachable from this machine alone: no DATABASE_URL, a loopback HOST,
 * and no Alipay app unless its gateway is the sandbox's.
 */
function developmentDefaultsApply(env: RawEnv): boolean {
  if (env.NODE_ENV === "production" || env.DATABASE_URL) return false;
  if (!loopbackHosts.has(env.HOST ?? "127.0.0.1")) return false;
  if (!env.ALIPAY_APP_ID) return true;
  return Boolean(env.SANDBOX_URL && env.ALIPAY_GATEWAY?.startsWith(env.SANDBOX_URL));
}

type Issue = { path: string; message: string };

/** Issue 21 findings 1 and 3: no published secret outside embedded + sandbox, no weak one in production. */
function secretIssues(env: RawEnv): Issue[] {
  if (developmentDefaultsApply(env)) return [];
  const production = env.NODE_ENV === "production";
  const issues: Issue[] = [];
  const secrets = [
    ["ADMIN_API_KEY", env.ADMIN_API_KEY, devAdminApiKey],
    ["SESSION_SECRET", env.SESSION_SECRET, devSessionSecret],
  ] as const;
  for (const [name, value, published] of secrets) {
    if (!value) {
      // In production the schema's "is required in production" names it already.
      if (!production)
        issues.push({
          path: name,
          message:
            "is required with DATABASE_URL, a HOST other than loopback or a real Alipay app (an ALIPAY_GATEWAY that " +
            "is not SANDBOX_URL's): the development default is published; set a random value (openssl rand -hex 32)",
        });
      continue;
    }
    if (value.toLowerCase().includes(published.toLowerCase())) {
      issues.push({
        path: name,
        message: `must not be the published development value ${JSON.stringify(published)} nor contain it, outside the embedded database with the sandbox`,
      });
      continue;
    }
    const weak = production ? weakSecretReason(value) : undefined;
    if (weak) issues.push({ path: name, message: weak });
  }
  return issues;
}

/** Deductions (docs/product.md §8, docs/alipay-protocol.md §11). */
export type DeductionConfig = {
  /** N of the window [D−N, D] in which Alipay accepts the deduction for D. */
  windowDays: number;
  /** The first attempt for D is made on D − leadDays (≤ windowDays). */
  leadDays: number;
  /** Delays after the 1st, 2nd… retryable failure; the last automatic attempt is on D. */
  retryScheduleSeconds: number[];
  /**
   * Delays after the 1st, 2nd… refusal on the merchant's side (docs/alipay-protocol.md §16); the last step repeats,
   * never past D.
   */
  merchantRetryScheduleSeconds: number[];
  /** trade.query of an unknown outcome at these delays from the attempt; then every last step. */
  reconcileScheduleSeconds: number[];
  /** How often a scheduler tick runs (one at a time across every worker). */
  schedulerIntervalSeconds: number;
  /**
   * Charges one process runs at once: a scheduler pass run inline (`wait`), or a batch of charge jobs a worker
   * fetched. Each holds a database connection only for its short transactions, never during trade.pay.
   */
  concurrency: number;
};

/** pg-boss workers (in the API process unless JOBS_IN_API=false, and in `pnpm --filter @paysign/server worker`). */
type JobsConfig = {
  inApi: boolean;
  pollingIntervalSeconds: number;
  batchSize: number;
  /** Workers per queue in one process. */
  concurrency: number;
  followUpIntervalSeconds: number;
  /** Hours between two agreement.query calls of the sweep for one signed agreement (services/agreement-sweep.ts). */
  agreementSweepIntervalHours: number;
  /** Hour of the day (Asia/Shanghai) when yesterday's Alipay bill is reconciled (deductions/reconciliation.ts). */
  reconciliationHour: number;
};

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
  sessionSecret: string;
  sessionTtlSeconds: number;
  followUpScheduleSeconds: number[];
  deductions: DeductionConfig;
  jobs: JobsConfig;
  /** On SIGTERM/SIGINT, how long in-flight requests and jobs may take before connections and jobs are cut. */
  shutdownGraceSeconds: number;
  /** The worker serves GET /metrics on HOST:metricsPort when set (the API serves it on its own port). */
  metricsPort: number | undefined;
  rateLimitPerMinute: number;
  /** Requests per minute of one signed-in customer on /api/v1 (whatever their address). */
  customerRateLimitPerMinute: number;
  /** Wrong admin keys one client address may send per 15 minutes before every admin request is refused. */
  adminAuthFailureLimit: number;
  /** PENDING agreements one customer may hold at once. */
  maxPendingAgreementsPerCustomer: number;
  /** Express `trust proxy`: which hops' X-Forwarded-For is believed (false: none, the socket address counts). */
  trustProxy: TrustProxy;
  /** GET /docs and /openapi.json are served (default: outside production only). */
  docsEnabled: boolean;
  /** The merchant console's built files, served at /console; unset: found beside the server (console-static.ts). */
  consoleDir: string | undefined;
  /** Development and tests: the server's clock follows this sandbox's simulated time. */
  sandboxUrl: string | undefined;
  /** Where `pnpm dev` runs the sandbox. */
  sandboxPort: number;
  /** `pnpm dev`: the sandbox app's key mode, public key or certificates (docs/alipay-protocol.md §19.3). */
  sandboxKeyMode: "key" | "cert";
  /** `pnpm dev`: how the sandbox app knows its users (docs/alipay-protocol.md §19.1). */
  sandboxUserIdType: "user_id" | "open_id";
  /** Unset in development until the dev stack points the server at the sandbox. */
  alipay: AlipayConfig | undefined;
  /** How long a webhook receiver has to answer 2xx before the attempt counts as failed (webhooks/http-sender.ts). */
  webhookTimeoutMs: number;
  /**
   * Whether webhook URLs must be https and reach public addresses only (SSRF, webhooks/endpoint-url.ts and
   * http-sender.ts): always in production; outside it loopback receivers are allowed for development and tests.
   */
  webhookPublicTargetsOnly: boolean;
};

export const devAdminApiKey = "dev-admin-key";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment once at start-up; the message lists every variable to fix. `secrets: false` is for
 * processes that serve nothing (the database scripts): they do not need ADMIN_API_KEY and SESSION_SECRET outside
 * production.
 */
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  options: { secrets?: boolean } = {},
): Config {
  // An empty value (`DATABASE_URL=` in a shell or .env file) means unset.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(present);
  const issues: Issue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  if (options.secrets !== false) issues.push(...secretIssues({ NODE_ENV: "development", ...present }));
  // Keys are read from the raw values, so an unreadable key is reported with the schema's issues, not after them.
  const keys = alipayKeyIssues(present);
  issues.push(...keys);
  if (!parsed.success || issues.length > 0) {
    const lines = issues.map((issue) => `  - ${issue.path || "environment"}: ${issue.message}`);
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
    sessionSecret: env.SESSION_SECRET ?? devSessionSecret,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    followUpScheduleSeconds: env.FOLLOW_UP_SCHEDULE,
    deductions: {
      windowDays: env.DEDUCTION_WINDOW_DAYS,
      leadDays: env.DEDUCTION_LEAD_DAYS,
      retryScheduleSeconds: env.DEDUCTION_RETRY_SCHEDULE,
      merchantRetryScheduleSeconds: env.DEDUCTION_MERCHANT_RETRY_SCHEDULE,
      reconcileScheduleSeconds: env.DEDUCTION_RECONCILE_SCHEDULE,
      schedulerIntervalSeconds: env.SCHEDULER_INTERVAL_SECONDS,
      concurrency: env.DEDUCTION_CONCURRENCY,
    },
    jobs: {
      inApi: env.JOBS_IN_API === "true",
      pollingIntervalSeconds: env.JOBS_POLLING_INTERVAL_SECONDS,
      batchSize: env.JOBS_BATCH_SIZE,
      concurrency: env.JOBS_CONCURRENCY,
      followUpIntervalSeconds: env.FOLLOW_UP_INTERVAL_SECONDS,
      agreementSweepIntervalHours: env.AGREEMENT_SWEEP_INTERVAL_HOURS,
      reconciliationHour: env.RECONCILIATION_HOUR,
    },
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    metricsPort: env.METRICS_PORT,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    customerRateLimitPerMinute: env.CUSTOMER_RATE_LIMIT_PER_MINUTE ?? env.RATE_LIMIT_PER_MINUTE,
    adminAuthFailureLimit: env.ADMIN_AUTH_FAILURE_LIMIT,
    maxPendingAgreementsPerCustomer: env.MAX_PENDING_AGREEMENTS_PER_CUSTOMER,
    trustProxy: env.TRUST_PROXY,
    docsEnabled: env.DOCS_ENABLED ? env.DOCS_ENABLED === "true" : env.NODE_ENV !== "production",
    consoleDir: env.CONSOLE_DIR ? path.resolve(env.CONSOLE_DIR) : undefined,
    sandboxUrl: env.SANDBOX_URL,
    sandboxPort: env.SANDBOX_PORT,
    sandboxKeyMode: env.SANDBOX_KEY_MODE,
    sandboxUserIdType: env.SANDBOX_USER_ID_TYPE,
    alipay: env.ALIPAY_APP_ID ? readAlipayConfig({ ...env, ALIPAY_APP_ID: env.ALIPAY_APP_ID }) : undefined,
    webhookTimeoutMs: env.WEBHOOK_TIMEOUT_MS,
    webhookPublicTargetsOnly: env.NODE_ENV === "production",
  };
}

function readAlipayConfig(env: Env & { ALIPAY_APP_ID: string }): AlipayConfig {
  // alipayKeyIssues has read every key already: this cannot throw a KeyFormatError.
  return toAlipayConfig({ ...env, ALIPAY_PRIVATE_KEY: env.ALIPAY_PRIVATE_KEY ?? "" });
}

/**
 * The migration command's configuration: a database and a log level, nothing of Alipay or secrets, so a deploy step can
 * run it with the database credentials alone.
 */
export function loadMigrationConfig(source: Record<string, string | undefined> = process.env): {
  databaseUrl: string;
  logLevel: Env["LOG_LEVEL"];
} {
  const schema = envObject.pick({ DATABASE_URL: true, LOG_LEVEL: true });
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value)));
  const issues = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (parsed.success && !parsed.data.DATABASE_URL) issues.push("DATABASE_URL: is required to apply migrations");
  if (!parsed.success || !parsed.data.DATABASE_URL) {
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n  - ${issues.join("\n  - ")}`);
  }
  return { databaseUrl: parsed.data.DATABASE_URL, logLevel: parsed.data.LOG_LEVEL };
}
