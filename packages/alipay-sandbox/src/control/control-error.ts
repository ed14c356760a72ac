import type { ErrorRequestHandler } from "express";
import { z } from "zod";

export type ControlErrorCode = "VALIDATION_FAILED" | "NOT_FOUND" | "CONFLICT";

const STATUS: Record<ControlErrorCode, number> = { VALIDATION_FAILED: 400, NOT_FOUND: 404, CONFLICT: 409 };

export class ControlError extends Error {
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ControlError("VALIDATION_FAILED", z.prettifyError(parsed.error));
}

/** One error body for the control API: `{ error: { code, message } }`. */
// eslint-disable-next-line max-params -- Express tells an error middleware by its four parameters
export const controlErrorHandler: ErrorRequestHandler = (error: unknown, _request, response, _next) => {
  if (error instanceof ControlError) {
    response.status(STATUS[error.code]).json({ error: { code: error.code, message: error.message } });
    return;
  }
  if (error instanceof SyntaxError) {
    response.status(400).json({ error: { code: "VALIDATION_FAILED", message: "the body is not valid JSON" } });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  response.status(500).json({ error: { code: "INTERNAL", message } });
};
