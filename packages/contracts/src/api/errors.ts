import { z } from "zod";
import { ERROR_CODES, ERROR_HTTP_STATUS, type ErrorCode } from "./error-codes.ts";

export type ErrorBodySchema<C extends ErrorCode> = z.ZodObject<{
  error: z.ZodObject<{
    code: z.ZodEnum<{ [K in C]: K }>;
    message: z.ZodString;
    details: z.ZodOptional<z.ZodUnknown>;
    requestId: z.ZodString;
  }>;
}>;

/** The error body, with `code` narrowed to the given codes. */
export function errorBodySchemaFor<const C extends ErrorCode>(codes: readonly [C, ...C[]]): ErrorBodySchema<C> {
  return z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string().meta({ description: "What went wrong and what to do next" }),
      details: z.unknown().optional(),
      requestId: z.string().meta({ description: "Quote it when asking for help; it is in the logs" }),
    }),
  });
}

/** `{ error: { code, message, details?, requestId } }` with any code: what a client parses. */
export const errorBodySchema = errorBodySchemaFor(ERROR_CODES).meta({ id: "ErrorBody" });
export type ErrorBody = z.infer<typeof errorBodySchema>;

type StatusOf<C extends ErrorCode> = (typeof ERROR_HTTP_STATUS)[C];
type CodesWithStatus<C extends ErrorCode, S extends number> = C extends ErrorCode
  ? StatusOf<C> extends S
    ? C
    : never
  : never;

export type ErrorResponses<C extends ErrorCode> = { [S in StatusOf<C>]: ErrorBodySchema<CodesWithStatus<C, S>> };

/**
 * Response entries for a route's possible errors, grouped by status through the one code → status table, each
 * narrowed to its codes (a 404 body can only say NOT_FOUND).
 */
export function errorResponses<const C extends ErrorCode>(...codes: [C, ...C[]]): ErrorResponses<C> {
  const byStatus = new Map<number, [C, ...C[]]>();
  for (const code of codes) {
    const status = ERROR_HTTP_STATUS[code];
    const group = byStatus.get(status);
    if (group) group.push(code);
    else byStatus.set(status, [code]);
  }
  const responses: Record<number, ErrorBodySchema<C>> = {};
  for (const [status, group] of byStatus) responses[status] = errorBodySchemaFor(group);
  return responses;
}
