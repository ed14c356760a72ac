import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../logger.ts";

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({
    error: { code: "NOT_FOUND", message: `No route ${req.method} ${req.path}.`, requestId: String(req.id) },
  });
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    logger.error({ err: error, requestId: req.id }, "unhandled error");
    res.status(500).json({
      error: { code: "INTERNAL", message: "Something went wrong on our side; retry later.", requestId: String(req.id) },
    });
  };
}
