import type { Server } from "node:http";
import express from "express";
import { portInUseError } from "../db/embedded-postgres.ts";
import type { Config } from "../env.ts";
import { metricsRoute } from "../routes/metrics-route.ts";
import type { Metrics } from "./metrics.ts";

/** The worker's GET /metrics (it serves nothing else) on HOST:METRICS_PORT, behind the admin key like the API's. */
export async function serveMetrics(input: { config: Config; metrics: Metrics }): Promise<Server> {
  const port = input.config.metricsPort ?? 0;
  const app = express();
  app.disable("x-powered-by");
  app.use(metricsRoute({ metrics: input.metrics, adminApiKey: input.config.adminApiKey }));
  return new Promise((resolve, reject) => {
    const server = app.listen(port, input.config.host, () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? portInUseError(port, { what: "The worker's metrics", variable: "METRICS_PORT" })
          : error,
      ),
    );
  });
}
