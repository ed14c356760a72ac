import { Prisma } from "../generated/prisma/client.ts";

/**
 * True when a write failed on a unique constraint — PostgreSQL's 23505 from the raw-SQL paths, or Prisma's P2002 —
 * and, when `constraint` is given, on that constraint (its PostgreSQL name, e.g. `IdempotencyKey_scope_key_key`).
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code !== "P2002") return false;
    return constraint === undefined || prismaConstraintName(error) === constraint;
  }
  const candidate = error as { code?: unknown; constraint?: unknown } | null;
  if (candidate?.code !== "23505") return false;
  return constraint === undefined || candidate.constraint === constraint;
}

/** The constraint name in a P2002 raised through the pg driver adapter (meta.driverAdapterError.cause). */
function prismaConstraintName(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const cause = (error.meta?.driverAdapterError as { cause?: { constraint?: { index?: unknown } } } | undefined)?.cause;
  const index = cause?.constraint?.index;
  return typeof index === "string" ? index : undefined;
}
