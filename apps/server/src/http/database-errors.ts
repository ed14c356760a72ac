const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P03",
  "08006",
  "08001",
]);

/** True for errors that mean "the database cannot be reached right now", however deep the driver wrapped them. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && (connectionCodes.has(candidate.code) || candidate.code === "P1001"))
      return true;
    if (
      typeof candidate.message === "string" &&
      /connect|Connection terminated|timeout exceeded when trying to connect/i.test(candidate.message)
    )
      return true;
    current = candidate.cause;
  }
  return false;
}

/**
 * The SQLSTATE of a data exception (class 22: a value out of range for its column, a NUL byte in text, a string that
 * is not a uuid…) raised by PostgreSQL through Prisma's driver adapter; undefined for any other error.
 */
export function dataExceptionCodeOf(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === "string" && code.startsWith("22") ? code : undefined;
}
