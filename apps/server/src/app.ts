import { randomUUID } from "node:crypto";
import express from "express";
import { pinoHttp } from "pino-http";
import type { Config } from "./env.ts";
import type { Database } from "./db/prisma.ts";
import { errorHandler, notFound } from "./http/errors.ts";
import { healthRoutes } from "./http/health.ts";
import type { Logger } from "./logger.ts";

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
};

/** Builds the HTTP application without listening, so tests can drive it on any port. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", 1);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers["x-request-id"];
        const id = typeof incoming === "string" && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" },
    }),
  );
  app.use(healthRoutes(deps.db));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
