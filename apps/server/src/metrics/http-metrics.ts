import type { RequestHandler } from "express";
import type { Metrics } from "./metrics.ts";

/** Times every answer; the label is the matched route's pattern (`/api/v1/agreements/:id`), never the raw path. */
export function recordHttpDuration(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stopTimer = metrics.httpDuration.startTimer({ method: req.method });
    res.once("finish", () => {
      const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === "string" ? `${req.baseUrl}${pattern}` : "unmatched";
      stopTimer({ route, status: String(res.statusCode) });
    });
    next();
  };
}
