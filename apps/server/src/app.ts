import { randomUUID } from "node:crypto";
import express from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import { createAlipayClient, type AlipayClient } from "./alipay/alipay-client.ts";
import { systemClock, type Clock } from "./clock.ts";
import { sweepScheduleOf } from "./domain/sweep-schedule.ts";
import type { Database } from "./db/prisma.ts";
import type { Config } from "./env.ts";
import { createAuthenticator } from "./http/auth.ts";
import type { BindOptions } from "./http/bind-route.ts";
import { consoleRoutes, findConsoleDir } from "./http/console-static.ts";
import { contentSecurityDirectives, noStore } from "./http/content-security.ts";
import { errorHandler, notFoundRoute } from "./http/error-handler.ts";
import { addressRateLimit, adminAuthFailureLimit, customerRateLimit } from "./http/rate-limits.ts";
import type { Logger } from "./logger.ts";
import { recordHttpDuration } from "./metrics/http-metrics.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import type { DeductionQueue } from "./deductions/scheduler.ts";
import { adminChargeRoutes } from "./routes/admin-charge-routes.ts";
import { adminRefundRoutes } from "./routes/admin-refund-routes.ts";
import { adminConsoleRoutes } from "./routes/admin-console-routes.ts";
import { adminReconciliationRoutes } from "./routes/admin-reconciliation-routes.ts";
import { adminEventRoutes } from "./routes/admin-event-routes.ts";
import { adminRoutes } from "./routes/admin-routes.ts";
import { adminWebhookEndpointRoutes } from "./routes/admin-webhook-endpoint-routes.ts";
import { adminWebhookDeliveryRoutes } from "./routes/admin-webhook-delivery-routes.ts";
import { customerRoutes } from "./routes/customer-routes.ts";
import { docsRoutes } from "./routes/docs-routes.ts";
import { healthRoutes } from "./routes/health-routes.ts";
import { metricsRoute } from "./routes/metrics-route.ts";
import { notifyRoute } from "./routes/notify-route.ts";
import { isConsoleSessionRevoked, revokeConsoleSession } from "./repositories/console-sessions.ts";
import { createAdminSessions } from "./services/admin-sessions.ts";
import type { ServiceDeps } from "./services/deps.ts";
import { createSessionTokens } from "./services/session-tokens.ts";
import { getSessionVersion } from "./services/sessions.ts";

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** Defaults to a client built from `config.alipay` (none when Alipay is not configured). */
  alipay?: AlipayClient;
  /** pg-boss queues for the scheduler; without them an admin scheduler run does its work inline. */
  queue?: DeductionQueue;
  /** The process's metrics (GET /metrics); a registry of its own by default. */
  metrics?: Metrics;
};

/** Builds the HTTP application without listening, so tests can drive it on any port. */
export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  const alipay =
    deps.alipay ?? (config.alipay ? createAlipayClient(config.alipay, { clock, logger, metrics }) : undefined);
  const services: ServiceDeps = { config, db: deps.db, logger, clock, alipay, metrics };
  const sessions = createSessionTokens({
    secret: config.sessionSecret,
    ttlSeconds: config.sessionTtlSeconds,
    clock,
    currentVersion: (customerId) => getSessionVersion(services, customerId),
  });
  const adminSessions = createAdminSessions({
    sessionSecret: config.sessionSecret,
    adminApiKey: config.adminApiKey,
    revocations: {
      isRevoked: (tokenDigest) => isConsoleSessionRevoked(deps.db.prisma, tokenDigest),
      revoke: (input) => revokeConsoleSession(deps.db.prisma, input),
    },
  });
  const bind: BindOptions = {
    authenticator: createAuthenticator({ sessions, adminApiKey: config.adminApiKey, adminSessions }),
    checkResponses: config.nodeEnv !== "production",
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.set("query parser", "simple");
  app.use(recordHttpDuration(metrics));
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers["x-request-id"];
        const id = typeof incoming === "string" && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" || req.url === "/metrics" },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
    }),
  );
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: contentSecurityDirectives } }));
  app.use(healthRoutes(services, bind));
  // Alipay's notifications: no rate limit, no auth (the signature is the proof), a form body.
  app.use(notifyRoute({ db: deps.db, logger, alipay, metrics, clock: deps.clock, sweep: sweepScheduleOf(config) }));
  // One count of wrong admin keys for /metrics and /admin/v1: guessing on one locks both.
  const adminKeyGuard = adminAuthFailureLimit(config, logger);
  app.use("/metrics", noStore, ...adminKeyGuard);
  app.use(metricsRoute({ metrics, adminApiKey: config.adminApiKey }));
  if (config.docsEnabled) app.use(docsRoutes());
  app.use(consoleRoutes(findConsoleDir(config.consoleDir)));

  app.use(express.json({ limit: "64kb" }));
  app.use("/api/v1", noStore, addressRateLimit(config), customerRateLimit(config, sessions));
  app.use("/admin/v1", noStore, ...adminKeyGuard);
  app.use(customerRoutes({ ...services, sessions }, bind));
  app.use(adminRoutes(services, bind));
  app.use(adminChargeRoutes({ ...services, queue: deps.queue }, bind));
  app.use(adminRefundRoutes(services, bind));
  app.use(adminConsoleRoutes({ ...services, adminSessions }, bind));
  app.use(adminReconciliationRoutes(services, bind));
  app.use(adminWebhookEndpointRoutes(services, bind));
  app.use(adminWebhookDeliveryRoutes(services, bind));
  app.use(adminEventRoutes(services, bind));
  app.use(notFoundRoute);
  app.use(errorHandler(logger));
  return app;
}
