import { httpStatusOf, type ErrorBody, type ErrorCode } from "@paysign/contracts";
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { isDatabaseUnavailable } from "./database-errors.ts";

export function sendError(req: Request, res: Response, code: ErrorCode, message: string, details?: unknown): void {
  const body: ErrorBody = {
    error: { code, message, ...(details === undefined ? {} : { details }), requestId: String(req.id ?? "") },
  };
  res.status(httpStatusOf(code)).json(body);
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(req, res, "NOT_FOUND", `No route ${req.method} ${req.path}.`);
};

/** The one error middleware: AppErrors as declared, malformed bodies as 400, a lost database as 503, else 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof AppError) {
      if (error.code === "INTERNAL") logger.error({ err: error, requestId: req.id }, error.message);
      sendError(req, res, error.code, error.message, error.details);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      // body-parser: malformed JSON, a body too large, an unsupported charset.
      const type = (error as { type?: unknown }).type;
      const message =
        type === "entity.too.large" ? "The request body is too large." : "The request body is not valid JSON.";
      sendError(req, res, "BAD_REQUEST", message);
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.error({ err: error, requestId: req.id }, "database unavailable");
      sendError(req, res, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable; retry in a few seconds.");
      return;
    }
    logger.error({ err: error, requestId: req.id }, "unhandled error");
    sendError(req, res, "INTERNAL", "Something went wrong on our side; retry later and quote the request id.");
  };
}
