import { httpStatusOf, type ErrorBody, type ErrorCode } from "@paysign/contracts";
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { dataExceptionCodeOf, isDatabaseUnavailable } from "./database-errors.ts";

/** The request id pino-http gave the request (a string from app.ts's genReqId), or "" before it has one. */
export function requestIdOf(req: Request): string {
  return typeof req.id === "string" || typeof req.id === "number" ? String(req.id) : "";
}

export function sendError(
  req: Request,
  res: Response,
  error: { code: ErrorCode; message: string; details?: unknown },
): void {
  const { code, message, details } = error;
  const body: ErrorBody = {
    error: { code, message, ...(details === undefined ? {} : { details }), requestId: requestIdOf(req) },
  };
  res.status(httpStatusOf(code)).json(body);
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(req, res, { code: "NOT_FOUND", message: `No route ${req.method} ${req.path}.` });
};

/** body-parser's and the router's refusals (their `type`), each with what the client should fix. */
const transportMessages: Record<string, string> = {
  "entity.too.large": "The request body is too large.",
  "entity.parse.failed": "The request body is not valid JSON.",
  "parameters.too.many": "The form has too many fields.",
  "charset.unsupported": "Send the request body as UTF-8.",
  "encoding.unsupported": "The request body's Content-Encoding is not supported; send it uncompressed or gzip.",
  "request.size.invalid": "The request body is shorter or longer than its Content-Length.",
  "request.aborted": "The request body was not sent completely.",
};

/**
 * The one error middleware: AppErrors as declared, malformed requests as 400 (including values the database cannot
 * store), a lost database as 503, else 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  // eslint-disable-next-line max-params -- Express tells an error middleware by its four parameters
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof AppError) {
      if (error.code === "INTERNAL") logger.error({ err: error, requestId: req.id }, error.message);
      sendError(req, res, error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      // body-parser (malformed JSON, too large, an unsupported charset or encoding) or the router (a path it
      // cannot decode).
      const type = (error as { type?: unknown }).type;
      const message =
        (typeof type === "string" ? transportMessages[type] : undefined) ??
        "The request is malformed (for example a path with broken percent-encoding).";
      sendError(req, res, { code: "BAD_REQUEST", message });
      return;
    }
    const dataException = dataExceptionCodeOf(error);
    if (dataException) {
      // A value that passed the request schema but not its column (an integer past 2^31, a NUL byte, a cursor that
      // does not decode to a storable instant). It came from the request: answer 400, and log no value.
      logger.warn({ requestId: req.id, sqlState: dataException }, "request value refused by the database");
      sendError(req, res, {
        code: "BAD_REQUEST",
        message: "A value in the request is out of range or contains characters that cannot be stored.",
      });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.error({ err: error, requestId: req.id }, "database unavailable");
      sendError(req, res, {
        code: "SERVICE_UNAVAILABLE",
        message: "The service is temporarily unavailable; retry in a few seconds.",
      });
      return;
    }
    logger.error({ err: error, requestId: req.id }, "unhandled error");
    sendError(req, res, {
      code: "INTERNAL",
      message: "Something went wrong on our side; retry later and quote the request id.",
    });
  };
}
